// The tamper-evident audit ledger: an append-only RFC 9162 Merkle log of
// JSON entries (deploys, gate decisions, bypasses, secret access, ...) kept
// in SQLite (a file path; the default) or PostgreSQL (a postgres:// URL).
//
// An entry is a small JSON record — kind, actor, reason, subject, time and an
// optional payload. Its Merkle leaf is the RFC 8785 canonical JSON of the
// record with the payload replaced by a salted SHA-256 commitment, so a
// retention policy can erase old payloads while every leaf, proof and
// checkpoint stays verifiable (docs/ledger.md describes the schema, the
// canonical form and every guarantee).
//
// Ledger owns one database connection and is thread-compatible: use one
// Ledger per thread. Any number of processes may append to one database at
// once; appends serialize in the database (SQLite's write lock, a row lock
// in PostgreSQL), each batch atomically.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "gatehouse/ledger_merkle.h"
#include "gatehouse/ledger_note.h"
#include "gatehouse/result.h"

namespace gatehouse::ledger {

// ---- canonical JSON and entries ---------------------------------------------

// RFC 8785 (JCS): parses strict I-JSON (no duplicate member names, valid
// UTF-8, nesting at most 64 deep, integers exact in IEEE 754 doubles) and
// serializes it canonically: members sorted by UTF-16 code units, no
// whitespace, ECMAScript number formatting, minimal string escapes.
Result<std::string> CanonicalizeJson(std::string_view json);

// One approval of a dual-control entry: an Ed25519 signature by `key` over
// ApprovalMessage(record).
struct Approval {
  VerifierKey key;
  std::string signature;  // 64 raw bytes
};

// An entry as a caller submits it.
struct EntryInput {
  std::string kind;     // [a-z][a-z0-9-]{0,62}: gate-decision, deploy, bypass, ...
  std::string actor;    // who (required)
  std::string reason;   // why (required for dual-control kinds and bypasses)
  std::string subject;  // what it is about: service, artifact, secret, ...
  std::string time;     // RFC 3339 UTC ("2024-05-01T12:00:00Z"); empty = now
  std::string ticket;   // change or incident ticket (required for bypasses)
  std::string expires;  // RFC 3339 UTC; bypasses: end of the exception
  std::string payload;  // any JSON value (canonicalized on append); empty = none
  std::vector<Approval> approvals;
};

// Parses one JSON object with the fields above ("payload" any JSON value,
// "approvals" a list of {"key": <verifier key>, "sig": <base64>}). Unknown
// fields and "index" are rejected.
Result<EntryInput> ParseEntryJson(std::string_view json);
// JSON Lines: one entry per non-blank line. Errors carry the 1-based line
// number and `source` as the path.
Result<std::vector<EntryInput>> ParseEntryLines(std::string_view text, std::string_view source);

// What a leaf says: the record with its index and payload commitment.
struct EntryRecord {
  uint64_t index = 0;
  std::string kind, actor, reason, subject, time, ticket, expires;
  std::string payload_sha256;  // hex SHA-256(salt || canonical payload); empty = no payload
  std::vector<Approval> approvals;
};

// The leaf bytes: canonical JSON of the record (field "v": 1).
std::string LeafBytes(const EntryRecord& record);
// What approvers sign: "gatehouse-ledger-approval/v1\n" followed by the
// canonical JSON of the record without "index" and "approvals".
std::string ApprovalMessage(const EntryRecord& record);
// Parses leaf bytes; they must be exactly the canonical form.
Result<EntryRecord> ParseLeaf(std::string_view leaf);
// Hex SHA-256(salt || payload).
std::string PayloadDigest(std::string_view salt, std::string_view payload);

// ---- time -------------------------------------------------------------------

// "YYYY-MM-DDTHH:MM:SS[.fraction]Z" -> Unix seconds (fraction dropped).
std::optional<int64_t> ParseRfc3339(std::string_view text);
std::string FormatRfc3339(int64_t unix_seconds);
// "90s", "30m", "4h", "7d", "2w", "1h30m" -> seconds (> 0).
std::optional<int64_t> ParseDuration(std::string_view text);

// ---- the ledger -------------------------------------------------------------

struct TreeHead {
  uint64_t size = 0;
  Hash root{};
};

// Who must approve what. Stored in the log itself as "ledger-policy"
// entries; the last one appended governs. Before any, the default applies.
struct Policy {
  std::vector<std::string> dual_control = {"bypass", "delete-request", "ledger-policy"};
  int quorum = 2;                      // approvals from distinct keys
  std::vector<VerifierKey> approvers;  // empty: any Ed25519 key may approve
  std::optional<uint64_t> index;       // the entry that set this policy
  bool RequiresApproval(std::string_view kind) const;
};
std::string PolicyPayload(const Policy& policy);  // canonical JSON
Result<Policy> ParsePolicyPayload(std::string_view json);

struct LedgerOptions {
  bool create = false;  // create the file / tables when missing
  // Unix seconds; tests inject a clock. Default: the system clock.
  std::function<int64_t()> clock;
};

struct AppendOutcome {
  bool appended = false;
  uint64_t index = 0;  // when appended
  Hash leaf_hash{};
  std::string pending_id;  // when waiting for approvals
  int approvals = 0;       // valid approvals from distinct, trusted keys
  int needed = 0;          // the policy's quorum (0 = not dual-control)
  std::string kind;
};

struct AppendResult {
  std::vector<AppendOutcome> items;
  TreeHead head;
};

struct InclusionProof {
  uint64_t index = 0;
  uint64_t size = 0;
  Hash leaf_hash{};
  std::vector<Hash> path;
  Hash root{};
};

struct ConsistencyProof {
  uint64_t first = 0;
  uint64_t second = 0;
  Hash first_root{};
  Hash second_root{};
  std::vector<Hash> path;
};

struct ExportedEntry {
  uint64_t index = 0;
  std::string leaf;  // exact leaf bytes
  Hash leaf_hash{};
  std::optional<std::string> payload;  // canonical JSON; nullopt when none or redacted
  std::string salt;                    // raw bytes; empty when none or redacted
  bool redacted = false;
};

struct VerifyOptions {
  // Trusted log keys: each stored checkpoint must carry a valid signature by
  // one of them. Without any, signatures are checked against the key stored
  // with the checkpoint (detects corruption, not forgery).
  std::vector<VerifierKey> log_keys;
  size_t max_problems = 100;
};

struct VerifyProblem {
  std::optional<uint64_t> index;  // the first entry the problem concerns
  std::string message;
};

struct VerifyReport {
  bool ok() const { return problems.empty(); }
  TreeHead head;  // as recorded
  uint64_t entries = 0;
  uint64_t redacted = 0;
  uint64_t approvals = 0;
  uint64_t checkpoints = 0;
  std::vector<VerifyProblem> problems;  // sorted by index; entry-less last
  std::vector<std::string> notes;       // not failures: what was not checked
};

struct PendingEntry {
  std::string id;  // hex SHA-256 of the approval message
  EntryRecord record;
  std::optional<std::string> payload;
  int64_t created = 0;
  int approvals = 0;  // valid and trusted
  int needed = 0;
  std::vector<std::string> approved_by;  // key labels
};

struct ApproveResult {
  std::string id;
  int approvals = 0;
  int needed = 0;
  std::optional<uint64_t> index;  // set when this approval appended the entry
};

struct Bypass {
  uint64_t index = 0;
  EntryRecord record;
  int64_t expires_at = 0;
  bool approved = false;  // quorum of valid approvals under the current policy
  bool active = false;    // approved and not expired
  std::string problem;    // why it is not approved, if it is not
};

struct RedactResult {
  uint64_t redacted = 0;
  std::optional<uint64_t> record_index;  // the "retention" entry that records it
};

struct StoredCheckpoint {
  uint64_t size = 0;
  Hash root{};
  std::string origin;
  std::string note;
  std::string key;  // verifier key of the signer
  int64_t created = 0;
};

// A witness's memory: the largest checkpoint it has cosigned.
struct WitnessState {
  uint64_t size = 0;
  Hash root{};
};

class Store;

class Ledger {
 public:
  // `db` is a file path (SQLite) or a postgres:// / postgresql:// URL.
  static Result<std::unique_ptr<Ledger>> Open(const std::string& db,
                                              const LedgerOptions& options = {});
  ~Ledger();
  Ledger(const Ledger&) = delete;
  Ledger& operator=(const Ledger&) = delete;

