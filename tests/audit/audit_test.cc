// Audit: detectors (alert classification, placeholder restores, CODEOWNERS
// coverage, rollouts, test gating) and the rubric (each check moves the
// grade it should), on small trees built in memory.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "audit/internal.h"
#include "gatehouse/audit.h"
#include "test_util.h"

namespace gatehouse {
namespace {

using audit::CodeownersRule;

const AuditArea& AreaOf(const AuditResult& r, Area a) {
  for (const auto& x : r.areas)
    if (x.area == a) return x;
  static AuditArea none;
  ADD_FAILURE() << "no area " << AreaId(a);
  return none;
}

const AuditCheck* CheckOf(const AuditResult& r, std::string_view id) {
  for (const auto& a : r.areas)
    for (const auto& c : a.checks)
      if (c.id == id) return &c;
  ADD_FAILURE() << "no check " << id;
  return nullptr;
}

size_t CountRule(const AuditResult& r, std::string_view rule) {
  return static_cast<size_t>(std::count_if(r.report.findings.begin(), r.report.findings.end(),
                                           [&](const Finding& f) { return f.rule_id == rule; }));
}

AuditResult Audit(std::vector<AuditFile> files) {
  AuditOptions o;
  o.threads = 2;
  return AuditFiles(files, o);
}

// ---- Grades ---------------------------------------------------------------

TEST(AuditGradeTest, ScaleBoundaries) {
  EXPECT_EQ(GradeForScore(100), "A+");
  EXPECT_EQ(GradeForScore(97), "A+");
  EXPECT_EQ(GradeForScore(96), "A");
  EXPECT_EQ(GradeForScore(90), "A-");
  EXPECT_EQ(GradeForScore(89), "B+");
  EXPECT_EQ(GradeForScore(80), "B-");
  EXPECT_EQ(GradeForScore(73), "C");
  EXPECT_EQ(GradeForScore(60), "D-");
  EXPECT_EQ(GradeForScore(59), "F");
  EXPECT_EQ(GradeForScore(0), "F");
  EXPECT_EQ(GradeFloor("b-"), 80);
  EXPECT_EQ(GradeFloor("A+"), 97);
  EXPECT_EQ(GradeFloor("F"), 0);
  EXPECT_FALSE(GradeFloor("E").has_value());
  for (int s = 0; s <= 100; ++s) EXPECT_LE(*GradeFloor(GradeForScore(s)), s) << s;
}

// ---- Detectors --------------------------------------------------------------

// Table-driven: each file in tests/data/audit/alerts says what it expects in
// a "# expect: KIND" header.
TEST(AuditDetectorTest, AlertClassificationTable) {
  std::string dir = std::string(GH_SOURCE_DIR) + "/tests/data/audit/alerts";
  size_t cases = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    std::string text = testing::ReadAll(e.path().string());
    size_t at = text.find("# expect: ");
    ASSERT_NE(at, std::string::npos) << e.path();
    std::string expect = text.substr(at + 10, text.find('\n', at) - at - 10);
    auto fe = audit::DetectFile("deploy/prometheus/" + e.path().filename().string(), text);
    std::vector<std::string> kinds;
    for (const auto& a : fe.artifacts)
      if (a.kind == "alert-rule") kinds.push_back(a.detail);
    ASSERT_EQ(kinds.size(), 1u) << e.path();
    EXPECT_NE(kinds[0].find(": " + expect), std::string::npos)
        << e.path() << ": got " << kinds[0] << ", want " << expect;
    EXPECT_TRUE(fe.diagnostics.empty()) << e.path();
    ++cases;
  }
  EXPECT_GE(cases, 7u);
}

TEST(AuditDetectorTest, ThresholdOnlyRuleFileIsAFindingBurnRateIsNot) {
  auto thr = audit::DetectFile("alerts.yml", R"(groups:
  - name: a
    rules:
      - alert: HighCPU
        expr: cpu > 0.9
        for: 5m
        labels: {severity: page}
)");
  ASSERT_EQ(thr.findings.size(), 1u);
  EXPECT_EQ(thr.findings[0].rule_id, "audit-alert-threshold-only");
  EXPECT_EQ(thr.findings[0].location.line, 2);  // the first group
  auto burn = audit::DetectFile("alerts.yml", R"(groups:
  - name: a
    rules:
      - alert: Burn
        expr: slo:sli_error:ratio_rate1h > (14.4 * 0.001) and slo:sli_error:ratio_rate5m > (14.4 * 0.001)
        labels: {severity: page}
)");
  EXPECT_TRUE(burn.findings.empty()) << burn.findings[0].message;
}

TEST(AuditDetectorTest, MissingForAndSeverityAtTheAlertLine) {
  auto fe = audit::DetectFile("rules.yml", R"(groups:
  - name: a
    rules:
      - record: job:x:rate5m
        expr: rate(x[5m])
      - alert: NoFor
        expr: x > 1
)");
  std::vector<std::string> ids;
  for (const auto& f : fe.findings) {
    ids.push_back(f.rule_id);
    if (f.rule_id != "audit-alert-threshold-only") {
      EXPECT_EQ(f.location.line, 6) << f.rule_id;
    }
  }
  std::sort(ids.begin(), ids.end());
  EXPECT_EQ(ids,
            (std::vector<std::string>{"audit-alert-missing-for", "audit-alert-missing-severity",
                                      "audit-alert-threshold-only"}));
}

TEST(AuditDetectorTest, PlaceholderRestoreIsAGapRealRestoreIsEvidence) {
  const std::string placeholder = R"(name: restore
on: {schedule: [{cron: "0 6 * * 0"}]}
jobs:
  verify:
    runs-on: ubuntu-latest
    steps:
      - name: Restore latest backup
        run: echo "TODO restore"
      - name: Verify backup restore
        run: "true"
)";
  auto fe = audit::DetectFile(".github/workflows/restore.yml", placeholder);
  size_t ph = 0;
  for (const auto& f : fe.findings)
    if (f.rule_id == "audit-restore-placeholder") {
      ++ph;
      EXPECT_TRUE(f.location.line == 7 || f.location.line == 9) << f.location.line;
    }
  EXPECT_EQ(ph, 2u);
  for (const auto& a : fe.artifacts) EXPECT_NE(a.kind, "restore-verification");

