// Tests of the built-in secret rule set (src/secrets/default_rules.toml).
//
// Every rule carries test_positive / test_negative templates. They are
// expanded with random characters (tests/secrets/samples.h) under a few fixed
// seeds and run through the real engine: each positive must produce a match
// of its rule that survives the rule's own allowlists (and, for checksummed
// tokens, a valid checksum); no negative may. The templates' literal text,
// the rule file itself and these test sources must not match any rule: the
// repository has to scan clean with its own rules.
//
// The engine reports matches before allowlists (allowlists belong to the
// scanner), so Survives() below applies the rule's and the rule set's
// allowlists with gitleaks semantics.
#include <gtest/gtest.h>
#include <re2/re2.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "gatehouse/base.h"
#include "gatehouse/secrets.h"
#include "secrets/samples.h"
#include "test_util.h"

namespace gatehouse {
namespace {

using testing::ExpandSample;
using testing::SamplePathForRule;

constexpr uint64_t kSeeds[] = {1, 2, 3, 4, 5};

const SecretEngine* Engine() {
  static const std::unique_ptr<SecretEngine> engine = [] {
    std::vector<Diagnostic> diags;
    auto e = SecretEngine::Compile(DefaultRuleSet(), /*lenient=*/false, &diags);
    if (!e.ok()) {
      ADD_FAILURE() << "built-in rules do not compile: " << e.error().ToString();
      return std::unique_ptr<SecretEngine>();
    }
    return std::move(e).value();
  }();
  return engine.get();
}

const RE2& Compiled(const std::string& pattern) {
  static std::map<std::string, std::unique_ptr<RE2>> cache;
  auto& slot = cache[pattern];
  if (!slot) {
    RE2::Options opt;
    opt.set_log_errors(false);
    slot = std::make_unique<RE2>(pattern, opt);
  }
  return *slot;
}

bool AnyMatch(const std::vector<std::string>& patterns, std::string_view s) {
  for (const auto& p : patterns)
    if (RE2::PartialMatch(re2::StringPiece(s.data(), s.size()), Compiled(p))) return true;
  return false;
}

// gitleaks allowlist semantics: OR = any criterion that is set holds, AND =
// all criteria that are set hold. Commits never apply here.
bool Allowed(const Allowlist& a, std::string_view path, std::string_view secret,
             std::string_view match, std::string_view line) {
  std::string_view target = a.regex_target == RegexTarget::kSecret  ? secret
                            : a.regex_target == RegexTarget::kMatch ? match
                                                                    : line;
  int set = 0, hit = 0;
  if (!a.paths.empty()) {
    ++set;
    hit += AnyMatch(a.paths, path);
  }
  if (!a.regexes.empty()) {
    ++set;
    hit += AnyMatch(a.regexes, target);
  }
  if (!a.stopwords.empty()) {
    ++set;
    std::string low = AsciiLower(secret);
    for (const auto& w : a.stopwords)
      if (!w.empty() && low.find(AsciiLower(w)) != std::string::npos) {
        ++hit;
        break;
      }
  }
  if (set == 0) return false;
  return a.require_all ? hit == set : hit > 0;
}

// True if the match is not removed by the rule's or the rule set's allowlists.
bool Survives(const SecretMatch& m, std::string_view path, std::string_view text) {
  const RuleSet& set = DefaultRuleSet();
  const SecretRule& rule = set.rules[m.rule];
  std::string_view secret = text.substr(m.secret_start, m.secret_end - m.secret_start);
  std::string_view match = text.substr(m.start, m.end - m.start);
  size_t ls = m.start == 0 ? 0 : text.rfind('\n', m.start - 1);
  ls = ls == std::string_view::npos || m.start == 0 ? 0 : ls + 1;
  size_t le = text.find('\n', m.end);
  std::string_view line = text.substr(ls, (le == std::string_view::npos ? text.size() : le) - ls);
  for (const auto& a : rule.allowlists)
    if (Allowed(a, path, secret, match, line)) return false;
  for (const auto& a : set.allowlists) {
    if (!a.target_rules.empty() &&
        std::find(a.target_rules.begin(), a.target_rules.end(), rule.id) == a.target_rules.end())
      continue;
    if (Allowed(a, path, secret, match, line)) return false;
  }
  return true;
}

// Surviving matches of every rule (rule < 0) or of one rule.
std::vector<SecretMatch> Matches(std::string_view path, std::string_view text, int rule = -1) {
  std::vector<SecretMatch> out;
  for (const auto& m : Engine()->Scan(path, text))
    if ((rule < 0 || m.rule == static_cast<uint32_t>(rule)) && Survives(m, path, text))
      out.push_back(m);
  return out;
}

std::string Describe(const SecretMatch& m, std::string_view text) {
  const SecretRule& r = DefaultRuleSet().rules[m.rule];
  return r.id + " matched \"" +
         std::string(text.substr(m.start, std::min<size_t>(m.end - m.start, 160))) + "\"";
}

bool PathOnly(const SecretRule& r) { return r.regex.empty(); }

std::string Expand(const std::string& tmpl, uint64_t seed) {
  std::mt19937_64 rng(seed);
  return ExpandSample(tmpl, rng);
}

TEST(RulesTest, AtLeast160Rules) { EXPECT_GE(DefaultRuleSet().rules.size(), 160u); }

TEST(RulesTest, EngineCompilesStrictly) {
  ASSERT_NE(Engine(), nullptr);
  EXPECT_EQ(Engine()->rules().rules.size(), DefaultRuleSet().rules.size());
}

// A rule Vectorscan cannot prefilter runs RE2 over whole files: none of ours may.
TEST(RulesTest, EveryRuleIsPrefiltered) {
  std::vector<Diagnostic> diags;
  auto e = SecretEngine::Compile(DefaultRuleSet(), /*lenient=*/false, &diags);
  ASSERT_TRUE(e.ok());
  for (const auto& d : diags) ADD_FAILURE() << d.message;
}

TEST(RulesTest, RulesAreWellFormed) {
  std::set<std::string> ids;
  for (const SecretRule& r : DefaultRuleSet().rules) {
    SCOPED_TRACE(r.id);
    EXPECT_TRUE(RE2::FullMatch(r.id, "[a-z0-9]+(?:-[a-z0-9]+)*")) << "id is not kebab-case";
    EXPECT_TRUE(ids.insert(r.id).second) << "duplicate id";
    EXPECT_FALSE(r.title.empty());
    EXPECT_FALSE(r.description.empty());
    EXPECT_FALSE(r.remediation.empty());
    EXPECT_FALSE(r.regex.empty() && r.path.empty()) << "rule matches nothing";
    if (!r.regex.empty()) {
      const RE2& re = Compiled(r.regex);
      ASSERT_TRUE(re.ok()) << re.error();
      EXPECT_LE(r.secret_group, re.NumberOfCapturingGroups());
    }
    if (!r.path.empty()) {
      EXPECT_TRUE(Compiled(r.path).ok()) << Compiled(r.path).error();
    }
    // Keywords gate the rule and feed the prefilter; only rules limited by
    // `path` may do without them.
    if (r.path.empty()) {
      EXPECT_FALSE(r.keywords.empty()) << "no keywords";
    }
    for (const auto& k : r.keywords) {
      EXPECT_FALSE(k.empty());
      EXPECT_EQ(k, AsciiLower(k)) << "keyword not lower-case";
    }
    if (r.checksum != ChecksumKind::kNone) {
      EXPECT_FALSE(r.regex.empty());
    }
    if (!r.help_uri.empty()) {
      EXPECT_TRUE(r.help_uri.starts_with("https://")) << r.help_uri;
    }
    EXPECT_FALSE(r.test_positive.empty()) << "no test_positive";
    for (const auto& a : r.allowlists) {
      for (const auto& p : a.regexes) EXPECT_TRUE(Compiled(p).ok()) << p;
      for (const auto& p : a.paths) EXPECT_TRUE(Compiled(p).ok()) << p;
    }
  }
}

// severity, confidence, title and remediation default silently when absent,
// so check that every [[rules]] block of the file states them.
TEST(RulesTest, TomlStatesExtensionKeys) {
  std::string toml = testing::ReadAll(testing::SourceDir() + "/src/secrets/default_rules.toml");
  ASSERT_FALSE(toml.empty());
  std::vector<std::string_view> blocks;
  const std::string_view marker = "\n[[rules]]\n";
  for (size_t pos = toml.find(marker); pos != std::string::npos;) {
    size_t next = toml.find(marker, pos + 1);
    blocks.push_back(
        std::string_view(toml).substr(pos, next == std::string::npos ? toml.npos : next - pos));
    pos = next;
  }
  EXPECT_EQ(blocks.size(), DefaultRuleSet().rules.size());
  for (std::string_view b : blocks) {
    re2::StringPiece block(b.data(), b.size());
    std::string id;
    RE2::PartialMatch(block, R"((?m)^id\s*=\s*["']([^"']+)["'])", &id);
    SCOPED_TRACE(id);
    EXPECT_TRUE(RE2::PartialMatch(
        block, R"((?m)^severity\s*=\s*["'](?:critical|high|medium|low|info)["'])"));
    EXPECT_TRUE(RE2::PartialMatch(block, R"((?m)^confidence\s*=\s*["'](?:high|medium|low)["'])"));
    EXPECT_TRUE(RE2::PartialMatch(block, R"((?m)^title\s*=\s*["'][^"']+["'])"));
    EXPECT_TRUE(RE2::PartialMatch(block, R"((?m)^remediation\s*=\s*["'].+["'])"));
  }
}

TEST(RulesTest, LoadWithoutDiagnostics) {
  for (const auto& d : DefaultRuleSet().diagnostics) ADD_FAILURE() << d.message;
}

TEST(RulesTest, PathLimitedRulesHaveSamplePaths) {
  for (const SecretRule& r : DefaultRuleSet().rules) {
    if (r.path.empty()) continue;
    SCOPED_TRACE(r.id);
    std::string_view path = SamplePathForRule(r.id);
    EXPECT_NE(path, "sample.txt") << "add the rule to SamplePathForRule in samples.h";
    EXPECT_TRUE(RE2::PartialMatch(re2::StringPiece(path.data(), path.size()), Compiled(r.path)));
  }
}

TEST(RulesTest, PositiveSamplesMatch) {
  ASSERT_NE(Engine(), nullptr);
  const auto& rules = DefaultRuleSet().rules;
  for (uint32_t i = 0; i < rules.size(); ++i) {
    const SecretRule& r = rules[i];
    std::string path(SamplePathForRule(r.id));
    for (const auto& tmpl : r.test_positive) {
      for (uint64_t seed : kSeeds) {
        std::string text;
        ASSERT_NO_THROW(text = Expand(tmpl, seed)) << r.id << ": " << tmpl;
        auto ms = Matches(path, text, static_cast<int>(i));
        if (ms.empty()) {
          ADD_FAILURE() << r.id << " (seed " << seed << ") does not match:\n" << text;
          continue;
        }
        const SecretMatch& m = ms.front();
        if (!PathOnly(r)) {
          std::string matched = AsciiLower(text.substr(m.start, m.end - m.start));
          bool keyword_inside = r.keywords.empty();
          for (const auto& k : r.keywords) keyword_inside |= matched.find(k) != std::string::npos;
          EXPECT_TRUE(keyword_inside) << r.id << ": no keyword inside the match " << matched;
        }
        if (r.checksum != ChecksumKind::kNone) {
          ASSERT_TRUE(m.checksum_valid.has_value()) << r.id;
          EXPECT_TRUE(*m.checksum_valid) << r.id << ": " << text;
        }
      }
    }
  }
}

TEST(RulesTest, CorruptedChecksumIsReported) {
  ASSERT_NE(Engine(), nullptr);
  const auto& rules = DefaultRuleSet().rules;
  int checked = 0;
  for (uint32_t i = 0; i < rules.size(); ++i) {
    const SecretRule& r = rules[i];
    if (r.checksum == ChecksumKind::kNone) continue;
    for (const auto& tmpl : r.test_positive) {
      std::string text = Expand(tmpl, 1);
      auto ms = Matches(SamplePathForRule(r.id), text, static_cast<int>(i));
      ASSERT_FALSE(ms.empty()) << r.id;
      // Change the last checksum character to another base62 digit.
      char& c = text[ms.front().secret_end - 1];
      c = c == 'A' ? 'B' : 'A';
      auto bad = Matches(SamplePathForRule(r.id), text, static_cast<int>(i));
      ASSERT_FALSE(bad.empty()) << r.id << ": a bad checksum must still be reported";
      ASSERT_TRUE(bad.front().checksum_valid.has_value());
      EXPECT_FALSE(*bad.front().checksum_valid) << r.id << ": " << text;
      ++checked;
    }
  }
  EXPECT_GE(checked, 6);
}

TEST(RulesTest, NegativeSamplesDoNotMatch) {
  ASSERT_NE(Engine(), nullptr);
  const auto& rules = DefaultRuleSet().rules;
  for (uint32_t i = 0; i < rules.size(); ++i) {
    const SecretRule& r = rules[i];
    std::string path(SamplePathForRule(r.id));
    for (const auto& tmpl : r.test_negative) {
      for (uint64_t seed : kSeeds) {
        std::string text;
        ASSERT_NO_THROW(text = Expand(tmpl, seed)) << r.id << ": " << tmpl;
        for (const auto& m : Matches(path, text, static_cast<int>(i)))
          ADD_FAILURE() << r.id << " (seed " << seed << ") negative matched: " << Describe(m, text);
      }
    }
  }
}

// Braces break every token shape, so a template's own text must not match
// any rule (otherwise the rule file would not scan clean).
TEST(RulesTest, TemplateTextMatchesNoRule) {
  ASSERT_NE(Engine(), nullptr);
  for (const SecretRule& r : DefaultRuleSet().rules) {
    if (PathOnly(r)) continue;  // matches any content at its path, by design
    std::vector<std::string> texts = r.test_positive;
    texts.insert(texts.end(), r.test_negative.begin(), r.test_negative.end());
    for (const auto& t : texts)
      for (std::string_view path : {std::string_view("sample.txt"), SamplePathForRule(r.id)})
        for (const auto& m : Matches(path, t))
          ADD_FAILURE() << r.id << " template text at " << path << ": " << Describe(m, t);
  }
}

TEST(RulesTest, RepositoryFilesScanClean) {
  ASSERT_NE(Engine(), nullptr);
  for (const char* rel :
       {"src/secrets/default_rules.toml", "docs/rules.md", "scripts/gen_rules_doc.py",
        "tests/secrets/rules_test.cc", "tests/secrets/samples.h"}) {
    std::string text = testing::ReadAll(testing::SourceDir() + "/" + rel);
    EXPECT_FALSE(text.empty()) << rel;
    for (const auto& m : Matches(rel, text)) ADD_FAILURE() << rel << ": " << Describe(m, text);
  }
}

// Ordinary code that names credentials without containing any.
TEST(RulesTest, TypicalCodeDoesNotFire) {
  ASSERT_NE(Engine(), nullptr);
  const char* kLines[] = {
      "token = getToken()",
      "password: ${{ secrets.DB_PASSWORD }}",
      "secret_key_base: <%= ENV[\"SECRET_KEY_BASE\"] %>",
      "api_key = None",
      "password = \"\"",
      "password = 'changeme'",
      "password = \"<password>\"",
      "api_key = \"your-api-key-here\"",
      "token = \"xxxxxxxxxxxxxxxxxxxxxxxx\"",
      "\"password\": \"********\",",
      "def connect(host, user, password=None, token: str = \"\"):",
      "function login(username, password) { return api.post('/login', { username, password }); }",
      "const apiKey = process.env.API_KEY;",
      "API_KEY = os.environ.get(\"API_KEY\")",
      "password = os.getenv(\"DB_PASSWORD\")",
      "String password = System.getenv(\"DB_PASSWORD\");",
      "$password = $_POST['password'];",
      "if (password === confirmPassword) {",
      "self.token = token",
      "token: {{ .Values.token | quote }}",
      "password: \"{{ .Values.db.password }}\"",
      "secretName: db-credentials",
      "- name: DB_PASSWORD\n  valueFrom:\n    secretKeyRef:\n      name: db\n      key: password",
      "<password>${env.MAVEN_PASSWORD}</password>",
      "DB_PASSWORD=${DB_PASSWORD}",
      "DB_PASSWORD=",
      "export GITHUB_TOKEN=$(gh auth token)",
      "auth_token = request.headers.get(\"Authorization\")",
      "client_secret: !Ref ClientSecret",
      "token_endpoint = \"https://login.example.com/oauth2/v2.0/token\"",
      "password_reset_url: https://example.com/reset",
      "Authorization: Bearer <token>",
      "curl -H \"Authorization: Bearer $TOKEN\" https://api.example.com",
      "docker login -u \"$REGISTRY_USER\" --password-stdin",
      "postgres://app:${DB_PASSWORD}@db:5432/app",
      "-----BEGIN RSA PRIVATE KEY-----\n...\n-----END RSA PRIVATE KEY-----",
  };
  for (const char* line : kLines)
    for (const char* path :
         {"src/app.py", "deploy/values.yaml", "deploy/.env.production", "Dockerfile"})
      for (const auto& m : Matches(path, line)) ADD_FAILURE() << path << ": " << Describe(m, line);
}

TEST(RulesTest, DocsListEveryRule) {
  std::string doc = testing::ReadAll(testing::SourceDir() + "/docs/rules.md");
  ASSERT_FALSE(doc.empty()) << "docs/rules.md missing: run scripts/gen_rules_doc.py";
  for (const SecretRule& r : DefaultRuleSet().rules)
    EXPECT_NE(doc.find("`" + r.id + "`"), std::string::npos)
        << r.id << " is not in docs/rules.md: run scripts/gen_rules_doc.py";
}

TEST(RulesTest, DocsAreCurrent) {
  auto r = testing::RunCommand("python3 '" + testing::SourceDir() +
                               "/scripts/gen_rules_doc.py' --check");
  if (r.exit_code == 127 || r.err.find("tomllib") != std::string::npos)
    GTEST_SKIP() << "python3 with tomllib (3.11+) is not available";
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

// --- the template expander itself -----------------------------------------

TEST(RulesSampleTest, CharacterClassesAndCounts) {
  std::mt19937_64 rng(7);
  EXPECT_TRUE(RE2::FullMatch(ExpandSample("{hex:12}", rng), "[0-9a-f]{12}"));
  EXPECT_TRUE(RE2::FullMatch(ExpandSample("{HEX:12}", rng), "[0-9A-F]{12}"));
  EXPECT_TRUE(RE2::FullMatch(ExpandSample("{b32:40}", rng), "[A-Z2-7]{40}"));
  EXPECT_TRUE(RE2::FullMatch(ExpandSample("{lowernum:40}", rng), "[a-z0-9]{40}"));
  EXPECT_TRUE(RE2::FullMatch(ExpandSample("{[A-C_~]:60}", rng), "[A-C_~]{60}"));
  EXPECT_TRUE(RE2::FullMatch(ExpandSample("x{digit:3}y", rng), "x[0-9]{3}y"));
  EXPECT_EQ(ExpandSample("{{a}} }} }", rng), "{a} } }");
  EXPECT_EQ(ExpandSample("{alnum:0}", rng), "");
}

TEST(RulesSampleTest, ChecksumOfPrecedingRun) {
  std::mt19937_64 rng(3);
  for (int i = 0; i < 20; ++i) {
    std::string token = ExpandSample("ghp_{alnum:30}{ghcrc}", rng);
    ASSERT_EQ(token.size(), 40u);
    EXPECT_TRUE(ValidTokenChecksum(token)) << token;
  }
  // CRC32("123456789") = 0xCBF43926; CRC32("") = 0.
  EXPECT_EQ(testing::samples_internal::Base62Checksum("123456789"), "3jZRME");
  EXPECT_EQ(testing::samples_internal::Base62Checksum(""), "000000");
}

TEST(RulesSampleTest, PemAndJwt) {
  std::mt19937_64 rng(11);
  std::string pem = ExpandSample("{pem:EC PRIVATE KEY}", rng);
  EXPECT_TRUE(pem.starts_with("-----BEGIN EC PRIVATE KEY-----\n"));
  EXPECT_TRUE(pem.ends_with("\n-----END EC PRIVATE KEY-----"));
  EXPECT_GT(pem.size(), 300u);
  std::string jwt = ExpandSample("{jwt}", rng);
  EXPECT_TRUE(RE2::FullMatch(
      jwt, "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9\\.eyJ[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]{43}"))
      << jwt;
}

TEST(RulesSampleTest, MalformedTemplatesThrow) {
  std::mt19937_64 rng(1);
  EXPECT_THROW(ExpandSample("{nope:3}", rng), std::invalid_argument);
  EXPECT_THROW(ExpandSample("{hex:x}", rng), std::invalid_argument);
  EXPECT_THROW(ExpandSample("{hex:3", rng), std::invalid_argument);
  EXPECT_THROW(ExpandSample("{ghcrc}", rng), std::invalid_argument);
}

}  // namespace
}  // namespace gatehouse
