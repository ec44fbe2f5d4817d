// The same suite against both stores: SQLite (a temp file) and PostgreSQL (a
// real server the tests start themselves, see ledger_test_util.h). Covers
// appends and proofs against the naive reference, O(log n) reads,
// all-or-nothing batches, tampering made directly in SQL, checkpoints,
// witnesses, dual control, bypasses, retention, SIGKILLed writers and
// concurrent writer processes.
#include <sqlite3.h>

#include <gtest/gtest.h>

#include <bit>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <set>

#include "gatehouse/ledger.h"
#include "ledger/internal.h"
#include "ledger_test_util.h"

namespace gatehouse::ledger {
namespace {

using testing::Gatehouse;
using testing::PgServer;
using testing::TempDir;

EntryInput Entry(std::string kind, std::string subject, std::string payload = "") {
  EntryInput e;
  e.kind = std::move(kind);
  e.actor = "tester";
  e.reason = "testing";
  e.subject = std::move(subject);
  e.time = "2024-05-01T12:00:00Z";
  e.payload = std::move(payload);
  return e;
}

class LedgerBackendTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "sqlite") {
      db_ = dir_ / "ledger.db";
    } else {
      PgServer& pg = PgServer::Instance();
      ASSERT_TRUE(pg.ok()) << pg.error();
      db_ = pg.CreateDatabase();
      ASSERT_FALSE(db_.empty()) << pg.error();
    }
  }

  bool pg() const { return GetParam() == "postgres"; }

  std::unique_ptr<Ledger> Open(bool create = true) {
    LedgerOptions opt;
    opt.create = create;
    opt.clock = [this] { return now_; };
    auto l = Ledger::Open(db_, opt);
    EXPECT_TRUE(l.ok()) << l.error().ToString();
    return l.ok() ? std::move(*l) : nullptr;
  }

  // Runs SQL straight against the database, behind the ledger's back.
  void Sql(const std::string& sql) {
    if (pg()) {
      pqxx::connection c(db_);
      pqxx::work w(c);
      w.exec0(sql);
      w.commit();
      return;
    }
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(db_.c_str(), &db), SQLITE_OK);
    sqlite3_busy_timeout(db, 10000);
    char* err = nullptr;
    int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
    std::string msg = err ? err : "";
    sqlite3_free(err);
    sqlite3_close(db);
    ASSERT_EQ(rc, SQLITE_OK) << msg << "\n" << sql;
  }

  // A binary literal in the backend's dialect.
  std::string Blob(std::string_view bytes) const {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string hex;
    for (char ch : bytes) {
      hex += kHex[static_cast<unsigned char>(ch) >> 4];
      hex += kHex[static_cast<unsigned char>(ch) & 15];
    }
    return pg() ? "'\\x" + hex + "'::bytea" : "X'" + hex + "'";
  }

  std::vector<ExportedEntry> ExportAll(Ledger& l) {
    std::vector<ExportedEntry> out;
    Status st = l.Export(0, std::nullopt, [&](const ExportedEntry& e) {
      out.push_back(e);
      return Status::Ok();
    });
    EXPECT_TRUE(st.ok());
    return out;
  }

  // Appends `n` plain entries (every third with a payload), then returns the report.
  void Fill(Ledger& l, int n) {
    std::vector<EntryInput> batch;
    for (int i = 0; i < n; ++i)
      batch.push_back(Entry("deploy", "svc-" + std::to_string(i),
                            i % 3 == 0 ? "{\"version\":" + std::to_string(i) + "}" : ""));
    auto r = l.Append(batch);
    ASSERT_TRUE(r.ok()) << r.error().ToString();
  }

  VerifyReport MustVerify(Ledger& l, const VerifyOptions& opt = {}) {
    auto r = l.Verify(opt);
    EXPECT_TRUE(r.ok()) << r.error().ToString();
    return r.ok() ? *r : VerifyReport{};
  }

  static std::optional<uint64_t> FirstBad(const VerifyReport& r) {
    for (const auto& p : r.problems)
      if (p.index) return p.index;
    return std::nullopt;
  }
  static std::string Problems(const VerifyReport& r) {
    std::string s;
    for (const auto& p : r.problems)
      s += (p.index ? "[" + std::to_string(*p.index) + "] " : "[-] ") + p.message + "\n";
    return s;
  }

  TempDir dir_;
  std::string db_;
  int64_t now_ = 1714564800;  // 2024-05-01T12:00:00Z
};