  const std::string real = R"(name: restore
on: {schedule: [{cron: "0 6 * * 0"}]}
jobs:
  verify:
    runs-on: ubuntu-latest
    steps:
      - name: Restore latest backup
        run: pg_restore --clean -d "$SCRATCH" latest.dump
)";
  auto ok = audit::DetectFile(".github/workflows/restore.yml", real);
  EXPECT_TRUE(ok.findings.empty());
  bool restored = false;
  for (const auto& a : ok.artifacts) restored |= a.kind == "restore-verification";
  EXPECT_TRUE(restored);
}

TEST(AuditDetectorTest, CodeownersCoverageFollowsLastMatchAndUnowning) {
  std::vector<std::string> paths = {"services/a/x.py", "services/b/y.py", "infra/main.tf",
                                    "docs/readme.md", "deploy/k8s/app.yaml"};
  std::set<std::string> top = {"services", "infra", "docs", "deploy"};
  std::vector<CodeownersRule> rules = {{"/services/", {"@team"}, 1}, {"*.tf", {"@infra"}, 2}};
  auto covered = audit::CoveredTopDirs(rules, top, paths);
  EXPECT_EQ(covered, (std::set<std::string>{"infra", "services"}));
  // A later pattern without owners un-owns part of services/: not covered.
  rules.push_back({"/services/b/", {}, 3});
  covered = audit::CoveredTopDirs(rules, top, paths);
  EXPECT_EQ(covered, (std::set<std::string>{"infra"}));
  // A catch-all default covers everything; later specific rules still own.
  rules = {{"*", {"@everyone"}, 1}, {"/docs/", {"@writers"}, 2}};
  covered = audit::CoveredTopDirs(rules, top, paths);
  EXPECT_EQ(covered.size(), 4u);
}

TEST(AuditDetectorTest, CodeownersParsingSkipsCommentsAndKeepsLines) {
  auto fe = audit::DetectFile(".github/CODEOWNERS",
                              "# owners\n\n/services/   @a @b  # inline\n*.tf @infra\n");
  ASSERT_EQ(fe.codeowners.size(), 2u);
  EXPECT_EQ(fe.codeowners[0].pattern, "/services/");
  EXPECT_EQ(fe.codeowners[0].owners, (std::vector<std::string>{"@a", "@b"}));
  EXPECT_EQ(fe.codeowners[0].line, 3);
  EXPECT_EQ(fe.codeowners[1].line, 4);
}

