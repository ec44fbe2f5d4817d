// Google Benchmark of the secret engine alone (no I/O): throughput of
// SecretEngine::Scan with the built-in rules on generated source-like text,
// with few and with many candidates. The whole-tree comparison against the
// rg keyword floor is bench/secrets_bench.sh.
#include <benchmark/benchmark.h>

#include <random>
#include <string>

#include "gatehouse/secrets.h"

namespace {

std::string MakeText(size_t bytes, double secret_density, uint64_t seed) {
  static const char* kLines[] = {
      "  for (size_t i = 0; i < items.size(); ++i) total += items[i].price * qty;\n",
      "def load_config(path):\n    with open(path) as f:\n        return yaml.safe_load(f)\n",
      "const token = await getToken(client, { scope: 'read' });\n",
      "password: ${{ secrets.DB_PASSWORD }}\n",
      "api_key = os.environ.get(\"API_KEY\")\n",
      "# The secret key is loaded from the environment at start-up.\n",
      "resource \"aws_s3_bucket\" \"logs\" { bucket = \"acme-logs\" }\n",
      "    image: ghcr.io/acme/api:1.4.2\n",
  };
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> coin(0, 1);
  const std::string alnum = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  std::string out;
  while (out.size() < bytes) {
    if (coin(rng) < secret_density) {
      std::string v;
      for (int i = 0; i < 32; ++i) v += alnum[rng() % alnum.size()];
      out += "client_secret = \"" + v + "\"\n";
    } else {
      out += kLines[rng() % (sizeof kLines / sizeof *kLines)];
    }
  }
  return out;
}

const gatehouse::SecretEngine& Engine() {
  static std::unique_ptr<gatehouse::SecretEngine> engine = [] {
    std::vector<gatehouse::Diagnostic> diags;
    auto e = gatehouse::SecretEngine::Compile(gatehouse::DefaultRuleSet(), false, &diags);
    return std::move(e).value();
  }();
  return *engine;
}

void BM_ScanSourceLike(benchmark::State& state, double density) {
  const std::string text = MakeText(8 << 20, density, 1);
  const auto& engine = Engine();
  size_t matches = 0;
  for (auto _ : state) matches += engine.Scan("src/app.py", text).size();
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
  state.counters["matches/iter"] = static_cast<double>(matches) / state.iterations();
}

void BM_CompileDefaultRules(benchmark::State& state) {
  for (auto _ : state) {
    std::vector<gatehouse::Diagnostic> diags;
    auto e = gatehouse::SecretEngine::Compile(gatehouse::DefaultRuleSet(), false, &diags);
    benchmark::DoNotOptimize(e);
  }
}

BENCHMARK_CAPTURE(BM_ScanSourceLike, no_secrets, 0.0)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_ScanSourceLike, one_in_1000_lines, 0.001)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_ScanSourceLike, one_in_20_lines, 0.05)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_CompileDefaultRules)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
