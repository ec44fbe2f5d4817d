// `gatehouse audit [PATH]`: the graded delivery-platform maturity report.
//
// Steps: read options → run the audit (one walk, every analyzer) → render
// (one format, or all four with --out-dir) → gates (--fail-on, --min-grade)
// → exit code.
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>

#include "cli/commands.h"
#include "cli/output.h"
#include "gatehouse/audit.h"
#include "gatehouse/base.h"
#include "gatehouse/git_scan.h"

namespace gatehouse::cli {

namespace {

struct AuditArgs {
  std::string path = ".";
  std::string format;
  std::string output;
  std::string out_dir;
  std::string fail_on = "high";
  std::vector<std::string> min_grades;
  std::string explain;
  unsigned threads = 0;
  std::string max_file_size = "8MiB";
  std::string config;
  std::vector<std::string> include, exclude;
  bool no_gitignore = false;
  bool timestamp = false;
  bool no_consolidate = false;
};

int Usage(const std::string& msg) {
  std::fprintf(stderr, "gatehouse: error: %s\n", msg.c_str());
  return kExitUsage;
}

bool WriteText(const std::string& path, const std::string& text) {
  if (path.empty() || path == "-") {
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fflush(stdout);
    return true;
  }
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(text.data(), static_cast<std::streamsize>(text.size()));
  f.close();
  if (!f) {
    std::fprintf(stderr, "gatehouse: error: cannot write %s\n", path.c_str());
    return false;
  }
  return true;
}

bool InsideGitWorkTree(const std::string& root) {
  std::error_code ec;
  auto dir = std::filesystem::absolute(root, ec);
  for (int depth = 0; depth < 64 && !dir.empty(); ++depth) {
    if (std::filesystem::exists(dir / ".git", ec)) return true;
    if (dir == dir.parent_path()) break;
    dir = dir.parent_path();
  }
  return false;
}

std::optional<AuditFormat> FormatFromExtension(const std::string& path) {
  if (path.ends_with(".html") || path.ends_with(".htm")) return AuditFormat::kHtml;
  if (path.ends_with(".md")) return AuditFormat::kMarkdown;
  if (path.ends_with(".json")) return AuditFormat::kJson;
  if (path.ends_with(".sarif")) return AuditFormat::kSarif;
  return std::nullopt;
}

int RunAuditCommand(const AuditArgs& a) {
  // Options.
  std::optional<AuditFormat> format = AuditFormat::kText;
  if (!a.format.empty()) {
    format = ParseAuditFormat(a.format);
    if (!format)
      return Usage("unknown --format '" + a.format + "' (text, markdown, html, json, sarif)");
  } else if (auto f = FormatFromExtension(a.output)) {
    format = f;
  }
  auto max_size = ParseSize(a.max_file_size);
  if (!max_size) return Usage("bad --max-file-size '" + a.max_file_size + "'");
  Severity fail_on = Severity::kHigh;
  bool never_fail = a.fail_on == "none";
  if (!never_fail) {
    auto s = ParseSeverity(a.fail_on);
    if (!s)
      return Usage("bad --fail-on '" + a.fail_on + "' (critical, high, medium, low, info, none)");
    fail_on = *s;
  }
  std::vector<std::pair<std::optional<Area>, int>> gates;  // nullopt area = overall
  std::vector<std::string> gate_text;
  for (const auto& g : a.min_grades) {
    size_t eq = g.find('=');
    if (eq == std::string::npos) return Usage("--min-grade takes AREA=GRADE, e.g. security=B");
    std::string area = g.substr(0, eq), grade = g.substr(eq + 1);
    auto floor = GradeFloor(grade);
    if (!floor) return Usage("bad grade '" + grade + "' in --min-grade (A+, A, A-, ..., D-, F)");
    if (area == "overall" || area == "all") {
      gates.push_back({std::nullopt, *floor});
    } else {
      auto ar = ParseArea(area);
      if (!ar) return Usage("unknown area '" + area + "' in --min-grade");
      gates.push_back({ar, *floor});
    }
    gate_text.push_back(g);
  }
  std::optional<Area> explain;
  if (!a.explain.empty()) {
    explain = ParseArea(a.explain);
    if (!explain)
      return Usage("unknown area '" + a.explain +
                   "' (repo-hygiene, ci-cd, progressive-delivery, observability, security, iac, "
                   "testing, release, dr)");
  }
  std::error_code ec;
  if (!std::filesystem::is_directory(a.path, ec))
    return Usage(a.path + ": " +
                 (std::filesystem::exists(a.path, ec) ? "not a directory (audit takes a repository)"
                                                      : "no such directory"));

  AuditOptions o;
  o.threads = a.threads;
  o.include = a.include;
  o.exclude = a.exclude;
  o.gitignore = !a.no_gitignore;
  o.max_file_size = *max_size;
  o.config_path = a.config;
  o.consolidate = !a.no_consolidate;
  if (o.gitignore && InsideGitWorkTree(a.path)) o.tracked_files = TrackedFiles(a.path);
  if (a.timestamp) {
    char buf[32];
    std::time_t now = std::time(nullptr);
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
    o.timestamp = buf;
  }

  // The audit.
  auto result = RunAudit(a.path, o);
  if (!result.ok()) return Fail(result.error());
  const AuditResult& r = *result;

  // Output.
  if (explain) {
    std::string text = ExplainArea(r, *explain);
    if (!WriteText(a.output, text)) return kExitUsage;
    return kExitOk;
  }
  if (!a.out_dir.empty()) {
    std::filesystem::create_directories(a.out_dir, ec);
    std::string text;
    for (auto [fmt, ext] : {std::pair{AuditFormat::kMarkdown, "md"},
                            {AuditFormat::kHtml, "html"},
                            {AuditFormat::kJson, "json"},
                            {AuditFormat::kSarif, "sarif"}}) {
      std::string p = a.out_dir + "/audit." + ext;
      if (!WriteText(p, RenderAudit(r, fmt))) return kExitUsage;
      text += "  " + p + "\n";
    }
    std::string summary = RenderAudit(r, AuditFormat::kText) + "\nReports written:\n" + text;
    if (!WriteText(a.output, summary)) return kExitUsage;
  } else {
    if (!WriteText(a.output, RenderAudit(r, *format))) return kExitUsage;
  }

  // Gates.
  bool failed = false, inconclusive = false;
  if (!never_fail)
    for (const auto& f : r.report.findings)
      if (f.severity >= fail_on) failed = true;
  for (size_t i = 0; i < gates.size(); ++i) {
    int score = r.score;
    Confidence conf = Confidence::kHigh;
    std::string name = "overall";
    std::string grade = r.grade;
    if (gates[i].first) {
      for (const auto& ar : r.areas)
        if (ar.area == *gates[i].first) {
          score = ar.score;
          conf = ar.confidence;
          grade = ar.grade;
          name = std::string(AreaId(ar.area));
        }
    }
    if (score < gates[i].second) {
      std::fprintf(
          stderr, "gatehouse: %s is %s (%d), below --min-grade %s%s\n", name.c_str(), grade.c_str(),
          score, gate_text[i].c_str(),
          conf == Confidence::kLow ? " (low confidence: unreadable or malformed files)" : "");
      if (conf == Confidence::kLow)
        inconclusive = true;
      else
        failed = true;
    }
  }
  if (r.stats.reads > 0 && r.stats.unreadable == r.stats.reads) inconclusive = true;
  if (failed) return kExitFindings;
  if (inconclusive) return kExitInconclusive;
  return kExitOk;
}

}  // namespace

void AddAuditCommand(CLI::App& app, std::function<int()>* run) {
  auto args = std::make_shared<AuditArgs>();
  CLI::App* cmd = app.add_subcommand(
      "audit", "Graded delivery-platform maturity report (secrets, CI, IaC and evidence)");
  cmd->add_option("path", args->path, "Repository directory (default: .)");
  cmd->add_option("-f,--format", args->format,
                  "text (default), markdown, html, json or sarif; inferred from --output's "
                  "extension");
  cmd->add_option("-o,--output", args->output, "Write the report to FILE instead of stdout");
  cmd->add_option("--out-dir", args->out_dir,
                  "Write audit.md, audit.html, audit.json and audit.sarif to DIR");
  cmd->add_option("--fail-on", args->fail_on,
                  "Exit 1 if a finding has at least this severity (default high; none = never)");
  cmd->add_option("--min-grade", args->min_grades,
                  "Exit 1 if AREA's grade is below GRADE, e.g. security=B or overall=C "
                  "(repeatable)")
      ->allow_extra_args(false);
  cmd->add_option("--explain", args->explain,
                  "Print the checks and findings behind one area's grade and exit");
  cmd->add_option("-j,--threads", args->threads, "Worker threads (default: all cores)");
  cmd->add_option("--max-file-size", args->max_file_size,
                  "Skip files larger than this (default 8MiB; 0 = no limit)");
  cmd->add_option("-c,--config", args->config, "Configuration (.gatehouse.yaml or gitleaks TOML)");
  cmd->add_option("--include", args->include, "Only audit paths matching this glob (repeatable)")
      ->allow_extra_args(false);
  cmd->add_option("--exclude", args->exclude, "Skip paths matching this glob (repeatable)")
      ->allow_extra_args(false);
  cmd->add_flag("--no-gitignore", args->no_gitignore, "Do not honour .gitignore files");
  cmd->add_flag("--timestamp", args->timestamp,
                "Print the time of the audit in the report (off: output is deterministic)");
  cmd->add_flag("--no-consolidate", args->no_consolidate,
                "Skip duplicate-job clustering of the CI workflows");
  cmd->callback([run, args] { *run = [args] { return RunAuditCommand(*args); }; });
}

}  // namespace gatehouse::cli
