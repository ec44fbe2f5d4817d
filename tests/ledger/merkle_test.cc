// RFC 9162 hashing and proofs, checked against published vectors and an
// independent naive implementation (ledger_test_util.h), for every index
// and every (m, n) up to 64, including mutated proofs that must fail.
#include <gtest/gtest.h>

#include <bit>
#include <random>
#include <set>

#include "gatehouse/base.h"
#include "gatehouse/ledger_merkle.h"
#include "ledger_test_util.h"

namespace gatehouse::ledger {
namespace {

using testing::NaiveConsistency;
using testing::NaiveMth;
using testing::NaivePath;

Hash H(std::string_view hex) { return *HashFromHex(hex); }

std::string Unhex(std::string_view hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2)
    out.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  return out;
}

// The Certificate Transparency reference leaves and the published roots for
// tree sizes 0..8 (RFC 6962 test data, also used by RFC 9162 implementations).
const std::vector<std::string> kCtLeaves = {"",
                                            "00",
                                            "10",
                                            "2021",
                                            "3031",
                                            "40414243",
                                            "5051525354555657",
                                            "606162636465666768696a6b6c6d6e6f"};
const std::vector<std::string> kCtRoots = {
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
};

std::vector<Hash> CtLeafHashes() {
  std::vector<Hash> out;
  for (const auto& l : kCtLeaves) out.push_back(HashLeaf(Unhex(l)));
  return out;
}

std::vector<Hash> NumberedLeaves(size_t n) {
  std::vector<Hash> out;
  for (size_t i = 0; i < n; ++i) out.push_back(HashLeaf("leaf-" + std::to_string(i)));
  return out;
}

// A NodeReader over an in-memory list of leaf hashes, computing perfect
// subtrees naively (so the planner is checked against the definition).
NodeReader MemoryReader(const std::vector<Hash>& leaves, uint64_t* reads = nullptr) {
  return [&leaves, reads](std::span<const NodeId> ids) -> Result<std::vector<Hash>> {
    std::vector<Hash> out;
    for (const auto& id : ids) {
      if (reads) ++*reads;
      if (id.end() > leaves.size()) return MakeError(ErrorCode::kInternal, "beyond the tree");
      out.push_back(NaiveMth(leaves, id.begin(), id.end()));
    }
    return out;
  };
}

std::vector<Hash> PlannedInclusion(const std::vector<Hash>& leaves, uint64_t index, uint64_t n) {
  auto ranges = InclusionProofRanges(index, n);
  auto h = HashRanges(ranges, MemoryReader(leaves));
  EXPECT_TRUE(h.ok());
  return h.ok() ? *h : std::vector<Hash>{};
}

std::vector<Hash> PlannedConsistency(const std::vector<Hash>& leaves, uint64_t m, uint64_t n) {
  auto ranges = ConsistencyProofRanges(m, n);
  auto h = HashRanges(ranges, MemoryReader(leaves));
  EXPECT_TRUE(h.ok());
  return h.ok() ? *h : std::vector<Hash>{};
}

TEST(LedgerMerkleTest, HashesUseRfc9162DomainSeparation) {
  // Independently: SHA-256 over the prefixed bytes via the base library.
  EXPECT_EQ(HashHex(HashLeaf("abc")), Sha256Hex(std::string("\0abc", 4)));
  Hash l = HashLeaf("l"), r = HashLeaf("r");
  std::string node(1, '\x01');
  node.append(HashBytes(l));
  node.append(HashBytes(r));
  EXPECT_EQ(HashHex(HashChildren(l, r)), Sha256Hex(node));
  EXPECT_EQ(HashHex(EmptyRoot()), kCtRoots[0]);
  EXPECT_NE(HashLeaf(std::string(HashBytes(l)) + std::string(HashBytes(r))), HashChildren(l, r));
}

TEST(LedgerMerkleTest, RootsMatchPublishedVectorsAndNaiveComputation) {
  auto leaves = CtLeafHashes();
  for (size_t n = 0; n <= leaves.size(); ++n) {
    MerkleFrontier f;
    for (size_t i = 0; i < n; ++i) f.Append(leaves[i]);
    EXPECT_EQ(HashHex(f.Root()), kCtRoots[n]) << "size " << n;
    EXPECT_EQ(HashHex(NaiveMth(leaves, 0, n)), kCtRoots[n]) << "naive, size " << n;
    auto r = RootFromNodes(n, MemoryReader(leaves));
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(HashHex(*r), kCtRoots[n]);
  }
}

TEST(LedgerMerkleTest, PublishedInclusionAndConsistencyVectors) {
  auto leaves = CtLeafHashes();
  // RFC 6962 reference proofs.
  std::vector<Hash> p0 = {H("96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"),
                          H("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
                          H("6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4")};
  std::vector<Hash> p5 = {H("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"),
                          H("ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"),
                          H("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7")};
  EXPECT_EQ(PlannedInclusion(leaves, 0, 8), p0);
  EXPECT_EQ(PlannedInclusion(leaves, 5, 8), p5);
  EXPECT_TRUE(VerifyInclusion(0, 8, leaves[0], p0, H(kCtRoots[8])).ok());
  EXPECT_TRUE(VerifyInclusion(5, 8, leaves[5], p5, H(kCtRoots[8])).ok());
  std::vector<Hash> c25 = {H("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
                           H("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b")};
  EXPECT_EQ(PlannedConsistency(leaves, 2, 5), c25);
  EXPECT_TRUE(VerifyConsistency(2, 5, H(kCtRoots[2]), H(kCtRoots[5]), c25).ok());
  std::vector<Hash> c68 = {H("0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a"),
                           H("ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"),
                           H("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7")};
  EXPECT_EQ(PlannedConsistency(leaves, 6, 8), c68);
  EXPECT_TRUE(VerifyConsistency(6, 8, H(kCtRoots[6]), H(kCtRoots[8]), c68).ok());
}

TEST(LedgerMerkleTest, InclusionProofsForEveryIndexUpTo64) {
  auto leaves = NumberedLeaves(64);
  std::mt19937_64 rng(7);
  for (uint64_t n = 1; n <= 64; ++n) {
    const Hash root = NaiveMth(leaves, 0, n);
    for (uint64_t i = 0; i < n; ++i) {
      std::vector<Hash> naive;
      NaivePath(leaves, i, 0, n, &naive);
      auto proof = PlannedInclusion(leaves, i, n);
      ASSERT_EQ(proof, naive) << "i=" << i << " n=" << n;
      ASSERT_TRUE(VerifyInclusion(i, n, leaves[i], proof, root).ok()) << i << "/" << n;

      // Mutations must all be rejected.
      auto rejects = [&](uint64_t idx, uint64_t size, const Hash& leaf, const std::vector<Hash>& p,
                         const Hash& r, const char* what) {
        EXPECT_FALSE(VerifyInclusion(idx, size, leaf, p, r).ok())
            << what << " accepted for i=" << i << " n=" << n;
      };
      if (i + 1 < n) rejects(i + 1, n, leaves[i], proof, root, "index+1");
      if (i > 0) rejects(i - 1, n, leaves[i], proof, root, "index-1");
      rejects(i, n * 2, leaves[i], proof, root, "size*2");
      if (n / 2 > i && n / 2 != n) rejects(i, n / 2, leaves[i], proof, root, "size/2");
      rejects(i, n, HashLeaf("not the leaf"), proof, root, "wrong leaf");
      Hash random_root;
      for (auto& b : random_root) b = static_cast<uint8_t>(rng());
      rejects(i, n, leaves[i], proof, random_root, "random root");
      if (!proof.empty()) {
        auto truncated = proof;
        truncated.pop_back();
        rejects(i, n, leaves[i], truncated, root, "truncated path");
        auto flipped = proof;
        flipped[rng() % flipped.size()][rng() % 32] ^= 1;
        rejects(i, n, leaves[i], flipped, root, "flipped bit");
      }
      auto extended = proof;
      extended.push_back(HashLeaf("extra"));
      rejects(i, n, leaves[i], extended, root, "extended path");
      if (n > 1) rejects(i, n, leaves[i], {}, root, "empty path");
    }
  }
}

TEST(LedgerMerkleTest, ConsistencyProofsForEveryPairUpTo64) {
  auto leaves = NumberedLeaves(64);
  std::mt19937_64 rng(11);
  for (uint64_t n = 1; n <= 64; ++n) {
    const Hash root_n = NaiveMth(leaves, 0, n);
    for (uint64_t m = 0; m <= n; ++m) {
      const Hash root_m = NaiveMth(leaves, 0, m);
      auto naive = NaiveConsistency(leaves, m, n);
      auto proof = PlannedConsistency(leaves, m, n);
      ASSERT_EQ(proof, naive) << "m=" << m << " n=" << n;
      ASSERT_TRUE(VerifyConsistency(m, n, root_m, root_n, proof).ok()) << m << "->" << n;
      if (m == 0 || m == n) continue;

      auto rejects = [&](uint64_t a, uint64_t b, const Hash& ra, const Hash& rb,
                         const std::vector<Hash>& p, const char* what) {
        EXPECT_FALSE(VerifyConsistency(a, b, ra, rb, p).ok())
            << what << " accepted for m=" << m << " n=" << n;
      };
      if (m + 1 < n) rejects(m + 1, n, root_m, root_n, proof, "first+1");
      if (m > 1) rejects(m - 1, n, root_m, root_n, proof, "first-1");
      rejects(m, n * 2, root_m, root_n, proof, "second*2");
      if (n / 2 > m) rejects(m, n / 2, root_m, root_n, proof, "second/2");
      Hash random_root;
      for (auto& b : random_root) b = static_cast<uint8_t>(rng());
      rejects(m, n, random_root, root_n, proof, "random first root");
      rejects(m, n, root_m, random_root, proof, "random second root");
      rejects(m, n, root_n, root_m, proof, "swapped roots");
      if (!proof.empty()) {
        auto truncated = proof;
        truncated.pop_back();
        rejects(m, n, root_m, root_n, truncated, "truncated proof");
        auto flipped = proof;
        flipped[rng() % flipped.size()][rng() % 32] ^= 1;
        rejects(m, n, root_m, root_n, flipped, "flipped bit");
      }
      auto extended = proof;
      extended.push_back(HashLeaf("extra"));
      rejects(m, n, root_m, root_n, extended, "extended proof");
      auto front = proof;
      front.insert(front.begin(), HashLeaf("extra"));
      rejects(m, n, root_m, root_n, front, "prepended element");
    }
  }
}

TEST(LedgerMerkleTest, TrivialConsistencyCases) {
  auto leaves = NumberedLeaves(5);
  const Hash r5 = NaiveMth(leaves, 0, 5);
  EXPECT_TRUE(VerifyConsistency(5, 5, r5, r5, {}).ok());
  EXPECT_FALSE(VerifyConsistency(5, 5, r5, HashLeaf("x"), {}).ok());
  EXPECT_FALSE(VerifyConsistency(5, 5, r5, r5, std::vector<Hash>{r5}).ok());
  EXPECT_TRUE(VerifyConsistency(0, 5, EmptyRoot(), r5, {}).ok());
  EXPECT_FALSE(VerifyConsistency(0, 5, HashLeaf("x"), r5, {}).ok());
  EXPECT_FALSE(VerifyConsistency(6, 5, r5, r5, {}).ok());
  EXPECT_FALSE(VerifyConsistency(2, 5, NaiveMth(leaves, 0, 2), r5, {}).ok());  // empty proof
  EXPECT_FALSE(VerifyInclusion(5, 5, leaves[4], {}, r5).ok());
  EXPECT_FALSE(VerifyInclusion(0, 0, leaves[0], {}, EmptyRoot()).ok());
  EXPECT_TRUE(VerifyInclusion(0, 1, leaves[0], {}, leaves[0]).ok());
}

TEST(LedgerMerkleTest, FrontierEmitsEveryPerfectSubtreeOnce) {
  auto leaves = NumberedLeaves(300);
  MerkleFrontier f;
  std::vector<NodeId> seen;
  for (size_t i = 0; i < leaves.size(); ++i) {
    f.Append(leaves[i], [&](const NodeId& id, const Hash& h) {
      seen.push_back(id);
      EXPECT_EQ(id.end(), i + 1);
      EXPECT_EQ(h, NaiveMth(leaves, id.begin(), id.end()));
    });
    ASSERT_EQ(f.Root(), NaiveMth(leaves, 0, i + 1)) << i;
  }
  // n - popcount(n) subtrees of level >= 1 are complete after n leaves.
  EXPECT_EQ(seen.size(), 300u - static_cast<size_t>(std::popcount(300u)));
  // Rebuilding from the frontier's stored nodes continues identically.
  for (uint64_t n : {0u, 1u, 7u, 64u, 255u, 256u, 299u}) {
    std::vector<Hash> hashes;
    for (const auto& id : MerkleFrontier::NodesFor(n))
      hashes.push_back(NaiveMth(leaves, id.begin(), id.end()));
    auto g = MerkleFrontier::FromNodes(n, hashes);
    ASSERT_TRUE(g.ok());
    for (uint64_t i = n; i < 300; ++i) g->Append(leaves[i]);
    EXPECT_EQ(g->Root(), f.Root()) << n;
  }
  EXPECT_FALSE(MerkleFrontier::FromNodes(7, std::vector<Hash>(2)).ok());
}

TEST(LedgerMerkleTest, ProofsReadLogarithmicallyManyNodes) {
  // At ten million leaves a proof must touch O(log n) stored subtrees.
  const uint64_t n = 10'000'000;
  for (uint64_t i : {uint64_t{0}, uint64_t{1}, uint64_t{4'999'999}, n - 2, n - 1}) {
    auto ranges = InclusionProofRanges(i, n);
    EXPECT_LE(ranges.size(), 24u);
    std::set<NodeId> nodes;
    for (const auto& r : ranges)
      for (const auto& id : RangeNodes(r)) nodes.insert(id);
    EXPECT_LE(nodes.size(), 48u) << i;
  }
  std::set<NodeId> nodes;
  for (const auto& r : ConsistencyProofRanges(3'333'333, n))
    for (const auto& id : RangeNodes(r)) nodes.insert(id);
  EXPECT_LE(nodes.size(), 60u);
  EXPECT_TRUE(RangeNodes({3, 5}).empty());  // misaligned: not a tree range
}

TEST(LedgerMerkleTest, HexRoundTripAndRejectsGarbage) {
  Hash h = HashLeaf("x");
  EXPECT_EQ(HashFromHex(HashHex(h)), h);
  EXPECT_FALSE(HashFromHex("zz"));
  EXPECT_FALSE(HashFromHex(std::string(64, 'g')));
  EXPECT_FALSE(HashFromBytes("short"));
}

}  // namespace
}  // namespace gatehouse::ledger
