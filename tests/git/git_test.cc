// End-to-end tests with real git: history scanning, pre-commit, pre-push and
// pre-receive (a bare repository with the hook installed and real pushes).
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "gatehouse/git_scan.h"
#include "test_util.h"

namespace gatehouse {
namespace {

using testing::FakeGithubToken;
using testing::RunCommand;
using testing::TempDir;
using testing::WriteFile;

class GitTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Keep the compiled-rules cache shared (a cold compile per test is slow),
    // then isolate from the machine's git configuration; fixed identities.
    if (!std::getenv("GATEHOUSE_CACHE_DIR") && std::getenv("HOME"))
      setenv("GATEHOUSE_CACHE_DIR",
             (std::string(std::getenv("HOME")) + "/.cache/gatehouse").c_str(), 1);
    setenv("HOME", home_.path().c_str(), 1);
    setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
    setenv("GIT_AUTHOR_NAME", "Dev One", 1);
    setenv("GIT_AUTHOR_EMAIL", "dev1@example.com", 1);
    setenv("GIT_COMMITTER_NAME", "Dev One", 1);
    setenv("GIT_COMMITTER_EMAIL", "dev1@example.com", 1);
    work_ = dir_ / "work";
    Git("init -q -b main '" + work_ + "'", dir_.path());
  }

  std::string Git(const std::string& args, const std::string& cwd = "") {
    auto r = RunCommand("cd '" + (cwd.empty() ? work_ : cwd) + "' && git " + args);
    EXPECT_EQ(r.exit_code, 0) << "git " << args << "\n" << r.err;
    return r.out;
  }
  std::string Commit(const std::string& file, const std::string& content, const std::string& msg) {
    WriteFile(work_ + "/" + file, content);
    Git("add -A");
    Git("commit -q -m '" + msg + "'");
    return Head();
  }
  std::string Head() {
    std::string h = Git("rev-parse HEAD");
    return h.substr(0, 40);
  }
  nlohmann::json Scan(const std::string& extra = "", int want_exit = -1) {
    auto r = RunCommand(testing::Gatehouse() + " secrets --git --format json " + extra + " '" +
                        work_ + "'");
    if (want_exit >= 0) {
      EXPECT_EQ(r.exit_code, want_exit) << r.err;
    }
    auto j = nlohmann::json::parse(r.out, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << r.out << r.err;
    return j;
  }
  std::string Token() { return FakeGithubToken(rng_); }

  TempDir home_, dir_;
  std::string work_;
  std::mt19937_64 rng_{1234};
};

TEST_F(GitTest, HistoryFindsSecretDeletedLaterWithItsCommit) {
  Commit("README.md", "# app\n", "init");
  std::string tok = Token();
  std::string added = Commit("src/app.py", "import os\n\nTOKEN = \"" + tok + "\"\n", "add token");
  WriteFile(work_ + "/src/app.py", "import os\n\nTOKEN = os.environ['TOKEN']\n");
  Git("commit -qam 'remove token'");
  // The working tree is clean now...
  EXPECT_EQ(RunCommand(testing::Gatehouse() + " secrets '" + work_ + "/src'").exit_code, 0);
  // ...but history is not.
  auto j = Scan("", 1);
  ASSERT_EQ(j["findings"].size(), 1u) << j.dump(2);
  const auto& f = j["findings"][0];
  EXPECT_EQ(f["rule_id"], "github-pat");
  EXPECT_EQ(f["location"]["path"], "src/app.py");
  EXPECT_EQ(f["location"]["line"], 3);
  EXPECT_EQ(f["properties"]["commit"], added);
  EXPECT_EQ(f["properties"]["author"], "Dev One");
  EXPECT_EQ(f["properties"]["email"], "dev1@example.com");
  EXPECT_FALSE(f["properties"]["date"].get<std::string>().empty());
  EXPECT_EQ(j.dump().find(tok), std::string::npos) << "secret leaked";
}

TEST_F(GitTest, OnlyAddedLinesAndLineNumbersOfThatVersion) {
  std::string tok = Token();
  Commit("a.txt", "one\n" + tok + "\n", "first");
  // Later commits edit other lines of the same file: not reported again.
  Commit("a.txt", "zero\none\n" + tok + "\nthree\n", "second");
  auto j = Scan();
  ASSERT_EQ(j["findings"].size(), 1u) << j.dump(2);
  EXPECT_EQ(j["findings"][0]["location"]["line"], 2);
}

TEST_F(GitTest, MergeDoesNotDoubleCountAndRenamesAreFollowed) {
  Commit("README.md", "# app\n", "init");
  Git("checkout -q -b feature");
  std::string tok = Token();
  std::string on_branch = Commit("cfg/keys.txt", "k=" + tok + "\n", "feature adds key");
  Git("checkout -q main");
  Commit("other.txt", "x\n", "main moves on");
  Git("merge -q --no-ff feature -m merge");
  Git("mv cfg/keys.txt cfg/renamed.txt");
  Git("commit -qm rename");
  auto j = Scan();
  ASSERT_EQ(j["findings"].size(), 1u) << j.dump(2);
  EXPECT_EQ(j["findings"][0]["properties"]["commit"], on_branch);
}

TEST_F(GitTest, EvilMergeLineIsReportedAtTheMerge) {
  Commit("a.txt", "base\n", "init");
  Git("checkout -q -b side");
  Commit("a.txt", "base\nside\n", "side");
  Git("checkout -q main");
  Commit("b.txt", "b\n", "main");
  Git("merge -q --no-ff --no-commit side");
  std::string tok = Token();
  WriteFile(work_ + "/a.txt", "base\nside\n" + tok + "\n");
  Git("add a.txt");
  Git("commit -qm 'merge with extra'");
  std::string merge = Head();
  auto j = Scan();
  ASSERT_EQ(j["findings"].size(), 1u) << j.dump(2);
  EXPECT_EQ(j["findings"][0]["properties"]["commit"], merge);
}

TEST_F(GitTest, SameBlobOnTwoBranchesIsScannedOnce) {
  Commit("README.md", "# app\n", "init");
  std::string tok = Token();
  Git("checkout -q -b one");
  Commit("s.txt", tok + "\n", "one");
  Git("checkout -q main");
  Git("checkout -q -b two");
  Commit("s.txt", tok + "\n", "two");  // identical blob
  auto j = Scan();
  EXPECT_EQ(j["findings"].size(), 1u) << j.dump(2);
}

TEST_F(GitTest, RangeBranchSinceAndMaxCommits) {
  std::string first = Commit("a.txt", Token() + "\n", "a");
  Commit("b.txt", Token() + "\n", "b");
  Commit("c.txt", Token() + "\n", "c");
  EXPECT_EQ(Scan()["findings"].size(), 3u);
  EXPECT_EQ(Scan("--range " + first + "..HEAD")["findings"].size(), 2u);
  EXPECT_EQ(Scan("--max-commits 1")["findings"].size(), 1u);
  EXPECT_EQ(Scan("--branch main")["findings"].size(), 3u);
  EXPECT_EQ(Scan("--since 2999-01-01", 0)["findings"].size(), 0u);
  auto bad = RunCommand(testing::Gatehouse() + " secrets --git --range nope..HEAD '" + work_ + "'");
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("nope"), std::string::npos);
}

