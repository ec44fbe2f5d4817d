#!/usr/bin/env python3
"""Writes a git fast-import stream that builds a large history
deterministically: COMMITS commits importing successive slices of a source
tree (and, every 5th commit, appending a line to 3 earlier files), with a
fake GitHub token planted in every 100th commit and removed in the next.

Usage: make_history.py SOURCE_DIR COMMITS > stream   (prints the planted count on stderr)
"""
import os
import random
import string
import sys
import zlib

B62 = string.digits + string.ascii_uppercase + string.ascii_lowercase


def token(rng):
    body = "".join(rng.choice(B62) for _ in range(30))
    n = zlib.crc32(body.encode()) & 0xFFFFFFFF
    crc = ""
    for _ in range(6):
        crc = B62[n % 62] + crc
        n //= 62
    return "ghp_" + body + crc


def main():
    src, commits = sys.argv[1], int(sys.argv[2])
    rng = random.Random(20261128)
    files = []
    for root, dirs, names in os.walk(src):
        dirs.sort()
        for n in sorted(names):
            p = os.path.join(root, n)
            if os.path.isfile(p) and not os.path.islink(p) and os.path.getsize(p) < 1 << 20:
                files.append(os.path.relpath(p, src))
    per = max(1, len(files) // commits)
    out = sys.stdout.buffer
    added = []
    planted = 0
    t = 1700000000

    def blob(data):
        out.write(b"data %d\n" % len(data))
        out.write(data)
        out.write(b"\n")

    for i in range(commits):
        t += 60
        msg = b"import slice %d" % i
        out.write(b"commit refs/heads/main\n")
        out.write(b"committer Bench <bench@example.com> %d +0000\n" % t)
        blob(msg)
        # Consecutive commits on one branch chain automatically in fast-import.
        for rel in files[i * per:(i + 1) * per]:
            with open(os.path.join(src, rel), "rb") as f:
                data = f.read()
            out.write(b"M 100644 inline %s\n" % rel.encode())
            blob(data)
            added.append((rel, data))
        if i % 5 == 4 and added:
            for rel, data in rng.sample(added, min(3, len(added))):
                data = data + b"\n/* touched in commit %d */\n" % i
                out.write(b"M 100644 inline %s\n" % rel.encode())
                blob(data)
        if i % 100 == 50:
            out.write(b"M 100644 inline planted/secret.py\n")
            blob(b'GITHUB_TOKEN = "%s"\n' % token(rng).encode())
            planted += 1
        if i % 100 == 51:
            out.write(b"D planted/secret.py\n")
    sys.stderr.write("%d\n" % planted)


if __name__ == "__main__":
    main()
