// Tests of the rule loader (gitleaks TOML), the engine and the scanner.
#include <gtest/gtest.h>

#include <algorithm>

#include "gatehouse/secrets.h"
#include "gatehouse/secrets_scan.h"
#include "secrets/cache.h"
#include "test_util.h"

namespace gatehouse {
namespace {

using testing::FakeAwsKeyId;
using testing::FakeGithubToken;
using testing::TempDir;
using testing::WriteFile;

std::unique_ptr<SecretEngine> CompileToml(const std::string& toml,
                                          std::vector<Diagnostic>* diags = nullptr) {
  auto rules = LoadGitleaksToml(toml, "test.toml");
  EXPECT_TRUE(rules.ok()) << (rules.ok() ? "" : rules.error().ToString());
  if (!rules.ok()) return nullptr;
  std::vector<Diagnostic> local;
  auto engine = SecretEngine::Compile(*rules, true, diags ? diags : &local);
  EXPECT_TRUE(engine.ok());
  return engine.ok() ? std::move(engine).value() : nullptr;
}

const char kTokenRule[] = R"(
[[rules]]
id = "tok"
description = "test token"
regex = '''\b(tok_[a-z0-9]{16})\b'''
keywords = ["tok_"]
)";

TEST(SecretsEngineTest, FindsEveryOccurrenceWithOffsets) {
  auto engine = CompileToml(kTokenRule);
  ASSERT_TRUE(engine);
  std::string a = "tok_abcdefgh12345678", b = "tok_0123456789abcdef";
  std::string text = a + "\nx = '" + b + "' and " + a + "\n";
  auto m = engine->Scan("f.txt", text);
  ASSERT_EQ(m.size(), 3u);
  EXPECT_EQ(m[0].secret_start, 0u);
  EXPECT_EQ(text.substr(m[1].secret_start, m[1].secret_end - m[1].secret_start), b);
  EXPECT_EQ(text.substr(m[2].secret_start, m[2].secret_end - m[2].secret_start), a);
}

TEST(SecretsEngineTest, MatchAtEndOfFileWithoutNewline) {
  auto engine = CompileToml(kTokenRule);
  ASSERT_TRUE(engine);
  EXPECT_EQ(engine->Scan("f", "key: tok_abcdefgh12345678").size(), 1u);
  EXPECT_EQ(engine->Scan("f", "").size(), 0u);
}

TEST(SecretsEngineTest, KeywordGatesRule) {
  // The regex does not require the keyword; gitleaks semantics still demand it.
  auto engine = CompileToml(R"(
[[rules]]
id = "digits"
regex = '''\b([0-9]{12})\b'''
keywords = ["account"]
)");
  ASSERT_TRUE(engine);
  EXPECT_EQ(engine->Scan("f", "id 123456789012\n").size(), 0u);
  EXPECT_EQ(engine->Scan("f", "ACCOUNT id 123456789012\n").size(), 1u);
}

TEST(SecretsEngineTest, EntropyThresholdIsStrict) {
  auto engine = CompileToml(R"(
[[rules]]
id = "e"
regex = '''secret=([a-z]{8})'''
entropy = 2.0
keywords = ["secret"]
)");
  ASSERT_TRUE(engine);
  EXPECT_EQ(engine->Scan("f", "secret=aaaaaaaa\n").size(), 0u);  // entropy 0
  EXPECT_EQ(engine->Scan("f", "secret=abcdefgh\n").size(), 1u);  // entropy 3
}

TEST(SecretsEngineTest, SecretGroupSelectsCapture) {
  auto engine = CompileToml(R"(
[[rules]]
id = "g"
regex = '''(user)=([a-z]+):(pw[0-9]+)'''
secretGroup = 3
keywords = ["user"]
)");
  ASSERT_TRUE(engine);
  std::string text = "user=bob:pw12345\n";
  auto m = engine->Scan("f", text);
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(text.substr(m[0].secret_start, m[0].secret_end - m[0].secret_start), "pw12345");
}

TEST(SecretsEngineTest, PathFilterAndPathOnlyRule) {
  auto engine = CompileToml(R"(
[[rules]]
id = "only-in-conf"
regex = '''tok_[a-z0-9]{16}'''
path = '''\.conf$'''
keywords = ["tok_"]

[[rules]]
id = "pkcs12-file"
path = '''\.p12$'''
)");
  ASSERT_TRUE(engine);
  EXPECT_EQ(engine->Scan("a.txt", "tok_abcdefgh12345678").size(), 0u);
  EXPECT_EQ(engine->Scan("a.conf", "tok_abcdefgh12345678").size(), 1u);
  auto m = engine->Scan("certs/x.p12", "anything");
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].start, 0u);
  EXPECT_EQ(m[0].end, 0u);
}