TEST_P(LedgerBackendTest, AppendsProofsAndRootsMatchTheNaiveTree) {
  auto l = Open();
  ASSERT_TRUE(l);
  std::vector<Hash> leaves;
  std::vector<uint64_t> sizes = {0};
  std::mt19937 rng(3);
  while (leaves.size() < 70) {
    const int batch = 1 + static_cast<int>(rng() % 9);
    std::vector<EntryInput> in;
    for (int i = 0; i < batch; ++i)
      in.push_back(Entry("gate-decision", "s" + std::to_string(leaves.size() + i),
                         i % 2 ? "{\"allow\":true}" : ""));
    auto r = l->Append(in);
    ASSERT_TRUE(r.ok()) << r.error().ToString();
    ASSERT_EQ(r->items.size(), in.size());
    for (const auto& item : r->items) {
      ASSERT_TRUE(item.appended);
      ASSERT_EQ(item.index, leaves.size());
      leaves.push_back(item.leaf_hash);
    }
    EXPECT_EQ(r->head.size, leaves.size());
    EXPECT_EQ(r->head.root, testing::NaiveMth(leaves, 0, leaves.size()));
    sizes.push_back(leaves.size());
  }
  // Leaf hashes really are SHA-256(0x00 || exported leaf bytes).
  auto exported = ExportAll(*l);
  ASSERT_EQ(exported.size(), leaves.size());
  for (size_t i = 0; i < exported.size(); ++i) {
    EXPECT_EQ(exported[i].index, i);
    EXPECT_EQ(HashLeaf(exported[i].leaf), leaves[i]);
    auto rec = ParseLeaf(exported[i].leaf);
    ASSERT_TRUE(rec.ok());
    EXPECT_EQ(rec->index, i);
  }
  const uint64_t n = leaves.size();
  for (uint64_t size : {n, uint64_t{37}, uint64_t{1}}) {
    const Hash root = testing::NaiveMth(leaves, 0, size);
    auto r = l->RootAt(size);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(*r, root);
    for (uint64_t i = 0; i < size; ++i) {
      auto p = l->Prove(i, size);
      ASSERT_TRUE(p.ok()) << p.error().ToString();
      std::vector<Hash> naive;
      testing::NaivePath(leaves, i, 0, size, &naive);
      EXPECT_EQ(p->path, naive) << i << "/" << size;
      EXPECT_EQ(p->root, root);
      EXPECT_EQ(p->leaf_hash, leaves[i]);
      EXPECT_TRUE(VerifyInclusion(i, size, leaves[i], p->path, root).ok());
    }
  }
  for (uint64_t a : sizes)
    for (uint64_t b : sizes) {
      if (a > b) continue;
      auto c = l->Consistency(a, b);
      ASSERT_TRUE(c.ok()) << a << "->" << b << ": " << c.error().ToString();
      EXPECT_EQ(c->path, testing::NaiveConsistency(leaves, a, b)) << a << "->" << b;
      EXPECT_TRUE(VerifyConsistency(a, b, c->first_root, c->second_root, c->path).ok());
    }
  EXPECT_FALSE(l->Prove(n, std::nullopt).ok());
  EXPECT_FALSE(l->Prove(0, n + 1).ok());
  EXPECT_FALSE(l->Consistency(5, 4).ok());
  EXPECT_TRUE(MustVerify(*l).ok()) << Problems(MustVerify(*l));
}

TEST_P(LedgerBackendTest, ProofsReadLogarithmicallyManyStoredNodes) {
  auto l = Open();
  ASSERT_TRUE(l);
  std::vector<EntryInput> batch;
  for (int i = 0; i < 3000; ++i) batch.push_back(Entry("deploy", "s"));
  ASSERT_TRUE(l->Append(batch).ok());
  for (uint64_t i : {uint64_t{0}, uint64_t{1234}, uint64_t{2999}}) {
    const auto before = l->stats();
    auto p = l->Prove(i, std::nullopt);
    ASSERT_TRUE(p.ok());
    const uint64_t reads = l->stats().nodes_read - before.nodes_read;
    EXPECT_LE(reads, 2u * 12u + 2u) << "index " << i;  // log2(3000) < 12
    EXPECT_EQ(l->stats().node_batches - before.node_batches, 1u);
  }
  const auto before = l->stats();
  ASSERT_TRUE(l->Consistency(1000, 3000).ok());
  EXPECT_LE(l->stats().nodes_read - before.nodes_read, 40u);
}

TEST_P(LedgerBackendTest, BatchesAreAllOrNothing) {
  auto l = Open();
  ASSERT_TRUE(l);
  Fill(*l, 5);
  std::vector<EntryInput> batch = {Entry("deploy", "a"), Entry("deploy", "b"),
                                   Entry("deploy", "c")};
  batch[2].time = "not a time";
  auto r = l->Append(batch);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().line, 3);
  EXPECT_NE(r.error().message.find("entry 3"), std::string::npos);
  // An invalid approval signature also rejects the whole batch.
  auto key = SignerKey::Generate("approver.example/a");
  ASSERT_TRUE(key.ok());
  batch[2].time.clear();
  batch[1].approvals.push_back(Approval{key->verifier(), std::string(64, 'x')});
  r = l->Append(batch);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("does not verify"), std::string::npos);
  auto head = l->Head();
  ASSERT_TRUE(head.ok());
  EXPECT_EQ(head->size, 5u);
  EXPECT_TRUE(MustVerify(*l).ok());
}

