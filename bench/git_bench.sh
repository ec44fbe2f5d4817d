#!/usr/bin/env bash
# History scanning benchmark. Builds (once, cached) a deterministic history
# of COMMITS commits importing successive slices of linux-source-6.1 with
# planted secrets (bench/make_history.py + git fast-import), then times
# side by side:
#   git log -p --all | rg -i -F -f <keywords>     (the pipeline floor)
#   gatehouse secrets --git                       (1 thread and all cores)
# and a typical pre-receive push (10 commits touching 100 files).
# Targets: faster than the pipeline; peak RSS < 300 MB; pre-receive < 100 ms;
# every planted secret found. Exit 1 if a target is missed.
# Usage: bench/git_bench.sh [COMMITS]   (default 2000)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=bench/lib.sh
. "$here/bench/lib.sh"
gh="$here/build/gatehouse"
[ -x "$gh" ] || "$here/scripts/build.sh" release >/dev/null
commits=${1:-2000}
base=${GATEHOUSE_BENCH_DIR:-/var/tmp/gatehouse-bench}
corpus="$base/linux"
[ -d "$corpus" ] || "$here/bench/secrets_bench.sh" >/dev/null 2>&1 || true
[ -d "$corpus" ] || { echo "no corpus at $corpus (run bench/secrets_bench.sh first)" >&2; exit 2; }
repo="$base/history-$commits.git"
if [ ! -f "$repo/planted" ]; then
  rm -rf "$repo"
  git init -q --bare "$repo"
  echo "building $commits-commit history in $repo" >&2
  python3 "$here/bench/make_history.py" "$corpus" "$commits" 2>"$repo/planted.tmp" |
    git -C "$repo" fast-import --quiet
  mv "$repo/planted.tmp" "$repo/planted"
fi
planted=$(cat "$repo/planted")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export GATEHOUSE_CACHE_DIR="$work/cache"
"$gh" secrets --print-keywords >"$work/kw.txt"


"$gh" secrets --git --format json --fail-on none -o "$work/r.json" "$repo"
read -r found bytes < <(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(sum(1 for f in r["findings"] if f["location"]["path"]=="planted/secret.py"), r["summary"]["bytes_scanned"])' "$work/r.json")
ncommits=$(git -C "$repo" rev-list --all --count)
mb=$(awk "BEGIN{print $bytes/1e6}")
printf 'history: %s commits, %.1f MB of added text, %s secrets planted\n\n' "$ncommits" "$mb" "$planted"

printf '%-42s %8s %10s %9s %9s\n' run seconds commits/s "MB/s" "RSS MB"
time_it bash -c "git -C '$repo' log -p --all | rg -i -F -c -f '$work/kw.txt'"
floor=$T
printf '%-42s %8.2f %10.0f %9.1f %9s\n' "git log -p --all | rg -i -F" "$T" "$(awk "BEGIN{print $ncommits/$T}")" "$(awk "BEGIN{print $mb/$T}")" "-"
for j in 1 2; do
  time_it "$gh" secrets --git -j$j --fail-on none --format json -o /dev/null "$repo"
  eval "t$j=$T m$j=$M"
  printf '%-42s %8.2f %10.0f %9.1f %9.1f\n' "gatehouse secrets --git -j$j" "$T" "$(awk "BEGIN{print $ncommits/$T}")" "$(awk "BEGIN{print $mb/$T}")" "$(awk "BEGIN{print $M/1024}")"
done

# A typical push: 10 new commits touching 100 existing files, not reachable
# from any ref (as in a real pre-receive, where objects sit in quarantine).
main=$(git -C "$repo" rev-parse refs/heads/main)
python3 - "$repo" "$main" >"$work/push.stream" <<'PY'
import subprocess, sys
repo, main = sys.argv[1], sys.argv[2]
paths = subprocess.run(["git", "-C", repo, "ls-tree", "-r", "--name-only", main],
                       capture_output=True, text=True).stdout.split("\n")[:100]
out = sys.stdout
t = 1800000000
for i in range(10):
    out.write("commit refs/heads/push-test\ncommitter Bench <b@example.com> %d +0000\ndata 6\npush%d\n" % (t + i, i))
    if i == 0:
        out.write("from %s\n" % main)
    for p in paths[i * 10:(i + 1) * 10]:
        data = "changed in push %d\n" % i
        out.write("M 100644 inline %s\ndata %d\n%s\n" % (p, len(data), data))
PY
git -C "$repo" fast-import --quiet --force <"$work/push.stream"
tip=$(git -C "$repo" rev-parse refs/heads/push-test)
git -C "$repo" update-ref -d refs/heads/push-test
echo "$main $tip refs/heads/main" >"$work/push.in"
for _ in $(seq 11); do
  s=$(date +%s%N)
  (cd "$repo" && GIT_DIR=. "$gh" hook pre-receive <"$work/push.in" >/dev/null 2>&1) || true
  e=$(date +%s%N); echo $(( (e - s) / 1000 ))
done | sort -n | sed -n 6p >"$work/pr"
pr_ms=$(awk '{print $1/1000}' "$work/pr")
printf '\npre-receive, 10 commits x 10 files (median of 11): %.1f ms\n\n' "$pr_ms"

check "history scan -j1 ${t1}s vs pipeline ${floor}s (target: faster)" "$t1 < $floor"
check "every planted secret found: $found of $planted" "$found == $planted"
check "peak RSS $(awk "BEGIN{printf \"%.0f\", ($m1>$m2?$m1:$m2)/1024}") MB (target < 300 MB)" "($m1>$m2?$m1:$m2)/1024 < 300"
check "pre-receive ${pr_ms} ms (target < 100 ms)" "$pr_ms < 100"
exit $status
