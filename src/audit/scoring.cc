// The audit rubric (docs/scoring.md): checks → area scores → grades, the
// executive summary, and the recommendations.
//
// Each area's score is
//
//   practice = 100 × Σ(weight × credit) / Σ(weight)   over applicable checks
//   penalty  = min(40, Σ over rules of Σ_k points(finding_k) / (k + 1))
//   score    = clamp(round(practice − penalty), 0, 100), capped at 69 when a
//              critical finding of high confidence is in the area
//
// where credit ∈ [0, 1] (ratios give partial credit), points = severity
// points (critical 15, high 8, medium 4, low 1.5, info 0) × confidence
// factor (high 1, medium 0.75, low 0.5), and the k-th finding of the same
// rule (most severe first) counts 1/(k+1): ten copies of one mistake are
// worse than one, but not ten times worse. Everything is a pure function of
// the evidence, so the same tree always gets the same grades, and every
// point can be traced (`gatehouse audit --explain AREA`).
#include <algorithm>
#include <cmath>
#include <functional>
#include <map>

#include "audit/internal.h"
#include "gatehouse/base.h"

namespace gatehouse {

namespace audit {

namespace {

bool Has(std::string_view hay, std::string_view needle) {
  return hay.find(needle) != std::string_view::npos;
}

double SeverityPoints(Severity s) {
  switch (s) {
    case Severity::kCritical:
      return 15;
    case Severity::kHigh:
      return 8;
    case Severity::kMedium:
      return 4;
    case Severity::kLow:
      return 1.5;
    case Severity::kInfo:
      return 0;
  }
  return 0;
}
double ConfidenceFactor(Confidence c) {
  switch (c) {
    case Confidence::kHigh:
      return 1.0;
    case Confidence::kMedium:
      return 0.75;
    case Confidence::kLow:
      return 0.5;
  }
  return 1;
}

constexpr Area kAreas[] = {Area::kRepoHygiene,   Area::kCiCd,     Area::kProgressiveDelivery,
                           Area::kObservability, Area::kSecurity, Area::kIac,
                           Area::kTesting,       Area::kRelease,  Area::kDr};

struct Ctx {
  const Evidence& ev;
  const AuditResult& r;
  std::vector<AuditCheck> checks;

  std::vector<std::string> Ids(const std::function<bool(const Finding&)>& pred) const {
    std::vector<std::string> ids;
    for (size_t i = 0; i < r.report.findings.size(); ++i)
      if (pred(r.report.findings[i])) ids.push_back(r.finding_ids[i]);
    return ids;
  }
  std::vector<std::string> RuleIds(std::initializer_list<std::string_view> rules) const {
    return Ids([&](const Finding& f) {
      for (auto x : rules)
        if (f.rule_id == x) return true;
      return false;
    });
  }
  size_t Kind(std::string_view k) const { return CountKind(ev, k); }
  std::vector<Location> Where(std::string_view k, size_t max = 5) const {
    std::vector<Location> v;
    for (const auto& a : ev.artifacts)
      if (a.kind == k && v.size() < max) v.push_back(a.location);
    return v;
  }
  bool Scanner(std::string_view name, bool gating_only = false) const {
    for (const auto& s : r.sprawl.scanners)
      if (s.name == name && (gating_only ? s.gating > 0 : s.steps > 0)) return true;
    return false;
  }

