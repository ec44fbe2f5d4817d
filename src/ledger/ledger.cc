// The ledger: appends, proofs, verification, checkpoints, dual control,
// bypasses and retention, on top of a Store (SQLite or PostgreSQL).
//
// Appending a batch happens in one write transaction: read the head and the
// frontier (popcount(n) stored hashes), extend the frontier leaf by leaf,
// collecting every perfect subtree that completes, then insert the leaves,
// those subtree hashes and the new head, and commit. A crash at any point
// leaves either the whole batch or none of it. Proofs read the head and the
// O(log n) subtree hashes their ranges decompose into, in one batch.
#include <openssl/rand.h>

#include <algorithm>
#include <ctime>
#include <set>

#include "gatehouse/ledger.h"
#include "ledger/internal.h"

namespace gatehouse::ledger {

namespace {

constexpr size_t kPage = 4096;
constexpr std::string_view kApprovalPrefix = "gatehouse-ledger-approval/v1\n";
// Policy entries are never redacted: verification replays them.
const std::vector<std::string> kNeverRedact = {"ledger-policy"};

Result<std::string> RandomSalt() {
  std::string salt(16, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(salt.data()), 16) != 1)
    return MakeError(ErrorCode::kInternal, "the OS random generator failed");
  return salt;
}

bool Trusted(const Policy& p, const VerifierKey& key) {
  if (p.approvers.empty()) return true;
  return std::find(p.approvers.begin(), p.approvers.end(), key) != p.approvers.end();
}

struct ApprovalCheck {
  int valid = 0;        // distinct trusted keys with valid signatures
  std::string invalid;  // first signature that does not verify
  std::string untrusted;
};

ApprovalCheck CheckApprovals(const EntryRecord& r, const Policy& policy) {
  ApprovalCheck c;
  if (r.approvals.empty()) return c;
  const std::string msg = ApprovalMessage(r);
  std::set<std::array<uint8_t, 32>> seen;
  for (const auto& a : r.approvals) {
    if (a.key.type != KeyType::kEd25519) {
      if (c.invalid.empty()) c.invalid = "approval key " + a.key.Label() + " is not an Ed25519 key";
      continue;
    }
    if (!VerifyEd25519(a.key, msg, a.signature)) {
      if (c.invalid.empty())
        c.invalid = "approval by " + a.key.Label() + " does not verify over this entry";
      continue;
    }
    if (!Trusted(policy, a.key)) {
      if (c.untrusted.empty()) c.untrusted = a.key.Label();
      continue;
    }
    if (seen.insert(a.key.public_key).second) ++c.valid;
  }
  return c;
}

void AddApproval(EntryRecord* r, Approval a) {
  for (auto& existing : r->approvals)
    if (existing.key.public_key == a.key.public_key) {
      existing = std::move(a);
      return;
    }
  r->approvals.push_back(std::move(a));
}

std::string PendingId(const EntryRecord& r) { return HashHex(Sha256(ApprovalMessage(r))); }

struct Prepared {
  EntryRecord record;
  std::string payload;  // canonical; empty = none
  std::string salt;
};

Result<Policy> LoadPolicy(StoreTxn& txn) {
  auto text = txn.GetMeta("policy");
  if (!text.ok()) return text.error();
  if (!*text) return Policy{};
  auto p = ParsePolicyPayload(**text);
  if (!p.ok())
    return MakeError(ErrorCode::kIo, "the stored ledger policy is corrupt: " + p.error().message);
  auto idx = txn.GetMeta("policy_index");
  if (idx.ok() && *idx) p->index = std::stoull(**idx);
  return p;
}

class CountingReader {
 public:
  CountingReader(StoreTxn* txn, Ledger::Stats* stats) : txn_(txn), stats_(stats) {}
  NodeReader reader() {
    return [this](std::span<const NodeId> ids) {
      stats_->nodes_read += ids.size();
      ++stats_->node_batches;
      return txn_->ReadNodes(ids);
    };
  }