TEST(AuditDetectorTest, MalformedYamlIsADiagnosticNotAnAbort) {
  auto r = Audit({{"README.md", "# x\n"},
                  {"deploy/prometheus/alerts.yml", "groups:\n  - name: [unclosed\n    rules: {\n"},
                  {".github/workflows/ci.yml", "on: [push]\njobs:\n  a: {runs-on: x, steps: [\n"}});
  EXPECT_FALSE(r.report.diagnostics.empty());
  bool parse = false;
  for (const auto& d : r.report.diagnostics)
    if (d.kind == DiagnosticKind::kParse && d.path == "deploy/prometheus/alerts.yml") {
      parse = true;
      EXPECT_GT(d.line, 0);
    }
  EXPECT_TRUE(parse);
  EXPECT_NE(AreaOf(r, Area::kObservability).confidence, Confidence::kHigh);
  EXPECT_EQ(r.areas.size(), 9u);
}

// Regression (found by mutating the demo): invalid UTF-8 in a detail made
// the JSON renderer throw.
TEST(AuditDetectorTest, InvalidUtf8RendersInEveryFormat) {
  auto r = Audit({{"alerts.yml",
                   "groups:\n  - name: a\n    rules:\n      - alert: Bad\xff\xfe\n"
                   "        expr: x > 1\n"}});
  ASSERT_FALSE(r.artifacts.empty());
  for (auto f : {AuditFormat::kJson, AuditFormat::kSarif, AuditFormat::kMarkdown,
                 AuditFormat::kHtml, AuditFormat::kText})
    EXPECT_FALSE(RenderAudit(r, f).empty());
}

// ---- Rubric: each check moves the grade it should ---------------------------

const char* kReadme = "# svc\n";

TEST(AuditRubricTest, CodeownersCoverageRaisesHygiene) {
  std::vector<AuditFile> base = {{"README.md", kReadme},
                                 {"services/a/app.py", "x = 1\n"},
                                 {"infra/main.tf", "resource \"x\" \"y\" {}\n"}};
  auto partial = base;
  partial.push_back({".github/CODEOWNERS", "/services/ @team\n"});
  auto full = base;
  full.push_back({".github/CODEOWNERS", "/services/ @team\n/infra/ @infra\n"});
  auto rp = Audit(partial), rf = Audit(full), rn = Audit(base);
  EXPECT_DOUBLE_EQ(CheckOf(rp, "hygiene.codeowners-coverage")->credit, 0.5);
  EXPECT_DOUBLE_EQ(CheckOf(rf, "hygiene.codeowners-coverage")->credit, 1.0);
  EXPECT_EQ(CheckOf(rn, "hygiene.codeowners")->status, CheckStatus::kFail);
  EXPECT_LT(AreaOf(rn, Area::kRepoHygiene).score, AreaOf(rp, Area::kRepoHygiene).score);
  EXPECT_LT(AreaOf(rp, Area::kRepoHygiene).score, AreaOf(rf, Area::kRepoHygiene).score);
  EXPECT_EQ(CountRule(rp, "audit-codeowners-gap"), 1u);
  EXPECT_EQ(CountRule(rf, "audit-codeowners-gap"), 0u);
}

TEST(AuditRubricTest, GitignoreAndCommittedEnv) {
  auto without = Audit({{"README.md", kReadme}, {".gitignore", "node_modules/\n"}});
  auto with = Audit({{"README.md", kReadme}, {".gitignore", "node_modules/\n.env\n.env.*\n"}});
  EXPECT_EQ(CheckOf(without, "hygiene.env-ignored")->status, CheckStatus::kFail);
  EXPECT_EQ(CheckOf(with, "hygiene.env-ignored")->status, CheckStatus::kPass);
  EXPECT_EQ(CountRule(without, "audit-env-not-gitignored"), 1u);
  EXPECT_GT(AreaOf(with, Area::kRepoHygiene).score, AreaOf(without, Area::kRepoHygiene).score);

  auto committed =
      Audit({{"README.md", kReadme}, {".gitignore", ".env\n"}, {".env", "APP_MODE=dev\n"}});
  EXPECT_EQ(CheckOf(committed, "hygiene.no-env-committed")->status, CheckStatus::kFail);
  EXPECT_EQ(CountRule(committed, "never-commit-env-file"), 1u);
  EXPECT_LT(AreaOf(committed, Area::kRepoHygiene).score, AreaOf(with, Area::kRepoHygiene).score);
  EXPECT_LT(AreaOf(committed, Area::kSecurity).score, AreaOf(with, Area::kSecurity).score);
}

