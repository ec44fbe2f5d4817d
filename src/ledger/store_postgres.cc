// The PostgreSQL ledger store (libpqxx), for many runners writing one ledger.
//
// Writers serialize on the single ledger_head row (SELECT ... FOR UPDATE at
// the start of every write transaction): the append that holds it reads the
// head, computes the new leaves and subtree hashes and commits them with the
// new head, so indices are dense and the tree is always complete. Readers
// use REPEATABLE READ READ ONLY transactions: one snapshot for a whole
// export or verify while appends continue. Binary columns travel as hex
// ('\x..'::bytea) literals; text through the connection's escaping.
#include <pqxx/pqxx>

#include <algorithm>
#include <map>

#include "ledger/internal.h"

namespace gatehouse::ledger {

namespace {

constexpr int64_t kSchemaLockKey = 0x6768'6c65'6467;  // "ghledg"

std::string RedactUrl(const std::string& url) {
  std::string out = url;
  size_t scheme = out.find("://");
  if (scheme != std::string::npos) {
    size_t at = out.find('@', scheme + 3);
    size_t slash = out.find('/', scheme + 3);
    if (at != std::string::npos && (slash == std::string::npos || at < slash)) {
      size_t colon = out.find(':', scheme + 3);
      if (colon != std::string::npos && colon < at) out.replace(colon + 1, at - colon - 1, "***");
    }
  }
  size_t pw = out.find("password=");
  if (pw != std::string::npos) {
    size_t end = out.find_first_of("& ", pw);
    out.replace(pw + 9, (end == std::string::npos ? out.size() : end) - pw - 9, "***");
  }
  return out;
}

std::string HexBytea(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out = "'\\x";
  out.reserve(bytes.size() * 2 + 12);
  for (char ch : bytes) {
    const auto c = static_cast<unsigned char>(ch);
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  }
  out += "'::bytea";
  return out;
}

std::string Bytes(const pqxx::field& f) {
  if (f.is_null()) return {};
  pqxx::binarystring b(f);
  return b.str();
}

std::optional<Hash> FieldHash(const pqxx::field& f) {
  if (f.is_null()) return std::nullopt;
  return HashFromBytes(Bytes(f));
}

class PgStore final : public Store {
 public:
  PgStore(std::unique_ptr<pqxx::connection> conn, std::string desc)
      : conn_(std::move(conn)), desc_(std::move(desc)) {}
  Result<std::unique_ptr<StoreTxn>> Begin(bool write) override;
  const std::string& description() const override { return desc_; }
  pqxx::connection& conn() { return *conn_; }
  bool in_txn_ = false;

 private:
  std::unique_ptr<pqxx::connection> conn_;
  std::string desc_;
};

class PgTxn final : public StoreTxn {
 public:
  PgTxn(PgStore* store, bool write) : store_(store), write_(write) {}
  ~PgTxn() override {
    try {
      txn_.reset();  // aborts unless committed
    } catch (...) {
    }
    store_->in_txn_ = false;
  }

  Status Start() {
    return Run("starting a transaction", [&] {
      if (write_) {
        txn_ = std::make_unique<pqxx::work>(store_->conn());
        // Serializes writers: whoever holds the head row appends next.
        txn_->exec("SELECT size FROM ledger_head WHERE id = 1 FOR UPDATE");
      } else {
        txn_ = std::make_unique<pqxx::transaction<pqxx::repeatable_read, pqxx::read_only>>(
            store_->conn());
      }
      store_->in_txn_ = true;
    });
  }

  Result<TreeHead> Head() override {
    TreeHead h;
    bool ok = false;
    Status st = Run("reading the tree head", [&] {
      auto r = txn_->exec("SELECT size, root FROM ledger_head WHERE id = 1");
      if (r.empty()) return;
      h.size = r[0][0].as<uint64_t>();
      auto root = FieldHash(r[0][1]);
      if (!root) return;
      h.root = *root;
      ok = true;
    });
    if (!st.ok()) return st.error();
    if (!ok) return Fail("the stored tree head is missing or corrupt");
    return h;
  }

