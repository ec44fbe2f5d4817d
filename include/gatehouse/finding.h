// Finding: the one model every analyzer produces and every reporter reads.
//
// A Finding says which rule fired, how bad it is, how sure we are, and where
// (repo-relative path, 1-based line/column range). Its fingerprint is stable
// across line shifts: analyzers build it from the rule, the path and a hash
// of the matched content, never from the line number. Evidence is always
// redacted before it is stored here: a Finding never holds a secret value.
//
// Diagnostics are soft errors (an unreadable file, a skipped rule); they are
// counted in the summary and never stop a run. Plain data; thread-compatible.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gatehouse {

enum class Severity { kInfo = 0, kLow = 1, kMedium = 2, kHigh = 3, kCritical = 4 };
enum class Confidence { kLow = 0, kMedium = 1, kHigh = 2 };
enum class Area {
  kRepoHygiene,
  kCiCd,
  kProgressiveDelivery,
  kObservability,
  kSecurity,
  kIac,
  kTesting,
  kRelease,
  kDr,
};

std::string_view SeverityName(Severity s);  // "critical", "high", ...
std::optional<Severity> ParseSeverity(std::string_view s);
std::string_view ConfidenceName(Confidence c);
std::optional<Confidence> ParseConfidence(std::string_view s);
std::string_view AreaId(Area a);    // "repo-hygiene", "ci-cd", ...
std::string_view AreaName(Area a);  // "Repo hygiene & docs", ...
std::optional<Area> ParseArea(std::string_view s);

struct Location {
  std::string path;  // repo-relative, forward slashes
  int line = 0;      // 1-based; 0 = whole file
  int column = 0;    // 1-based
  int end_line = 0;
  int end_column = 0;  // 1-based, exclusive
};

// What a reporter needs to describe a rule (SARIF tool.driver.rules etc.).
struct RuleInfo {
  std::string id;
  std::string title;        // short description
  std::string description;  // full description
  std::string remediation;
  std::string help_uri;
  Severity severity = Severity::kHigh;
  Area area = Area::kSecurity;
  std::vector<std::string> tags;
};

struct Finding {
  std::string rule_id;
  std::string title;
  Area area = Area::kSecurity;
  Severity severity = Severity::kHigh;
  Confidence confidence = Confidence::kMedium;
  std::string message;
  Location location;
  std::string fingerprint;  // hex; stable across line shifts
  std::string remediation;
  std::string help_uri;
  std::string evidence;  // redacted snippet of the offending line
  // Extra facts for reporters: commit, author, date, secret_length, ...
  std::map<std::string, std::string> properties;
};

// Sort key: path, line, column, rule id, fingerprint. Reporters rely on it.
bool FindingLess(const Finding& a, const Finding& b);
void SortFindings(std::vector<Finding>& findings);

enum class DiagnosticKind {
  kUnreadable,  // could not open/read
  kTooLarge,    // skipped: over --max-file-size
  kBinary,      // skipped: looks binary
  kSymlink,     // skipped: symlink not followed
  kParse,       // a document did not parse
  kRule,        // a rule was skipped (e.g. regex not supported)
  kConfig,      // configuration note
  kNote,        // anything else worth telling
};
std::string_view DiagnosticKindName(DiagnosticKind k);

struct Diagnostic {
  DiagnosticKind kind = DiagnosticKind::kNote;
  std::string path;
  int line = 0;
  int column = 0;
  std::string message;
};

struct ScanStats {
  uint64_t files_scanned = 0;
  uint64_t bytes_scanned = 0;
  uint64_t files_skipped_binary = 0;
  uint64_t files_skipped_size = 0;
  uint64_t files_unreadable = 0;
  uint64_t files_ignored = 0;        // by .gitignore / exclude globs
  uint64_t findings_suppressed = 0;  // by baseline, allowlist or inline marker
  double seconds = 0;
};

// Everything a reporter renders. Findings are sorted (SortFindings).
struct Report {
  std::string tool_name = "gatehouse";
  std::string tool_version;
  std::string command;          // "secrets", "ci", ...
  std::string root;             // scanned root as given
  std::vector<RuleInfo> rules;  // rules that can fire (for SARIF)
  std::vector<Finding> findings;
  std::vector<Diagnostic> diagnostics;
  ScanStats stats;
};

}  // namespace gatehouse