TEST_P(LedgerBackendTest, MissingDatabaseIsAnErrorWithoutCreate) {
  LedgerOptions opt;
  auto l = Ledger::Open(db_, opt);
  ASSERT_FALSE(l.ok());
  EXPECT_NE(l.error().message.find("--create"), std::string::npos) << l.error().message;
  if (!pg()) {
    EXPECT_FALSE(std::filesystem::exists(db_)) << "opening must not create the file";
    testing::WriteFile(dir_ / "other.txt", "this is not a database, just text, long enough......");
    auto t = Ledger::Open(dir_ / "other.txt", opt);
    ASSERT_FALSE(t.ok());
  }
  ASSERT_TRUE(Open(true));
  EXPECT_TRUE(Ledger::Open(db_, opt).ok());  // exists now
}

TEST_P(LedgerBackendTest, TamperedLeafIsNamed) {
  auto l = Open();
  ASSERT_TRUE(l);
  Fill(*l, 20);
  ASSERT_TRUE(MustVerify(*l).ok());
  auto e = ExportAll(*l);
  std::string leaf = e[7].leaf;
  leaf.replace(leaf.find("svc-7"), 5, "svc-X");
  Sql("UPDATE ledger_entries SET leaf = " + Blob(leaf) + " WHERE idx = 7");
  auto rep = MustVerify(*l);
  ASSERT_FALSE(rep.ok());
  EXPECT_EQ(FirstBad(rep), 7u) << Problems(rep);
  EXPECT_NE(rep.problems[0].message.find("leaf bytes do not match"), std::string::npos);
}

TEST_P(LedgerBackendTest, LeafRewrittenWithItsHashIsCaughtByTheTree) {
  auto l = Open();
  ASSERT_TRUE(l);
  Fill(*l, 20);
  auto e = ExportAll(*l);
  std::string leaf = e[7].leaf;
  leaf.replace(leaf.find("svc-7"), 5, "svc-X");
  Sql("UPDATE ledger_entries SET leaf = " + Blob(leaf) +
      ", leaf_hash = " + Blob(HashBytes(HashLeaf(leaf))) + ", subject = 'svc-X' WHERE idx = 7");
  auto rep = MustVerify(*l);
  ASSERT_FALSE(rep.ok());
  // The smallest stored subtree over entry 7 is entries 6..7.
  EXPECT_EQ(FirstBad(rep), 6u) << Problems(rep);
  EXPECT_NE(rep.problems[0].message.find("entries 6..7"), std::string::npos) << Problems(rep);
}

TEST_P(LedgerBackendTest, DeletedRowIsNamed) {
  auto l = Open();
  ASSERT_TRUE(l);
  Fill(*l, 20);
  Sql("DELETE FROM ledger_entries WHERE idx = 5");
  auto rep = MustVerify(*l);
  ASSERT_FALSE(rep.ok());
  EXPECT_EQ(FirstBad(rep), 5u) << Problems(rep);
  EXPECT_NE(rep.problems[0].message.find("missing"), std::string::npos);
  // Appending onto a damaged right edge is refused rather than building on it.
  Sql("UPDATE ledger_nodes SET hash = " + Blob(std::string(32, 'z')) +
      " WHERE level = 4 AND idx = 0");
  auto r = l->Append({Entry("deploy", "after")});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("refusing to append"), std::string::npos);
}

TEST_P(LedgerBackendTest, DeletedTailIsNamed) {
  auto l = Open();
  ASSERT_TRUE(l);
  Fill(*l, 20);
  Sql("DELETE FROM ledger_entries WHERE idx >= 17");
  auto rep = MustVerify(*l);
  ASSERT_FALSE(rep.ok());
  EXPECT_EQ(FirstBad(rep), 17u) << Problems(rep);
}

TEST_P(LedgerBackendTest, SwappedRowsAreNamed) {
  auto l = Open();
  ASSERT_TRUE(l);
  Fill(*l, 20);
  Sql("UPDATE ledger_entries SET idx = -1 WHERE idx = 3");
  Sql("UPDATE ledger_entries SET idx = 3 WHERE idx = 9");
  Sql("UPDATE ledger_entries SET idx = 9 WHERE idx = -1");
  auto rep = MustVerify(*l);
  ASSERT_FALSE(rep.ok());
  EXPECT_EQ(FirstBad(rep), 3u) << Problems(rep);
  bool named = false;
  for (const auto& p : rep.problems)
    if (p.index == 3u && p.message.find("records index 9") != std::string::npos) named = true;
  EXPECT_TRUE(named) << Problems(rep);
}