 private:
  StoreTxn* txn_;
  Ledger::Stats* stats_;
};

// Appends prepared entries inside an open write transaction. Entries that
// need approvals they do not have become pending instead.
Status AppendInTxn(StoreTxn& txn, std::vector<Prepared>& batch, int64_t now, Ledger::Stats* stats,
                   AppendResult* result) {
  auto policy = LoadPolicy(txn);
  if (!policy.ok()) return policy.error();
  auto head = txn.Head();
  if (!head.ok()) return head.error();
  auto front_ids = MerkleFrontier::NodesFor(head->size);
  std::vector<Hash> front_hashes;
  if (!front_ids.empty()) {
    stats->nodes_read += front_ids.size();
    ++stats->node_batches;
    auto h = txn.ReadNodes(front_ids);
    if (!h.ok()) return h.error();
    front_hashes = std::move(*h);
  }
  auto frontier = MerkleFrontier::FromNodes(head->size, front_hashes);
  if (!frontier.ok()) return frontier.error();
  if (frontier->Root() != head->root)
    return MakeError(ErrorCode::kIo,
                     "the stored tree does not match its recorded head; refusing to append "
                     "(run `gatehouse ledger verify`)");

  std::vector<EntryRow> rows;
  std::vector<std::pair<NodeId, Hash>> nodes;
  std::optional<std::vector<PendingRow>> pending_rows;
  for (size_t i = 0; i < batch.size(); ++i) {
    Prepared& p = batch[i];
    EntryRecord& rec = p.record;
    auto where = [&](const std::string& msg) {
      Error e = MakeError(ErrorCode::kInvalidArgument,
                          batch.size() > 1 ? "entry " + std::to_string(i + 1) + ": " + msg : msg);
      e.line = static_cast<int>(i + 1);
      return e;
    };
    ApprovalCheck check = CheckApprovals(rec, *policy);
    if (!check.invalid.empty()) return where(check.invalid);
    if (!check.untrusted.empty())
      return where("approval by " + check.untrusted +
                   " is not from an approver in the ledger policy");
    AppendOutcome out;
    out.kind = rec.kind;
    out.approvals = check.valid;
    const bool dual = policy->RequiresApproval(rec.kind);
    if (dual) out.needed = policy->quorum;
    if (dual && rec.reason.empty())
      return where("kind \"" + rec.kind + "\" is dual-control and needs a \"reason\"");
    if (rec.kind == "ledger-policy") {
      if (p.payload.empty()) return where("a ledger-policy entry needs the policy as its payload");
      auto np = ParsePolicyPayload(p.payload);
      if (!np.ok()) return where(np.error().message);
    }
    if (dual && check.valid < policy->quorum) {
      // Wait for approvals. Re-submitting the same entry merges approvals.
      if (!pending_rows) {
        auto pr = txn.ReadPending();
        if (!pr.ok()) return pr.error();
        pending_rows = std::move(*pr);
      }
      PendingRow row;
      row.id = PendingId(rec);
      for (const auto& existing : *pending_rows) {
        if (existing.id != row.id) continue;
        auto prior = ParseApprovalsJson(existing.approvals);
        if (prior.ok())
          for (auto& a : *prior) AddApproval(&rec, std::move(a));
        check = CheckApprovals(rec, *policy);
        out.approvals = check.valid;
      }
      if (check.valid < policy->quorum) {
        const std::string msg = ApprovalMessage(rec);
        row.kind = rec.kind;
        row.body = msg.substr(kApprovalPrefix.size());
        if (!p.payload.empty()) row.payload = p.payload;
        row.salt = p.salt;
        row.created = now;
        row.approvals = ApprovalsJson(rec.approvals);
        Status st = txn.PutPending(row);
        if (!st.ok()) return st;
        out.pending_id = row.id;
        result->items.push_back(std::move(out));
        continue;
      }
      Status st = txn.DeletePending(row.id);
      if (!st.ok()) return st;
    }
    rec.index = frontier->size();
    EntryRow row;
    row.index = rec.index;
    row.leaf = LeafBytes(rec);
    row.leaf_hash = HashLeaf(row.leaf);
    row.kind = rec.kind;
    row.subject = rec.subject;
    row.time = ParseRfc3339(rec.time).value_or(0);
    row.expires = rec.expires.empty() ? 0 : ParseRfc3339(rec.expires).value_or(0);
    if (!p.payload.empty()) {
      row.payload = p.payload;
      row.salt = p.salt;
    }
    frontier->Append(row.leaf_hash,
                     [&](const NodeId& id, const Hash& h) { nodes.emplace_back(id, h); });
    if (rec.kind == "ledger-policy") {
      auto np = ParsePolicyPayload(p.payload);
      *policy = std::move(*np);
      policy->index = rec.index;
      Status st = txn.SetMeta("policy", PolicyPayload(*policy));
      if (st.ok()) st = txn.SetMeta("policy_index", std::to_string(rec.index));
      if (!st.ok()) return st;
    }
    out.appended = true;
    out.index = rec.index;
    out.leaf_hash = row.leaf_hash;
    result->items.push_back(std::move(out));
    rows.push_back(std::move(row));
  }
  if (!rows.empty()) {
    Status st = txn.InsertEntries(rows);
    if (st.ok()) st = txn.InsertNodes(nodes);
    if (st.ok()) st = txn.SetHead(TreeHead{frontier->size(), frontier->Root()});
    if (!st.ok()) return st;
  }
  result->head = TreeHead{frontier->size(), frontier->Root()};
  return Status::Ok();
}

std::string RangeText(uint64_t b, uint64_t e) {
  return e - b == 1 ? "entry " + std::to_string(b)
                    : "entries " + std::to_string(b) + ".." + std::to_string(e - 1);
}

// Walks the stored nodes of one level in index order, in pages.
class LevelCursor {
 public:
  LevelCursor(StoreTxn* txn, uint32_t level) : txn_(txn), level_(level) {}
  // The stored hash at `index`, nullopt if there is none.
  Result<std::optional<Hash>> Take(uint64_t index) {
    while (true) {
      if (pos_ == buf_.size()) {
        if (exhausted_) return std::optional<Hash>();
        auto page = txn_->ReadLevel(level_, next_from_, kPage);
        if (!page.ok()) return page.error();
        buf_ = std::move(*page);
        pos_ = 0;
        if (buf_.empty()) {
          exhausted_ = true;
          return std::optional<Hash>();
        }
        next_from_ = buf_.back().first + 1;
      }
      const auto& [idx, h] = buf_[pos_];
      if (idx < index) {
        ++pos_;
        continue;
      }
      if (idx == index) {
        ++pos_;
        return std::optional<Hash>(h);
      }
      return std::optional<Hash>();
    }
  }

 private:
  StoreTxn* txn_;
  uint32_t level_;
  uint64_t next_from_ = 0;
  std::vector<std::pair<uint64_t, Hash>> buf_;
  size_t pos_ = 0;
  bool exhausted_ = false;
};

}  // namespace