TEST(AuditRubricTest, BurnRateAlertsRaiseObservability) {
  auto thr = Audit({{"alerts.yml", R"(groups:
  - name: a
    rules:
      - alert: HighErrors
        expr: sum(rate(errors_total[5m])) > 5
        for: 5m
        labels: {severity: page}
)"}});
  auto burn = Audit({{"alerts.yml", R"(groups:
  - name: a
    rules:
      - alert: Burn
        expr: slo:sli_error:ratio_rate1h > (14.4 * 0.001) and slo:sli_error:ratio_rate5m > (14.4 * 0.001)
        labels: {severity: page}
)"}});
  EXPECT_EQ(CheckOf(thr, "obs.burn-rate-alerts")->status, CheckStatus::kFail);
  EXPECT_EQ(CheckOf(burn, "obs.burn-rate-alerts")->status, CheckStatus::kPass);
  EXPECT_GT(AreaOf(burn, Area::kObservability).score, AreaOf(thr, Area::kObservability).score);
  // The threshold-only finding is behind the check.
  EXPECT_FALSE(CheckOf(thr, "obs.burn-rate-alerts")->finding_ids.empty());
}

TEST(AuditRubricTest, SloSpecRaisesObservability) {
  const std::string sloth = R"(version: prometheus/v1
service: a
slos:
  - name: availability
    objective: 99.9
    sli: {events: {error_query: x, total_query: y}}
    alerting: {name: A}
)";
  auto none = Audit({{"services/a/app.py", "x=1\n"}});
  auto one = Audit({{"services/a/app.py", "x=1\n"}, {"slo/a.yaml", sloth}});
  EXPECT_EQ(CheckOf(one, "obs.slo-specs")->status, CheckStatus::kPass);
  EXPECT_GT(AreaOf(one, Area::kObservability).score, AreaOf(none, Area::kObservability).score);
}

const char* kRolloutNoAnalysis = R"(apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {name: web}
spec:
  strategy:
    canary:
      steps:
        - setWeight: 20
        - pause: {duration: 5m}
)";
const char* kRolloutAnalysis = R"(apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {name: web}
spec:
  strategy:
    canary:
      analysis:
        templates: [{templateName: error-ratio}]
      steps:
        - setWeight: 20
)";

TEST(AuditRubricTest, RolloutAnalysisRaisesProgressiveDelivery) {
  auto none = Audit(
      {{"deploy/web.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n"}});
  auto blind = Audit({{"deploy/web.yaml", kRolloutNoAnalysis}});
  auto analysed = Audit({{"deploy/web.yaml", kRolloutAnalysis}});
  EXPECT_EQ(CountRule(blind, "audit-rollout-no-analysis"), 1u);
  EXPECT_EQ(CountRule(analysed, "audit-rollout-no-analysis"), 0u);
  EXPECT_EQ(CheckOf(blind, "pd.analysis")->status, CheckStatus::kFail);
  EXPECT_EQ(CheckOf(analysed, "pd.analysis")->status, CheckStatus::kPass);
  EXPECT_EQ(CheckOf(analysed, "pd.automated-rollback")->status, CheckStatus::kPass);
  int s0 = AreaOf(none, Area::kProgressiveDelivery).score;
  int s1 = AreaOf(blind, Area::kProgressiveDelivery).score;
  int s2 = AreaOf(analysed, Area::kProgressiveDelivery).score;
  EXPECT_LT(s0, s1);
  EXPECT_LT(s1, s2);
}

TEST(AuditRubricTest, RealRestoreRaisesDrPlaceholderDoesNot) {
  const std::string backup = R"(apiVersion: batch/v1
kind: CronJob
metadata: {name: db-backup}
spec:
  schedule: "0 2 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          containers:
            - name: dump
              image: postgres:16
              command: ["pg_dump", "-Fc", "-f", "/backup/db.dump"]
)";
  auto wf = [](const std::string& run) {
    return "name: restore\non:\n  schedule:\n    - cron: '0 6 * * 0'\njobs:\n  check:\n"
           "    runs-on: ubuntu-latest\n    steps:\n      - name: Restore latest backup\n"
           "        run: " +
           run + "\n";
  };
  auto only_backup = Audit({{"deploy/backup.yaml", backup}});
  auto placeholder = Audit({{"deploy/backup.yaml", backup},
                            {".github/workflows/restore.yml", wf("echo 'TODO restore'")}});
  auto real = Audit({{"deploy/backup.yaml", backup},
                     {".github/workflows/restore.yml", wf("pg_restore -d \"$SCRATCH\" db.dump")}});
  EXPECT_EQ(CheckOf(only_backup, "dr.backups")->status, CheckStatus::kPass);
  EXPECT_EQ(CountRule(only_backup, "audit-backup-unverified"), 1u);
  EXPECT_EQ(CheckOf(placeholder, "dr.restore-verified")->status, CheckStatus::kFail);
  EXPECT_EQ(CountRule(placeholder, "audit-restore-placeholder"), 1u);
  EXPECT_EQ(CheckOf(real, "dr.restore-verified")->status, CheckStatus::kPass);
  // A placeholder is a gap: it scores no better than having no restore at all.
  EXPECT_LE(AreaOf(placeholder, Area::kDr).score, AreaOf(only_backup, Area::kDr).score);
  EXPECT_GT(AreaOf(real, Area::kDr).score, AreaOf(placeholder, Area::kDr).score);
}

