// The analyzer as a whole: clean input, bad input, fingerprints, suppression,
// sprawl metrics, rendering with the sprawl section, redaction, determinism.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "ci/ci_test_util.h"
#include "gatehouse/report.h"

namespace gatehouse {
namespace {

using testing::SharedSecretScanner;
using testing::SourceDir;
using testing::TempDir;
using testing::WriteFile;

CiOptions Opts() {
  CiOptions o;
  o.secret_scanner = SharedSecretScanner();
  o.threads = 2;
  return o;
}

std::vector<std::string> RulesOf(const Report& r) {
  std::vector<std::string> v;
  for (const Finding& f : r.findings) v.push_back(f.rule_id);
  return v;
}

TEST(CiAnalyzerTest, CleanRepositoryHasZeroFindings) {
  auto r = AnalyzeCi(SourceDir() + "/tests/data/ci/clean", Opts());
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  EXPECT_TRUE(r->report.findings.empty())
      << RulesOf(r->report).size() << " findings, first "
      << (r->report.findings.empty() ? "" : r->report.findings[0].message);
  EXPECT_TRUE(r->report.diagnostics.empty());
  const CiSprawl& s = r->sprawl;
  EXPECT_EQ(s.workflows, 1u);
  EXPECT_EQ(s.jobs, 3u);
  EXPECT_EQ(s.actions, 1u);
  EXPECT_EQ(s.composite_actions, 1u);
  EXPECT_DOUBLE_EQ(s.PinnedShare(), 1.0);
  EXPECT_EQ(s.scanner_steps, 2u);
  EXPECT_EQ(s.gating_scanner_steps, 2u);
  EXPECT_EQ(s.placeholder_steps, 0u);
  EXPECT_EQ(r->report.stats.files_scanned, 3u);
}

TEST(CiAnalyzerTest, BadInputIsReportedAndTheRestIsAnalyzed) {
  TempDir dir;
  WriteFile(dir / ".github/workflows/broken.yml", "on: push\njobs:\n  a:\n    steps: [\n");
  WriteFile(dir / ".github/workflows/settings.yml", "labels:\n  - bug\n  - feature\n");
  WriteFile(dir / ".github/workflows/empty.yaml", "");
  WriteFile(dir / ".github/workflows/templates/base.yml", "on: push\njobs: {}\n");
  WriteFile(dir / ".github/workflows/good.yml",
            "on: push\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-24.04\n"
            "    timeout-minutes: 5\n    steps:\n      - uses: evil/act@main\n");
  WriteFile(dir / "docs/mkdocs.yml", "site_name: x\n");
  auto r = AnalyzeCi(dir.path(), Opts());
  ASSERT_TRUE(r.ok());
  bool syntax = false, good = false;
  for (const Finding& f : r->report.findings) {
    if (f.rule_id == "ci-yaml-syntax") {
      syntax = true;
      EXPECT_EQ(f.location.path, ".github/workflows/broken.yml");
      EXPECT_GT(f.location.line, 0);
    }
    if (f.location.path == ".github/workflows/good.yml" && f.rule_id == "ci-action-unpinned")
      good = true;
  }
  EXPECT_TRUE(syntax);
  EXPECT_TRUE(good);
  std::set<std::string> noted;
  for (const Diagnostic& d : r->report.diagnostics)
    if (d.kind == DiagnosticKind::kNote) noted.insert(d.path);
  EXPECT_TRUE(noted.count(".github/workflows/settings.yml"));
  EXPECT_TRUE(noted.count(".github/workflows/empty.yaml"));
  EXPECT_TRUE(noted.count(".github/workflows/templates/base.yml"));
  EXPECT_FALSE(noted.count("docs/mkdocs.yml"));  // never looked at
  for (const Finding& f : r->report.findings)
    EXPECT_NE(f.location.path, ".github/workflows/settings.yml");
}

TEST(CiAnalyzerTest, FingerprintsSurviveLineShifts) {
  const std::string wf =
      "on: pull_request\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n"
      "      - uses: evil/act@main\n      - run: echo \"${{ github.head_ref }}\"\n";
  CiResult before = AnalyzeCiFiles({{".github/workflows/x.yml", wf}}, Opts());
  CiResult after = AnalyzeCiFiles({{".github/workflows/x.yml", "# header\n\n" + wf}}, Opts());
  ASSERT_EQ(before.report.findings.size(), after.report.findings.size());
  ASSERT_FALSE(before.report.findings.empty());
  std::set<std::string> a, b;
  for (const Finding& f : before.report.findings) a.insert(f.rule_id + f.fingerprint);
  for (const Finding& f : after.report.findings) b.insert(f.rule_id + f.fingerprint);
  EXPECT_EQ(a, b);
  EXPECT_EQ(before.report.findings[0].location.line + 2, after.report.findings[0].location.line);
}

TEST(CiAnalyzerTest, InlineAllowAndDisabledRules) {
  const std::string wf =
      "on: push\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    timeout-minutes: 5\n"
      "    steps:\n"
      "      - uses: evil/one@main  # gatehouse:allow ci-action-unpinned\n"
      "      - uses: evil/two@main  # gatehouse:allow\n"
      "      - uses: evil/three@main  # gatehouse:allow ci-placeholder-step\n"
      "      - uses: evil/four@main\n";
  CiResult r = AnalyzeCiFiles({{".github/workflows/x.yml", wf}}, Opts());
  std::vector<int> lines;
  for (const Finding& f : r.report.findings)
    if (f.rule_id == "ci-action-unpinned") lines.push_back(f.location.line);
  EXPECT_EQ(lines, (std::vector<int>{10, 11}));
  EXPECT_EQ(r.report.stats.findings_suppressed, 2u);
  CiOptions o = Opts();
  o.disabled_rules = {"ci-action-unpinned"};
  CiResult d = AnalyzeCiFiles({{".github/workflows/x.yml", wf}}, o);
  for (const Finding& f : d.report.findings) EXPECT_NE(f.rule_id, "ci-action-unpinned");
  for (const RuleInfo& ri : d.report.rules) EXPECT_NE(ri.id, "ci-action-unpinned");
}

TEST(CiAnalyzerTest, SprawlCountsEventsMatricesAndCost) {
  const std::string a =
      "on:\n  pull_request:\n  push:\npermissions: {}\njobs:\n  t:\n    runs-on: ubuntu-24.04\n"
      "    timeout-minutes: 10\n    strategy:\n      matrix:\n        os: [a, b]\n        node: "
      "[1, 2, 3]\n"
      "        exclude:\n          - os: a\n            node: 1\n    steps:\n      - run: make\n"
      "  u:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: echo hi\n";
  const std::string b =
      "on:\n  pull_request:\n    paths: ['docs/**']\npermissions: {}\njobs:\n  d:\n"
      "    runs-on: ubuntu-24.04\n    timeout-minutes: 5\n    steps:\n"
      "      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683\n"
      "      - uses: trivy/x@v1\n      - run: trivy fs . || true\n";
  CiResult r =
      AnalyzeCiFiles({{".github/workflows/a.yml", a}, {".github/workflows/b.yml", b}}, Opts());
  const CiSprawl& s = r.sprawl;
  EXPECT_EQ(s.workflows, 2u);
  EXPECT_EQ(s.jobs, 3u);
  EXPECT_EQ(s.steps, 5u);
  EXPECT_EQ(s.workflows_per_event.at("pull_request"), 2u);
  EXPECT_EQ(s.workflows_per_event.at("push"), 1u);
  EXPECT_EQ(s.pr_workflows, 2u);
  EXPECT_EQ(s.every_pr_workflows, 1u);
  EXPECT_EQ(s.pr_jobs, 3u);
  EXPECT_EQ(s.pr_job_runs, 7u);  // 2x3-1 + 1 + 1
  EXPECT_EQ(s.pr_job_runs_with_timeout, 6u);
  EXPECT_DOUBLE_EQ(s.pr_runner_minutes_max, 55.0);
  EXPECT_EQ(s.jobs_without_timeout, 1u);
  EXPECT_EQ(s.action_refs, 2u);
  EXPECT_EQ(s.pinned_action_refs, 1u);
  EXPECT_EQ(s.third_party_refs, 1u);
  EXPECT_EQ(s.placeholder_steps, 1u);
  EXPECT_EQ(s.scanner_steps, 1u);
  EXPECT_EQ(s.gating_scanner_steps, 0u);
}

TEST(CiAnalyzerTest, RenderAddsTheSprawlSectionToEveryFormat) {
  CiResult r = AnalyzeCiFiles(
      {{".github/workflows/x.yml",
        "on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - uses: a/b@main\n"}},
      Opts());
  std::string json = RenderCi(r, ReportFormat::kJson, {});
  auto j = nlohmann::json::parse(json);
  EXPECT_EQ(j["command"], "ci");
  EXPECT_EQ(j["sprawl"]["workflows"], 1);
  EXPECT_EQ(j["sprawl"]["action_refs"], 1);
  std::string sarif = RenderCi(r, ReportFormat::kSarif, {});
  auto s = nlohmann::json::parse(sarif);
  EXPECT_EQ(s["runs"][0]["properties"]["sprawl"]["jobs"], 1);
  EXPECT_EQ(s["runs"][0]["tool"]["driver"]["rules"].size(), CiRuleInfos().size());
  EXPECT_GT(s["runs"][0]["results"].size(), 0u);
  EXPECT_NE(RenderCi(r, ReportFormat::kText, {}).find("CI sprawl"), std::string::npos);
  EXPECT_NE(RenderCi(r, ReportFormat::kMarkdown, {}).find("## CI sprawl"), std::string::npos);
  EXPECT_EQ(RenderCi(r, ReportFormat::kJunit, {}), Render(r.report, ReportFormat::kJunit, {}));
  EXPECT_EQ(RenderCi(r, ReportFormat::kGithub, {}), Render(r.report, ReportFormat::kGithub, {}));
  auto sj = nlohmann::json::parse(SprawlJson(r.sprawl));
  EXPECT_EQ(sj["workflows"], 1);
}

TEST(CiAnalyzerTest, CredentialsAreNeverPrinted) {
  std::mt19937_64 rng(7);
  const std::string token = testing::FakeGithubToken(rng);
  CiResult r =
      AnalyzeCiFiles({{".github/workflows/x.yml",
                       "on: push\njobs:\n  a:\n    runs-on: x\n    env:\n      TOKEN: " + token +
                           "\n    steps:\n      - run: make\n"}},
                     Opts());
  bool found = false;
  for (const Finding& f : r.report.findings)
    found = found || f.rule_id == "ci-hardcoded-credential";
  EXPECT_TRUE(found);
  for (ReportFormat fmt : {ReportFormat::kText, ReportFormat::kJson, ReportFormat::kSarif,
                           ReportFormat::kJunit, ReportFormat::kGithub, ReportFormat::kMarkdown}) {
    std::string out = RenderCi(r, fmt, {});
    EXPECT_EQ(out.find(token.substr(4, 20)), std::string::npos) << ReportFormatName(fmt);
  }
}

TEST(CiAnalyzerTest, RootsCanBeAWorkflowsDirectoryOrOneFile) {
  TempDir dir;
  const std::string wf =
      "on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - uses: a/b@main\n";
  WriteFile(dir / ".github/workflows/w.yml", wf);
  WriteFile(dir / "elsewhere/pipeline.yaml", wf);
  auto wdir = AnalyzeCi(dir / ".github/workflows", Opts());
  ASSERT_TRUE(wdir.ok());
  EXPECT_EQ(wdir->sprawl.workflows, 1u);
  auto one = AnalyzeCi(dir / "elsewhere/pipeline.yaml", Opts());
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(one->sprawl.workflows, 1u);
  EXPECT_FALSE(one->report.findings.empty());
  EXPECT_FALSE(AnalyzeCi(dir / "missing", Opts()).ok());
}

TEST(CiAnalyzerTest, OutputIsDeterministicAcrossThreadCounts) {
  std::vector<CiFile> files;
  for (const auto& p : testing::CiFixturePaths()) {
    auto fx = testing::LoadCiFixture(p);
    for (auto f : fx.files) {
      f.path = fx.name + "/" + f.path;  // keep fixtures apart
      files.push_back(f);
    }
  }
  CiOptions one = Opts(), many = Opts();
  one.threads = 1;
  many.threads = 4;
  CiResult a = AnalyzeCiFiles(files, one), b = AnalyzeCiFiles(files, many);
  a.report.stats.seconds = b.report.stats.seconds = 0;
  EXPECT_EQ(RenderCi(a, ReportFormat::kJson, {}), RenderCi(b, ReportFormat::kJson, {}));
  EXPECT_GT(a.report.findings.size(), 100u);
}

}  // namespace
}  // namespace gatehouse