// ---- Ledger -------------------------------------------------------------------

Ledger::Ledger(std::unique_ptr<Store> store, LedgerOptions options)
    : store_(std::move(store)), options_(std::move(options)) {}
Ledger::~Ledger() = default;

Result<std::unique_ptr<Ledger>> Ledger::Open(const std::string& db, const LedgerOptions& options) {
  if (db.empty())
    return MakeError(ErrorCode::kInvalidArgument,
                     "no ledger database given (--db PATH or postgresql:// URL, or set "
                     "GATEHOUSE_LEDGER_DB)");
  auto store = IsPostgresUrl(db) ? OpenPostgresStore(db, options.create)
                                 : OpenSqliteStore(db, options.create);
  if (!store.ok()) return store.error();
  return std::unique_ptr<Ledger>(new Ledger(std::move(*store), options));
}

const std::string& Ledger::description() const { return store_->description(); }

int64_t Ledger::Now() const {
  return options_.clock ? options_.clock() : static_cast<int64_t>(std::time(nullptr));
}

Result<AppendResult> Ledger::Append(std::vector<EntryInput> entries,
                                    std::span<const SignerKey> approve_with) {
  const int64_t now = Now();
  std::vector<Prepared> batch;
  batch.reserve(entries.size());
  for (size_t i = 0; i < entries.size(); ++i) {
    Prepared p;
    if (!entries[i].payload.empty()) {
      auto salt = RandomSalt();
      if (!salt.ok()) return salt.error();
      p.salt = std::move(*salt);
    }
    auto rec = RecordFromInput(entries[i], now, p.salt, &p.payload);
    if (!rec.ok()) {
      Error e = rec.error();
      if (entries.size() > 1) e.message = "entry " + std::to_string(i + 1) + ": " + e.message;
      e.line = static_cast<int>(i + 1);
      return e;
    }
    p.record = std::move(*rec);
    for (const SignerKey& key : approve_with) {
      if (key.verifier().type != KeyType::kEd25519)
        return MakeError(ErrorCode::kInvalidArgument,
                         "approver key " + key.verifier().Label() + " is not an Ed25519 key");
      auto sig = key.Sign(ApprovalMessage(p.record));
      if (!sig.ok()) return sig.error();
      AddApproval(&p.record, Approval{key.verifier(), std::move(*sig)});
    }
    batch.push_back(std::move(p));
  }
  auto txn = store_->Begin(true);
  if (!txn.ok()) return txn.error();
  AppendResult result;
  Status st = AppendInTxn(**txn, batch, now, &stats_, &result);
  if (!st.ok()) return st.error();
  st = (*txn)->Commit();
  if (!st.ok()) return st.error();
  return result;
}

Result<TreeHead> Ledger::Head() {
  auto txn = store_->Begin(false);
  if (!txn.ok()) return txn.error();
  return (*txn)->Head();
}

Result<Hash> Ledger::RootAt(uint64_t size) {
  auto txn = store_->Begin(false);
  if (!txn.ok()) return txn.error();
  auto head = (*txn)->Head();
  if (!head.ok()) return head.error();
  if (size > head->size)
    return MakeError(ErrorCode::kInvalidArgument, "tree size " + std::to_string(size) +
                                                      " is larger than the ledger (" +
                                                      std::to_string(head->size) + " entries)");
  if (size == head->size) return head->root;
  CountingReader reader(txn->get(), &stats_);
  return RootFromNodes(size, reader.reader());
}

Result<InclusionProof> Ledger::Prove(uint64_t index, std::optional<uint64_t> size) {
  auto txn = store_->Begin(false);
  if (!txn.ok()) return txn.error();
  auto head = (*txn)->Head();
  if (!head.ok()) return head.error();
  const uint64_t n = size.value_or(head->size);
  if (n > head->size)
    return MakeError(ErrorCode::kInvalidArgument, "tree size " + std::to_string(n) +
                                                      " is larger than the ledger (" +
                                                      std::to_string(head->size) + " entries)");
  if (index >= n)
    return MakeError(
        ErrorCode::kInvalidArgument,
        "index " + std::to_string(index) + " is not below the tree size " + std::to_string(n));
  std::vector<LeafRange> ranges = InclusionProofRanges(index, n);
  const size_t path_len = ranges.size();
  ranges.push_back({index, index + 1});
  ranges.push_back({0, n});
  CountingReader reader(txn->get(), &stats_);
  auto hashes = HashRanges(ranges, reader.reader());
  if (!hashes.ok()) return hashes.error();
  InclusionProof p;
  p.index = index;
  p.size = n;
  p.path.assign(hashes->begin(), hashes->begin() + static_cast<ptrdiff_t>(path_len));
  p.leaf_hash = (*hashes)[path_len];
  p.root = (*hashes)[path_len + 1];
  return p;
}

