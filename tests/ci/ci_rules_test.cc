// Data-driven rule tests: every fixture in tests/data/ci/rules names the rule
// it exercises and the exact line:column where it must fire (see
// ci_test_util.h). GH_CI_PRINT=1 prints what each fixture produces.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <set>

#include "ci/ci_test_util.h"

namespace gatehouse {
namespace {

using testing::AnalyzeFixture;
using testing::CiFixture;
using testing::CiFixturePaths;
using testing::FindingKey;
using testing::LoadCiFixture;

class CiFixtureTest : public ::testing::TestWithParam<std::string> {};

TEST_P(CiFixtureTest, FiresExactlyWhereExpected) {
  CiFixture fx = LoadCiFixture(GetParam());
  ASSERT_TRUE(FindCiRule(fx.rule)) << "fixture " << fx.name << " names unknown rule " << fx.rule;
  CiResult r = AnalyzeFixture(fx);
  std::vector<std::string> got;
  for (const Finding& f : r.report.findings) {
    if (std::getenv("GH_CI_PRINT"))
      std::printf("%s: %s %s %s: %s\n", fx.name.c_str(), FindingKey(f).c_str(), f.rule_id.c_str(),
                  std::string(SeverityName(f.severity)).c_str(), f.message.c_str());
    if (f.rule_id == fx.rule) got.push_back(FindingKey(f));
    if (fx.rule != "ci-yaml-syntax") {
      EXPECT_NE(f.rule_id, "ci-yaml-syntax")
          << fx.name << ": fixture does not parse: " << f.message;
    }
  }
  std::sort(got.begin(), got.end());
  if (fx.positive) {
    EXPECT_FALSE(fx.expect.empty()) << fx.name << ": positive fixture without # expect";
  }
  EXPECT_EQ(got, fx.expect) << fx.name;
}

std::vector<std::string> FixtureNames() {
  std::vector<std::string> v;
  for (const auto& p : CiFixturePaths()) v.push_back(p.string());
  return v;
}

INSTANTIATE_TEST_SUITE_P(CiFixtures, CiFixtureTest, ::testing::ValuesIn(FixtureNames()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string n = std::filesystem::path(info.param).stem().string();
                           for (char& c : n)
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           return n;
                         });

TEST(CiRulesTest, EveryRuleHasPositiveAndNegativeFixtures) {
  std::set<std::string> pos, neg;
  for (const auto& p : CiFixturePaths()) {
    CiFixture fx = LoadCiFixture(p);
    (fx.positive ? pos : neg).insert(fx.rule);
  }
  for (const RuleInfo& r : CiRuleInfos()) {
    EXPECT_TRUE(pos.count(r.id)) << r.id << " has no .pos fixture";
    EXPECT_TRUE(neg.count(r.id)) << r.id << " has no .neg fixture";
  }
}

TEST(CiRulesTest, DescriptorsAreComplete) {
  std::set<std::string> ids;
  for (const RuleInfo& r : CiRuleInfos()) {
    EXPECT_TRUE(r.id.rfind("ci-", 0) == 0) << r.id;
    EXPECT_TRUE(ids.insert(r.id).second) << "duplicate " << r.id;
    EXPECT_FALSE(r.title.empty()) << r.id;
    EXPECT_GT(r.description.size(), 40u) << r.id;
    EXPECT_FALSE(r.remediation.empty()) << r.id;
    EXPECT_EQ(r.help_uri.rfind("https://", 0), 0u) << r.id;
    EXPECT_TRUE(r.area == Area::kCiCd || r.area == Area::kSecurity || r.area == Area::kTesting)
        << r.id;
  }
  EXPECT_GE(CiRuleInfos().size(), 35u);
}

TEST(CiRulesTest, DocsDescribeEveryRule) {
  std::string docs = testing::ReadAll(testing::SourceDir() + "/docs/ci.md");
  ASSERT_FALSE(docs.empty());
  for (const RuleInfo& r : CiRuleInfos())
    EXPECT_NE(docs.find("`" + r.id + "`"), std::string::npos) << r.id << " missing from docs/ci.md";
}

}  // namespace
}  // namespace gatehouse
