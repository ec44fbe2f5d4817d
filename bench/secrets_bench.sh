#!/usr/bin/env bash
# Secret-scan benchmark on a large real source tree (Debian's linux-source-6.1).
#
# Side by side in one run it times the floor any keyword-then-regex scanner
# faces — `rg -i -F` searching the same tree for the union of the rule set's
# keywords — and `gatehouse secrets` with our default rules and with gitleaks'
# published default configuration, on 1 thread and on all cores. It prints
# MB/s, files/s, peak RSS and the ratio to the floor, then checks the targets:
#   gitleaks config, 1 thread: <= 3x the rg floor    2 threads: >= 1.6x speed-up
#   peak RSS < 200 MB                                one small file: < 20 ms
# Ignore files are disabled for both tools: Debian's linux-source tarball ships a
# .gitignore that ignores everything but debian/.
# Exit status 1 if a target is missed. Usage: bench/secrets_bench.sh [CORPUS_DIR]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=bench/lib.sh
. "$here/bench/lib.sh"
gh="$here/build/gatehouse"
[ -x "$gh" ] || "$here/scripts/build.sh" release >/dev/null
"$here/scripts/third_party.sh"
command -v rg >/dev/null || { echo "needs ripgrep (scripts/deps.sh installs it)" >&2; exit 2; }

corpus=${1:-${GATEHOUSE_BENCH_DIR:-/var/tmp/gatehouse-bench}/linux}
if [ ! -d "$corpus" ]; then
  tarball=$(ls /usr/src/linux-source-6.1*.tar.* 2>/dev/null | head -1 || true)
  if [ -z "$tarball" ]; then
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
    $SUDO apt-get install -y -qq linux-source-6.1 >/dev/null
    tarball=$(ls /usr/src/linux-source-6.1*.tar.* | head -1)
  fi
  echo "unpacking $tarball into $corpus" >&2
  mkdir -p "$corpus"
  tar -xf "$tarball" -C "$corpus" --strip-components=1
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export GATEHOUSE_CACHE_DIR="$work/cache"
gl="$here/third_party/gitleaks-default.toml"
configs=(default)
[ -s "$gl" ] && configs+=(gitleaks)
cfg_args() { [ "$1" = gitleaks ] && echo "--config $gl" || true; }


# Bytes and files that gatehouse actually scanned (its JSON summary).
"$gh" secrets --no-gitignore --format json --fail-on none -o "$work/stats.json" "$corpus"
read -r bytes files < <(python3 -c 'import json,sys; s=json.load(open(sys.argv[1]))["summary"]; print(s["bytes_scanned"], s["files_scanned"])' "$work/stats.json")
mb=$(awk "BEGIN{print $bytes/1e6}")
printf 'corpus: %s\n  %s files, %.1f MB of text scanned\n\n' "$corpus" "$files" "$mb"

declare -A floor
printf '%-34s %8s %9s %10s %9s %8s\n' "run" "seconds" "MB/s" "files/s" "RSS MB" "x floor"
for cfg in "${configs[@]}"; do
  # shellcheck disable=SC2046
  "$gh" secrets --print-keywords $(cfg_args "$cfg") >"$work/kw-$cfg.txt"
  # Warm the database cache and the page cache once.
  # shellcheck disable=SC2046
  "$gh" secrets --no-gitignore --fail-on none $(cfg_args "$cfg") -o /dev/null "$corpus" || true
  for j in 1 2; do
    time_it rg -j"$j" -i -F -c --hidden --no-ignore -f "$work/kw-$cfg.txt" "$corpus"
    floor[$cfg$j]=$T
    printf '%-34s %8.2f %9.1f %10.0f %9.1f %8s\n' "rg -i -F ($cfg keywords) j$j" "$T" \
      "$(awk "BEGIN{print $mb/$T}")" "$(awk "BEGIN{print $files/$T}")" "$(awk "BEGIN{print $M/1024}")" "1.00"
    # shellcheck disable=SC2046
    time_it "$gh" secrets --no-gitignore -j"$j" --fail-on none $(cfg_args "$cfg") --format json -o /dev/null "$corpus"
    eval "gt_${cfg}_$j=$T"
    eval "gm_${cfg}_$j=$M"
    printf '%-34s %8.2f %9.1f %10.0f %9.1f %8.2f\n' "gatehouse ($cfg rules) j$j" "$T" \
      "$(awk "BEGIN{print $mb/$T}")" "$(awk "BEGIN{print $files/$T}")" "$(awk "BEGIN{print $M/1024}")" \
      "$(awk "BEGIN{print $T/${floor[$cfg$j]}}")"
  done
done

# One small file, start to exit: hyperfine's median over 31 runs (warm cache).
printf 'password = "%s"\n' "not-a-real-one" >"$work/small.py"
hyperfine -N --warmup 3 --runs 31 --export-json "$work/small.json" \
  "$gh secrets --fail-on none $work/small.py" >/dev/null 2>&1
small_ms=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["results"][0]["median"]*1000)' "$work/small.json")
printf '\none small file, start to exit (hyperfine median of 31): %.1f ms\n' "$small_ms"

echo
if [ -s "$gl" ]; then
  check "gitleaks config, 1 thread: $(awk "BEGIN{printf \"%.2f\", $gt_gitleaks_1/${floor[gitleaks1]}}")x the rg floor (target <= 3x)" "$gt_gitleaks_1/${floor[gitleaks1]} <= 3"
  check "2-thread speed-up: $(awk "BEGIN{printf \"%.2f\", $gt_gitleaks_1/$gt_gitleaks_2}")x (target >= 1.6x)" "$gt_gitleaks_1/$gt_gitleaks_2 >= 1.6"
fi
maxm=0
for v in ${gm_default_1:-0} ${gm_default_2:-0} ${gm_gitleaks_1:-0} ${gm_gitleaks_2:-0}; do [ "$v" -gt "$maxm" ] && maxm=$v; done
check "peak RSS $(awk "BEGIN{printf \"%.0f\", $maxm/1024}") MB (target < 200 MB)" "$maxm/1024 < 200"
check "small file ${small_ms} ms (target < 20 ms)" "$small_ms < 20"
exit $status