TEST_P(LedgerBackendTest, TamperedPayloadNodeAndExtraRowsAreNamed) {
  auto l = Open();
  ASSERT_TRUE(l);
  Fill(*l, 20);
  Sql("UPDATE ledger_entries SET payload = " + Blob("{\"version\":999}") + " WHERE idx = 9");
  auto rep = MustVerify(*l);
  ASSERT_FALSE(rep.ok());
  EXPECT_EQ(FirstBad(rep), 9u) << Problems(rep);
  EXPECT_NE(rep.problems[0].message.find("payload does not match"), std::string::npos);
  Sql("UPDATE ledger_entries SET payload = " + Blob("{\"version\":9}") + " WHERE idx = 9");
  ASSERT_TRUE(MustVerify(*l).ok()) << Problems(MustVerify(*l));

  Sql("UPDATE ledger_nodes SET hash = " + Blob(std::string(32, 'z')) +
      " WHERE level = 2 AND idx = 2");
  rep = MustVerify(*l);
  ASSERT_FALSE(rep.ok());
  EXPECT_EQ(FirstBad(rep), 8u) << Problems(rep);  // level 2, index 2 = entries 8..11
}

TEST_P(LedgerBackendTest, RowBeyondTheHeadIsNamed) {
  auto l = Open();
  ASSERT_TRUE(l);
  Fill(*l, 6);
  auto e = ExportAll(*l);
  Sql("INSERT INTO ledger_entries(idx, leaf, leaf_hash, kind, subject, time, expires, redacted) "
      "VALUES (6, " +
      Blob(e[5].leaf) + ", " + Blob(HashBytes(e[5].leaf_hash)) + ", 'deploy', 'x', 0, 0, " +
      (pg() ? "false" : "0") + ")");
  auto rep = MustVerify(*l);
  ASSERT_FALSE(rep.ok());
  EXPECT_EQ(FirstBad(rep), 6u) << Problems(rep);
}

TEST_P(LedgerBackendTest, CheckpointsCatchAConsistentRewrite) {
  auto l = Open();
  ASSERT_TRUE(l);
  Fill(*l, 10);
  auto key = SignerKey::Generate("ledger.example/test");
  auto other = SignerKey::Generate("ledger.example/test");
  ASSERT_TRUE(key.ok() && other.ok());
  auto note = l->SignCheckpoint(*key);
  ASSERT_TRUE(note.ok()) << note.error().ToString();
  auto parsed = ParseNote(*note);
  ASSERT_TRUE(parsed.ok());
  EXPECT_TRUE(VerifyNoteSignature(*parsed, key->verifier()).ok());
  auto cp = ParseCheckpointText(parsed->text);
  ASSERT_TRUE(cp.ok());
  EXPECT_EQ(cp->origin, "ledger.example/test");
  EXPECT_EQ(cp->size, 10u);
  EXPECT_TRUE(l->MatchCheckpoint(*cp).ok());
  Fill(*l, 5);
  EXPECT_TRUE(l->MatchCheckpoint(*cp).ok());  // still a prefix
  ASSERT_TRUE(l->SignCheckpoint(*key).ok());
  EXPECT_FALSE(l->SignCheckpoint(*key, "other.example/origin").ok());

  VerifyOptions trusted;
  trusted.log_keys = {key->verifier()};
  auto rep = MustVerify(*l, trusted);
  EXPECT_TRUE(rep.ok()) << Problems(rep);
  EXPECT_EQ(rep.checkpoints, 2u);
  VerifyOptions wrong;
  wrong.log_keys = {other->verifier()};
  rep = MustVerify(*l, wrong);
  ASSERT_FALSE(rep.ok());
  EXPECT_NE(rep.problems[0].message.find("no signature by key"), std::string::npos);

  // Rewrite everything consistently from entry 2 on: only the checkpoints know.
  std::vector<EntryInput> replay;
  for (size_t i = 0; i < 15; ++i) replay.push_back(Entry("deploy", i == 2 ? "forged" : "svc"));
  TempDir other_dir;
  LedgerOptions opt;
  opt.create = true;
  auto forged = Ledger::Open(other_dir / "forged.db", opt);
  ASSERT_TRUE(forged.ok());
  ASSERT_TRUE((*forged)->Append(replay).ok());
  auto forged_entries = ExportAll(**forged);
  Sql("DELETE FROM ledger_entries");
  Sql("DELETE FROM ledger_nodes");
  for (const auto& fe : forged_entries) {
    auto rec = ParseLeaf(fe.leaf);
    Sql("INSERT INTO ledger_entries(idx, leaf, leaf_hash, kind, subject, time, expires, redacted) "
        "VALUES (" +
        std::to_string(fe.index) + ", " + Blob(fe.leaf) + ", " + Blob(HashBytes(fe.leaf_hash)) +
        ", 'deploy', " + "'" + rec->subject + "', " + std::to_string(*ParseRfc3339(rec->time)) +
        ", 0, " + (pg() ? "false" : "0") + ")");
  }
  MerkleFrontier f;
  for (const auto& fe : forged_entries)
    f.Append(fe.leaf_hash, [&](const NodeId& id, const Hash& h) {
      Sql("INSERT INTO ledger_nodes(level, idx, hash) VALUES (" + std::to_string(id.level) + ", " +
          std::to_string(id.index) + ", " + Blob(HashBytes(h)) + ")");
    });
  Sql("UPDATE ledger_head SET root = " + Blob(HashBytes(f.Root())) + " WHERE id = 1");
  rep = MustVerify(*l, trusted);
  ASSERT_FALSE(rep.ok());
  EXPECT_NE(Problems(rep).find("no longer matches the checkpoint"), std::string::npos)
      << Problems(rep);
  EXPECT_FALSE(l->MatchCheckpoint(*cp).ok());
  EXPECT_FALSE(l->SignCheckpoint(*key).ok());  // never sign an inconsistent tree
}

