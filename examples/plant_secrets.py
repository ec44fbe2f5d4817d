#!/usr/bin/env python3
"""Plants freshly generated, fake, credential-shaped values into a copy of
the demo repository, so that no such value is ever committed here.

Usage: plant_secrets.py DIR
"""
import random
import string
import sys
import zlib
from pathlib import Path

B62 = string.digits + string.ascii_uppercase + string.ascii_lowercase


def base62_crc(s: str) -> str:
    n = zlib.crc32(s.encode()) & 0xFFFFFFFF
    out = ""
    for _ in range(6):
        out = B62[n % 62] + out
        n //= 62
    return out


def main() -> None:
    root = Path(sys.argv[1])
    rng = random.SystemRandom()
    pick = lambda alphabet, n: "".join(rng.choice(alphabet) for _ in range(n))
    body = pick(B62, 30)
    values = {
        "__PLANT_GITHUB_TOKEN__": "ghp_" + body + base62_crc(body),
        "__PLANT_TF_PASSWORD__": pick(string.ascii_letters + string.digits, 12) + "#9",
        "__PLANT_SLACK_WEBHOOK__": "https://hooks.slack.com/services/T" + pick(string.ascii_uppercase + string.digits, 10)
        + "/B" + pick(string.ascii_uppercase + string.digits, 10) + "/" + pick(string.ascii_letters + string.digits, 24),
    }
    for path in root.rglob("*"):
        if path.is_file():
            text = path.read_text(errors="surrogateescape")
            new = text
            for k, v in values.items():
                new = new.replace(k, v)
            if new != text:
                path.write_text(new, errors="surrogateescape")
    db_pw = pick(string.ascii_letters + string.digits, 20)
    aws_id = "AKIA" + pick("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16)
    aws_secret = pick(string.ascii_letters + string.digits + "+/", 40)
    (root / ".env").write_text(
        f"DATABASE_URL=postgres://app:{db_pw}@db.internal:5432/orders\n"
        f"AWS_ACCESS_KEY_ID={aws_id}\nAWS_SECRET_ACCESS_KEY={aws_secret}\n"
    )


if __name__ == "__main__":
    main()
