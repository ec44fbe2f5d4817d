// RFC 9162 Merkle trees: hashing, proofs, and the frontier.
//
// THE TREE. A log of n entries d[0..n) is summarised by one 32-byte value,
// the Merkle Tree Hash MTH(D[0:n]) (RFC 9162 section 2.1.1):
//
//   MTH({})      = SHA-256()
//   MTH({d})     = SHA-256(0x00 || d)                         (a leaf)
//   MTH(D[0:n])  = SHA-256(0x01 || MTH(D[0:k]) || MTH(D[k:n]))  (k = the
//                  largest power of two smaller than n)
//
// The 0x00/0x01 prefixes keep leaves and interior nodes in different hash
// domains, so no leaf can be passed off as a node (the second-preimage
// attack on naive Merkle trees). Splitting at the largest power of two,
// rather than the midpoint, means the left child is always a *perfect*
// subtree (2^j leaves, aligned to a multiple of 2^j) and the tree only ever
// grows on its right edge: once a perfect subtree is complete its hash never
// changes. Every hash in the tree of size n is therefore either one of those
// immutable perfect subtrees or a fold of a few of them along the right edge.
//
// WHAT WE STORE. For every complete perfect subtree (level L, index i) —
// leaves [i*2^L, (i+1)*2^L) — the store keeps its hash, written once when
// the append that completes it commits. That is the "compact range" layout of
// Certificate Transparency / Trillian: about 2n hashes for n leaves. A range
// [b, e) that occurs in the tree (b aligned to its split) decomposes into at
// most log2(e-b)+1 perfect subtrees along the binary expansion of e-b;
// folding them right-to-left gives MTH(D[b:e]) (RangeNodes below). The frontier of
// the whole tree — one perfect subtree per set bit of n — gives the root.
//
// INCLUSION PROOFS (section 2.1.3). The audit path of leaf m in a tree of
// size n is, from the bottom up, the hash of the sibling of every node on
// the way from the leaf to the root. A verifier holding only the leaf and
// the root rehashes along the path; reaching the root shows the leaf is at
// index m of that tree. The path has about log2(n) elements; every sibling
// on the left is a perfect subtree (one stored read), every sibling on the
// right is either perfect or the right edge of the tree, which decomposes
// into the frontier. Planning the proof as a list of leaf ranges and
// reading the distinct perfect subtrees they need in one batch keeps a proof
// at O(log n) indexed reads: ~2*24 hashes at ten million entries.
//
// CONSISTENCY PROOFS (section 2.1.4). A proof between sizes m < n lists the
// hashes that let a verifier compute *both* MTH(D[0:m]) and MTH(D[0:n]) from
// the same nodes, which shows the first tree is a prefix of the second: the
// log only appended, it never rewrote or dropped history. Together with
// signed checkpoints (signed tree heads) this is what makes the ledger
// tamper-evident: anybody who kept an old checkpoint can demand a proof that
// today's tree extends it, and a log that rewrote entry 5 can produce no
// such proof without a SHA-256 second preimage.
//
// WHAT THEY DO NOT GUARANTEE. Proofs show consistency with a root; they say
// nothing about a root nobody kept. A log operator who rewrites the whole
// database and every stored hash gets a new, internally consistent tree.
// That is why roots are published as signed checkpoints, cosigned by
// witnesses who refuse to sign a tree head that is not consistent with the
// last one they saw, and why `verify` compares every stored checkpoint.
//
// The verification algorithms below follow the text of RFC 9162 sections
// 2.1.3.2 and 2.1.4.2 step by step (bit-shifting over the indices fn/sn)
// rather than the recursive definitions, so that they are independent of
// the proof generation above them and a bug in one is caught by the other;
// the tests add a third, naive recursive implementation.
#include <openssl/evp.h>

#include <algorithm>
#include <bit>
#include <cstring>
#include <map>

#include "gatehouse/ledger_merkle.h"

namespace gatehouse::ledger {

namespace {

// One EVP context per thread, reused: OpenSSL 3's one-shot SHA256() fetches
// the algorithm on every call, which costs more than hashing 65 bytes.
class Sha256Ctx {
 public:
  Sha256Ctx() : md_(EVP_MD_fetch(nullptr, "SHA256", nullptr)), ctx_(EVP_MD_CTX_new()) {}
  ~Sha256Ctx() {
    EVP_MD_CTX_free(ctx_);
    EVP_MD_free(md_);
  }
  Sha256Ctx(const Sha256Ctx&) = delete;
  Sha256Ctx& operator=(const Sha256Ctx&) = delete;