TEST_P(LedgerBackendTest, WitnessCosignsOnlyConsistentCheckpoints) {
  auto l = Open();
  ASSERT_TRUE(l);
  auto log = SignerKey::Generate("ledger.example/w");
  auto witness = SignerKey::Generate("witness.example/1", KeyType::kCosignatureV1);
  ASSERT_TRUE(log.ok() && witness.ok());
  Fill(*l, 7);
  auto n1 = l->SignCheckpoint(*log);
  ASSERT_TRUE(n1.ok());
  WitnessState state{0, EmptyRoot()};
  auto c1 = l->Cosign(*n1, log->verifier(), *witness, &state);
  ASSERT_TRUE(c1.ok()) << c1.error().ToString();
  EXPECT_EQ(state.size, 7u);
  auto parsed = ParseNote(*c1);
  ASSERT_TRUE(parsed.ok());
  EXPECT_TRUE(VerifyCosignature(*parsed, witness->verifier()).ok());
  // The ledger's copy carries the cosignature too.
  auto stored = l->Checkpoints();
  ASSERT_TRUE(stored.ok());
  ASSERT_EQ(stored->size(), 1u);
  auto stored_note = ParseNote(stored->front().note);
  ASSERT_TRUE(stored_note.ok());
  EXPECT_TRUE(VerifyCosignature(*stored_note, witness->verifier()).ok());

  Fill(*l, 9);
  auto n2 = l->SignCheckpoint(*log);
  ASSERT_TRUE(n2.ok());
  ASSERT_TRUE(l->Cosign(*n2, log->verifier(), *witness, &state).ok());
  EXPECT_EQ(state.size, 16u);
  // Older than what the witness has seen: refused.
  auto again = l->Cosign(*n1, log->verifier(), *witness, &state);
  ASSERT_FALSE(again.ok());
  EXPECT_NE(again.error().message.find("older"), std::string::npos);
  // A checkpoint signed by some other key: refused with the reason.
  auto impostor = SignerKey::Generate("ledger.example/w");
  ASSERT_TRUE(impostor.ok());
  auto bad = l->Cosign(*n2, impostor->verifier(), *witness, &state);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("no signature by key"), std::string::npos);
  // A split view (same size, different root) is refused.
  WitnessState fake{16, HashLeaf("other")};
  EXPECT_FALSE(l->Cosign(*n2, log->verifier(), *witness, &fake).ok());
}