Result<ConsistencyProof> Ledger::Consistency(uint64_t first, std::optional<uint64_t> second) {
  auto txn = store_->Begin(false);
  if (!txn.ok()) return txn.error();
  auto head = (*txn)->Head();
  if (!head.ok()) return head.error();
  const uint64_t n = second.value_or(head->size);
  if (n > head->size)
    return MakeError(ErrorCode::kInvalidArgument, "tree size " + std::to_string(n) +
                                                      " is larger than the ledger (" +
                                                      std::to_string(head->size) + " entries)");
  if (first > n)
    return MakeError(ErrorCode::kInvalidArgument, "--from " + std::to_string(first) +
                                                      " is larger than --to " + std::to_string(n));
  std::vector<LeafRange> ranges = ConsistencyProofRanges(first, n);
  const size_t path_len = ranges.size();
  if (first > 0) ranges.push_back({0, first});
  if (n > 0) ranges.push_back({0, n});
  CountingReader reader(txn->get(), &stats_);
  auto hashes = HashRanges(ranges, reader.reader());
  if (!hashes.ok()) return hashes.error();
  ConsistencyProof p;
  p.first = first;
  p.second = n;
  p.path.assign(hashes->begin(), hashes->begin() + static_cast<ptrdiff_t>(path_len));
  size_t i = path_len;
  p.first_root = first > 0 ? (*hashes)[i++] : EmptyRoot();
  p.second_root = n > 0 ? (*hashes)[i] : EmptyRoot();
  return p;
}

Status Ledger::Export(uint64_t from, std::optional<uint64_t> to,
                      const std::function<Status(const ExportedEntry&)>& sink) {
  auto txn = store_->Begin(false);
  if (!txn.ok()) return txn.error();
  auto head = (*txn)->Head();
  if (!head.ok()) return head.error();
  const uint64_t end = to.value_or(head->size);
  if (end > head->size)
    return MakeError(ErrorCode::kInvalidArgument, "--to " + std::to_string(end) +
                                                      " is beyond the ledger (" +
                                                      std::to_string(head->size) + " entries)");
  uint64_t next = from;
  while (next < end) {
    auto page =
        (*txn)->ReadEntries(next, static_cast<size_t>(std::min<uint64_t>(kPage, end - next)));
    if (!page.ok()) return page.error();
    if (page->empty()) break;
    for (auto& row : *page) {
      if (row.index >= end) return Status::Ok();
      ExportedEntry e;
      e.index = row.index;
      e.leaf = std::move(row.leaf);
      e.leaf_hash = row.leaf_hash;
      e.payload = std::move(row.payload);
      e.salt = e.payload ? std::move(row.salt) : std::string();
      e.redacted = row.redacted;
      Status st = sink(e);
      if (!st.ok()) return st;
      next = row.index + 1;
    }
  }
  return Status::Ok();
}

