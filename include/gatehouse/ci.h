// CI/CD analysis of GitHub Actions: workflows (.github/workflows/*.y{a,}ml),
// local and composite actions (action.y{a,}ml) and .github/dependabot.yml.
//
// AnalyzeCi() walks a repository, parses each file once (a fast YAML parser
// with yaml-cpp as fallback and reference, keeping line/column positions),
// and runs every rule of docs/ci.md over the parsed documents: placeholders,
// hygiene, expression injection and dangerous triggers, hard-coded
// credentials (through the secret engine), gates that do not gate,
// correctness (YAML, expressions, needs, ids, cron, reusable-call inputs)
// and Dependabot settings. It also measures workflow sprawl
// (CiSprawl), which the audit report reuses. Bad files never stop a run:
// invalid YAML is a finding with its line, non-CI YAML is a note.
//
// Consolidation (near-duplicate jobs → reusable workflows) is in
// ci_consolidate.h; the expression language in ci_expr.h.
//
// Everything here is a pure function of the files read; results are sorted
// and deterministic. Functions are thread-compatible; AnalyzeCi runs its own
// parallel loop over files.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "gatehouse/finding.h"
#include "gatehouse/report.h"
#include "gatehouse/result.h"

namespace gatehouse {

class SecretScanner;

struct CiOptions {
  unsigned threads = 0;                   // 0 = DefaultThreads()
  std::vector<std::string> include = {};  // extra walker globs (see walk.h)
  std::vector<std::string> exclude = {};
  bool gitignore = true;
  uint64_t max_file_size = 4ull << 20;  // larger CI files are skipped with a diagnostic
  bool redact = true;                   // credentials in messages/evidence
  bool check_credentials = true;        // run the secret engine on CI files
  // Reused when set (the caller owns it); otherwise AnalyzeCi creates one
  // with SecretScanner::Create(root, {}).
  const SecretScanner* secret_scanner = nullptr;
  std::vector<std::string> disabled_rules = {};  // rule ids not to report
};

// One file given in memory (tests, hooks, the audit). `path` is
// repo-relative: it decides what kind of file it is, as in a walk.
struct CiFile {
  std::string path;
  std::string content;
};

// How big and how healthy the CI estate is. Counts are over the files
// analyzed; "PR" means triggered by pull_request or pull_request_target.
struct CiScannerUse {
  std::string name;  // trivy, grype, gitleaks, codeql, semgrep, ...
  uint64_t steps = 0;
  uint64_t gating = 0;  // steps whose failure fails the job
};

struct CiSprawl {
  uint64_t workflows = 0;           // workflow files that parsed
  uint64_t reusable_workflows = 0;  // with `on: workflow_call`
  uint64_t actions = 0;             // local action.yml files
  uint64_t composite_actions = 0;
  uint64_t jobs = 0;
  uint64_t steps = 0;                                   // in workflows and composite actions
  uint64_t lines = 0;                                   // lines of workflow and action YAML
  uint64_t reusable_calls = 0;                          // jobs that call a reusable workflow
  std::map<std::string, uint64_t> workflows_per_event;  // "pull_request" -> 112
  uint64_t pr_workflows = 0;                            // run on pull requests
  uint64_t every_pr_workflows = 0;                      // ... with no paths/paths-ignore filter
  uint64_t pr_jobs = 0;                                 // jobs in PR workflows
  uint64_t pr_job_runs = 0;                             // ... with literal matrices expanded
  uint64_t pr_job_runs_with_timeout = 0;
  // Sum over PR job runs that declare timeout-minutes of that timeout: the
  // most runner time one PR can take from them (minutes).
  double pr_runner_minutes_max = 0;
  uint64_t jobs_without_timeout = 0;
  uint64_t pr_workflows_without_concurrency = 0;
  uint64_t workflows_without_permissions = 0;
  uint64_t action_refs = 0;         // remote `uses:` (actions and reusable workflows)
  uint64_t pinned_action_refs = 0;  // pinned to a full commit SHA
  uint64_t third_party_refs = 0;    // not actions/* or github/*
  uint64_t third_party_pinned = 0;
  uint64_t placeholder_steps = 0;
  uint64_t scanner_steps = 0;  // security scanner steps
  uint64_t gating_scanner_steps = 0;
  std::vector<CiScannerUse> scanners;  // sorted by name

  double PinnedShare() const {
    return action_refs ? static_cast<double>(pinned_action_refs) / action_refs : 1.0;
  }
};

struct CiResult {
  Report report;  // command "ci"; findings sorted; rules = those that fired
  CiSprawl sprawl;
};

// Walks `root` (a repository, a .github/workflows directory or one file).
// Fails only when the root cannot be walked.
Result<CiResult> AnalyzeCi(const std::string& root, const CiOptions& options);
// The same analysis over files given in memory.
CiResult AnalyzeCiFiles(const std::vector<CiFile>& files, const CiOptions& options);

// Every rule the analyzer can report, sorted by id.
const std::vector<RuleInfo>& CiRuleInfos();
const RuleInfo* FindCiRule(std::string_view id);
// The confidence a rule usually reports with (findings may differ).
Confidence CiRuleConfidence(std::string_view id);

// The sprawl section: plain text (for `gatehouse ci` text output), Markdown
// (for reports) and a JSON object (for json/sarif output and the audit).
std::string SprawlText(const CiSprawl& sprawl, bool color = false);
std::string SprawlMarkdown(const CiSprawl& sprawl);
std::string SprawlJson(const CiSprawl& sprawl);  // one JSON object, no trailing newline

// Render() plus the sprawl section: text and markdown append it, json adds a
// top-level "sprawl" object, sarif adds it to runs[0].properties; junit and
// github output are Render() unchanged.
std::string RenderCi(const CiResult& result, ReportFormat format, const RenderOptions& options);

// Fingerprints of the findings in an earlier `--format json` report (for
// --baseline). Fails with kIo/kParse naming the file.
Result<std::set<std::string>> LoadCiBaseline(const std::string& path);

}  // namespace gatehouse
