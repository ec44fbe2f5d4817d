// Consolidation: clusters on a fixture with known duplicates, the plan as
// data, --write round trips (the written files parse, pass the analyzer,
// and expand back to the original jobs), and a 120-workflow estate.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <map>
#include <set>

#include "ci/ci_test_util.h"
#include "gatehouse/base.h"
#include "gatehouse/ci_consolidate.h"

namespace gatehouse {
namespace {

using testing::Gatehouse;
using testing::ReadAll;
using testing::RunCommand;
using testing::SourceDir;
using testing::TempDir;
using testing::WriteFile;

std::string FixtureDir() { return SourceDir() + "/tests/data/ci/consolidate"; }

std::vector<CiFile> FixtureFiles() {
  std::vector<CiFile> out;
  for (const auto& e : std::filesystem::directory_iterator(FixtureDir() + "/.github/workflows"))
    out.push_back(
        {".github/workflows/" + e.path().filename().string(), ReadAll(e.path().string())});
  std::sort(out.begin(), out.end(),
            [](const CiFile& a, const CiFile& b) { return a.path < b.path; });
  return out;
}

std::set<std::string> Members(const CiCluster& c) {
  std::set<std::string> s;
  for (const auto& m : c.members) s.insert(m.path.substr(m.path.rfind('/') + 1) + ":" + m.job);
  return s;
}

TEST(CiConsolidateTest, FindsTheKnownDuplicateClusters) {
  auto plan = PlanConsolidation(FixtureDir(), {});
  ASSERT_TRUE(plan.ok()) << plan.error().ToString();
  std::map<std::string, std::set<std::string>> got;
  for (const CiCluster& c : plan->clusters) got[c.name] = Members(c);
  std::map<std::string, std::set<std::string>> want = {
      {"node-test", {"billing-ci.yml:test", "catalog-ci.yml:test", "orders-ci.yml:test"}},
      {"docker-image", {"billing-ci.yml:image", "catalog-ci.yml:image"}},
      {"python-pytest", {"ingest-py.yml:pytest", "report-py.yml:pytest"}},
  };
  EXPECT_EQ(got, want);
  EXPECT_EQ(plan->workflows, 7u);
  EXPECT_EQ(plan->jobs, 9u);
  EXPECT_EQ(plan->jobs_clustered, 7u);
  for (const CiCluster& c : plan->clusters) {
    EXPECT_EQ(c.kind, "reusable-workflow");
    EXPECT_EQ(c.target, ".github/workflows/reusable-" + c.name + ".yml");
    for (const auto& m : c.members) EXPECT_TRUE(m.writable) << m.path << " " << m.reason;
  }
  // What varies in the node cluster, and the extra lint step, are inputs.
  const CiCluster* node = nullptr;
  for (const CiCluster& c : plan->clusters)
    if (c.name == "node-test") node = &c;
  ASSERT_TRUE(node);
  std::set<std::string> inputs;
  for (const CiVarying& v : node->varying) inputs.insert(v.input);
  EXPECT_TRUE(inputs.count("node-version"));
  EXPECT_TRUE(inputs.count("service"));
  EXPECT_TRUE(inputs.count("run-lint"));
  EXPECT_LT(node->min_similarity, 1.0);
  EXPECT_GE(node->min_similarity, 0.8);
}

TEST(CiConsolidateTest, ThresholdControlsMembership) {
  ConsolidateOptions loose;
  loose.threshold = 0.7;
  ConsolidationPlan p = PlanConsolidationFiles(FixtureFiles(), loose);
  bool docs_joined = false;
  for (const CiCluster& c : p.clusters)
    if (Members(c).count("docs.yml:build-docs")) docs_joined = true;
  EXPECT_TRUE(docs_joined);
  ConsolidateOptions strict;
  strict.threshold = 1.0;
  ConsolidationPlan s = PlanConsolidationFiles(FixtureFiles(), strict);
  for (const CiCluster& c : s.clusters) EXPECT_EQ(c.min_similarity, 1.0);
  EXPECT_EQ(s.clusters.size(), 3u);  // orders (extra lint step) leaves node-test
  for (const CiCluster& c : s.clusters) EXPECT_FALSE(Members(c).count("orders-ci.yml:test"));
}

TEST(CiConsolidateTest, JsonGivesClustersAsData) {
  ConsolidationPlan p = PlanConsolidationFiles(FixtureFiles(), {});
  auto j = nlohmann::json::parse(RenderPlanJson(p));
  EXPECT_EQ(j["command"], "ci consolidate");
  EXPECT_EQ(j["summary"]["clusters"], 3);
  ASSERT_EQ(j["clusters"].size(), 3u);
  for (const auto& c : j["clusters"]) {
    EXPECT_TRUE(c.contains("similarity"));
    EXPECT_GE(c["members"].size(), 2u);
    for (const auto& m : c["members"]) {
      EXPECT_TRUE(m["path"].is_string());
      EXPECT_TRUE(m["job"].is_string());
      EXPECT_GT(m["line"].get<int>(), 0);
      EXPECT_GT(m["similarity"].get<double>(), 0.0);
    }
  }
  EXPECT_EQ(j["files"].size(), p.files.size());
  EXPECT_NE(RenderPlanText(p).find("node-test"), std::string::npos);
  EXPECT_NE(RenderPlanMarkdown(p).find("| node-test |"), std::string::npos);
}

// Expands a call back into steps: the callee's steps with `${{ inputs.X }}`
// replaced by what the caller passes and optional steps dropped.
std::string Substitute(std::string s, const std::map<std::string, std::string>& in) {
  for (const auto& [k, v] : in) {
    std::string pat = "${{ inputs." + k + " }}";
    for (size_t p = s.find(pat); p != std::string::npos; p = s.find(pat, p + v.size()))
      s.replace(p, pat.size(), v);
  }
  return s;
}

YAML::Node JobOf(const std::string& text, const std::string& id) {
  return YAML::Load(text)["jobs"][id];
}

std::string Scalars(const YAML::Node& n, const std::map<std::string, std::string>& in) {
  if (!n.IsDefined() || n.IsNull()) return "~";
  if (n.IsScalar()) return Substitute(n.Scalar(), in);
  std::string out = n.IsMap() ? "{" : "[";
  if (n.IsMap()) {
    std::map<std::string, std::string> sorted;
    for (const auto& kv : n) sorted[kv.first.Scalar()] = Scalars(kv.second, in);
    for (const auto& [k, v] : sorted) out += k + ":" + v + ",";
  } else {
    for (const auto& e : n) out += Scalars(e, in) + ",";
  }
  return out + (n.IsMap() ? "}" : "]");
}

TEST(CiConsolidateTest, WrittenFilesParsePassTheAnalyzerAndExpandToTheOriginals) {
  std::vector<CiFile> originals = FixtureFiles();
  ConsolidationPlan p = PlanConsolidationFiles(originals, {});
  ASSERT_EQ(p.files.size(), 8u);
  std::map<std::string, std::string> written, original;
  for (const auto& f : p.files) written[f.path] = f.content;
  for (const auto& f : originals) original[f.path] = f.content;

  // The repository after applying the plan: untouched files + written ones.
  std::vector<CiFile> after;
  for (const auto& f : originals)
    if (!written.count(f.path)) after.push_back(f);
  for (const auto& f : p.files) after.push_back({f.path, f.content});
  CiOptions o;
  o.check_credentials = false;
  CiResult r = AnalyzeCiFiles(after, o);
  for (const Finding& f : r.report.findings) {
    EXPECT_LT(f.severity, Severity::kHigh)
        << f.location.path << ":" << f.location.line << " " << f.rule_id << ": " << f.message;
    EXPECT_NE(f.rule_id, "ci-reusable-unknown-input");
    EXPECT_NE(f.rule_id, "ci-reusable-missing-input");
  }

  size_t calls = 0;
  for (const auto& f : p.files) {
    if (!f.rewritten_caller) continue;
    YAML::Node doc = YAML::Load(f.content);
    for (const auto& kv : doc["jobs"]) {
      const std::string id = kv.first.Scalar();
      YAML::Node call = kv.second;
      if (!call["uses"]) continue;
      ++calls;
      std::string target = call["uses"].Scalar().substr(2);
      ASSERT_TRUE(written.count(target)) << target;
      YAML::Node callee = YAML::Load(written[target]);
      YAML::Node decl = callee["on"]["workflow_call"]["inputs"];
      std::map<std::string, std::string> in;
      for (const auto& d : decl)
        if (d.second["default"]) in[d.first.Scalar()] = d.second["default"].Scalar();
      for (const auto& w : call["with"]) in[w.first.Scalar()] = w.second.Scalar();
      YAML::Node cjob;
      for (const auto& j : callee["jobs"]) cjob = j.second;
      YAML::Node orig = JobOf(original[f.path], id);
      ASSERT_TRUE(orig.IsDefined());
      EXPECT_EQ(Scalars(cjob["runs-on"], in), Scalars(orig["runs-on"], {})) << f.path;
      EXPECT_EQ(Scalars(cjob["timeout-minutes"], in), Scalars(orig["timeout-minutes"], {}));
      std::vector<std::string> expanded, want;
      for (const auto& st : cjob["steps"]) {
        YAML::Node copy = YAML::Clone(st);
        if (copy["if"]) {
          std::string c = copy["if"].Scalar();
          if (c.rfind("${{ inputs.run-", 0) == 0) {
            std::string name = c.substr(11, c.find_first_of(" &", 11) - 11);
            if (in[name] != "true") continue;
            copy.remove("if");
          }
        }
        expanded.push_back(Scalars(copy, in));
      }
      for (const auto& st : orig["steps"]) want.push_back(Scalars(st, {}));
      EXPECT_EQ(expanded, want) << f.path << " job " << id;
      // The caller keeps what a call job may carry.
      if (orig["needs"]) {
        EXPECT_EQ(Scalars(call["needs"], {}), Scalars(orig["needs"], {}));
      }
      if (orig["strategy"]) {
        EXPECT_EQ(Scalars(call["strategy"], {}), Scalars(orig["strategy"], {}));
      }
    }
  }
  EXPECT_EQ(calls, 7u);
}

TEST(CiConsolidateTest, CliWritesFilesThatPassGatehouseCi) {
  TempDir out;
  auto plan = RunCommand(Gatehouse() + " ci consolidate '" + FixtureDir() + "' --write '" +
                         out.path() + "'");
  ASSERT_EQ(plan.exit_code, 0) << plan.err;
  EXPECT_NE(plan.out.find("node-test"), std::string::npos);
  EXPECT_NE(plan.err.find(": 0 new high-severity findings (0 already"), std::string::npos)
      << plan.err;
  EXPECT_TRUE(std::filesystem::exists(out / ".github/workflows/reusable-node-test.yml"));
  auto check = RunCommand(Gatehouse() + " ci '" + out.path() + "' --fail-on high --no-credentials");
  EXPECT_EQ(check.exit_code, 0) << check.out;
  auto json = RunCommand(Gatehouse() + " ci consolidate '" + FixtureDir() + "' --format json");
  ASSERT_EQ(json.exit_code, 0);
  EXPECT_EQ(nlohmann::json::parse(json.out)["clusters"].size(), 3u);
  EXPECT_EQ(
      RunCommand(Gatehouse() + " ci consolidate '" + FixtureDir() + "' --threshold 1.5").exit_code,
      2);
  EXPECT_EQ(
      RunCommand(Gatehouse() + " ci consolidate '" + FixtureDir() + "' --format sarif").exit_code,
      2);
}

TEST(CiConsolidateTest, EmitterKeepsTrickyScalars) {
  // Two copies of a job whose values need quoting, block scalars and
  // indentation indicators; only the service name differs.
  auto job = [](const std::string& svc) {
    return "on: push\npermissions: {}\njobs:\n  build:\n    runs-on: ubuntu-24.04\n"
           "    timeout-minutes: 5\n    env:\n      MODE: 'yes'\n      COUNT: '010'\n      EMPTY: "
           "''\n"
           "    steps:\n"
           "      - name: 'step: with colon'\n"
           "        run: |2\n"
           "            indented first line\n"
           "          echo \"a: b\" # not a comment in YAML terms\n"
           "          echo '*' && printf '%s\\t\\n' \"x\"\n"
           "      - run: \"printf 'tab\\\\there'\"\n"
           "        env:\n          HASH: '#1'\n          SVC: " +
           svc +
           "\n"
           "      - run: make -C services/" +
           svc + " test\n";
  };
  std::vector<CiFile> files = {{".github/workflows/a.yml", job("alpha")},
                               {".github/workflows/b.yml", job("beta")}};
  ConsolidationPlan p = PlanConsolidationFiles(files, {});
  ASSERT_EQ(p.clusters.size(), 1u);
  ASSERT_EQ(p.files.size(), 3u) << RenderPlanText(p);
  std::string callee;
  for (const auto& f : p.files)
    if (!f.rewritten_caller) callee = f.content;
  YAML::Node c = YAML::Load(callee);
  YAML::Node orig = YAML::Load(files[0].content);
  YAML::Node cj;
  for (const auto& j : c["jobs"]) cj = j.second;
  EXPECT_EQ(cj["env"]["MODE"].Scalar(), "yes");
  EXPECT_EQ(cj["env"]["COUNT"].Scalar(), "010");
  EXPECT_EQ(cj["env"]["EMPTY"].Scalar(), "");
  EXPECT_EQ(cj["steps"][0]["name"].Scalar(), "step: with colon");
  EXPECT_EQ(cj["steps"][0]["run"].Scalar(), orig["jobs"]["build"]["steps"][0]["run"].Scalar());
  EXPECT_EQ(cj["steps"][1]["run"].Scalar(), orig["jobs"]["build"]["steps"][1]["run"].Scalar());
  EXPECT_EQ(cj["steps"][1]["env"]["HASH"].Scalar(), "#1");
  EXPECT_EQ(cj["steps"][2]["run"].Scalar(), "make -C services/${{ inputs.svc }} test");
  // The strings that look like booleans and numbers stay strings.
  EXPECT_NE(callee.find("MODE: 'yes'"), std::string::npos) << callee;
  EXPECT_NE(callee.find("COUNT: '010'"), std::string::npos) << callee;
}

// A generated estate: 120 workflows in 4 families with per-service
// variation plus noise. The plan must find the families, rewrite most jobs,
// and what it writes must pass the analyzer.
TEST(CiConsolidateTest, UsefulOnAHundredAndTwentyWorkflows) {
  std::vector<CiFile> files;
  const char* co = "actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2";
  for (int i = 0; i < 120; ++i) {
    std::string svc = "svc" + std::to_string(i);
    std::string head = "name: " + svc +
                       "\non:\n  pull_request:\n  push:\n    branches: [main]\n"
                       "permissions:\n  contents: read\nconcurrency:\n  group: " +
                       svc + "-${{ github.ref }}\n  cancel-in-progress: true\njobs:\n";
    std::string body;
    switch (i % 4) {
      case 0:
        body =
            "  test:\n    runs-on: ubuntu-24.04\n    timeout-minutes: 15\n    steps:\n      - "
            "uses: " +
            std::string(co) +
            "\n      - uses: actions/setup-node@39370e3970a6d050c480ffad4ff0ed4d3fdee5af # v4.1.0\n"
            "        with:\n          node-version: " +
            std::to_string(18 + 2 * (i % 3)) +
            "\n      - run: npm ci\n        working-directory: services/" + svc +
            "\n      - run: npm test\n        working-directory: services/" + svc + "\n";
        break;
      case 1:
        body =
            "  lint:\n    runs-on: ubuntu-24.04\n    timeout-minutes: 10\n    steps:\n      - "
            "uses: " +
            std::string(co) +
            "\n      - uses: actions/setup-python@0b93645e9fea7318ecaed2b359559ac225c90a2b # "
            "v5.3.0\n"
            "        with:\n          python-version: '3.12'\n      - run: pip install ruff\n"
            "      - run: ruff check " +
            svc + "/\n";
        if (i % 8 == 1) body += "      - run: ruff format --check " + svc + "/\n";
        break;
      case 2:
        body =
            "  image:\n    runs-on: ubuntu-24.04\n    timeout-minutes: 20\n    steps:\n      - "
            "uses: " +
            std::string(co) +
            "\n      - uses: docker/setup-buildx-action@c47758b77c9736f4b2ef4073d4d51994fabfe349 # "
            "v3.7.1\n"
            "      - uses: docker/build-push-action@4f58ea79222b3b9dc2c8bbdd6debcef730109a75 # "
            "v6.9.0\n"
            "        with:\n          context: " +
            svc + "\n          push: false\n";
        break;
      default:
        body =
            "  go:\n    runs-on: ubuntu-24.04\n    timeout-minutes: 15\n    steps:\n      - "
            "uses: " +
            std::string(co) +
            "\n      - uses: actions/setup-go@41dfa10bad2bb2ae585af6ee5bb4d7d973ad74ed # v5.1.0\n"
            "        with:\n          go-version-file: " +
            svc +
            "/go.mod\n"
            "      - run: go vet ./" +
            svc + "/...\n      - run: go test -race ./" + svc + "/...\n";
    }
    if (i % 10 == 0)  // noise: a unique job
      body +=
          "  special:\n    runs-on: ubuntu-24.04\n    timeout-minutes: 5\n    steps:\n"
          "      - run: ./scripts/special-" +
          std::to_string(i) + ".sh\n      - run: ./scripts/notify.sh\n";
    files.push_back({".github/workflows/" + svc + ".yml", head + body});
  }
  const double t0 = MonotonicSeconds();
  ConsolidationPlan p = PlanConsolidationFiles(files, {});
  EXPECT_LT(MonotonicSeconds() - t0, 10.0);
  if (std::getenv("GH_CI_PRINT")) std::printf("%s", RenderPlanText(p).c_str());
  ASSERT_GE(p.clusters.size(), 4u) << RenderPlanText(p);
  size_t big = 0, writable = 0;
  for (const CiCluster& c : p.clusters) {
    if (c.members.size() >= 30) ++big;
    for (const auto& m : c.members) writable += m.writable;
  }
  EXPECT_EQ(big, 4u) << RenderPlanText(p);
  EXPECT_GE(writable, 118u);
  EXPECT_GT(p.lines_removed, 400);
  EXPECT_TRUE(p.sequences.empty());  // every shared sequence lives inside one cluster
  EXPECT_EQ(p.workflows_touched, 120u);
  CiOptions o;
  o.check_credentials = false;
  std::vector<CiFile> written;
  for (const auto& f : p.files) written.push_back({f.path, f.content});
  CiResult r = AnalyzeCiFiles(written, o);
  for (const Finding& f : r.report.findings)
    EXPECT_LT(f.severity, Severity::kHigh)
        << f.location.path << ":" << f.location.line << " " << f.message;
}

}  // namespace
}  // namespace gatehouse