  Result<std::vector<Hash>> ReadNodes(std::span<const NodeId> ids) override {
    std::string leaves, nodes;
    for (const auto& id : ids) {
      if (id.level == 0) {
        leaves += (leaves.empty() ? "" : ",") + std::to_string(id.index);
      } else {
        nodes += (nodes.empty() ? "(" : ",(") + std::to_string(id.level) + "," +
                 std::to_string(id.index) + ")";
      }
    }
    std::string sql;
    if (!leaves.empty())
      sql = "SELECT 0, idx, leaf_hash FROM ledger_entries WHERE idx IN (" + leaves + ")";
    if (!nodes.empty()) {
      if (!sql.empty()) sql += " UNION ALL ";
      sql += "SELECT level, idx, hash FROM ledger_nodes WHERE (level, idx) IN (" + nodes + ")";
    }
    std::map<NodeId, Hash> found;
    if (!sql.empty()) {
      Status st = Run("reading tree nodes", [&] {
        for (const auto& row : txn_->exec(sql)) {
          auto h = FieldHash(row[2]);
          if (h) found[NodeId{row[0].as<uint32_t>(), row[1].as<uint64_t>()}] = *h;
        }
      });
      if (!st.ok()) return st.error();
    }
    std::vector<Hash> out;
    out.reserve(ids.size());
    for (const auto& id : ids) {
      auto it = found.find(id);
      if (it == found.end())
        return Fail("stored tree node (level " + std::to_string(id.level) + ", index " +
                    std::to_string(id.index) +
                    ") is missing or corrupt; run `gatehouse ledger verify`");
      out.push_back(it->second);
    }
    return out;
  }

  Result<std::vector<EntryRow>> QueryEntries(const std::string& where) {
    std::vector<EntryRow> out;
    Status st = Run("reading entries", [&] {
      auto res = txn_->exec(
          "SELECT idx, leaf, leaf_hash, kind, subject, time, expires, payload, salt, redacted "
          "FROM ledger_entries " +
          where);
      out.reserve(res.size());
      for (const auto& row : res) {
        EntryRow r;
        r.index = row[0].as<uint64_t>();
        r.leaf = Bytes(row[1]);
        auto h = FieldHash(row[2]);
        if (h) r.leaf_hash = *h;
        r.kind = row[3].as<std::string>();
        r.subject = row[4].as<std::string>();
        r.time = row[5].as<int64_t>();
        r.expires = row[6].as<int64_t>();
        if (!row[7].is_null()) r.payload = Bytes(row[7]);
        r.salt = Bytes(row[8]);
        r.redacted = row[9].as<bool>();
        out.push_back(std::move(r));
      }
    });
    if (!st.ok()) return st.error();
    return out;
  }

  Result<std::vector<EntryRow>> ReadEntries(uint64_t from, size_t limit) override {
    return QueryEntries("WHERE idx >= " + std::to_string(from) + " ORDER BY idx LIMIT " +
                        std::to_string(limit));
  }

  Result<std::vector<EntryRow>> ReadEntriesOfKind(std::string_view kind, uint64_t from,
                                                  size_t limit) override {
    std::string quoted;
    Status st = Run("quoting", [&] { quoted = txn_->quote(std::string(kind)); });
    if (!st.ok()) return st.error();
    return QueryEntries("WHERE kind = " + quoted + " AND idx >= " + std::to_string(from) +
                        " ORDER BY idx LIMIT " + std::to_string(limit));
  }

  Result<std::vector<std::pair<uint64_t, Hash>>> ReadLevel(uint32_t level, uint64_t from,
                                                           size_t limit) override {
    std::vector<std::pair<uint64_t, Hash>> out;
    Status st = Run("reading tree nodes", [&] {
      auto res = txn_->exec(
          "SELECT idx, hash FROM ledger_nodes WHERE level = " + std::to_string(level) +
          " AND idx >= " + std::to_string(from) + " ORDER BY idx LIMIT " + std::to_string(limit));
      out.reserve(res.size());
      for (const auto& row : res) {
        auto h = FieldHash(row[1]);
        out.emplace_back(row[0].as<uint64_t>(), h ? *h : Hash{});
      }
    });
    if (!st.ok()) return st.error();
    return out;
  }

  Result<uint32_t> MaxLevel() override {
    uint32_t level = 0;
    Status st = Run("reading tree nodes", [&] {
      level = txn_->exec("SELECT COALESCE(MAX(level), 0) FROM ledger_nodes")[0][0].as<uint32_t>();
    });
    if (!st.ok()) return st.error();
    return level;
  }

