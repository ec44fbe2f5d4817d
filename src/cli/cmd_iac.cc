// `gatehouse iac [PATH]`: Kubernetes/Helm (Pod Security Standards and best
// practice), Terraform and Dockerfile analysis.
//
// Steps: read options → analyze the tree → render → exit code.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <set>

#include "cli/commands.h"
#include "cli/output.h"
#include "gatehouse/base.h"
#include "gatehouse/iac.h"
#include "gatehouse/report.h"

namespace gatehouse::cli {

namespace {

struct IacArgs {
  std::string path = ".";
  std::string format = "text";
  std::string output;
  std::string fail_on;
  std::string pss_level = "baseline";
  bool helm_render = false;
  unsigned threads = 0;
  std::string max_file_size = "8MiB";
  std::vector<std::string> include, exclude, disable;
  bool no_gitignore = false;
  bool no_redact = false;
  std::string color = "auto";
  bool verbose = false;
  bool list_rules = false;
  bool inventory = false;
};

int Usage(const std::string& msg) {
  std::fprintf(stderr, "gatehouse: error: %s\n", msg.c_str());
  return kExitUsage;
}

void PrintRules(const std::string& format) {
  if (format == "markdown") {
    for (const RuleInfo& r : IacRuleInfos()) {
      std::string tags;
      for (const std::string& t : r.tags) tags += (tags.empty() ? "" : ", ") + t;
      std::printf(
          "### `%s` — %s\n\n| severity | area | tags |\n|---|---|---|\n| %s | %s | %s |\n\n"
          "**Why.** %s\n\n**Fix.** %s\n\n**Reference.** <%s>\n\n",
          r.id.c_str(), r.title.c_str(), std::string(SeverityName(r.severity)).c_str(),
          std::string(AreaId(r.area)).c_str(), tags.c_str(), r.description.c_str(),
          r.remediation.c_str(), r.help_uri.c_str());
    }
    return;
  }
  for (const RuleInfo& r : IacRuleInfos())
    std::printf("%-36s %-8s %s\n", r.id.c_str(), std::string(SeverityName(r.severity)).c_str(),
                r.title.c_str());
}

std::string InventoryText(const IacInventory& v) {
  char buf[1024];
  std::snprintf(buf, sizeof buf,
                "\nInventory: %llu Kubernetes objects in %llu files, %llu workloads (%llu meet "
                "PSS restricted, %llu baseline), %llu PDBs, %llu NetworkPolicies, %llu Helm "
                "charts, %llu Dockerfiles (%llu non-root), %llu Terraform files, %llu parse "
                "errors\n",
                (unsigned long long)v.k8s_objects, (unsigned long long)v.k8s_files,
                (unsigned long long)v.workloads, (unsigned long long)v.workloads_restricted,
                (unsigned long long)v.workloads_baseline,
                (unsigned long long)v.pod_disruption_budgets,
                (unsigned long long)v.network_policies, (unsigned long long)v.helm_charts,
                (unsigned long long)v.dockerfiles, (unsigned long long)v.dockerfiles_non_root,
                (unsigned long long)v.tf_files, (unsigned long long)v.parse_errors);
  return buf;
}

int RunIac(const IacArgs& a) {
  if (a.list_rules) {
    PrintRules(a.format);
    return kExitOk;
  }
  OutputArgs out;
  auto format = ParseReportFormat(a.format);
  if (!format)
    return Usage("unknown --format '" + a.format +
                 "' (text, json, sarif, junit, github, markdown)");
  out.format = *format;
  out.output = a.output;
  out.color = a.color;
  out.verbose = a.verbose;
  auto max_size = ParseSize(a.max_file_size);
  if (!max_size) return Usage("bad --max-file-size '" + a.max_file_size + "' (e.g. 8MiB)");
  Severity fail_on = Severity::kHigh;
  bool never_fail = false;
  if (!a.fail_on.empty() && !ParseFailOn(a.fail_on, &fail_on, &never_fail)) return kExitUsage;
  PssLevel level;
  if (a.pss_level == "baseline") {
    level = PssLevel::kBaseline;
  } else if (a.pss_level == "restricted") {
    level = PssLevel::kRestricted;
  } else if (a.pss_level == "privileged") {
    level = PssLevel::kPrivileged;
  } else {
    return Usage("bad --pss-level '" + a.pss_level + "' (baseline, restricted, privileged)");
  }
  for (const std::string& id : a.disable)
    if (!FindIacRule(id)) return Usage("--disable: unknown rule '" + id + "' (see --list-rules)");

  IacOptions opt;
  opt.threads = a.threads;
  opt.include = a.include;
  opt.exclude = a.exclude;
  opt.gitignore = !a.no_gitignore;
  opt.max_file_size = *max_size;
  opt.pss_level = level;
  opt.helm_render = a.helm_render;
  const bool local_format = *format == ReportFormat::kText || *format == ReportFormat::kJson;
  opt.redact = !a.no_redact || !local_format;
  opt.disabled_rules = a.disable;

  auto result = AnalyzeIac(a.path, opt);
  if (!result.ok()) return Fail(result.error());
  IacResult& r = *result;
  for (const Diagnostic& d : r.report.diagnostics)
    if (d.message.starts_with("--helm-render"))
      std::fprintf(stderr, "gatehouse: note: %s%s%s\n", d.path.c_str(), d.path.empty() ? "" : ": ",
                   d.message.c_str());
  if (*format != ReportFormat::kText) r.report.stats.seconds = 0;
  if (!WriteReport(r.report, out)) return kExitUsage;
  if (a.inventory && *format == ReportFormat::kText && (a.output.empty() || a.output == "-"))
    std::fputs(InventoryText(r.inventory).c_str(), stdout);
  return FindingsExitCode(r.report, fail_on, never_fail);
}

}  // namespace

void AddIacCommand(CLI::App& app, std::function<int()>* run) {
  auto args = std::make_shared<IacArgs>();
  CLI::App* cmd = app.add_subcommand(
      "iac", "Analyze Kubernetes manifests, Helm charts, Terraform and Dockerfiles");
  cmd->add_option("path", args->path, "Directory or file to analyze (default: .)");
  cmd->add_option("-f,--format", args->format,
                  "Output format: text, json, sarif, junit, github, markdown");
  cmd->add_option("-o,--output", args->output, "Write the report to FILE instead of stdout");
  cmd->add_option("--fail-on", args->fail_on,
                  "Exit 1 if a finding has at least this severity (critical, high, medium, low, "
                  "info, none; default high)");
  cmd->add_option("--pss-level", args->pss_level,
                  "Pod Security Standards level where no namespace label says otherwise: "
                  "baseline (default), restricted or privileged");
  cmd->add_flag("--helm-render", args->helm_render,
                "Render charts with `helm template` when helm is on PATH (default: neutralize "
                "templates, no helm needed)");
  cmd->add_option("--disable", args->disable, "Do not report this rule id (repeatable)")
      ->allow_extra_args(false);
  cmd->add_option("-j,--threads", args->threads, "Worker threads (default: all cores)");
  cmd->add_option("--max-file-size", args->max_file_size,
                  "Skip files larger than this (default 8MiB; 0 = no limit)");
  cmd->add_option("--include", args->include, "Only read paths matching this glob (repeatable)")
      ->allow_extra_args(false);
  cmd->add_option("--exclude", args->exclude, "Skip paths matching this glob (repeatable)")
      ->allow_extra_args(false);
  cmd->add_flag("--no-gitignore", args->no_gitignore, "Do not honour .gitignore files");
  cmd->add_flag("--no-redact", args->no_redact,
                "Show secret values in text and json output (never in other formats)");
  cmd->add_option("--color", args->color, "auto, always or never")
      ->check(CLI::IsMember({"auto", "always", "never"}));
  cmd->add_flag("-v,--verbose", args->verbose, "List every diagnostic in text output");
  cmd->add_flag("--inventory", args->inventory,
                "Text output: end with the inventory (objects, workloads, charts, ...)");
  cmd->add_flag("--list-rules", args->list_rules,
                "Print the rules and exit; with --format markdown, the full descriptions");
  cmd->callback([run, args] { *run = [args] { return RunIac(*args); }; });
}

}  // namespace gatehouse::cli
