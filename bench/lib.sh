# Shared helpers for the bench/*.sh drivers (sourced, not run).
#   time_it CMD...   best wall time of 3 runs in $T (seconds), worst peak RSS in $M (KB);
#                    needs $work (a scratch directory)
#   check TEXT COND  prints PASS/MISS for an awk condition; a MISS sets status=1
status=0

time_it() {
  local best_t="" best_m=0 t m
  for _ in 1 2 3; do
    /usr/bin/time -f "%e %M" -o "$work/time" "$@" >/dev/null 2>"$work/stderr" || true
    read -r t m <"$work/time"
    if [ -z "$best_t" ] || awk "BEGIN{exit !($t < $best_t)}"; then best_t=$t; fi
    [ "$m" -gt "$best_m" ] && best_m=$m
  done
  T=$best_t
  M=$best_m
}

check() {
  if awk "BEGIN{exit !($2)}"; then echo "PASS  $1"; else echo "MISS  $1"; status=1; fi
}