TEST_F(GitTest, NotARepositoryIsExitTwo) {
  TempDir plain;
  auto r = RunCommand(testing::Gatehouse() + " secrets --git '" + plain.path() + "'");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("not a git repository"), std::string::npos) << r.err;
}

TEST_F(GitTest, ShallowCloneSaysHistoryIsTruncated) {
  Commit("a.txt", "1\n", "1");
  Commit("b.txt", "2\n", "2");
  Commit("c.txt", Token() + "\n", "3");
  std::string shallow = dir_ / "shallow";
  Git("clone -q --depth 1 'file://" + work_ + "' '" + shallow + "'", dir_.path());
  auto r = RunCommand(testing::Gatehouse() + " secrets --git --format json '" + shallow + "'");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("shallow clone"), std::string::npos) << r.out;
}

TEST_F(GitTest, CorruptObjectIsADiagnosticAndTheScanGoesOn) {
  std::string tok = Token();
  Commit("keep.txt", tok + "\n", "keep");
  Commit("lost.txt", "content that will be lost\n", "lost");
  // Remove the loose object of lost.txt's blob.
  std::string blob = Git("rev-parse HEAD:lost.txt").substr(0, 40);
  std::filesystem::remove(work_ + "/.git/objects/" + blob.substr(0, 2) + "/" + blob.substr(2));
  auto r = RunCommand(testing::Gatehouse() + " secrets --git --format json '" + work_ + "'");
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.out.find(blob), std::string::npos) << "diagnostic should name the object: " << r.out;
  EXPECT_NE(r.out.find("keep.txt"), std::string::npos);
}

