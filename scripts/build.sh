#!/usr/bin/env bash
# Configures and builds one flavour: `release` (build/) or `asan` (build-asan/).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
flavour=${1:-release}
case "$flavour" in
  release) dir="$here/build"; extra=(-DCMAKE_BUILD_TYPE=RelWithDebInfo) ;;
  asan) dir="$here/build-asan"; extra=(-DCMAKE_BUILD_TYPE=Debug -DGATEHOUSE_SANITIZE=ON -DGATEHOUSE_BENCH=OFF) ;;
  *) echo "usage: build.sh [release|asan]" >&2; exit 2 ;;
esac
cmake -S "$here" -B "$dir" -G Ninja "${extra[@]}" >/dev/null
ninja -C "$dir"