TEST_P(LedgerBackendTest, DualControlNeedsTwoDistinctApprovals) {
  auto l = Open();
  ASSERT_TRUE(l);
  auto a = SignerKey::Generate("approver.example/a");
  auto b = SignerKey::Generate("approver.example/b");
  ASSERT_TRUE(a.ok() && b.ok());
  EntryInput del = Entry("delete-request", "artifact/old", "{\"what\":\"old images\"}");
  auto r = l->Append({del});
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  ASSERT_EQ(r->items.size(), 1u);
  EXPECT_FALSE(r->items[0].appended);
  EXPECT_EQ(r->items[0].needed, 2);
  EXPECT_EQ(r->head.size, 0u);
  const std::string id = r->items[0].pending_id;
  auto pending = l->Pending();
  ASSERT_TRUE(pending.ok());
  ASSERT_EQ(pending->size(), 1u);
  EXPECT_EQ((*pending)[0].record.subject, "artifact/old");
  ASSERT_TRUE((*pending)[0].payload);

  auto first = l->Approve(id.substr(0, 12), *a);
  ASSERT_TRUE(first.ok()) << first.error().ToString();
  EXPECT_EQ(first->approvals, 1);
  EXPECT_FALSE(first->index);
  auto dup = l->Approve(id, *a);
  ASSERT_FALSE(dup.ok());
  EXPECT_NE(dup.error().message.find("distinct"), std::string::npos);
  auto second = l->Approve(id, *b);
  ASSERT_TRUE(second.ok()) << second.error().ToString();
  ASSERT_TRUE(second->index);
  EXPECT_EQ(*second->index, 0u);
  EXPECT_TRUE(l->Pending()->empty());
  auto e = ExportAll(*l);
  ASSERT_EQ(e.size(), 1u);
  auto rec = ParseLeaf(e[0].leaf);
  ASSERT_TRUE(rec.ok());
  EXPECT_EQ(rec->approvals.size(), 2u);
  auto rep = MustVerify(*l);
  EXPECT_TRUE(rep.ok()) << Problems(rep);
  EXPECT_EQ(rep.approvals, 2u);
  EXPECT_FALSE(l->Approve("deadbeef", *a).ok());

  // Inline approvals append at once; one key twice does not make two.
  auto inline_two = l->Append({Entry("delete-request", "x")}, std::vector<SignerKey>{*a, *b});
  ASSERT_TRUE(inline_two.ok());
  EXPECT_TRUE(inline_two->items[0].appended);
  auto inline_same = l->Append({Entry("delete-request", "y")}, std::vector<SignerKey>{*a, *a});
  ASSERT_TRUE(inline_same.ok());
  EXPECT_FALSE(inline_same->items[0].appended);
  EXPECT_EQ(inline_same->items[0].approvals, 1);

  // Stripping an approval from a stored leaf is caught.
  auto e1 = ExportAll(*l)[1];
  auto r1 = ParseLeaf(e1.leaf);
  r1->approvals.pop_back();
  const std::string stripped = LeafBytes(*r1);
  Sql("UPDATE ledger_entries SET leaf = " + Blob(stripped) +
      ", leaf_hash = " + Blob(HashBytes(HashLeaf(stripped))) + " WHERE idx = 1");
  rep = MustVerify(*l);
  ASSERT_FALSE(rep.ok());
  EXPECT_EQ(FirstBad(rep), 1u) << Problems(rep);
  EXPECT_NE(Problems(rep).find("valid approvals"), std::string::npos) << Problems(rep);
}

TEST_P(LedgerBackendTest, PolicyRestrictsWhoMayApprove) {
  auto l = Open();
  ASSERT_TRUE(l);
  auto a = SignerKey::Generate("approver.example/a");
  auto b = SignerKey::Generate("approver.example/b");
  auto c = SignerKey::Generate("approver.example/c");
  auto mallory = SignerKey::Generate("mallory.example/m");
  ASSERT_TRUE(a.ok() && b.ok() && c.ok() && mallory.ok());
  Policy p;
  p.quorum = 2;
  p.dual_control = {"bypass", "delete-request", "secret-access"};
  p.approvers = {a->verifier(), b->verifier(), c->verifier()};
  EntryInput pe = Entry("ledger-policy", "", PolicyPayload(p));
  auto set = l->Append({pe}, std::vector<SignerKey>{*a, *b});
  ASSERT_TRUE(set.ok()) << set.error().ToString();
  ASSERT_TRUE(set->items[0].appended);
  auto current = l->CurrentPolicy();
  ASSERT_TRUE(current.ok());
  EXPECT_EQ(current->approvers.size(), 3u);
  EXPECT_EQ(current->index, 0u);

  auto untrusted =
      l->Append({Entry("secret-access", "db/password")}, std::vector<SignerKey>{*a, *mallory});
  ASSERT_FALSE(untrusted.ok());
  EXPECT_NE(untrusted.error().message.find("not from an approver"), std::string::npos);
  auto pend = l->Append({Entry("secret-access", "db/password")});
  ASSERT_TRUE(pend.ok());
  ASSERT_FALSE(pend->items[0].appended);
  EXPECT_FALSE(l->Approve(pend->items[0].pending_id, *mallory).ok());
  ASSERT_TRUE(l->Approve(pend->items[0].pending_id, *b).ok());
  auto done = l->Approve(pend->items[0].pending_id, *c);
  ASSERT_TRUE(done.ok());
  EXPECT_TRUE(done->index);
  auto rep = MustVerify(*l);
  EXPECT_TRUE(rep.ok()) << Problems(rep);
  // Forging the policy cache is caught by verify (it replays the log).
  Policy loose;
  Sql("UPDATE ledger_meta SET value = '" + PolicyPayload(loose) + "' WHERE key = 'policy'");
  rep = MustVerify(*l);
  EXPECT_FALSE(rep.ok());
}