TEST(AuditRubricTest, TestsGatingDeploysRaiseTesting) {
  auto wf = [](bool needs_test) {
    return std::string(
               "name: ci\non: {push: {branches: [main]}}\njobs:\n  test:\n    runs-on: x\n"
               "    steps:\n      - run: pytest\n  deploy:\n    runs-on: x\n") +
           (needs_test ? "    needs: [test]\n" : "") +
           "    environment: production\n    steps:\n      - run: kubectl apply -f k8s/\n";
  };
  auto ungated =
      Audit({{".github/workflows/ci.yml", wf(false)}, {"tests/test_a.py", "def test_a(): pass\n"}});
  auto gated =
      Audit({{".github/workflows/ci.yml", wf(true)}, {"tests/test_a.py", "def test_a(): pass\n"}});
  EXPECT_EQ(CheckOf(ungated, "test.gate-deploys")->status, CheckStatus::kFail);
  EXPECT_EQ(CountRule(ungated, "audit-deploy-not-gated-by-tests"), 1u);
  EXPECT_EQ(CheckOf(gated, "test.gate-deploys")->status, CheckStatus::kPass);
  EXPECT_EQ(CheckOf(gated, "test.unit")->status, CheckStatus::kPass);
  EXPECT_EQ(CheckOf(gated, "test.ci-runs-tests")->status, CheckStatus::kPass);
  EXPECT_GT(AreaOf(gated, Area::kTesting).score, AreaOf(ungated, Area::kTesting).score);
}

TEST(AuditRubricTest, NonGatingScannerLowersSecurity) {
  auto wf = [](const std::string& suffix) {
    return "name: sec\non: [pull_request]\npermissions: {contents: read}\njobs:\n  sast:\n"
           "    runs-on: x\n    timeout-minutes: 5\n    steps:\n      - run: semgrep scan --error "
           "--config auto" +
           suffix + "\n";
  };
  auto gating = Audit({{".github/workflows/sec.yml", wf("")}});
  auto muted = Audit({{".github/workflows/sec.yml", wf(" || true")}});
  EXPECT_EQ(CheckOf(gating, "sec.scanners-gating")->status, CheckStatus::kPass);
  EXPECT_EQ(CheckOf(muted, "sec.scanners-gating")->status, CheckStatus::kFail);
  EXPECT_EQ(CheckOf(gating, "sec.sast-enforced")->status, CheckStatus::kPass);
  EXPECT_NE(CheckOf(muted, "sec.sast-enforced")->status, CheckStatus::kPass);
  EXPECT_GT(AreaOf(gating, Area::kSecurity).score, AreaOf(muted, Area::kSecurity).score);
}

