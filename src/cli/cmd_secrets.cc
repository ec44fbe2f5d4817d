// `gatehouse secrets [PATH...]`: scan files for secrets.
//
// Steps: read options → create the scanner (config, rules, engine) → scan
// each path (or stdin) → apply baseline/ignore files → render → exit code.
#include <unistd.h>

#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <mutex>

#include "cli/commands.h"
#include "cli/output.h"
#include "gatehouse/base.h"
#include "gatehouse/fs.h"
#include "gatehouse/git_scan.h"
#include "gatehouse/report.h"
#include "gatehouse/secrets_scan.h"

namespace gatehouse::cli {

namespace {

struct SecretsArgs {
  std::vector<std::string> paths;
  std::string format = "text";
  std::string output;
  std::string config;
  std::string baseline;
  std::string fail_on;
  bool use_stdin = false;
  std::string stdin_name = "stdin";
  unsigned threads = 0;
  std::string max_file_size = "10MiB";
  bool no_redact = false;
  std::string color = "auto";
  std::vector<std::string> include, exclude;
  bool no_gitignore = false;
  bool follow_symlinks = false;
  bool verbose = false;
  bool list_rules = false;
  bool print_keywords = false;
  // History scanning.
  bool git = false;
  std::vector<std::string> ranges;
  std::vector<std::string> branches;
  std::string since;
  uint64_t max_commits = 0;
};

// "\r files 1234 · 56.7 MB · 321.0 MB/s" on a terminal, at most 10 times a second.
class Progress {
 public:
  explicit Progress(bool enabled) : enabled_(enabled), start_(MonotonicSeconds()) {}
  void Update(uint64_t files, uint64_t bytes) {
    if (!enabled_) return;
    std::lock_guard<std::mutex> lock(mu_);
    double now = MonotonicSeconds();
    if (now - last_ < 0.1) return;
    last_ = now;
    double mb = static_cast<double>(bytes) / 1e6;
    std::fprintf(stderr, "\r\033[Kscanning: %llu files · %.1f MB · %.1f MB/s",
                 static_cast<unsigned long long>(files), mb, mb / std::max(1e-3, now - start_));
    shown_ = true;
  }
  void Clear() {
    if (shown_) std::fprintf(stderr, "\r\033[K");
  }

