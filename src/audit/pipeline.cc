// The audit pipeline: one walk, one read per file, every analyzer over the
// same in-memory content, then the cross-file pass and the scorer.
//
// Per file (ParallelFor over the walk): the secret scanner's ScanContent,
// the audit's detectors (detectors.cc), and sorting the file into the CI
// analyzer's input (workflows, actions, dependabot) and the IaC analyzer's
// (IsIacCandidate). Those two run afterwards over the collected files, each
// with its own parallel loop, so no file is opened twice. The stats counter
// `reads` is the number of ReadFile calls; bench/audit_bench.sh checks it
// against the walk and against strace.
#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <unordered_set>

#include "audit/internal.h"
#include "ci/scripts.h"
#include "gatehouse/base.h"
#include "gatehouse/ci_consolidate.h"
#include "gatehouse/fs.h"
#include "gatehouse/secrets_scan.h"
#include "gatehouse/walk.h"

namespace gatehouse {

namespace audit {

namespace {

RuleInfo Rule(std::string id, std::string title, Area area, Severity sev, std::string desc,
              std::string fix, std::string uri = {}) {
  RuleInfo r;
  r.id = std::move(id);
  r.title = std::move(title);
  r.area = area;
  r.severity = sev;
  r.description = std::move(desc);
  r.remediation = std::move(fix);
  r.help_uri = std::move(uri);
  r.tags = {"audit"};
  return r;
}

const std::vector<RuleInfo>& Rules() {
  static const std::vector<RuleInfo> kRules = [] {
    std::vector<RuleInfo> v = {
        Rule("audit-alert-missing-for", "Alert without a for: duration", Area::kObservability,
             Severity::kLow,
             "An alert without `for:` fires on a single evaluation: one slow scrape pages someone.",
             "Add `for: 5m` (or the window the alert needs) to the rule.",
             "https://prometheus.io/docs/prometheus/latest/configuration/alerting_rules/"),
        Rule("audit-alert-missing-severity", "Alert without a severity label", Area::kObservability,
             Severity::kLow,
             "Alertmanager routes on labels; without `severity` a page and a ticket look the same.",
             "Add `labels: {severity: page|ticket}` and route on it."),
        Rule(
            "audit-alert-threshold-only", "Only threshold alerts, no SLO burn-rate alerts",
            Area::kObservability, Severity::kMedium,
            "A rule file whose alerts are all raw thresholds (CPU, latency > X) says nothing about "
            "the error budget: it pages on noise and misses slow burns. The SRE workbook "
            "recommends multiwindow, multi-burn-rate alerts on the SLO.",
            "Define the SLO (Sloth/OpenSLO) and generate multiwindow burn-rate alerts "
            "(14.4x over 1h+5m, 6x over 6h+30m page; 1x over 3d+6h ticket).",
            "https://sre.google/workbook/alerting-on-slos/"),
        Rule("audit-rollout-no-analysis", "Progressive rollout without analysis",
             Area::kProgressiveDelivery, Severity::kMedium,
             "An Argo Rollout or Flagger Canary without analysis promotes on a timer: a bad "
             "version reaches everyone and nothing rolls it back automatically.",
             "Add an AnalysisTemplate on the service's error ratio and reference it from the "
             "canary steps (`analysis:` or a background analysis).",
             "https://argo-rollouts.readthedocs.io/en/stable/features/analysis/"),
        Rule("audit-restore-placeholder", "Restore check is a placeholder", Area::kDr,
             Severity::kHigh,
             "A job that claims to verify restores but only echoes, sleeps or exits 0 reports "
             "green while no backup has ever been proven restorable.",
             "Restore the latest backup into a scratch database and run a query that proves the "
             "data is there; fail the job when it does not."),
        Rule("audit-backup-unverified", "Backups are never restored", Area::kDr, Severity::kMedium,
             "Backup jobs exist but nothing restores them: an untested backup is a hope.",
             "Schedule a restore drill (workflow or CronJob) that restores into scratch and checks "
             "row counts or checksums."),
        Rule("audit-env-not-gitignored", ".gitignore does not ignore .env", Area::kRepoHygiene,
             Severity::kMedium,
             ".env files hold local credentials; without an ignore rule "
             "`git add .` commits them.",
             "Add `.env` and `.env.*` with `!.env.example` to .gitignore."),
        Rule("audit-codeowners-gap", "CODEOWNERS leaves directories unowned", Area::kRepoHygiene,
             Severity::kLow,
             "Changes to unowned directories need no review from anyone in "
             "particular.",
             "Add a rule per top-level directory (or a `*` default owner)."),
        Rule("audit-runbook-not-automated", "Runbook not automated anywhere", Area::kDr,
             Severity::kInfo,
             "A runbook no workflow, script or controller carries out is only as "
             "good as the person reading it at 3 a.m.",
             "Automate the procedure (a workflow_dispatch job, a Rollout analysis, a drill) and "
             "link it from the runbook."),
        Rule("audit-deploy-not-gated-by-tests", "Deploy does not depend on tests", Area::kTesting,
             Severity::kMedium,
             "A deploy job whose `needs:` chain runs no tests ships whatever was merged.",
             "Make the deploy job need the test job (or trigger the deploy workflow on the test "
             "workflow's successful completion)."),
        Rule("audit-deploy-unverified", "Images signed but not verified before deploy",
             Area::kSecurity, Severity::kMedium,
             "Signing without verification protects nothing: the deploy accepts any image.",
             "Run `cosign verify` (or an admission policy: Kyverno verifyImages, Sigstore "
             "policy-controller) before the deploy step."),
        Rule("audit-ci-duplicate-jobs", "Near-duplicate CI jobs", Area::kCiCd, Severity::kLow,
             "The same job copied across workflows drifts: one copy gets the fix, the others keep "
             "the bug.",
             "Run `gatehouse ci consolidate --write DIR` and adopt the reusable workflow.",
             "https://docs.github.com/en/actions/using-workflows/reusing-workflows"),
    };
    std::sort(v.begin(), v.end(), [](const RuleInfo& a, const RuleInfo& b) { return a.id < b.id; });
    return v;
  }();
  return kRules;
}

Confidence RuleConfidence(std::string_view id) {
  if (id == "audit-runbook-not-automated" || id == "audit-deploy-not-gated-by-tests" ||
      id == "audit-ci-duplicate-jobs" || id == "audit-backup-unverified")
    return Confidence::kMedium;
  return Confidence::kHigh;
}

bool Has(std::string_view hay, std::string_view needle) {
  return hay.find(needle) != std::string_view::npos;
}

bool HasWord(std::string_view hay, std::string_view w) {
  return ci::FindWord(hay, w) != std::string_view::npos;
}

}  // namespace

Finding MakeFinding(std::string_view rule_id, std::string_view path, int line, int column,
                    std::string message, std::string evidence) {
  Finding f;
  f.rule_id = std::string(rule_id);
  for (const RuleInfo& r : Rules())
    if (r.id == rule_id) {
      f.title = r.title;
      f.area = r.area;
      f.severity = r.severity;
      f.remediation = r.remediation;
      f.help_uri = r.help_uri;
    }
  f.confidence = RuleConfidence(rule_id);
  f.message = std::move(message);
  f.location.path = std::string(path);
  f.location.line = line;
  f.location.column = column > 0 ? column : 1;
  f.evidence = std::move(evidence);
  f.fingerprint =
      Sha256Hex(std::string(rule_id) + "\n" + std::string(path) + "\n" + f.message).substr(0, 32);
  return f;
}

size_t CountKind(const Evidence& ev, std::string_view kind) {
  size_t n = 0;
  for (const auto& a : ev.artifacts) n += a.kind == kind;
  return n;
}
std::vector<const AuditArtifact*> OfKind(const Evidence& ev, std::string_view kind) {
  std::vector<const AuditArtifact*> v;
  for (const auto& a : ev.artifacts)
    if (a.kind == kind) v.push_back(&a);
  return v;
}

bool RunsTests(const WfStep& s) {
  for (const auto& line : ci::LogicalLines(s.run))
    for (const auto& cmd : ci::SplitCommands(line.text))
      if (ci::IsTestCommand(cmd.text)) return true;
  if (s.uses == "cypress-io/github-action" || s.uses.starts_with("grafana/k6-action") ||
      s.uses == "grafana/run-k6-action")
    return true;
  return false;
}

std::string TestKindOfStep(const WfStep& s) {
  std::string low = AsciiLower(s.run + " " + s.uses + " " + s.name);
  if (Has(low, "k6 run") || Has(low, "k6-action") || HasWord(low, "locust") ||
      HasWord(low, "jmeter") || Has(low, "artillery run"))
    return "load";
  if (HasWord(low, "pact") || Has(low, "pact-broker") || Has(low, "can-i-deploy"))
    return "contract";
  if (HasWord(low, "cypress") || HasWord(low, "playwright") || HasWord(low, "e2e"))
    return RunsTests(s) || !s.uses.empty() ? "e2e" : "";
  return RunsTests(s) ? "unit" : "";
}

bool Deploys(const WfJob& j) {
  if (!j.environment.empty()) return true;
  std::string idl = AsciiLower(j.id + " " + j.name);
  if (Has(idl, "deploy") || Has(idl, "rollout") || Has(idl, "promote")) return true;
  for (const WfStep& s : j.steps) {
    std::string low = AsciiLower(s.run);
    if (Has(low, "kubectl apply") || Has(low, "kubectl set image") || Has(low, "helm upgrade") ||
        Has(low, "helm install") || Has(low, "terraform apply") || Has(low, "argocd app sync") ||
        Has(low, "argo rollouts set image") || Has(low, "gcloud run deploy") ||
        Has(low, "ecs update-service") || Has(low, "deploy.sh") || Has(low, "skaffold run") ||
        Has(s.uses, "deploy"))
      return true;
  }
  return false;
}

bool IsPlaceholderScript(std::string_view run) {
  return !run.empty() && ci::DetectPlaceholder(run, "", "").has_value();
}

std::set<std::string> CoveredTopDirs(const std::vector<CodeownersRule>& rules,
                                     const std::set<std::string>& top_dirs,
                                     const std::vector<std::string>& paths) {
  // GitHub semantics: the last matching pattern wins; a pattern without
  // owners un-owns. A top-level directory is covered when every file under
  // it has an owner (checked on the files present).
  std::set<std::string> covered;
  std::vector<Glob> globs;
  std::vector<std::string> pats;
  for (const auto& r : rules) {
    std::string p = r.pattern;
    bool anchored = p.starts_with("/");
    if (anchored) p = p.substr(1);
    bool dir = p.ends_with("/");
    if (dir) p += "**";
    if (!anchored && p.find('/') == std::string::npos)
      p = "**/" + p;
    else if (!anchored && !p.starts_with("**/") && !p.starts_with("*")) {
      // "docs/*" style patterns with a slash are relative to the root.
    }
    if (!dir && !p.ends_with("**") && !Has(p, "*")) {
      pats.push_back(p);
      globs.emplace_back(p + "/**");  // a plain path also matches what is below it
    } else {
      pats.push_back(p);
      globs.emplace_back(p);
    }
  }
  std::map<std::string, std::pair<size_t, size_t>> per_dir;  // files, owned
  for (const auto& path : paths) {
    size_t slash = path.find('/');
    if (slash == std::string::npos) continue;
    std::string top = path.substr(0, slash);
    if (!top_dirs.count(top)) continue;
    bool owned = false;
    for (size_t i = rules.size(); i-- > 0;) {
      if (globs[i].Match(path) || GlobMatch(pats[i], path)) {
        owned = !rules[i].owners.empty();
        break;
      }
    }
    auto& c = per_dir[top];
    c.first++;
    c.second += owned;
  }
  for (const auto& [dir, c] : per_dir)
    if (c.first > 0 && c.first == c.second) covered.insert(dir);
  return covered;
}

void CrossFileEvidence(Evidence* ev, std::vector<Finding>* findings) {
  auto add = [&](std::string kind, std::string path, int line, std::string detail) {
    AuditArtifact a;
    a.kind = std::move(kind);
    a.location.path = std::move(path);
    a.location.line = line;
    a.detail = std::move(detail);
    ev->artifacts.push_back(std::move(a));
  };

  // 1. Which jobs run tests, deploy, verify; the needs graph per workflow.
  std::map<std::string, std::set<std::string>> wf_test_kinds;  // by path and by name
  for (const Workflow& wf : ev->workflows) {
    std::set<std::string> kinds;
    for (const WfJob& j : wf.jobs)
      for (const WfStep& s : j.steps) {
        std::string k = TestKindOfStep(s);
        if (!k.empty() && !IsPlaceholderScript(s.run)) kinds.insert(k);
      }
    wf_test_kinds[AsciiLower(wf.path)] = kinds;
    if (!wf.name.empty()) wf_test_kinds["name:" + wf.name] = kinds;
    for (const auto& k : kinds) add("ci-test-run", wf.path, 1, k + " tests run in CI");
  }
  auto reusable_kinds = [&](const std::string& uses) -> std::set<std::string> {
    std::string p = uses;
    if (p.starts_with("./")) p = p.substr(2);
    auto it = wf_test_kinds.find(p);
    return it == wf_test_kinds.end() ? std::set<std::string>{} : it->second;
  };
  bool any_signing = false, any_policy_verify = false;
  for (const auto& a : ev->artifacts) {
    if (a.kind == "signing") any_signing = true;
    if (a.kind == "image-verification") any_policy_verify = true;
  }
  for (const Workflow& wf : ev->workflows) {
    std::map<std::string, const WfJob*> by_id;
    for (const WfJob& j : wf.jobs) by_id[j.id] = &j;
    std::set<std::string> upstream_kinds_from_trigger;
    for (const auto& src : wf.workflow_run_sources) {
      auto it = wf_test_kinds.find("name:" + src);
      if (it != wf_test_kinds.end())
        upstream_kinds_from_trigger.insert(it->second.begin(), it->second.end());
    }
    for (const WfJob& j : wf.jobs) {
      if (!Deploys(j)) continue;
      // Ancestors through needs (the job itself included).
      std::set<std::string> seen;
      std::vector<const WfJob*> stack = {&j};
      std::set<std::string> kinds = upstream_kinds_from_trigger;
      bool verified = false;
      while (!stack.empty()) {
        const WfJob* cur = stack.back();
        stack.pop_back();
        if (!seen.insert(cur->id).second) continue;
        for (const WfStep& s : cur->steps) {
          std::string k = TestKindOfStep(s);
          if (!k.empty() && !IsPlaceholderScript(s.run)) kinds.insert(k);
          std::string low = AsciiLower(s.run);
          if (Has(low, "cosign verify") || Has(low, "gh attestation verify") ||
              Has(low, "slsa-verifier"))
            verified = true;
        }
        if (!cur->uses.empty()) {
          auto rk = reusable_kinds(cur->uses);
          kinds.insert(rk.begin(), rk.end());
        }
        for (const auto& n : cur->needs)
          if (by_id.count(n)) stack.push_back(by_id[n]);
      }
      std::string where = "job '" + j.id + "'" +
                          (j.environment.empty() ? "" : " (environment " + j.environment + ")");
      add("deploy-job", wf.path, j.line, where);
      if (!kinds.empty()) {
        std::string ks;
        for (const auto& k : kinds) ks += (ks.empty() ? "" : ", ") + k;
        add("test-gate", wf.path, j.line, where + " depends on " + ks + " tests");
        for (const auto& k : kinds) add("test-gate-" + k, wf.path, j.line, where);
      } else {
        findings->push_back(MakeFinding(
            "audit-deploy-not-gated-by-tests", wf.path, j.line, 1,
            "deploy " + where + " runs without any test job in its needs chain", "jobs." + j.id));
      }
      if (verified)
        add("verified-deploy", wf.path, j.line, where + " verifies signatures first");
      else if (any_signing && !any_policy_verify)
        findings->push_back(MakeFinding(
            "audit-deploy-unverified", wf.path, j.line, 1,
            "deploy " + where + " does not verify the image signature or provenance it deploys",
            "jobs." + j.id));
    }
  }

  // 2. Runbooks: referenced by a workflow or script, or carried out by a
  // controller/job of the same topic.
  std::set<std::string> automated_topics;
  if (CountKind(*ev, "rollout-analysis")) automated_topics.insert("canary");
  if (CountKind(*ev, "automated-rollback")) automated_topics.insert("rollback");
  if (CountKind(*ev, "restore-verification")) automated_topics.insert("dr");
  if (CountKind(*ev, "chaos-experiment")) automated_topics.insert("chaos");
  std::vector<AuditArtifact> runbooks;
  for (const auto& a : ev->artifacts)
    if (a.kind == "runbook") runbooks.push_back(a);
  for (const auto& rb : runbooks) {
    std::string path = rb.location.path;
    std::string base = path.substr(path.rfind('/') == std::string::npos ? 0 : path.rfind('/') + 1);
    std::string referrer;
    for (const auto& [p, text] : ev->reference_texts)
      if (p != path && (Has(text, path) || Has(text, base))) {
        referrer = p;
        break;
      }
    if (!referrer.empty())
      add("runbook-automated", path, 1, rb.detail + " runbook referenced by " + referrer);
    else if (automated_topics.count(rb.detail))
      add("runbook-automated", path, 1, rb.detail + " runbook backed by automation");
    else {
      Finding f = MakeFinding("audit-runbook-not-automated", path, 1, 1,
                              rb.detail + " runbook " + base +
                                  " is not referenced by any workflow or script and no automation "
                                  "of its topic exists",
                              base);
      if (rb.detail == "canary" || rb.detail == "rollback") f.area = Area::kProgressiveDelivery;
      findings->push_back(std::move(f));
    }
  }

  // 3. Backups without any restore verification.
  auto backups = OfKind(*ev, "backup-job");
  if (!backups.empty() && !CountKind(*ev, "restore-verification"))
    findings->push_back(MakeFinding(
        "audit-backup-unverified", backups.front()->location.path, backups.front()->location.line,
        1,
        std::to_string(backups.size()) +
            " backup job(s) but no restore is ever performed: nothing proves the backups restore",
        backups.front()->detail));

  // 4. CODEOWNERS coverage.
  if (!ev->codeowners_path.empty()) {
    auto covered = CoveredTopDirs(ev->codeowners, ev->top_dirs, ev->all_paths);
    std::string missing;
    for (const auto& d : ev->top_dirs)
      if (!covered.count(d) && !d.starts_with("."))
        missing += (missing.empty() ? "" : ", ") + d + "/";
    if (!missing.empty())
      findings->push_back(MakeFinding("audit-codeowners-gap", ev->codeowners_path, 1, 1,
                                      "no owner for " + missing, "CODEOWNERS"));
  }
}

}  // namespace audit

namespace {

using audit::Evidence;

bool Has(std::string_view hay, std::string_view needle) {
  return hay.find(needle) != std::string_view::npos;
}
using audit::FileEvidence;

struct Slot {
  std::vector<Finding> secret_findings;
  FileEvidence evidence;
  std::optional<Diagnostic> diag;
  bool ci = false, iac = false, binary = false, read = false;
  uint64_t bytes = 0;
};

void ProcessOne(const std::string& path, std::string_view data, const SecretScanner& scanner,
                Slot* slot, std::string* keep) {
  scanner.ScanContent(path, data, ContentContext{}, &slot->secret_findings);
  if (LooksBinary(data.substr(0, 8192))) {
    slot->binary = true;
    return;
  }
  slot->evidence = audit::DetectFile(path, data);
  slot->ci = audit::IsCiPath(path);
  slot->iac = IsIacCandidate(path);
  if (slot->ci || slot->iac || slot->evidence.reference_text) *keep = std::string(data);
}

struct Collected {
  std::vector<std::string> paths;
  std::vector<Slot> slots;
  std::vector<std::string> kept;  // content of CI/IaC/reference files
};

// GATEHOUSE_AUDIT_TIMING=1 prints how long each phase took to stderr (the
// reports themselves never carry timings: they are deterministic).
struct PhaseTimer {
  bool on = std::getenv("GATEHOUSE_AUDIT_TIMING") != nullptr;
  double t = MonotonicSeconds();
  void Lap(const char* what) {
    if (!on) return;
    double now = MonotonicSeconds();
    std::fprintf(stderr, "audit phase %-12s %.3f s\n", what, now - t);
    t = now;
  }
};

AuditResult Finish(Collected c, const SecretScanner& scanner, const AuditOptions& options,
                   std::vector<Diagnostic> diagnostics, AuditStats stats, std::string root) {
  PhaseTimer timer;
  AuditResult r;
  r.root = std::move(root);
  r.timestamp = options.timestamp;
  Report secrets;
  secrets.command = "secrets";
  Evidence ev;
  std::vector<Finding> findings;
  std::vector<CiFile> ci_files;
  std::vector<IacFile> iac_files;
  std::set<std::string> top_dirs;
  for (size_t i = 0; i < c.slots.size(); ++i) {
    Slot& s = c.slots[i];
    const std::string& path = c.paths[i];
    ev.all_paths.push_back(path);
    size_t slash = path.find('/');
    if (slash != std::string::npos) ev.top_dirs.insert(path.substr(0, slash));
    if (s.diag) diagnostics.push_back(*s.diag);
    for (auto& f : s.secret_findings) secrets.findings.push_back(std::move(f));
    FileEvidence& fe = s.evidence;
    for (auto& a : fe.artifacts) ev.artifacts.push_back(std::move(a));
    for (auto& f : fe.findings) findings.push_back(std::move(f));
    for (auto& d : fe.diagnostics) {
      if (d.path.empty()) d.path = path;
      diagnostics.push_back(std::move(d));
    }
    for (auto& w : fe.workflows) ev.workflows.push_back(std::move(w));
    if (!fe.codeowners_path.empty() && ev.codeowners_path.empty()) {
      ev.codeowners = std::move(fe.codeowners);
      ev.codeowners_path = fe.codeowners_path;
    }
    if (fe.root_gitignore) {
      ev.has_root_gitignore = true;
      ev.gitignore_env = fe.gitignore_env;
    }
    stats.yaml_parsed += fe.yaml_docs;
    if (s.ci) ci_files.push_back(CiFile{path, c.kept[i]});
    if (s.iac) iac_files.push_back(IacFile{path, c.kept[i]});
    if (fe.reference_text) ev.reference_texts[path] = std::move(c.kept[i]);
  }
  scanner.Finish(&secrets);
  for (auto& f : secrets.findings) findings.push_back(std::move(f));
  for (auto& d : secrets.diagnostics) diagnostics.push_back(std::move(d));
  stats.ci_files = ci_files.size();
  stats.iac_files = iac_files.size();

  // The analyzers, over content already in memory.
  CiOptions co;
  co.threads = options.threads;
  co.secret_scanner = &scanner;
  co.check_credentials = false;  // the secret scan above covers every file
  timer.Lap("collect");
  CiResult ci = AnalyzeCiFiles(ci_files, co);
  timer.Lap("ci");
  for (auto& f : ci.report.findings) findings.push_back(std::move(f));
  for (auto& d : ci.report.diagnostics) diagnostics.push_back(std::move(d));
  r.sprawl = ci.sprawl;
  if (options.consolidate && !ci_files.empty()) {
    ConsolidationPlan plan = PlanConsolidationFiles(ci_files, ConsolidateOptions{});
    for (const CiCluster& cl : plan.clusters) {
      if (cl.members.size() < 2) continue;
      std::string where;
      for (size_t m = 0; m < cl.members.size(); ++m)
        where += (m ? ", " : "") + cl.members[m].path + ":" + std::to_string(cl.members[m].line) +
                 " (" + cl.members[m].job + ")";
      const CiJobSite& first = cl.members.front();
      findings.push_back(audit::MakeFinding(
          "audit-ci-duplicate-jobs", first.path, first.line, 1,
          std::to_string(cl.members.size()) + " near-duplicate jobs ('" + cl.name + "'): " + where +
              "; one reusable workflow (" + cl.target + ") would replace them",
          "jobs." + first.job));
      ev.artifacts.push_back(
          AuditArtifact{"ci-duplicate-cluster",
                        {first.path, first.line},
                        cl.name + ": " + std::to_string(cl.members.size()) + " jobs"});
    }
  }
  timer.Lap("consolidate");
  IacOptions io;
  io.threads = options.threads;
  io.secret_scanner = &scanner;
  IacResult iac = options.iac ? AnalyzeIacFiles(iac_files, io) : IacResult{};
  for (auto& f : iac.report.findings) findings.push_back(std::move(f));
  for (auto& d : iac.report.diagnostics) diagnostics.push_back(std::move(d));
  r.inventory = iac.inventory;
  for (const auto& p : iac.inventory.artifacts)
    ev.artifacts.push_back(AuditArtifact{"iac-artifact", {p}, "noted by the IaC analyzer"});

  timer.Lap("iac");
  audit::CrossFileEvidence(&ev, &findings);
  timer.Lap("cross-file");

  // The secret scanner's line-based Terraform checks and the IaC analyzer's
  // HCL rules can report the same variable: keep the IaC finding (it has the
  // full model) and drop the secret scanner's at the same path and line.
  {
    std::set<std::pair<std::string, int>> iac_tf;
    for (const auto& f : findings)
      if (f.rule_id.starts_with("tf/") && (Has(f.rule_id, "sensitive") || Has(f.rule_id, "secret")))
        iac_tf.insert({f.location.path, f.location.line});
    std::erase_if(findings, [&](const Finding& f) {
      return f.rule_id.starts_with("tf-secret-") &&
             iac_tf.count({f.location.path, f.location.line}) > 0;
    });
  }

  // Rules that can fire, for SARIF.
  std::vector<RuleInfo> rules = scanner.RuleInfos();
  for (const auto& ri : CiRuleInfos()) rules.push_back(ri);
  for (const auto& ri : IacRuleInfos()) rules.push_back(ri);
  for (const auto& ri : AuditRuleInfos()) rules.push_back(ri);
  std::set<std::string> fired;
  for (const auto& f : findings) fired.insert(f.rule_id);
  std::set<std::string> kept_ids;
  for (auto& ri : rules)
    if (fired.count(ri.id) && kept_ids.insert(ri.id).second) r.report.rules.push_back(ri);
  std::sort(r.report.rules.begin(), r.report.rules.end(),
            [](const RuleInfo& a, const RuleInfo& b) { return a.id < b.id; });

  SortFindings(findings);
  r.report.tool_version = GATEHOUSE_VERSION;
  r.report.command = "audit";
  r.report.root = r.root;
  r.report.findings = std::move(findings);
  std::sort(diagnostics.begin(), diagnostics.end(), [](const Diagnostic& a, const Diagnostic& b) {
    return std::tie(a.path, a.line, a.column, a.message) <
           std::tie(b.path, b.line, b.column, b.message);
  });
  r.report.diagnostics = std::move(diagnostics);
  r.report.stats.files_scanned = stats.reads - stats.binary;
  r.report.stats.bytes_scanned = stats.bytes;
  r.report.stats.files_skipped_binary = stats.binary;
  r.report.stats.files_unreadable = stats.unreadable;
  r.report.stats.files_ignored = stats.ignored;
  r.report.stats.files_skipped_size = stats.skipped_size;
  char buf[32];
  for (size_t i = 0; i < r.report.findings.size(); ++i) {
    std::snprintf(buf, sizeof buf, "F%03zu", i + 1);
    r.finding_ids.push_back(buf);
  }
  std::sort(ev.artifacts.begin(), ev.artifacts.end(),
            [](const AuditArtifact& a, const AuditArtifact& b) {
              return std::tie(a.kind, a.location.path, a.location.line, a.detail) <
                     std::tie(b.kind, b.location.path, b.location.line, b.detail);
            });
  r.stats = stats;
  audit::Score(ev, &r);
  r.artifacts = std::move(ev.artifacts);
  timer.Lap("score");
  return r;
}

}  // namespace

const std::vector<RuleInfo>& AuditRuleInfos() { return audit::Rules(); }

AuditResult AuditFiles(const std::vector<AuditFile>& files, const AuditOptions& options) {
  SecretsOptions so;
  so.threads = options.threads;
  auto scanner = SecretScanner::Create("/nonexistent-gatehouse-audit-root", so);
  Collected c;
  c.paths.resize(files.size());
  c.slots.resize(files.size());
  c.kept.resize(files.size());
  AuditStats stats;
  std::vector<size_t> order(files.size());
  for (size_t i = 0; i < files.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(),
            [&](size_t a, size_t b) { return files[a].path < files[b].path; });
  for (size_t k = 0; k < order.size(); ++k) {
    const AuditFile& f = files[order[k]];
    c.paths[k] = f.path;
    if (scanner.ok()) ProcessOne(f.path, f.content, **scanner, &c.slots[k], &c.kept[k]);
    stats.files++;
    stats.reads++;
    stats.bytes += f.content.size();
    stats.binary += c.slots[k].binary;
  }
  if (!scanner.ok()) return AuditResult{};
  return Finish(std::move(c), **scanner, options, {}, stats, ".");
}

Result<AuditResult> RunAudit(const std::string& root, const AuditOptions& options) {
  std::error_code ec;
  if (!std::filesystem::is_directory(root, ec))
    return MakeError(ErrorCode::kInvalidArgument,
                     std::filesystem::exists(root, ec) ? "not a directory" : "no such directory",
                     root);
  SecretsOptions so;
  so.config_path = options.config_path;
  so.threads = options.threads;
  so.max_file_size = options.max_file_size;
  so.include = options.include;
  so.exclude = options.exclude;
  so.gitignore = options.gitignore;
  so.tracked_files = options.tracked_files;
  auto scanner = SecretScanner::Create(root, so);
  if (!scanner.ok()) return scanner.error();
  const Config& cfg = (*scanner)->config();

  WalkOptions wo;
  wo.root = root;
  wo.include = cfg.scan.include;
  wo.exclude = cfg.scan.exclude;
  wo.include.insert(wo.include.end(), options.include.begin(), options.include.end());
  wo.exclude.insert(wo.exclude.end(), options.exclude.begin(), options.exclude.end());
  wo.respect_gitignore = options.gitignore && cfg.scan.gitignore.value_or(true);
  wo.max_file_size = cfg.scan.max_file_size.value_or(options.max_file_size);
  wo.threads = options.threads;
  auto walked = Walk(wo);
  if (!walked.ok()) return walked.error();
  // Tracked files that .gitignore hides are committed all the same.
  if (wo.respect_gitignore && !options.tracked_files.empty()) {
    std::unordered_set<std::string> have;
    for (const auto& e : walked->files) have.insert(e.path);
    bool added = false;
    for (const auto& rel : options.tracked_files) {
      if (have.count(rel)) continue;
      bool excluded = false;
      for (const auto& g : wo.exclude)
        if (GlobMatch(g, rel) || GlobMatch("**/" + g, rel)) excluded = true;
      if (excluded) continue;
      std::string abs = root + "/" + rel;
      struct stat st;
      if (::lstat(abs.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
      walked->files.push_back({rel, abs, static_cast<uint64_t>(st.st_size)});
      added = true;
    }
    if (added)
      std::sort(walked->files.begin(), walked->files.end(),
                [](const WalkEntry& a, const WalkEntry& b) { return a.path < b.path; });
  }

  if (std::getenv("GATEHOUSE_AUDIT_TIMING"))
    std::fprintf(stderr, "audit phase %-12s %zu files\n", "walk", walked->files.size());
  const double t_read = MonotonicSeconds();
  const auto& files = walked->files;
  Collected c;
  c.paths.resize(files.size());
  c.slots.resize(files.size());
  c.kept.resize(files.size());
  std::atomic<uint64_t> reads{0}, bytes{0}, unreadable{0}, binary{0};
  const SecretScanner& sc = **scanner;
  ParallelFor(files.size(), options.threads, [&](size_t i) {
    const WalkEntry& e = files[i];
    c.paths[i] = e.path;
    auto content = ReadFile(e.abs_path, wo.max_file_size);
    reads.fetch_add(1, std::memory_order_relaxed);
    if (!content.ok()) {
      unreadable.fetch_add(1, std::memory_order_relaxed);
      c.slots[i].diag =
          Diagnostic{DiagnosticKind::kUnreadable, e.path, 0, 0, content.error().message};
      return;
    }
    std::string_view data = content->view();
    bytes.fetch_add(data.size(), std::memory_order_relaxed);
    ProcessOne(e.path, data, sc, &c.slots[i], &c.kept[i]);
    if (c.slots[i].binary) binary.fetch_add(1, std::memory_order_relaxed);
  });
  if (std::getenv("GATEHOUSE_AUDIT_TIMING"))
    std::fprintf(stderr, "audit phase %-12s %.3f s\n", "read+scan", MonotonicSeconds() - t_read);
  AuditStats stats;
  stats.files = files.size();
  stats.reads = reads.load();
  stats.bytes = bytes.load();
  stats.unreadable = unreadable.load();
  stats.binary = binary.load();
  stats.ignored = walked->ignored;
  stats.skipped_size = walked->skipped_size;
  std::vector<Diagnostic> diags = (*scanner)->load_diagnostics();
  for (auto& d : walked->diagnostics) diags.push_back(std::move(d));
  return Finish(std::move(c), sc, options, std::move(diags), stats, root);
}

}  // namespace gatehouse
