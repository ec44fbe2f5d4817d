// Heuristics over run: scripts (src/ci/scripts.h): splitting, placeholders,
// tests and retries, scanners and their gating, cron, normalization.
#include <gtest/gtest.h>

#include "ci/scripts.h"

namespace gatehouse::ci {
namespace {

TEST(CiScriptsTest, LogicalLinesJoinContinuationsAndDropComments) {
  auto lines = LogicalLines("# setup\nmake \\\n  all # build\necho '#not a comment'\n\n");
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0].text, "make    all ");
  EXPECT_EQ(lines[0].offset, 8u);
  EXPECT_EQ(lines[1].text, "echo '#not a comment'");
}

TEST(CiScriptsTest, SplitCommandsKeepsOperatorsAndQuotes) {
  auto c = SplitCommands("a && b || c; d | e \"x || y\" $(f || g)");
  ASSERT_EQ(c.size(), 5u);
  EXPECT_EQ(c[0].text, "a");
  EXPECT_EQ(c[0].op_after, "&&");
  EXPECT_EQ(c[1].op_after, "||");
  EXPECT_EQ(c[2].op_after, ";");
  EXPECT_EQ(c[3].op_after, "|");
  EXPECT_EQ(c[4].text, "e \"x || y\" $(f || g)");
}

TEST(CiScriptsTest, FindsWordsAndCommands) {
  EXPECT_NE(FindWord("./bin/trivy image x", "trivy"), std::string_view::npos);
  EXPECT_EQ(FindWord("trivyx", "trivy"), std::string_view::npos);
  EXPECT_EQ(FindWord("trivy.sh", "trivy"), std::string_view::npos);
  EXPECT_NE(FindCommand("npm --prefix web audit", {"npm", "audit"}), std::string_view::npos);
  EXPECT_EQ(FindCommand("npm run audit-report", {"npm", "audit"}), std::string_view::npos);
  EXPECT_EQ(FindCommand("npm ci && audit", {"npm", "audit"}), std::string_view::npos);
}

TEST(CiScriptsTest, Placeholders) {
  EXPECT_TRUE(DetectPlaceholder("echo \"Running tests\"", "Run tests", ""));
  EXPECT_TRUE(DetectPlaceholder("exit 0", "", ""));
  EXPECT_TRUE(DetectPlaceholder("true", "Deploy", ""));
  EXPECT_TRUE(DetectPlaceholder("echo TODO implement", "", ""));
  EXPECT_TRUE(DetectPlaceholder("echo FIXME; exit 0", "Security scan", ""));
  EXPECT_FALSE(DetectPlaceholder("npm test", "Run tests", ""));
  EXPECT_FALSE(DetectPlaceholder("echo x >> $GITHUB_OUTPUT", "", ""));
  EXPECT_FALSE(DetectPlaceholder("echo $(date)", "", ""));
  EXPECT_FALSE(DetectPlaceholder("echo \"version $V\"", "", ""));
  EXPECT_FALSE(DetectPlaceholder("echo done", "Print summary", ""));
  EXPECT_FALSE(DetectPlaceholder("echo ok | tee log", "", ""));
  EXPECT_FALSE(DetectPlaceholder("if true; then echo; fi", "", ""));
  auto p = DetectPlaceholder("echo \"tests pass\"", "Unit tests", "");
  ASSERT_TRUE(p);
  EXPECT_TRUE(p->confidence_high);
}

TEST(CiScriptsTest, TestsRetriesAndIgnoredFailures) {
  EXPECT_TRUE(IsTestCommand("npm test"));
  EXPECT_TRUE(IsTestCommand("go test ./..."));
  EXPECT_TRUE(IsTestCommand("./gradlew check"));
  EXPECT_TRUE(IsTestCommand("python -m pytest -x"));
  EXPECT_TRUE(IsTestCommand("npm run test:unit"));
  EXPECT_FALSE(IsTestCommand("npm ci"));
  EXPECT_FALSE(IsTestCommand("make build"));
  EXPECT_TRUE(DetectRetry("npm test || npm test"));
  EXPECT_TRUE(DetectRetry("go  test ./...  ||  go test ./..."));
  EXPECT_FALSE(DetectRetry("npm test || npm run test:debug"));
  EXPECT_FALSE(DetectRetry("make || make"));
  EXPECT_TRUE(DetectRetry("pytest --reruns 2"));
  EXPECT_TRUE(DetectRetry("for i in 1 2 3; do npm test && break; done"));
  EXPECT_TRUE(DetectIgnoredFailure("npm test || true", 0, std::string_view::npos));
  EXPECT_TRUE(DetectIgnoredFailure("npm test || exit 0", 0, std::string_view::npos));
  EXPECT_FALSE(DetectIgnoredFailure("npm test || exit 1", 0, std::string_view::npos));
  EXPECT_FALSE(DetectIgnoredFailure("npm test && true", 0, std::string_view::npos));
}