  Result<std::vector<PendingRow>> ReadPending() override {
    std::vector<PendingRow> out;
    Status st = Run("reading pending entries", [&] {
      for (const auto& row : txn_->exec("SELECT id, kind, body, payload, salt, created, approvals "
                                        "FROM ledger_pending ORDER BY created, id")) {
        PendingRow r;
        r.id = row[0].as<std::string>();
        r.kind = row[1].as<std::string>();
        r.body = Bytes(row[2]);
        if (!row[3].is_null()) r.payload = Bytes(row[3]);
        r.salt = Bytes(row[4]);
        r.created = row[5].as<int64_t>();
        r.approvals = row[6].as<std::string>();
        out.push_back(std::move(r));
      }
    });
    if (!st.ok()) return st.error();
    return out;
  }

  Result<std::vector<CheckpointRow>> ReadCheckpoints() override {
    std::vector<CheckpointRow> out;
    Status st = Run("reading checkpoints", [&] {
      for (const auto& row : txn_->exec("SELECT id, size, root, origin, note, key, created "
                                        "FROM ledger_checkpoints ORDER BY size, id")) {
        CheckpointRow r;
        r.id = row[0].as<int64_t>();
        r.size = row[1].as<uint64_t>();
        auto h = FieldHash(row[2]);
        if (h) r.root = *h;
        r.origin = row[3].as<std::string>();
        r.note = row[4].as<std::string>();
        r.key = row[5].as<std::string>();
        r.created = row[6].as<int64_t>();
        out.push_back(std::move(r));
      }
    });
    if (!st.ok()) return st.error();
    return out;
  }

  Result<std::optional<std::string>> GetMeta(std::string_view key) override {
    std::optional<std::string> v;
    Status st = Run("reading metadata", [&] {
      auto r =
          txn_->exec("SELECT value FROM ledger_meta WHERE key = " + txn_->quote(std::string(key)));
      if (!r.empty()) v = r[0][0].as<std::string>();
    });
    if (!st.ok()) return st.error();
    return v;
  }

  Status InsertEntries(std::span<const EntryRow> rows) override {
    constexpr size_t kChunk = 500;
    for (size_t start = 0; start < rows.size(); start += kChunk) {
      std::string sql =
          "INSERT INTO ledger_entries(idx, leaf, leaf_hash, kind, subject, time, expires, "
          "payload, salt, redacted) VALUES ";
      Status st = Run("appending entries", [&] {
        for (size_t i = start; i < std::min(rows.size(), start + kChunk); ++i) {
          const EntryRow& r = rows[i];
          if (i != start) sql += ",";
          sql += "(" + std::to_string(r.index) + "," + HexBytea(r.leaf) + "," +
                 HexBytea(HashBytes(r.leaf_hash)) + "," + txn_->quote(r.kind) + "," +
                 txn_->quote(r.subject) + "," + std::to_string(r.time) + "," +
                 std::to_string(r.expires) + "," +
                 (r.payload ? HexBytea(*r.payload) + "," + HexBytea(r.salt) : "NULL,NULL") + "," +
                 (r.redacted ? "TRUE" : "FALSE") + ")";
        }
        txn_->exec0(sql);
      });
      if (!st.ok()) return st;
    }
    return Status::Ok();
  }

  Status InsertNodes(std::span<const std::pair<NodeId, Hash>> nodes) override {
    constexpr size_t kChunk = 2000;
    for (size_t start = 0; start < nodes.size(); start += kChunk) {
      std::string sql = "INSERT INTO ledger_nodes(level, idx, hash) VALUES ";
      for (size_t i = start; i < std::min(nodes.size(), start + kChunk); ++i) {
        const auto& [id, h] = nodes[i];
        if (i != start) sql += ",";
        sql += "(" + std::to_string(id.level) + "," + std::to_string(id.index) + "," +
               HexBytea(HashBytes(h)) + ")";
      }
      Status st = Run("storing tree nodes", [&] { txn_->exec0(sql); });
      if (!st.ok()) return st;
    }
    return Status::Ok();
  }

  Status SetHead(const TreeHead& head) override {
    return Run("updating the tree head", [&] {
      txn_->exec0("UPDATE ledger_head SET size = " + std::to_string(head.size) +
                  ", root = " + HexBytea(HashBytes(head.root)) + " WHERE id = 1");
    });
  }