Result<VerifyReport> Ledger::Verify(const VerifyOptions& options) {
  auto txn_r = store_->Begin(false);
  if (!txn_r.ok()) return txn_r.error();
  StoreTxn& txn = **txn_r;
  VerifyReport rep;
  auto head = txn.Head();
  if (!head.ok()) return head.error();
  rep.head = *head;
  auto cps = txn.ReadCheckpoints();
  if (!cps.ok()) return cps.error();

  std::set<uint64_t> flagged;
  auto add = [&](std::optional<uint64_t> index, std::string msg) {
    if (index) flagged.insert(*index);
    if (rep.problems.size() < options.max_problems)
      rep.problems.push_back(VerifyProblem{index, std::move(msg)});
  };
  auto flagged_in = [&](uint64_t b, uint64_t e) {
    auto it = flagged.lower_bound(b);
    return it != flagged.end() && *it < e;
  };

  std::vector<std::unique_ptr<LevelCursor>> cursors(65);
  Status cursor_error;
  MerkleFrontier frontier;
  auto on_node = [&](const NodeId& id, const Hash& h) {
    if (!cursor_error.ok()) return;
    auto& c = cursors[id.level];
    if (!c) c = std::make_unique<LevelCursor>(&txn, id.level);
    auto stored = c->Take(id.index);
    if (!stored.ok()) {
      cursor_error = stored.error();
      return;
    }
    if (!*stored) {
      add(id.begin(), "the stored subtree hash over " + RangeText(id.begin(), id.end()) +
                          " (level " + std::to_string(id.level) + ") is missing");
    } else if (**stored != h && !flagged_in(id.begin(), id.end())) {
      add(id.begin(), RangeText(id.begin(), id.end()) +
                          " no longer match the stored subtree hash (level " +
                          std::to_string(id.level) +
                          "): entry data and leaf hashes were rewritten together; the first "
                          "altered entry is in this range");
    }
  };

  size_t cp_next = 0;
  auto check_checkpoints = [&](uint64_t size) {
    while (cp_next < cps->size() && (*cps)[cp_next].size == size) {
      const Hash root = frontier.Root();
      if ((*cps)[cp_next].root != root)
        add(std::nullopt, "the ledger at size " + std::to_string(size) +
                              " no longer matches the checkpoint signed at that size (history "
                              "before entry " +
                              std::to_string(size) + " was rewritten)");
      ++cp_next;
    }
  };
  check_checkpoints(0);

  Policy policy;
  uint64_t expected = 0;
  bool broken = false;
  while (!broken) {
    auto page = txn.ReadEntries(expected, kPage);
    if (!page.ok()) return page.error();
    if (page->empty()) break;
    for (const EntryRow& row : *page) {
      const uint64_t i = expected;
      if (row.index != i) {
        add(i, row.index == i + 1
                   ? "entry " + std::to_string(i) + " is missing (row deleted)"
                   : "entries " + std::to_string(i) + ".." + std::to_string(row.index - 1) +
                         " are missing (rows deleted)");
        broken = true;
        break;
      }
      if (i >= head->size) {
        add(i, "entry " + std::to_string(i) + " lies beyond the recorded tree size " +
                   std::to_string(head->size) + " (row inserted, or the head was rolled back)");
        broken = true;
        break;
      }
      const Hash lh = HashLeaf(row.leaf);
      if (lh != row.leaf_hash)
        add(i, "entry " + std::to_string(i) +
                   ": the leaf bytes do not match the stored leaf hash (entry modified)");
      auto rec = ParseLeaf(row.leaf);
      if (!rec.ok()) {
        add(i, "entry " + std::to_string(i) + ": the leaf is not a valid entry (" +
                   rec.error().message + ")");
      } else {
        if (rec->index != i)
          add(i, "entry " + std::to_string(i) + ": the leaf records index " +
                     std::to_string(rec->index) + " (rows moved or swapped)");
        const int64_t t = ParseRfc3339(rec->time).value_or(-1);
        const int64_t x = rec->expires.empty() ? 0 : ParseRfc3339(rec->expires).value_or(-1);
        if (rec->kind != row.kind || rec->subject != row.subject || t != row.time ||
            x != row.expires)
          add(i, "entry " + std::to_string(i) +
                     ": the kind/subject/time columns disagree with the leaf");
        bool payload_ok = false;
        if (rec->payload_sha256.empty()) {
          if (row.payload)
            add(i, "entry " + std::to_string(i) +
                       ": a payload is stored but the leaf commits to none");
        } else if (row.payload) {
          if (PayloadDigest(row.salt, *row.payload) != rec->payload_sha256)
            add(i, "entry " + std::to_string(i) +
                       ": the payload does not match the digest in its leaf (payload modified)");
          else
            payload_ok = true;
        } else if (!row.redacted) {
          add(i, "entry " + std::to_string(i) +
                     ": the payload is missing but the entry is not marked redacted");
        }
        if (row.redacted) ++rep.redacted;
        const bool dual = policy.RequiresApproval(rec->kind);
        if (dual || !rec->approvals.empty()) {
          ApprovalCheck check = CheckApprovals(*rec, policy);
          rep.approvals += rec->approvals.size();
          if (!check.invalid.empty())
            add(i, "entry " + std::to_string(i) + ": " + check.invalid);
          else if (dual && check.valid < policy.quorum)
            add(i, "entry " + std::to_string(i) + ": dual-control kind \"" + rec->kind + "\" has " +
                       std::to_string(check.valid) +
                       " valid approvals from distinct trusted keys; the policy needs " +
                       std::to_string(policy.quorum));
        }
        if (rec->kind == "ledger-policy") {
          if (!payload_ok) {
            add(i, "entry " + std::to_string(i) + ": the policy entry's payload is unreadable");
          } else {
            auto np = ParsePolicyPayload(*row.payload);
            if (!np.ok()) {
              add(i, "entry " + std::to_string(i) + ": invalid policy: " + np.error().message);
            } else {
              policy = std::move(*np);
              policy.index = i;
            }
          }
        }
      }
      frontier.Append(lh, on_node);
      if (!cursor_error.ok()) return cursor_error.error();
      ++expected;
      ++rep.entries;
      check_checkpoints(frontier.size());
    }
  }
  if (!broken && expected < head->size)
    add(expected, "entries " + std::to_string(expected) + ".." + std::to_string(head->size - 1) +
                      " are missing: the head records " + std::to_string(head->size) +
                      " entries (rows deleted)");
  if (!broken && expected == head->size && frontier.Root() != head->root)
    add(std::nullopt, "the recorded root does not match the root recomputed from the entries");
  if (!broken) {
    auto max_level = txn.MaxLevel();
    if (!max_level.ok()) return max_level.error();
    for (uint32_t level = 1; level <= *max_level && level < 64; ++level) {
      const uint64_t count = head->size >> level;
      auto extra = txn.ReadLevel(level, count, 1);
      if (!extra.ok()) return extra.error();
      if (!extra->empty()) {
        const uint64_t b = extra->front().first << level;
        add(std::nullopt, "a stored subtree hash (level " + std::to_string(level) + ", entries " +
                              std::to_string(b) + "..) lies beyond the tree (rows inserted?)");
      }
    }
  }
  if (!broken) {
    auto cached = LoadPolicy(txn);
    if (!cached.ok()) {
      add(std::nullopt, cached.error().message);
    } else if (PolicyPayload(*cached) != PolicyPayload(policy) || cached->index != policy.index) {
      add(policy.index,
          "the stored policy does not match the last ledger-policy entry "
          "(ledger metadata was modified)");
    }
  }
  for (; cp_next < cps->size(); ++cp_next)
    add(std::nullopt, "a checkpoint was signed at size " + std::to_string((*cps)[cp_next].size) +
                          " but the ledger has only " + std::to_string(expected) +
                          " verifiable entries (entries removed)");

  // Signatures of the stored checkpoints.
  bool used_stored_key = false;
  for (const auto& cp : *cps) {
    ++rep.checkpoints;
    const std::string where = "checkpoint at size " + std::to_string(cp.size) + ": ";
    auto note = ParseNote(cp.note);
    if (!note.ok()) {
      add(std::nullopt, where + note.error().message);
      continue;
    }
    auto body = ParseCheckpointText(note->text);
    if (!body.ok()) {
      add(std::nullopt, where + body.error().message);
      continue;
    }
    if (body->size != cp.size || body->root != cp.root) {
      add(std::nullopt, where + "the signed note disagrees with the stored size/root");
      continue;
    }
    std::vector<VerifierKey> keys = options.log_keys;
    if (keys.empty()) {
      auto stored = ParseVerifierKey(cp.key);
      if (!stored.ok()) {
        add(std::nullopt, where + "the stored signer key is invalid");
        continue;
      }
      keys.push_back(*stored);
      used_stored_key = true;
    }
    std::string reason;
    bool ok = false;
    for (const auto& k : keys) {
      Status st = VerifyNoteSignature(*note, k);
      if (st.ok()) {
        ok = true;
        break;
      }
      if (reason.empty()) reason = st.error().message;
    }
    if (!ok) add(std::nullopt, where + reason);
  }
  if (used_stored_key)
    rep.notes.push_back(
        "checkpoint signatures were checked against the keys stored with them; pass --key to "
        "check them against a trusted log key");
  std::stable_sort(rep.problems.begin(), rep.problems.end(),
                   [](const VerifyProblem& a, const VerifyProblem& b) {
                     if (a.index.has_value() != b.index.has_value()) return a.index.has_value();
                     return a.index.value_or(0) < b.index.value_or(0);
                   });
  return rep;
}