TEST(CiScriptsTest, ScannersAndGating) {
  auto hits = ScannersInRun("pip install bandit\nbandit -r src\ntrivy image app:1 --exit-code 1");
  ASSERT_EQ(hits.size(), 2u);
  EXPECT_EQ(hits[0].name, "bandit");  // the install line is skipped
  EXPECT_EQ(hits[0].offset, 19u);
  EXPECT_EQ(hits[1].name, "trivy");
  EXPECT_EQ(ScannersInRun("brew install trivy").size(), 0u);
  EXPECT_EQ(ScannersInRun("trivy --version").size(), 0u);
  auto t = ScannersInRun("trivy fs . --exit-code 0");
  ASSERT_EQ(t.size(), 1u);
  EXPECT_TRUE(NeuteredScannerRun("trivy fs . --exit-code 0", t[0]));
  EXPECT_FALSE(ReportOnlyByDefault("trivy fs . --exit-code 1", t[0]));
  EXPECT_TRUE(ReportOnlyByDefault("trivy fs .", t[0]));
  auto g = ScannersInRun("gitleaks detect --source . || echo leaked");
  ASSERT_EQ(g.size(), 1u);
  EXPECT_TRUE(NeuteredScannerRun("gitleaks detect --source . || echo leaked", g[0]));
  auto s = ScannersInRun("semgrep ci");
  ASSERT_EQ(s.size(), 1u);
  EXPECT_FALSE(ReportOnlyByDefault("semgrep ci", s[0]));
  EXPECT_TRUE(ScannerForAction("aquasecurity/trivy-action"));
  EXPECT_TRUE(ScannerForAction("snyk/actions/node"));
  EXPECT_TRUE(ScannerForAction("zaproxy/action-baseline"));
  EXPECT_FALSE(ScannerForAction("actions/checkout"));
}

TEST(CiScriptsTest, DeprecatedCommands) {
  bool disabled = false;
  auto h = DeprecatedCommands("echo ::set-output name=a::1\necho ::add-path::/x", &disabled);
  ASSERT_EQ(h.size(), 2u);
  EXPECT_EQ(h[0].what, "set-output");
  EXPECT_EQ(h[1].what, "add-path");
  EXPECT_TRUE(disabled);
  EXPECT_TRUE(DeprecatedCommands("echo a=1 >> $GITHUB_OUTPUT", &disabled).empty());
}

TEST(CiScriptsTest, Cron) {
  EXPECT_EQ(CronProblem("0 0 * * *"), "");
  EXPECT_EQ(CronProblem("*/5 1-3,7 1 jan-Mar sun-SAT"), "");
  EXPECT_EQ(CronProblem("0 0 31 12 6"), "");
  EXPECT_NE(CronProblem("60 0 * * *"), "");
  EXPECT_NE(CronProblem("0 24 * * *"), "");
  EXPECT_NE(CronProblem("0 0 0 * *"), "");
  EXPECT_NE(CronProblem("0 0 * 13 *"), "");
  EXPECT_NE(CronProblem("0 0 * * 7"), "");
  EXPECT_NE(CronProblem("*/0 * * * *"), "");
  EXPECT_NE(CronProblem("0 0 * * MON#2"), "");
  EXPECT_NE(CronProblem("0 0 L * *"), "");
  EXPECT_NE(CronProblem("@daily"), "");
  EXPECT_NE(CronProblem("0 0 * * * *"), "");
  EXPECT_NE(CronProblem("1,,2 * * * *"), "");
}

TEST(CiScriptsTest, NormalizationFoldsWhatVaries) {
  EXPECT_EQ(NormalizeRun("go test ./svc/a/..."), NormalizeRun("go  test   ./svc/b/..."));
  EXPECT_EQ(NormalizeRun("npm test -- --shard=1/4"), NormalizeRun("npm test -- --shard=3/4"));
  EXPECT_EQ(NormalizeRun("echo \"Deploying a\" # note"), NormalizeRun("echo 'Deploying b'"));
  EXPECT_EQ(NormalizeRun("pip install -r ${{ matrix.dir }}/req.txt"),
            NormalizeRun("pip install -r $DIR/req.txt"));
  EXPECT_EQ(NormalizeRun("setup 1.2.3"), NormalizeRun("setup v4"));
  EXPECT_NE(NormalizeRun("npm test"), NormalizeRun("npm run lint"));
  EXPECT_NE(NormalizeRun("make build"), NormalizeRun("make test"));
}

}  // namespace
}  // namespace gatehouse::ci