  Status PutPending(const PendingRow& r) override {
    return Run("storing a pending entry", [&] {
      txn_->exec0(
          "INSERT INTO ledger_pending(id, kind, body, payload, salt, created, approvals) "
          "VALUES (" +
          txn_->quote(r.id) + "," + txn_->quote(r.kind) + "," + HexBytea(r.body) + "," +
          (r.payload ? HexBytea(*r.payload) : std::string("NULL")) + "," + HexBytea(r.salt) + "," +
          std::to_string(r.created) + "," + txn_->quote(r.approvals) +
          ") ON CONFLICT (id) DO UPDATE SET approvals = EXCLUDED.approvals");
    });
  }

  Status DeletePending(std::string_view id) override {
    return Run("removing a pending entry", [&] {
      txn_->exec0("DELETE FROM ledger_pending WHERE id = " + txn_->quote(std::string(id)));
    });
  }

  Status InsertCheckpoint(const CheckpointRow& r) override {
    return Run("storing a checkpoint", [&] {
      txn_->exec0(
          "INSERT INTO ledger_checkpoints(size, root, origin, note, key, created) VALUES (" +
          std::to_string(r.size) + "," + HexBytea(HashBytes(r.root)) + "," + txn_->quote(r.origin) +
          "," + txn_->quote(r.note) + "," + txn_->quote(r.key) + "," + std::to_string(r.created) +
          ")");
    });
  }

  Status UpdateCheckpointNote(int64_t id, std::string_view note) override {
    return Run("updating a checkpoint", [&] {
      txn_->exec0("UPDATE ledger_checkpoints SET note = " + txn_->quote(std::string(note)) +
                  " WHERE id = " + std::to_string(id));
    });
  }

  Status SetMeta(std::string_view key, std::string_view value) override {
    return Run("writing metadata", [&] {
      txn_->exec0("INSERT INTO ledger_meta(key, value) VALUES (" + txn_->quote(std::string(key)) +
                  "," + txn_->quote(std::string(value)) +
                  ") ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value");
    });
  }

  Result<uint64_t> RedactPayloads(int64_t before, std::span<const std::string> kinds,
                                  std::span<const std::string> keep, bool dry_run) override {
    uint64_t n = 0;
    Status st = Run("redacting payloads", [&] {
      auto list = [&](std::span<const std::string> v) {
        std::string s = "(";
        for (size_t i = 0; i < v.size(); ++i) s += (i ? "," : "") + txn_->quote(v[i]);
        return s + ")";
      };
      std::string where =
          " WHERE NOT redacted AND payload IS NOT NULL AND time < " + std::to_string(before);
      if (!kinds.empty()) where += " AND kind IN " + list(kinds);
      if (!keep.empty()) where += " AND kind NOT IN " + list(keep);
      if (dry_run) {
        n = txn_->exec("SELECT COUNT(*) FROM ledger_entries" + where)[0][0].as<uint64_t>();
      } else {
        n = txn_->exec("UPDATE ledger_entries SET payload = NULL, salt = NULL, redacted = TRUE" +
                       where)
                .affected_rows();
      }
    });
    if (!st.ok()) return st.error();
    return n;
  }

  Status Commit() override {
    return Run("committing", [&] {
      txn_->commit();
      txn_.reset();
    });
  }

 private:
  template <typename F>
  Status Run(const char* what, F&& f) {
    try {
      f();
      return Status::Ok();
    } catch (const pqxx::broken_connection& e) {
      return MakeError(
          ErrorCode::kIo,
          std::string("lost the PostgreSQL connection while ") + what + ": " + e.what(),
          store_->description());
    } catch (const std::exception& e) {
      std::string msg = e.what();
      while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
      return MakeError(ErrorCode::kIo, std::string("postgres error while ") + what + ": " + msg,
                       store_->description());
    }
  }
  Error Fail(const std::string& msg) {
    return MakeError(ErrorCode::kIo, msg, store_->description());
  }

