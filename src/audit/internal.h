// Internals of the audit shared by the pipeline, the detectors, the scorer
// and the renderers. Not a public API.
#pragma once

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "gatehouse/audit.h"
#include "gatehouse/document.h"

namespace gatehouse::audit {

// ---- Workflows as the audit sees them (from the shared Document tree) ----

struct WfStep {
  int line = 0;
  std::string name;
  std::string uses;  // lower-cased, without @ref
  std::string run;
  std::string with_text;  // `with:` values flattened (lower-cased)
  bool continue_on_error = false;
};

struct WfJob {
  std::string id;
  std::string name;
  int line = 0;
  std::vector<std::string> needs;
  std::vector<WfStep> steps;
  std::string uses;  // reusable workflow call (lower-cased)
  std::string environment;
  bool continue_on_error = false;
};

struct Workflow {
  std::string path;
  std::string name;
  std::set<std::string> events;
  std::vector<std::string> workflow_run_sources;  // `on.workflow_run.workflows`
  std::vector<WfJob> jobs;
};

struct CodeownersRule {
  std::string pattern;
  std::vector<std::string> owners;
  int line = 0;
};

// What the detectors saw in one file.
struct FileEvidence {
  std::vector<AuditArtifact> artifacts;
  std::vector<Finding> findings;
  std::vector<Diagnostic> diagnostics;
  std::vector<Workflow> workflows;  // 0 or 1
  std::vector<CodeownersRule> codeowners;
  std::string codeowners_path;
  bool reference_text = false;  // keep the content for "is X referenced" lookups
  bool gitignore_env = false;   // root .gitignore ignoring .env
  bool root_gitignore = false;
  uint64_t yaml_docs = 0;
};

// Runs every per-file detector over one file's content (thread-safe).
FileEvidence DetectFile(std::string_view path, std::string_view content);

// True for workflow / action / dependabot paths (what AnalyzeCiFiles reads).
bool IsCiPath(std::string_view path);

// Everything the scorer needs, after the cross-file pass.
struct Evidence {
  std::vector<AuditArtifact> artifacts;
  std::vector<Workflow> workflows;
  std::vector<CodeownersRule> codeowners;
  std::string codeowners_path;
  std::set<std::string> top_dirs;  // top-level directories with files
  bool has_root_gitignore = false;
  bool gitignore_env = false;
  // Reference texts (workflows and scripts) by path, for "automated" checks.
  std::map<std::string, std::string> reference_texts;
  std::vector<std::string> all_paths;
};

// Cross-file evidence: runbooks referenced, tests and verification gating
// deploys, CODEOWNERS coverage. Appends artifacts and findings.
void CrossFileEvidence(Evidence* ev, std::vector<Finding>* findings);

// Classification helpers shared by detectors and the cross-file pass.
bool RunsTests(const WfStep& s);
std::string TestKindOfStep(const WfStep& s);  // "unit", "e2e", "load", "contract", ""
bool Deploys(const WfJob& j);
bool IsPlaceholderScript(std::string_view run);

// CODEOWNERS: which top-level directories a rule set covers.
std::set<std::string> CoveredTopDirs(const std::vector<CodeownersRule>& rules,
                                     const std::set<std::string>& top_dirs,
                                     const std::vector<std::string>& paths);

// Scoring (scoring.cc): fills areas, score, grade, summary, recommendations.
void Score(const Evidence& ev, AuditResult* result);

// Rule helper for audit-* findings.
Finding MakeFinding(std::string_view rule_id, std::string_view path, int line, int column,
                    std::string message, std::string evidence = {});

std::string HtmlEscape(std::string_view s);
std::string RenderMarkdown(const AuditResult& r);
std::string RenderHtml(const AuditResult& r);
std::string RenderJson(const AuditResult& r);
std::string RenderText(const AuditResult& r);

// Counts kinds of artifacts.
size_t CountKind(const Evidence& ev, std::string_view kind);
std::vector<const AuditArtifact*> OfKind(const Evidence& ev, std::string_view kind);

}  // namespace gatehouse::audit
