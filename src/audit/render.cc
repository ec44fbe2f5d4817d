// Renderers of the audit report: Markdown, JSON (docs/audit.md, "JSON
// schema"), text, the --explain view, and SARIF through report.h. The HTML
// page is in render_html.cc. All are pure functions of an AuditResult.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "audit/internal.h"
#include "gatehouse/report.h"

namespace gatehouse {

namespace audit {

namespace {

std::string Loc(const Location& l) {
  return l.line > 0 ? l.path + ":" + std::to_string(l.line) : l.path;
}

std::string Fixed1(double d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", d);
  return buf;
}

// Markdown table cells cannot hold pipes or newlines.
std::string Cell(std::string_view s) {
  std::string o;
  for (char c : s) {
    if (c == '|')
      o += "\\|";
    else if (c == '\n')
      o += ' ';
    else
      o += c;
  }
  return o;
}

std::string EvidenceList(const std::vector<Location>& ev, size_t max = 4) {
  std::string o;
  for (size_t i = 0; i < ev.size() && i < max; ++i) o += (i ? ", " : "") + ("`" + Loc(ev[i]) + "`");
  if (ev.size() > max) o += ", …";
  return o;
}

// Finding ids are "F" + 1-based position (pipeline.cc): O(1) lookup.
const Finding* FindingById(const AuditResult& r, std::string_view id) {
  if (id.size() < 2 || id[0] != 'F') return nullptr;
  size_t n = 0;
  for (char c : id.substr(1)) {
    if (c < '0' || c > '9') return nullptr;
    n = n * 10 + static_cast<size_t>(c - '0');
  }
  if (n == 0 || n > r.finding_ids.size() || r.finding_ids[n - 1] != id) return nullptr;
  return &r.report.findings[n - 1];
}

std::string Refs(const std::vector<std::string>& refs) {
  std::string o;
  for (size_t i = 0; i < refs.size(); ++i) o += (i ? ", " : "") + refs[i];
  return o;
}

}  // namespace

std::string RenderMarkdown(const AuditResult& r) {
  std::string o;
  o += "# Delivery platform audit: " + r.root + "\n\n";
  o += "_gatehouse " + r.report.tool_version + " · " + std::to_string(r.stats.files) + " files · " +
       std::to_string(r.report.findings.size()) + " findings" +
       (r.timestamp.empty() ? "" : " · " + r.timestamp) + "_\n\n";

  o += "## 1. Executive summary\n\n";
  o += "**Verdict.** " + r.verdict + "\n\n";
  o += "**Strengths**\n\n";
  if (r.strengths.empty()) o += "- No practice of weight 2 or more is in place yet.\n";
  for (const auto& s : r.strengths)
    o +=
        "- " + s.text + (s.evidence.empty() ? "" : " (" + EvidenceList(s.evidence, 3) + ")") + "\n";
  o += "\n**The three biggest risks**\n\n";
  for (size_t i = 0; i < r.risks.size(); ++i)
    o += std::to_string(i + 1) + ". " + r.risks[i].text +
         (r.risks[i].refs.empty()
              ? ""
              : " [" +
                    Refs(r.risks[i].refs.size() > 6
                             ? std::vector<std::string>(r.risks[i].refs.begin(),
                                                        r.risks[i].refs.begin() + 6)
                             : r.risks[i].refs) +
                    (r.risks[i].refs.size() > 6 ? ", …" : "") + "]") +
         "\n";
  if (r.risks.empty()) o += "- None of consequence.\n";

  o += "\n## 2. Maturity snapshot\n\n";
  o += "| Area | Grade | Score | Why |\n|---|:-:|--:|---|\n";
  for (const auto& a : r.areas)
    o += "| " + std::string(AreaName(a.area)) + " | **" + a.grade + "** | " +
         std::to_string(a.score) + " | " + Cell(a.why) +
         (a.confidence == Confidence::kHigh
              ? ""
              : " _(confidence " + std::string(ConfidenceName(a.confidence)) + ")_") +
         " |\n";
  o += "| **Overall** | **" + r.grade + "** | " + std::to_string(r.score) +
       " | mean of the nine areas |\n";

  o += "\n## 3. Key findings\n\n### What's great\n\n";
  bool any = false;
  for (const auto& a : r.areas)
    for (const auto& c : a.checks)
      if (c.status == CheckStatus::kPass && c.weight >= 2) {
        any = true;
        o += "- **" + std::string(AreaName(a.area)) + ":** " + c.title + " — " + c.detail +
             (c.evidence.empty() ? "" : " (" + EvidenceList(c.evidence) + ")") + "\n";
      }
  if (!any) o += "- Nothing yet earns a mention.\n";
  o += "\n### Gaps & risks\n\n";
  for (const auto& a : r.areas) {
    std::string block;
    for (const auto& c : a.checks)
      if (c.status == CheckStatus::kFail || c.status == CheckStatus::kPartial)
        block += "- " + std::string(c.status == CheckStatus::kFail ? "✗" : "◐") + " " + c.title +
                 " (weight " + std::to_string(c.weight) + "): " + c.detail +
                 (c.evidence.empty() ? "" : " (" + EvidenceList(c.evidence) + ")") + "\n";
    // Most severe first (stable: path order within a severity).
    std::vector<std::string> ids = a.finding_ids;
    std::stable_sort(ids.begin(), ids.end(), [&](const std::string& x, const std::string& y) {
      return FindingById(r, x)->severity > FindingById(r, y)->severity;
    });
    size_t shown = 0;
    for (const auto& id : ids) {
      const Finding* f = FindingById(r, id);
      if (!f || f->severity < Severity::kLow) continue;
      if (shown++ >= 15) continue;
      block += "- " + id + " **" + std::string(SeverityName(f->severity)) + "** `" + f->rule_id +
               "` at `" + Loc(f->location) + "`: " + f->message + "\n";
    }
    if (shown > 15) block += "- … and " + std::to_string(shown - 15) + " more (see JSON/HTML)\n";
    if (block.empty()) continue;
    o += "#### " + std::string(AreaName(a.area)) + " — " + a.grade + "\n\n" + block + "\n";
  }

  o += "## 4. Recommendations\n\n";
  int n = 0;
  for (int h = 0; h < 3; ++h) {
    o += "### " + std::string(HorizonName(static_cast<Horizon>(h))) + "\n\n";
    bool some = false;
    for (const auto& rec : r.recommendations) {
      if (static_cast<int>(rec.horizon) != h) continue;
      some = true;
      o += "#### R" + std::to_string(++n) + ". " + rec.title + " _(" +
           std::string(AreaName(rec.area)) + ")_\n\n";
      if (!rec.change.empty()) o += "- **Change:** " + rec.change + "\n";
      if (!rec.file.empty()) o += "- **File:** `" + rec.file + "`\n";
      if (!rec.snippet.empty())
        o += "- **Snippet:**\n\n  ```\n" + [&] {
          std::string s, line;
          for (char c : rec.snippet) {
            if (c == '\n') {
              s += "  " + line + "\n";
              line.clear();
            } else {
              line += c;
            }
          }
          if (!line.empty()) s += "  " + line + "\n";
          return s;
        }() + "  ```\n\n";
      if (!rec.verify.empty()) o += "- **Verify:** `" + rec.verify + "`\n";
      o += "- **Justified by:** " + Refs(rec.justified_by) + "\n\n";
    }
    if (!some) o += "Nothing to do in this horizon.\n\n";
  }

  o += "## 5. Appendix\n\n### Notable artifacts\n\n| Kind | Location | Detail |\n|---|---|---|\n";
  for (const auto& a : r.artifacts)
    o += "| " + a.kind + " | `" + Cell(Loc(a.location)) + "` | " + Cell(a.detail) + " |\n";
  o += "\n### CI sprawl\n\n" + SprawlMarkdown(r.sprawl) + "\n";
  const IacInventory& inv = r.inventory;
  o += "\n### IaC inventory\n\n";
  o += "- Kubernetes: " + std::to_string(inv.k8s_files) + " files, " +
       std::to_string(inv.k8s_objects) + " objects, " + std::to_string(inv.workloads) +
       " workloads (" + std::to_string(inv.workloads_baseline) + " baseline, " +
       std::to_string(inv.workloads_restricted) + " restricted)\n";
  o += "- Helm charts: " + std::to_string(inv.helm_charts) +
       "; Terraform: " + std::to_string(inv.tf_files) + " files, " +
       std::to_string(inv.tf_resources) +
       " resources; Dockerfiles: " + std::to_string(inv.dockerfiles) + "\n";
  o += "\n### All findings\n\n| Id | Severity | Rule | Location | Message "
       "|\n|---|---|---|---|---|\n";
  constexpr size_t kMaxRows = 500;  // a PR comment holds 65,536 characters
  for (size_t i = 0; i < r.report.findings.size() && i < kMaxRows; ++i) {
    const Finding& f = r.report.findings[i];
    o += "| " + r.finding_ids[i] + " | " + std::string(SeverityName(f.severity)) + " | `" +
         f.rule_id + "` | `" + Cell(Loc(f.location)) + "` | " + Cell(f.message) + " |\n";
  }
  if (r.report.findings.size() > kMaxRows)
    o += "\n… and " + std::to_string(r.report.findings.size() - kMaxRows) +
         " more findings in the JSON, SARIF and HTML reports.\n";
  o += "\n### Diagnostics\n\n";
  if (r.report.diagnostics.empty()) o += "None: every file was read and parsed.\n";
  for (const auto& d : r.report.diagnostics)
    o += "- " + std::string(DiagnosticKindName(d.kind)) + " `" + d.path +
         (d.line ? ":" + std::to_string(d.line) : "") + "`: " + d.message + "\n";
  const AuditStats& s = r.stats;
  o += "\n### Scan statistics\n\n";
  o += "- " + std::to_string(s.files) + " files walked, " + std::to_string(s.reads) +
       " read (each once), " + std::to_string(s.bytes) + " bytes; " + std::to_string(s.ci_files) +
       " CI files and " + std::to_string(s.iac_files) + " IaC files analyzed from memory; " +
       std::to_string(s.yaml_parsed) + " YAML documents parsed by the detectors; " +
       std::to_string(s.binary) + " binary, " + std::to_string(s.unreadable) + " unreadable, " +
       std::to_string(s.ignored) + " ignored\n";
  return o;
}

std::string RenderJson(const AuditResult& r) {
  using J = nlohmann::ordered_json;
  auto loc = [](const Location& l) {
    J j;
    j["path"] = l.path;
    j["line"] = l.line;
    return j;
  };
  auto locs = [&](const std::vector<Location>& v) {
    J a = J::array();
    for (const auto& l : v) a.push_back(loc(l));
    return a;
  };
  auto item = [&](const AuditSummaryItem& s) {
    J j;
    j["text"] = s.text;
    j["evidence"] = locs(s.evidence);
    j["refs"] = s.refs;
    return j;
  };
  J j;
  j["schema_version"] = kAuditSchemaVersion;
  j["tool"] = {{"name", "gatehouse"}, {"version", r.report.tool_version}};
  j["root"] = r.root;
  if (!r.timestamp.empty()) j["timestamp"] = r.timestamp;
  j["score"] = r.score;
  j["grade"] = r.grade;
  j["verdict"] = r.verdict;
  J strengths = J::array(), risks = J::array();
  for (const auto& s : r.strengths) strengths.push_back(item(s));
  for (const auto& s : r.risks) risks.push_back(item(s));
  j["summary"] = {{"strengths", strengths}, {"risks", risks}};
  J areas = J::array();
  for (const auto& a : r.areas) {
    J aj;
    aj["id"] = AreaId(a.area);
    aj["name"] = AreaName(a.area);
    aj["grade"] = a.grade;
    aj["score"] = a.score;
    aj["practice"] = std::round(a.practice * 10) / 10;
    aj["penalty"] = std::round(a.penalty * 10) / 10;
    aj["confidence"] = ConfidenceName(a.confidence);
    aj["why"] = a.why;
    J checks = J::array();
    for (const auto& c : a.checks) {
      J cj;
      cj["id"] = c.id;
      cj["title"] = c.title;
      cj["weight"] = c.weight;
      cj["status"] = CheckStatusName(c.status);
      cj["credit"] = std::round(c.credit * 100) / 100;
      cj["detail"] = c.detail;
      cj["evidence"] = locs(c.evidence);
      cj["finding_ids"] = c.finding_ids;
      checks.push_back(cj);
    }
    aj["checks"] = checks;
    aj["finding_ids"] = a.finding_ids;
    aj["diagnostics"] = a.diagnostics;
    areas.push_back(aj);
  }
  j["areas"] = areas;
  J findings = J::array();
  for (size_t i = 0; i < r.report.findings.size(); ++i) {
    const Finding& f = r.report.findings[i];
    J fj;
    fj["id"] = r.finding_ids[i];
    fj["rule_id"] = f.rule_id;
    fj["title"] = f.title;
    fj["area"] = AreaId(f.area);
    fj["severity"] = SeverityName(f.severity);
    fj["confidence"] = ConfidenceName(f.confidence);
    fj["message"] = f.message;
    fj["location"] = {
        {"path", f.location.path}, {"line", f.location.line}, {"column", f.location.column}};
    fj["fingerprint"] = f.fingerprint;
    fj["evidence"] = f.evidence;
    fj["remediation"] = f.remediation;
    findings.push_back(fj);
  }
  j["findings"] = findings;
  J recs = J::array();
  for (const auto& rec : r.recommendations) {
    J rj;
    rj["id"] = rec.id;
    rj["horizon"] = HorizonId(rec.horizon);
    rj["area"] = AreaId(rec.area);
    rj["title"] = rec.title;
    rj["change"] = rec.change;
    rj["file"] = rec.file;
    rj["snippet"] = rec.snippet;
    rj["verify"] = rec.verify;
    rj["justified_by"] = rec.justified_by;
    recs.push_back(rj);
  }
  j["recommendations"] = recs;
  J arts = J::array();
  for (const auto& a : r.artifacts)
    arts.push_back({{"kind", a.kind},
                    {"path", a.location.path},
                    {"line", a.location.line},
                    {"detail", a.detail}});
  j["artifacts"] = arts;
  j["sprawl"] = J::parse(SprawlJson(r.sprawl), nullptr, false);
  const IacInventory& inv = r.inventory;
  j["iac_inventory"] = {{"k8s_files", inv.k8s_files},
                        {"k8s_objects", inv.k8s_objects},
                        {"workloads", inv.workloads},
                        {"workloads_baseline", inv.workloads_baseline},
                        {"workloads_restricted", inv.workloads_restricted},
                        {"rollouts", inv.rollouts},
                        {"rollouts_with_analysis", inv.rollouts_with_analysis},
                        {"helm_charts", inv.helm_charts},
                        {"tf_files", inv.tf_files},
                        {"tf_resources", inv.tf_resources},
                        {"dockerfiles", inv.dockerfiles},
                        {"dockerfiles_non_root", inv.dockerfiles_non_root},
                        {"parse_errors", inv.parse_errors}};
  J diags = J::array();
  for (const auto& d : r.report.diagnostics)
    diags.push_back({{"kind", DiagnosticKindName(d.kind)},
                     {"path", d.path},
                     {"line", d.line},
                     {"column", d.column},
                     {"message", d.message}});
  j["diagnostics"] = diags;
  const AuditStats& s = r.stats;
  j["stats"] = {
      {"files", s.files},           {"reads", s.reads},         {"bytes", s.bytes},
      {"ci_files", s.ci_files},     {"iac_files", s.iac_files}, {"yaml_documents", s.yaml_parsed},
      {"unreadable", s.unreadable}, {"binary", s.binary},       {"skipped_size", s.skipped_size},
      {"ignored", s.ignored}};
  // Replace invalid UTF-8 (from malformed files) rather than throw.
  return j.dump(2, ' ', false, J::error_handler_t::replace) + "\n";
}

std::string RenderText(const AuditResult& r) {
  std::string o;
  o += "Delivery platform audit of " + r.root + ": " + r.grade + " (" + std::to_string(r.score) +
       "/100)\n\n";
  for (const auto& a : r.areas) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "  %-32s %-3s %3d  ", std::string(AreaName(a.area)).c_str(),
                  a.grade.c_str(), a.score);
    o += buf + a.why + "\n";
  }
  o += "\nBiggest risks:\n";
  for (size_t i = 0; i < r.risks.size(); ++i)
    o += "  " + std::to_string(i + 1) + ". " + r.risks[i].text + "\n";
  o += "\n" + std::to_string(r.report.findings.size()) + " findings, " +
       std::to_string(r.recommendations.size()) + " recommendations, " +
       std::to_string(r.report.diagnostics.size()) +
       " diagnostics. Full report: --format html|markdown|json|sarif; explain a grade: --explain "
       "AREA\n";
  return o;
}

}  // namespace audit

