// Google Benchmark for the CI analyzer's hot paths: the expression parser,
// the YAML front end (fast path and yaml-cpp, side by side), and the full
// analysis of one realistic workflow. bench/ci_bench.sh times whole runs
// against actionlint.
#include <benchmark/benchmark.h>

#include <string>

#include "ci/yaml.h"
#include "gatehouse/ci.h"
#include "gatehouse/ci_expr.h"

namespace {

const std::string kWorkflow = R"(name: service ci
on:
  pull_request:
    paths: ['services/api/**']
  push:
    branches: [main]
permissions:
  contents: read
concurrency:
  group: api-${{ github.ref }}
  cancel-in-progress: true
jobs:
  test:
    runs-on: ${{ matrix.os }}
    timeout-minutes: 20
    strategy:
      matrix:
        os: [ubuntu-24.04, windows-2022]
        node: [20, 22]
    steps:
      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2
      - uses: actions/setup-node@v4
        with:
          node-version: ${{ matrix.node }}
          cache: npm
      - run: npm ci
      - name: Unit tests
        run: |
          npm test -- --coverage services/api
          echo "title: ${{ github.event.pull_request.title }}"
      - uses: aquasecurity/trivy-action@0.28.0
        with:
          scan-type: fs
          format: sarif
          output: trivy.sarif
  deploy:
    needs: test
    if: github.ref == 'refs/heads/main' && github.event_name == 'push'
    runs-on: ubuntu-24.04
    timeout-minutes: 30
    environment: production
    steps:
      - uses: aws-actions/configure-aws-credentials@v4
        with:
          role-to-assume: arn:aws:iam::123456789012:role/deploy
          aws-region: eu-west-1
      - run: ./scripts/deploy.sh api "${{ needs.test.result }}"
)";

void BM_ParseExpression(benchmark::State& state) {
  const std::string e =
      "github.event_name == 'push' && (startsWith(github.ref, 'refs/tags/') || "
      "contains(fromJSON(needs.meta.outputs.list), matrix.os)) && !cancelled()";
  for (auto _ : state) {
    auto t = gatehouse::ci::ParseExpression(e);
    benchmark::DoNotOptimize(t);
    auto refs = gatehouse::ci::ContextRefs(*t);
    benchmark::DoNotOptimize(refs);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * e.size()));
}
BENCHMARK(BM_ParseExpression);

void BM_YamlFast(benchmark::State& state) {
  for (auto _ : state) {
    gatehouse::ci::Doc doc;
    benchmark::DoNotOptimize(gatehouse::ci::ParseYamlFast(kWorkflow, &doc));
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * kWorkflow.size()));
}
BENCHMARK(BM_YamlFast);

void BM_YamlCpp(benchmark::State& state) {
  for (auto _ : state) {
    auto r = gatehouse::ci::ParseYamlWithYamlCpp(kWorkflow);
    benchmark::DoNotOptimize(r);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * kWorkflow.size()));
}
BENCHMARK(BM_YamlCpp);

void BM_AnalyzeWorkflow(benchmark::State& state) {
  gatehouse::CiOptions o;
  o.check_credentials = false;
  o.threads = 1;
  for (auto _ : state) {
    auto r = gatehouse::AnalyzeCiFiles({{".github/workflows/api.yml", kWorkflow}}, o);
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * kWorkflow.size()));
}
BENCHMARK(BM_AnalyzeWorkflow);

}  // namespace

BENCHMARK_MAIN();