TEST_F(GitTest, TrackedFileHiddenByGitignoreIsStillScanned) {
  Commit(".gitignore", ".env\n", "ignore env");
  WriteFile(work_ + "/.env", "MODE=dev\n");
  Git("add -f .env");
  Git("commit -qm 'force-add env'");
  auto r = RunCommand(testing::Gatehouse() + " secrets --format json '" + work_ + "'");
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.out.find("never-commit-env-file"), std::string::npos) << r.out;
  // An untracked ignored .env is the developer's own business: not reported.
  Git("rm -q --cached .env");
  Git("commit -qm untrack");
  EXPECT_EQ(RunCommand(testing::Gatehouse() + " secrets '" + work_ + "'").exit_code, 0);
}

// ---- hooks -------------------------------------------------------------------

TEST_F(GitTest, PreCommitBlocksStagedSecretIncludingInitialCommit) {
  std::string tok = Token();
  WriteFile(work_ + "/app.py", "T = \"" + tok + "\"\n");
  Git("add app.py");
  auto r = RunCommand("cd '" + work_ + "' && " + testing::Gatehouse() + " hook pre-commit");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("app.py:1"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("gatehouse:allow"), std::string::npos) << "must say how to mark an FP";
  EXPECT_EQ(r.err.find(tok), std::string::npos) << "secret leaked";
  // Through git itself, with the hook installed.
  auto inst = RunCommand(testing::Gatehouse() + " hook install '" + work_ + "'");
  ASSERT_EQ(inst.exit_code, 0) << inst.err;
  auto c = RunCommand("cd '" + work_ + "' && git commit -qm secret");
  EXPECT_NE(c.exit_code, 0);
  WriteFile(work_ + "/app.py", "T = \"" + tok + "\"  # gatehouse:allow\n");
  Git("add app.py");
  EXPECT_EQ(RunCommand("cd '" + work_ + "' && git commit -qm allowed").exit_code, 0);
}

TEST_F(GitTest, InstallHonoursCoreHooksPathAndRefusesForeignHooks) {
  Git("config core.hooksPath .githooks");
  auto r =
      RunCommand(testing::Gatehouse() + " hook install --pre-commit --pre-push '" + work_ + "'");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(std::filesystem::exists(work_ + "/.githooks/pre-commit"));
  EXPECT_TRUE(std::filesystem::exists(work_ + "/.githooks/pre-push"));
  WriteFile(work_ + "/.githooks/pre-commit", "#!/bin/sh\necho mine\n");
  EXPECT_EQ(RunCommand(testing::Gatehouse() + " hook install '" + work_ + "'").exit_code, 2);
  EXPECT_EQ(RunCommand(testing::Gatehouse() + " hook install --force '" + work_ + "'").exit_code,
            0);
}

class GitPushTest : public GitTest {
 protected:
  void SetUp() override {
    GitTest::SetUp();
    server_ = dir_ / "server.git";
    Git("init -q --bare -b main '" + server_ + "'", dir_.path());
    auto r = RunCommand(testing::Gatehouse() + " hook install --pre-receive '" + server_ + "'");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    Git("remote add origin '" + server_ + "'");
    Commit("README.md", "# app\n", "init");
    ASSERT_EQ(Push("main").exit_code, 0);
  }
  testing::CommandResult Push(const std::string& refspec, const std::string& flags = "") {
    return RunCommand("cd '" + work_ + "' && git push " + flags + " origin " + refspec);
  }
  std::string server_;
};

