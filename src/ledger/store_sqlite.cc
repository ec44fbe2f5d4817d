// The SQLite ledger store: one file, WAL journal, synchronous=FULL.
//
// WAL lets readers (proofs, export, verify) run against a snapshot while a
// writer appends; BEGIN IMMEDIATE takes the single write lock up front so
// concurrent writer processes queue on the busy timeout instead of failing
// with SQLITE_BUSY on lock upgrade; synchronous=FULL makes every committed
// (acknowledged) batch survive power loss, not just a process crash. Group
// commit is the caller's batch: one transaction, one fsync.
#include <sqlite3.h>
#include <sys/stat.h>

#include <cstring>
#include <map>

#include "ledger/internal.h"

namespace gatehouse::ledger {

namespace {

constexpr int kBusyTimeoutMs = 120000;

class SqliteStore;

class Stmt {
 public:
  explicit Stmt(sqlite3_stmt* s) : s_(s) {}
  ~Stmt() {
    sqlite3_reset(s_);
    sqlite3_clear_bindings(s_);
  }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  sqlite3_stmt* get() const { return s_; }
  void Int(int i, int64_t v) { sqlite3_bind_int64(s_, i, v); }
  void Text(int i, std::string_view v) {
    sqlite3_bind_text(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
  }
  void Blob(int i, std::string_view v) {
    sqlite3_bind_blob(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
  }
  void Null(int i) { sqlite3_bind_null(s_, i); }
  int Step() { return sqlite3_step(s_); }
  int64_t ColInt(int i) const { return sqlite3_column_int64(s_, i); }
  bool ColNull(int i) const { return sqlite3_column_type(s_, i) == SQLITE_NULL; }
  std::string ColBytes(int i) const {
    const void* p = sqlite3_column_blob(s_, i);
    int n = sqlite3_column_bytes(s_, i);
    return p ? std::string(static_cast<const char*>(p), static_cast<size_t>(n)) : std::string();
  }
  std::optional<Hash> ColHash(int i) const {
    if (sqlite3_column_type(s_, i) != SQLITE_BLOB) return std::nullopt;
    return HashFromBytes(ColBytes(i));
  }

 private:
  sqlite3_stmt* s_;
};

class SqliteStore final : public Store {
 public:
  SqliteStore(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  ~SqliteStore() override {
    for (auto& [sql, s] : stmts_) sqlite3_finalize(s);
    sqlite3_close_v2(db_);
  }

  Result<std::unique_ptr<StoreTxn>> Begin(bool write) override;
  const std::string& description() const override { return path_; }

  Error Err(std::string_view what) const {
    return MakeError(ErrorCode::kIo, std::string(what) + ": " + sqlite3_errmsg(db_), path_);
  }
  Status Exec(const char* sql) {
    char* msg = nullptr;
    if (sqlite3_exec(db_, sql, nullptr, nullptr, &msg) != SQLITE_OK) {
      std::string m = msg ? msg : "unknown error";
      sqlite3_free(msg);
      return MakeError(ErrorCode::kIo, std::string("sqlite: ") + m, path_);
    }
    return Status::Ok();
  }
  Result<sqlite3_stmt*> Prepare(const std::string& sql) {
    auto it = stmts_.find(sql);
    if (it != stmts_.end()) return it->second;
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size()),
                           SQLITE_PREPARE_PERSISTENT, &s, nullptr) != SQLITE_OK)
      return Err("sqlite prepare");
    stmts_.emplace(sql, s);
    return s;
  }
  sqlite3* db() const { return db_; }
  bool in_txn_ = false;