  // Appends a batch atomically (all or nothing). Entries of dual-control
  // kinds without a quorum of approvals are stored as pending instead.
  // `approve_with` signs every entry of the batch as an approver.
  Result<AppendResult> Append(std::vector<EntryInput> entries,
                              std::span<const SignerKey> approve_with = {});

  Result<TreeHead> Head();
  Result<Hash> RootAt(uint64_t size);
  // size defaults to the current tree size.
  Result<InclusionProof> Prove(uint64_t index, std::optional<uint64_t> size = std::nullopt);
  Result<ConsistencyProof> Consistency(uint64_t first, std::optional<uint64_t> second);
  // Entries [from, to) in order (to defaults to the tree size), from one
  // consistent snapshot. Stops at the first error the sink returns.
  Status Export(uint64_t from, std::optional<uint64_t> to,
                const std::function<Status(const ExportedEntry&)>& sink);
  // Recomputes every leaf hash, subtree hash, root and checkpoint from the
  // stored leaves. Errors are for failing to read; tampering is a problem in
  // the report.
  Result<VerifyReport> Verify(const VerifyOptions& options = {});

  // Signs a checkpoint of the current tree with `key` and stores it.
  // origin defaults to the key name (and must stay the same for a ledger).
  Result<std::string> SignCheckpoint(const SignerKey& key, std::string origin = {});
  Result<std::vector<StoredCheckpoint>> Checkpoints();
  // Ok when the ledger's root at the checkpoint's size is its root.
  Status MatchCheckpoint(const Checkpoint& checkpoint);
  // Witness: verifies the note's log signature and that the ledger matches
  // it; with `state`, also that it is consistent with the last checkpoint
  // the witness cosigned (a consistency proof), then cosigns, updates
  // `state` and stores the cosignature with the ledger's copy.
  Result<std::string> Cosign(std::string_view note, const VerifierKey& log_key,
                             const SignerKey& witness, WitnessState* state);