TEST(SecretsEngineTest, MultiLinePrivateKeyWithinWindow) {
  auto engine = CompileToml(R"(
[[rules]]
id = "pk"
regex = '''-----BEGIN ([A-Z ]{0,20})PRIVATE KEY-----[\s\S]{32,}?-----END [A-Z ]{0,20}PRIVATE KEY-----'''
keywords = ["private key"]
)");
  ASSERT_TRUE(engine);
  std::mt19937_64 rng(7);
  std::string body;
  for (int i = 0; i < 20; ++i)
    body += testing::RandomChars(rng, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdef0123456789+/", 64) + "\n";
  std::string pem = std::string("-----BEGIN RSA ") + "PRIVATE KEY-----\n" + body + "-----END RSA " +
                    "PRIVATE KEY-----\n";
  auto m = engine->Scan("k.txt", "prefix line\n" + pem + "suffix\n");
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].start, 12u);
}

TEST(SecretsEngineTest, GithubChecksumValidation) {
  std::mt19937_64 rng(42);
  for (int i = 0; i < 50; ++i) {
    EXPECT_TRUE(ValidTokenChecksum(FakeGithubToken(rng, true)));
    EXPECT_FALSE(ValidTokenChecksum(FakeGithubToken(rng, false)));
  }
  EXPECT_FALSE(ValidTokenChecksum("ghp_short"));
  EXPECT_FALSE(ValidTokenChecksum("no-underscore"));
}

TEST(SecretsEngineTest, RedactionShowsAtMostFourCharsAndLength) {
  // Built at run time: no credential-shaped literal in the repository.
  std::string token = std::string("ghp") + "_" + std::string(36, 'x');
  EXPECT_EQ(RedactSecret(token), "ghp_…(40)");
  EXPECT_EQ(RedactSecret("abc"), "…(3)");
  EXPECT_EQ(RedactSecret("abcdefgh"), "ab…(8)");
}

TEST(SecretsEngineTest, ManyCandidatesAcrossLargeBuffer) {
  auto engine = CompileToml(kTokenRule);
  ASSERT_TRUE(engine);
  std::string text;
  for (int i = 0; i < 5000; ++i)
    text += "line " + std::to_string(i) + " tok_abcdefgh1234" + std::to_string(1000 + i) + "\n";
  EXPECT_EQ(engine->Scan("f", text).size(), 5000u);
}

// ---- gitleaks TOML loading -------------------------------------------------

TEST(SecretsGitleaksTomlTest, ParseErrorHasPosition) {
  auto r = LoadGitleaksToml("[[rules]]\nid = \"x\"\nregex = '''abc\n", "bad.toml");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kParse);
  EXPECT_EQ(r.error().path, "bad.toml");
  EXPECT_GE(r.error().line, 3);
}

TEST(SecretsGitleaksTomlTest, TypeErrorHasPosition) {
  auto r =
      LoadGitleaksToml("[[rules]]\nid = \"x\"\nregex = 'a'\nkeywords = \"notalist\"\n", "t.toml");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kConfig);
  EXPECT_EQ(r.error().line, 4);
  EXPECT_NE(r.error().message.find("keywords"), std::string::npos);
}

TEST(SecretsGitleaksTomlTest, RuleWithoutRegexOrPathIsAnError) {
  auto r = LoadGitleaksToml("[[rules]]\nid = \"x\"\ndescription = \"d\"\n", "t.toml");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("'x'"), std::string::npos);
}

TEST(SecretsGitleaksTomlTest, UnknownKeysAreNotes) {
  auto r = LoadGitleaksToml("[[rules]]\nid = \"x\"\nregex = 'a'\nfrobnicate = 1\n", "t.toml");
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->diagnostics.size(), 1u);
  EXPECT_EQ(r->diagnostics[0].line, 4);
}

