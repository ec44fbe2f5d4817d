// Secret rules, rule sets and the secret-matching engine.
//
// A RuleSet is data: rules (regex, secret group, entropy threshold,
// keywords, path filter, allowlists) plus global allowlists. It comes from
// our built-in TOML (src/secrets/default_rules.toml, gitleaks syntax plus a
// few extension keys) or from a user's gitleaks TOML, optionally extending
// the defaults. SecretEngine compiles a RuleSet once (one Vectorscan
// database, lazily compiled RE2 confirmers) and is then immutable and safe to
// share across threads: Scan() may run concurrently on different buffers.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gatehouse/finding.h"
#include "gatehouse/result.h"

namespace gatehouse {

// Which part of a match an allowlist regex is tested against.
enum class RegexTarget { kSecret, kMatch, kLine };

struct Allowlist {
  std::string description;
  bool require_all = false;  // condition = "AND": every listed criterion must hold
  std::vector<std::string> commits;
  std::vector<std::string> paths;    // regexes on the repo-relative path
  std::vector<std::string> regexes;  // regexes on regex_target
  RegexTarget regex_target = RegexTarget::kSecret;
  std::vector<std::string> stopwords;     // substring of the secret (case-insensitive)
  std::vector<std::string> target_rules;  // global allowlists only: limit to these ids
};

// Offline checksum validation for token formats that carry one.
enum class ChecksumKind {
  kNone,
  kGithubCrc32,  // gh*_ / github_pat_: last 6 base62 chars = CRC32 of the rest
  kNpmCrc32,     // npm_: same scheme as GitHub
};

struct SecretRule {
  std::string id;
  std::string description;
  std::string regex;                  // RE2 syntax (Go regexp compatible)
  int secret_group = 0;               // 0 = first non-empty capture group, else whole match
  std::optional<double> entropy;      // minimum Shannon entropy of the secret
  std::vector<std::string> keywords;  // lower-case; rule runs only if one occurs
  std::string path;                   // regex on the path; a rule with only `path` matches files
  std::vector<std::string> tags;
  std::vector<Allowlist> allowlists;
  // Gatehouse extensions (ignored by gitleaks, defaulted for gitleaks rules).
  std::string title;
  Severity severity = Severity::kHigh;
  Confidence confidence = Confidence::kMedium;
  ChecksumKind checksum = ChecksumKind::kNone;
  bool placeholder_filter = false;  // drop obvious placeholders (changeme, ${VAR}, xxx...)
  std::string remediation;
  std::string help_uri;
  // Test templates (see docs/secrets.md): expanded with random values at test
  // time so no credential-shaped string is ever committed.
  std::vector<std::string> test_positive;
  std::vector<std::string> test_negative;
};

struct RuleSet {
  std::string source;  // "builtin" or the config path
  std::vector<SecretRule> rules;
  std::vector<Allowlist> allowlists;    // global
  std::vector<Diagnostic> diagnostics;  // e.g. rules skipped while loading
};

// The built-in rules, parsed from the embedded TOML (cached after first call).
const RuleSet& DefaultRuleSet();

// Parses a gitleaks-format TOML config. [extend] useDefault merges our
// built-in rules (gitleaks' defaults are not bundled: see docs/secrets.md);
// [extend] path is resolved relative to `path`'s directory. Syntax errors
// fail with kParse and a position; type errors with kConfig.
Result<RuleSet> LoadGitleaksToml(std::string_view text, const std::string& path);

// True if the text looks like a gitleaks TOML config rather than YAML.
bool LooksLikeToml(std::string_view text);

// One confirmed match, before allowlists (except the rule's own checks:
// entropy, keywords, secret group, checksum) are applied.
struct SecretMatch {
  uint32_t rule = 0;                        // index into the RuleSet the engine was compiled from
  size_t start = 0, end = 0;                // byte offsets of the whole match
  size_t secret_start = 0, secret_end = 0;  // byte offsets of the secret
  std::optional<bool> checksum_valid;       // set when the rule has a checksum
  double entropy = 0;
};

class SecretEngine {
 public:
  // Compiles every rule. Rules whose regex RE2 rejects are skipped with a
  // diagnostic when `lenient` (gitleaks configs), or fail the compile naming
  // the rule id otherwise (our own config).
  static Result<std::unique_ptr<SecretEngine>> Compile(const RuleSet& rules, bool lenient,
                                                       std::vector<Diagnostic>* diagnostics);
  ~SecretEngine();

  // Matches in `data` for a file at repo-relative `path`. Thread-safe.
  std::vector<SecretMatch> Scan(std::string_view path, std::string_view data) const;

  const RuleSet& rules() const;
  // Union of all rule keywords (for benchmarks and the rg floor).
  std::vector<std::string> Keywords() const;

  struct Impl;

 private:
  explicit SecretEngine(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Validates the base62 CRC32 tail used by GitHub and npm tokens.
bool ValidTokenChecksum(std::string_view token);

// "ghp_…(40)": at most 4 leading characters plus the length.
std::string RedactSecret(std::string_view secret);

}  // namespace gatehouse