TEST_F(GitPushTest, CredentialIsRefusedWithoutPrintingIt) {
  std::string tok = Token();
  Commit("deploy/config.yml", "token: " + tok + "\n", "add config");
  auto r = Push("main");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("deploy/config.yml:1"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("github-pat"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("git push -o gatehouse.bypass"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find(tok), std::string::npos) << "secret leaked";
  EXPECT_EQ(r.err.find(tok.substr(4, 12)), std::string::npos) << "secret leaked";
}

TEST_F(GitPushTest, CleanPushIsAccepted) {
  Commit("src/a.py", "print('hi')\n", "code");
  EXPECT_EQ(Push("main").exit_code, 0);
}

TEST_F(GitPushTest, SecretAddedThenRemovedInOnePushIsRefused) {
  Commit("k.txt", Token() + "\n", "oops");
  Git("rm -q k.txt");
  Git("commit -qm 'remove it'");
  EXPECT_NE(Push("main").exit_code, 0);
}

TEST_F(GitPushTest, EnvFileIsRefused) {
  Commit(".env", "MODE=dev\n", "env");
  auto r = Push("main");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("never-commit-env-file"), std::string::npos) << r.err;
}

TEST_F(GitPushTest, NewBranchOnlyScansCommitsNewToTheRepository) {
  // A branch at an existing commit has nothing new: accepted.
  Git("branch existing");
  EXPECT_EQ(Push("existing").exit_code, 0);
  // A new branch with a new secret commit: refused.
  Git("checkout -q -b feature");
  Commit("f.txt", Token() + "\n", "feature");
  EXPECT_NE(Push("feature").exit_code, 0);
}

TEST_F(GitPushTest, ForcePushIsScannedAndDeletionIgnored) {
  Commit("a.txt", "fine\n", "fine");
  ASSERT_EQ(Push("main").exit_code, 0);
  Git("reset -q --hard HEAD~1");
  Commit("b.txt", Token() + "\n", "rewritten with secret");
  EXPECT_NE(Push("main", "--force").exit_code, 0);
  Git("reset -q --hard HEAD~1");
  Commit("b.txt", "clean\n", "rewritten clean");
  EXPECT_EQ(Push("main", "--force").exit_code, 0);
  Git("branch gone");
  ASSERT_EQ(Push("gone").exit_code, 0);
  EXPECT_EQ(Push(":gone").exit_code, 0);  // deletion
}

TEST_F(GitPushTest, MalformedInputFailsClosed) {
  auto r = RunCommand("cd '" + server_ + "' && " + testing::Gatehouse() + " hook pre-receive",
                      "this is not a ref update\n");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("malformed"), std::string::npos) << r.err;
}

TEST_F(GitPushTest, ApprovedBypassTicketIsHonouredAndRecorded) {
  Git("config receive.advertisePushOptions true", server_);
  Git("config --add gatehouse.bypassTicket INC-42", server_);
  Commit("k.txt", Token() + "\n", "emergency");
  EXPECT_NE(Push("main", "-o gatehouse.bypass=INC-999").exit_code, 0);
  auto r = Push("main", "-o gatehouse.bypass=INC-42");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("BYPASS ticket INC-42"), std::string::npos) << r.err;
}

TEST_F(GitPushTest, PrePushHookBlocksLocally) {
  auto inst = RunCommand(testing::Gatehouse() + " hook install --pre-push '" + work_ + "'");
  ASSERT_EQ(inst.exit_code, 0) << inst.err;
  // Remove the server hook so only the local one can block.
  std::filesystem::remove(server_ + "/hooks/pre-receive");
  Commit("p.txt", Token() + "\n", "secret");
  auto r = Push("main");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("p.txt:1"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("--no-verify"), std::string::npos) << r.err;
}

TEST(GitRefUpdatesTest, ParsesAndRejects) {
  std::string zero(40, '0'), a(40, 'a'), b(40, 'b');
  auto ok = ParseRefUpdates(a + " " + b + " refs/heads/main\n" + zero + " " + b + " refs/heads/x\n",
                            false);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->size(), 2u);
  EXPECT_FALSE(ParseRefUpdates(a + " " + b + "\n", false).ok());
  EXPECT_FALSE(ParseRefUpdates("xyz " + b + " refs/heads/main\n", false).ok());
  auto pp = ParseRefUpdates("refs/heads/main " + b + " refs/heads/main " + a + "\n", true);
  ASSERT_TRUE(pp.ok());
  EXPECT_EQ((*pp)[0].new_id, b);
  EXPECT_EQ((*pp)[0].old_id, a);
  auto bad = ParseRefUpdates(a + " " + b + " refs/heads/main\nnope\n", false);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().line, 2);
}

TEST(GitSinceTest, Formats) {
  EXPECT_EQ(*ParseSince("1970-01-02", 0), 86400);
  EXPECT_EQ(*ParseSince("1970-01-01T01:00:00Z", 0), 3600);
  EXPECT_EQ(*ParseSince("2 days ago", 1000000), 1000000 - 2 * 86400);
  EXPECT_FALSE(ParseSince("yesterday-ish", 0).ok());
}

}  // namespace
}  // namespace gatehouse
