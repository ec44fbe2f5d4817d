#!/usr/bin/env bash
# Runs the main job on the bundled example.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
echo "demo: not ready yet"
