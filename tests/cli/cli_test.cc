// End-to-end tests of the gatehouse binary: exit codes, formats, redaction.
#include <gtest/gtest.h>

#include "test_util.h"

namespace gatehouse {
namespace {

using testing::FakeGithubToken;
using testing::Gatehouse;
using testing::RunCommand;
using testing::TempDir;
using testing::WriteFile;

class CliSecretsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::mt19937_64 rng(99);
    token_ = FakeGithubToken(rng);
    WriteFile(dir_ / "app/settings.py", "import os\nGITHUB_TOKEN = \"" + token_ + "\"\n");
    WriteFile(dir_ / "README.md", "# demo\n");
  }
  std::string Cmd(const std::string& args) {
    return Gatehouse() + " secrets " + args + " '" + dir_.path() + "'";
  }
  TempDir dir_;
  std::string token_;
};

TEST_F(CliSecretsTest, FindingsExitOneAndCleanExitZero) {
  auto r = RunCommand(Cmd("--color never"));
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.out.find("app/settings.py:2"), std::string::npos) << r.out;
  TempDir clean;
  WriteFile(clean / "a.txt", "nothing to see\n");
  auto c = RunCommand(Gatehouse() + " secrets '" + clean.path() + "'");
  EXPECT_EQ(c.exit_code, 0) << c.out << c.err;
}

TEST(CliTest, FailOnThreshold) {
  TempDir dir;
  WriteFile(dir / ".env", "MODE=dev\n");  // never-commit-env-file: high
  auto run = [&](const std::string& flags) {
    return RunCommand(Gatehouse() + " secrets " + flags + " '" + dir.path() + "'").exit_code;
  };
  EXPECT_EQ(run("--fail-on critical"), 0);
  EXPECT_EQ(run("--fail-on high"), 1);
  EXPECT_EQ(run(""), 1);  // default: low
  EXPECT_EQ(run("--fail-on none"), 0);
  EXPECT_EQ(run("--fail-on sometimes"), 2);
  WriteFile(dir / ".gatehouse.yaml", "secrets:\n  fail_on: critical\n");
  EXPECT_EQ(run(""), 0);                // from configuration
  EXPECT_EQ(run("--fail-on high"), 1);  // the flag wins
}

TEST_F(CliSecretsTest, EveryFormatIsRedacted) {
  for (const char* fmt : {"text", "json", "sarif", "junit", "github", "markdown"}) {
    auto r = RunCommand(Cmd(std::string("--format ") + fmt));
    EXPECT_EQ(r.exit_code, 1) << fmt << ": " << r.err;
    EXPECT_FALSE(r.out.empty()) << fmt;
    EXPECT_EQ(r.out.find(token_), std::string::npos) << fmt << " leaks the secret";
    EXPECT_EQ(r.out.find(token_.substr(4, 20)), std::string::npos) << fmt << " leaks part";
  }
}

TEST_F(CliSecretsTest, NoRedactIsExplicitAndNeverForSarif) {
  auto r = RunCommand(Cmd("--format json --no-redact"));
  EXPECT_NE(r.out.find(token_), std::string::npos);
  auto s = RunCommand(Cmd("--format sarif --no-redact"));
  EXPECT_EQ(s.out.find(token_), std::string::npos);
  EXPECT_NE(s.err.find("does not apply to sarif"), std::string::npos);
  for (const char* fmt : {"junit", "github", "markdown"}) {
    auto o = RunCommand(Cmd(std::string("--no-redact --format ") + fmt));
    EXPECT_EQ(o.out.find(token_), std::string::npos) << fmt;
  }
}

TEST_F(CliSecretsTest, OutputFileAndStdin) {
  auto r = RunCommand(Cmd("--format json --output '" + (dir_ / "out.json") + "'"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(r.out.empty());
  EXPECT_NE(testing::ReadAll(dir_ / "out.json").find("\"fingerprint\""), std::string::npos);
  auto in = RunCommand(Gatehouse() + " secrets --stdin --stdin-name pasted.txt --format json",
                       "x = '" + token_ + "'\n");
  EXPECT_EQ(in.exit_code, 1) << in.err;
  EXPECT_NE(in.out.find("pasted.txt"), std::string::npos);
}

TEST_F(CliSecretsTest, BaselineSuppressesAfterLinesInserted) {
  auto r = RunCommand(Cmd("--format json --output '" + (dir_ / "baseline.json") + "'"));
  ASSERT_EQ(r.exit_code, 1);
  WriteFile(
      dir_ / "app/settings.py",
      "\"\"\"Settings.\"\"\"\n\nimport sys\nimport os\n\nGITHUB_TOKEN = \"" + token_ + "\"\n");
  auto again = RunCommand(Cmd("--baseline '" + (dir_ / "baseline.json") + "'"));
  EXPECT_EQ(again.exit_code, 0) << again.out;
}

TEST_F(CliSecretsTest, UsageAndConfigErrorsExitTwo) {
  EXPECT_EQ(RunCommand(Gatehouse() + " secrets --format xml .").exit_code, 2);
  EXPECT_EQ(RunCommand(Gatehouse() + " secrets --no-such-flag").exit_code, 2);
  EXPECT_EQ(RunCommand(Gatehouse() + " nosuchcommand").exit_code, 2);
  EXPECT_EQ(RunCommand(Gatehouse() + " secrets /no/such/dir").exit_code, 2);
  WriteFile(dir_ / ".gatehouse.yaml", "secrets:\n  failon: high\n");
  auto r = RunCommand(Cmd(""));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(".gatehouse.yaml:2:3"), std::string::npos) << r.err;
  WriteFile(dir_ / "bad.toml", "[[rules]]\nid = 'x'\nregex = '''a\n");
  auto t = RunCommand(Cmd("--config '" + (dir_ / "bad.toml") + "'"));
  EXPECT_EQ(t.exit_code, 2);
  EXPECT_NE(t.err.find("bad.toml:3"), std::string::npos) << t.err;
}

TEST_F(CliSecretsTest, ExcludeAndMaxFileSize) {
  EXPECT_EQ(RunCommand(Cmd("--exclude 'app/**'")).exit_code, 0);
  WriteFile(dir_ / "big.txt", std::string(4096, 'x'));
  auto r = RunCommand(Cmd("--max-file-size 1k --format json --exclude 'app/**'"));
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("big.txt"), std::string::npos) << "skipped file not reported: " << r.out;
}

TEST(CliTest, VersionAndHelp) {
  auto v = RunCommand(Gatehouse() + " --version");
  EXPECT_EQ(v.exit_code, 0);
  EXPECT_NE(v.out.find("gatehouse"), std::string::npos);
  EXPECT_EQ(RunCommand(Gatehouse() + " secrets --help").exit_code, 0);
}

// The repository must scan clean with its own default rules: no test value
// or example is committed in credential shape.
TEST(CliTest, RepositoryScansCleanWithDefaultRules) {
  auto r = RunCommand(Gatehouse() + " secrets --color never '" + testing::SourceDir() + "'");
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
}

}  // namespace
}  // namespace gatehouse
