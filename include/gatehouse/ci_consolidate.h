// Workflow consolidation: find near-duplicate jobs across GitHub Actions
// workflows and plan (and optionally write) reusable workflows for them.
//
// Each job is normalized into a step signature (action without version and
// its `with:` keys; `run:` commands with whitespace, comments, paths,
// variables, expressions, numbers and quoted strings normalized). Jobs are
// compared by the Dice coefficient of their signatures' longest common
// subsequence (order matters), candidate pairs come from a prefix-filtered
// inverted index, and clusters are formed greedily around the job with the
// most neighbours above the threshold ("star" clustering). Each cluster maps
// onto one reusable workflow whose inputs are exactly the values that vary;
// step sequences shared by many jobs (checkout → setup → install) become
// composite-action suggestions. See docs/ci.md for the method and its limits.
//
// Plans are plain data and deterministic; PlanConsolidation* run their own
// parallel loop. The written files are part of the plan (`files`), so
// WriteConsolidation only puts them on disk.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "gatehouse/ci.h"
#include "gatehouse/finding.h"
#include "gatehouse/result.h"

namespace gatehouse {

struct ConsolidateOptions {
  double threshold = 0.8;        // minimum similarity to the cluster's centre (0..1]
  size_t min_jobs = 2;           // smallest cluster reported
  size_t min_steps = 2;          // jobs with fewer steps are not clustered
  size_t min_sequence = 3;       // shortest shared step sequence suggested as a composite action
  size_t min_sequence_jobs = 3;  // ... and in at least this many jobs
  size_t max_sequences = 10;
  unsigned threads = 0;
  std::vector<std::string> include = {}, exclude = {};
  bool gitignore = true;
};

struct CiJobSite {
  std::string path;  // workflow file
  std::string job;   // job id
  int line = 0;      // job key line
  int end_line = 0;  // last line of the job's block
  int lines = 0;     // lines of YAML the job occupies
  int steps = 0;
  double similarity = 1;  // to the cluster's template job
  bool writable = false;  // --write can rewrite it into a call
  std::string reason;     // why not, when !writable
};

struct CiVarying {
  std::string where;  // "runs-on", "env.SERVICE", "steps[3] (actions/setup-node).with.node-version"
  std::string input;  // input name in the reusable workflow ("" = not lifted)
  std::string type;   // string, number, boolean; "secret" for secrets
  std::vector<std::string> values;  // distinct values (at most 8 shown)
  size_t distinct = 0;
};

struct CiCluster {
  int id = 0;
  std::string name;                    // slug, e.g. "node-test"
  std::string kind;                    // "reusable-workflow" or "matrix" (all members in one file)
  std::string target;                  // .github/workflows/reusable-<name>.yml
  std::vector<std::string> signature;  // the template's steps, human-readable
  std::vector<CiJobSite> members;      // template first
  double min_similarity = 1, mean_similarity = 1;
  std::vector<CiVarying> varying;
  std::vector<std::string> notes;  // e.g. action versions standardized
  int lines_before = 0;            // lines the members occupy
  int lines_after = 0;             // call jobs + the reusable workflow
  int LinesRemoved() const { return lines_before - lines_after; }
};

struct CiStepSequence {
  int id = 0;
  std::string name;                // slug, e.g. "setup-node-deps"
  std::string target;              // .github/actions/<name>/action.yml
  std::vector<std::string> steps;  // human-readable signature
  std::vector<CiJobSite> sites;    // jobs containing the sequence (line = first step)
  int lines_removed = 0;
};

struct CiWrittenFile {
  std::string path;  // repo-relative
  std::string content;
  bool rewritten_caller = false;  // an existing workflow with jobs replaced by calls
};

struct ConsolidationPlan {
  std::string root;
  double threshold = 0;
  uint64_t workflows = 0, jobs = 0, steps = 0, lines = 0;
  std::vector<CiCluster> clusters;  // largest saving first
  std::vector<CiStepSequence> sequences;
  uint64_t jobs_clustered = 0;
  uint64_t workflows_touched = 0;
  int64_t lines_removed = 0;         // clusters only (sequences overlap them)
  std::vector<CiWrittenFile> files;  // what --write emits (reusable workflows + callers)
  std::vector<Diagnostic> diagnostics;
};

Result<ConsolidationPlan> PlanConsolidation(const std::string& root,
                                            const ConsolidateOptions& options);
ConsolidationPlan PlanConsolidationFiles(const std::vector<CiFile>& files,
                                         const ConsolidateOptions& options);

// Writes plan.files under `dir` (created as needed). Fails on the first I/O error.
Status WriteConsolidation(const ConsolidationPlan& plan, const std::string& dir);

// Re-analyzes the repository at `root` with the plan applied (untouched CI
// files + what --write emits) and compares high-severity findings in the
// touched workflows with the originals: a rule with more high findings after
// than before means the rewrite introduced them.
struct ConsolidationCheck {
  size_t files = 0;                 // CI files analyzed with the plan applied
  std::vector<Finding> introduced;  // high+ findings of rules that gained some
  size_t carried_over = 0;          // high+ findings already present before
  bool parses = true;               // every written file parses
};
Result<ConsolidationCheck> CheckConsolidation(const std::string& root,
                                              const ConsolidationPlan& plan, unsigned threads = 0);

std::string RenderPlanText(const ConsolidationPlan& plan, bool color = false);
std::string RenderPlanMarkdown(const ConsolidationPlan& plan);
std::string RenderPlanJson(const ConsolidationPlan& plan);

}  // namespace gatehouse