  PgStore* store_;
  bool write_;
  std::unique_ptr<pqxx::transaction_base> txn_;
};

Result<std::unique_ptr<StoreTxn>> PgStore::Begin(bool write) {
  if (in_txn_)
    return MakeError(ErrorCode::kInternal, "a ledger transaction is already open", desc_);
  auto txn = std::make_unique<PgTxn>(this, write);
  Status st = txn->Start();
  if (!st.ok()) return st.error();
  return std::unique_ptr<StoreTxn>(std::move(txn));
}

constexpr const char* kPgSchema = R"sql(
CREATE TABLE IF NOT EXISTS ledger_meta(key text PRIMARY KEY, value text NOT NULL);
CREATE TABLE IF NOT EXISTS ledger_head(
  id integer PRIMARY KEY CHECK (id = 1), size bigint NOT NULL, root bytea NOT NULL);
CREATE TABLE IF NOT EXISTS ledger_entries(
  idx bigint PRIMARY KEY, leaf bytea NOT NULL, leaf_hash bytea NOT NULL, kind text NOT NULL,
  subject text NOT NULL, time bigint NOT NULL, expires bigint NOT NULL, payload bytea,
  salt bytea, redacted boolean NOT NULL DEFAULT false);
CREATE INDEX IF NOT EXISTS ledger_entries_kind ON ledger_entries(kind, idx);
CREATE TABLE IF NOT EXISTS ledger_nodes(
  level integer NOT NULL, idx bigint NOT NULL, hash bytea NOT NULL, PRIMARY KEY (level, idx));
CREATE TABLE IF NOT EXISTS ledger_pending(
  id text PRIMARY KEY, kind text NOT NULL, body bytea NOT NULL, payload bytea, salt bytea,
  created bigint NOT NULL, approvals text NOT NULL);
CREATE TABLE IF NOT EXISTS ledger_checkpoints(
  id bigserial PRIMARY KEY, size bigint NOT NULL, root bytea NOT NULL, origin text NOT NULL,
  note text NOT NULL, key text NOT NULL, created bigint NOT NULL);
)sql";

}  // namespace

bool IsPostgresUrl(std::string_view db) {
  return db.starts_with("postgres://") || db.starts_with("postgresql://");
}

Result<std::unique_ptr<Store>> OpenPostgresStore(const std::string& url, bool create) {
  const std::string desc = RedactUrl(url);
  std::unique_ptr<pqxx::connection> conn;
  try {
    conn = std::make_unique<pqxx::connection>(url);
  } catch (const std::exception& e) {
    std::string msg = e.what();
    while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
    return MakeError(ErrorCode::kIo, "cannot connect to PostgreSQL: " + msg, desc);
  }
  try {
    pqxx::nontransaction q(*conn);
    // Quiet "relation already exists, skipping" notices from CREATE IF NOT EXISTS.
    q.exec0("SET client_min_messages = warning");
  } catch (const std::exception&) {
  }
  try {
    bool is_ledger = false;
    {
      pqxx::nontransaction q(*conn);
      auto r = q.exec("SELECT to_regclass('ledger_meta') IS NOT NULL");
      if (r[0][0].as<bool>()) {
        auto v = q.exec("SELECT value FROM ledger_meta WHERE key = 'schema'");
        if (!v.empty()) {
          if (v[0][0].as<std::string>() != kSchemaVersion)
            return MakeError(ErrorCode::kUnsupported,
                             "unsupported ledger schema '" + v[0][0].as<std::string>() + "'", desc);
          is_ledger = true;
        }
      }
    }
    if (!is_ledger) {
      if (!create)
        return MakeError(ErrorCode::kNotFound,
                         "no gatehouse ledger in this database (no ledger tables); pass --create "
                         "to initialise it",
                         desc);
      pqxx::work w(*conn);
      w.exec("SELECT pg_advisory_xact_lock(" + std::to_string(kSchemaLockKey) + ")");
      w.exec0(kPgSchema);
      w.exec0("INSERT INTO ledger_head(id, size, root) VALUES (1, 0, " +
              HexBytea(HashBytes(EmptyRoot())) + ") ON CONFLICT (id) DO NOTHING");
      w.exec0("INSERT INTO ledger_meta(key, value) VALUES ('schema', " +
              w.quote(std::string(kSchemaVersion)) + ") ON CONFLICT (key) DO NOTHING");
      w.commit();
    }
  } catch (const std::exception& e) {
    std::string msg = e.what();
    while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
    return MakeError(ErrorCode::kIo, "postgres error while opening the ledger: " + msg, desc);
  }
  return std::unique_ptr<Store>(std::make_unique<PgStore>(std::move(conn), desc));
}

}  // namespace gatehouse::ledger
