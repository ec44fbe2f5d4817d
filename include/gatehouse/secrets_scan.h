// The secret scan pipeline: walk → read → engine → checks → allowlists →
// findings. SecretScanner owns a compiled engine plus everything needed to
// turn matches into Findings (allowlists, inline markers, never-commit file
// rules, Terraform checks, .gitleaksignore, baseline). ScanContent() is the
// unit of work and is reused by history scanning and hooks with a commit
// context. Thread-safe after Create(): ScanContent may run concurrently.
#pragma once

#include <functional>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "gatehouse/config.h"
#include "gatehouse/finding.h"
#include "gatehouse/result.h"
#include "gatehouse/secrets.h"

namespace gatehouse {

struct SecretsOptions {
  std::string config_path;    // --config: .gatehouse.yaml or gitleaks TOML
  std::string baseline_path;  // --baseline: an earlier JSON report
  bool redact = true;
  unsigned threads = 0;
  uint64_t max_file_size = 10ull << 20;  // default 10 MiB; 0 = unlimited
  std::vector<std::string> include, exclude;
  bool gitignore = true;
  bool follow_symlinks = false;
  // Paths (relative to the scanned root) to scan even if .gitignore matches
  // them: the files git tracks. Exclude globs still apply.
  std::vector<std::string> tracked_files;
  // Called from the scanning threads now and then (files, bytes so far).
  std::function<void(uint64_t files, uint64_t bytes)> progress;
};

// Facts about where content comes from, for history scans and hooks.
struct ContentContext {
  std::string commit;  // empty for the working tree
  std::string author;
  std::string email;
  std::string date;  // ISO 8601
};

class SecretScanner {
 public:
  // Loads configuration (explicit, or discovered at `root`), rules and
  // baseline, and compiles the engine. Configuration errors fail here.
  static Result<std::unique_ptr<SecretScanner>> Create(const std::string& root,
                                                       const SecretsOptions& options);
  ~SecretScanner();

  // Scans one file's content. Appends findings (already filtered by
  // allowlists and inline markers, not yet by baseline or ignore files).
  void ScanContent(std::string_view path, std::string_view data, const ContentContext& ctx,
                   std::vector<Finding>* out) const;

  // Walks `root` (directory or file) and scans everything. Never fails on
  // single files: they become diagnostics.
  Result<Report> ScanTree(const std::string& root) const;

  // Applies baseline and .gitleaksignore suppression, sorts, fills rules.
  void Finish(Report* report) const;

  const Config& config() const;
  const std::vector<Diagnostic>& load_diagnostics() const;
  std::vector<RuleInfo> RuleInfos() const;
  Severity default_fail_on() const;
  // Union of the active rules' keywords (benchmarks compare against rg -F).
  std::vector<std::string> Keywords() const;

  struct Impl;

 private:
  explicit SecretScanner(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Never-commit files: the rule that applies to this path, if any (content
// is consulted for *.pem, which may hold only certificates).
const RuleInfo* NeverCommitRule(std::string_view path, std::string_view content);
// The file-level rules (never-commit, Terraform) for reporters.
std::vector<RuleInfo> FileRuleInfos();

// Terraform checks on one .tf/.tfvars file: variables named like secrets
// with literal defaults or without `sensitive = true`, and literal values
// for password-like arguments. Simple line/brace scanner; the IaC analyzer
// will supersede it with a full HCL2 model.
struct TerraformHit {
  std::string rule_id;
  int line = 0, column = 0, end_column = 0;
  std::string name;    // variable or argument name
  std::string secret;  // the literal, if any
  std::string message;
};
std::vector<TerraformHit> CheckTerraform(std::string_view path, std::string_view content);

}  // namespace gatehouse