TEST_P(LedgerBackendTest, BypassesAreTimeBoundAndNeedApproval) {
  auto l = Open();
  ASSERT_TRUE(l);
  auto a = SignerKey::Generate("approver.example/a");
  auto b = SignerKey::Generate("approver.example/b");
  ASSERT_TRUE(a.ok() && b.ok());
  EntryInput by = Entry("bypass", "gate/slo-burn");
  by.time = FormatRfc3339(now_);
  by.ticket = "INC-42";
  by.reason = "hotfix for the outage";
  by.expires = FormatRfc3339(now_ + 4 * 3600);
  auto r = l->Append({by}, std::vector<SignerKey>{*a, *b});
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  ASSERT_TRUE(r->items[0].appended);
  EntryInput other = by;
  other.subject = "gate/coverage";
  auto p = l->Append({other});  // no approvals: pending, not a bypass yet
  ASSERT_TRUE(p.ok());
  EXPECT_FALSE(p->items[0].appended);

  auto active = l->Bypasses(true);
  ASSERT_TRUE(active.ok());
  ASSERT_EQ(active->size(), 1u);
  EXPECT_EQ((*active)[0].record.subject, "gate/slo-burn");
  EXPECT_EQ((*active)[0].record.ticket, "INC-42");
  EXPECT_TRUE((*active)[0].approved);
  EXPECT_EQ(l->Bypasses(true, "gate/other")->size(), 0u);
  EXPECT_EQ(l->Bypasses(true, "gate/slo-burn")->size(), 1u);
  now_ += 5 * 3600;  // past expiry
  EXPECT_EQ(l->Bypasses(true)->size(), 0u);
  auto all = l->Bypasses(false);
  ASSERT_EQ(all->size(), 1u);
  EXPECT_FALSE((*all)[0].active);
  EntryInput no_expiry = by;
  no_expiry.expires.clear();
  EXPECT_FALSE(l->Append({no_expiry}, std::vector<SignerKey>{*a, *b}).ok());
}

TEST_P(LedgerBackendTest, RetentionRedactsPayloadsButProofsAndCheckpointsHold) {
  auto l = Open();
  ASSERT_TRUE(l);
  std::vector<EntryInput> batch;
  for (int i = 0; i < 12; ++i) {
    EntryInput e = Entry("secret-read", "vault/" + std::to_string(i),
                         "{\"client_ip\":\"10.0.0." + std::to_string(i) + "\"}");
    e.time = FormatRfc3339(now_ - (12 - i) * 86400);  // one per day
    batch.push_back(e);
  }
  ASSERT_TRUE(l->Append(batch).ok());
  auto key = SignerKey::Generate("ledger.example/r");
  ASSERT_TRUE(key.ok());
  auto note = l->SignCheckpoint(*key);
  ASSERT_TRUE(note.ok());
  const auto before = ExportAll(*l);
  auto proof_before = l->Prove(3, std::nullopt);
  ASSERT_TRUE(proof_before.ok());

  auto dry = l->Redact(now_ - 5 * 86400, {}, "ops", "GDPR retention", true);
  ASSERT_TRUE(dry.ok());
  EXPECT_EQ(dry->redacted, 7u);  // entries 0..6 are older than 5 days
  EXPECT_EQ(l->Head()->size, 12u);
  auto red = l->Redact(now_ - 5 * 86400, {}, "ops", "GDPR retention", false);
  ASSERT_TRUE(red.ok()) << red.error().ToString();
  EXPECT_EQ(red->redacted, 7u);
  ASSERT_TRUE(red->record_index);
  EXPECT_EQ(*red->record_index, 12u);

  const auto after = ExportAll(*l);
  ASSERT_EQ(after.size(), 13u);
  for (size_t i = 0; i < 12; ++i) {
    EXPECT_EQ(after[i].leaf, before[i].leaf) << "leaves never change";
    EXPECT_EQ(after[i].redacted, i < 7) << i;
    EXPECT_EQ(after[i].payload.has_value(), i >= 7) << i;
  }
  auto rec = ParseLeaf(after[12].leaf);
  ASSERT_TRUE(rec.ok());
  EXPECT_EQ(rec->kind, "retention");
  EXPECT_EQ(rec->actor, "ops");
  auto proof_after = l->Prove(3, 12);
  ASSERT_TRUE(proof_after.ok());
  EXPECT_EQ(proof_after->path, proof_before->path);
  EXPECT_TRUE(
      VerifyInclusion(3, 12, HashLeaf(after[3].leaf), proof_after->path, proof_before->root).ok());
  VerifyOptions opt;
  opt.log_keys = {key->verifier()};
  auto rep = MustVerify(*l, opt);
  EXPECT_TRUE(rep.ok()) << Problems(rep);
  EXPECT_EQ(rep.redacted, 7u);
  // Dropping a payload without marking it redacted is tampering.
  Sql("UPDATE ledger_entries SET payload = NULL WHERE idx = 10");
  rep = MustVerify(*l, opt);
  ASSERT_FALSE(rep.ok());
  EXPECT_EQ(FirstBad(rep), 10u) << Problems(rep);
  EXPECT_FALSE(l->Redact(now_, {"ledger-policy"}, "ops", "", false).ok());
}

// ---- processes ------------------------------------------------------------------

std::string WriteLines(const std::string& path, const std::string& prefix, int n) {
  std::string text;
  for (int i = 0; i < n; ++i)
    text += "{\"kind\":\"deploy\",\"actor\":\"writer\",\"subject\":\"" + prefix + "-" +
            std::to_string(i) + "\",\"payload\":{\"n\":" + std::to_string(i) + "}}\n";
  testing::WriteFile(path, text);
  return path;
}

