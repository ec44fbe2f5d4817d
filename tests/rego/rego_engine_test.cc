// Engine API, formatter idempotency, limits, concurrency and CLI tests.
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include <atomic>
#include <thread>

#include "gatehouse/document.h"
#include "gatehouse/fs.h"
#include "gatehouse/rego.h"
#include "rego/value.h"

namespace gatehouse::rego {
namespace {

std::vector<std::string> AllFixtureModules() {
  std::vector<std::string> out;
  std::filesystem::path root = std::filesystem::path(GH_SOURCE_DIR) / "tests/data/rego";
  for (auto& e : std::filesystem::recursive_directory_iterator(root)) {
    if (e.path().extension() != ".yaml") continue;
    auto text = ReadFileToString(e.path().string());
    auto v = ParseYaml(*text);
    if (!v.ok()) continue;
    const Value* cases = v->Find("cases");
    if (!cases) continue;
    for (const Value& c : cases->Items()) {
      const Value* v0 = c.Find("v0_compatible");
      if (v0 && v0->AsBool()) continue;
      if (const Value* mods = c.Find("modules")) {
        for (const Value& m : mods->Items()) out.emplace_back(m.AsString());
      }
    }
  }
  return out;
}

TEST(RegoFmt, IdempotentOnAllFixtures) {
  int formatted = 0;
  for (const std::string& src : AllFixtureModules()) {
    std::string once, twice;
    if (!FormatModule("m.rego", src, false, &once).ok()) continue;  // error-case fixtures
    RegoStatus st = FormatModule("m.rego", once, false, &twice);
    ASSERT_TRUE(st.ok()) << st.ToString() << "\n" << once;
    EXPECT_EQ(once, twice) << src;
    ++formatted;
  }
  EXPECT_GT(formatted, 50);
}

TEST(RegoFmt, FormattedModuleEvaluatesTheSame) {
  std::string src =
      "package t\np[x] := y if { some x, y in {\"a\": 1}; y > 0 }\nq := count([z | some z in "
      "[1,2]; z > 1]) + 1";
  std::string f;
  ASSERT_TRUE(FormatModule("m.rego", src, false, &f).ok());
  for (const std::string& text : {src, f}) {
    Engine e;
    ASSERT_TRUE(e.AddModule("m.rego", text).ok()) << text;
    ASSERT_TRUE(e.Compile().ok());
    auto v = e.EvalValue("data.t", {});
    ASSERT_TRUE(v);
    EXPECT_EQ(v->ToJson(), R"({"p":{"a":1},"q":2})");
  }
}

TEST(RegoEngine, ParseErrorHasLocationAndCaret) {
  Engine e;
  RegoStatus st = e.AddModule("x.rego", "package x\n\np if {\n  1 +\n}\n");
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.errors[0].code, "rego_parse_error");
  EXPECT_EQ(st.errors[0].file, "x.rego");
  EXPECT_EQ(st.errors[0].row, 5);
  EXPECT_NE(st.ToString().find("^"), std::string::npos);
}

TEST(RegoEngine, DocumentInputWithoutReserialization) {
  auto doc = ParseJsonDocument(R"({"kind":"Pod","spec":{"containers":[{"image":"nginx:latest"}]}})",
                               "in.json");
  ASSERT_TRUE(doc.ok());
  Engine e;
  ASSERT_TRUE(e.AddModule("p.rego",
                          "package p\ndeny contains img if { some c in input.spec.containers; img "
                          ":= c.image; endswith_(img) }\nendswith_(s) if s == \"nginx:latest\"")
                  .ok());
  ASSERT_TRUE(e.Compile().ok());
  EvalOptions eo;
  eo.input_doc = doc->Root();
  auto v = e.EvalValue("data.p.deny", eo);
  ASSERT_TRUE(v);
  EXPECT_EQ(v->ToJson(), R"(["nginx:latest"])");
  auto rules = e.RulesMatching("p", [](std::string_view n) { return n.rfind("deny", 0) == 0; });
  ASSERT_EQ(rules.size(), 1u);
  EXPECT_EQ(rules[0].kind, "partial_set");
}

TEST(RegoEngine, TimeLimitCancels) {
  Engine e;
  ASSERT_TRUE(e.AddModule("p.rego",
                          "package p\nn := count([x | some a in numbers.range(1, 3000); some b in "
                          "numbers.range(1, 3000); x := a * b])")
                  .ok());
  ASSERT_TRUE(e.Compile().ok());
  EvalOptions eo;
  eo.timeout_us = 20000;
  auto r = e.EvalRef("data.p.n", eo);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error->code, "eval_cancel_error");
}

