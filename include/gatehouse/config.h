// .gatehouse.yaml: the project's configuration file.
//
// Discovered at the scan root (or given with --config). Every key is
// documented in docs/config.md; an unknown key or a value of the wrong type
// is an error naming file:line:column. A Config is plain data.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gatehouse/finding.h"
#include "gatehouse/result.h"
#include "gatehouse/secrets.h"

namespace gatehouse {

struct ScanConfig {
  std::vector<std::string> include;
  std::vector<std::string> exclude;
  std::optional<uint64_t> max_file_size;
  std::optional<bool> follow_symlinks;
  std::optional<bool> gitignore;
};

struct SecretsConfig {
  std::optional<Severity> fail_on;
  std::string gitleaks_config;  // path to a gitleaks TOML (relative to the config file)
  bool use_default_rules = true;
  std::vector<std::string> disabled_rules;
  std::vector<Allowlist> allowlists;
  std::vector<SecretRule> rules;  // extra rules, same keys as the TOML rules
  bool never_commit_files = true;
  std::vector<std::string> never_commit_allow;  // globs exempt from never-commit
  std::string baseline;                         // path of a baseline report
};

struct Config {
  std::string path;  // where it was loaded from; empty = defaults
  ScanConfig scan;
  SecretsConfig secrets;
};

// Parses YAML text; `path` is used in error messages and to resolve paths.
Result<Config> ParseConfig(std::string_view text, const std::string& path);
// Loads `explicit_path` if given, else `<root>/.gatehouse.yaml` if present,
// else defaults.
Result<Config> LoadConfig(const std::string& root, const std::string& explicit_path);

}  // namespace gatehouse
