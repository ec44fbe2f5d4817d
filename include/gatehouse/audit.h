// The delivery-platform audit: one walk over a repository, every analyzer
// (secrets, CI, IaC) plus the audit's own evidence detectors over the same
// in-memory content, and a graded maturity report in nine areas.
//
// Pipeline (src/audit/): walk → read each file once → per file, in parallel:
// secret scan, evidence detectors, and sorting CI / IaC candidates → the CI
// and IaC analyzers over the candidates (no re-read) → cross-file evidence
// (what is referenced by a workflow, which jobs gate a deploy, CODEOWNERS
// coverage) → checks → scores and grades (docs/scoring.md) → summary and
// recommendations → renderers (Markdown, HTML, JSON, SARIF, text).
//
// Everything is a pure function of the files read: same tree, byte-identical
// report (no timestamps unless AuditOptions::timestamp is set). Bad files
// never abort: they become diagnostics and lower the confidence of the area
// they belong to. Thread-compatible; RunAudit runs its own parallel loops.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gatehouse/ci.h"
#include "gatehouse/finding.h"
#include "gatehouse/iac.h"
#include "gatehouse/result.h"

namespace gatehouse {

inline constexpr int kAuditSchemaVersion = 1;

struct AuditOptions {
  unsigned threads = 0;  // 0 = DefaultThreads()
  std::vector<std::string> include = {};
  std::vector<std::string> exclude = {};
  bool gitignore = true;
  uint64_t max_file_size = 8ull << 20;  // larger files: diagnostic, not read
  std::string config_path = {};         // .gatehouse.yaml (else discovered at root)
  // Paths git tracks that .gitignore hides (a force-added .env): read anyway.
  std::vector<std::string> tracked_files = {};
  std::string timestamp = {};  // shown in reports when set (deterministic otherwise)
  bool consolidate = true;     // run CI duplicate-job clustering
  // Run the IaC analyzer (off only for tests that pin output independent of
  // the IaC rule set, e.g. the demo goldens).
  bool iac = true;
};

// One input file given in memory (tests): path is repo-relative.
struct AuditFile {
  std::string path;
  std::string content;
};

// A fact an evidence detector observed, at a place.
struct AuditArtifact {
  std::string kind;  // "codeowners", "slo-spec", "alert-rule", "backup-job", ...
  Location location;
  std::string detail;  // human-readable: "Sloth spec, 2 SLOs (checkout-availability, ...)"
};

enum class CheckStatus { kPass, kPartial, kFail, kNotApplicable };
std::string_view CheckStatusName(CheckStatus s);  // "pass", "partial", "fail", "n/a"

// One rubric check (docs/scoring.md): a weighted practice in one area.
struct AuditCheck {
  std::string id;  // "hygiene.codeowners-coverage"
  Area area = Area::kRepoHygiene;
  std::string title;
  int weight = 1;
  double credit = 0;  // 0..1 (partial credit for ratios)
  CheckStatus status = CheckStatus::kFail;
  std::string detail;                    // why: "covers 4 of 6 top-level directories"
  std::vector<Location> evidence;        // where the facts are
  std::vector<std::string> finding_ids;  // findings that decided it
};

struct AuditArea {
  Area area = Area::kRepoHygiene;
  int score = 0;        // 0..100
  std::string grade;    // "A+" .. "F"
  double practice = 0;  // weighted check credit, 0..100
  double penalty = 0;   // points taken by findings
  Confidence confidence = Confidence::kHigh;
  std::string why;  // one line
  std::vector<AuditCheck> checks;
  std::vector<std::string> finding_ids;
  std::vector<std::string> diagnostics;  // notes that lowered confidence
};

enum class Horizon { kQuickWin = 0, kFoundation = 1, kExcellence = 2 };
std::string_view HorizonName(Horizon h);  // "0–2 weeks: quick wins", ...
std::string_view HorizonId(Horizon h);    // "0-2w", "2-6w", "6-12w"

struct AuditRecommendation {
  std::string id;  // "rec.pin-actions"
  Horizon horizon = Horizon::kQuickWin;
  Area area = Area::kCiCd;
  std::string title;
  std::string change;                     // what to do, concretely
  std::string file;                       // file to add or edit
  std::string snippet;                    // config or policy to paste
  std::string verify;                     // command proving it is done
  std::vector<std::string> justified_by;  // check ids and finding ids
  double impact = 0;                      // ordering key (points recoverable)
};

struct AuditSummaryItem {
  std::string text;
  std::vector<Location> evidence;
  std::vector<std::string> refs;  // check or finding ids
};

struct AuditStats {
  uint64_t files = 0;  // files walked
  uint64_t reads = 0;  // files opened and read (must equal files - skipped)
  uint64_t bytes = 0;
  uint64_t ci_files = 0;     // handed to the CI analyzer
  uint64_t iac_files = 0;    // handed to the IaC analyzer
  uint64_t yaml_parsed = 0;  // documents parsed by the audit's detectors
  uint64_t unreadable = 0;
  uint64_t binary = 0;
  uint64_t skipped_size = 0;
  uint64_t ignored = 0;
};

struct AuditResult {
  std::string root;
  std::string timestamp;
  Report report;  // command "audit": every finding (secrets, CI, IaC, audit), sorted
  std::vector<std::string> finding_ids;  // parallel to report.findings: "F001", ...
  std::vector<AuditArea> areas;          // the nine areas, in Area order
  int score = 0;                         // overall (weighted mean of areas)
  std::string grade;
  std::vector<AuditSummaryItem> strengths;
  std::vector<AuditSummaryItem> risks;               // the three biggest
  std::string verdict;                               // one paragraph
  std::vector<AuditRecommendation> recommendations;  // by horizon, then impact
  std::vector<AuditArtifact> artifacts;              // sorted by kind, path, line
  CiSprawl sprawl;
  IacInventory inventory;
  AuditStats stats;
};

// Walks `root` (must be a directory: kInvalidArgument otherwise) and audits it.
Result<AuditResult> RunAudit(const std::string& root, const AuditOptions& options);
// The same over files given in memory (no walk, no config discovery).
AuditResult AuditFiles(const std::vector<AuditFile>& files, const AuditOptions& options);

// Scores → grades: 97+ A+, 93 A, 90 A-, 87 B+, 83 B, 80 B-, ..., < 60 F.
std::string GradeForScore(int score);
// Lowest score that earns `grade` ("B-" → 80); nullopt if not a grade.
std::optional<int> GradeFloor(std::string_view grade);

// Every rule the audit's own detectors report (audit-*), sorted by id.
const std::vector<RuleInfo>& AuditRuleInfos();

enum class AuditFormat { kText, kMarkdown, kHtml, kJson, kSarif };
std::optional<AuditFormat> ParseAuditFormat(std::string_view name);
std::string RenderAudit(const AuditResult& result, AuditFormat format);
// `--explain AREA`: the checks (status, weight, credit, evidence) and the
// findings (with their penalty) behind one area's grade.
std::string ExplainArea(const AuditResult& result, Area area);

}  // namespace gatehouse