 private:
  sqlite3* db_;
  std::string path_;
  std::map<std::string, sqlite3_stmt*> stmts_;
};

#define GH_PREPARE(var, sql)                 \
  auto var##_p = store_->Prepare(sql);       \
  if (!var##_p.ok()) return var##_p.error(); \
  Stmt var(*var##_p)

class SqliteTxn final : public StoreTxn {
 public:
  SqliteTxn(SqliteStore* store, bool write) : store_(store), write_(write) {}
  ~SqliteTxn() override {
    if (open_) (void)store_->Exec("ROLLBACK");
    store_->in_txn_ = false;
  }

  Status Start() {
    Status st = store_->Exec(write_ ? "BEGIN IMMEDIATE" : "BEGIN");
    if (!st.ok()) return st;
    open_ = true;
    store_->in_txn_ = true;
    return Status::Ok();
  }

  Result<TreeHead> Head() override {
    GH_PREPARE(s, "SELECT size, root FROM ledger_head WHERE id = 1");
    if (s.Step() != SQLITE_ROW) return store_->Err("reading the tree head");
    TreeHead h;
    h.size = static_cast<uint64_t>(s.ColInt(0));
    auto root = s.ColHash(1);
    if (!root) return MakeError(ErrorCode::kIo, "the stored tree head is corrupt", "");
    h.root = *root;
    return h;
  }

  Result<std::vector<Hash>> ReadNodes(std::span<const NodeId> ids) override {
    std::vector<Hash> out;
    out.reserve(ids.size());
    GH_PREPARE(leaf, "SELECT leaf_hash FROM ledger_entries WHERE idx = ?");
    GH_PREPARE(node, "SELECT hash FROM ledger_nodes WHERE level = ? AND idx = ?");
    for (const NodeId& id : ids) {
      Stmt& s = id.level == 0 ? leaf : node;
      if (id.level == 0) {
        s.Int(1, static_cast<int64_t>(id.index));
      } else {
        s.Int(1, id.level);
        s.Int(2, static_cast<int64_t>(id.index));
      }
      int rc = s.Step();
      std::optional<Hash> h;
      if (rc == SQLITE_ROW) h = s.ColHash(0);
      sqlite3_reset(s.get());
      if (rc != SQLITE_ROW && rc != SQLITE_DONE) return store_->Err("reading tree nodes");
      if (!h)
        return MakeError(ErrorCode::kIo,
                         "stored tree node (level " + std::to_string(id.level) + ", index " +
                             std::to_string(id.index) +
                             ") is missing or corrupt; run `gatehouse ledger verify`",
                         store_->description());
      out.push_back(*h);
    }
    return out;
  }

  static constexpr const char* kEntryCols =
      "SELECT idx, leaf, leaf_hash, kind, subject, time, expires, payload, salt, redacted "
      "FROM ledger_entries ";

  Result<std::vector<EntryRow>> CollectEntries(Stmt& s) {
    std::vector<EntryRow> out;
    int rc;
    while ((rc = s.Step()) == SQLITE_ROW) {
      EntryRow r;
      r.index = static_cast<uint64_t>(s.ColInt(0));
      r.leaf = s.ColBytes(1);
      auto h = s.ColHash(2);
      if (h) r.leaf_hash = *h;  // a corrupt hash stays zero and fails verification
      r.kind = s.ColBytes(3);
      r.subject = s.ColBytes(4);
      r.time = s.ColInt(5);
      r.expires = s.ColInt(6);
      if (!s.ColNull(7)) r.payload = s.ColBytes(7);
      r.salt = s.ColBytes(8);
      r.redacted = s.ColInt(9) != 0;
      out.push_back(std::move(r));
    }
    if (rc != SQLITE_DONE) return store_->Err("reading entries");
    return out;
  }

  Result<std::vector<EntryRow>> ReadEntries(uint64_t from, size_t limit) override {
    GH_PREPARE(s, std::string(kEntryCols) + "WHERE idx >= ? ORDER BY idx LIMIT ?");
    s.Int(1, static_cast<int64_t>(from));
    s.Int(2, static_cast<int64_t>(limit));
    return CollectEntries(s);
  }

  Result<std::vector<EntryRow>> ReadEntriesOfKind(std::string_view kind, uint64_t from,
                                                  size_t limit) override {
    GH_PREPARE(s, std::string(kEntryCols) + "WHERE kind = ? AND idx >= ? ORDER BY idx LIMIT ?");
    s.Text(1, kind);
    s.Int(2, static_cast<int64_t>(from));
    s.Int(3, static_cast<int64_t>(limit));
    return CollectEntries(s);
  }

  Result<std::vector<std::pair<uint64_t, Hash>>> ReadLevel(uint32_t level, uint64_t from,
                                                           size_t limit) override {
    GH_PREPARE(s,
               "SELECT idx, hash FROM ledger_nodes WHERE level = ? AND idx >= ? "
               "ORDER BY idx LIMIT ?");
    s.Int(1, level);
    s.Int(2, static_cast<int64_t>(from));
    s.Int(3, static_cast<int64_t>(limit));
    std::vector<std::pair<uint64_t, Hash>> out;
    int rc;
    while ((rc = s.Step()) == SQLITE_ROW) {
      auto h = s.ColHash(1);
      out.emplace_back(static_cast<uint64_t>(s.ColInt(0)), h ? *h : Hash{});
    }
    if (rc != SQLITE_DONE) return store_->Err("reading tree nodes");
    return out;
  }

  Result<uint32_t> MaxLevel() override {
    GH_PREPARE(s, "SELECT COALESCE(MAX(level), 0) FROM ledger_nodes");
    if (s.Step() != SQLITE_ROW) return store_->Err("reading tree nodes");
    return static_cast<uint32_t>(s.ColInt(0));
  }

  Result<std::vector<PendingRow>> ReadPending() override {
    GH_PREPARE(s,
               "SELECT id, kind, body, payload, salt, created, approvals FROM ledger_pending "
               "ORDER BY created, id");
    std::vector<PendingRow> out;
    int rc;
    while ((rc = s.Step()) == SQLITE_ROW) {
      PendingRow r;
      r.id = s.ColBytes(0);
      r.kind = s.ColBytes(1);
      r.body = s.ColBytes(2);
      if (!s.ColNull(3)) r.payload = s.ColBytes(3);
      r.salt = s.ColBytes(4);
      r.created = s.ColInt(5);
      r.approvals = s.ColBytes(6);
      out.push_back(std::move(r));
    }
    if (rc != SQLITE_DONE) return store_->Err("reading pending entries");
    return out;
  }

  Result<std::vector<CheckpointRow>> ReadCheckpoints() override {
    GH_PREPARE(s,
               "SELECT id, size, root, origin, note, key, created FROM ledger_checkpoints "
               "ORDER BY size, id");
    std::vector<CheckpointRow> out;
    int rc;
    while ((rc = s.Step()) == SQLITE_ROW) {
      CheckpointRow r;
      r.id = s.ColInt(0);
      r.size = static_cast<uint64_t>(s.ColInt(1));
      auto h = s.ColHash(2);
      if (h) r.root = *h;
      r.origin = s.ColBytes(3);
      r.note = s.ColBytes(4);
      r.key = s.ColBytes(5);
      r.created = s.ColInt(6);
      out.push_back(std::move(r));
    }
    if (rc != SQLITE_DONE) return store_->Err("reading checkpoints");
    return out;
  }

  Result<std::optional<std::string>> GetMeta(std::string_view key) override {
    GH_PREPARE(s, "SELECT value FROM ledger_meta WHERE key = ?");
    s.Text(1, key);
    int rc = s.Step();
    if (rc == SQLITE_ROW) return std::optional<std::string>(s.ColBytes(0));
    if (rc != SQLITE_DONE) return store_->Err("reading metadata");
    return std::optional<std::string>();
  }

  Status InsertEntries(std::span<const EntryRow> rows) override {
    GH_PREPARE(s,
               "INSERT INTO ledger_entries(idx, leaf, leaf_hash, kind, subject, time, expires, "
               "payload, salt, redacted) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    for (const auto& r : rows) {
      s.Int(1, static_cast<int64_t>(r.index));
      s.Blob(2, r.leaf);
      s.Blob(3, HashBytes(r.leaf_hash));
      s.Text(4, r.kind);
      s.Text(5, r.subject);
      s.Int(6, r.time);
      s.Int(7, r.expires);
      if (r.payload) {
        s.Blob(8, *r.payload);
        s.Blob(9, r.salt);
      } else {
        s.Null(8);
        s.Null(9);
      }
      s.Int(10, r.redacted ? 1 : 0);
      int rc = s.Step();
      sqlite3_reset(s.get());
      if (rc != SQLITE_DONE) return store_->Err("appending entry " + std::to_string(r.index));
    }
    return Status::Ok();
  }

  Status InsertNodes(std::span<const std::pair<NodeId, Hash>> nodes) override {
    GH_PREPARE(s, "INSERT INTO ledger_nodes(level, idx, hash) VALUES (?, ?, ?)");
    for (const auto& [id, h] : nodes) {
      s.Int(1, id.level);
      s.Int(2, static_cast<int64_t>(id.index));
      s.Blob(3, HashBytes(h));
      int rc = s.Step();
      sqlite3_reset(s.get());
      if (rc != SQLITE_DONE) return store_->Err("storing tree nodes");
    }
    return Status::Ok();
  }

  Status SetHead(const TreeHead& head) override {
    GH_PREPARE(s, "UPDATE ledger_head SET size = ?, root = ? WHERE id = 1");
    s.Int(1, static_cast<int64_t>(head.size));
    s.Blob(2, HashBytes(head.root));
    if (s.Step() != SQLITE_DONE) return store_->Err("updating the tree head");
    return Status::Ok();
  }

  Status PutPending(const PendingRow& r) override {
    GH_PREPARE(s,
               "INSERT OR REPLACE INTO ledger_pending(id, kind, body, payload, salt, created, "
               "approvals) VALUES (?, ?, ?, ?, ?, ?, ?)");
    s.Text(1, r.id);
    s.Text(2, r.kind);
    s.Blob(3, r.body);
    if (r.payload)
      s.Blob(4, *r.payload);
    else
      s.Null(4);
    s.Blob(5, r.salt);
    s.Int(6, r.created);
    s.Text(7, r.approvals);
    if (s.Step() != SQLITE_DONE) return store_->Err("storing a pending entry");
    return Status::Ok();
  }

  Status DeletePending(std::string_view id) override {
    GH_PREPARE(s, "DELETE FROM ledger_pending WHERE id = ?");
    s.Text(1, id);
    if (s.Step() != SQLITE_DONE) return store_->Err("removing a pending entry");
    return Status::Ok();
  }

  Status InsertCheckpoint(const CheckpointRow& r) override {
    GH_PREPARE(s,
               "INSERT INTO ledger_checkpoints(size, root, origin, note, key, created) "
               "VALUES (?, ?, ?, ?, ?, ?)");
    s.Int(1, static_cast<int64_t>(r.size));
    s.Blob(2, HashBytes(r.root));
    s.Text(3, r.origin);
    s.Text(4, r.note);
    s.Text(5, r.key);
    s.Int(6, r.created);
    if (s.Step() != SQLITE_DONE) return store_->Err("storing a checkpoint");
    return Status::Ok();
  }

  Status UpdateCheckpointNote(int64_t id, std::string_view note) override {
    GH_PREPARE(s, "UPDATE ledger_checkpoints SET note = ? WHERE id = ?");
    s.Text(1, note);
    s.Int(2, id);
    if (s.Step() != SQLITE_DONE) return store_->Err("updating a checkpoint");
    return Status::Ok();
  }

  Status SetMeta(std::string_view key, std::string_view value) override {
    GH_PREPARE(s, "INSERT OR REPLACE INTO ledger_meta(key, value) VALUES (?, ?)");
    s.Text(1, key);
    s.Text(2, value);
    if (s.Step() != SQLITE_DONE) return store_->Err("writing metadata");
    return Status::Ok();
  }

  Result<uint64_t> RedactPayloads(int64_t before, std::span<const std::string> kinds,
                                  std::span<const std::string> keep, bool dry_run) override {
    std::string where = " WHERE redacted = 0 AND payload IS NOT NULL AND time < ?";
    auto list = [](size_t n) {
      std::string s = "(";
      for (size_t i = 0; i < n; ++i) s += i ? ", ?" : "?";
      return s + ")";
    };
    if (!kinds.empty()) where += " AND kind IN " + list(kinds.size());
    if (!keep.empty()) where += " AND kind NOT IN " + list(keep.size());
    std::string sql = dry_run ? "SELECT COUNT(*) FROM ledger_entries" + where
                              : "UPDATE ledger_entries SET payload = NULL, salt = NULL, "
                                "redacted = 1" +
                                    where;
    sqlite3_stmt* raw = nullptr;
    if (sqlite3_prepare_v2(store_->db(), sql.c_str(), -1, &raw, nullptr) != SQLITE_OK)
      return store_->Err("preparing redaction");
    int i = 1;
    sqlite3_bind_int64(raw, i++, before);
    for (const auto& k : kinds) sqlite3_bind_text(raw, i++, k.c_str(), -1, SQLITE_TRANSIENT);
    for (const auto& k : keep) sqlite3_bind_text(raw, i++, k.c_str(), -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(raw);
    uint64_t n = 0;
    if (dry_run && rc == SQLITE_ROW) n = static_cast<uint64_t>(sqlite3_column_int64(raw, 0));
    if (!dry_run && rc == SQLITE_DONE) n = static_cast<uint64_t>(sqlite3_changes(store_->db()));
    sqlite3_finalize(raw);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return store_->Err("redacting payloads");
    return n;
  }

  Status Commit() override {
    Status st = store_->Exec("COMMIT");
    if (st.ok()) open_ = false;
    return st;
  }

 private:
  SqliteStore* store_;
  bool write_;
  bool open_ = false;
};

#undef GH_PREPARE

Result<std::unique_ptr<StoreTxn>> SqliteStore::Begin(bool write) {
  if (in_txn_)
    return MakeError(ErrorCode::kInternal, "a ledger transaction is already open", path_);
  auto txn = std::make_unique<SqliteTxn>(this, write);
  Status st = txn->Start();
  if (!st.ok()) return st.error();
  return std::unique_ptr<StoreTxn>(std::move(txn));
}

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS ledger_meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS ledger_head(
  id INTEGER PRIMARY KEY CHECK (id = 1), size INTEGER NOT NULL, root BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS ledger_entries(
  idx INTEGER PRIMARY KEY, leaf BLOB NOT NULL, leaf_hash BLOB NOT NULL, kind TEXT NOT NULL,
  subject TEXT NOT NULL, time INTEGER NOT NULL, expires INTEGER NOT NULL, payload BLOB,
  salt BLOB, redacted INTEGER NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS ledger_entries_kind ON ledger_entries(kind, idx);
CREATE TABLE IF NOT EXISTS ledger_nodes(
  level INTEGER NOT NULL, idx INTEGER NOT NULL, hash BLOB NOT NULL,
  PRIMARY KEY (level, idx)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS ledger_pending(
  id TEXT PRIMARY KEY, kind TEXT NOT NULL, body BLOB NOT NULL, payload BLOB, salt BLOB,
  created INTEGER NOT NULL, approvals TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS ledger_checkpoints(
  id INTEGER PRIMARY KEY AUTOINCREMENT, size INTEGER NOT NULL, root BLOB NOT NULL,
  origin TEXT NOT NULL, note TEXT NOT NULL, key TEXT NOT NULL, created INTEGER NOT NULL);
)sql";

}  // namespace

Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path, bool create) {
  if (path.empty()) return MakeError(ErrorCode::kInvalidArgument, "empty ledger database path");
  struct stat st {};
  const bool exists = ::stat(path.c_str(), &st) == 0;
  if (!exists && !create)
    return MakeError(ErrorCode::kNotFound,
                     "ledger database does not exist (pass --create to start a new ledger)", path);
  if (exists && S_ISDIR(st.st_mode))
    return MakeError(ErrorCode::kInvalidArgument, "ledger database path is a directory", path);
  sqlite3* db = nullptr;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
  if (sqlite3_open_v2(path.c_str(), &db, flags, nullptr) != SQLITE_OK) {
    std::string msg = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close_v2(db);
    return MakeError(ErrorCode::kIo, "cannot open ledger database: " + msg, path);
  }
  auto store = std::make_unique<SqliteStore>(db, path);
  sqlite3_busy_timeout(db, kBusyTimeoutMs);
  sqlite3_extended_result_codes(db, 1);
  for (const char* pragma :
       {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL", "PRAGMA cache_size=-65536",
        "PRAGMA temp_store=MEMORY", "PRAGMA foreign_keys=OFF"}) {
    Status s = store->Exec(pragma);
    if (!s.ok()) {
      Error e = s.error();
      if (e.message.find("file is not a database") != std::string::npos)
        e.message = "not a SQLite database (is --db pointing at the right file?)";
      return e;
    }
  }
  // Is it a ledger?
  bool is_ledger = false;
  {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(db, "SELECT value FROM ledger_meta WHERE key = 'schema'", -1, &s,
                           nullptr) == SQLITE_OK) {
      if (sqlite3_step(s) == SQLITE_ROW) {
        const char* v = reinterpret_cast<const char*>(sqlite3_column_text(s, 0));
        if (v && std::strcmp(v, kSchemaVersion) != 0) {
          std::string found = v;
          sqlite3_finalize(s);
          return MakeError(
              ErrorCode::kUnsupported,
              "unsupported ledger schema '" + found + "' (this build reads " + kSchemaVersion + ")",
              path);
        }
        is_ledger = true;
      }
    }
    sqlite3_finalize(s);
  }
  if (!is_ledger) {
    if (!create)
      return MakeError(ErrorCode::kNotFound,
                       "not a gatehouse ledger (no ledger tables); pass --create to initialise it",
                       path);
    Status s = store->Exec("BEGIN IMMEDIATE");
    if (!s.ok()) return s.error();
    s = store->Exec(kSchema);
    if (s.ok()) {
      sqlite3_stmt* ins = nullptr;
      const Hash empty = EmptyRoot();
      if (sqlite3_prepare_v2(db,
                             "INSERT OR IGNORE INTO ledger_head(id, size, root) VALUES (1, 0, ?)",
                             -1, &ins, nullptr) == SQLITE_OK) {
        sqlite3_bind_blob(ins, 1, empty.data(), 32, SQLITE_TRANSIENT);
        if (sqlite3_step(ins) != SQLITE_DONE) s = store->Err("initialising the tree head");
      } else {
        s = store->Err("initialising the tree head");
      }
      sqlite3_finalize(ins);
    }
    if (s.ok())
      s = store->Exec(("INSERT OR IGNORE INTO ledger_meta(key, value) VALUES ('schema', '" +
                       std::string(kSchemaVersion) + "')")
                          .c_str());
    if (s.ok()) s = store->Exec("COMMIT");
    if (!s.ok()) {
      (void)store->Exec("ROLLBACK");
      return s.error();
    }
  }
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace gatehouse::ledger
