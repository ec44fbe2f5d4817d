// `gatehouse ci` end to end: exit codes, every format, --output, --fail-on,
// --list-rules, --baseline, --disable, bad input.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "gatehouse/ci.h"
#include "test_util.h"

namespace gatehouse {
namespace {

using testing::Gatehouse;
using testing::ReadAll;
using testing::RunCommand;
using testing::SourceDir;
using testing::TempDir;
using testing::WriteFile;

class CiCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // One high (unpinned branch of a third-party action), one medium, lows.
    WriteFile(dir_ / ".github/workflows/ci.yml",
              "on: push\npermissions: {}\njobs:\n  build:\n    runs-on: ubuntu-24.04\n"
              "    steps:\n      - uses: evil/act@main\n      - name: Run tests\n"
              "        run: echo \"tests ok\"\n");
  }
  std::string Cmd(const std::string& args) {
    return Gatehouse() + " ci " + args + " '" + dir_.path() + "'";
  }
  TempDir dir_;
};

TEST_F(CiCliTest, ExitCodesFollowFailOn) {
  EXPECT_EQ(RunCommand(Cmd("")).exit_code, 1);  // default: high
  EXPECT_EQ(RunCommand(Cmd("--fail-on critical")).exit_code, 0);
  EXPECT_EQ(RunCommand(Cmd("--fail-on none")).exit_code, 0);
  EXPECT_EQ(RunCommand(Cmd("--fail-on low")).exit_code, 1);
  EXPECT_EQ(RunCommand(Cmd("--fail-on sometimes")).exit_code, 2);
  EXPECT_EQ(RunCommand(Cmd("--format yaml")).exit_code, 2);
  EXPECT_EQ(RunCommand(Cmd("--disable no-such-rule")).exit_code, 2);
  EXPECT_EQ(RunCommand(Gatehouse() + " ci /nonexistent/path").exit_code, 2);
  auto clean =
      RunCommand(Gatehouse() + " ci '" + SourceDir() + "/tests/data/ci/clean' --fail-on info");
  EXPECT_EQ(clean.exit_code, 0) << clean.out;
}

TEST_F(CiCliTest, EveryFormatRendersAndParses) {
  for (const char* fmt : {"text", "json", "sarif", "junit", "github", "markdown"}) {
    auto r = RunCommand(Cmd(std::string("--format ") + fmt));
    EXPECT_EQ(r.exit_code, 1) << fmt << r.err;
    EXPECT_NE(r.out.find("ci-action-unpinned"), std::string::npos) << fmt;
  }
  auto j = nlohmann::json::parse(RunCommand(Cmd("--format json")).out);
  EXPECT_EQ(j["command"], "ci");
  EXPECT_TRUE(j["sprawl"].is_object());
  EXPECT_EQ(j["findings"][0]["area"].get<std::string>().empty(), false);
  auto s = nlohmann::json::parse(RunCommand(Cmd("--format sarif")).out);
  EXPECT_EQ(s["version"], "2.1.0");
  EXPECT_GE(s["runs"][0]["tool"]["driver"]["rules"].size(), 35u);
  auto g = RunCommand(Cmd("--format github")).out;
  EXPECT_NE(g.find("::error file=.github/workflows/ci.yml,line=7"), std::string::npos) << g;
  auto text = RunCommand(Cmd("--color never")).out;
  EXPECT_NE(text.find(".github/workflows/ci.yml:7:15"), std::string::npos) << text;
  EXPECT_NE(text.find("CI sprawl"), std::string::npos);
  EXPECT_EQ(RunCommand(Cmd("--color never --no-sprawl")).out.find("CI sprawl"), std::string::npos);
}

TEST_F(CiCliTest, OutputFileBaselineAndDisable) {
  auto r = RunCommand(Cmd("--format json --output '" + (dir_ / "report.json") + "'"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(r.out.empty());
  std::string report = ReadAll(dir_ / "report.json");
  ASSERT_FALSE(report.empty());
  // Everything known is in the baseline: nothing left to fail on.
  auto b = RunCommand(Cmd("--fail-on info --baseline '" + (dir_ / "report.json") + "'"));
  EXPECT_EQ(b.exit_code, 0) << b.out;
  EXPECT_EQ(RunCommand(Cmd("--baseline /nonexistent.json")).exit_code, 2);
  auto d = RunCommand(Cmd("--disable ci-action-unpinned --format json"));
  EXPECT_EQ(d.out.find("\"ci-action-unpinned\""), std::string::npos);
  EXPECT_EQ(d.exit_code, 0);
}

TEST(CiCliListTest, ListRulesPrintsEveryRule) {
  auto r = RunCommand(Gatehouse() + " ci --list-rules");
  EXPECT_EQ(r.exit_code, 0);
  for (const RuleInfo& ri : CiRuleInfos()) EXPECT_NE(r.out.find(ri.id), std::string::npos) << ri.id;
}

TEST(CiCliListTest, BadYamlIsAFindingAndOtherFilesStillCount) {
  TempDir dir;
  WriteFile(dir / ".github/workflows/a.yml", "on: push\njobs:\n  x: [\n");
  WriteFile(dir / ".github/workflows/b.yml",
            "on: push\njobs:\n  y:\n    runs-on: z\n    steps:\n      - uses: a/b@main\n");
  WriteFile(dir / ".github/workflows/c.yml", "just: data\n");
  auto r = RunCommand(Gatehouse() + " ci --format json '" + dir.path() + "'");
  EXPECT_EQ(r.exit_code, 1);
  auto j = nlohmann::json::parse(r.out);
  std::set<std::string> files, rules;
  for (const auto& f : j["findings"]) {
    files.insert(f["location"]["path"].get<std::string>());
    rules.insert(f["rule_id"].get<std::string>());
  }
  EXPECT_TRUE(files.count(".github/workflows/a.yml"));
  EXPECT_TRUE(files.count(".github/workflows/b.yml"));
  EXPECT_FALSE(files.count(".github/workflows/c.yml"));
  EXPECT_TRUE(rules.count("ci-yaml-syntax"));
  bool note = false;
  for (const auto& d : j["diagnostics"]) note = note || d["path"] == ".github/workflows/c.yml";
  EXPECT_TRUE(note);
}

}  // namespace
}  // namespace gatehouse