TEST(RegoEngine, MemoryLimitCancels) {
  Engine e;
  ASSERT_TRUE(e.AddModule("p.rego",
                          "package p\nn := count([x | some a in numbers.range(1, 2000); x := "
                          "numbers.range(1, a)])")
                  .ok());
  ASSERT_TRUE(e.Compile().ok());
  EvalOptions eo;
  eo.memory_limit_bytes = 1 << 20;
  auto r = e.EvalRef("data.p.n", eo);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error->code, "eval_cancel_error");
}

TEST(RegoEngine, ConcurrentEvaluation) {
  Engine e;
  ASSERT_TRUE(e.AddModule("p.rego",
                          "package p\nallow if input.user in {\"a\", \"b\"}\ncount_ := count([x | "
                          "some x in input.xs])")
                  .ok());
  ASSERT_TRUE(e.Compile().ok());
  PreparedQuery q;
  ASSERT_TRUE(e.PrepareQuery("data.p.allow; n := data.p.count_", &q).ok());
  std::atomic<int> ok{0};
  std::vector<std::thread> ts;
  for (int t = 0; t < 4; ++t) {
    ts.emplace_back([&, t] {
      for (int i = 0; i < 500; ++i) {
        ObjectBuilder b;
        b.Add("user", Value::String(t % 2 ? "a" : "b"));
        b.Add("xs", Value::Array(std::vector<Value>(static_cast<size_t>(i % 7), Value::Int(1))));
        Value in = b.Build();
        EvalOptions eo;
        eo.input = &in;
        auto r = q.Eval(eo);
        if (r.ok() && r.rows.size() == 1 && r.rows[0].bindings[0].second->AsInt() == i % 7) ++ok;
      }
    });
  }
  for (auto& t : ts) t.join();
  EXPECT_EQ(ok.load(), 2000);
}

std::string RunCli(const std::string& args, int* rc) {
  std::string cmd = std::string(GH_BINARY) + " " + args + " 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  int status = pclose(p);
  *rc = WEXITSTATUS(status);
  return out;
}

class RegoCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("rego_cli_" + std::to_string(getpid()));
    std::filesystem::create_directories(dir_ / "p" / "k8s");
    Write("p/policy.rego",
          "package main\n\ndeny contains msg if {\n\tinput.kind == \"Pod\"\n\tmsg := "
          "data.k8s.msg\n}\n\ntest_ok if count(deny) == 1 with input as {\"kind\": "
          "\"Pod\"}\n\ntest_bad if count(deny) == 2 with input as {\"kind\": \"Pod\"}\n");
    Write("p/k8s/data.json", R"({"msg": "pods are denied"})");
    Write("input.yaml", "kind: Pod\n");
    Write("bad.json", "{\"kind\": \n");
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  void Write(const std::string& rel, const std::string& text) { std::ofstream(dir_ / rel) << text; }
  std::string P(const std::string& rel) { return (dir_ / rel).string(); }
  std::filesystem::path dir_;
};

TEST_F(RegoCli, EvalPrintsOpaShapedJson) {
  int rc;
  std::string out =
      RunCli("policy eval -d " + P("p") + " -i " + P("input.yaml") + " data.main.deny", &rc);
  EXPECT_EQ(rc, 0) << out;
  EXPECT_EQ(
      out,
      R"({"result":[{"expressions":[{"location":{"col":1,"row":1},"text":"data.main.deny","value":["pods are denied"]}]}]})"
      "\n");
}

TEST_F(RegoCli, UndefinedIsEmptyObject) {
  int rc;
  std::string out = RunCli("policy eval -d " + P("p/policy.rego") + " data.main.nope", &rc);
  EXPECT_EQ(rc, 0);
  EXPECT_EQ(out, "{}\n");
}

TEST_F(RegoCli, MalformedInputExits2WithPosition) {
  int rc;
  std::string out = RunCli(
      "policy eval -d " + P("p/policy.rego") + " -i " + P("bad.json") + " data.main.deny", &rc);
  EXPECT_EQ(rc, 2);
  EXPECT_NE(out.find("bad.json:2:1"), std::string::npos) << out;
}

TEST_F(RegoCli, VerifyCountsAndFails) {
  int rc;
  std::string out = RunCli("policy verify -p " + P("p"), &rc);
  EXPECT_EQ(rc, 1) << out;
  EXPECT_NE(out.find("data.main.test_ok: PASS"), std::string::npos) << out;
  EXPECT_NE(out.find("data.main.test_bad: FAIL"), std::string::npos) << out;
  out = RunCli("policy verify -p " + P("p") + " --run test_ok --format json", &rc);
  EXPECT_EQ(rc, 0) << out;
  EXPECT_NE(out.find("\"result\": \"pass\""), std::string::npos) << out;
}
}  // namespace
}  // namespace gatehouse::rego
