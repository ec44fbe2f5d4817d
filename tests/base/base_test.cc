#include <gtest/gtest.h>

#include "gatehouse/base.h"
#include "gatehouse/finding.h"
#include "gatehouse/result.h"

namespace gatehouse {
namespace {

TEST(BaseTest, Sha256KnownVector) {
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(BaseTest, Crc32KnownVector) { EXPECT_EQ(Crc32("123456789"), 0xCBF43926u); }

TEST(BaseTest, ParseSizeUnits) {
  EXPECT_EQ(ParseSize("10"), 10u);
  EXPECT_EQ(ParseSize("1k"), 1024u);
  EXPECT_EQ(ParseSize("5MB"), 5u << 20);
  EXPECT_EQ(ParseSize("2GiB"), 2ull << 30);
  EXPECT_FALSE(ParseSize("ten"));
  EXPECT_FALSE(ParseSize("10TB"));
  EXPECT_FALSE(ParseSize("99999999999999999999"));
}

TEST(BaseTest, EntropyBounds) {
  EXPECT_DOUBLE_EQ(ShannonEntropy("aaaa"), 0.0);
  EXPECT_DOUBLE_EQ(ShannonEntropy("ab"), 1.0);
  EXPECT_NEAR(ShannonEntropy("0123456789abcdef"), 4.0, 1e-9);
}

TEST(BaseTest, ParallelForVisitsEveryIndexOnce) {
  std::vector<std::atomic<int>> seen(1000);
  ParallelFor(seen.size(), 4, [&](size_t i) { seen[i].fetch_add(1); });
  for (auto& s : seen) EXPECT_EQ(s.load(), 1);
}

TEST(BaseTest, SeverityAndAreaRoundTrip) {
  for (int i = 0; i <= 4; ++i) {
    auto s = static_cast<Severity>(i);
    EXPECT_EQ(ParseSeverity(SeverityName(s)), s);
  }
  EXPECT_EQ(ParseArea("ci-cd"), Area::kCiCd);
  EXPECT_FALSE(ParseArea("nope"));
}

TEST(BaseTest, ErrorToStringCarriesPosition) {
  Error e = MakeError(ErrorCode::kParse, "expected ':'", "a.yaml", 3, 7);
  EXPECT_EQ(e.ToString(), "a.yaml:3:7: expected ':'");
}

}  // namespace
}  // namespace gatehouse
