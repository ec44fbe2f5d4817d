#!/usr/bin/env bash
# Audit benchmark: `gatehouse audit` over a generated 50,000-file platform
# monorepo (bench/make_monorepo.py: workflows, Kubernetes manifests, Rollouts,
# CronJobs, Prometheus rules, Terraform, Dockerfiles, source and test files).
#
# Prints wall time (best of 3), files/s and peak RSS on 1 and 2 threads, and
# checks that every file is read exactly once, twice over: the audit's own
# counter (stats.reads == stats.files in --format json) and strace, counting
# successful openat() calls on files of the corpus (each path at most once).
# Target: under 5 s with 2 threads; exit status 1 when a check is missed.
#
# Usage: bench/audit_bench.sh [FILES]      GATEHOUSE_BIN=path/to/gatehouse to pick a build.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
gh=${GATEHOUSE_BIN:-$here/build/gatehouse}
[ -x "$gh" ] || "$here/scripts/build.sh" release >/dev/null
n=${1:-50000}
. "$here/bench/lib.sh"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export GATEHOUSE_CACHE_DIR="$work/cache"
repo="$work/repo"
made=$(python3 "$here/bench/make_monorepo.py" "$repo" "$n")
bytes=$(du -sb "$repo" | cut -f1)
echo "corpus: $made files, $((bytes / 1000000)) MB in $repo"
# Warm the secret engine's compiled-database cache (a one-time cost).
"$gh" audit --fail-on none -j 2 --format json -o "$work/warm.json" "$repo"

declare -A TIME
for threads in 1 2; do
  time_it "$gh" audit --fail-on none -j "$threads" --format json -o "$work/out-$threads.json" "$repo"
  TIME[$threads]=$T
  rate=$(awk "BEGIN{printf \"%.0f\", $made / $T}")
  echo "threads=$threads: ${T}s  ${rate} files/s  peak RSS $((M / 1024)) MB"
done

python3 - "$work/out-2.json" "$made" <<'EOF' >"$work/stats"
import json, sys
j = json.load(open(sys.argv[1]))
s = j["stats"]
print(s["files"], s["reads"], s["ci_files"], s["iac_files"], len(j["findings"]), j["grade"])
EOF
read -r files reads ci iac findings grade <"$work/stats"
echo "audit: $files files walked, $reads read, $ci CI files and $iac IaC files analyzed from memory, $findings findings, grade $grade"

check "every file read once (stats): reads $reads == files $files == generated $made" \
  "$reads == $files && $files == $made"
check "2 threads under 5 s: ${TIME[2]} s" "${TIME[2]} < 5"
speedup=$(awk "BEGIN{printf \"%.2f\", ${TIME[1]} / ${TIME[2]}}")
echo "speed-up 1 -> 2 threads: ${speedup}x"

if command -v strace >/dev/null; then
  strace -f -qq -e trace=openat -o "$work/strace" \
    "$gh" audit --fail-on none -j 2 --format json -o /dev/null "$repo" || true
  opened=$(grep -F "\"$repo/" "$work/strace" | grep -v ' = -1' | grep -v 'O_DIRECTORY' |
    sed -E 's/.*openat\([^,]*, "([^"]*)".*/\1/' | sort | uniq -c | awk '$1 > 1' | wc -l)
  distinct=$(grep -F "\"$repo/" "$work/strace" | grep -v ' = -1' | grep -v 'O_DIRECTORY' |
    sed -E 's/.*openat\([^,]*, "([^"]*)".*/\1/' | sort -u | wc -l)
  echo "strace: $distinct corpus files opened, $opened opened more than once"
  check "strace: no corpus file opened twice" "$opened == 0"
else
  echo "strace not installed: skipping the syscall check"
fi
exit $status
