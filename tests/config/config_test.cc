// .gatehouse.yaml parsing: every key, and errors with positions.
#include <gtest/gtest.h>

#include "gatehouse/config.h"
#include "test_util.h"

namespace gatehouse {
namespace {

TEST(ConfigTest, EmptyAndFullConfig) {
  auto empty = ParseConfig("", "c.yaml");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->secrets.use_default_rules);

  auto c = ParseConfig(R"(version: 1
scan:
  include: ["src/**"]
  exclude: ["**/testdata/**", "*.min.js"]
  max_file_size: 2MiB
  follow_symlinks: false
  gitignore: true
secrets:
  fail_on: high
  gitleaks_config: rules/gitleaks.toml
  use_default_rules: true
  disabled_rules: [generic-password]
  never_commit_files: true
  never_commit_allow: ["test/fixtures/*.pem"]
  baseline: baseline.json
  allowlists:
    - description: docs
      paths: ['^docs/']
      condition: OR
      regex_target: line
      regexes: ['EXAMPLE']
      stopwords: [Dummy]
      target_rules: [aws-access-key-id]
  rules:
    - id: internal-token
      title: Internal service token
      regex: '\b(itk_[a-z0-9]{24})\b'
      keywords: [ITK_]
      severity: critical
      entropy: 3.0
)",
                       "/repo/.gatehouse.yaml");
  ASSERT_TRUE(c.ok()) << c.error().ToString();
  EXPECT_EQ(c->scan.exclude.size(), 2u);
  EXPECT_EQ(c->scan.max_file_size, 2u << 20);
  EXPECT_EQ(c->secrets.fail_on, Severity::kHigh);
  EXPECT_EQ(c->secrets.gitleaks_config, "/repo/rules/gitleaks.toml");
  EXPECT_EQ(c->secrets.baseline, "/repo/baseline.json");
  ASSERT_EQ(c->secrets.allowlists.size(), 1u);
  EXPECT_EQ(c->secrets.allowlists[0].regex_target, RegexTarget::kLine);
  EXPECT_EQ(c->secrets.allowlists[0].stopwords[0], "dummy");
  ASSERT_EQ(c->secrets.rules.size(), 1u);
  EXPECT_EQ(c->secrets.rules[0].keywords[0], "itk_");
  EXPECT_EQ(c->secrets.rules[0].severity, Severity::kCritical);
}

struct BadCase {
  const char* name;
  const char* yaml;
  int line;
  int column;
  const char* needle;
};

class ConfigErrorTest : public ::testing::TestWithParam<BadCase> {};

TEST_P(ConfigErrorTest, NamesFileLineAndWhat) {
  const BadCase& c = GetParam();
  auto r = ParseConfig(c.yaml, "cfg.yaml");
  ASSERT_FALSE(r.ok()) << c.name;
  EXPECT_EQ(r.error().path, "cfg.yaml");
  EXPECT_EQ(r.error().line, c.line) << r.error().ToString();
  if (c.column) {
    EXPECT_EQ(r.error().column, c.column) << r.error().ToString();
  }
  EXPECT_NE(r.error().message.find(c.needle), std::string::npos) << r.error().ToString();
}

INSTANTIATE_TEST_SUITE_P(
    Cases, ConfigErrorTest,
    ::testing::Values(
        BadCase{"unknown_top", "version: 1\nsecretz: {}\n", 2, 1, "unknown key 'secretz'"},
        BadCase{"unknown_nested", "secrets:\n  fail_onn: high\n", 2, 3, "unknown key 'fail_onn'"},
        BadCase{"bad_severity", "secrets:\n  fail_on: urgent\n", 2, 12, "fail_on"},
        BadCase{"bad_size", "scan:\n  max_file_size: lots\n", 2, 18, "max_file_size"},
        BadCase{"bad_bool", "scan:\n  gitignore: maybe\n", 2, 14, "true or false"},
        BadCase{"list_expected", "scan:\n  exclude: foo\n", 2, 12, "list of strings"},
        BadCase{"bad_version", "version: 2\n", 1, 10, "version"},
        BadCase{"syntax", "scan:\n  exclude: [a, b\n", 3, 0, ""},
        BadCase{"bad_rule_regex",
                "secrets:\n  rules:\n    - id: broken\n      regex: 'a(b'\n      keywords: [a]\n",
                4, 14, "rule 'broken'"},
        BadCase{"rule_group",
                "secrets:\n  rules:\n    - id: g\n      regex: 'a(b)'\n      secret_group: 3\n", 5,
                21, "secret_group 3"},
        BadCase{"dup_rule",
                "secrets:\n  rules:\n    - {id: a, regex: x}\n    - {id: a, regex: y}\n", 4, 7,
                "duplicate rule id"},
        BadCase{"bad_condition", "secrets:\n  allowlists:\n    - condition: XOR\n", 3, 18,
                "condition"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(ConfigTest, DiscoveryAtRoot) {
  testing::TempDir dir;
  auto none = LoadConfig(dir.path(), "");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->path.empty());
  testing::WriteFile(dir / ".gatehouse.yaml", "secrets:\n  fail_on: medium\n");
  auto found = LoadConfig(dir.path(), "");
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->secrets.fail_on, Severity::kMedium);
  auto missing = LoadConfig(dir.path(), dir / "nope.yaml");
  ASSERT_FALSE(missing.ok());
}

}  // namespace
}  // namespace gatehouse
