// `gatehouse ci [PATH]`: GitHub Actions analysis (rules + sprawl metrics).
// `gatehouse ci consolidate [PATH]`: near-duplicate jobs → reusable workflows.
//
// Steps (ci): read options → analyze the tree → baseline → render → exit code.
// Steps (consolidate): read options → plan → render → write (and re-check
// what was written with the analyzer).
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <set>

#include "cli/commands.h"
#include "gatehouse/base.h"
#include "gatehouse/ci.h"
#include "gatehouse/ci_consolidate.h"
#include "gatehouse/report.h"

namespace gatehouse::cli {

namespace {

struct CiArgs {
  std::string path = ".";
  std::string format = "text";
  std::string output;
  std::string fail_on;
  std::string baseline;
  unsigned threads = 0;
  std::string max_file_size = "4MiB";
  std::vector<std::string> include, exclude, disable;
  bool no_gitignore = false;
  bool no_credentials = false;
  bool no_redact = false;
  bool no_sprawl = false;
  std::string color = "auto";
  bool verbose = false;
  bool list_rules = false;
};

struct ConsolidateArgs {
  std::string path = ".";
  std::string format = "text";
  std::string output;
  std::string write_dir;
  double threshold = 0.8;
  size_t min_jobs = 2;
  size_t min_steps = 2;
  size_t min_sequence = 3;
  size_t min_sequence_jobs = 3;
  unsigned threads = 0;
  std::vector<std::string> include, exclude;
  bool no_gitignore = false;
  std::string color = "auto";
};

int Usage(const std::string& msg) {
  std::fprintf(stderr, "gatehouse: error: %s\n", msg.c_str());
  return kExitUsage;
}

bool UseColor(const std::string& when, const std::string& output) {
  bool to_terminal = (output.empty() || output == "-") && isatty(STDOUT_FILENO);
  return when == "always" || (when == "auto" && to_terminal && !std::getenv("NO_COLOR"));
}

// Writes to --output or stdout; false (with a message) on failure.
bool Emit(const std::string& out, const std::string& output) {
  if (output.empty() || output == "-") {
    std::fwrite(out.data(), 1, out.size(), stdout);
    std::fflush(stdout);
    return true;
  }
  std::ofstream f(output, std::ios::binary | std::ios::trunc);
  f.write(out.data(), static_cast<std::streamsize>(out.size()));
  f.close();
  if (!f) {
    std::fprintf(stderr, "gatehouse: error: cannot write %s\n", output.c_str());
    return false;
  }
  return true;
}

int RunCi(const CiArgs& a) {
  if (a.list_rules) {
    if (a.format == "markdown") {
      // One section per rule, as docs/ci.md lists them.
      for (const RuleInfo& r : CiRuleInfos())
        std::printf(
            "### `%s` — %s\n\n| severity | confidence | area |\n|---|---|---|\n| %s | %s | %s "
            "|\n\n**Why.** %s\n\n**Fix.** %s\n\n**Reference.** <%s>\n\n",
            r.id.c_str(), r.title.c_str(), std::string(SeverityName(r.severity)).c_str(),
            std::string(ConfidenceName(CiRuleConfidence(r.id))).c_str(),
            std::string(AreaId(r.area)).c_str(), r.description.c_str(), r.remediation.c_str(),
            r.help_uri.c_str());
      return kExitOk;
    }
    for (const RuleInfo& r : CiRuleInfos())
      std::printf("%-32s %-8s %-7s %-10s %s\n", r.id.c_str(),
                  std::string(SeverityName(r.severity)).c_str(),
                  std::string(ConfidenceName(CiRuleConfidence(r.id))).c_str(),
                  std::string(AreaId(r.area)).c_str(), r.title.c_str());
    return kExitOk;
  }
  auto format = ParseReportFormat(a.format);
  if (!format)
    return Usage("unknown --format '" + a.format +
                 "' (text, json, sarif, junit, github, markdown)");
  auto max_size = ParseSize(a.max_file_size);
  if (!max_size) return Usage("bad --max-file-size '" + a.max_file_size + "' (e.g. 4MiB, 512k)");
  Severity fail_on = Severity::kHigh;
  bool never_fail = false;
  if (!a.fail_on.empty()) {
    if (a.fail_on == "none") {
      never_fail = true;
    } else if (auto s = ParseSeverity(a.fail_on)) {
      fail_on = *s;
    } else {
      return Usage("bad --fail-on '" + a.fail_on + "' (critical, high, medium, low, info, none)");
    }
  }
  for (const std::string& id : a.disable)
    if (!FindCiRule(id)) return Usage("--disable: unknown rule '" + id + "' (see --list-rules)");
  std::set<std::string> baseline;
  if (!a.baseline.empty()) {
    auto fps = LoadCiBaseline(a.baseline);
    if (!fps.ok()) return Usage(fps.error().ToString());
    baseline = std::move(fps).value();
  }

  CiOptions opt;
  opt.threads = a.threads;
  opt.include = a.include;
  opt.exclude = a.exclude;
  opt.gitignore = !a.no_gitignore;
  opt.max_file_size = *max_size;
  opt.check_credentials = !a.no_credentials;
  const bool local_format = *format == ReportFormat::kText || *format == ReportFormat::kJson;
  opt.redact = !a.no_redact || !local_format;
  if (a.no_redact && !local_format)
    std::fprintf(stderr, "gatehouse: note: --no-redact does not apply to %s output\n",
                 std::string(ReportFormatName(*format)).c_str());
  opt.disabled_rules = a.disable;

  auto result = AnalyzeCi(a.path, opt);
  if (!result.ok()) return Usage(result.error().ToString());
  CiResult& r = *result;
  if (!baseline.empty()) {
    size_t before = r.report.findings.size();
    std::erase_if(r.report.findings,
                  [&](const Finding& f) { return baseline.count(f.fingerprint) > 0; });
    r.report.stats.findings_suppressed += before - r.report.findings.size();
  }

  RenderOptions ro;
  ro.verbose = a.verbose;
  ro.color = UseColor(a.color, a.output);
  // Timings make output non-deterministic; only the human format shows them.
  if (*format != ReportFormat::kText) r.report.stats.seconds = 0;
  std::string out = a.no_sprawl ? Render(r.report, *format, ro) : RenderCi(r, *format, ro);
  if (!Emit(out, a.output)) return kExitUsage;
  if (never_fail) return kExitOk;
  for (const Finding& f : r.report.findings)
    if (f.severity >= fail_on) return kExitFindings;
  return kExitOk;
}

int RunConsolidate(const ConsolidateArgs& a) {
  if (a.format != "text" && a.format != "json" && a.format != "markdown")
    return Usage("unknown --format '" + a.format + "' for consolidate (text, json, markdown)");
  if (!(a.threshold > 0 && a.threshold <= 1))
    return Usage("--threshold must be in (0, 1], e.g. 0.8");
  if (a.min_jobs < 2) return Usage("--min-jobs must be at least 2");
  ConsolidateOptions opt;
  opt.threshold = a.threshold;
  opt.min_jobs = a.min_jobs;
  opt.min_steps = std::max<size_t>(1, a.min_steps);
  opt.min_sequence = std::max<size_t>(2, a.min_sequence);
  opt.min_sequence_jobs = std::max<size_t>(2, a.min_sequence_jobs);
  opt.threads = a.threads;
  opt.include = a.include;
  opt.exclude = a.exclude;
  opt.gitignore = !a.no_gitignore;
  auto plan = PlanConsolidation(a.path, opt);
  if (!plan.ok()) return Usage(plan.error().ToString());

  std::string out = a.format == "json"       ? RenderPlanJson(*plan)
                    : a.format == "markdown" ? RenderPlanMarkdown(*plan)
                                             : RenderPlanText(*plan, UseColor(a.color, a.output));
  if (!Emit(out, a.output)) return kExitUsage;

  if (!a.write_dir.empty()) {
    Status st = WriteConsolidation(*plan, a.write_dir);
    if (!st.ok()) return Usage(st.error().ToString());
    // Re-check the repository with the plan applied: what was written must
    // parse and must not add high-severity findings.
    auto check = CheckConsolidation(a.path, *plan, a.threads);
    if (!check.ok()) return Usage(check.error().ToString());
    std::fprintf(stderr,
                 "gatehouse: wrote %zu file%s to %s; re-analyzed with the plan applied: %zu new "
                 "high-severity finding%s (%zu already in the original jobs)\n",
                 plan->files.size(), plan->files.size() == 1 ? "" : "s", a.write_dir.c_str(),
                 check->introduced.size(), check->introduced.size() == 1 ? "" : "s",
                 check->carried_over);
    for (const Finding& f : check->introduced)
      std::fprintf(stderr, "  %s:%d: %s: %s\n", f.location.path.c_str(), f.location.line,
                   f.rule_id.c_str(), f.message.c_str());
    if (!check->introduced.empty()) return kExitFindings;
  }
  return kExitOk;
}

}  // namespace

void AddCiCommand(CLI::App& app, std::function<int()>* run) {
  auto args = std::make_shared<CiArgs>();
  CLI::App* cmd = app.add_subcommand(
      "ci", "Analyze GitHub Actions workflows, actions and Dependabot configuration");
  cmd->add_option("path", args->path,
                  "Repository, .github/workflows directory or file (default: .)");
  cmd->add_option("-f,--format", args->format,
                  "Output format: text, json, sarif, junit, github, markdown");
  cmd->add_option("-o,--output", args->output, "Write the report to FILE instead of stdout");
  cmd->add_option("--fail-on", args->fail_on,
                  "Exit 1 if a finding has at least this severity (critical, high, medium, low, "
                  "info, none; default high)");
  cmd->add_option("--baseline", args->baseline,
                  "An earlier JSON report; findings with the same fingerprint are suppressed");
  cmd->add_option("--disable", args->disable, "Do not report this rule id (repeatable)")
      ->allow_extra_args(false);
  cmd->add_option("-j,--threads", args->threads, "Worker threads (default: all cores)");
  cmd->add_option("--max-file-size", args->max_file_size,
                  "Skip CI files larger than this (default 4MiB; 0 = no limit)");
  cmd->add_option("--include", args->include, "Only read paths matching this glob (repeatable)")
      ->allow_extra_args(false);
  cmd->add_option("--exclude", args->exclude, "Skip paths matching this glob (repeatable)")
      ->allow_extra_args(false);
  cmd->add_flag("--no-gitignore", args->no_gitignore, "Do not honour .gitignore files");
  cmd->add_flag("--no-credentials", args->no_credentials,
                "Skip the secret engine (hard-coded credential checks)");
  cmd->add_flag("--no-redact", args->no_redact,
                "Show credential values in text and json output (never in other formats)");
  cmd->add_flag("--no-sprawl", args->no_sprawl, "Leave the sprawl metrics out of the report");
  cmd->add_option("--color", args->color, "auto, always or never")
      ->check(CLI::IsMember({"auto", "always", "never"}));
  cmd->add_flag("-v,--verbose", args->verbose, "List every diagnostic in text output");
  cmd->add_flag("--list-rules", args->list_rules,
                "Print the rules (id, severity, confidence, area, title) and exit; with "
                "--format markdown, the full descriptions");

  auto cargs = std::make_shared<ConsolidateArgs>();
  CLI::App* con = cmd->add_subcommand(
      "consolidate", "Cluster near-duplicate jobs and plan reusable workflows / composite actions");
  con->add_option("path", cargs->path, "Repository or .github/workflows directory (default: .)");
  con->add_option("-f,--format", cargs->format, "Output format: text, json, markdown");
  con->add_option("-o,--output", cargs->output, "Write the plan to FILE instead of stdout");
  con->add_option("--write", cargs->write_dir,
                  "Write the reusable workflows and rewritten callers under DIR (mirrors the "
                  "repository layout; DIR = the repository applies the plan in place)");
  con->add_option("--threshold", cargs->threshold,
                  "Minimum similarity of a job to its cluster's template, 0-1 (default 0.8)");
  con->add_option("--min-jobs", cargs->min_jobs, "Smallest cluster to report (default 2)");
  con->add_option("--min-steps", cargs->min_steps,
                  "Ignore jobs with fewer steps than this (default 2)");
  con->add_option("--min-sequence", cargs->min_sequence,
                  "Shortest shared step sequence to suggest as a composite action (default 3)");
  con->add_option("--min-sequence-jobs", cargs->min_sequence_jobs,
                  "... shared by at least this many jobs (default 3)");
  con->add_option("-j,--threads", cargs->threads, "Worker threads (default: all cores)");
  con->add_option("--include", cargs->include, "Only read paths matching this glob (repeatable)")
      ->allow_extra_args(false);
  con->add_option("--exclude", cargs->exclude, "Skip paths matching this glob (repeatable)")
      ->allow_extra_args(false);
  con->add_flag("--no-gitignore", cargs->no_gitignore, "Do not honour .gitignore files");
  con->add_option("--color", cargs->color, "auto, always or never")
      ->check(CLI::IsMember({"auto", "always", "never"}));
  con->callback([run, cargs] { *run = [cargs] { return RunConsolidate(*cargs); }; });

  cmd->callback([run, args, con] {
    if (con->parsed()) return;
    *run = [args] { return RunCi(*args); };
  });
}

}  // namespace gatehouse::cli
