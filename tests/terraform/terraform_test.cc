// Terraform analyzer: fixtures under tests/data/terraform/. bad/ carries its
// expectations in comments (`# expect: rule...` on the finding's line,
// `# expect-next:` for the next line); hardened/ must produce no finding.
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "gatehouse/iac.h"
#include "gatehouse/secrets_scan.h"
#include "iac/terraform.h"

namespace gatehouse::iac {
namespace {

namespace fs = std::filesystem;

std::vector<IacFile> LoadDir(const fs::path& root) {
  std::vector<IacFile> out;
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    if (!e.is_regular_file()) continue;
    std::ifstream in(e.path(), std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    out.push_back({fs::relative(e.path(), root).generic_string(), ss.str()});
  }
  std::sort(out.begin(), out.end(),
            [](const IacFile& a, const IacFile& b) { return a.path < b.path; });
  return out;
}

const SecretScanner* Scanner() {
  static auto s = SecretScanner::Create(GH_SOURCE_DIR "/tests/data/terraform", {});
  return s.ok() ? s.value().get() : nullptr;
}

struct TfRun {
  std::vector<Finding> findings;
  std::vector<Diagnostic> diags;
  IacInventory inv;
};

TfRun Analyze(const std::vector<IacFile>& files) {
  TfRun r;
  std::vector<const IacFile*> ptrs;
  for (const auto& f : files)
    if (IsTerraformPath(f.path) || LooksLikeTerraformPlan(f.path, f.content)) ptrs.push_back(&f);
  IacOptions o;
  o.secret_scanner = Scanner();
  AnalyzeTerraform(ptrs, o, &r.findings, &r.diags, &r.inv);
  return r;
}

std::string Dump(const std::vector<Finding>& fs) {
  std::string s;
  for (const auto& f : fs)
    s += f.location.path + ":" + std::to_string(f.location.line) + " " + f.rule_id + " " +
         f.message + "\n";
  return s;
}

TEST(TerraformFixtures, BadCasesMatchExpectations) {
  fs::path root = fs::path(GH_SOURCE_DIR) / "tests/data/terraform/bad";
  auto files = LoadDir(root);
  std::multiset<std::string> want;
  for (const auto& f : files) {
    std::istringstream in(f.content);
    std::string line;
    int n = 0;
    while (std::getline(in, line)) {
      ++n;
      for (const char* tag : {"# expect: ", "# expect-next: "}) {
        size_t p = line.find(tag);
        if (p == std::string::npos) continue;
        int at = std::string(tag) == "# expect: " ? n : n + 1;
        std::istringstream ids(line.substr(p + std::strlen(tag)));
        std::string id;
        while (ids >> id)
          if (id.starts_with("tf/")) want.insert(f.path + ":" + std::to_string(at) + " " + id);
      }
    }
  }
  ASSERT_GE(want.size(), 25u);
  TfRun r = Analyze(files);
  std::multiset<std::string> got;
  for (const auto& f : r.findings)
    got.insert(f.location.path + ":" + std::to_string(f.location.line) + " " + f.rule_id);
  for (const auto& w : want)
    EXPECT_TRUE(got.count(w)) << "missing: " << w << "\n" << Dump(r.findings);
  for (const auto& g : got) EXPECT_TRUE(want.count(g)) << "unexpected: " << g;
  // The chain is spelled out for the module input.
  bool chain = false;
  for (const auto& f : r.findings)
    if (f.rule_id == "tf/db-password-from-variable" && f.location.path == "modules/db/main.tf") {
      chain = true;
      EXPECT_NE(f.message.find("module.db input password ← var.db_password (default is a literal)"),
                std::string::npos)
          << f.message;
      EXPECT_EQ(f.severity, Severity::kHigh);
      EXPECT_NE(f.remediation.find("aws_secretsmanager_secret_version"), std::string::npos);
    }
  EXPECT_TRUE(chain);
  // Secrets are never printed.
  for (const auto& f : r.findings) {
    EXPECT_EQ(f.message.find("changeme-in-prod"), std::string::npos) << f.message;
    EXPECT_EQ(f.message.find("placeholder-access-key-value"), std::string::npos) << f.message;
  }
  EXPECT_EQ(r.inv.tf_files, 3u);
  EXPECT_EQ(r.inv.tf_modules, 3u);
  EXPECT_EQ(r.inv.tf_remote_backends, 1u);
  EXPECT_EQ(r.inv.tf_locked_backends, 0u);
  EXPECT_EQ(r.inv.parse_errors, 0u);
}

TEST(TerraformFixtures, HardenedEnvironmentHasZeroFindings) {
  fs::path root = fs::path(GH_SOURCE_DIR) / "tests/data/terraform/hardened";
  TfRun r = Analyze(LoadDir(root));
  EXPECT_TRUE(r.findings.empty()) << Dump(r.findings);
  EXPECT_EQ(r.inv.tf_remote_backends, 1u);
  EXPECT_EQ(r.inv.tf_locked_backends, 1u);
  EXPECT_EQ(r.inv.tf_modules, 2u);
  EXPECT_GE(r.inv.tf_resources, 12u);
  EXPECT_EQ(r.inv.artifacts, std::vector<std::string>{"main.tf"});
}

TEST(TerraformFixtures, HardenedBecomesBadWhenOneSettingFlips) {
  fs::path root = fs::path(GH_SOURCE_DIR) / "tests/data/terraform/hardened";
  auto files = LoadDir(root);
  for (auto& f : files)
    if (f.path == "modules/db/main.tf") {
      size_t p = f.content.find("storage_encrypted       = true");
      ASSERT_NE(p, std::string::npos);
      f.content.replace(p, 30, "storage_encrypted       = false");
    }
  TfRun r = Analyze(files);
  ASSERT_EQ(r.findings.size(), 1u) << Dump(r.findings);
  EXPECT_EQ(r.findings[0].rule_id, "tf/rds-storage-not-encrypted");
  EXPECT_EQ(r.findings[0].location.line, 19);
}

TEST(TerraformPlan, PlannedValuesAreChecked) {
  fs::path root = fs::path(GH_SOURCE_DIR) / "tests/data/terraform/plan";
  TfRun r = Analyze(LoadDir(root));
  std::set<std::string> got;
  for (const auto& f : r.findings) got.insert(std::to_string(f.location.line) + " " + f.rule_id);
  EXPECT_EQ(got, (std::set<std::string>{"14 tf/rds-storage-not-encrypted",
                                        "17 tf/rds-publicly-accessible", "34 tf/sg-open-ingress"}))
      << Dump(r.findings);
  EXPECT_EQ(r.inv.tf_plans, 1u);
}

TEST(TerraformSecrets, EngineFindsCredentialsRedacted) {
  // Built at run time so the repository never holds a credential-shaped literal.
  std::string key = std::string("AKIA") + "Q3EGRKZ7" + "YB4NW2XM";
  std::vector<IacFile> files = {
      {"main.tf",
       "terraform {\n  required_version = \"1.9.0\"\n}\nlocals {\n  k = \"" + key + "\"\n}\n"}};
  TfRun r = Analyze(files);
  bool found = false;
  for (const auto& f : r.findings) {
    EXPECT_EQ(f.message.find(key), std::string::npos);
    EXPECT_EQ(f.evidence.find(key), std::string::npos);
    if (f.rule_id == "tf/secret-in-code" && f.location.line == 5) found = true;
  }
  EXPECT_TRUE(found) << Dump(r.findings);
}

TEST(TerraformJson, TfJsonResourcesAreChecked) {
  std::vector<IacFile> files = {{"main.tf.json", R"({
  "resource": {
    "aws_kms_key": {"k": {"enable_key_rotation": false}},
    "aws_db_instance": {"d": {
      "storage_encrypted": true, "deletion_protection": true,
      "backup_retention_period": 3, "publicly_accessible": false}}
  }
})"}};
  TfRun r = Analyze(files);
  std::set<std::string> got;
  for (const auto& f : r.findings) got.insert(std::to_string(f.location.line) + " " + f.rule_id);
  EXPECT_EQ(got, (std::set<std::string>{"3 tf/kms-no-rotation", "6 tf/rds-backup-retention"}))
      << Dump(r.findings);
}

TEST(TerraformParseErrors, BecomeFindingsAndOtherFilesStillAnalyzed) {
  std::vector<IacFile> files = {
      {"a/broken.tf", "resource \"aws_kms_key\" \"k\" {\n  description = \"x\n}\n"},
      {"a/ok.tf", "resource \"aws_kms_key\" \"j\" {\n  enable_key_rotation = false\n}\n"}};
  TfRun r = Analyze(files);
  bool parse = false, kms = false;
  for (const auto& f : r.findings) {
    if (f.rule_id == "iac/parse-error") {
      parse = true;
      EXPECT_EQ(f.location.path, "a/broken.tf");
      EXPECT_EQ(f.location.line, 2);
      EXPECT_EQ(f.location.column, 19);
    }
    if (f.rule_id == "tf/kms-no-rotation" && f.location.path == "a/ok.tf") kms = true;
  }
  EXPECT_TRUE(parse && kms) << Dump(r.findings);
  EXPECT_EQ(r.inv.parse_errors, 1u);
}

TEST(TerraformRules, EveryRuleDocumented) {
  std::ifstream in(GH_SOURCE_DIR "/docs/terraform.md");
  std::stringstream ss;
  ss << in.rdbuf();
  for (const auto& r : TerraformRuleInfos()) {
    EXPECT_NE(ss.str().find("`" + r.id + "`"), std::string::npos) << r.id;
    EXPECT_FALSE(r.remediation.empty()) << r.id;
    EXPECT_FALSE(r.help_uri.empty()) << r.id;
  }
}

}  // namespace
}  // namespace gatehouse::iac
