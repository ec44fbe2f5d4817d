#!/usr/bin/env bash
# The main job on the bundled examples:
# 1. copy examples/platform to build/demo/platform, plant freshly generated
#    fake credentials, and scan it (reports in build/demo/reports/);
# 2. audit the demo monorepo examples/acme: the graded maturity report in
#    build/demo/audit.html (+ audit.md, audit.json, audit.sarif).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
gh="$here/build/gatehouse"
demo="$here/build/demo"
rm -rf "$demo" && mkdir -p "$demo/reports"
cp -r "$here/examples/platform" "$demo/platform"
python3 "$here/examples/plant_secrets.py" "$demo/platform"
for fmt in json sarif markdown; do
  ext=$fmt; [ "$fmt" = markdown ] && ext=md
  "$gh" secrets --format "$fmt" --fail-on none -o "$demo/reports/secrets.$ext" "$demo/platform"
done
set +e
"$gh" secrets "$demo/platform"
code=$?
set -e
echo
echo "reports: $demo/reports/ (secrets.json, secrets.sarif, secrets.md); exit code $code"
# Findings are the point of the demo: exit 1 is the expected outcome.
[ "$code" -le 1 ] || exit "$code"

echo
echo "== gatehouse audit examples/acme =="
set +e
(cd "$here" && "$gh" audit --out-dir "$demo" examples/acme)
acode=$?
set -e
echo
echo "audit report: $demo/audit.html (open it in a browser; also audit.md, audit.json, audit.sarif); exit code $acode"
[ "$acode" -le 1 ] || exit "$acode"