  Hash Digest(std::string_view a, std::string_view b = {}, std::string_view c = {}) {
    Hash out{};
    unsigned len = 0;
    EVP_DigestInit_ex2(ctx_, md_, nullptr);
    if (!a.empty()) EVP_DigestUpdate(ctx_, a.data(), a.size());
    if (!b.empty()) EVP_DigestUpdate(ctx_, b.data(), b.size());
    if (!c.empty()) EVP_DigestUpdate(ctx_, c.data(), c.size());
    EVP_DigestFinal_ex(ctx_, out.data(), &len);
    return out;
  }

 private:
  EVP_MD* md_;
  EVP_MD_CTX* ctx_;
};

Sha256Ctx& ThreadSha() {
  thread_local Sha256Ctx ctx;
  return ctx;
}

// Largest power of two strictly smaller than n (n >= 2).
uint64_t SplitPoint(uint64_t n) { return std::bit_floor(n - 1); }

Error ProofError(std::string message) {
  return MakeError(ErrorCode::kInvalidArgument, std::move(message));
}

}  // namespace

Hash Sha256(std::string_view data) { return ThreadSha().Digest(data); }

Hash HashLeaf(std::string_view leaf) {
  static constexpr char kZero = 0x00;
  return ThreadSha().Digest(std::string_view(&kZero, 1), leaf);
}

Hash HashChildren(const Hash& left, const Hash& right) {
  char buf[65];
  buf[0] = 0x01;
  std::memcpy(buf + 1, left.data(), 32);
  std::memcpy(buf + 33, right.data(), 32);
  return ThreadSha().Digest(std::string_view(buf, sizeof(buf)));
}

Hash EmptyRoot() { return Sha256({}); }

std::string HashHex(const Hash& h) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(64, '0');
  for (size_t i = 0; i < 32; ++i) {
    out[2 * i] = kDigits[h[i] >> 4];
    out[2 * i + 1] = kDigits[h[i] & 15];
  }
  return out;
}