 private:
  bool enabled_;
  double start_;
  double last_ = 0;
  bool shown_ = false;
  std::mutex mu_;
};

// A directory with a .git entry at or above it. Checked by hand because
// initialising libgit2 (which loads the system CA bundle) costs milliseconds
// that a scan of one file or of a plain directory should not pay.
bool InsideGitWorkTree(const std::string& root) {
  std::error_code ec;
  if (!std::filesystem::is_directory(root, ec)) return false;
  auto dir = std::filesystem::absolute(root, ec);
  for (int depth = 0; depth < 64 && !dir.empty(); ++depth) {
    if (std::filesystem::exists(dir / ".git", ec)) return true;
    if (dir == dir.parent_path()) break;
    dir = dir.parent_path();
  }
  return false;
}

int RunSecrets(SecretsArgs& a) {
  auto format = ParseReportFormat(a.format);
  if (!format) {
    std::fprintf(stderr,
                 "gatehouse: error: unknown --format '%s' (text, json, sarif, junit, github, "
                 "markdown)\n",
                 a.format.c_str());
    return kExitUsage;
  }
  auto max_size = ParseSize(a.max_file_size);
  if (!max_size) {
    std::fprintf(stderr, "gatehouse: error: bad --max-file-size '%s' (e.g. 10MiB, 512k)\n",
                 a.max_file_size.c_str());
    return kExitUsage;
  }
  if (a.paths.empty() && !a.use_stdin) a.paths.push_back(".");
  if (a.git && (a.use_stdin || a.paths.size() != 1)) {
    std::fprintf(stderr, "gatehouse: error: --git takes exactly one repository PATH\n");
    return kExitUsage;
  }
  if (!a.git && (!a.ranges.empty() || !a.branches.empty() || !a.since.empty() || a.max_commits)) {
    std::fprintf(stderr,
                 "gatehouse: error: --range, --branch, --since and --max-commits need --git\n");
    return kExitUsage;
  }

  SecretsOptions opt;
  opt.config_path = a.config;
  opt.baseline_path = a.baseline;
  // SARIF, annotations, JUnit and Markdown end up on GitHub or in CI
  // systems: they are always redacted. Only text and JSON honour --no-redact.
  const bool local_format = *format == ReportFormat::kText || *format == ReportFormat::kJson;
  opt.redact = !a.no_redact || !local_format;
  if (a.no_redact && !local_format)
    std::fprintf(stderr,
                 "gatehouse: note: --no-redact does not apply to %s output (only text "
                 "and json)\n",
                 std::string(ReportFormatName(*format)).c_str());
  opt.threads = a.threads;
  opt.max_file_size = *max_size;
  opt.include = a.include;
  opt.exclude = a.exclude;
  opt.gitignore = !a.no_gitignore;
  opt.follow_symlinks = a.follow_symlinks;
  Progress progress(isatty(STDERR_FILENO) && a.output != "-" && !a.use_stdin);
  opt.progress = [&](uint64_t files, uint64_t bytes) { progress.Update(files, bytes); };

  const std::string first_root = a.use_stdin ? "." : a.paths.front();
  if (!a.git && !a.use_stdin && a.paths.size() == 1 && !a.no_gitignore &&
      InsideGitWorkTree(first_root))
    opt.tracked_files = TrackedFiles(first_root);
  auto scanner = SecretScanner::Create(first_root, opt);
  if (!scanner.ok()) return Fail(scanner.error());

  if (a.list_rules) {
    for (const auto& r : (*scanner)->RuleInfos())
      std::printf("%-45s %-8s %s\n", r.id.c_str(), std::string(SeverityName(r.severity)).c_str(),
                  r.title.c_str());
    return kExitOk;
  }

  if (a.print_keywords) {
    for (const auto& k : (*scanner)->Keywords()) std::printf("%s\n", k.c_str());
    return kExitOk;
  }

  Severity fail_on = (*scanner)->default_fail_on();
  bool never_fail = false;
  if (!ParseFailOn(a.fail_on, &fail_on, &never_fail)) return kExitUsage;

  Report report;
  report.tool_version = GATEHOUSE_VERSION;
  report.command = "secrets";
  if (a.git) {
    HistoryOptions ho;
    ho.ranges = a.ranges;
    ho.branches = a.branches;
    ho.max_commits = a.max_commits;
    ho.threads = a.threads;
    if (!a.since.empty()) {
      auto since = ParseSince(a.since, static_cast<int64_t>(std::time(nullptr)));
      if (!since.ok()) return Fail(since.error());
      ho.since = *since;
    }
    auto r = ScanHistory(**scanner, first_root, ho);
    if (!r.ok()) return Fail(r.error());
    report = std::move(r).value();
  } else if (a.use_stdin) {
    std::string data((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
    report.root = "-";
    report.diagnostics = (*scanner)->load_diagnostics();
    (*scanner)->ScanContent(a.stdin_name, data, ContentContext{}, &report.findings);
    report.stats.files_scanned = 1;
    report.stats.bytes_scanned = data.size();
  } else {
    const double t0 = MonotonicSeconds();
    for (size_t i = 0; i < a.paths.size(); ++i) {
      auto r = (*scanner)->ScanTree(a.paths[i]);
      if (!r.ok()) {
        progress.Clear();
        return Fail(r.error());
      }
      if (a.paths.size() > 1) {
        // Several roots: keep paths distinct by prefixing the root as given.
        std::string prefix = a.paths[i];
        while (prefix.size() > 1 && prefix.back() == '/') prefix.pop_back();
        for (auto& f : r->findings) f.location.path = prefix + "/" + f.location.path;
        for (auto& d : r->diagnostics)
          if (!d.path.empty() && d.path.front() != '/') d.path = prefix + "/" + d.path;
      }
      if (i == 0) {
        report.findings = std::move(r->findings);
        report.diagnostics = std::move(r->diagnostics);
        report.stats = r->stats;
      } else {
        for (auto& f : r->findings) report.findings.push_back(std::move(f));
        for (auto& d : r->diagnostics) report.diagnostics.push_back(std::move(d));
        report.stats.files_scanned += r->stats.files_scanned;
        report.stats.bytes_scanned += r->stats.bytes_scanned;
        report.stats.files_skipped_binary += r->stats.files_skipped_binary;
        report.stats.files_skipped_size += r->stats.files_skipped_size;
        report.stats.files_unreadable += r->stats.files_unreadable;
        report.stats.files_ignored += r->stats.files_ignored;
      }
    }
    report.root = a.paths.size() == 1 ? a.paths.front() : ".";
    report.stats.seconds = MonotonicSeconds() - t0;
    progress.Clear();
  }
  (*scanner)->Finish(&report);
  report.tool_version = GATEHOUSE_VERSION;
  report.command = "secrets";

  OutputArgs out{*format, a.output, a.color, a.verbose};
  if (!WriteReport(report, out)) return kExitUsage;
  return FindingsExitCode(report, fail_on, never_fail);
}

}  // namespace

void AddSecretsCommand(CLI::App& app, std::function<int()>* run) {
  auto args = std::make_shared<SecretsArgs>();
  CLI::App* cmd = app.add_subcommand("secrets", "Scan files for secrets and never-commit files");
  cmd->add_option("paths", args->paths, "Files or directories to scan (default: .)");
  cmd->add_option("-f,--format", args->format,
                  "Output format: text, json, sarif, junit, github, markdown");
  cmd->add_option("-o,--output", args->output, "Write the report to FILE instead of stdout");
  cmd->add_option("-c,--config", args->config,
                  "Configuration: a .gatehouse.yaml or a gitleaks TOML file");
  cmd->add_option("--baseline", args->baseline,
                  "An earlier JSON report; findings with the same fingerprint are suppressed");
  cmd->add_option("--fail-on", args->fail_on,
                  "Exit 1 if a finding has at least this severity (critical, high, medium, low, "
                  "info, none; default low)");
  cmd->add_flag("--stdin", args->use_stdin, "Scan standard input instead of files");
  cmd->add_option("--stdin-name", args->stdin_name, "Path to report for --stdin content");
  cmd->add_option("-j,--threads", args->threads, "Worker threads (default: all cores)");
  cmd->add_option("--max-file-size", args->max_file_size,
                  "Skip files larger than this (default 10MiB; 0 = no limit)");
  cmd->add_flag(
      "--no-redact", args->no_redact,
      "Show secret values in text and json output (never in sarif, junit, github, markdown)");
  cmd->add_option("--color", args->color, "auto, always or never")
      ->check(CLI::IsMember({"auto", "always", "never"}));
  // One value per flag, so `--exclude X PATH` does not swallow PATH.
  cmd->add_option("--include", args->include, "Only scan paths matching this glob (repeatable)")
      ->allow_extra_args(false);
  cmd->add_option("--exclude", args->exclude, "Skip paths matching this glob (repeatable)")
      ->allow_extra_args(false);
  cmd->add_flag("--no-gitignore", args->no_gitignore, "Do not honour .gitignore files");
  cmd->add_flag("--follow-symlinks", args->follow_symlinks,
                "Follow symbolic links (never outside the scanned root)");
  cmd->add_flag("-v,--verbose", args->verbose, "List every diagnostic in text output");
  cmd->add_flag("--git", args->git,
                "Scan git history (added lines of every commit reachable from all refs)");
  cmd->add_option("--range", args->ranges, "With --git: a revision or range A..B (repeatable)")
      ->allow_extra_args(false);
  cmd->add_option("--branch", args->branches, "With --git: walk this branch (repeatable)")
      ->allow_extra_args(false);
  cmd->add_option("--since", args->since,
                  "With --git: skip commits older than a date (2024-05-01) or '30 days ago'");
  cmd->add_option("--max-commits", args->max_commits, "With --git: only the N most recent commits");
  cmd->add_flag("--list-rules", args->list_rules, "Print the active rules and exit");
  cmd->add_flag("--print-keywords", args->print_keywords,
                "Print the union of the active rules' keywords and exit (for benchmarks)");
  cmd->callback([run, args] { *run = [args] { return RunSecrets(*args); }; });
}

}  // namespace gatehouse::cli
