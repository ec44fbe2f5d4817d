// Per-file evidence detectors of the audit (docs/audit.md, "Evidence
// detectors"). Each looks at one file's path and content — already in
// memory, read once by the pipeline — and records artifacts (facts with a
// location) and, for gaps that have a precise place, audit-* findings.
//
// Structured files are parsed with the shared Document parsers (document.h)
// only when a cheap keyword test says the file can matter, so a tree of
// 50,000 files costs one substring pass for most of them. Workflows are
// parsed into a small job/step model (internal.h) for the cross-file pass.
#include <re2/re2.h>

#include <algorithm>
#include <cctype>
#include <cstring>

#include "audit/internal.h"
#include "ci/scripts.h"
#include "gatehouse/base.h"
#include "gatehouse/walk.h"

namespace gatehouse::audit {

namespace {

std::string_view Base(std::string_view p) {
  size_t s = p.rfind('/');
  return s == std::string_view::npos ? p : p.substr(s + 1);
}
std::string_view Dir(std::string_view p) {
  size_t s = p.rfind('/');
  return s == std::string_view::npos ? std::string_view() : p.substr(0, s);
}
bool Has(std::string_view hay, std::string_view needle) {
  return hay.find(needle) != std::string_view::npos;
}
int LineAt(std::string_view text, size_t offset) {
  offset = std::min(offset, text.size());
  return 1 + static_cast<int>(std::count(text.begin(), text.begin() + offset, '\n'));
}
int LineOf(std::string_view text, std::string_view needle) {
  size_t at = text.find(needle);
  return at == std::string_view::npos ? 0 : LineAt(text, at);
}
std::string Lower(std::string_view s) { return AsciiLower(s); }

void Add(FileEvidence* fe, std::string kind, std::string_view path, int line, std::string detail) {
  AuditArtifact a;
  a.kind = std::move(kind);
  a.location.path = std::string(path);
  a.location.line = line;
  a.detail = std::move(detail);
  fe->artifacts.push_back(std::move(a));
}

bool IsRootOrMeta(std::string_view dir) {
  return dir.empty() || dir == ".github" || dir == "docs" || dir == "doc";
}

// ---- CODEOWNERS -----------------------------------------------------------

void ParseCodeowners(std::string_view path, std::string_view text, FileEvidence* fe) {
  int line = 0;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view l = text.substr(pos, end - pos);
    ++line;
    pos = end + 1;
    size_t h = l.find('#');
    if (h != std::string_view::npos) l = l.substr(0, h);
    auto words = ci::Words(l);
    if (words.empty()) continue;
    if (words[0].starts_with("[") || words[0].starts_with("^[")) continue;  // GitLab sections
    CodeownersRule r;
    r.pattern = std::string(words[0]);
    r.line = line;
    for (size_t i = 1; i < words.size(); ++i) r.owners.emplace_back(words[i]);
    fe->codeowners.push_back(std::move(r));
    if (end == text.size()) break;
  }
  fe->codeowners_path = std::string(path);
  size_t owned = 0;
  for (const auto& r : fe->codeowners) owned += !r.owners.empty();
  Add(fe, "codeowners", path, 1,
      std::to_string(fe->codeowners.size()) + " rules, " + std::to_string(owned) + " with owners");
}

// ---- YAML/JSON helpers ----------------------------------------------------

std::string Text(DocValue v) { return v.IsDefined() ? v.ScalarText() : std::string(); }

// All scalar text below v (bounded), lower-cased, for keyword tests.
void Flatten(DocValue v, std::string* out, int depth = 0) {
  if (!v.IsDefined() || depth > 64 || out->size() > (1u << 20)) return;
  if (v.IsArray()) {
    for (size_t i = 0; i < v.size(); ++i) Flatten(v[i], out, depth + 1);
  } else if (v.IsObject()) {
    for (size_t i = 0; i < v.size(); ++i) Flatten(v.ValueAt(i), out, depth + 1);
  } else {
    *out += v.ScalarText();
    *out += '\n';
  }
}
std::string FlatLower(DocValue v) {
  std::string s;
  Flatten(v, &s);
  return Lower(s);
}

void ParseDiagnostics(const YamlStream& ys, FileEvidence* fe) {
  for (const Error& e : ys.errors)
    fe->diagnostics.push_back(
        Diagnostic{DiagnosticKind::kParse, e.path, e.line, e.column, e.message});
}

// ---- Prometheus alert classification ---------------------------------------

// The SRE workbook's multiwindow, multi-burn-rate alert (ch. 5, "Alerting on
// SLOs", recommendation 6): page when the error ratio over a long window
// AND over a short window both exceed burn-rate × (1 − SLO), e.g. 14.4× over
// 1h and 5m, 6× over 6h and 30m; ticket at 1× over 3d and 6h. We recognise
// it structurally: an `and` joining comparisons over at least two different
// windows (range selectors [5m] or recording-rule names ending in a
// duration, like ratio_rate1h), plus a burn factor multiplied into the
// threshold or error-budget naming. A single-window burn-rate alert is
// better than a raw threshold but flaps or detects slowly; plain thresholds
// (cpu > 80) say nothing about the user-facing objective.
struct AlertClass {
  std::string kind;  // "multiwindow-burn-rate", "burn-rate", "threshold"
  std::set<std::string> windows;
};

AlertClass ClassifyAlert(std::string_view expr) {
  static const RE2 kRange(R"(\[(\d+[smhdw])(?::[^\]]*)?\])");
  static const RE2 kNamed(R"((?i)rate_?(\d+[smhdw])\b)");
  static const RE2 kFactor(
      R"((?:\b(?:14\.4|6|3|2|1)\s*\*\s*\(?\s*(?:1\s*-\s*)?0?\.\d)|(?:\*\s*(?:14\.4|6)\b))");
  static const RE2 kAnd(R"((?i)\)\s*and\s|\band\s+(?:on|ignoring)?\s*\(|\s+and\s+)");
  AlertClass c;
  re2::StringPiece in(expr.data(), expr.size());
  std::string w;
  while (RE2::FindAndConsume(&in, kRange, &w)) c.windows.insert(w);
  in = re2::StringPiece(expr.data(), expr.size());
  while (RE2::FindAndConsume(&in, kNamed, &w)) c.windows.insert(Lower(w));
  std::string low = Lower(expr);
  bool budgetish = Has(low, "burn") || Has(low, "error_budget") || Has(low, "slo:") ||
                   Has(low, "sli_error") || Has(low, "slo_errors");
  bool factor = RE2::PartialMatch(expr, kFactor);
  bool joined = RE2::PartialMatch(expr, kAnd);
  if ((factor || budgetish) && joined && c.windows.size() >= 2)
    c.kind = "multiwindow-burn-rate";
  else if (factor || budgetish)
    c.kind = "burn-rate";
  else
    c.kind = "threshold";
  return c;
}

void DetectRuleGroups(std::string_view path, DocValue groups, FileEvidence* fe) {
  size_t alerts = 0, burn = 0, multi = 0, no_for = 0, no_sev = 0;
  int first_line = groups.line();
  for (size_t g = 0; g < groups.size(); ++g) {
    DocValue rules = groups[g]["rules"];
    for (size_t i = 0; i < rules.size(); ++i) {
      DocValue r = rules[i];
      if (!r.IsObject()) continue;
      DocValue alert = r["alert"];
      if (!alert.IsDefined()) {
        if (r["record"].IsDefined()) Add(fe, "recording-rule", path, r.line(), Text(r["record"]));
        continue;
      }
      ++alerts;
      std::string expr = Text(r["expr"]);
      AlertClass c = ClassifyAlert(expr);
      std::string wins;
      for (const auto& w : c.windows) wins += (wins.empty() ? "" : ",") + w;
      std::string forv = Text(r["for"]);
      std::string sev = Text(r.Path({"labels", "severity"}));
      bool runbook = r.Path({"annotations", "runbook_url"}).IsDefined() ||
                     r.Path({"annotations", "runbook"}).IsDefined();
      Add(fe, "alert-rule", path, alert.line(),
          Text(alert) + ": " + c.kind + (wins.empty() ? "" : " [" + wins + "]") +
              (forv.empty() ? ", no for:" : ", for " + forv) +
              (sev.empty() ? ", no severity" : ", severity " + sev) + (runbook ? ", runbook" : ""));
      if (c.kind == "multiwindow-burn-rate") ++multi, ++burn;
      if (c.kind == "burn-rate") ++burn;
      if (runbook) Add(fe, "alert-runbook-link", path, alert.line(), Text(alert));
      if (forv.empty() && c.kind != "multiwindow-burn-rate") {
        ++no_for;
        fe->findings.push_back(
            MakeFinding("audit-alert-missing-for", path, alert.line(), alert.column(),
                        "alert '" + Text(alert) + "' has no `for:` duration: one bad scrape pages",
                        "alert: " + Text(alert)));
      }
      if (sev.empty()) {
        ++no_sev;
        fe->findings.push_back(
            MakeFinding("audit-alert-missing-severity", path, alert.line(), alert.column(),
                        "alert '" + Text(alert) +
                            "' has no severity label: routing cannot tell a page from a "
                            "ticket",
                        "alert: " + Text(alert)));
      }
    }
  }
  if (alerts == 0) return;
  Add(fe, "alert-rule-file", path, first_line,
      std::to_string(alerts) + " alerts: " + std::to_string(multi) + " multiwindow burn-rate, " +
          std::to_string(burn - multi) + " single-window burn-rate, " +
          std::to_string(alerts - burn) + " threshold");
  if (burn == 0)
    fe->findings.push_back(
        MakeFinding("audit-alert-threshold-only", path, first_line, 1,
                    "all " + std::to_string(alerts) +
                        " alerts are plain thresholds: none alerts on SLO error-budget burn rate",
                    "groups:"));
}

// ---- Kubernetes-shaped documents -------------------------------------------

bool ContainsAny(std::string_view low, std::initializer_list<std::string_view> words) {
  for (auto w : words)
    if (ci::FindWord(low, w) != std::string_view::npos) return true;
  return false;
}

bool BackupCommand(std::string_view low) {
  if (ContainsAny(low, {"pg_dump", "pg_dumpall", "pg_basebackup", "mysqldump", "mongodump",
                        "barman", "create-db-snapshot", "create-snapshot"}))
    return true;
  return Has(low, "velero backup") || Has(low, "restic backup") || Has(low, "pgbackrest backup") ||
         Has(low, "wal-g backup-push") || Has(low, "borg create") ||
         Has(low, "etcdctl snapshot save") || Has(low, "pgbackrest --stanza") ||
         Has(low, "aws backup start-backup-job");
}
bool RestoreCommand(std::string_view low) {
  if (ContainsAny(low, {"pg_restore", "mongorestore"})) return true;
  return Has(low, "velero restore create") || Has(low, "restic restore") ||
         Has(low, "pgbackrest restore") || Has(low, "wal-g backup-fetch") ||
         Has(low, "borg extract") || Has(low, "etcdctl snapshot restore") ||
         Has(low, "restore-db-instance") || RE2::PartialMatch(low, R"((psql|mysql)\b[^\n|]*<)");
}

void DetectK8sDoc(std::string_view path, DocValue root, FileEvidence* fe) {
  std::string kind = Text(root["kind"]);
  std::string api = Lower(Text(root["apiVersion"]));
  std::string name = Text(root.Path({"metadata", "name"}));
  int line = root["kind"].line();
  if (kind.empty()) return;
  if (kind == "Rollout" && Has(api, "argoproj.io")) {
    DocValue strategy = root.Path({"spec", "strategy"});
    std::string sflat = FlatLower(strategy);
    bool canary = strategy["canary"].IsDefined();
    bool bluegreen = strategy["blueGreen"].IsDefined();
    bool analysis = false;
    DocValue c = strategy["canary"];
    if (c["analysis"].IsDefined()) analysis = true;
    for (size_t i = 0; i < c["steps"].size(); ++i)
      if (c["steps"][i]["analysis"].IsDefined()) analysis = true;
    DocValue bg = strategy["blueGreen"];
    if (bg["prePromotionAnalysis"].IsDefined() || bg["postPromotionAnalysis"].IsDefined())
      analysis = true;
    Add(fe, "rollout", path, line,
        "Argo Rollout " + name + " (" +
            (canary      ? "canary"
             : bluegreen ? "blue-green"
                         : "?") +
            ", " +
            (analysis ? "analysis wired: aborts and rolls back automatically"
                      : "no analysis: promotion is time-based, nothing rolls back on errors") +
            ")");
    if (analysis) Add(fe, "rollout-analysis", path, line, name);
    if (analysis) Add(fe, "automated-rollback", path, line, "Argo Rollout " + name + " analysis");
    if (!analysis)
      fe->findings.push_back(MakeFinding(
          "audit-rollout-no-analysis", path, line, root["kind"].column(),
          "Argo Rollout '" + name + "' has no analysis: a bad canary is promoted on a timer",
          "kind: Rollout"));
    (void)sflat;
    return;
  }
  if (kind == "Canary" && Has(api, "flagger.app")) {
    DocValue a = root.Path({"spec", "analysis"});
    bool metrics = a["metrics"].size() > 0 || a["webhooks"].size() > 0;
    Add(fe, "rollout", path, line,
        "Flagger Canary " + name +
            (metrics ? " (metrics analysis, automated rollback)"
                     : " (no metrics: promotion is blind)"));
    if (metrics) {
      Add(fe, "rollout-analysis", path, line, name);
      Add(fe, "automated-rollback", path, line, "Flagger Canary " + name);
    } else {
      fe->findings.push_back(MakeFinding("audit-rollout-no-analysis", path, line, 1,
                                         "Flagger Canary '" + name + "' has no metrics analysis",
                                         "kind: Canary"));
    }
    return;
  }
  if ((kind == "AnalysisTemplate" || kind == "ClusterAnalysisTemplate") &&
      Has(api, "argoproj.io")) {
    Add(fe, "analysis-template", path, line, kind + " " + name);
    return;
  }
  if (kind == "PrometheusRule") {
    DocValue groups = root.Path({"spec", "groups"});
    if (groups.IsArray()) DetectRuleGroups(path, groups, fe);
    return;
  }
  if (kind == "ServiceMonitor" || kind == "PodMonitor") {
    Add(fe, "prometheus-scrape", path, line, kind + " " + name);
    return;
  }
  if (kind == "PrometheusServiceLevel" && Has(api, "sloth")) {
    Add(fe, "slo-spec", path, line,
        "Sloth PrometheusServiceLevel " + name + ", " +
            std::to_string(root.Path({"spec", "slos"}).size()) + " SLOs");
    return;
  }
  if (Has(api, "openslo") && (kind == "SLO" || kind == "SLI")) {
    if (kind == "SLO") Add(fe, "slo-spec", path, line, "OpenSLO " + name);
    return;
  }
  if (kind == "GrafanaDashboard") {
    Add(fe, "dashboard", path, line, "GrafanaDashboard " + name);
    return;
  }
  if (Has(api, "chaos-mesh.org") || Has(api, "litmuschaos.io")) {
    Add(fe, "chaos-experiment", path, line, kind + " " + name);
    return;
  }
  if ((kind == "ClusterPolicy" || kind == "Policy") && Has(api, "kyverno")) {
    if (Has(root.ToJson(), "verifyImages"))
      Add(fe, "image-verification", path, line, "Kyverno verifyImages policy " + name);
    return;
  }
  if (kind == "ClusterImagePolicy" && Has(api, "sigstore")) {
    Add(fe, "image-verification", path, line, "Sigstore policy-controller " + name);
    return;
  }
  if (kind == "Schedule" && Has(api, "velero")) {
    Add(fe, "backup-job", path, line, "Velero Schedule " + name);
    return;
  }
  if (kind == "ConfigMap" && Has(FlatLower(root.Path({"metadata", "labels"})), "1")) {
    std::string labels = root.Path({"metadata", "labels"}).ToJson();
    if (Has(labels, "grafana_dashboard")) Add(fe, "dashboard", path, line, "ConfigMap " + name);
  }
  if (kind == "CronJob" || kind == "Job") {
    DocValue spec = kind == "CronJob"
                        ? root.Path({"spec", "jobTemplate", "spec", "template", "spec"})
                        : root.Path({"spec", "template", "spec"});
    std::string low = FlatLower(spec["containers"]);
    if (BackupCommand(low))
      Add(fe, "backup-job", path, line,
          kind + " " + name +
              (kind == "CronJob" ? " (schedule " + Text(root.Path({"spec", "schedule"})) + ")"
                                 : ""));
    if (RestoreCommand(low)) {
      if (ContainsAny(low, {"todo", "placeholder"}))
        fe->findings.push_back(MakeFinding("audit-restore-placeholder", path, line, 1,
                                           kind + " '" + name + "' restore is marked TODO",
                                           "kind: " + kind));
      else
        Add(fe, "restore-verification", path, line, kind + " " + name);
    }
  }
}

// ---- Workflows -------------------------------------------------------------

std::string LowerUses(std::string_view u) {
  std::string s = Lower(u);
  size_t at = s.find('@');
  if (at != std::string::npos) s.resize(at);
  return s;
}

Workflow ParseWorkflow(std::string_view path, DocValue root) {
  Workflow wf;
  wf.path = std::string(path);
  wf.name = Text(root["name"]);
  DocValue on = root["on"];
  if (!on.IsDefined()) on = root["true"];  // YAML 1.1 `on` read as a boolean key
  if (on.IsString()) wf.events.insert(std::string(on.AsString()));
  for (size_t i = 0; i < on.size(); ++i) {
    if (on.IsArray()) wf.events.insert(Text(on[i]));
    if (on.IsObject()) wf.events.insert(std::string(on.KeyAt(i)));
  }
  DocValue wr = on["workflow_run"]["workflows"];
  for (size_t i = 0; i < wr.size(); ++i) wf.workflow_run_sources.push_back(Text(wr[i]));
  DocValue jobs = root["jobs"];
  for (size_t j = 0; j < jobs.size(); ++j) {
    DocValue jv = jobs.ValueAt(j);
    WfJob job;
    job.id = std::string(jobs.KeyAt(j));
    job.line = static_cast<int>(jobs.KeyPosAt(j).line);
    job.name = Text(jv["name"]);
    DocValue needs = jv["needs"];
    if (needs.IsString()) job.needs.push_back(std::string(needs.AsString()));
    for (size_t i = 0; i < needs.size(); ++i) job.needs.push_back(Text(needs[i]));
    job.uses = LowerUses(Text(jv["uses"]));
    DocValue env = jv["environment"];
    job.environment = env.IsObject() ? Text(env["name"]) : Text(env);
    job.continue_on_error = Text(jv["continue-on-error"]) == "true";
    DocValue steps = jv["steps"];
    for (size_t s = 0; s < steps.size(); ++s) {
      DocValue sv = steps[s];
      WfStep st;
      st.line = sv.line();
      st.name = Text(sv["name"]);
      st.uses = LowerUses(Text(sv["uses"]));
      st.run = Text(sv["run"]);
      st.with_text = FlatLower(sv["with"]);
      st.continue_on_error = Text(sv["continue-on-error"]) == "true";
      job.steps.push_back(std::move(st));
    }
    wf.jobs.push_back(std::move(job));
  }
  return wf;
}

void DetectWorkflowFacts(const Workflow& wf, FileEvidence* fe) {
  for (const WfJob& j : wf.jobs) {
    std::string jlow = Lower(j.id + " " + j.name);
    for (const WfStep& s : j.steps) {
      std::string low = Lower(s.run);
      std::string nlow = Lower(s.name);
      const std::string& u = s.uses;
      auto at = [&](std::string kind, std::string detail) {
        Add(fe, std::move(kind), wf.path, s.line, j.id + ": " + detail);
      };
      if (u == "googleapis/release-please-action" ||
          u == "google-github-actions/release-please-action")
        at("release-automation", "release-please");
      if (Has(low, "semantic-release")) at("release-automation", "semantic-release");
      if (u == "changesets/action") at("release-automation", "changesets");
      if (u == "goreleaser/goreleaser-action" ||
          ci::FindWord(low, "goreleaser") != std::string::npos)
        at("release-automation", "goreleaser");
      if (u == "wagoid/commitlint-github-action" || Has(low, "commitlint")) at("commitlint", "CI");
      if (u == "anchore/sbom-action" || ci::FindWord(low, "syft") != std::string::npos ||
          Has(low, "cyclonedx") || ci::FindWord(low, "cdxgen") != std::string::npos)
        at("sbom", u.empty() ? "sbom command" : u);
      if (Has(low, "cosign sign") || Has(low, "cosign attest")) at("signing", "cosign");
      if (u == "slsa-framework/slsa-github-generator" || Has(u, "slsa-github-generator") ||
          u == "actions/attest-build-provenance" || Has(j.uses, "slsa-github-generator"))
        at("provenance", u.empty() ? j.uses : u);
      if (Has(low, "cosign verify") || Has(low, "gh attestation verify") ||
          ci::FindWord(low, "slsa-verifier") != std::string::npos)
        at("verification", "signature/provenance verification");
      bool placeholder =
          ci::DetectPlaceholder(s.run, s.name, j.name.empty() ? j.id : j.name).has_value() &&
          !s.run.empty();
      bool restore_named =
          Has(nlow, "restore") || (Has(nlow, "backup") && Has(nlow, "verif")) || Has(nlow, "drill");
      if (BackupCommand(low)) at("backup-job", "backup step");
      if (RestoreCommand(low) && !placeholder)
        at("restore-verification", s.name.empty() ? "restore step" : s.name);
      else if (restore_named && (placeholder || s.run.empty()) && s.uses.empty())
        fe->findings.push_back(MakeFinding(
            "audit-restore-placeholder", wf.path, s.line, 1,
            "step '" + s.name + "' in job '" + j.id +
                "' claims to verify restores but does no work: backups are never proven restorable",
            "run: " + std::string(s.run.substr(0, std::min<size_t>(s.run.size(), 80)))));
      if (Has(low, "rollout undo") || Has(low, "rollouts abort") || Has(low, "rollouts undo") ||
          Has(low, "helm rollback"))
        at("automated-rollback", "rollback step");
      if (Has(low, "chaos") || Has(low, "litmus")) at("chaos-experiment", "chaos step");
    }
    (void)jlow;
  }
}

// ---- Documents by path -----------------------------------------------------

bool IsYamlPath(std::string_view lp) { return lp.ends_with(".yml") || lp.ends_with(".yaml"); }

void DetectYaml(std::string_view path, std::string_view lp, std::string_view content,
                FileEvidence* fe) {
  const bool workflow = IsCiPath(path) && Has(lp, ".github/workflows/");
  // Keyword gate: parse only what a YAML detector could use.
  static const std::string_view kCues[] = {
      "kind:",    "groups:",  "slos:",          "receivers:", "scrape_configs",
      "openapi:", "swagger:", "release-please", "coverage",   "target:"};
  // Helm templates are not YAML until rendered (the IaC analyzer handles them).
  if (Has(lp, "/templates/") && Has(content, "{{")) return;
  bool cue = workflow;
  for (auto c : kCues)
    if (!cue && Has(content, c)) cue = true;
  if (!cue) return;
  YamlStream ys = ParseYamlStream(content, std::string(path));
  ParseDiagnostics(ys, fe);
  fe->yaml_docs += ys.documents.size();
  for (const Document& d : ys.documents) {
    DocValue root = d.Root();
    if (!root.IsObject()) continue;
    if (workflow) {
      fe->workflows.push_back(ParseWorkflow(path, root));
      DetectWorkflowFacts(fe->workflows.back(), fe);
      continue;
    }
    if (root["kind"].IsDefined() && root["apiVersion"].IsDefined()) {
      DetectK8sDoc(path, root, fe);
      continue;
    }
    if (root["groups"].IsArray()) {
      DetectRuleGroups(path, root["groups"], fe);
      continue;
    }
    if (root["scrape_configs"].IsDefined()) {
      Add(fe, "prometheus-scrape", path, root["scrape_configs"].line(),
          std::to_string(root["scrape_configs"].size()) + " scrape configs");
      if (root["rule_files"].IsDefined())
        Add(fe, "prometheus-rule-files", path, root["rule_files"].line(),
            std::to_string(root["rule_files"].size()) + " rule file globs");
      continue;
    }
    if (root["slos"].IsArray() && Has(Text(root["version"]), "prometheus/v1")) {
      std::string names;
      for (size_t i = 0; i < root["slos"].size() && i < 4; ++i)
        names += (i ? ", " : "") + Text(root["slos"][i]["name"]);
      Add(fe, "slo-spec", path, root["slos"].line(),
          "Sloth spec for service " + Text(root["service"]) + ": " +
              std::to_string(root["slos"].size()) + " SLOs (" + names + ")");
      continue;
    }
    if (root["receivers"].IsObject() && root["exporters"].IsObject() &&
        root["service"]["pipelines"].IsObject()) {
      std::string pipes;
      DocValue p = root["service"]["pipelines"];
      for (size_t i = 0; i < p.size(); ++i) pipes += (i ? ", " : "") + std::string(p.KeyAt(i));
      Add(fe, "otel-collector", path, root["receivers"].line(),
          "OpenTelemetry Collector config, pipelines: " + pipes);
      continue;
    }
    if (root["openapi"].IsDefined() || root["swagger"].IsDefined()) {
      Add(fe, "api-contract", path, 1,
          "OpenAPI " + Text(root["openapi"].IsDefined() ? root["openapi"] : root["swagger"]) + " " +
              Text(root.Path({"info", "title"})));
      continue;
    }
    std::string base(Base(lp));
    if (base == "codecov.yml" || base == ".codecov.yml") {
      std::string flat = root.ToJson();
      if (Has(flat, "\"target\"")) Add(fe, "coverage-threshold", path, 1, "codecov target");
    }
  }
}

void DetectJson(std::string_view path, std::string_view lp, std::string_view content,
                FileEvidence* fe) {
  std::string base(Base(lp));
  bool dashboard = Has(content, "\"panels\"");
  bool package = base == "package.json";
  bool release_please =
      base == "release-please-config.json" || base == ".release-please-manifest.json";
  bool openapi = Has(content, "\"openapi\"") || Has(content, "\"swagger\"");
  bool nyc = base == ".nycrc" || base == ".nycrc.json";
  if (!dashboard && !package && !release_please && !openapi && !nyc && base != "renovate.json" &&
      base != "config.json")
    return;
  auto doc = ParseJsonDocument(content, std::string(path));
  if (!doc.ok()) {
    fe->diagnostics.push_back(Diagnostic{DiagnosticKind::kParse, std::string(path),
                                         doc.error().line, doc.error().column,
                                         doc.error().message});
    return;
  }
  DocValue root = doc->Root();
  if (!root.IsObject()) return;
  if (base == "renovate.json") Add(fe, "dependency-updates", path, 1, "Renovate");
  if (release_please) Add(fe, "release-automation", path, 1, "release-please config");
  if (base == "config.json" && Has(lp, ".changeset/"))
    Add(fe, "release-automation", path, 1, "changesets");
  if (dashboard && root["panels"].IsArray() &&
      (root["schemaVersion"].IsDefined() || root["title"].IsDefined()))
    Add(fe, "dashboard", path, 1,
        "Grafana dashboard '" + Text(root["title"]) + "', " +
            std::to_string(root["panels"].size()) + " panels");
  if (openapi && (root["openapi"].IsDefined() || root["swagger"].IsDefined()))
    Add(fe, "api-contract", path, 1, "OpenAPI " + Text(root.Path({"info", "title"})));
  if (nyc && Text(root["check-coverage"]) == "true")
    Add(fe, "coverage-threshold", path, root["check-coverage"].line(), "nyc check-coverage");
  if (package) {
    if (root["version"].IsString())
      Add(fe, "version", path, root["version"].line(), "package.json " + Text(root["version"]));
    DocValue jest = root["jest"]["coverageThreshold"];
    if (jest.IsDefined())
      Add(fe, "coverage-threshold", path, jest.line(), "jest coverageThreshold " + jest.ToJson());
    if (root["nyc"]["check-coverage"].AsBool())
      Add(fe, "coverage-threshold", path, root["nyc"].line(), "nyc check-coverage");
    if (root["commitlint"].IsDefined() || Has(root["devDependencies"].ToJson(), "commitlint"))
      Add(fe, "commitlint", path, 1, "commitlint in package.json");
    if (root["release"].IsDefined() || Has(root["devDependencies"].ToJson(), "semantic-release"))
      Add(fe, "release-automation", path, 1, "semantic-release");
    if (Has(root["devDependencies"].ToJson(), "@pact-foundation/pact"))
      Add(fe, "contract-test", path, 1, "Pact (package.json)");
    DocValue scripts = root["scripts"];
    for (size_t i = 0; i < scripts.size(); ++i) {
      std::string s = Lower(Text(scripts.ValueAt(i)));
      if (Has(s, "--coverage") && Has(s, "threshold"))
        Add(fe, "coverage-threshold", path, scripts.ValueAt(i).line(), "script threshold");
    }
  }
}

void DetectText(std::string_view path, std::string_view lp, std::string_view content,
                FileEvidence* fe) {
  std::string_view base = Base(lp);
  std::string_view dir = Dir(lp);
  auto top = [&](std::string kind, std::string detail) {
    Add(fe, std::move(kind), path, 1, std::move(detail));
  };
  const bool doc_ext = lp.ends_with(".md") || lp.ends_with(".rst") || lp.ends_with(".txt") ||
                       lp.ends_with(".adoc") || !Has(base, ".");

  // Repository documents.
  if (base.starts_with("readme") && dir.empty())
    top("readme", std::string(path));
  else if (base.starts_with("readme"))
    top("service-readme", std::string(path));
  if (base.starts_with("contributing") && IsRootOrMeta(dir)) top("contributing", std::string(path));
  if (base.starts_with("security.") && IsRootOrMeta(dir)) top("security-policy", std::string(path));
  if ((base.starts_with("license") || base.starts_with("licence") || base.starts_with("copying")) &&
      dir.empty())
    top("license", std::string(path));
  if (base == "codeowners" && IsRootOrMeta(dir)) ParseCodeowners(path, content, fe);
  if ((base.starts_with("pull_request_template") && IsRootOrMeta(dir)) ||
      Has(lp, ".github/pull_request_template/"))
    top("pr-template", std::string(path));
  if ((Has(lp, "docs/adr/") || Has(lp, "doc/adr/") || Has(lp, "architecture/decisions/") ||
       Has(lp, "docs/decisions/")) &&
      lp.ends_with(".md"))
    top("adr", std::string(base));
  if (base.starts_with("changelog")) top("changelog", std::string(path));
  if (base.starts_with("commitlint.config") || base.starts_with(".commitlintrc"))
    top("commitlint", std::string(path));
  if (base.starts_with(".releaserc") || base.starts_with("release.config."))
    top("release-automation", "semantic-release config");
  if (base == ".goreleaser.yml" || base == ".goreleaser.yaml")
    top("release-automation", "goreleaser");
  if (base == "version" || base == "version.txt") {
    std::string v(content.substr(0, std::min<size_t>(content.find('\n'), 40)));
    top("version", "VERSION " + v);
  }
  if (base == "chart.yaml") {
    int l = LineOf(content, "\nversion:");
    if (l) Add(fe, "version", path, l + 1, "Helm chart version");
  }
  if (base == "pyproject.toml" || base == "cargo.toml") {
    int l = LineOf(content, "\nversion =");
    if (l) Add(fe, "version", path, l + 1, std::string(base) + " version");
  }
  if (base == "dependabot.yml" || base == "dependabot.yaml" || base == ".renovaterc" ||
      base == "renovate.json5")
    top("dependency-updates", std::string(path));

  // Runbooks: markdown under runbooks/ or playbooks/, or named *runbook*.
  if (lp.ends_with(".md") && (Has(lp, "runbook") || Has(lp, "playbook"))) {
    std::string low = Lower(content.substr(0, 4096));
    std::string name(base);
    std::string topic;
    if (Has(name, "canary") || Has(name, "progressive"))
      topic = "canary";
    else if (Has(name, "rollback"))
      topic = "rollback";
    else if (Has(name, "chaos") || Has(name, "gameday"))
      topic = "chaos";
    else if (Has(name, "restore") || Has(name, "disaster") || Has(name, "dr") ||
             Has(name, "backup") || Has(name, "failover"))
      topic = "dr";
    else if (Has(low, "rollback") || Has(low, "roll back"))
      topic = "rollback";
    else if (Has(low, "disaster") || Has(low, "restore"))
      topic = "dr";
    else if (Has(low, "canary"))
      topic = "canary";
    else if (Has(low, "chaos"))
      topic = "chaos";
    else
      topic = "other";
    top("runbook", topic);
  }

  // Tests by kind.
  const bool code = lp.ends_with(".py") || lp.ends_with(".go") || lp.ends_with(".js") ||
                    lp.ends_with(".ts") || lp.ends_with(".tsx") || lp.ends_with(".jsx") ||
                    lp.ends_with(".java") || lp.ends_with(".rb") || lp.ends_with(".cc") ||
                    lp.ends_with(".cpp") || lp.ends_with(".rs") || lp.ends_with(".kt");
  if (code) {
    const bool testname = base.starts_with("test_") || Has(base, "_test.") || Has(base, ".test.") ||
                          Has(base, ".spec.") || Has(base, "_spec.") || Has(base, "test.java") ||
                          Has(lp, "/tests/") || lp.starts_with("tests/") || Has(lp, "/__tests__/");
    if (Has(content, "k6/http"))
      top("load-test", "k6 script");
    else if (base == "locustfile.py" || Has(content, "from locust import"))
      top("load-test", "Locust");
    else if (Has(content, "@pact-foundation/pact") || Has(content, "from pact import") ||
             Has(content, "pact-go") || Has(content, "au.com.dius.pact"))
      top("contract-test", "Pact");
    else if (Has(lp, "/e2e/") || lp.starts_with("e2e/") || Has(lp, "cypress/") ||
             Has(content, "@playwright/test"))
      top("e2e-test", std::string(path));
    else if (testname)
      top("unit-test", std::string(path));
  }
  if (lp.ends_with(".jmx")) top("load-test", "JMeter plan");
  if (base.starts_with("playwright.config") || base.starts_with("cypress.config"))
    top("e2e-test", std::string(base));
  if (lp.ends_with(".graphql") || lp.ends_with(".graphqls") || lp.ends_with(".gql"))
    top("api-contract", "GraphQL schema");
  if (lp.ends_with(".proto")) top("api-contract", "protobuf");

  // Coverage thresholds in tool configs.
  if (base.starts_with("jest.config") && Has(content, "coverageThreshold"))
    Add(fe, "coverage-threshold", path, LineOf(content, "coverageThreshold"),
        "jest coverageThreshold");
  if ((base == ".coveragerc" || base == "setup.cfg" || base == "pyproject.toml" ||
       base == "tox.ini") &&
      Has(content, "fail_under"))
    Add(fe, "coverage-threshold", path, LineOf(content, "fail_under"), "coverage.py fail_under");
  if ((base == "pytest.ini" || base == "setup.cfg" || base == "pyproject.toml" ||
       base == "tox.ini" || base == "makefile") &&
      Has(content, "--cov-fail-under"))
    Add(fe, "coverage-threshold", path, LineOf(content, "--cov-fail-under"), "--cov-fail-under");
  if (base == ".semgrep.yml" || base == ".semgrep.yaml" || Has(lp, ".semgrep/"))
    top("sast-config", "Semgrep rules");
  if (Has(lp, ".github/codeql/")) top("sast-config", "CodeQL config");
  if (base == ".pre-commit-config.yaml") top("pre-commit", std::string(path));

  // Dockerfiles: the final stage's USER.
  if (base == "dockerfile" || base.starts_with("dockerfile.") || lp.ends_with(".dockerfile")) {
    std::string user;
    int user_line = 0;
    size_t pos = 0;
    int line = 0;
    while (pos < content.size()) {
      size_t end = content.find('\n', pos);
      if (end == std::string_view::npos) end = content.size();
      std::string l = Lower(content.substr(pos, end - pos));
      ++line;
      size_t b = l.find_first_not_of(" \t");
      if (b != std::string::npos) {
        std::string_view t = std::string_view(l).substr(b);
        if (t.starts_with("from ")) user.clear(), user_line = 0;
        if (t.starts_with("user ")) {
          user = std::string(t.substr(5));
          while (!user.empty() && isspace(static_cast<unsigned char>(user.back()))) user.pop_back();
          user_line = line;
        }
      }
      pos = end + 1;
    }
    bool root = user.empty() || user == "root" || user == "0" || user.starts_with("0:") ||
                user.starts_with("root:");
    Add(fe, "dockerfile", path, user_line ? user_line : 1,
        root ? "runs as root (no non-root USER in the final stage)" : "runs as USER " + user);
  }

  // Terraform: state backend with locking, database backup retention.
  if (lp.ends_with(".tf")) {
    size_t b = content.find("backend \"");
    if (b != std::string_view::npos) {
      std::string kind(content.substr(b + 9, content.find('"', b + 9) - (b + 9)));
      bool locked =
          kind == "gcs" || kind == "azurerm" || kind == "remote" ||
          (kind == "s3" && (Has(content, "dynamodb_table") || Has(content, "use_lockfile")));
      Add(fe, "tf-backend", path, LineAt(content, b),
          kind + (locked ? " backend with state locking" : " backend without state locking"));
    } else if (Has(content, "\ncloud {") || content.starts_with("cloud {")) {
      Add(fe, "tf-backend", path, LineOf(content, "cloud {"), "Terraform Cloud (locking)");
    }
    size_t r = content.find("backup_retention_period");
    if (r != std::string_view::npos)
      Add(fe, "db-backup-retention", path, LineAt(content, r), "backup_retention_period set");
  }

  // Scripts: backups and restores outside workflows.
  if (lp.ends_with(".sh") || base == "makefile" || base == "justfile") {
    std::string low = Lower(content);
    if (BackupCommand(low)) top("backup-job", "script " + std::string(path));
    if (RestoreCommand(low)) top("restore-verification", "script " + std::string(path));
  }

  // .gitignore at the root: is .env ignored? .env files committed.
  if (lp == ".gitignore") {
    fe->root_gitignore = true;
    auto ig = IgnoreFile::Parse(content, "");
    fe->gitignore_env = ig.Match(".env", false) == IgnoreFile::Verdict::kIgnore;
    if (!fe->gitignore_env) {
      fe->findings.push_back(MakeFinding(
          "audit-env-not-gitignored", path, 1, 1,
          ".gitignore does not ignore .env: the next `git add .` commits local credentials",
          ".gitignore"));
    }
  }
  if (base == ".env" || (base.starts_with(".env.") && !Has(base, "example") &&
                         !Has(base, "sample") && !Has(base, "template") && base != ".env.vault")) {
    size_t vars = static_cast<size_t>(std::count(content.begin(), content.end(), '='));
    top("env-file", std::to_string(vars) + " assignments");
  }
  (void)doc_ext;
}

}  // namespace

bool IsCiPath(std::string_view path) {
  std::string lower = Lower(path);
  if (!lower.ends_with(".yml") && !lower.ends_with(".yaml")) return false;
  std::string_view base = Base(lower), dir = Dir(lower);
  if (dir == ".github/workflows" || dir.ends_with("/.github/workflows")) return true;
  if (base == "action.yml" || base == "action.yaml") return true;
  return (base == "dependabot.yml" || base == "dependabot.yaml") &&
         (dir == ".github" || dir.ends_with("/.github"));
}

FileEvidence DetectFile(std::string_view path, std::string_view content) {
  FileEvidence fe;
  std::string lp = Lower(path);
  DetectText(path, lp, content, &fe);
  if (IsYamlPath(lp)) DetectYaml(path, lp, content, &fe);
  if (lp.ends_with(".json")) DetectJson(path, lp, content, &fe);
  std::string_view base = Base(lp);
  fe.reference_text = (IsCiPath(path) && Has(lp, "workflows/")) || lp.ends_with(".sh") ||
                      base == "makefile" || base == "justfile" || base == "package.json" ||
                      base == "taskfile.yml" || lp.ends_with(".mk");
  return fe;
}

}  // namespace gatehouse::audit
