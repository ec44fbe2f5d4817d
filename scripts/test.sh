#!/usr/bin/env bash
# Command 2 of the README: run every test, in a release build and again in an
# AddressSanitizer + UndefinedBehaviorSanitizer build.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
"$here/scripts/deps.sh"
"$here/scripts/third_party.sh"
jobs=$(nproc)
status=0
for flavour in release asan; do
  echo "== $flavour build" >&2
  "$here/scripts/build.sh" "$flavour"
  dir="$here/build"; [ "$flavour" = asan ] && dir="$here/build-asan"
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
  (cd "$dir" && ctest --output-on-failure -j"$jobs") || status=1
done
exit $status
