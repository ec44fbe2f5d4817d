#!/usr/bin/env bash
# Command 1 of the README: install dependencies, build, run the main job on
# the bundled example.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
"$here/scripts/deps.sh"
"$here/scripts/third_party.sh"
"$here/scripts/build.sh" release
"$here/scripts/demo.sh"