struct Ack {
  uint64_t first = 0;
  uint64_t count = 0;
};

std::vector<Ack> ParseAcks(const std::string& out) {
  std::vector<Ack> acks;
  size_t pos = 0;
  while (true) {
    size_t nl = out.find('\n', pos);
    if (nl == std::string::npos) break;  // a partial last line is not an acknowledgement
    auto j = nlohmann::json::parse(out.substr(pos, nl - pos), nullptr, false);
    pos = nl + 1;
    if (j.is_discarded() || !j.contains("appended") || j["first_index"].is_null()) continue;
    acks.push_back(Ack{j["first_index"].get<uint64_t>(), j["appended"].get<uint64_t>()});
  }
  return acks;
}

TEST_P(LedgerBackendTest, SigkilledWritersLoseNoAcknowledgedAppend) {
  std::mt19937 rng(2024);
  std::map<std::string, uint64_t> acked;  // subject -> index
  const int rounds = 12;
  for (int round = 0; round < rounds; ++round) {
    const std::string prefix = "r" + std::to_string(round);
    const std::string input = WriteLines(dir_ / (prefix + ".jsonl"), prefix, 400);
    const int batch = 1 + static_cast<int>(rng() % 8);
    testing::Child writer({Gatehouse(), "ledger", "append", "--db", db_, "--create", "--format",
                           "json", "--batch-size", std::to_string(batch), "--input", input});
    // Let it get somewhere, then SIGKILL it mid-flight.
    std::this_thread::sleep_for(std::chrono::milliseconds(20 + rng() % 180));
    writer.Kill();
    writer.Wait();
    const std::string out = writer.ReadAllOutput();
    // Acknowledged entries of this round are its first lines, in order.
    uint64_t line = 0;
    for (const Ack& a : ParseAcks(out))
      for (uint64_t k = 0; k < a.count; ++k)
        acked[prefix + "-" + std::to_string(line++)] = a.first + k;
  }
  auto l = Open(false);
  ASSERT_TRUE(l);
  auto rep = MustVerify(*l);
  ASSERT_TRUE(rep.ok()) << Problems(rep);
  auto entries = ExportAll(*l);
  std::map<uint64_t, std::string> subject_at;
  for (const auto& e : entries) subject_at[e.index] = ParseLeaf(e.leaf)->subject;
  EXPECT_GT(acked.size(), 0u) << "no writer got far enough to acknowledge anything";
  for (const auto& [subject, index] : acked) {
    ASSERT_TRUE(subject_at.count(index)) << subject << " acknowledged at " << index << " is gone";
    EXPECT_EQ(subject_at[index], subject);
  }
  // Nothing half-written: every stored entry is a whole line of some round.
  std::set<std::string> seen;
  for (const auto& [i, s] : subject_at) EXPECT_TRUE(seen.insert(s).second) << "duplicate " << s;
}

TEST_P(LedgerBackendTest, ConcurrentWriterProcessesSerialize) {
  ASSERT_TRUE(Open(true));  // create first, so the writers race on appends only
  const int writers = 4, per_writer = 60;
  std::vector<std::unique_ptr<testing::Child>> kids;
  for (int w = 0; w < writers; ++w) {
    const std::string prefix = "w" + std::to_string(w);
    const std::string input = WriteLines(dir_ / (prefix + ".jsonl"), prefix, per_writer);
    kids.push_back(std::make_unique<testing::Child>(
        std::vector<std::string>{Gatehouse(), "ledger", "append", "--db", db_, "--format", "json",
                                 "--batch-size", std::to_string(1 + w), "--input", input}));
  }
  std::set<uint64_t> indices;
  for (auto& k : kids) {
    EXPECT_EQ(k->Wait(), 0);
    for (const Ack& a : ParseAcks(k->ReadAllOutput()))
      for (uint64_t i = 0; i < a.count; ++i) EXPECT_TRUE(indices.insert(a.first + i).second);
  }
  EXPECT_EQ(indices.size(), static_cast<size_t>(writers * per_writer));
  auto l = Open(false);
  ASSERT_TRUE(l);
  auto rep = MustVerify(*l);
  ASSERT_TRUE(rep.ok()) << Problems(rep);
  EXPECT_EQ(rep.head.size, static_cast<uint64_t>(writers * per_writer));
  std::set<std::string> subjects;
  for (const auto& e : ExportAll(*l)) subjects.insert(ParseLeaf(e.leaf)->subject);
  EXPECT_EQ(subjects.size(), static_cast<size_t>(writers * per_writer));
}

INSTANTIATE_TEST_SUITE_P(LedgerBackends, LedgerBackendTest, ::testing::Values("sqlite", "postgres"),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           return info.param;
                         });

}  // namespace
}  // namespace gatehouse::ledger