TEST(SecretsGitleaksTomlTest, ExtendDefaultsDisableAndOverride) {
  auto r = LoadGitleaksToml(R"(
[extend]
useDefault = true
disabledRules = ["never-a-rule"]

[[rules]]
id = "custom"
regex = '''custom_[0-9]{8}'''
keywords = ["custom_"]
)",
                            "t.toml");
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  EXPECT_EQ(r->rules.size(), DefaultRuleSet().rules.size() + 1);
  EXPECT_EQ(r->rules.back().id, "custom");
}

TEST(SecretsGitleaksTomlTest, ExtendPathIsRelativeAndMergesById) {
  TempDir dir;
  WriteFile(dir / "base.toml", R"(
[[rules]]
id = "a"
description = "base a"
regex = '''a_[0-9]{4}'''
keywords = ["a_"]
[[rules]]
id = "b"
regex = '''b_[0-9]{4}'''
keywords = ["b_"]
)");
  auto r = LoadGitleaksToml(R"(
[extend]
path = "base.toml"
disabledRules = ["b"]
[[rules]]
id = "a"
description = "override a"
)",
                            dir / "top.toml");
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  ASSERT_EQ(r->rules.size(), 1u);
  EXPECT_EQ(r->rules[0].description, "override a");
  EXPECT_EQ(r->rules[0].regex, "a_[0-9]{4}");
}

TEST(SecretsGitleaksTomlTest, BadRegexIsSkippedWithRuleIdInLenientMode) {
  auto rules = LoadGitleaksToml(R"(
[[rules]]
id = "lookahead"
regex = '''foo(?=bar)'''
[[rules]]
id = "fine"
regex = '''tok_[a-z0-9]{16}'''
)",
                                "t.toml");
  ASSERT_TRUE(rules.ok());
  std::vector<Diagnostic> diags;
  auto lenient = SecretEngine::Compile(*rules, true, &diags);
  ASSERT_TRUE(lenient.ok());
  ASSERT_FALSE(diags.empty());
  EXPECT_NE(diags[0].message.find("lookahead"), std::string::npos);
  EXPECT_EQ((*lenient)->Scan("f", "tok_abcdefgh12345678").size(), 1u);
  auto strict = SecretEngine::Compile(*rules, false, &diags);
  ASSERT_FALSE(strict.ok());
  EXPECT_NE(strict.error().message.find("lookahead"), std::string::npos);
}

TEST(SecretsGitleaksTomlTest, LooksLikeTomlTellsFormatsApart) {
  EXPECT_TRUE(LooksLikeToml("title = \"x\"\n[[rules]]\nid='a'\n"));
  EXPECT_TRUE(LooksLikeToml("# c\n[extend]\nuseDefault = true\n"));
  EXPECT_FALSE(LooksLikeToml("version: 1\nsecrets:\n  fail_on: high\n"));
}

// gitleaks' own published default configuration, fetched by
// scripts/third_party.sh from the npm registry (not committed).
TEST(SecretsGitleaksTomlTest, GitleaksDefaultConfigLoadsAndRuns) {
  const char* tp = std::getenv("GH_THIRD_PARTY");
  std::string path =
      std::string(tp ? tp : (testing::SourceDir() + "/third_party")) + "/gitleaks-default.toml";
  if (!std::filesystem::exists(path)) GTEST_SKIP() << "not fetched: " << path;
  auto text = testing::ReadAll(path);
  auto rules = LoadGitleaksToml(text, path);
  ASSERT_TRUE(rules.ok()) << rules.error().ToString();
  EXPECT_GT(rules->rules.size(), 150u);
  std::vector<Diagnostic> diags;
  auto engine = SecretEngine::Compile(*rules, true, &diags);
  ASSERT_TRUE(engine.ok()) << engine.error().ToString();
  for (const auto& d : diags) std::printf("  gitleaks config note: %s\n", d.message.c_str());
  std::mt19937_64 rng(3);
  std::string gh = FakeGithubToken(rng), aws = FakeAwsKeyId(rng);
  auto m = (*engine)->Scan("app/config.py", "GH = \"" + gh + "\"\nAWS = \"" + aws + "\"\n");
  std::set<std::string> ids;
  for (const auto& x : m) ids.insert((*engine)->rules().rules[x.rule].id);
  EXPECT_TRUE(ids.count("github-pat")) << "rules fired: " << ids.size();
  EXPECT_TRUE(ids.count("aws-access-token"));
}