TEST(AuditRubricTest, ReleaseAutomationAndChangelogRaiseRelease) {
  auto none = Audit({{"README.md", kReadme}});
  auto some = Audit({{"README.md", kReadme},
                     {"CHANGELOG.md", "# Changelog\n"},
                     {"release-please-config.json", "{\"release-type\": \"simple\"}\n"},
                     {"VERSION", "1.2.3\n"}});
  EXPECT_EQ(CheckOf(some, "rel.release-automation")->status, CheckStatus::kPass);
  EXPECT_EQ(CheckOf(some, "rel.changelog")->status, CheckStatus::kPass);
  EXPECT_EQ(CheckOf(some, "rel.versioning")->status, CheckStatus::kPass);
  EXPECT_GT(AreaOf(some, Area::kRelease).score, AreaOf(none, Area::kRelease).score + 40);
}

TEST(AuditRubricTest, FindingsPenaliseWithDiminishingReturns) {
  // One, then three copies of the same low-severity alert problem.
  auto rules = [](int n) {
    std::string s = "groups:\n  - name: a\n    rules:\n";
    for (int i = 0; i < n; ++i)
      s += "      - alert: A" + std::to_string(i) + "\n        expr: x > " + std::to_string(i) +
           "\n        labels: {severity: page}\n";
    return s;
  };
  auto one = Audit({{"alerts.yml", rules(1)}});
  auto three = Audit({{"alerts.yml", rules(3)}});
  double p1 = AreaOf(one, Area::kObservability).penalty;
  double p3 = AreaOf(three, Area::kObservability).penalty;
  EXPECT_GT(p3, p1);
  // Missing-for: 1.5 points each, the k-th counting 1/k; the threshold-only
  // finding (medium, 4 points) once per file.
  EXPECT_NEAR(p1, 1.5 + 4, 1e-9);
  EXPECT_NEAR(p3, 1.5 * (1 + 0.5 + 1.0 / 3) + 4, 1e-9);
}

TEST(AuditRubricTest, DeterministicAndIdsStable) {
  std::vector<AuditFile> files = {
      {"README.md", kReadme}, {"deploy/web.yaml", kRolloutNoAnalysis}, {".gitignore", "x\n"}};
  auto a = Audit(files);
  std::reverse(files.begin(), files.end());
  auto b = Audit(files);
  EXPECT_EQ(RenderAudit(a, AuditFormat::kJson), RenderAudit(b, AuditFormat::kJson));
  EXPECT_EQ(RenderAudit(a, AuditFormat::kMarkdown), RenderAudit(b, AuditFormat::kMarkdown));
  ASSERT_FALSE(a.finding_ids.empty());
  EXPECT_EQ(a.finding_ids[0], "F001");
}

TEST(AuditRubricTest, ExplainListsChecksAndFindings) {
  auto r = Audit({{"deploy/web.yaml", kRolloutNoAnalysis}});
  std::string e = ExplainArea(r, Area::kProgressiveDelivery);
  EXPECT_NE(e.find("pd.analysis"), std::string::npos);
  EXPECT_NE(e.find("audit-rollout-no-analysis"), std::string::npos);
  EXPECT_NE(e.find("deploy/web.yaml:2"), std::string::npos);
  EXPECT_NE(e.find("grade " + AreaOf(r, Area::kProgressiveDelivery).grade), std::string::npos);
}

TEST(AuditRubricTest, RecommendationsAreTiedToFailingChecks) {
  auto r = Audit({{"deploy/web.yaml", kRolloutNoAnalysis}});
  bool found = false;
  for (const auto& rec : r.recommendations) {
    EXPECT_FALSE(rec.justified_by.empty()) << rec.id;
    EXPECT_FALSE(rec.verify.empty()) << rec.id;
    if (rec.id == "rec.rollout-analysis") {
      found = true;
      EXPECT_EQ(rec.horizon, Horizon::kFoundation);
      EXPECT_EQ(rec.justified_by[0], "pd.analysis");
      EXPECT_EQ(rec.justified_by.size(), 2u);  // the check and its finding
    }
  }
  EXPECT_TRUE(found);
  // Horizons are ordered.
  for (size_t i = 1; i < r.recommendations.size(); ++i)
    EXPECT_LE(r.recommendations[i - 1].horizon, r.recommendations[i].horizon);
}

}  // namespace
}  // namespace gatehouse
