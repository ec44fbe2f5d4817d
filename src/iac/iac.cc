// The IaC orchestrator: walk → read each candidate once → classify →
// parse (in parallel) → run the Kubernetes, Helm, Dockerfile and Terraform
// analyzers → one sorted Report.
//
// Classification is by path: Dockerfiles by name (dockerfile.h), Terraform
// by IsTerraformPath() or a JSON plan's content, Helm charts by the nearest
// Chart.yaml above a file (its templates/ are neutralized, helm.h), and
// every other .yaml/.yml/.json is a candidate Kubernetes manifest. YAML that
// is not a Kubernetes object (no apiVersion/kind) is ignored silently, as
// are unknown kinds. A file that does not parse becomes an iac/parse-error
// finding with file:line:column and the run goes on.
#include <algorithm>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <set>

#include "gatehouse/base.h"
#include "gatehouse/document.h"
#include "gatehouse/fs.h"
#include "gatehouse/iac.h"
#include "gatehouse/secrets_scan.h"
#include "gatehouse/walk.h"
#include "iac/dockerfile.h"
#include "iac/helm.h"
#include "iac/internal.h"
#include "iac/k8s.h"
#include "iac/terraform.h"

namespace gatehouse {

std::string_view PssLevelName(PssLevel l) {
  switch (l) {
    case PssLevel::kPrivileged:
      return "privileged";
    case PssLevel::kBaseline:
      return "baseline";
    case PssLevel::kRestricted:
      return "restricted";
  }
  return "baseline";
}

namespace {

using iac::HelmChartFiles;
using iac::MakeFinding;

std::string_view Base(std::string_view p) {
  size_t s = p.rfind('/');
  return s == std::string_view::npos ? p : p.substr(s + 1);
}
std::string Dir(std::string_view p) {
  size_t s = p.rfind('/');
  return s == std::string_view::npos ? std::string() : std::string(p.substr(0, s));
}
bool HasExt(std::string_view p, std::string_view ext) {
  std::string l = AsciiLower(Base(p));
  return l.size() > ext.size() && l.ends_with(ext);
}
bool IsYaml(std::string_view p) { return HasExt(p, ".yaml") || HasExt(p, ".yml"); }

enum class Kind { kNone, kDockerfile, kTerraform, kYaml, kJson, kChartYaml, kValues, kTemplate };

Finding ParseErrorFinding(const Error& e, const std::string& path, std::string_view what) {
  std::string msg = std::string(what) + ": " + e.message;
  Finding f = MakeFinding("iac/parse-error", path, e.line, e.column, msg, e.message);
  return f;
}

// The chart directory that owns `path` (nearest ancestor with Chart.yaml).
std::optional<std::string> ChartOf(const std::string& path, const std::set<std::string>& charts) {
  std::string d = Dir(path);
  while (true) {
    if (charts.count(d)) return d;
    if (d.empty()) return std::nullopt;
    d = Dir(d);
  }
}

std::string Join(const std::string& dir, std::string_view rel) {
  return dir.empty() ? std::string(rel) : dir + "/" + std::string(rel);
}

IacResult Analyze(const std::vector<IacFile>& files, std::vector<Diagnostic> diagnostics,
                  const IacOptions& options, const std::string& root, bool on_disk) {
  const double t0 = MonotonicSeconds();
  IacResult result;
  Report& report = result.report;
  report.command = "iac";
  report.tool_version = GATEHOUSE_VERSION;
  report.root = root;
  IacInventory& inv = result.inventory;

  std::unique_ptr<SecretScanner> owned;
  const SecretScanner* scanner = options.secret_scanner;
  if (!scanner) {
    SecretsOptions so;
    so.redact = options.redact;
    auto created = SecretScanner::Create(on_disk ? root : ".", so);
    if (created.ok()) {
      owned = std::move(created).value();
      scanner = owned.get();
    } else {
      diagnostics.push_back(Diagnostic{DiagnosticKind::kConfig, created.error().path,
                                       created.error().line, created.error().column,
                                       "secret checks skipped: " + created.error().message});
    }
  }

  // ---- classify ----
  std::set<std::string> chart_dirs;
  for (const IacFile& f : files)
    if (Base(f.path) == "Chart.yaml") chart_dirs.insert(Dir(f.path));
  std::vector<Kind> kinds(files.size(), Kind::kNone);
  std::map<std::string, HelmChartFiles> charts;
  for (const std::string& d : chart_dirs) charts[d].dir = d;
  std::vector<const IacFile*> tf_files;
  for (size_t i = 0; i < files.size(); ++i) {
    const IacFile& f = files[i];
    if (iac::IsDockerfilePath(f.path)) {
      kinds[i] = Kind::kDockerfile;
      continue;
    }
    if (iac::IsTerraformPath(f.path) ||
        (HasExt(f.path, ".json") && iac::LooksLikeTerraformPlan(f.path, f.content))) {
      kinds[i] = Kind::kTerraform;
      tf_files.push_back(&f);
      continue;
    }
    if (!IsYaml(f.path) && !HasExt(f.path, ".json") && !HasExt(f.path, ".tpl")) continue;
    if (auto chart = ChartOf(f.path, chart_dirs)) {
      HelmChartFiles& c = charts[*chart];
      std::string rel = chart->empty() ? f.path : f.path.substr(chart->size() + 1);
      std::string_view base = Base(rel);
      if (rel == "Chart.yaml") {
        c.chart_yaml = &f;
        kinds[i] = Kind::kChartYaml;
      } else if (rel == "values.yaml") {
        c.values_yaml = &f;
        kinds[i] = Kind::kValues;
      } else if (rel.starts_with("templates/") && !base.starts_with("_") && base != "NOTES.txt" &&
                 (IsYaml(rel) || HasExt(rel, ".tpl"))) {
        c.templates.push_back(&f);
        kinds[i] = Kind::kTemplate;
      }
      continue;  // other chart files (ci/ values, schemas...) are not manifests
    }
    if (HasExt(f.path, ".tpl")) continue;
    kinds[i] = IsYaml(f.path) ? Kind::kYaml : Kind::kJson;
  }

  // ---- parse + per-file checks, in parallel ----
  std::vector<std::vector<Finding>> per_file(files.size());
  std::vector<std::optional<iac::K8sSource>> sources(files.size());
  std::vector<int> docker_nonroot(files.size(), -1);
  ParallelFor(files.size(), options.threads, [&](size_t i) {
    const IacFile& f = files[i];
    switch (kinds[i]) {
      case Kind::kDockerfile: {
        iac::Dockerfile df = iac::ParseDockerfile(f.content, f.path);
        for (const Error& e : df.errors)
          per_file[i].push_back(ParseErrorFinding(e, f.path, "Dockerfile"));
        iac::DockerfileFacts facts =
            iac::CheckDockerfile(df, f.path, f.content, scanner, &per_file[i]);
        docker_nonroot[i] = facts.non_root ? 1 : 0;
        break;
      }
      case Kind::kYaml: {
        YamlStream ys = ParseYamlStream(f.content, f.path);
        iac::K8sSource src;
        src.path = f.path;
        src.content = f.content;
        bool any_k8s = false;
        for (Document& d : ys.documents) {
          auto doc = std::make_unique<Document>(std::move(d));
          if (iac::IsK8sObject(doc->Root())) any_k8s = true;
          src.docs.push_back(std::move(doc));
        }
        // A file with no Kubernetes object at all is not ours: its syntax
        // errors are someone else's business (CI workflows, app config...),
        // unless the broken document itself looks like a manifest.
        bool manifest_like = any_k8s || f.content.find("apiVersion:") != std::string::npos;
        if (manifest_like)
          for (const Error& e : ys.errors)
            per_file[i].push_back(ParseErrorFinding(e, f.path, "YAML"));
        if (any_k8s) sources[i] = std::move(src);
        break;
      }
      case Kind::kJson: {
        if (f.content.find("\"apiVersion\"") == std::string::npos) break;
        auto doc = ParseJsonDocument(f.content, f.path);
        if (!doc.ok()) {
          per_file[i].push_back(ParseErrorFinding(doc.error(), f.path, "JSON"));
          break;
        }
        iac::K8sSource src;
        src.path = f.path;
        src.content = f.content;
        auto d = std::make_unique<Document>(std::move(doc).value());
        DocValue root = d->Root();
        // A List (kind: List, items: [...]) is unwrapped by AnalyzeKubernetes.
        if (iac::IsK8sObject(root)) {
          src.docs.push_back(std::move(d));
          sources[i] = std::move(src);
        }
        break;
      }
      default:
        break;
    }
  });

  // ---- Helm charts ----
  std::vector<iac::K8sSource> all;
  std::vector<Finding> chart_findings;
  std::vector<IacFile> rendered_files;  // --helm-render output (kept alive)
  std::vector<std::string> rendered_charts;
  if (options.helm_render && !charts.empty()) {
    if (!on_disk) {
      diagnostics.push_back(Diagnostic{DiagnosticKind::kNote, "", 0, 0,
                                       "--helm-render needs charts on disk; templates were "
                                       "neutralized instead"});
    } else {
      for (auto& [dir, chart] : charts) {
        auto r = iac::RenderHelmChart(root, dir);
        if (!r.ok()) {
          diagnostics.push_back(Diagnostic{
              DiagnosticKind::kNote, chart.dir, 0, 0,
              "--helm-render: " + r.error().message + "; falling back to template neutralization"});
          continue;
        }
        rendered_charts.push_back(dir);
        for (IacFile& rf : *r) rendered_files.push_back(std::move(rf));
      }
    }
  }
  std::set<std::string> rendered_set(rendered_charts.begin(), rendered_charts.end());
  for (auto& [dir, chart] : charts) {
    inv.helm_charts++;
    inv.artifacts.push_back(Join(dir, "Chart.yaml"));
    if (rendered_set.count(dir)) continue;
    iac::LoadHelmChart(chart, &all, &chart_findings, &inv);
  }
  for (const IacFile& rf : rendered_files) {
    YamlStream ys = ParseYamlStream(rf.content, rf.path);
    iac::K8sSource src;
    src.path = rf.path;
    src.helm = true;
    for (Document& d : ys.documents) src.docs.push_back(std::make_unique<Document>(std::move(d)));
    for (const Error& e : ys.errors)
      chart_findings.push_back(ParseErrorFinding(e, rf.path, "YAML"));
    all.push_back(std::move(src));
  }
  for (auto& s : sources)
    if (s) all.push_back(std::move(*s));

  // ---- Kubernetes (cross-file) ----
  std::vector<Finding> k8s_findings;
  iac::AnalyzeKubernetes(all, options, scanner, &k8s_findings, &inv);

  // ---- Terraform ----
  std::vector<Finding> tf_findings;
  if (!tf_files.empty()) iac::AnalyzeTerraform(tf_files, options, &tf_findings, &diagnostics, &inv);

  // ---- merge ----
  for (size_t i = 0; i < files.size(); ++i) {
    if (docker_nonroot[i] >= 0) {
      inv.dockerfiles++;
      if (docker_nonroot[i] == 1) inv.dockerfiles_non_root++;
      inv.artifacts.push_back(files[i].path);
    }
    for (Finding& f : per_file[i]) report.findings.push_back(std::move(f));
  }
  for (auto* v : {&chart_findings, &k8s_findings, &tf_findings})
    for (Finding& f : *v) report.findings.push_back(std::move(f));
  for (const Finding& f : report.findings)
    if (f.rule_id == "iac/parse-error") inv.parse_errors++;

  std::set<std::string> off(options.disabled_rules.begin(), options.disabled_rules.end());
  if (!off.empty()) {
    size_t before = report.findings.size();
    std::erase_if(report.findings, [&](const Finding& f) { return off.count(f.rule_id) > 0; });
    report.stats.findings_suppressed += before - report.findings.size();
  }
  // Inline suppression: `# gatehouse:allow` (optionally followed by rule ids)
  // on the finding's line.
  {
    std::map<std::string_view, std::string_view> content;
    for (const IacFile& f : files) content[f.path] = f.content;
    size_t before = report.findings.size();
    std::erase_if(report.findings, [&](const Finding& fd) {
      auto it = content.find(fd.location.path);
      if (it == content.end() || fd.location.line <= 0) return false;
      std::string_view line = iac::LineOf(it->second, fd.location.line);
      size_t p = line.find("gatehouse:allow");
      if (p == std::string_view::npos) return false;
      std::string_view rest = line.substr(p + 15);
      while (!rest.empty() && (rest[0] == ' ' || rest[0] == ':')) rest.remove_prefix(1);
      if (rest.find('/') == std::string_view::npos) return true;
      return rest.find(fd.rule_id) != std::string_view::npos;
    });
    report.stats.findings_suppressed += before - report.findings.size();
  }
  SortFindings(report.findings);
  std::set<std::string> fired;
  for (const Finding& f : report.findings) fired.insert(f.rule_id);
  for (const RuleInfo& r : IacRuleInfos())
    if (fired.count(r.id)) report.rules.push_back(r);
  std::sort(inv.artifacts.begin(), inv.artifacts.end());
  inv.artifacts.erase(std::unique(inv.artifacts.begin(), inv.artifacts.end()), inv.artifacts.end());
  report.diagnostics = std::move(diagnostics);
  std::sort(report.diagnostics.begin(), report.diagnostics.end(),
            [](const Diagnostic& a, const Diagnostic& b) {
              return std::tie(a.path, a.line, a.message) < std::tie(b.path, b.line, b.message);
            });
  uint64_t bytes = 0;
  for (const IacFile& f : files) bytes += f.content.size();
  report.stats.files_scanned = files.size();
  report.stats.bytes_scanned = bytes;
  report.stats.seconds = MonotonicSeconds() - t0;
  return result;
}

}  // namespace

bool IsIacCandidate(std::string_view path) {
  if (iac::IsDockerfilePath(path) || iac::IsTerraformPath(path)) return true;
  return IsYaml(path) || HasExt(path, ".json") || HasExt(path, ".tpl");
}

IacResult AnalyzeIacFiles(const std::vector<IacFile>& files, const IacOptions& options) {
  return Analyze(files, {}, options, ".", false);
}

Result<IacResult> AnalyzeIac(const std::string& root, const IacOptions& options) {
  WalkOptions wo;
  wo.root = root;
  wo.include = options.include;
  wo.exclude = options.exclude;
  wo.respect_gitignore = options.gitignore;
  wo.max_file_size = options.max_file_size;
  wo.threads = options.threads;
  auto walked = Walk(wo);
  if (!walked.ok()) return walked.error();
  std::vector<const WalkEntry*> chosen;
  for (const WalkEntry& e : walked->files)
    if (IsIacCandidate(e.path)) chosen.push_back(&e);
  std::vector<IacFile> files(chosen.size());
  std::vector<std::optional<Diagnostic>> bad(chosen.size());
  ParallelFor(chosen.size(), options.threads, [&](size_t i) {
    auto content = ReadFileToString(chosen[i]->abs_path);
    if (!content.ok()) {
      bad[i] =
          Diagnostic{DiagnosticKind::kUnreadable, chosen[i]->path, 0, 0, content.error().message};
      return;
    }
    if (LooksBinary(std::string_view(*content).substr(0, 8192))) {
      bad[i] = Diagnostic{DiagnosticKind::kBinary, chosen[i]->path, 0, 0, "binary file skipped"};
      return;
    }
    files[i] = IacFile{chosen[i]->path, std::move(content).value()};
  });
  std::vector<Diagnostic> diags = std::move(walked->diagnostics);
  std::vector<IacFile> good;
  good.reserve(files.size());
  uint64_t unreadable = 0, binary = 0;
  for (size_t i = 0; i < files.size(); ++i) {
    if (bad[i]) {
      (bad[i]->kind == DiagnosticKind::kBinary ? binary : unreadable)++;
      diags.push_back(std::move(*bad[i]));
      continue;
    }
    good.push_back(std::move(files[i]));
  }
  // A single file as root: its path is its name relative to its directory.
  std::error_code ec;
  bool is_dir = std::filesystem::is_directory(root, ec);
  std::string base_root = is_dir ? root : std::filesystem::path(root).parent_path().string();
  if (base_root.empty()) base_root = ".";
  IacResult r = Analyze(good, std::move(diags), options, is_dir ? root : base_root, true);
  r.report.root = root;
  r.report.stats.files_unreadable = unreadable;
  r.report.stats.files_skipped_binary = binary;
  r.report.stats.files_ignored = walked->ignored;
  r.report.stats.files_skipped_size = walked->skipped_size;
  return r;
}

const std::vector<RuleInfo>& IacRuleInfos() {
  static const std::vector<RuleInfo> kAll = [] {
    std::vector<RuleInfo> v = iac::NativeRuleInfos();
    for (const RuleInfo& r : iac::TerraformRuleInfos()) v.push_back(r);
    std::sort(v.begin(), v.end(), [](const RuleInfo& a, const RuleInfo& b) { return a.id < b.id; });
    return v;
  }();
  return kAll;
}

const RuleInfo* FindIacRule(std::string_view id) {
  for (const RuleInfo& r : IacRuleInfos())
    if (r.id == id) return &r;
  return nullptr;
}

}  // namespace gatehouse