// ---- checkpoints --------------------------------------------------------------

Result<std::string> Ledger::SignCheckpoint(const SignerKey& key, std::string origin) {
  if (key.verifier().type != KeyType::kEd25519)
    return MakeError(ErrorCode::kInvalidArgument, "key " + key.verifier().Label() +
                                                      " is a witness key; checkpoints are signed "
                                                      "with an Ed25519 log key");
  if (origin.empty()) origin = key.name();
  if (origin.find('\n') != std::string::npos || !ValidKeyName(origin))
    return MakeError(ErrorCode::kInvalidArgument,
                     "invalid origin '" + origin + "' (no spaces, '+' or newlines)");
  auto txn_r = store_->Begin(true);
  if (!txn_r.ok()) return txn_r.error();
  StoreTxn& txn = **txn_r;
  auto stored_origin = txn.GetMeta("origin");
  if (!stored_origin.ok()) return stored_origin.error();
  if (*stored_origin && **stored_origin != origin)
    return MakeError(ErrorCode::kInvalidArgument,
                     "this ledger's checkpoints use origin '" + **stored_origin +
                         "'; sign with that key name or pass --origin " + **stored_origin);
  auto head = txn.Head();
  if (!head.ok()) return head.error();
  CountingReader reader(&txn, &stats_);
  // A log must never sign a tree inconsistent with one it signed before.
  auto root = RootFromNodes(head->size, reader.reader());
  if (!root.ok()) return root.error();
  if (*root != head->root)
    return MakeError(ErrorCode::kIo,
                     "the stored tree does not match its head; refusing to sign (run verify)");
  auto cps = txn.ReadCheckpoints();
  if (!cps.ok()) return cps.error();
  if (!cps->empty()) {
    const auto& last = cps->back();
    if (last.size > head->size)
      return MakeError(ErrorCode::kIo, "a checkpoint exists at size " + std::to_string(last.size) +
                                           " but the ledger has " + std::to_string(head->size) +
                                           " entries; refusing to sign (run verify)");
    auto then = RootFromNodes(last.size, reader.reader());
    if (!then.ok()) return then.error();
    if (*then != last.root)
      return MakeError(ErrorCode::kIo, "the ledger no longer matches the checkpoint at size " +
                                           std::to_string(last.size) +
                                           "; refusing to sign (run verify)");
  }
  Checkpoint c{origin, head->size, head->root, {}};
  const std::string text = FormatCheckpointText(c);
  auto sig = SignNoteText(text, key);
  if (!sig.ok()) return sig.error();
  const std::string note = FormatNote(Note{text, {std::move(*sig)}});
  Status st = txn.SetMeta("origin", origin);
  if (st.ok())
    st = txn.InsertCheckpoint(
        CheckpointRow{0, head->size, head->root, origin, note, key.verifier().ToString(), Now()});
  if (st.ok()) st = txn.Commit();
  if (!st.ok()) return st.error();
  return note;
}

Result<std::vector<StoredCheckpoint>> Ledger::Checkpoints() {
  auto txn = store_->Begin(false);
  if (!txn.ok()) return txn.error();
  auto rows = (*txn)->ReadCheckpoints();
  if (!rows.ok()) return rows.error();
  std::vector<StoredCheckpoint> out;
  for (auto& r : *rows)
    out.push_back(StoredCheckpoint{r.size, r.root, r.origin, r.note, r.key, r.created});
  return out;
}

Status Ledger::MatchCheckpoint(const Checkpoint& c) {
  auto root = RootAt(c.size);
  if (!root.ok()) return root.error();
  if (*root != c.root)
    return MakeError(ErrorCode::kInvalidArgument,
                     "the ledger's root at size " + std::to_string(c.size) + " is " +
                         HashHex(*root) + " but the checkpoint says " + HashHex(c.root) +
                         ": this ledger is not the log that signed it, or its history changed");
  return Status::Ok();
}

