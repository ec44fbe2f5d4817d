// End-to-end tests of `gatehouse ledger ...` through the real binary:
// every subcommand, JSON shapes, exit codes and error messages.
#include <sqlite3.h>
#include <sys/stat.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>

#include "gatehouse/ledger.h"
#include "test_util.h"

namespace gatehouse {
namespace {

using nlohmann::json;
using testing::Gatehouse;
using testing::RunCommand;
using testing::TempDir;
using testing::WriteFile;

class LedgerCliTest : public ::testing::Test {
 protected:
  std::string Db() const { return dir_ / "audit.db"; }
  testing::CommandResult Run(const std::string& args, const std::string& in = "") {
    return RunCommand(Gatehouse() + " ledger " + args, in);
  }
  testing::CommandResult Ledger(const std::string& sub, const std::string& args,
                                const std::string& in = "") {
    return Run(sub + " --db '" + Db() + "' " + args, in);
  }
  json Json(const testing::CommandResult& r) {
    auto j = json::parse(r.out, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << r.out << r.err;
    return j;
  }
  void Keygen(const std::string& name, const std::string& prefix, bool witness = false) {
    auto r = Run("keygen --name " + name + " --out '" + (dir_ / prefix) + "'" +
                 (witness ? " --witness" : ""));
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  std::string Path(const std::string& rel) const { return dir_ / rel; }
  TempDir dir_;
};

TEST_F(LedgerCliTest, AppendRootProveConsistencyExport) {
  auto a = Ledger("append",
                  "--create --format json --kind deploy --actor alice --reason 'release 1.2' "
                  "--subject svc/api --payload '{\"version\":\"1.2\"}'");
  ASSERT_EQ(a.exit_code, 0) << a.err;
  json j = Json(a);
  EXPECT_EQ(j["index"], 0);
  EXPECT_EQ(j["size"], 1);
  EXPECT_EQ(j["appended"], 1);

  std::string lines;
  for (int i = 0; i < 9; ++i)
    lines += "{\"kind\":\"gate-decision\",\"actor\":\"ci\",\"subject\":\"build-" +
             std::to_string(i) + "\",\"payload\":{\"allow\":" + (i % 2 ? "true" : "false") + "}}\n";
  auto b = Ledger("append", "--format json", lines);
  ASSERT_EQ(b.exit_code, 0) << b.err;
  j = Json(b);
  EXPECT_EQ(j["first_index"], 1);
  EXPECT_EQ(j["last_index"], 9);
  EXPECT_EQ(j["size"], 10);

  auto root = Ledger("root", "--format json");
  ASSERT_EQ(root.exit_code, 0) << root.err;
  json rj = Json(root);
  EXPECT_EQ(rj["size"], 10);
  EXPECT_EQ(rj["root"].get<std::string>().size(), 64u);
  EXPECT_EQ(rj["root"], j["root"]);

  auto p = Ledger("prove", "--index 3 --format json");
  ASSERT_EQ(p.exit_code, 0) << p.err;
  json pj = Json(p);
  EXPECT_EQ(pj["leaf_index"], 3);
  EXPECT_EQ(pj["tree_size"], 10);
  std::vector<ledger::Hash> path;
  for (const auto& h : pj["audit_path"]) path.push_back(*ledger::HashFromHex(h.get<std::string>()));
  EXPECT_TRUE(ledger::VerifyInclusion(3, 10,
                                      *ledger::HashFromHex(pj["leaf_hash"].get<std::string>()),
                                      path, *ledger::HashFromHex(rj["root"].get<std::string>()))
                  .ok());
  auto p6 = Ledger("prove", "--index 3 --size 6 --format json");
  ASSERT_EQ(p6.exit_code, 0) << p6.err;
  EXPECT_EQ(Json(p6)["tree_size"], 6);
  EXPECT_EQ(Ledger("prove", "--index 10").exit_code, 2);

  auto c = Ledger("consistency", "--from 4 --to 10 --format json");
  ASSERT_EQ(c.exit_code, 0) << c.err;
  json cj = Json(c);
  EXPECT_EQ(cj["first"], 4);
  EXPECT_EQ(cj["second"], 10);
  std::vector<ledger::Hash> proof;
  for (const auto& h : cj["proof"]) proof.push_back(*ledger::HashFromHex(h.get<std::string>()));
  EXPECT_TRUE(ledger::VerifyConsistency(4, 10,
                                        *ledger::HashFromHex(cj["first_root"].get<std::string>()),
                                        *ledger::HashFromHex(rj["root"].get<std::string>()), proof)
                  .ok());

  auto e = Ledger("export", "");
  ASSERT_EQ(e.exit_code, 0) << e.err;
  int n = 0;
  std::istringstream in(e.out);
  std::string line;
  while (std::getline(in, line)) {
    json ej = json::parse(line);
    EXPECT_EQ(ej["index"], n);
    auto leaf = ledger::Base64Decode(ej["leaf"].get<std::string>());
    ASSERT_TRUE(leaf);
    EXPECT_EQ(ledger::HashHex(ledger::HashLeaf(*leaf)), ej["leaf_hash"]);
    auto rec = ledger::ParseLeaf(*leaf);
    ASSERT_TRUE(rec.ok());
    // The payload and salt reproduce the leaf's commitment.
    auto salt = ledger::Base64Decode(ej["salt"].get<std::string>());
    EXPECT_EQ(ledger::PayloadDigest(*salt, ej["payload"].dump()), rec->payload_sha256);
    ++n;
  }
  EXPECT_EQ(n, 10);
  auto v = Ledger("verify", "");
  EXPECT_EQ(v.exit_code, 0) << v.out << v.err;
  EXPECT_NE(v.out.find("OK"), std::string::npos);
}

TEST_F(LedgerCliTest, MalformedJsonLineExitsTwoNamingTheLineAndWritesNothing) {
  ASSERT_EQ(Ledger("append", "--create --kind deploy --actor a").exit_code, 0);
  const std::string lines =
      "{\"kind\":\"deploy\",\"actor\":\"a\"}\n"
      "{\"kind\":\"deploy\",\"actor\":\"b\"}\n"
      "{\"kind\":\"deploy\",\"actor\":\"c\",}\n"
      "{\"kind\":\"deploy\",\"actor\":\"d\"}\n";
  auto r = Ledger("append", "", lines);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("stdin:3"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("nothing from this batch was written"), std::string::npos) << r.err;
  auto root = Ledger("root", "--format json");
  EXPECT_EQ(Json(root)["size"], 1);
  // A schema error names its line too.
  auto s = Ledger("append", "", "{\"kind\":\"deploy\",\"actor\":\"a\"}\n{\"kind\":\"deploy\"}\n");
  EXPECT_EQ(s.exit_code, 2);
  EXPECT_NE(s.err.find("stdin:2"), std::string::npos) << s.err;
  EXPECT_EQ(Json(Ledger("root", "--format json"))["size"], 1);
  EXPECT_EQ(Ledger("append", "", "").exit_code, 2);  // no entries at all
}

TEST_F(LedgerCliTest, MissingDatabaseIsAClearErrorUnlessCreate) {
  auto r = Ledger("root", "");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("does not exist"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("--create"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(Db()));
  auto a = Ledger("append", "--kind deploy --actor a");
  EXPECT_EQ(a.exit_code, 2);
  EXPECT_FALSE(std::filesystem::exists(Db()));
  auto none = Run("root");
  EXPECT_EQ(none.exit_code, 2);
  EXPECT_NE(none.err.find("--db"), std::string::npos) << none.err;
  auto env = RunCommand("GATEHOUSE_LEDGER_DB='" + Db() + "' " + Gatehouse() +
                        " ledger append --create --kind deploy --actor a");
  EXPECT_EQ(env.exit_code, 0) << env.err;
}

TEST_F(LedgerCliTest, CheckpointsVerifyAndWrongKeysFailWithReasons) {
  Keygen("ledger.example/prod", "log");
  Keygen("ledger.example/prod", "impostor");
  Keygen("witness.example/w1", "w1", true);
  EXPECT_EQ(Run("keygen --name ledger.example/prod --out '" + Path("log") + "'").exit_code, 2)
      << "keygen must not overwrite a key";
  struct stat st {};
  ASSERT_EQ(::stat(Path("log.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  ASSERT_EQ(Ledger("append", "--create --kind deploy --actor a --subject x").exit_code, 0);
  auto cp = Ledger("checkpoint", "--key '" + Path("log.key") + "' -o '" + Path("cp.txt") + "'");
  ASSERT_EQ(cp.exit_code, 0) << cp.err;
  const std::string note = testing::ReadAll(Path("cp.txt"));
  EXPECT_TRUE(note.starts_with("ledger.example/prod\n1\n")) << note;
  EXPECT_NE(note.find("\n\n\xE2\x80\x94 ledger.example/prod "), std::string::npos);

  auto ok = Ledger("verify-checkpoint",
                   "--key '" + Path("log.pub") + "' --checkpoint '" + Path("cp.txt") + "'");
  EXPECT_EQ(ok.exit_code, 0) << ok.out << ok.err;
  auto wrong = Run("verify-checkpoint --key '" + Path("impostor.pub") + "' --format json", note);
  EXPECT_EQ(wrong.exit_code, 1);
  json wj = Json(wrong);
  EXPECT_EQ(wj["ok"], false);
  EXPECT_NE(wj["reason"].get<std::string>().find("no signature by key"), std::string::npos);
  std::string altered = note;
  altered.replace(altered.find("\n1\n"), 3, "\n2\n");
  auto tampered = Run("verify-checkpoint --key '" + Path("log.pub") + "'", altered);
  EXPECT_EQ(tampered.exit_code, 1);
  EXPECT_NE(tampered.out.find("does not verify"), std::string::npos) << tampered.out;

  // Witness cosigning, with state.
  auto co = Ledger("cosign", "--key '" + Path("w1.key") + "' --log-key '" + Path("log.pub") +
                                 "' --checkpoint '" + Path("cp.txt") + "' --state '" +
                                 Path("w1.state") + "' -o '" + Path("cp2.txt") + "'");
  ASSERT_EQ(co.exit_code, 0) << co.err << co.out;
  auto both =
      Ledger("verify-checkpoint", "--key '" + Path("log.pub") + "' --witness '" + Path("w1.pub") +
                                      "' --checkpoint '" + Path("cp2.txt") + "'");
  EXPECT_EQ(both.exit_code, 0) << both.out << both.err;
  auto missing = Run("verify-checkpoint --key '" + Path("log.pub") + "' --witness '" +
                     Path("w1.pub") + "' --checkpoint '" + Path("cp.txt") + "'");
  EXPECT_EQ(missing.exit_code, 1) << missing.out;
  auto v = Ledger("verify", "--key '" + Path("log.pub") + "' --format json");
  EXPECT_EQ(v.exit_code, 0) << v.out;
  EXPECT_EQ(Json(v)["checkpoints"], 1);
  auto vw = Ledger("verify", "--key '" + Path("impostor.pub") + "' --format json");
  EXPECT_EQ(vw.exit_code, 1) << vw.out;
}

TEST_F(LedgerCliTest, VerifyExitsOneNamingTheTamperedEntry) {
  std::string lines;
  for (int i = 0; i < 12; ++i)
    lines += "{\"kind\":\"deploy\",\"actor\":\"ci\",\"subject\":\"s" + std::to_string(i) + "\"}\n";
  ASSERT_EQ(Ledger("append", "--create", lines).exit_code, 0);
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(Db().c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db,
                         "UPDATE ledger_entries SET leaf = CAST(replace(CAST(leaf AS TEXT), "
                         "'\"s4\"', '\"s9\"') AS BLOB) WHERE idx = 4",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  auto v = Ledger("verify", "");
  EXPECT_EQ(v.exit_code, 1);
  EXPECT_NE(v.out.find("FAILED at entry 4"), std::string::npos) << v.out;
  auto vj = Ledger("verify", "--format json");
  EXPECT_EQ(vj.exit_code, 1);
  EXPECT_EQ(Json(vj)["first_bad_index"], 4);
}

TEST_F(LedgerCliTest, BypassPendingApproveAndList) {
  Keygen("approver.example/a", "a");
  Keygen("approver.example/b", "b");
  auto by = Ledger("bypass",
                   "--create --format json --subject gate/slo --reason 'hotfix INC-7' --ticket "
                   "INC-7 --expires 4h --actor oncall");
  ASSERT_EQ(by.exit_code, 0) << by.err;
  json bj = Json(by);
  ASSERT_EQ(bj["pending"].size(), 1u);
  EXPECT_EQ(bj["appended"], 0);
  const std::string id = bj["pending"][0]["id"].get<std::string>().substr(0, 16);

  auto pend = Ledger("pending", "--format json");
  ASSERT_EQ(pend.exit_code, 0);
  json pj = Json(pend);
  ASSERT_EQ(pj["pending"].size(), 1u);
  EXPECT_EQ(pj["pending"][0]["subject"], "gate/slo");
  EXPECT_EQ(pj["pending"][0]["ticket"], "INC-7");

  EXPECT_EQ(Json(Ledger("bypasses", "--active --format json"))["bypasses"].size(), 0u);
  auto a1 = Ledger("approve", "--id " + id + " --key '" + Path("a.key") + "' --format json");
  ASSERT_EQ(a1.exit_code, 0) << a1.err;
  EXPECT_EQ(Json(a1)["appended"], false);
  auto again = Ledger("approve", "--id " + id + " --key '" + Path("a.key") + "'");
  EXPECT_EQ(again.exit_code, 2);
  auto a2 = Ledger("approve", "--id " + id + " --key '" + Path("b.key") + "' --format json");
  ASSERT_EQ(a2.exit_code, 0) << a2.err;
  EXPECT_EQ(Json(a2)["appended"], true);
  EXPECT_EQ(Json(a2)["index"], 0);

  auto list = Ledger("bypasses", "--active --format json");
  ASSERT_EQ(list.exit_code, 0);
  json lj = Json(list);
  ASSERT_EQ(lj["bypasses"].size(), 1u);
  EXPECT_EQ(lj["bypasses"][0]["subject"], "gate/slo");
  EXPECT_EQ(lj["bypasses"][0]["active"], true);
  EXPECT_EQ(lj["bypasses"][0]["approved_by"].size(), 2u);

  // With approvals inline it is appended at once.
  auto quick = Ledger("bypass",
                      "--subject gate/cov --reason r --ticket T-1 --expires 30m "
                      "--actor x --approve-key '" +
                          Path("a.key") + "' --approve-key '" + Path("b.key") + "' --format json");
  ASSERT_EQ(quick.exit_code, 0) << quick.err;
  EXPECT_EQ(Json(quick)["appended"], 1);
  EXPECT_EQ(
      Ledger("bypass", "--subject s --reason r --ticket t --expires soon --actor x").exit_code, 2);
  EXPECT_EQ(Ledger("verify", "").exit_code, 0);
}

TEST_F(LedgerCliTest, PolicyAndRetention) {
  Keygen("approver.example/a", "a");
  Keygen("approver.example/b", "b");
  auto show = Ledger("policy", "--create --format json");
  ASSERT_EQ(show.exit_code, 0) << show.err;
  EXPECT_EQ(Json(show)["quorum"], 2);
  auto set =
      Ledger("policy", "--set --approver '" + Path("a.pub") + "' --approver '" + Path("b.pub") +
                           "' --dual-control bypass --actor admin "
                           "--approve-key '" +
                           Path("a.key") + "' --approve-key '" + Path("b.key") + "' --format json");
  ASSERT_EQ(set.exit_code, 0) << set.err;
  EXPECT_EQ(Json(set)["appended"], 1);
  auto now = Ledger("policy", "--format json");
  EXPECT_EQ(Json(now)["approvers"].size(), 2u);

  ASSERT_EQ(Ledger("append",
                   "--kind secret-read --actor svc --subject vault/x --time "
                   "2020-01-01T00:00:00Z --payload '{\"ip\":\"10.1.2.3\"}'")
                .exit_code,
            0);
  auto dry = Ledger("redact", "--older-than 365d --actor ops --dry-run --format json");
  ASSERT_EQ(dry.exit_code, 0) << dry.err;
  EXPECT_EQ(Json(dry)["redacted"], 1);
  auto red = Ledger("redact", "--older-than 365d --actor ops --reason gdpr --format json");
  ASSERT_EQ(red.exit_code, 0) << red.err;
  EXPECT_EQ(Json(red)["redacted"], 1);
  EXPECT_FALSE(Json(red)["record_index"].is_null());
  auto e = Ledger("export", "--from 1 --to 2");
  json ej = json::parse(e.out);
  EXPECT_EQ(ej["redacted"], true);
  EXPECT_TRUE(ej["payload"].is_null());
  EXPECT_EQ(Ledger("verify", "").exit_code, 0);
}

TEST_F(LedgerCliTest, HelpListsEveryCommand) {
  auto h = Run("--help");
  EXPECT_EQ(h.exit_code, 0);
  for (const char* cmd : {"append", "root", "prove", "consistency", "export", "verify", "keygen",
                          "checkpoint", "verify-checkpoint", "cosign", "pending", "approve",
                          "bypass", "bypasses", "redact", "policy"})
    EXPECT_NE(h.out.find(cmd), std::string::npos) << cmd;
  EXPECT_EQ(Run("frobnicate").exit_code, 2);
  EXPECT_EQ(Ledger("root", "--format yaml").exit_code, 2);
}

}  // namespace
}  // namespace gatehouse
