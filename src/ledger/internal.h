// Ledger internals shared by the ledger's translation units and its tests:
// the storage interface both backends implement, and entry helpers.
//
// A Store hands out transactions. A read transaction sees one consistent
// snapshot; a write transaction is exclusive among writers (SQLite: BEGIN
// IMMEDIATE; PostgreSQL: the head row locked FOR UPDATE) and is rolled back
// unless Commit() succeeds. The store keeps rows and hashes; all Merkle and
// policy logic lives in ledger.cc so that both backends behave identically.
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "gatehouse/ledger.h"

namespace gatehouse::ledger {

// Table layout (both backends; see docs/ledger.md):
//   ledger_meta(key, value)                  schema version, origin, policy cache
//   ledger_head(id=1, size, root)            the current tree head
//   ledger_entries(idx, leaf, leaf_hash, kind, subject, time, expires,
//                  payload, salt, redacted)   one row per leaf
//   ledger_nodes(level, idx, hash)           perfect subtrees, level >= 1
//   ledger_pending(id, kind, body, payload, salt, created, approvals)
//   ledger_checkpoints(id, size, root, origin, note, key, created)
inline constexpr const char* kSchemaVersion = "gatehouse-ledger/1";

struct EntryRow {
  uint64_t index = 0;
  std::string leaf;
  Hash leaf_hash{};
  std::string kind;
  std::string subject;
  int64_t time = 0;     // Unix seconds
  int64_t expires = 0;  // Unix seconds; 0 = none
  std::optional<std::string> payload;
  std::string salt;
  bool redacted = false;
};

struct PendingRow {
  std::string id;
  std::string kind;
  std::string body;  // canonical record without index and approvals
  std::optional<std::string> payload;
  std::string salt;
  int64_t created = 0;
  std::string approvals;  // canonical JSON array of {"key","sig"}
};

struct CheckpointRow {
  int64_t id = 0;
  uint64_t size = 0;
  Hash root{};
  std::string origin;
  std::string note;
  std::string key;
  int64_t created = 0;
};

class StoreTxn {
 public:
  virtual ~StoreTxn() = default;

  virtual Result<TreeHead> Head() = 0;
  // Level 0 reads leaf hashes; fails if any node is missing.
  virtual Result<std::vector<Hash>> ReadNodes(std::span<const NodeId> ids) = 0;
  virtual Result<std::vector<EntryRow>> ReadEntries(uint64_t from, size_t limit) = 0;
  virtual Result<std::vector<EntryRow>> ReadEntriesOfKind(std::string_view kind, uint64_t from,
                                                          size_t limit) = 0;
  // Stored nodes of one level (>= 1) with idx >= from, in order.
  virtual Result<std::vector<std::pair<uint64_t, Hash>>> ReadLevel(uint32_t level, uint64_t from,
                                                                   size_t limit) = 0;
  virtual Result<uint32_t> MaxLevel() = 0;  // 0 when there are no nodes
  virtual Result<std::vector<PendingRow>> ReadPending() = 0;
  virtual Result<std::vector<CheckpointRow>> ReadCheckpoints() = 0;
  virtual Result<std::optional<std::string>> GetMeta(std::string_view key) = 0;

  virtual Status InsertEntries(std::span<const EntryRow> rows) = 0;
  virtual Status InsertNodes(std::span<const std::pair<NodeId, Hash>> nodes) = 0;
  virtual Status SetHead(const TreeHead& head) = 0;
  virtual Status PutPending(const PendingRow& row) = 0;  // insert or replace
  virtual Status DeletePending(std::string_view id) = 0;
  virtual Status InsertCheckpoint(const CheckpointRow& row) = 0;
  virtual Status UpdateCheckpointNote(int64_t id, std::string_view note) = 0;
  virtual Status SetMeta(std::string_view key, std::string_view value) = 0;
  // Clears payload and salt of unredacted entries with time < before whose
  // kind is in `kinds` (all when empty) and not in `keep`. Returns how many.
  virtual Result<uint64_t> RedactPayloads(int64_t before, std::span<const std::string> kinds,
                                          std::span<const std::string> keep, bool dry_run) = 0;
  virtual Status Commit() = 0;
};

class Store {
 public:
  virtual ~Store() = default;
  virtual Result<std::unique_ptr<StoreTxn>> Begin(bool write) = 0;
  virtual const std::string& description() const = 0;
};

Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path, bool create);
Result<std::unique_ptr<Store>> OpenPostgresStore(const std::string& url, bool create);

// entry.cc
Result<EntryRecord> RecordFromInput(const EntryInput& in, int64_t now, std::string_view salt,
                                    std::string* canonical_payload);
Result<EntryRecord> ParsePendingBody(std::string_view body);
std::string ApprovalsJson(const std::vector<Approval>& approvals);  // canonical, sorted by key
Result<std::vector<Approval>> ParseApprovalsJson(std::string_view json);
std::string RetentionPayload(int64_t before, const std::vector<std::string>& kinds, uint64_t count);

}  // namespace gatehouse::ledger