Result<std::string> Ledger::Cosign(std::string_view note_text, const VerifierKey& log_key,
                                   const SignerKey& witness, WitnessState* state) {
  auto note = ParseNote(note_text);
  if (!note.ok()) return note.error();
  Status st = VerifyNoteSignature(*note, log_key);
  if (!st.ok()) return st.error();
  auto cp = ParseCheckpointText(note->text);
  if (!cp.ok()) return cp.error();
  st = MatchCheckpoint(*cp);
  if (!st.ok()) return st.error();
  if (state) {
    if (cp->size < state->size)
      return MakeError(ErrorCode::kInvalidArgument,
                       "the checkpoint (size " + std::to_string(cp->size) +
                           ") is older than the last one this witness cosigned (size " +
                           std::to_string(state->size) + ")");
    if (cp->size == state->size && cp->root != state->root)
      return MakeError(
          ErrorCode::kInvalidArgument,
          "split view: this witness cosigned a different root at size " + std::to_string(cp->size));
    if (cp->size > state->size) {
      auto proof = Consistency(state->size, cp->size);
      if (!proof.ok()) return proof.error();
      st = VerifyConsistency(state->size, cp->size, state->root, cp->root, proof->path);
      if (!st.ok())
        return MakeError(ErrorCode::kInvalidArgument,
                         "the checkpoint is not consistent with the last one this witness "
                         "cosigned (size " +
                             std::to_string(state->size) + "): " + st.error().message);
    }
  }
  auto cosig = CosignCheckpoint(note->text, witness, static_cast<uint64_t>(Now()));
  if (!cosig.ok()) return cosig.error();
  auto merge = [&](Note* n) {
    std::erase_if(n->signatures, [&](const NoteSignature& s) {
      return s.name == witness.name() && s.id == witness.verifier().id;
    });
    n->signatures.push_back(*cosig);
  };
  merge(&*note);
  const std::string out = FormatNote(*note);
  if (state) *state = WitnessState{cp->size, cp->root};
  // Keep the cosignature with the ledger's copy of the checkpoint.
  auto txn = store_->Begin(true);
  if (!txn.ok()) return txn.error();
  auto rows = (*txn)->ReadCheckpoints();
  if (!rows.ok()) return rows.error();
  for (const auto& row : *rows) {
    if (row.size != cp->size) continue;
    auto stored = ParseNote(row.note);
    if (!stored.ok() || stored->text != note->text) continue;
    merge(&*stored);
    st = (*txn)->UpdateCheckpointNote(row.id, FormatNote(*stored));
    if (!st.ok()) return st.error();
  }
  st = (*txn)->Commit();
  if (!st.ok()) return st.error();
  return out;
}

// ---- dual control, bypasses, retention -----------------------------------------

Result<Policy> Ledger::CurrentPolicy() {
  auto txn = store_->Begin(false);
  if (!txn.ok()) return txn.error();
  return LoadPolicy(**txn);
}

Result<std::vector<PendingEntry>> Ledger::Pending() {
  auto txn = store_->Begin(false);
  if (!txn.ok()) return txn.error();
  auto policy = LoadPolicy(**txn);
  if (!policy.ok()) return policy.error();
  auto rows = (*txn)->ReadPending();
  if (!rows.ok()) return rows.error();
  std::vector<PendingEntry> out;
  for (const auto& row : *rows) {
    auto rec = ParsePendingBody(row.body);
    if (!rec.ok())
      return MakeError(ErrorCode::kIo, "pending entry " + row.id.substr(0, 16) +
                                           " is corrupt: " + rec.error().message);
    auto approvals = ParseApprovalsJson(row.approvals);
    if (approvals.ok()) rec->approvals = std::move(*approvals);
    PendingEntry p;
    p.id = row.id;
    p.payload = row.payload;
    p.created = row.created;
    p.needed = policy->quorum;
    p.approvals = CheckApprovals(*rec, *policy).valid;
    for (const auto& a : rec->approvals) p.approved_by.push_back(a.key.Label());
    p.record = std::move(*rec);
    out.push_back(std::move(p));
  }
  return out;
}

Result<ApproveResult> Ledger::Approve(std::string_view id, const SignerKey& key) {
  if (key.verifier().type != KeyType::kEd25519)
    return MakeError(ErrorCode::kInvalidArgument,
                     "approver key " + key.verifier().Label() + " is not an Ed25519 key");
  if (id.size() < 8)
    return MakeError(ErrorCode::kInvalidArgument,
                     "give at least 8 hex digits of the pending id (see `ledger pending`)");
  auto txn_r = store_->Begin(true);
  if (!txn_r.ok()) return txn_r.error();
  StoreTxn& txn = **txn_r;
  auto rows = txn.ReadPending();
  if (!rows.ok()) return rows.error();
  const PendingRow* match = nullptr;
  for (const auto& row : *rows) {
    if (!row.id.starts_with(id)) continue;
    if (match)
      return MakeError(ErrorCode::kInvalidArgument,
                       "pending id '" + std::string(id) + "' is ambiguous; give more digits");
    match = &row;
  }
  if (!match)
    return MakeError(ErrorCode::kNotFound, "no pending entry with id '" + std::string(id) + "'");
  auto rec = ParsePendingBody(match->body);
  if (!rec.ok())
    return MakeError(ErrorCode::kIo, "pending entry is corrupt: " + rec.error().message);
  auto approvals = ParseApprovalsJson(match->approvals);
  if (!approvals.ok()) return approvals.error();
  rec->approvals = std::move(*approvals);
  auto policy = LoadPolicy(txn);
  if (!policy.ok()) return policy.error();
  if (!Trusted(*policy, key.verifier()))
    return MakeError(ErrorCode::kInvalidArgument,
                     "key " + key.verifier().Label() + " is not an approver in the ledger policy");
  for (const auto& a : rec->approvals)
    if (a.key.public_key == key.verifier().public_key)
      return MakeError(ErrorCode::kInvalidArgument,
                       "already approved by " + key.verifier().Label() +
                           "; dual control needs approvals from distinct keys");
  auto sig = key.Sign(ApprovalMessage(*rec));
  if (!sig.ok()) return sig.error();
  rec->approvals.push_back(Approval{key.verifier(), std::move(*sig)});
  ApproveResult result;
  result.id = match->id;
  result.needed = policy->quorum;
  result.approvals = CheckApprovals(*rec, *policy).valid;
  if (result.approvals >= policy->quorum) {
    std::vector<Prepared> batch(1);
    batch[0].record = std::move(*rec);
    batch[0].payload = match->payload.value_or("");
    batch[0].salt = match->salt;
    AppendResult appended;
    Status st = AppendInTxn(txn, batch, Now(), &stats_, &appended);
    if (!st.ok()) return st.error();
    if (appended.items.empty() || !appended.items[0].appended)
      return MakeError(ErrorCode::kInternal, "the approved entry was not appended");
    result.index = appended.items[0].index;
    st = txn.DeletePending(match->id);
    if (!st.ok()) return st.error();
  } else {
    PendingRow row = *match;
    row.approvals = ApprovalsJson(rec->approvals);
    Status st = txn.PutPending(row);
    if (!st.ok()) return st.error();
  }
  Status st = txn.Commit();
  if (!st.ok()) return st.error();
  return result;
}