  AuditCheck& Add(std::string id, Area area, int weight, std::string title) {
    AuditCheck c;
    c.id = std::move(id);
    c.area = area;
    c.weight = weight;
    c.title = std::move(title);
    checks.push_back(std::move(c));
    return checks.back();
  }
  // Pass when any artifact of `kind` exists.
  AuditCheck& Presence(std::string id, Area area, int weight, std::string title,
                       std::string_view kind, std::string what) {
    AuditCheck& c = Add(std::move(id), area, weight, std::move(title));
    size_t n = Kind(kind);
    c.credit = n ? 1 : 0;
    c.evidence = Where(kind);
    c.detail = n ? std::to_string(n) + " " + what + " found" : "no " + what + " found";
    if (n == 1) {
      for (const auto& a : ev.artifacts)
        if (a.kind == kind) c.detail = a.detail.empty() ? a.location.path : a.detail;
    }
    return c;
  }
};

std::string Pct(double x) { return std::to_string(static_cast<int>(std::lround(x * 100))) + "%"; }
double Ratio(double a, double b) { return b > 0 ? std::clamp(a / b, 0.0, 1.0) : 0; }

void NotApplicable(AuditCheck& c, std::string why) {
  c.status = CheckStatus::kNotApplicable;
  c.credit = 0;
  c.detail = std::move(why);
}

void BuildChecks(Ctx& x) {
  const Evidence& ev = x.ev;
  const CiSprawl& sp = x.r.sprawl;
  const IacInventory& inv = x.r.inventory;

  // ---- Repo hygiene & docs ----
  x.Presence("hygiene.readme", Area::kRepoHygiene, 3, "README at the root", "readme", "README");
  x.Presence("hygiene.contributing", Area::kRepoHygiene, 1, "CONTRIBUTING guide", "contributing",
             "CONTRIBUTING");
  x.Presence("hygiene.security-policy", Area::kRepoHygiene, 2, "SECURITY.md (how to report)",
             "security-policy", "SECURITY policy");
  x.Presence("hygiene.license", Area::kRepoHygiene, 1, "LICENSE", "license", "LICENSE");
  x.Presence("hygiene.codeowners", Area::kRepoHygiene, 2, "CODEOWNERS", "codeowners", "CODEOWNERS");
  {
    AuditCheck& c = x.Add("hygiene.codeowners-coverage", Area::kRepoHygiene, 3,
                          "CODEOWNERS covers every top-level directory");
    std::set<std::string> dirs;
    for (const auto& d : ev.top_dirs)
      if (!d.starts_with(".")) dirs.insert(d);
    auto covered = CoveredTopDirs(ev.codeowners, dirs, ev.all_paths);
    c.credit = ev.codeowners_path.empty() ? 0
               : dirs.empty()             ? 1
                                          : Ratio(covered.size(), dirs.size());
    c.detail = ev.codeowners_path.empty()
                   ? "no CODEOWNERS"
                   : "covers " + std::to_string(covered.size()) + " of " +
                         std::to_string(dirs.size()) + " top-level directories";
    if (!ev.codeowners_path.empty()) c.evidence.push_back(Location{ev.codeowners_path, 1});
    c.finding_ids = x.RuleIds({"audit-codeowners-gap"});
  }
  x.Presence("hygiene.pr-template", Area::kRepoHygiene, 1, "Pull request template", "pr-template",
             "PR template");
  x.Presence("hygiene.adr", Area::kRepoHygiene, 2, "Architecture decision records", "adr", "ADRs");
  {
    AuditCheck& c = x.Add("hygiene.env-ignored", Area::kRepoHygiene, 2, ".gitignore ignores .env");
    c.credit = ev.gitignore_env ? 1 : 0;
    c.detail = !ev.has_root_gitignore ? "no root .gitignore"
               : ev.gitignore_env     ? ".env is ignored"
                                      : ".gitignore does not match .env";
    if (ev.has_root_gitignore) c.evidence.push_back(Location{".gitignore", 1});
    c.finding_ids = x.RuleIds({"audit-env-not-gitignored"});
  }
  {
    AuditCheck& c =
        x.Add("hygiene.no-env-committed", Area::kRepoHygiene, 3, "No .env file committed");
    size_t n = x.Kind("env-file");
    c.credit = n ? 0 : 1;
    c.evidence = x.Where("env-file");
    c.detail = n ? std::to_string(n) + " .env file(s) in the tree" : "none";
    c.finding_ids = x.RuleIds({"never-commit-env-file"});
  }

  // ---- CI/CD ----
  {
    AuditCheck& c = x.Add("ci.workflows", Area::kCiCd, 2, "CI workflows exist");
    c.credit = sp.workflows ? 1 : 0;
    c.detail = std::to_string(sp.workflows) + " workflows, " + std::to_string(sp.jobs) + " jobs, " +
               std::to_string(sp.steps) + " steps";
  }
  const bool ci = sp.workflows > 0;
  auto ci_check = [&](std::string id, int w, std::string title) -> AuditCheck& {
    AuditCheck& c = x.Add(std::move(id), Area::kCiCd, w, std::move(title));
    if (!ci) NotApplicable(c, "no workflows");
    return c;
  };
  {
    AuditCheck& c = ci_check("ci.pinned-actions", 3, "Actions pinned to a commit SHA");
    if (ci) {
      double share = sp.third_party_refs ? Ratio(sp.third_party_pinned, sp.third_party_refs)
                                         : sp.PinnedShare();
      c.credit = share;
      c.detail =
          Pct(sp.PinnedShare()) + " of " + std::to_string(sp.action_refs) +
          " action references pinned (third-party: " + std::to_string(sp.third_party_pinned) +
          " of " + std::to_string(sp.third_party_refs) + ")";
      c.finding_ids = x.RuleIds({"ci-action-unpinned"});
    }
  }
  {
    AuditCheck& c = ci_check("ci.no-placeholders", 3, "No placeholder steps");
    if (ci) {
      c.credit = sp.placeholder_steps == 0
                     ? 1
                     : std::max(0.0, 1 - 5.0 * Ratio(sp.placeholder_steps,
                                                     std::max<uint64_t>(sp.steps, 1)));
      c.detail = std::to_string(sp.placeholder_steps) + " placeholder steps of " +
                 std::to_string(sp.steps);
      c.finding_ids = x.RuleIds({"ci-placeholder-step"});
    }
  }
  {
    AuditCheck& c = ci_check("ci.timeouts", 2, "Jobs declare timeout-minutes");
    if (ci) {
      c.credit = sp.jobs ? 1 - Ratio(sp.jobs_without_timeout, sp.jobs) : 1;
      c.detail = std::to_string(sp.jobs - std::min(sp.jobs, sp.jobs_without_timeout)) + " of " +
                 std::to_string(sp.jobs) + " jobs";
      c.finding_ids = x.RuleIds({"ci-job-timeout-missing"});
    }
  }
  {
    AuditCheck& c = ci_check("ci.concurrency", 1, "PR workflows cancel superseded runs");
    if (ci && sp.pr_workflows == 0)
      NotApplicable(c, "no pull-request workflows");
    else if (ci) {
      c.credit = 1 - Ratio(sp.pr_workflows_without_concurrency, sp.pr_workflows);
      c.detail = std::to_string(sp.pr_workflows - sp.pr_workflows_without_concurrency) + " of " +
                 std::to_string(sp.pr_workflows) + " PR workflows set concurrency";
      c.finding_ids = x.RuleIds({"ci-concurrency-missing"});
    }
  }
  {
    AuditCheck& c = ci_check("ci.permissions", 2, "Least-privilege token permissions");
    if (ci) {
      c.credit = 1 - Ratio(sp.workflows_without_permissions, sp.workflows);
      c.detail = std::to_string(sp.workflows - sp.workflows_without_permissions) + " of " +
                 std::to_string(sp.workflows) + " workflows declare permissions";
      c.finding_ids = x.RuleIds(
          {"ci-permissions-missing", "ci-permissions-write-all", "ci-permissions-excessive"});
    }
  }
  {
    AuditCheck& c = ci_check("ci.no-duplicates", 2, "No near-duplicate jobs across workflows");
    if (ci) {
      size_t n = x.Kind("ci-duplicate-cluster");
      c.credit = std::max(0.0, 1 - 0.34 * static_cast<double>(n));
      c.detail = n ? std::to_string(n) + " cluster(s) of copied jobs" : "no duplicate clusters";
      c.evidence = x.Where("ci-duplicate-cluster");
      c.finding_ids = x.RuleIds({"audit-ci-duplicate-jobs"});
    }
  }
  {
    AuditCheck& c = ci_check("ci.reusable", 1, "Shared logic in reusable workflows or actions");
    if (ci && sp.workflows < 3)
      NotApplicable(c, "fewer than 3 workflows");
    else if (ci) {
      c.credit = (sp.reusable_workflows || sp.reusable_calls || sp.composite_actions) ? 1 : 0;
      c.detail = std::to_string(sp.reusable_workflows) + " reusable workflows, " +
                 std::to_string(sp.reusable_calls) + " calls, " +
                 std::to_string(sp.composite_actions) + " composite actions";
    }
  }

  // ---- Progressive delivery & rollback ----
  size_t rollouts = std::max<size_t>(x.Kind("rollout"), inv.rollouts);
  size_t analysed = std::max<size_t>(x.Kind("rollout-analysis"), inv.rollouts_with_analysis);
  {
    AuditCheck& c = x.Add("pd.progressive-rollout", Area::kProgressiveDelivery, 3,
                          "Progressive delivery (Argo Rollouts / Flagger)");
    c.credit = rollouts ? 1 : 0;
    c.evidence = x.Where("rollout");
    c.detail =
        rollouts ? std::to_string(rollouts) + " rollout(s)" : "deploys replace everything at once";
  }
  {
    AuditCheck& c =
        x.Add("pd.analysis", Area::kProgressiveDelivery, 3, "Rollouts gated by metric analysis");
    c.credit = rollouts ? Ratio(analysed, rollouts) : 0;
    c.detail = std::to_string(analysed) + " of " + std::to_string(rollouts) + " rollouts analysed" +
               (x.Kind("analysis-template") ? ", " + std::to_string(x.Kind("analysis-template")) +
                                                  " AnalysisTemplate(s) defined"
                                            : "");
    c.evidence = x.Where("rollout-analysis");
    c.finding_ids = x.RuleIds({"audit-rollout-no-analysis"});
  }
  {
    AuditCheck& c =
        x.Add("pd.automated-rollback", Area::kProgressiveDelivery, 2, "Automated rollback wired");
    size_t n = x.Kind("automated-rollback");
    c.credit = n ? 1 : 0;
    c.evidence = x.Where("automated-rollback");
    c.detail = n ? std::to_string(n) + " automated rollback path(s)" : "rollback is manual";
  }
  {
    AuditCheck& c = x.Add("pd.deploy-environments", Area::kProgressiveDelivery, 1,
                          "Deploy jobs use protected environments");
    size_t deploys = 0, with_env = 0;
    for (const auto& wf : ev.workflows)
      for (const auto& j : wf.jobs)
        if (Deploys(j)) deploys++, with_env += !j.environment.empty();
    if (!deploys)
      NotApplicable(c, "no deploy jobs");
    else {
      c.credit = Ratio(with_env, deploys);
      c.detail = std::to_string(with_env) + " of " + std::to_string(deploys) +
                 " deploy jobs name an environment";
      c.evidence = x.Where("deploy-job");
    }
  }
  {
    AuditCheck& c =
        x.Add("pd.rollback-runbook", Area::kProgressiveDelivery, 1, "Rollback / canary runbook");
    for (const auto& a : ev.artifacts)
      if (a.kind == "runbook" && (a.detail == "rollback" || a.detail == "canary")) {
        c.credit = 1;
        c.evidence.push_back(a.location);
      }
    c.detail = c.credit ? "present" : "none";
  }
  {
    AuditCheck& c = x.Add("pd.disruption-budgets", Area::kProgressiveDelivery, 1,
                          "PodDisruptionBudgets for workloads");
    if (!inv.workloads)
      NotApplicable(c, "no Kubernetes workloads analyzed");
    else {
      c.credit = inv.pod_disruption_budgets ? 1 : 0;
      c.detail = std::to_string(inv.pod_disruption_budgets) + " PDBs for " +
                 std::to_string(inv.workloads) + " workloads";
    }
  }

  // ---- Observability & SLOs ----
  x.Presence("obs.metrics-scrape", Area::kObservability, 2, "Prometheus scrape configuration",
             "prometheus-scrape", "scrape configs / ServiceMonitors");
  x.Presence("obs.alert-rules", Area::kObservability, 2, "Alerting rules", "alert-rule",
             "alert rules");
  size_t alerts = x.Kind("alert-rule"), multi = 0, burn = 0, good = 0;
  for (const auto& a : ev.artifacts)
    if (a.kind == "alert-rule") {
      if (Has(a.detail, ": multiwindow-burn-rate")) multi++;
      if (Has(a.detail, ": burn-rate")) burn++;
      if (!Has(a.detail, "no for:") && !Has(a.detail, "no severity")) good++;
    }
  {
    AuditCheck& c = x.Add("obs.burn-rate-alerts", Area::kObservability, 3,
                          "Multiwindow multi-burn-rate SLO alerts");
    c.credit = multi ? 1 : burn ? 0.5 : 0;
    c.detail = std::to_string(multi) + " multiwindow, " + std::to_string(burn) +
               " single-window burn-rate alerts of " + std::to_string(alerts);
    c.evidence = x.Where("alert-rule-file");
    c.finding_ids = x.RuleIds({"audit-alert-threshold-only"});
  }
  {
    AuditCheck& c = x.Add("obs.alert-hygiene", Area::kObservability, 1,
                          "Alerts have for: and a severity label");
    if (!alerts)
      NotApplicable(c, "no alerts");
    else {
      c.credit = Ratio(good, alerts);
      c.detail = std::to_string(good) + " of " + std::to_string(alerts) + " alerts";
      c.finding_ids = x.RuleIds({"audit-alert-missing-for", "audit-alert-missing-severity"});
    }
  }
  {
    AuditCheck& c = x.Add("obs.slo-specs", Area::kObservability, 3,
                          "SLOs defined as code (Sloth / OpenSLO) for the services");
    std::set<std::string> services;
    for (const auto& p : ev.all_paths) {
      for (std::string_view root : {"services/", "apps/", "cmd/"}) {
        if (!p.starts_with(root)) continue;
        size_t s = p.find('/', root.size());
        if (s != std::string::npos) services.insert(p.substr(0, s));
      }
    }
    size_t slos = x.Kind("slo-spec");
    c.credit = services.empty() ? (slos ? 1 : 0) : Ratio(slos, services.size());
    c.detail = std::to_string(slos) + " SLO spec(s)" +
               (services.empty() ? "" : " for " + std::to_string(services.size()) + " services");
    c.evidence = x.Where("slo-spec");
  }
  x.Presence("obs.otel", Area::kObservability, 2, "OpenTelemetry Collector configuration",
             "otel-collector", "collector configs");
  x.Presence("obs.dashboards", Area::kObservability, 1, "Dashboards as code", "dashboard",
             "dashboards");
  {
    AuditCheck& c = x.Add("obs.alert-runbooks", Area::kObservability, 1, "Alerts link a runbook");
    if (!alerts)
      NotApplicable(c, "no alerts");
    else {
      size_t n = x.Kind("alert-runbook-link");
      c.credit = Ratio(n, alerts);
      c.detail = std::to_string(n) + " of " + std::to_string(alerts) + " alerts";
    }
  }

  // ---- Security & compliance ----
  {
    AuditCheck& c = x.Add("sec.no-secrets", Area::kSecurity, 4, "No secrets in the tree");
    c.finding_ids = x.Ids([](const Finding& f) {
      return f.area == Area::kSecurity && !f.rule_id.starts_with("ci-") &&
             !f.rule_id.starts_with("audit-") && !f.rule_id.starts_with("iac") &&
             (f.rule_id.starts_with("never-commit") || f.rule_id.starts_with("tf-secret") ||
              f.properties.count("secret_length") ||
              f.rule_id.find("secret") != std::string::npos ||
              f.rule_id.find("key") != std::string::npos ||
              f.rule_id.find("token") != std::string::npos ||
              f.rule_id.find("password") != std::string::npos);
    });
    c.credit = c.finding_ids.empty() ? 1 : 0;
    c.detail = c.finding_ids.empty() ? "the secret scan found nothing"
                                     : std::to_string(c.finding_ids.size()) + " secret finding(s)";
  }
  const bool sast = x.Scanner("codeql") || x.Scanner("semgrep") || x.Kind("sast-config");
  {
    AuditCheck& c = x.Add("sec.sast", Area::kSecurity, 2, "SAST (CodeQL / Semgrep) runs");
    c.credit = sast ? 1 : 0;
    std::vector<std::string> what;
    if (x.Scanner("codeql")) what.push_back("CodeQL");
    if (x.Scanner("semgrep")) what.push_back("Semgrep");
    if (x.Kind("sast-config")) what.push_back("configuration present");
    c.detail = "no SAST";
    for (size_t i = 0; i < what.size(); ++i) c.detail = (i ? c.detail + ", " : "") + what[i];
    c.evidence = x.Where("sast-config");
  }
  {
    AuditCheck& c = x.Add("sec.sast-enforced", Area::kSecurity, 2, "SAST fails the build");
    if (!sast) {
      c.credit = 0;
      c.detail = "no SAST to enforce";
    } else if (x.Scanner("semgrep", true)) {
      c.credit = 1;
      c.detail = "Semgrep gates";
    } else if (x.Scanner("codeql")) {
      c.credit = 0.5;
      c.detail = "CodeQL uploads to code scanning: enforced only if branch protection requires it";
    } else {
      c.credit = 0;
      c.detail = "SAST runs but cannot fail the build";
    }
    c.finding_ids = x.Ids([](const Finding& f) {
      return (f.rule_id == "ci-scanner-not-gating" || f.rule_id == "ci-scanner-report-only") &&
             (Has(f.message, "semgrep") || Has(f.message, "Semgrep") || Has(f.message, "codeql") ||
              Has(f.message, "CodeQL"));
    });
  }
  {
    AuditCheck& c = x.Add("sec.dependency-scanning", Area::kSecurity, 2,
                          "Dependency updates and vulnerability scanning");
    bool updates = x.Kind("dependency-updates") > 0;
    bool vuln = false;
    for (auto n : {"trivy", "grype", "osv-scanner", "npm-audit", "pip-audit", "dependency-review",
                   "snyk", "govulncheck", "safety", "dependency-check", "cargo-audit"})
      vuln = vuln || x.Scanner(n);
    c.credit = (updates ? 0.5 : 0) + (vuln ? 0.5 : 0);
    c.detail = std::string(updates ? "automated dependency updates" : "no Dependabot/Renovate") +
               "; " + (vuln ? "vulnerability scanner in CI" : "no vulnerability scanner");
    c.evidence = x.Where("dependency-updates");
  }
  {
    AuditCheck& c =
        x.Add("sec.scanners-gating", Area::kSecurity, 2, "Security scanners can fail the build");
    if (!sp.scanner_steps)
      NotApplicable(c, "no scanner steps");
    else {
      c.credit = Ratio(sp.gating_scanner_steps, sp.scanner_steps);
      std::string names;
      for (const auto& s : sp.scanners)
        names += (names.empty() ? "" : ", ") + s.name + " " + std::to_string(s.gating) + "/" +
                 std::to_string(s.steps);
      c.detail = std::to_string(sp.gating_scanner_steps) + " of " +
                 std::to_string(sp.scanner_steps) + " scanner steps gate (" + names + ")";
      c.finding_ids = x.RuleIds({"ci-scanner-not-gating", "ci-scanner-report-only"});
    }
  }
  x.Presence("sec.sbom", Area::kSecurity, 2, "SBOM generated (Syft / CycloneDX)", "sbom",
             "SBOM steps");
  x.Presence("sec.signing", Area::kSecurity, 2, "Artifacts signed (cosign)", "signing",
             "signing steps");
  x.Presence("sec.provenance", Area::kSecurity, 2, "Build provenance (SLSA / attestations)",
             "provenance", "provenance steps");
  {
    AuditCheck& c =
        x.Add("sec.verify-before-deploy", Area::kSecurity, 2, "Signatures verified before deploy");
    size_t n = x.Kind("verified-deploy") + x.Kind("image-verification");
    c.credit = n ? 1 : 0;
    c.evidence = x.Where("verified-deploy");
    for (auto l : x.Where("image-verification")) c.evidence.push_back(l);
    c.detail =
        n ? std::to_string(n) + " verification point(s)" : "nothing verifies what is deployed";
    c.finding_ids = x.RuleIds({"audit-deploy-unverified"});
  }
  {
    AuditCheck& c =
        x.Add("sec.secret-scanning", Area::kSecurity, 1, "Secret scanning in CI or hooks");
    bool on = x.Scanner("gitleaks") || x.Scanner("trufflehog") || x.Kind("pre-commit");
    for (const auto& [p, t] : ev.reference_texts)
      if (Has(t, "gatehouse secrets") || Has(t, "gatehouse hook")) on = true;
    c.credit = on ? 1 : 0;
    c.detail = on ? "present" : "none";
  }

  // ---- IaC ----
  bool any_tf = false;
  size_t dockerfiles = x.Kind("dockerfile"), nonroot = 0;
  for (const auto& a : ev.artifacts)
    if (a.kind == "dockerfile" && Has(a.detail, "runs as USER")) nonroot++;
  for (const auto& p : ev.all_paths)
    if (p.ends_with(".tf")) any_tf = true;
  {
    AuditCheck& c = x.Add("iac.present", Area::kIac, 1, "Infrastructure defined as code");
    uint64_t n = x.r.stats.iac_files;
    c.credit = (n || any_tf || dockerfiles) ? 1 : 0;
    c.detail = std::to_string(n) + " IaC files (" + std::to_string(inv.k8s_objects) +
               " Kubernetes objects, " + std::to_string(inv.tf_files) + " Terraform files, " +
               std::to_string(inv.helm_charts) + " Helm charts)";
  }
  {
    AuditCheck& c =
        x.Add("iac.iac-scanner", Area::kIac, 2, "IaC scanner (Checkov/tfsec/KICS) gates");
    bool present = false, gating = false;
    for (auto n : {"checkov", "tfsec", "kics", "trivy"}) {
      present = present || x.Scanner(n);
      gating = gating || x.Scanner(n, true);
    }
    c.credit = gating ? 1 : present ? 0.4 : 0;
    c.detail = gating ? "a scanner gates" : present ? "present but not gating" : "none";
  }
  {
    AuditCheck& c =
        x.Add("iac.tf-state-locking", Area::kIac, 2, "Terraform remote state with locking");
    if (!any_tf)
      NotApplicable(c, "no Terraform");
    else {
      size_t locked = 0, backends = 0;
      for (const auto& a : ev.artifacts)
        if (a.kind == "tf-backend")
          backends++, locked += Has(a.detail, "with state locking") || Has(a.detail, "(locking)");
      c.credit = locked ? 1 : backends ? 0.5 : 0;
      c.detail = backends ? std::to_string(locked) + " of " + std::to_string(backends) +
                                " backends lock state"
                          : "local state (no backend block)";
      c.evidence = x.Where("tf-backend");
    }
  }
  {
    AuditCheck& c = x.Add("iac.non-root-images", Area::kIac, 2, "Container images run as non-root");
    if (!dockerfiles)
      NotApplicable(c, "no Dockerfiles");
    else {
      c.credit = Ratio(nonroot, dockerfiles);
      c.detail = std::to_string(nonroot) + " of " + std::to_string(dockerfiles) + " Dockerfiles";
      c.evidence = x.Where("dockerfile");
    }
  }
  {
    AuditCheck& c =
        x.Add("iac.pod-security", Area::kIac, 3, "Workloads meet the Pod Security baseline");
    if (!inv.workloads)
      NotApplicable(c, "no Kubernetes workloads analyzed");
    else {
      c.credit = Ratio(inv.workloads_baseline, inv.workloads);
      c.detail = std::to_string(inv.workloads_baseline) + " of " + std::to_string(inv.workloads) +
                 " workloads (restricted: " + std::to_string(inv.workloads_restricted) + ")";
    }
  }
  {
    AuditCheck& c = x.Add("iac.network-policies", Area::kIac, 1, "NetworkPolicies");
    if (!inv.workloads)
      NotApplicable(c, "no Kubernetes workloads analyzed");
    else {
      c.credit = inv.network_policies ? 1 : 0;
      c.detail = std::to_string(inv.network_policies) + " NetworkPolicies";
    }
  }

  // ---- Testing ----
  x.Presence("test.unit", Area::kTesting, 3, "Unit tests", "unit-test", "unit test files");
  {
    AuditCheck& c = x.Add("test.ci-runs-tests", Area::kTesting, 3, "CI runs the tests");
    size_t n = x.Kind("ci-test-run");
    c.credit = n ? 1 : 0;
    c.evidence = x.Where("ci-test-run");
    c.detail = n ? std::to_string(n) + " workflow(s) run tests" : "no workflow runs tests";
  }
  {
    AuditCheck& c = x.Add("test.gate-deploys", Area::kTesting, 3, "Tests gate every deploy");
    size_t deploys = x.Kind("deploy-job"), gated = x.Kind("test-gate");
    if (!deploys)
      NotApplicable(c, "no deploy jobs");
    else {
      c.credit = Ratio(gated, deploys);
      c.detail =
          std::to_string(gated) + " of " + std::to_string(deploys) + " deploy jobs need tests";
      c.evidence = x.Where("test-gate");
      c.finding_ids = x.RuleIds({"audit-deploy-not-gated-by-tests"});
    }
  }
  x.Presence("test.coverage-threshold", Area::kTesting, 2, "Coverage threshold enforced",
             "coverage-threshold", "coverage thresholds");
  auto kind_check = [&](std::string id, std::string title, std::string kind, std::string what) {
    AuditCheck& c = x.Add(std::move(id), Area::kTesting, 1, std::move(title));
    size_t n = x.Kind(kind + "-test");
    bool in_ci = false;
    for (const auto& a : ev.artifacts)
      if (a.kind == "ci-test-run" && a.detail.starts_with(kind + " ")) in_ci = true;
    c.credit = (n || in_ci) ? (in_ci ? 1 : 0.5) : 0;
    c.detail = (n ? std::to_string(n) + " " + what : "no " + what) + (in_ci ? ", run in CI"
                                                                      : n   ? ", not run in CI"
                                                                            : "");
    c.evidence = x.Where(kind + "-test");
  };
  kind_check("test.e2e", "End-to-end tests", "e2e", "e2e test files");
  kind_check("test.load", "Load tests (k6, Locust, JMeter)", "load", "load test scripts");
  kind_check("test.contract", "Contract tests (Pact)", "contract", "contract tests");
  {
    AuditCheck& c = x.Add("test.no-masked-failures", Area::kTesting, 1,
                          "Test failures are not retried away or ignored");
    c.finding_ids = x.RuleIds({"ci-retry-masks-flaky", "ci-test-failure-ignored"});
    c.credit = c.finding_ids.empty() ? 1 : 0;
    c.detail =
        c.finding_ids.empty() ? "none masked" : std::to_string(c.finding_ids.size()) + " masked";
  }

  // ---- Release management ----
  x.Presence("rel.changelog", Area::kRelease, 2, "CHANGELOG", "changelog", "CHANGELOG");
  x.Presence("rel.release-automation", Area::kRelease, 3,
             "Release automation (release-please / semantic-release / changesets)",
             "release-automation", "release automation");
  x.Presence("rel.commitlint", Area::kRelease, 1, "Conventional commits enforced (commitlint)",
             "commitlint", "commitlint configs");
  x.Presence("rel.versioning", Area::kRelease, 2, "Explicit versions (VERSION, manifests)",
             "version", "version declarations");
  x.Presence("rel.dependency-updates", Area::kRelease, 1, "Automated dependency updates",
             "dependency-updates", "Dependabot/Renovate configs");
  x.Presence("rel.api-contracts", Area::kRelease, 1, "API contracts versioned (OpenAPI/GraphQL)",
             "api-contract", "API contracts");

  // ---- DR/BCP ----
  {
    AuditCheck& c = x.Add("dr.backups", Area::kDr, 3, "Backups scheduled");
    size_t n = x.Kind("backup-job") + x.Kind("db-backup-retention");
    c.credit = n ? 1 : 0;
    c.evidence = x.Where("backup-job");
    for (auto l : x.Where("db-backup-retention")) c.evidence.push_back(l);
    c.detail = n ? std::to_string(n) + " backup job(s) / retention settings" : "no backups found";
  }
  {
    AuditCheck& c = x.Add("dr.restore-verified", Area::kDr, 3, "Restores verified automatically");
    size_t real = x.Kind("restore-verification");
    c.finding_ids = x.RuleIds({"audit-restore-placeholder", "audit-backup-unverified"});
    size_t placeholders = x.RuleIds({"audit-restore-placeholder"}).size();
    c.credit = real && !placeholders ? 1 : real ? 0.5 : 0;
    c.detail = real ? std::to_string(real) + " restore step(s)" : "no real restore step";
    if (placeholders)
      c.detail += ", " + std::to_string(placeholders) + " placeholder restore check(s)";
    c.evidence = x.Where("restore-verification");
  }
  {
    AuditCheck& c = x.Add("dr.dr-runbook", Area::kDr, 2, "Disaster-recovery runbook");
    for (const auto& a : ev.artifacts)
      if (a.kind == "runbook" && a.detail == "dr") c.credit = 1, c.evidence.push_back(a.location);
    c.detail = c.credit ? "present" : "none";
  }
  {
    AuditCheck& c = x.Add("dr.runbooks-automated", Area::kDr, 1, "Runbooks are automated");
    size_t runbooks = x.Kind("runbook"), automated = x.Kind("runbook-automated");
    if (!runbooks)
      NotApplicable(c, "no runbooks");
    else {
      c.credit = Ratio(automated, runbooks);
      c.detail = std::to_string(automated) + " of " + std::to_string(runbooks) + " runbooks";
      c.evidence = x.Where("runbook-automated");
      c.finding_ids = x.RuleIds({"audit-runbook-not-automated"});
    }
  }
  {
    AuditCheck& c = x.Add("dr.chaos", Area::kDr, 1, "Chaos experiments");
    size_t n = x.Kind("chaos-experiment");
    bool runbook = false;
    for (const auto& a : ev.artifacts)
      if (a.kind == "runbook" && a.detail == "chaos") runbook = true;
    c.credit = n ? 1 : runbook ? 0.3 : 0;
    c.evidence = x.Where("chaos-experiment");
    c.detail = n ? std::to_string(n) + " experiment(s)" : runbook ? "runbook only" : "none";
  }

  for (auto& c : x.checks) {
    if (c.status == CheckStatus::kNotApplicable) continue;
    c.credit = std::clamp(c.credit, 0.0, 1.0);
    c.status = c.credit >= 0.999 ? CheckStatus::kPass
               : c.credit > 0    ? CheckStatus::kPartial
                                 : CheckStatus::kFail;
  }
}

// ---- Recommendations catalogue ---------------------------------------------

struct RecDef {
  std::string_view trigger;  // check id, or "rule:<id>"
  std::string_view id;
  Horizon horizon;
  std::string_view title, file, change, snippet, verify;
};

const std::vector<RecDef>& Catalogue() {
  static const std::vector<RecDef> k = {
      {"hygiene.no-env-committed", "rec.remove-env", Horizon::kQuickWin,
       "Remove committed .env files and rotate what they held", ".env",
       "Delete the file from the index, rotate every credential it contained, commit a "
       ".env.example with placeholders instead.",
       "git rm --cached .env\ncp .env .env.example  # then blank every value\n",
       "gatehouse secrets . --fail-on low"},
      {"sec.no-secrets", "rec.rotate-secrets", Horizon::kQuickWin,
       "Rotate and remove the secrets found in the tree", "(files listed in the findings)",
       "Revoke each credential at its issuer, replace it with a reference to the secret store "
       "(GitHub environment secrets, Vault, SOPS), and mark Terraform secret variables "
       "`sensitive = true` without defaults.",
       "variable \"db_password\" {\n  type      = string\n  sensitive = true\n}\n",
       "gatehouse secrets . --fail-on low"},
      {"hygiene.env-ignored", "rec.gitignore-env", Horizon::kQuickWin, "Ignore .env files",
       ".gitignore", "Add ignore rules for environment files, keeping the example committed.",
       ".env\n.env.*\n!.env.example\n", "git check-ignore -v .env"},
      {"ci.pinned-actions", "rec.pin-actions", Horizon::kQuickWin,
       "Pin third-party actions to commit SHAs", ".github/workflows/*.yml",
       "Replace tag and branch references with the full commit SHA and keep the tag as a "
       "comment; let Dependabot (github-actions ecosystem) bump them.",
       "- uses: aquasecurity/trivy-action@<40-hex-commit-sha> # 0.28.0\n",
       "gatehouse ci . --format json | grep -c ci-action-unpinned  # expect 0"},
      {"ci.no-placeholders", "rec.placeholders", Horizon::kQuickWin,
       "Replace placeholder steps with the real work (or delete them)", ".github/workflows/*.yml",
       "Every step named test/deploy/verify that only echoes reports success for work that "
       "never ran: implement it or remove it so the pipeline stops lying.",
       "- name: Integration tests\n  run: make integration-test\n",
       "gatehouse ci . | grep ci-placeholder-step  # expect nothing"},
      {"sec.scanners-gating", "rec.scanners-gate", Horizon::kQuickWin,
       "Make security scanners fail the build", ".github/workflows/*.yml",
       "Drop `continue-on-error: true` and `|| true` on scanner steps; set `exit-code: '1'` with "
       "a severity floor; baseline existing findings instead of muting the scanner.",
       "- uses: aquasecurity/trivy-action@<sha>\n  with:\n    exit-code: '1'\n    severity: "
       "CRITICAL,HIGH\n",
       "gatehouse ci . | grep -E 'ci-scanner-(not-gating|report-only)'  # expect nothing"},
      {"ci.timeouts", "rec.timeouts", Horizon::kQuickWin, "Give every job a timeout",
       ".github/workflows/*.yml", "A hung job burns 6 hours of runner time by default.",
       "jobs:\n  build:\n    timeout-minutes: 15\n",
       "gatehouse ci . | grep ci-job-timeout-missing"},
      {"ci.permissions", "rec.permissions", Horizon::kQuickWin,
       "Declare least-privilege token permissions", ".github/workflows/*.yml",
       "Set read-only permissions at the top of each workflow and grant writes per job.",
       "permissions:\n  contents: read\n", "gatehouse ci . | grep ci-permissions"},
      {"ci.concurrency", "rec.concurrency", Horizon::kQuickWin, "Cancel superseded PR runs",
       ".github/workflows/*.yml",
       "Add a concurrency group per ref so a new push cancels the old run.",
       "concurrency:\n  group: ${{ github.workflow }}-${{ github.ref }}\n  cancel-in-progress: "
       "true\n",
       "gatehouse ci . | grep ci-concurrency-missing"},
      {"hygiene.codeowners", "rec.codeowners", Horizon::kQuickWin, "Add CODEOWNERS",
       ".github/CODEOWNERS",
       "Name an owning team per top-level directory and require their review.",
       "*            @acme/platform\n/services/   @acme/backend\n",
       "gatehouse audit . --explain repo-hygiene"},
      {"hygiene.codeowners-coverage", "rec.codeowners-coverage", Horizon::kQuickWin,
       "Cover every top-level directory in CODEOWNERS", ".github/CODEOWNERS",
       "Add a rule for each unowned directory (see the finding) or a `*` default.",
       "/infra/   @acme/platform\n/deploy/  @acme/platform\n",
       "gatehouse audit . --explain repo-hygiene"},
      {"hygiene.security-policy", "rec.security-md", Horizon::kQuickWin, "Publish SECURITY.md",
       "SECURITY.md", "Say how to report a vulnerability and what response time to expect.",
       "## Reporting a vulnerability\nEmail security@example.com; we answer within 2 business "
       "days.\n",
       "test -f SECURITY.md"},
      {"hygiene.contributing", "rec.contributing", Horizon::kQuickWin, "Add CONTRIBUTING.md",
       "CONTRIBUTING.md", "How to build, test and propose changes.", "", "test -f CONTRIBUTING.md"},
      {"hygiene.pr-template", "rec.pr-template", Horizon::kQuickWin, "Add a pull request template",
       ".github/pull_request_template.md", "Ask for the change, the risk and the rollback plan.",
       "## What\n## Risk\n## Rollback\n", "test -f .github/pull_request_template.md"},
      {"obs.alert-hygiene", "rec.alert-hygiene", Horizon::kQuickWin,
       "Give every alert a for: duration and a severity", "(rule files in the findings)",
       "Add `for:` so one bad evaluation does not page, and `severity` so Alertmanager can route.",
       "- alert: HighErrorRate\n  for: 10m\n  labels:\n    severity: ticket\n",
       "promtool check rules <file> && gatehouse audit . --explain observability"},
      {"hygiene.adr", "rec.adr", Horizon::kFoundation, "Record architecture decisions",
       "docs/adr/0001-record-architecture-decisions.md",
       "Start an ADR log (Nygard format) for decisions that shape the platform.",
       "# 1. Record architecture decisions\nStatus: accepted\n## Context\n## Decision\n## "
       "Consequences\n",
       "ls docs/adr"},
      {"test.gate-deploys", "rec.test-gate", Horizon::kFoundation,
       "Make every deploy need the tests", ".github/workflows/deploy.yml",
       "Add the test job to the deploy job's `needs:` (or trigger the deploy on the test "
       "workflow's successful `workflow_run`).",
       "deploy:\n  needs: [test]\n  environment: production\n",
       "gatehouse audit . --explain testing"},
      {"test.coverage-threshold", "rec.coverage", Horizon::kFoundation, "Enforce a coverage floor",
       "jest.config.js / pyproject.toml",
       "Fail the test run below the current coverage, then ratchet up.",
       "coverageThreshold: { global: { lines: 80, branches: 70 } }\n# or: pytest --cov "
       "--cov-fail-under=80\n",
       "gatehouse audit . --explain testing"},
      {"test.ci-runs-tests", "rec.ci-tests", Horizon::kQuickWin, "Run the tests in CI",
       ".github/workflows/ci.yml", "A test suite nobody runs protects nothing.",
       "- run: make test\n", "gatehouse audit . --explain testing"},
      {"dr.restore-verified", "rec.restore-drill", Horizon::kFoundation,
       "Replace the placeholder restore check with a real restore drill",
       ".github/workflows/restore-check.yml",
       "Restore the newest backup into a scratch database on a schedule and assert on the "
       "data; alert when it fails.",
       "- run: |\n    pg_restore --clean --no-owner -d \"$SCRATCH_URL\" latest.dump\n    psql "
       "\"$SCRATCH_URL\" -tAc 'select count(*) from orders' | awk '$1 < 1 {exit 1}'\n",
       "gatehouse audit . --explain dr"},
      {"dr.backups", "rec.backups", Horizon::kQuickWin, "Schedule backups",
       "deploy/k8s/backup-cronjob.yaml",
       "A CronJob (pg_dump / Velero Schedule) or managed snapshots with retention.",
       "schedule: \"0 2 * * *\"\n# command: [pg_dump, -Fc, -f, /backup/latest.dump]\n",
       "gatehouse audit . --explain dr"},
      {"dr.dr-runbook", "rec.dr-runbook", Horizon::kFoundation, "Write the DR runbook",
       "docs/runbooks/disaster-recovery.md",
       "RTO/RPO, who decides, the restore commands, how to verify, how to fail back.", "",
       "gatehouse audit . --explain dr"},
      {"pd.analysis", "rec.rollout-analysis", Horizon::kFoundation,
       "Gate canaries on metric analysis with automatic abort", "deploy/k8s/rollout.yaml",
       "Add an AnalysisTemplate on the error ratio and reference it from the canary steps; a "
       "failed analysis aborts and rolls back.",
       "kind: AnalysisTemplate\nspec:\n  metrics:\n  - name: error-ratio\n    successCondition: "
       "result[0] < 0.01\n    provider:\n      prometheus:\n        query: "
       "sum(rate(http_requests_total{code=~\"5..\"}[5m])) / sum(rate(http_requests_total[5m]))\n",
       "kubectl argo rollouts lint deploy/k8s/rollout.yaml && gatehouse audit . --explain "
       "progressive-delivery"},
      {"pd.automated-rollback", "rec.auto-rollback", Horizon::kFoundation, "Automate rollback",
       "deploy/k8s/rollout.yaml",
       "Let analysis abort the rollout (Argo Rollouts / Flagger), or add a job that runs "
       "`kubectl argo rollouts undo` when post-deploy checks fail.",
       "", "gatehouse audit . --explain progressive-delivery"},
      {"pd.progressive-rollout", "rec.progressive", Horizon::kExcellence,
       "Adopt progressive delivery", "deploy/k8s/rollout.yaml",
       "Convert the most critical Deployment into an Argo Rollout with canary steps 10/50/100.",
       "strategy:\n  canary:\n    steps:\n    - setWeight: 10\n    - pause: {duration: 5m}\n",
       "gatehouse audit . --explain progressive-delivery"},
      {"pd.deploy-environments", "rec.environments", Horizon::kQuickWin,
       "Deploy through protected environments", ".github/workflows/deploy.yml",
       "Name an `environment:` on deploy jobs and require reviewers for production.",
       "environment: production\n", "gatehouse audit . --explain progressive-delivery"},
      {"sec.sast", "rec.sast", Horizon::kFoundation, "Add SAST", ".github/workflows/codeql.yml",
       "Run CodeQL (or `semgrep ci`) on every pull request.",
       "- uses: github/codeql-action/init@<sha>\n- uses: github/codeql-action/analyze@<sha>\n",
       "gatehouse audit . --explain security"},
      {"sec.sast-enforced", "rec.sast-enforced", Horizon::kFoundation, "Make SAST block merges",
       "repository rules / .github/workflows/*.yml",
       "Require the code-scanning check in branch protection, or run `semgrep ci` (which fails "
       "on blocking findings).",
       "", "gatehouse ci . | grep -i semgrep"},
      {"sec.dependency-scanning", "rec.dependency-scanning", Horizon::kQuickWin,
       "Automate dependency updates and vulnerability scanning", ".github/dependabot.yml",
       "Group updates weekly with a cooldown; scan lockfiles (osv-scanner / trivy fs) in CI.",
       "version: 2\nupdates:\n- package-ecosystem: npm\n  directory: /\n  schedule: {interval: "
       "weekly}\n  groups: {all: {patterns: ['*']}}\n",
       "gatehouse ci . | grep dependabot"},
      {"sec.sbom", "rec.sbom", Horizon::kFoundation, "Generate an SBOM for every image",
       ".github/workflows/release.yml", "Produce SPDX/CycloneDX with Syft and attach it.",
       "- uses: anchore/sbom-action@<sha>\n  with:\n    image: ghcr.io/acme/orders:${{ github.sha "
       "}}\n",
       "gatehouse audit . --explain security"},
      {"sec.signing", "rec.signing", Horizon::kExcellence, "Sign images (keyless cosign)",
       ".github/workflows/release.yml", "Sign by digest with the workflow's OIDC identity.",
       "- run: cosign sign --yes ghcr.io/acme/orders@${{ steps.build.outputs.digest }}\n",
       "cosign verify --certificate-identity-regexp 'github.com/acme/' "
       "--certificate-oidc-issuer https://token.actions.githubusercontent.com IMAGE"},
      {"sec.provenance", "rec.provenance", Horizon::kExcellence, "Emit SLSA build provenance",
       ".github/workflows/release.yml",
       "Attest what was built, from which commit, by which workflow.",
       "- uses: actions/attest-build-provenance@<sha>\n  with:\n    subject-name: "
       "ghcr.io/acme/orders\n    subject-digest: ${{ steps.build.outputs.digest }}\n",
       "gh attestation verify oci://IMAGE --owner acme"},
      {"sec.verify-before-deploy", "rec.verify-deploy", Horizon::kExcellence,
       "Verify signatures before anything runs", "deploy/policies/verify-images.yaml",
       "Admit only images signed by your release workflow (Kyverno verifyImages or Sigstore "
       "policy-controller), or `cosign verify` in the deploy job.",
       "kind: ClusterPolicy\nspec:\n  rules:\n  - name: signed\n    verifyImages:\n    - "
       "imageReferences: ['ghcr.io/acme/*']\n",
       "gatehouse audit . --explain security"},
      {"sec.secret-scanning", "rec.secret-scanning", Horizon::kQuickWin,
       "Scan for secrets before they land", ".pre-commit-config.yaml / .github/workflows/ci.yml",
       "Install the pre-commit hook and scan in CI.", "- run: gatehouse secrets . --fail-on low\n",
       "gatehouse hook install"},
      {"ci.no-duplicates", "rec.dedupe-ci", Horizon::kFoundation,
       "Consolidate copied jobs into reusable workflows", ".github/workflows/reusable-*.yml",
       "Generate reusable workflows from the duplicate clusters and switch the callers.", "",
       "gatehouse ci consolidate . --write /tmp/consolidated && gatehouse ci /tmp/consolidated"},
      {"iac.iac-scanner", "rec.iac-scanner", Horizon::kFoundation, "Gate IaC with a scanner",
       ".github/workflows/iac.yml", "Run Checkov/tfsec (or `gatehouse iac`) and fail on high.",
       "- run: gatehouse iac . --fail-on high\n", "gatehouse audit . --explain iac"},
      {"iac.tf-state-locking", "rec.tf-locking", Horizon::kFoundation,
       "Use a remote Terraform backend with locking", "infra/terraform/backend.tf", "",
       "terraform {\n  backend \"s3\" {\n    bucket       = \"acme-tfstate\"\n    key          = "
       "\"prod/terraform.tfstate\"\n    use_lockfile = true\n  }\n}\n",
       "terraform init -migrate-state"},
      {"iac.non-root-images", "rec.non-root", Horizon::kQuickWin, "Run containers as non-root",
       "Dockerfile", "Add a non-root USER to the final stage.", "USER 10001:10001\n",
       "gatehouse audit . --explain iac"},
      {"iac.pod-security", "rec.pss", Horizon::kFoundation, "Meet the Pod Security baseline",
       "deploy/k8s/*.yaml",
       "No privileged containers or host namespaces; enforce with the namespace label.",
       "securityContext:\n  runAsNonRoot: true\n  allowPrivilegeEscalation: false\n  "
       "capabilities: {drop: [ALL]}\n",
       "gatehouse iac . --fail-on high"},
      {"rel.release-automation", "rec.release-automation", Horizon::kFoundation,
       "Automate releases", "release-please-config.json",
       "release-please (or semantic-release) turns conventional commits into versions and "
       "changelogs.",
       "", "gatehouse audit . --explain release"},
      {"rel.changelog", "rec.changelog", Horizon::kQuickWin, "Keep a CHANGELOG", "CHANGELOG.md", "",
       "", "test -f CHANGELOG.md"},
      {"rel.commitlint", "rec.commitlint", Horizon::kFoundation, "Enforce conventional commits",
       "commitlint.config.js", "Lint PR titles/commits so release tooling can version them.",
       "module.exports = { extends: ['@commitlint/config-conventional'] };\n",
       "npx commitlint --from origin/main"},
      {"obs.burn-rate-alerts", "rec.burn-rate", Horizon::kExcellence,
       "Alert on error-budget burn, not thresholds", "slo/<service>.sloth.yaml",
       "Define each service's SLO in Sloth and generate multiwindow multi-burn-rate alerts "
       "(page at 14.4x over 1h+5m and 6x over 6h+30m; ticket at 1x over 3d+6h).",
       "version: prometheus/v1\nservice: orders\nslos:\n- name: availability\n  objective: 99.9\n "
       " sli:\n    events:\n      error_query: "
       "sum(rate(http_requests_total{code=~\"5..\"}[{{.window}}]))\n"
       "      total_query: sum(rate(http_requests_total[{{.window}}]))\n  alerting:\n    "
       "page_alert: {labels: {severity: page}}\n",
       "sloth generate -i slo/orders.sloth.yaml -o deploy/prometheus/orders-slo.rules.yml && "
       "promtool check rules deploy/prometheus/orders-slo.rules.yml"},
      {"obs.slo-specs", "rec.slo-specs", Horizon::kExcellence, "Give every service an SLO",
       "slo/<service>.sloth.yaml",
       "Start with availability and latency for each user-facing service.", "",
       "gatehouse audit . --explain observability"},
      {"obs.otel", "rec.otel", Horizon::kFoundation, "Run an OpenTelemetry Collector",
       "deploy/otel/collector.yaml", "One pipeline for traces and metrics with batching.",
       "receivers: {otlp: {protocols: {grpc: {}}}}\nprocessors: {batch: {}}\nexporters: "
       "{prometheus: {endpoint: 0.0.0.0:8889}}\nservice:\n  pipelines:\n    metrics: {receivers: "
       "[otlp], processors: [batch], exporters: [prometheus]}\n",
       "otelcol validate --config deploy/otel/collector.yaml"},
      {"obs.metrics-scrape", "rec.metrics", Horizon::kFoundation, "Scrape service metrics",
       "deploy/prometheus/prometheus.yml", "", "",
       "promtool check config deploy/prometheus/prometheus.yml"},
      {"obs.alert-rules", "rec.alerts", Horizon::kFoundation, "Write alert rules",
       "deploy/prometheus/alerts.yml", "", "", "promtool check rules deploy/prometheus/alerts.yml"},
      {"obs.dashboards", "rec.dashboards", Horizon::kExcellence,
       "Keep dashboards in the repository", "deploy/grafana/*.json",
       "Export the service dashboards as JSON and provision them.", "",
       "gatehouse audit . --explain observability"},
      {"test.load", "rec.load-tests", Horizon::kExcellence, "Load-test before release",
       "tests/load/checkout.js", "A k6 script with thresholds, run before production deploys.",
       "export const options = { thresholds: { http_req_failed: ['rate<0.01'] } };\n",
       "k6 run tests/load/checkout.js"},
      {"test.contract", "rec.contract-tests", Horizon::kExcellence, "Add consumer contract tests",
       "tests/contract/",
       "Pact between the services that call each other; `can-i-deploy` before "
       "deploy.",
       "", "pact-broker can-i-deploy --pacticipant orders --latest"},
      {"test.e2e", "rec.e2e", Horizon::kExcellence, "Add end-to-end smoke tests", "tests/e2e/",
       "A few user journeys (Playwright) against staging, gating production.", "",
       "npx playwright test"},
      {"dr.runbooks-automated", "rec.runbook-automation", Horizon::kExcellence,
       "Automate the runbooks", ".github/workflows/runbook-*.yml",
       "Turn each runbook into a workflow_dispatch job (or controller behaviour) and link it.", "",
       "gatehouse audit . --explain dr"},
      {"dr.chaos", "rec.chaos", Horizon::kExcellence, "Run chaos experiments",
       "deploy/chaos/pod-kill.yaml", "Start with a scheduled pod-kill in staging (Chaos Mesh).",
       "kind: PodChaos\nspec:\n  action: pod-kill\n  mode: one\n",
       "gatehouse audit . --explain dr"},
  };
  return k;
}

std::string Capitalize(std::string s) {
  if (!s.empty()) s[0] = static_cast<char>(toupper(static_cast<unsigned char>(s[0])));
  return s;
}

}  // namespace

void Score(const Evidence& ev, AuditResult* r) {
  Ctx x{ev, *r, {}};
  BuildChecks(x);

  // Areas.
  std::map<std::string, size_t> index_of;
  for (size_t i = 0; i < r->finding_ids.size(); ++i) index_of[r->finding_ids[i]] = i;
  std::map<Area, std::vector<size_t>> by_area;
  for (size_t i = 0; i < r->report.findings.size(); ++i)
    by_area[r->report.findings[i].area].push_back(i);
  r->areas.clear();
  int total = 0;
  for (Area a : kAreas) {
    AuditArea area;
    area.area = a;
    double w = 0, got = 0;
    for (const auto& c : x.checks) {
      if (c.area != a) continue;
      area.checks.push_back(c);
      if (c.status == CheckStatus::kNotApplicable) continue;
      w += c.weight;
      got += c.weight * c.credit;
    }
    area.practice = w > 0 ? 100.0 * got / w : 100.0;
    // Findings: per rule, most severe first, k-th counts 1/(k+1).
    std::map<std::string, std::vector<double>> per_rule;
    bool critical = false;
    for (size_t i : by_area[a]) {
      const Finding& f = r->report.findings[i];
      area.finding_ids.push_back(r->finding_ids[i]);
      per_rule[f.rule_id].push_back(SeverityPoints(f.severity) * ConfidenceFactor(f.confidence));
      if (f.severity == Severity::kCritical && f.confidence == Confidence::kHigh) critical = true;
    }
    double pen = 0;
    for (auto& [rule, pts] : per_rule) {
      std::sort(pts.rbegin(), pts.rend());
      for (size_t k = 0; k < pts.size(); ++k) pen += pts[k] / static_cast<double>(k + 1);
    }
    area.penalty = std::min(40.0, pen);
    int score = static_cast<int>(std::lround(area.practice - area.penalty));
    score = std::clamp(score, 0, 100);
    if (critical) score = std::min(score, 69);
    area.score = score;
    area.grade = GradeForScore(score);
    total += score;
    // Confidence: parse errors and unreadable files in files that matter here.
    size_t bad = 0;
    for (const auto& d : r->report.diagnostics) {
      if (d.kind != DiagnosticKind::kParse && d.kind != DiagnosticKind::kUnreadable) continue;
      std::string p = AsciiLower(d.path);
      bool ci = IsCiPath(d.path);
      bool yaml = p.ends_with(".yml") || p.ends_with(".yaml") || p.ends_with(".json");
      bool mine = (a == Area::kCiCd && ci) ||
                  ((a == Area::kIac || a == Area::kObservability ||
                    a == Area::kProgressiveDelivery || a == Area::kDr) &&
                   yaml && !ci) ||
                  (a == Area::kIac && (p.ends_with(".tf") || Has(p, "dockerfile"))) ||
                  d.kind == DiagnosticKind::kUnreadable;
      if (mine) {
        ++bad;
        if (area.diagnostics.size() < 5)
          area.diagnostics.push_back(d.path + (d.line ? ":" + std::to_string(d.line) : "") + ": " +
                                     d.message);
      }
    }
    area.confidence = bad == 0  ? Confidence::kHigh
                      : bad < 3 ? Confidence::kMedium
                                : Confidence::kLow;
    // One-line why: best passed and worst failed checks, and the findings.
    const AuditCheck* best = nullptr;
    const AuditCheck* worst = nullptr;
    size_t passed = 0, applicable = 0;
    for (const auto& c : area.checks) {
      if (c.status == CheckStatus::kNotApplicable) continue;
      ++applicable;
      if (c.status == CheckStatus::kPass) {
        ++passed;
        if (!best || c.weight > best->weight) best = &c;
      } else if (!worst || c.weight * (1 - c.credit) > worst->weight * (1 - worst->credit)) {
        worst = &c;
      }
    }
    std::string why = std::to_string(passed) + "/" + std::to_string(applicable) + " checks pass";
    if (best) why += "; strongest: " + best->title;
    if (worst) why += "; gap: " + worst->title + " (" + worst->detail + ")";
    if (!area.finding_ids.empty()) {
      Severity top = Severity::kInfo;
      for (size_t i : by_area[a]) top = std::max(top, r->report.findings[i].severity);
      why += "; " + std::to_string(area.finding_ids.size()) + " finding" +
             (area.finding_ids.size() == 1 ? "" : "s") + " (worst " +
             std::string(SeverityName(top)) + ")";
    }
    area.why = why;
    r->areas.push_back(std::move(area));
  }
  r->score = static_cast<int>(std::lround(static_cast<double>(total) / std::size(kAreas)));
  r->grade = GradeForScore(r->score);

  // Strengths: the heaviest passed checks, one per area, best areas first.
  std::vector<const AuditArea*> order;
  for (const auto& a : r->areas) order.push_back(&a);
  std::stable_sort(order.begin(), order.end(),
                   [](const AuditArea* a, const AuditArea* b) { return a->score > b->score; });
  r->strengths.clear();
  for (const AuditArea* a : order) {
    if (r->strengths.size() >= 4) break;
    std::vector<const AuditCheck*> passed;
    for (const auto& c : a->checks)
      if (c.status == CheckStatus::kPass && c.weight >= 2) passed.push_back(&c);
    std::stable_sort(passed.begin(), passed.end(), [](const AuditCheck* p, const AuditCheck* q) {
      return p->weight > q->weight;
    });
    if (passed.empty()) continue;
    AuditSummaryItem s;
    s.text = std::string(AreaName(a->area)) + " (" + a->grade + "): ";
    for (size_t i = 0; i < passed.size() && i < 3; ++i) {
      s.text += (i ? "; " : "") + passed[i]->title + " — " + passed[i]->detail;
      s.refs.push_back(passed[i]->id);
      for (const auto& l : passed[i]->evidence)
        if (s.evidence.size() < 3) s.evidence.push_back(l);
    }
    r->strengths.push_back(std::move(s));
  }

  // Risks: finding groups by rule and failed checks, ranked by the points at
  // stake; the three biggest, distinct.
  struct Risk {
    double weight;
    Area area;
    AuditSummaryItem item;
  };
  std::vector<Risk> risks;
  std::map<std::string, std::vector<size_t>> by_rule;
  for (size_t i = 0; i < r->report.findings.size(); ++i)
    by_rule[r->report.findings[i].rule_id].push_back(i);
  std::set<std::string> covered_ids;
  for (const auto& [rule, idx] : by_rule) {
    double pts = 0;
    size_t worst = idx.front();
    for (size_t i : idx) {
      const Finding& f = r->report.findings[i];
      pts += SeverityPoints(f.severity) * ConfidenceFactor(f.confidence);
      if (f.severity > r->report.findings[worst].severity) worst = i;
    }
    const Finding& w = r->report.findings[worst];
    if (w.severity < Severity::kMedium) continue;
    Risk rk;
    // A leaked credential is exploitable as it stands: the secret scanner's
    // findings count double in the ranking (docs/scoring.md).
    const bool secret = w.area == Area::kSecurity && !w.rule_id.starts_with("ci-") &&
                        !w.rule_id.starts_with("audit-") &&
                        w.rule_id.find('/') == std::string::npos;
    rk.weight = SeverityPoints(w.severity) * 3 * (secret ? 2 : 1) + std::min(pts, 30.0);
    std::string title = w.title.empty() ? w.rule_id : w.title;
    rk.item.text =
        title + " (" + std::string(AreaName(w.area)) + "): " + std::to_string(idx.size()) +
        " finding" + (idx.size() == 1 ? "" : "s") + " (worst " +
        std::string(SeverityName(w.severity)) + "), e.g. " + w.location.path +
        (w.location.line > 0 ? ":" + std::to_string(w.location.line) : "") + " — " + w.message;
    rk.area = w.area;
    for (size_t i : idx) {
      if (rk.item.evidence.size() < 3) rk.item.evidence.push_back(r->report.findings[i].location);
      rk.item.refs.push_back(r->finding_ids[i]);
    }
    risks.push_back(std::move(rk));
  }
  for (const auto& c : x.checks) {
    if (c.status == CheckStatus::kPass || c.status == CheckStatus::kNotApplicable) continue;
    if (c.weight < 3) continue;
    // A check whose findings already form a risk is not repeated.
    bool dup = false;
    for (const auto& rk : risks)
      for (const auto& id : c.finding_ids)
        if (std::find(rk.item.refs.begin(), rk.item.refs.end(), id) != rk.item.refs.end())
          dup = true;
    if (dup) continue;
    Risk rk;
    rk.weight = c.weight * (1 - c.credit) * 8;
    rk.area = c.area;
    rk.item.text = Capitalize(std::string(AreaName(c.area))) + ": " + c.title + " — not met (" +
                   c.detail + ")";
    rk.item.refs.push_back(c.id);
    rk.item.evidence = c.evidence;
    risks.push_back(std::move(rk));
  }
  std::stable_sort(risks.begin(), risks.end(),
                   [](const Risk& a, const Risk& b) { return a.weight > b.weight; });
  // At most one risk per area while other areas have candidates: the three
  // biggest risks of a platform are rarely in one place.
  r->risks.clear();
  std::set<Area> used_areas;
  std::vector<bool> taken(risks.size(), false);
  for (size_t i = 0; i < risks.size() && r->risks.size() < 3; ++i)
    if (used_areas.insert(risks[i].area).second) {
      r->risks.push_back(risks[i].item);
      taken[i] = true;
    }
  for (size_t i = 0; i < risks.size() && r->risks.size() < 3; ++i)
    if (!taken[i]) r->risks.push_back(risks[i].item);

  // Verdict.
  std::string v =
      "Overall " + r->grade + " (" + std::to_string(r->score) + "/100) across nine areas";
  if (!order.empty()) {
    v += ". Strongest: " + std::string(AreaName(order.front()->area)) + " (" +
         order.front()->grade + ")";
    if (order.size() > 1)
      v += " and " + std::string(AreaName(order[1]->area)) + " (" + order[1]->grade + ")";
    v += "; weakest: " + std::string(AreaName(order.back()->area)) + " (" + order.back()->grade +
         ")";
    if (order.size() > 1)
      v += " and " + std::string(AreaName(order[order.size() - 2]->area)) + " (" +
           order[order.size() - 2]->grade + ")";
  }
  size_t high = 0;
  for (const auto& f : r->report.findings) high += f.severity >= Severity::kHigh;
  v += ". " + std::to_string(r->report.findings.size()) + " findings, " + std::to_string(high) +
       " of them high or critical";
  if (!r->risks.empty()) {
    v += ". Fix first: ";
    for (size_t i = 0; i < r->risks.size(); ++i) {
      std::string t = r->risks[i].text;
      size_t cut = t.find(" — ");
      size_t colon = t.find(": ");
      if (colon != std::string::npos && colon < cut) cut = colon;
      v += (i ? "; " : "") + t.substr(0, cut);
    }
  }
  v += ".";
  r->verdict = v;

  // Recommendations: every catalogue entry whose check is not fully met.
  r->recommendations.clear();
  std::set<std::string> used_ids;
  for (const RecDef& d : Catalogue()) {
    const AuditCheck* c = nullptr;
    for (const auto& k : x.checks)
      if (k.id == d.trigger) c = &k;
    if (!c || c->status == CheckStatus::kPass || c->status == CheckStatus::kNotApplicable) continue;
    AuditRecommendation rec;
    rec.id = std::string(d.id);
    rec.horizon = d.horizon;
    rec.area = c->area;
    rec.title = std::string(d.title);
    rec.file = std::string(d.file);
    rec.change = std::string(d.change);
    if (!c->detail.empty())
      rec.change += (rec.change.empty() ? "" : " ") + std::string("Now: ") + c->detail + ".";
    rec.snippet = std::string(d.snippet);
    rec.verify = std::string(d.verify);
    rec.justified_by.push_back(c->id);
    for (size_t i = 0; i < c->finding_ids.size() && i < 12; ++i) {
      rec.justified_by.push_back(c->finding_ids[i]);
      used_ids.insert(c->finding_ids[i]);
    }
    double pen = 0;
    for (const auto& id : c->finding_ids) {
      auto it = index_of.find(id);
      if (it == index_of.end()) continue;
      const Finding& f = r->report.findings[it->second];
      pen += SeverityPoints(f.severity) * ConfidenceFactor(f.confidence);
    }
    rec.impact = c->weight * (1 - c->credit) * 10 + std::min(pen, 40.0);
    r->recommendations.push_back(std::move(rec));
  }
  // High/critical findings no recommendation covers yet: one per area.
  for (Area a : kAreas) {
    std::map<std::string, size_t> rules;
    std::vector<std::string> ids;
    for (size_t i = 0; i < r->report.findings.size(); ++i) {
      const Finding& f = r->report.findings[i];
      if (f.area != a || f.severity < Severity::kHigh || used_ids.count(r->finding_ids[i]))
        continue;
      rules[f.rule_id]++;
      ids.push_back(r->finding_ids[i]);
    }
    if (ids.empty()) continue;
    AuditRecommendation rec;
    rec.id = "rec.fix-" + std::string(AreaId(a));
    rec.horizon = Horizon::kQuickWin;
    rec.area = a;
    rec.title = "Fix the high-severity " + std::string(AreaName(a)) + " findings";
    std::string list;
    for (const auto& [rule, n] : rules)
      list += (list.empty() ? "" : ", ") + rule + " ×" + std::to_string(n);
    rec.change = "Each finding names the file, line and fix: " + list + ".";
    rec.file = r->report.findings[index_of[ids.front()]].location.path;
    rec.verify = "gatehouse audit . --explain " + std::string(AreaId(a));
    for (size_t i = 0; i < ids.size() && i < 12; ++i) rec.justified_by.push_back(ids[i]);
    rec.impact = 8.0 * static_cast<double>(ids.size());
    r->recommendations.push_back(std::move(rec));
  }
  std::stable_sort(r->recommendations.begin(), r->recommendations.end(),
                   [](const AuditRecommendation& a, const AuditRecommendation& b) {
                     if (a.horizon != b.horizon) return a.horizon < b.horizon;
                     if (a.impact != b.impact) return a.impact > b.impact;
                     return a.id < b.id;
                   });
}

}  // namespace audit

std::string GradeForScore(int score) {
  static const std::pair<int, const char*> kScale[] = {
      {97, "A+"}, {93, "A"}, {90, "A-"}, {87, "B+"}, {83, "B"}, {80, "B-"},
      {77, "C+"}, {73, "C"}, {70, "C-"}, {67, "D+"}, {63, "D"}, {60, "D-"}};
  for (const auto& [floor, g] : kScale)
    if (score >= floor) return g;
  return "F";
}

std::optional<int> GradeFloor(std::string_view grade) {
  static const std::pair<const char*, int> kScale[] = {
      {"A+", 97}, {"A", 93},  {"A-", 90}, {"B+", 87}, {"B", 83},  {"B-", 80}, {"C+", 77},
      {"C", 73},  {"C-", 70}, {"D+", 67}, {"D", 63},  {"D-", 60}, {"F", 0}};
  std::string g;
  for (char c : grade) g += static_cast<char>(toupper(static_cast<unsigned char>(c)));
  for (const auto& [name, floor] : kScale)
    if (g == name) return floor;
  return std::nullopt;
}

std::string_view CheckStatusName(CheckStatus s) {
  switch (s) {
    case CheckStatus::kPass:
      return "pass";
    case CheckStatus::kPartial:
      return "partial";
    case CheckStatus::kFail:
      return "fail";
    case CheckStatus::kNotApplicable:
      return "n/a";
  }
  return "?";
}

std::string_view HorizonName(Horizon h) {
  switch (h) {
    case Horizon::kQuickWin:
      return "0–2 weeks: quick wins";
    case Horizon::kFoundation:
      return "2–6 weeks: foundation";
    case Horizon::kExcellence:
      return "6–12 weeks: excellence";
  }
  return "?";
}
std::string_view HorizonId(Horizon h) {
  switch (h) {
    case Horizon::kQuickWin:
      return "0-2w";
    case Horizon::kFoundation:
      return "2-6w";
    case Horizon::kExcellence:
      return "6-12w";
  }
  return "?";
}

}  // namespace gatehouse