TEST(SecretsRuleCacheTest, BinaryFormRoundTripsAndRejectsDamage) {
  const RuleSet& def = DefaultRuleSet();
  std::string bytes = SerializeRuleSet(def);
  auto back = DeserializeRuleSet(bytes);
  ASSERT_TRUE(back.has_value());
  ASSERT_EQ(back->rules.size(), def.rules.size());
  for (size_t i = 0; i < def.rules.size(); ++i) {
    const auto &a = def.rules[i], &b = back->rules[i];
    EXPECT_EQ(a.id, b.id);
    EXPECT_EQ(a.regex, b.regex);
    EXPECT_EQ(a.keywords, b.keywords);
    EXPECT_EQ(a.entropy, b.entropy);
    EXPECT_EQ(a.severity, b.severity);
    EXPECT_EQ(a.checksum, b.checksum);
    EXPECT_EQ(a.allowlists.size(), b.allowlists.size());
    EXPECT_EQ(a.test_positive, b.test_positive);
  }
  EXPECT_EQ(SerializeRuleSet(*back), bytes);
  for (size_t cut : {size_t{0}, size_t{5}, bytes.size() / 2, bytes.size() - 1})
    EXPECT_FALSE(DeserializeRuleSet(bytes.substr(0, cut)).has_value()) << cut;
  EXPECT_FALSE(DeserializeRuleSet(bytes + "x").has_value());
}

// ---- scanner ----------------------------------------------------------------

std::vector<Finding> ScanOne(const std::string& root, const std::string& path,
                             const std::string& content, SecretsOptions opt = {}) {
  auto scanner = SecretScanner::Create(root, opt);
  EXPECT_TRUE(scanner.ok()) << (scanner.ok() ? "" : scanner.error().ToString());
  std::vector<Finding> out;
  if (scanner.ok()) (*scanner)->ScanContent(path, content, {}, &out);
  return out;
}

TEST(SecretsScannerTest, NeverCommitFiles) {
  TempDir dir;
  auto ids = [&](const std::string& path, const std::string& content) {
    std::vector<std::string> r;
    for (const auto& f : ScanOne(dir.path(), path, content)) r.push_back(f.rule_id);
    return r;
  };
  EXPECT_EQ(ids(".env", "A=1\n"), std::vector<std::string>{"never-commit-env-file"});
  EXPECT_EQ(ids("svc/.env.production", "A=1\n"), std::vector<std::string>{"never-commit-env-file"});
  EXPECT_TRUE(ids(".env.example", "A=1\n").empty());
  EXPECT_TRUE(ids("x/.env.sample", "A=1\n").empty());
  EXPECT_TRUE(ids(".env.template", "A=1\n").empty());
  EXPECT_TRUE(ids(".env.dist", "A=1\n").empty());
  EXPECT_TRUE(ids("certs/ca.pem", "-----BEGIN CERTIFICATE-----\nMIIB\n").empty());
  EXPECT_EQ(ids("deploy/id_rsa", "x"), std::vector<std::string>{"never-commit-private-key-file"});
  EXPECT_EQ(ids("a/b/store.p12", std::string("\0\1\2", 3)),
            std::vector<std::string>{"never-commit-keystore"});
  EXPECT_EQ(ids(".git-credentials", ""), std::vector<std::string>{"never-commit-credential-store"});
  EXPECT_EQ(ids("infra/terraform.tfstate", "{}"),
            std::vector<std::string>{"never-commit-terraform-state"});
}

TEST(SecretsScannerTest, TerraformSecretVariablesAndArguments) {
  TempDir dir;
  // The literal values are assembled at run time so this file scans clean.
  const std::string v1 = std::string("Sup3r") + "S3cretValue!",
                    v2 = std::string("An0ther") + "Literal#42";
  std::string tf = R"(variable "db_password" {
  type    = string
  default = ")" + v1 +
                   R"("
}

variable "api_token" {
  type = string
}

variable "db_password_arn" {
  type = string
}