Result<std::vector<Bypass>> Ledger::Bypasses(bool active_only, std::string_view subject) {
  auto txn = store_->Begin(false);
  if (!txn.ok()) return txn.error();
  auto policy = LoadPolicy(**txn);
  if (!policy.ok()) return policy.error();
  const int64_t now = Now();
  std::vector<Bypass> out;
  uint64_t next = 0;
  while (true) {
    auto page = (*txn)->ReadEntriesOfKind("bypass", next, kPage);
    if (!page.ok()) return page.error();
    if (page->empty()) break;
    for (const auto& row : *page) {
      next = row.index + 1;
      if (!subject.empty() && row.subject != subject) continue;
      Bypass b;
      b.index = row.index;
      if (HashLeaf(row.leaf) != row.leaf_hash) {
        b.problem = "the stored entry does not match its leaf hash (tampered)";
      } else if (auto rec = ParseLeaf(row.leaf); !rec.ok()) {
        b.problem = "the stored entry is invalid: " + rec.error().message;
      } else {
        b.record = std::move(*rec);
        if (b.record.index != row.index || b.record.kind != "bypass") {
          b.problem = "the stored entry was moved (index mismatch)";
        } else {
          ApprovalCheck check = CheckApprovals(b.record, *policy);
          if (!check.invalid.empty())
            b.problem = check.invalid;
          else if (check.valid < policy->quorum)
            b.problem = "only " + std::to_string(check.valid) + " of " +
                        std::to_string(policy->quorum) +
                        " required approvals verify under the current policy";
        }
        b.expires_at = ParseRfc3339(b.record.expires).value_or(0);
      }
      if (!subject.empty() && b.record.subject != subject) continue;
      b.approved = b.problem.empty();
      b.active = b.approved && b.expires_at > now;
      if (active_only && !b.active) continue;
      out.push_back(std::move(b));
    }
  }
  std::reverse(out.begin(), out.end());
  return out;
}

Result<RedactResult> Ledger::Redact(int64_t before, const std::vector<std::string>& kinds,
                                    const std::string& actor, const std::string& reason,
                                    bool dry_run) {
  if (actor.empty())
    return MakeError(ErrorCode::kInvalidArgument, "retention needs an --actor (who redacts)");
  for (const auto& k : kinds)
    if (std::find(kNeverRedact.begin(), kNeverRedact.end(), k) != kNeverRedact.end())
      return MakeError(ErrorCode::kInvalidArgument,
                       "\"" + k + "\" payloads are never redacted (verification replays them)");
  auto txn_r = store_->Begin(true);
  if (!txn_r.ok()) return txn_r.error();
  StoreTxn& txn = **txn_r;
  auto n = txn.RedactPayloads(before, kinds, kNeverRedact, dry_run);
  if (!n.ok()) return n.error();
  RedactResult result;
  result.redacted = *n;
  if (dry_run || *n == 0) return result;  // rolls back
  EntryInput record;
  record.kind = "retention";
  record.actor = actor;
  record.reason = reason.empty() ? "retention policy" : reason;
  record.payload = RetentionPayload(before, kinds, *n);
  const int64_t now = Now();
  std::vector<Prepared> batch(1);
  auto salt = RandomSalt();
  if (!salt.ok()) return salt.error();
  batch[0].salt = std::move(*salt);
  auto rec = RecordFromInput(record, now, batch[0].salt, &batch[0].payload);
  if (!rec.ok()) return rec.error();
  batch[0].record = std::move(*rec);
  AppendResult appended;
  Status st = AppendInTxn(txn, batch, now, &stats_, &appended);
  if (!st.ok()) return st.error();
  if (!appended.items.empty() && appended.items[0].appended)
    result.record_index = appended.items[0].index;
  st = txn.Commit();
  if (!st.ok()) return st.error();
  return result;
}

}  // namespace gatehouse::ledger