std::optional<AuditFormat> ParseAuditFormat(std::string_view name) {
  if (name == "text") return AuditFormat::kText;
  if (name == "markdown" || name == "md") return AuditFormat::kMarkdown;
  if (name == "html") return AuditFormat::kHtml;
  if (name == "json") return AuditFormat::kJson;
  if (name == "sarif") return AuditFormat::kSarif;
  return std::nullopt;
}

std::string RenderAudit(const AuditResult& result, AuditFormat format) {
  switch (format) {
    case AuditFormat::kText:
      return audit::RenderText(result);
    case AuditFormat::kMarkdown:
      return audit::RenderMarkdown(result);
    case AuditFormat::kHtml:
      return audit::RenderHtml(result);
    case AuditFormat::kJson:
      return audit::RenderJson(result);
    case AuditFormat::kSarif: {
      Report rep = result.report;
      rep.stats.seconds = 0;
      return Render(rep, ReportFormat::kSarif);
    }
  }
  return {};
}

std::string ExplainArea(const AuditResult& r, Area area) {
  std::string o;
  for (const auto& a : r.areas) {
    if (a.area != area) continue;
    o += std::string(AreaName(a.area)) + " (" + std::string(AreaId(a.area)) + "): grade " +
         a.grade + ", score " + std::to_string(a.score) + "\n";
    o += "  practice " + audit::Fixed1(a.practice) + " (weighted check credit) − penalty " +
         audit::Fixed1(a.penalty) + " (findings, capped at 40)";
    o += "; confidence " + std::string(ConfidenceName(a.confidence)) + "\n\nChecks:\n";
    for (const auto& c : a.checks) {
      char buf[96];
      std::snprintf(buf, sizeof buf, "  [%-7s] w=%d credit=%.2f  ",
                    std::string(CheckStatusName(c.status)).c_str(), c.weight, c.credit);
      o += buf + c.id + ": " + c.title + "\n      " + c.detail + "\n";
      for (const auto& l : c.evidence) o += "      evidence: " + audit::Loc(l) + "\n";
      if (!c.finding_ids.empty()) o += "      findings: " + audit::Refs(c.finding_ids) + "\n";
    }
    o += "\nFindings (" + std::to_string(a.finding_ids.size()) + "):\n";
    for (const auto& id : a.finding_ids) {
      const Finding* f = audit::FindingById(r, id);
      if (!f) continue;
      o += "  " + id + " " + std::string(SeverityName(f->severity)) + "/" +
           std::string(ConfidenceName(f->confidence)) + " " + f->rule_id + " " +
           audit::Loc(f->location) + "\n      " + f->message + "\n";
    }
    if (!a.diagnostics.empty()) {
      o += "\nDiagnostics that lowered confidence:\n";
      for (const auto& d : a.diagnostics) o += "  " + d + "\n";
    }
  }
  return o;
}

}  // namespace gatehouse