resource "aws_db_instance" "main" {
  master_password = ")" +
                   v2 + R"("
  password        = var.db_password
}
)";
  std::multiset<std::string> ids;
  std::string all;
  for (const auto& f : ScanOne(dir.path(), "infra/main.tf", tf)) {
    ids.insert(f.rule_id + "@" + std::to_string(f.location.line));
    all += f.message + "|" + f.evidence + "\n";
  }
  EXPECT_TRUE(ids.count("tf-secret-variable-default@3")) << all;
  EXPECT_TRUE(ids.count("tf-secret-variable-not-sensitive@1")) << all;
  EXPECT_TRUE(ids.count("tf-secret-variable-not-sensitive@6")) << all;
  EXPECT_TRUE(ids.count("tf-secret-literal-argument@15")) << all;
  EXPECT_FALSE(ids.count("tf-secret-variable-not-sensitive@10")) << all;  // *_arn is not a secret
  EXPECT_EQ(all.find("Sup3rS3cretValue"), std::string::npos) << "secret leaked: " << all;
  EXPECT_EQ(all.find("An0therLiteral"), std::string::npos) << "secret leaked: " << all;
}

TEST(SecretsScannerTest, HardenedTerraformIsClean) {
  TempDir dir;
  std::string tf = R"(variable "db_password" {
  type      = string
  sensitive = true
}

data "aws_ssm_parameter" "db_password" {
  name = "/prod/db/password"
}

resource "aws_db_instance" "main" {
  master_password = data.aws_ssm_parameter.db_password.value
  kms_key_id      = "alias/rds"
}
)";
  auto f = ScanOne(dir.path(), "infra/main.tf", tf);
  EXPECT_TRUE(f.empty()) << f.size() << " findings, first: " << (f.empty() ? "" : f[0].rule_id);
}

TEST(SecretsScannerTest, InlineAllowMarkers) {
  TempDir dir;
  std::mt19937_64 rng(11);
  std::string gh = FakeGithubToken(rng);
  EXPECT_FALSE(ScanOne(dir.path(), "a.py", "t = \"" + gh + "\"\n").empty());
  EXPECT_TRUE(ScanOne(dir.path(), "a.py", "t = \"" + gh + "\"  # gitleaks:allow\n").empty());
  EXPECT_TRUE(ScanOne(dir.path(), "a.py", "t = \"" + gh + "\"  # gatehouse:allow\n").empty());
}

TEST(SecretsScannerTest, FingerprintSurvivesLineShifts) {
  TempDir dir;
  std::mt19937_64 rng(12);
  std::string gh = FakeGithubToken(rng);
  auto a = ScanOne(dir.path(), "a.py", "t = \"" + gh + "\"\n");
  auto b = ScanOne(dir.path(), "a.py", "\n\n# new lines above\nimport os\nt = \"" + gh + "\"\n");
  ASSERT_EQ(a.size(), 1u);
  ASSERT_EQ(b.size(), 1u);
  EXPECT_NE(a[0].location.line, b[0].location.line);
  EXPECT_EQ(a[0].fingerprint, b[0].fingerprint);
  auto c = ScanOne(dir.path(), "b.py", "t = \"" + gh + "\"\n");
  EXPECT_NE(a[0].fingerprint, c[0].fingerprint);  // path is part of it
}

TEST(SecretsScannerTest, ChecksumSetsConfidence) {
  TempDir dir;
  std::mt19937_64 rng(13);
  auto good = ScanOne(dir.path(), "a.txt", FakeGithubToken(rng, true) + "\n");
  auto bad = ScanOne(dir.path(), "a.txt", FakeGithubToken(rng, false) + "\n");
  ASSERT_FALSE(good.empty());
  ASSERT_FALSE(bad.empty());
  EXPECT_EQ(good[0].confidence, Confidence::kHigh);
  EXPECT_EQ(bad[0].confidence, Confidence::kLow);
}

TEST(SecretsScannerTest, GlobalAndRuleAllowlists) {
  TempDir dir;
  WriteFile(dir / ".gitleaks.toml", R"(
[[rules]]
id = "tok"
regex = '''\b(tok_[a-z0-9]{16})\b'''
keywords = ["tok_"]
[[rules.allowlists]]
stopwords = ["dead"]
[[rules.allowlists]]
condition = "AND"
paths = ['''^fixtures/''']
regexes = ['''^tok_0000''']

[[allowlists]]
description = "vendored"
paths = ['''^vendor/''']

[[allowlists]]
targetRules = ["tok"]
regexTarget = "line"
regexes = ['''EXAMPLE''']
)");
  auto count = [&](const std::string& path, const std::string& content) {
    return ScanOne(dir.path(), path, content).size();
  };
  EXPECT_EQ(count("src/a.txt", "tok_abcdefgh12345678"), 1u);
  EXPECT_EQ(count("vendor/a.txt", "tok_abcdefgh12345678"), 0u);             // global path
  EXPECT_EQ(count("src/a.txt", "tok_abcdeadh12345678"), 0u);                // stopword
  EXPECT_EQ(count("fixtures/a.txt", "tok_0000efgh12345678"), 0u);           // AND: both hold
  EXPECT_EQ(count("src/a.txt", "tok_0000efgh12345678"), 1u);                // AND: path fails
  EXPECT_EQ(count("src/a.txt", "x = tok_abcdefgh12345678 # EXAMPLE"), 0u);  // line target
}