  Result<std::vector<PendingEntry>> Pending();
  // Adds `key`'s approval to the pending entry whose id starts with `id`
  // (at least 8 hex digits); appends it when the quorum is reached.
  Result<ApproveResult> Approve(std::string_view id, const SignerKey& key);
  // Bypass entries, newest first; `active_only` keeps approved, unexpired
  // ones. `subject` filters when non-empty.
  Result<std::vector<Bypass>> Bypasses(bool active_only, std::string_view subject = {});
  // Retention: erases the payloads (and salts) of entries whose time is
  // before `before` (optionally only of `kinds`; never ledger-policy
  // entries) and records that as a "retention" entry by `actor`.
  Result<RedactResult> Redact(int64_t before, const std::vector<std::string>& kinds,
                              const std::string& actor, const std::string& reason, bool dry_run);
  Result<Policy> CurrentPolicy();

  struct Stats {
    uint64_t nodes_read = 0;    // stored hashes read for proofs and roots
    uint64_t node_batches = 0;  // reader calls
  };
  const Stats& stats() const { return stats_; }
  const std::string& description() const;
  int64_t Now() const;

 private:
  Ledger(std::unique_ptr<Store> store, LedgerOptions options);
  std::unique_ptr<Store> store_;
  LedgerOptions options_;
  Stats stats_;
};

// True for postgres:// and postgresql:// URLs.
bool IsPostgresUrl(std::string_view db);

}  // namespace gatehouse::ledger
