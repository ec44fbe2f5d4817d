// RFC 9162 Merkle tree hashing, proof planning and proof verification.
//
// The ledger is a Merkle tree in the exact shape of RFC 9162 (Certificate
// Transparency v2) section 2.1: leaf hash SHA-256(0x00 || leaf), interior
// node SHA-256(0x01 || left || right), split at the largest power of two
// smaller than the range. Everything here is pure: proofs are *planned* as
// lists of leaf ranges, and the hashes of those ranges are read through a
// NodeReader from the perfect subtrees a store keeps, so a proof touches
// O(log n) stored hashes. src/ledger/merkle.cc opens with an essay on the
// tree, the proofs and what they guarantee.
//
// All functions are thread-safe (no shared state); MerkleFrontier is a
// value type, thread-compatible.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "gatehouse/result.h"

namespace gatehouse::ledger {

using Hash = std::array<uint8_t, 32>;

// SHA-256 of arbitrary bytes.
Hash Sha256(std::string_view data);
// RFC 9162: MTH({d}) = SHA-256(0x00 || d).
Hash HashLeaf(std::string_view leaf);
// RFC 9162: SHA-256(0x01 || left || right).
Hash HashChildren(const Hash& left, const Hash& right);
// MTH({}) = SHA-256() — the root of the empty tree.
Hash EmptyRoot();

std::string HashHex(const Hash& h);
std::optional<Hash> HashFromHex(std::string_view hex);
std::optional<Hash> HashFromBytes(std::string_view bytes);  // exactly 32 bytes
inline std::string_view HashBytes(const Hash& h) {
  return {reinterpret_cast<const char*>(h.data()), h.size()};
}

// A perfect subtree: 2^level leaves starting at leaf index << level.
// Level 0 is a single leaf hash.
struct NodeId {
  uint32_t level = 0;
  uint64_t index = 0;
  uint64_t begin() const { return index << level; }
  uint64_t end() const { return (index + 1) << level; }
  bool operator==(const NodeId&) const = default;
  auto operator<=>(const NodeId&) const = default;
};

// A half-open range of leaves [begin, end) whose Merkle Tree Hash (MTH of
// D[begin:end]) is one element of a proof.
struct LeafRange {
  uint64_t begin = 0;
  uint64_t end = 0;
  bool operator==(const LeafRange&) const = default;
};

// The perfect subtrees that make up MTH(D[begin:end]) for a range that
// occurs in an RFC 9162 tree (begin aligned to the range's split), left to
// right; folding them right-to-left with HashChildren gives the range's hash.
// Returns an empty vector for an empty or misaligned range.
std::vector<NodeId> RangeNodes(LeafRange range);

// The ranges whose hashes form the RFC 9162 inclusion proof (audit path) of
// leaf `index` in a tree of `size` leaves, in proof order (bottom-up).
// Requires index < size.
std::vector<LeafRange> InclusionProofRanges(uint64_t index, uint64_t size);
// The ranges of the RFC 9162 consistency proof from tree size `first` to
// `second`, in proof order. Empty when first == 0 or first == second.
// Requires first <= second.
std::vector<LeafRange> ConsistencyProofRanges(uint64_t first, uint64_t second);

// Reads stored perfect-subtree hashes; returns them in the order asked.
using NodeReader = std::function<Result<std::vector<Hash>>(std::span<const NodeId>)>;

// Hashes of the given ranges, reading every distinct perfect subtree once
// (one NodeReader call).
Result<std::vector<Hash>> HashRanges(std::span<const LeafRange> ranges, const NodeReader& read);
// MTH(D[0:size]) from the stored perfect subtrees (popcount(size) reads).
Result<Hash> RootFromNodes(uint64_t size, const NodeReader& read);

// RFC 9162 section 2.1.3.2. Fails with a reason when the proof does not
// show that `leaf_hash` is leaf `index` of the tree of `size` with `root`.
Status VerifyInclusion(uint64_t index, uint64_t size, const Hash& leaf_hash,
                       std::span<const Hash> proof, const Hash& root);
// The root implied by an inclusion proof, or an error when it is malformed.
Result<Hash> RootFromInclusionProof(uint64_t index, uint64_t size, const Hash& leaf_hash,
                                    std::span<const Hash> proof);
// RFC 9162 section 2.1.4.2, plus the conventions for the trivial cases:
// first == second needs an empty proof and equal roots; first == 0 needs an
// empty proof and first_root == EmptyRoot().
Status VerifyConsistency(uint64_t first, uint64_t second, const Hash& first_root,
                         const Hash& second_root, std::span<const Hash> proof);

// The right edge of a growing tree (a "compact range" over [0, size)): one
// perfect-subtree hash per set bit of size. Appending a leaf completes zero
// or more perfect subtrees, which is what a store must persist to answer
// proofs later.
class MerkleFrontier {
 public:
  MerkleFrontier() = default;
  // The NodeIds a frontier of `size` consists of, largest first.
  static std::vector<NodeId> NodesFor(uint64_t size);
  // Rebuilds a frontier from the hashes of NodesFor(size), in that order.
  static Result<MerkleFrontier> FromNodes(uint64_t size, std::span<const Hash> hashes);

  // Appends a leaf hash. Each perfect subtree of level >= 1 it completes is
  // passed to `completed` (may be null), lowest level first.
  void Append(const Hash& leaf_hash,
              const std::function<void(const NodeId&, const Hash&)>& completed = nullptr);
  Hash Root() const;
  uint64_t size() const { return size_; }

 private:
  uint64_t size_ = 0;
  std::vector<Hash> hashes_;  // one per set bit of size_, largest subtree first
};

}  // namespace gatehouse::ledger