TEST(SecretsScannerTest, BaselineAndGitleaksIgnoreSuppress) {
  TempDir dir;
  std::mt19937_64 rng(14);
  std::string gh1 = FakeGithubToken(rng), gh2 = FakeGithubToken(rng);
  WriteFile(dir / "src/a.py", "a = \"" + gh1 + "\"\nb = \"" + gh2 + "\"\n");
  auto scanner = SecretScanner::Create(dir.path(), {});
  ASSERT_TRUE(scanner.ok());
  std::vector<Finding> found;
  (*scanner)->ScanContent("src/a.py", testing::ReadAll(dir / "src/a.py"), {}, &found);
  ASSERT_EQ(found.size(), 2u);
  WriteFile(dir / "baseline.json",
            "{\"findings\":[{\"fingerprint\":\"" + found[0].fingerprint + "\"}]}");
  WriteFile(dir / ".gitleaksignore",
            "# comment\n" + found[1].properties.at("gitleaks_fingerprint") + "\n");
  SecretsOptions opt;
  opt.baseline_path = dir / "baseline.json";
  auto s2 = SecretScanner::Create(dir.path(), opt);
  ASSERT_TRUE(s2.ok());
  Report report;
  (*s2)->ScanContent("src/a.py", testing::ReadAll(dir / "src/a.py"), {}, &report.findings);
  (*s2)->Finish(&report);
  EXPECT_TRUE(report.findings.empty());
  EXPECT_EQ(report.stats.findings_suppressed, 2u);
}

TEST(SecretsScannerTest, MalformedBaselineIsAnError) {
  TempDir dir;
  WriteFile(dir / "b.json", "{not json");
  SecretsOptions opt;
  opt.baseline_path = dir / "b.json";
  auto s = SecretScanner::Create(dir.path(), opt);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().path, dir / "b.json");
}

TEST(SecretsScannerTest, OneFindingPerSecretMostSpecificRuleWins) {
  TempDir dir;
  WriteFile(dir / ".gitleaks.toml", R"(
[[rules]]
id = "generic-token"
regex = '''token:\s*([A-Za-z0-9_]{20,})'''
keywords = ["token"]
tags = ["generic"]
severity = "high"
[[rules]]
id = "vendor-token"
regex = '''\b(tok_[a-z0-9]{16})\b'''
keywords = ["tok_"]
severity = "high"
[[rules]]
id = "other-vendor-token"
regex = '''\b(tok_z[a-z0-9]{15})\b'''
keywords = ["tok_"]
severity = "critical"
)");
  auto f =
      ScanOne(dir.path(), "c.yml", "token: tok_abcdefgh12345678\nother: tok_zyxwvuts87654321\n");
  ASSERT_EQ(f.size(), 2u);
  // Same severity: the vendor rule beats the generic one.
  EXPECT_EQ(f[0].rule_id, "vendor-token");
  EXPECT_EQ(f[0].properties.at("also_matched"), "generic-token");
  // Severity first: critical beats high.
  EXPECT_EQ(f[1].rule_id, "other-vendor-token");
  EXPECT_EQ(f[1].properties.at("also_matched"), "vendor-token");
}

TEST(SecretsScannerTest, CommitContextIsRecorded) {
  TempDir dir;
  std::mt19937_64 rng(15);
  auto scanner = SecretScanner::Create(dir.path(), {});
  ASSERT_TRUE(scanner.ok());
  std::vector<Finding> out;
  ContentContext ctx{"0123abcd", "Dev", "dev@example.com", "2026-01-01T00:00:00Z"};
  (*scanner)->ScanContent("a.txt", FakeGithubToken(rng) + "\n", ctx, &out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].properties.at("commit"), "0123abcd");
  EXPECT_EQ(out[0].properties.at("gitleaks_fingerprint").rfind("0123abcd:a.txt:", 0), 0u);
}

}  // namespace
}  // namespace gatehouse