std::optional<Hash> HashFromHex(std::string_view hex) {
  if (hex.size() != 64) return std::nullopt;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  Hash h{};
  for (size_t i = 0; i < 32; ++i) {
    int hi = nibble(hex[2 * i]), lo = nibble(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    h[i] = static_cast<uint8_t>(hi << 4 | lo);
  }
  return h;
}

std::optional<Hash> HashFromBytes(std::string_view bytes) {
  if (bytes.size() != 32) return std::nullopt;
  Hash h{};
  std::memcpy(h.data(), bytes.data(), 32);
  return h;
}

// ---- proof planning -------------------------------------------------------

std::vector<NodeId> RangeNodes(LeafRange range) {
  std::vector<NodeId> nodes;
  uint64_t b = range.begin;
  const uint64_t e = range.end;
  while (b < e) {
    const uint64_t width = e - b;
    // A power-of-two width is one perfect subtree; otherwise the left part
    // is the perfect subtree of the largest power of two below the width.
    const uint64_t k = std::has_single_bit(width) ? width : SplitPoint(width);
    if (b % k != 0) return {};  // not a range of an RFC 9162 tree
    const uint32_t level = static_cast<uint32_t>(std::countr_zero(k));
    nodes.push_back(NodeId{level, b >> level});
    b += k;
  }
  return nodes;
}

std::vector<LeafRange> InclusionProofRanges(uint64_t index, uint64_t size) {
  // PATH(m, D[b:e]) descends towards the leaf; the sibling at each step is
  // one proof element. Collected top-down, returned bottom-up.
  std::vector<LeafRange> top_down;
  if (index >= size) return top_down;
  uint64_t b = 0, e = size;
  while (e - b > 1) {
    const uint64_t k = SplitPoint(e - b);
    if (index - b < k) {
      top_down.push_back({b + k, e});
      e = b + k;
    } else {
      top_down.push_back({b, b + k});
      b += k;
    }
  }
  std::reverse(top_down.begin(), top_down.end());
  return top_down;
}

std::vector<LeafRange> ConsistencyProofRanges(uint64_t first, uint64_t second) {
  // SUBPROOF(m, D[b:e], flag) from RFC 9162 2.1.4.1, unrolled: each level
  // contributes the subtree on the side the old tree does not descend into;
  // the recursion ends at a subtree equal to the old tree's remainder,
  // which is included unless it is the whole old tree (flag still true).
  std::vector<LeafRange> top_down;
  if (first == 0 || first >= second) return top_down;
  uint64_t b = 0, e = second, m = first;
  bool whole_old_tree = true;
  std::optional<LeafRange> terminal;
  while (m != e - b) {
    const uint64_t k = SplitPoint(e - b);
    if (m <= k) {
      top_down.push_back({b + k, e});
      e = b + k;
    } else {
      top_down.push_back({b, b + k});
      b += k;
      m -= k;
      whole_old_tree = false;
    }
  }
  if (!whole_old_tree) terminal = LeafRange{b, e};
  std::vector<LeafRange> out;
  out.reserve(top_down.size() + 1);
  if (terminal) out.push_back(*terminal);
  out.insert(out.end(), top_down.rbegin(), top_down.rend());
  return out;
}

Result<std::vector<Hash>> HashRanges(std::span<const LeafRange> ranges, const NodeReader& read) {
  std::vector<std::vector<NodeId>> per_range;
  per_range.reserve(ranges.size());
  std::vector<NodeId> wanted;
  for (const auto& r : ranges) {
    auto nodes = RangeNodes(r);
    if (nodes.empty())
      return MakeError(ErrorCode::kInternal, "range [" + std::to_string(r.begin) + ", " +
                                                 std::to_string(r.end) + ") is not in the tree");
    wanted.insert(wanted.end(), nodes.begin(), nodes.end());
    per_range.push_back(std::move(nodes));
  }
  std::sort(wanted.begin(), wanted.end());
  wanted.erase(std::unique(wanted.begin(), wanted.end()), wanted.end());
  std::vector<Hash> hashes;
  if (!wanted.empty()) {
    auto got = read(wanted);
    if (!got.ok()) return got.error();
    if (got->size() != wanted.size())
      return MakeError(ErrorCode::kInternal, "node reader returned the wrong number of hashes");
    hashes = std::move(*got);
  }
  auto lookup = [&](const NodeId& id) -> const Hash& {
    auto it = std::lower_bound(wanted.begin(), wanted.end(), id);
    return hashes[static_cast<size_t>(it - wanted.begin())];
  };
  std::vector<Hash> out;
  out.reserve(ranges.size());
  for (const auto& nodes : per_range) {
    Hash h = lookup(nodes.back());
    for (size_t i = nodes.size() - 1; i-- > 0;) h = HashChildren(lookup(nodes[i]), h);
    out.push_back(h);
  }
  return out;
}

Result<Hash> RootFromNodes(uint64_t size, const NodeReader& read) {
  if (size == 0) return EmptyRoot();
  LeafRange whole{0, size};
  auto h = HashRanges(std::span<const LeafRange>(&whole, 1), read);
  if (!h.ok()) return h.error();
  return h->front();
}

// ---- verification (RFC 9162 2.1.3.2 and 2.1.4.2) --------------------------

Result<Hash> RootFromInclusionProof(uint64_t index, uint64_t size, const Hash& leaf_hash,
                                    std::span<const Hash> proof) {
  if (index >= size)
    return ProofError("leaf index " + std::to_string(index) + " is not below tree size " +
                      std::to_string(size));
  uint64_t fn = index, sn = size - 1;
  Hash r = leaf_hash;
  for (const Hash& p : proof) {
    if (sn == 0) return ProofError("inclusion proof is longer than the tree is deep");
    if ((fn & 1) || fn == sn) {
      r = HashChildren(p, r);
      if (!(fn & 1)) {
        while (!(fn & 1) && fn != 0) {
          fn >>= 1;
          sn >>= 1;
        }
      }
    } else {
      r = HashChildren(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) return ProofError("inclusion proof is shorter than the tree is deep");
  return r;
}

Status VerifyInclusion(uint64_t index, uint64_t size, const Hash& leaf_hash,
                       std::span<const Hash> proof, const Hash& root) {
  auto r = RootFromInclusionProof(index, size, leaf_hash, proof);
  if (!r.ok()) return r.error();
  if (*r != root) return ProofError("inclusion proof leads to a different root");
  return Status::Ok();
}

Status VerifyConsistency(uint64_t first, uint64_t second, const Hash& first_root,
                         const Hash& second_root, std::span<const Hash> proof) {
  if (first > second)
    return ProofError("first tree size " + std::to_string(first) + " exceeds second size " +
                      std::to_string(second));
  if (first == second) {
    if (!proof.empty()) return ProofError("consistency proof between equal sizes must be empty");
    if (first_root != second_root) return ProofError("roots of equal-size trees differ");
    return Status::Ok();
  }
  if (first == 0) {
    if (!proof.empty()) return ProofError("consistency proof from the empty tree must be empty");
    if (first_root != EmptyRoot()) return ProofError("first root is not the empty-tree root");
    return Status::Ok();
  }
  // 1. An empty path fails.
  if (proof.empty()) return ProofError("consistency proof is empty");
  // 2. If first is an exact power of two, prepend first_hash.
  std::vector<Hash> path;
  path.reserve(proof.size() + 1);
  if (std::has_single_bit(first)) path.push_back(first_root);
  path.insert(path.end(), proof.begin(), proof.end());
  // 3-4.
  uint64_t fn = first - 1, sn = second - 1;
  while (fn & 1) {
    fn >>= 1;
    sn >>= 1;
  }
  // 5.
  Hash fr = path[0], sr = path[0];
  // 6.
  for (size_t i = 1; i < path.size(); ++i) {
    const Hash& c = path[i];
    if (sn == 0) return ProofError("consistency proof is longer than needed");
    if ((fn & 1) || fn == sn) {
      fr = HashChildren(c, fr);
      sr = HashChildren(c, sr);
      if (!(fn & 1)) {
        while (!(fn & 1) && fn != 0) {
          fn >>= 1;
          sn >>= 1;
        }
      }
    } else {
      sr = HashChildren(sr, c);
    }
    fn >>= 1;
    sn >>= 1;
  }
  // 7.
  if (sn != 0) return ProofError("consistency proof is shorter than needed");
  if (fr != first_root) return ProofError("consistency proof does not lead to the first root");
  if (sr != second_root) return ProofError("consistency proof does not lead to the second root");
  return Status::Ok();
}

// ---- frontier ---------------------------------------------------------------

std::vector<NodeId> MerkleFrontier::NodesFor(uint64_t size) {
  std::vector<NodeId> out;
  uint64_t start = 0;
  for (int level = 63; level >= 0; --level) {
    const uint64_t bit = uint64_t{1} << level;
    if (size & bit) {
      out.push_back(NodeId{static_cast<uint32_t>(level), start >> level});
      start += bit;
    }
  }
  return out;
}

Result<MerkleFrontier> MerkleFrontier::FromNodes(uint64_t size, std::span<const Hash> hashes) {
  if (hashes.size() != static_cast<size_t>(std::popcount(size)))
    return MakeError(ErrorCode::kInternal, "frontier of size " + std::to_string(size) + " needs " +
                                               std::to_string(std::popcount(size)) + " hashes");
  MerkleFrontier f;
  f.size_ = size;
  f.hashes_.assign(hashes.begin(), hashes.end());
  return f;
}

void MerkleFrontier::Append(const Hash& leaf_hash,
                            const std::function<void(const NodeId&, const Hash&)>& completed) {
  Hash h = leaf_hash;
  const uint64_t n = size_;
  // Each trailing one bit of n is a perfect subtree of that level waiting for
  // a right sibling of equal size: merge, carry upwards.
  uint32_t level = 0;
  while (n & (uint64_t{1} << level)) {
    h = HashChildren(hashes_.back(), h);
    hashes_.pop_back();
    ++level;
    if (completed) completed(NodeId{level, n >> level}, h);
  }
  hashes_.push_back(h);
  ++size_;
}

Hash MerkleFrontier::Root() const {
  if (hashes_.empty()) return EmptyRoot();
  Hash r = hashes_.back();
  for (size_t i = hashes_.size() - 1; i-- > 0;) r = HashChildren(hashes_[i], r);
  return r;
}

}  // namespace gatehouse::ledger
