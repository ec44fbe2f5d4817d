// Ledger benchmarks (Google Benchmark), SQLite store:
//   BM_AppendSingle           one entry per transaction (fsync per append)
//   BM_AppendBatched/N        N entries per transaction (group commit)
//   BM_InclusionProof/size    audit path of a random leaf (1M and 10M trees)
//   BM_ConsistencyProof/size  proof from a random older size
//   BM_Verify                 full verification throughput (entries/s)
// Targets (issue 8): >= 50,000 batched appends/s; proofs < 1 ms at 10M.
//
// The proof benchmarks build one ledger of GH_LEDGER_BENCH_MAX entries
// (default 10,000,000; about 3 GB and a couple of minutes) in
// $GH_LEDGER_BENCH_DIR (default /tmp/gatehouse-ledger-bench), reuse it if it
// is already there, and delete it at exit unless GH_LEDGER_BENCH_KEEP=1.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "gatehouse/base.h"
#include "gatehouse/ledger.h"

namespace {

using gatehouse::ledger::EntryInput;
using gatehouse::ledger::Ledger;
using gatehouse::ledger::LedgerOptions;

std::string BenchDir() {
  const char* env = std::getenv("GH_LEDGER_BENCH_DIR");
  std::string dir = env ? env : "/tmp/gatehouse-ledger-bench";
  std::filesystem::create_directories(dir);
  return dir;
}

uint64_t MaxEntries() {
  const char* env = std::getenv("GH_LEDGER_BENCH_MAX");
  return env ? std::strtoull(env, nullptr, 10) : 10'000'000;
}

EntryInput GateDecision(uint64_t i, bool with_payload) {
  EntryInput e;
  e.kind = "gate-decision";
  e.actor = "ci-runner-" + std::to_string(i % 64);
  e.reason = "policy release/v1: allow";
  e.subject = "registry.example/app@sha256:" + std::to_string(1000000007ull * i);
  e.time = "2024-05-01T12:00:00Z";
  if (with_payload)
    e.payload =
        "{\"decision\":\"allow\",\"policy\":\"release/v1\",\"score\":" + std::to_string(i % 100) +
        "}";
  return e;
}

// Removes the scratch ledgers at exit (unless GH_LEDGER_BENCH_KEEP=1).
struct Scratch {
  std::vector<std::string> paths;
  ~Scratch() {
    const char* keep = std::getenv("GH_LEDGER_BENCH_KEEP");
    if (keep && std::string(keep) == "1") return;
    for (const auto& p : paths)
      for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(p + suffix);
  }
} g_scratch;

std::unique_ptr<Ledger> Fresh(const std::string& name) {
  const std::string path = BenchDir() + "/" + name;
  g_scratch.paths.push_back(path);
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  LedgerOptions opt;
  opt.create = true;
  auto l = Ledger::Open(path, opt);
  if (!l.ok()) {
    std::fprintf(stderr, "cannot create %s: %s\n", path.c_str(), l.error().ToString().c_str());
    std::exit(1);
  }
  return std::move(*l);
}

void BM_AppendSingle(benchmark::State& state) {
  auto l = Fresh("single.db");
  uint64_t i = 0;
  for (auto _ : state) {
    auto r = l->Append({GateDecision(i++, true)});
    if (!r.ok()) state.SkipWithError(r.error().ToString().c_str());
  }
  state.SetItemsProcessed(static_cast<int64_t>(i));
  state.counters["appends/s"] =
      benchmark::Counter(static_cast<double>(i), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_AppendSingle)->Unit(benchmark::kMicrosecond)->MinTime(2.0)->UseRealTime();

void BM_AppendBatched(benchmark::State& state) {
  const int64_t batch = state.range(0);
  auto l = Fresh("batched.db");
  uint64_t i = 0;
  for (auto _ : state) {
    state.PauseTiming();
    std::vector<EntryInput> in;
    in.reserve(static_cast<size_t>(batch));
    for (int64_t k = 0; k < batch; ++k) in.push_back(GateDecision(i++, true));
    state.ResumeTiming();
    auto r = l->Append(std::move(in));
    if (!r.ok()) state.SkipWithError(r.error().ToString().c_str());
  }
  state.SetItemsProcessed(static_cast<int64_t>(i));
  state.counters["appends/s"] =
      benchmark::Counter(static_cast<double>(i), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_AppendBatched)
    ->Arg(100)
    ->Arg(1000)
    ->Arg(10000)
    ->Unit(benchmark::kMillisecond)
    ->MinTime(3.0)
    ->UseRealTime();

// One big ledger shared by the proof benchmarks.
class BigLedger {
 public:
  static BigLedger& Get() {
    static BigLedger big;
    return big;
  }
  Ledger& ledger() { return *ledger_; }
  uint64_t size() const { return size_; }
  ~BigLedger() {
    ledger_.reset();
    const char* keep = std::getenv("GH_LEDGER_BENCH_KEEP");
    if (!keep || std::string(keep) != "1")
      for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path_ + suffix);
  }

 private:
  BigLedger() : path_(BenchDir() + "/big.db"), size_(MaxEntries()) {
    LedgerOptions opt;
    opt.create = true;
    auto l = Ledger::Open(path_, opt);
    if (!l.ok()) {
      std::fprintf(stderr, "%s\n", l.error().ToString().c_str());
      std::exit(1);
    }
    ledger_ = std::move(*l);
    auto head = ledger_->Head();
    uint64_t have = head.ok() ? head->size : 0;
    if (have < size_) {
      std::fprintf(stderr, "building a %llu-entry ledger in %s (have %llu) ...\n",
                   static_cast<unsigned long long>(size_), path_.c_str(),
                   static_cast<unsigned long long>(have));
      const double t0 = gatehouse::MonotonicSeconds();
      while (have < size_) {
        const uint64_t n = std::min<uint64_t>(20000, size_ - have);
        std::vector<EntryInput> in;
        in.reserve(n);
        for (uint64_t k = 0; k < n; ++k) in.push_back(GateDecision(have + k, false));
        auto r = ledger_->Append(std::move(in));
        if (!r.ok()) {
          std::fprintf(stderr, "%s\n", r.error().ToString().c_str());
          std::exit(1);
        }
        have += n;
      }
      const double secs = gatehouse::MonotonicSeconds() - t0;
      std::fprintf(stderr, "built in %.1f s (%.0f appends/s in batches of 20,000)\n", secs,
                   static_cast<double>(size_) / secs);
    }
  }
  std::unique_ptr<Ledger> ledger_;
  std::string path_;
  uint64_t size_;
};

void BM_InclusionProof(benchmark::State& state) {
  auto& big = BigLedger::Get();
  const uint64_t n = std::min<uint64_t>(static_cast<uint64_t>(state.range(0)), big.size());
  std::mt19937_64 rng(1);
  const auto before = big.ledger().stats();
  uint64_t proofs = 0;
  for (auto _ : state) {
    auto p = big.ledger().Prove(rng() % n, n);
    if (!p.ok()) state.SkipWithError(p.error().ToString().c_str());
    benchmark::DoNotOptimize(p);
    ++proofs;
  }
  state.counters["tree_size"] = static_cast<double>(n);
  state.counters["nodes/proof"] =
      static_cast<double>(big.ledger().stats().nodes_read - before.nodes_read) /
      static_cast<double>(std::max<uint64_t>(proofs, 1));
}
BENCHMARK(BM_InclusionProof)->Arg(1'000'000)->Arg(10'000'000)->Unit(benchmark::kMicrosecond);

void BM_ConsistencyProof(benchmark::State& state) {
  auto& big = BigLedger::Get();
  const uint64_t n = std::min<uint64_t>(static_cast<uint64_t>(state.range(0)), big.size());
  std::mt19937_64 rng(2);
  for (auto _ : state) {
    auto p = big.ledger().Consistency(1 + rng() % (n - 1), n);
    if (!p.ok()) state.SkipWithError(p.error().ToString().c_str());
    benchmark::DoNotOptimize(p);
  }
  state.counters["tree_size"] = static_cast<double>(n);
}
BENCHMARK(BM_ConsistencyProof)->Arg(1'000'000)->Arg(10'000'000)->Unit(benchmark::kMicrosecond);

void BM_Verify(benchmark::State& state) {
  const uint64_t n = static_cast<uint64_t>(state.range(0));
  auto l = Fresh("verify.db");
  for (uint64_t have = 0; have < n; have += 10000) {
    std::vector<EntryInput> in;
    for (uint64_t k = 0; k < 10000; ++k) in.push_back(GateDecision(have + k, true));
    if (!l->Append(std::move(in)).ok()) state.SkipWithError("append failed");
  }
  uint64_t entries = 0;
  for (auto _ : state) {
    auto r = l->Verify();
    if (!r.ok() || !r->ok()) state.SkipWithError("verify failed");
    entries += r.ok() ? r->entries : 0;
  }
  state.SetItemsProcessed(static_cast<int64_t>(entries));
  state.counters["entries/s"] =
      benchmark::Counter(static_cast<double>(entries), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_Verify)->Arg(200'000)->Unit(benchmark::kMillisecond)->Iterations(2)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
