// Infrastructure-as-code analysis: Kubernetes manifests (Pod Security
// Standards baseline/restricted and best-practice checks), Helm charts
// (templates analyzed after neutralizing template actions; values.yaml),
// Terraform (own HCL2 parser, simple evaluation of variables/locals/module
// inputs, `terraform show -json` plans) and Dockerfiles.
//
// AnalyzeIac() walks a tree, parses each IaC file once and runs every rule
// of docs/iac.md. AnalyzeIacFiles() does the same over files given in
// memory (the audit reads each file once and hands the IaC ones over).
// Bad files never stop a run: malformed YAML/HCL/Dockerfile is a finding
// (rule iac/parse-error) with file:line:column, and the rest is analyzed.
//
// Results are sorted and deterministic. Thread-compatible; AnalyzeIac runs
// its own parallel loop over files.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "gatehouse/finding.h"
#include "gatehouse/report.h"
#include "gatehouse/result.h"

namespace gatehouse {

class SecretScanner;

enum class PssLevel { kPrivileged, kBaseline, kRestricted };
std::string_view PssLevelName(PssLevel l);

struct IacOptions {
  unsigned threads = 0;  // 0 = DefaultThreads()
  std::vector<std::string> include = {};
  std::vector<std::string> exclude = {};
  bool gitignore = true;
  uint64_t max_file_size = 8ull << 20;  // larger files are skipped with a diagnostic
  // The Pod Security Standards level checked where no namespace label says
  // otherwise (pod-security.kubernetes.io/enforce on a Namespace manifest).
  PssLevel pss_level = PssLevel::kBaseline;
  bool helm_render = false;  // use a real `helm template` when on PATH
  bool redact = true;
  // Reused when set (the caller owns it); otherwise one is created with
  // SecretScanner::Create(root, {}) when secret checks need it.
  const SecretScanner* secret_scanner = nullptr;
  std::vector<std::string> disabled_rules = {};
};

// One file given in memory; `path` is repo-relative and decides its kind.
struct IacFile {
  std::string path;
  std::string content;
};

// What was found, for the audit's evidence and appendix.
struct IacInventory {
  uint64_t k8s_files = 0;
  uint64_t k8s_objects = 0;
  std::map<std::string, uint64_t> k8s_kinds;  // "Deployment" -> 12
  uint64_t workloads = 0;                     // pod-bearing objects
  uint64_t workloads_restricted = 0;          // meeting PSS restricted
  uint64_t workloads_baseline = 0;            // meeting PSS baseline
  uint64_t rollouts = 0;                      // Argo Rollouts / Flagger canaries
  uint64_t rollouts_with_analysis = 0;        // analysis templates wired
  uint64_t pod_disruption_budgets = 0;
  uint64_t network_policies = 0;
  uint64_t helm_charts = 0;
  uint64_t tf_files = 0;
  uint64_t tf_modules = 0;  // directories with .tf files
  uint64_t tf_resources = 0;
  uint64_t tf_remote_backends = 0;
  uint64_t tf_locked_backends = 0;
  uint64_t tf_plans = 0;  // terraform show -json files
  uint64_t dockerfiles = 0;
  uint64_t dockerfiles_non_root = 0;  // final stage runs as a non-root USER
  uint64_t parse_errors = 0;
  // Repo-relative paths of notable artifacts (charts, rollouts, backends…).
  std::vector<std::string> artifacts;
};

struct IacResult {
  Report report;  // command "iac"; findings sorted; rules = those that fired
  IacInventory inventory;
};

// True when `path` is a file the IaC analyzer reads (by name and, for
// .yaml/.json, without looking at content: YAML files are all candidates).
bool IsIacCandidate(std::string_view path);

// Walks `root` (a directory or one file). Fails only when it cannot be walked.
Result<IacResult> AnalyzeIac(const std::string& root, const IacOptions& options);
IacResult AnalyzeIacFiles(const std::vector<IacFile>& files, const IacOptions& options);

// Every rule the analyzer can report, sorted by id.
const std::vector<RuleInfo>& IacRuleInfos();
const RuleInfo* FindIacRule(std::string_view id);

}  // namespace gatehouse
