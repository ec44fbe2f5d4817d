// The self-contained HTML report: one file, no network access (inline CSS,
// inline SVG charts, a few lines of inline JavaScript for filtering and
// printing). Every area is a <section class="area"> with a <details>
// drill-down to the checks and to each finding's file:line. Printing opens
// every <details> and drops the controls (print stylesheet + beforeprint).
#include <algorithm>
#include <cstdio>
#include <map>

#include "audit/internal.h"

namespace gatehouse {

namespace audit {

std::string HtmlEscape(std::string_view s) {
  std::string o;
  o.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&':
        o += "&amp;";
        break;
      case '<':
        o += "&lt;";
        break;
      case '>':
        o += "&gt;";
        break;
      case '"':
        o += "&quot;";
        break;
      case '\'':
        o += "&#39;";
        break;
      default:
        o += c;
    }
  }
  return o;
}

namespace {

std::string E(std::string_view s) { return HtmlEscape(s); }

std::string GradeClass(const std::string& g) {
  if (g.empty()) return "gF";
  return std::string("g") + g[0];
}

std::string Loc(const Location& l) {
  return l.line > 0 ? l.path + ":" + std::to_string(l.line) : l.path;
}

const char* kCss = R"CSS(
:root{--fg:#1d2330;--muted:#5b6475;--bg:#fff;--line:#e3e6ec;--A:#1a7f37;--B:#4d9a2a;--C:#b8860b;--D:#d2691e;--F:#c62828;
--critical:#7b1fa2;--high:#c62828;--medium:#e08e0b;--low:#3b82c4;--info:#8a94a6}
*{box-sizing:border-box}body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg);margin:0}
main{max-width:1080px;margin:0 auto;padding:24px}h1{font-size:26px;margin:0 0 4px}h2{border-bottom:2px solid var(--line);padding-bottom:4px;margin-top:36px}
.meta{color:var(--muted)}.badge{display:inline-block;min-width:52px;text-align:center;font-weight:700;color:#fff;border-radius:6px;padding:2px 8px}
.gA{background:var(--A)}.gB{background:var(--B)}.gC{background:var(--C)}.gD{background:var(--D)}.gF{background:var(--F)}
.overall{font-size:40px;padding:6px 18px}.hdr{display:flex;gap:20px;align-items:center}
table{border-collapse:collapse;width:100%;margin:8px 0}th,td{border-bottom:1px solid var(--line);padding:6px 8px;text-align:left;vertical-align:top}
th{background:#f6f7f9}code{font:13px/1.4 ui-monospace,Menlo,Consolas,monospace;background:#f3f4f6;padding:1px 4px;border-radius:3px}
pre{background:#f6f7f9;padding:10px;border-radius:6px;overflow-x:auto;font-size:13px}
.sev{font-weight:600;text-transform:uppercase;font-size:12px;color:#fff;border-radius:4px;padding:1px 6px}
.s-critical{background:var(--critical)}.s-high{background:var(--high)}.s-medium{background:var(--medium)}.s-low{background:var(--low)}.s-info{background:var(--info)}
.st{font-weight:600}.st-pass{color:var(--A)}.st-partial{color:var(--C)}.st-fail{color:var(--F)}.st-na{color:var(--muted)}
details{border:1px solid var(--line);border-radius:8px;margin:10px 0;padding:6px 12px}summary{cursor:pointer;font-weight:600}
.charts{display:flex;flex-wrap:wrap;gap:24px}.chart{flex:1 1 460px}.controls{margin:8px 0}.controls button{margin-right:6px;padding:3px 10px;border:1px solid var(--line);border-radius:5px;background:#fff;cursor:pointer}
.controls button.off{opacity:.4}.hidden{display:none}.rec{border-left:4px solid var(--line);padding:4px 12px;margin:12px 0}
.h0{border-color:var(--A)}.h1{border-color:var(--C)}.h2{border-color:#3b82c4}.refs{color:var(--muted);font-size:13px}
@media print{.controls{display:none}details{border:none;padding:0}main{max-width:none;padding:0}h2{page-break-after:avoid}.area{page-break-inside:avoid}a{color:inherit;text-decoration:none}}
)CSS";

const char* kJs = R"JS(
(function () {
  'use strict';
  var hidden = {};
  function apply() {
    var rows = document.querySelectorAll('tr[data-severity]');
    for (var i = 0; i < rows.length; i++) {
      var s = rows[i].getAttribute('data-severity');
      rows[i].classList.toggle('hidden', !!hidden[s]);
    }
  }
  var buttons = document.querySelectorAll('button[data-sev]');
  for (var i = 0; i < buttons.length; i++) {
    buttons[i].addEventListener('click', function (ev) {
      var s = ev.currentTarget.getAttribute('data-sev');
      hidden[s] = !hidden[s];
      ev.currentTarget.classList.toggle('off', hidden[s]);
      apply();
    });
  }
  function setAll(open) {
    var d = document.querySelectorAll('details');
    for (var i = 0; i < d.length; i++) d[i].open = open;
  }
  var ex = document.getElementById('expand-all');
  if (ex) ex.addEventListener('click', function () { setAll(true); });
  var co = document.getElementById('collapse-all');
  if (co) co.addEventListener('click', function () { setAll(false); });
  window.addEventListener('beforeprint', function () { setAll(true); });
  if (location.hash && location.hash.length > 1) {
    var t = document.getElementById(location.hash.slice(1));
    while (t) { if (t.tagName === 'DETAILS') t.open = true; t = t.parentElement; }
  }
})();
)JS";

const Severity kSevs[] = {Severity::kCritical, Severity::kHigh, Severity::kMedium, Severity::kLow,
                          Severity::kInfo};

std::string GradeChart(const AuditResult& r) {
  const int row = 26, label = 220, width = 640;
  int h = row * static_cast<int>(r.areas.size()) + 10;
  std::string o = "<svg role=\"img\" aria-label=\"Score by area\" viewBox=\"0 0 " +
                  std::to_string(width) + " " + std::to_string(h) + "\" width=\"100%\">";
  int y = 4;
  for (const auto& a : r.areas) {
    int w = static_cast<int>((width - label - 60) * a.score / 100.0);
    std::string color = "var(--" + std::string(1, a.grade.empty() ? 'F' : a.grade[0]) + ")";
    o += "<text x=\"0\" y=\"" + std::to_string(y + 16) + "\" font-size=\"13\">" +
         E(AreaName(a.area)) + "</text>";
    o += "<rect x=\"" + std::to_string(label) + "\" y=\"" + std::to_string(y + 3) + "\" width=\"" +
         std::to_string(std::max(w, 1)) + "\" height=\"18\" rx=\"3\" fill=\"" + color + "\"/>";
    o += "<text x=\"" + std::to_string(label + w + 6) + "\" y=\"" + std::to_string(y + 16) +
         "\" font-size=\"13\" font-weight=\"600\">" + E(a.grade) + " " + std::to_string(a.score) +
         "</text>";
    y += row;
  }
  return o + "</svg>";
}

std::string FindingsChart(const AuditResult& r) {
  std::map<Area, std::map<Severity, int>> counts;
  int max_total = 1;
  for (const auto& f : r.report.findings) counts[f.area][f.severity]++;
  for (const auto& a : r.areas) {
    int t = 0;
    for (auto s : kSevs) t += counts[a.area][s];
    max_total = std::max(max_total, t);
  }
  const int row = 26, label = 220, width = 640;
  int h = row * static_cast<int>(r.areas.size()) + 34;
  std::string o = "<svg role=\"img\" aria-label=\"Findings by area and severity\" viewBox=\"0 0 " +
                  std::to_string(width) + " " + std::to_string(h) + "\" width=\"100%\">";
  int y = 4;
  for (const auto& a : r.areas) {
    o += "<text x=\"0\" y=\"" + std::to_string(y + 16) + "\" font-size=\"13\">" +
         E(AreaName(a.area)) + "</text>";
    double x = label;
    int total = 0;
    for (auto s : kSevs) {
      int n = counts[a.area][s];
      if (!n) continue;
      total += n;
      double w = (width - label - 50) * static_cast<double>(n) / max_total;
      char buf[256];
      std::snprintf(buf, sizeof buf,
                    "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"18\" fill=\"var(--%s)\">"
                    "<title>%d %s</title></rect>",
                    x, y + 3, std::max(w, 1.0), std::string(SeverityName(s)).c_str(), n,
                    std::string(SeverityName(s)).c_str());
      o += buf;
      x += w;
    }
    o += "<text x=\"" + std::to_string(static_cast<int>(x) + 6) + "\" y=\"" +
         std::to_string(y + 16) + "\" font-size=\"13\">" + std::to_string(total) + "</text>";
    y += row;
  }
  int lx = label;
  for (auto s : kSevs) {
    o += "<rect x=\"" + std::to_string(lx) + "\" y=\"" + std::to_string(y + 8) +
         "\" width=\"12\" height=\"12\" fill=\"var(--" + std::string(SeverityName(s)) + ")\"/>";
    o += "<text x=\"" + std::to_string(lx + 16) + "\" y=\"" + std::to_string(y + 19) +
         "\" font-size=\"12\">" + std::string(SeverityName(s)) + "</text>";
    lx += 80;
  }
  return o + "</svg>";
}

std::string FindingRow(const AuditResult& r, size_t i) {
  const Finding& f = r.report.findings[i];
  std::string sev(SeverityName(f.severity));
  return "<tr id=\"" + r.finding_ids[i] + "\" data-severity=\"" + sev + "\"><td>" +
         r.finding_ids[i] + "</td><td><span class=\"sev s-" + sev + "\">" + sev +
         "</span></td><td><code>" + E(f.rule_id) + "</code></td><td><code>" + E(Loc(f.location)) +
         "</code></td><td>" + E(f.message) +
         (f.evidence.empty() ? "" : "<br><code>" + E(f.evidence) + "</code>") + "</td></tr>";
}

}  // namespace

std::string RenderHtml(const AuditResult& r) {
  std::map<std::string, size_t> idx;
  for (size_t i = 0; i < r.finding_ids.size(); ++i) idx[r.finding_ids[i]] = i;
  std::string o;
  o += "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
       "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
       "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
       "style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">"
       "<title>Delivery platform audit: " +
       E(r.root) + "</title><style>" + kCss + "</style></head><body><main>\n";
  o += "<div class=\"hdr\"><span class=\"badge overall " + GradeClass(r.grade) + "\">" +
       E(r.grade) + "</span><div><h1>Delivery platform audit: " + E(r.root) +
       "</h1><div class=\"meta\">gatehouse " + E(r.report.tool_version) + " · " +
       std::to_string(r.stats.files) + " files · " + std::to_string(r.report.findings.size()) +
       " findings · score " + std::to_string(r.score) + "/100" +
       (r.timestamp.empty() ? "" : " · " + E(r.timestamp)) + "</div></div></div>\n";

  // 1. Summary.
  o += "<section id=\"summary\"><h2>1. Executive summary</h2><p>" + E(r.verdict) +
       "</p><h3>Strengths</h3><ul>";
  for (const auto& s : r.strengths) {
    o += "<li>" + E(s.text);
    if (!s.evidence.empty()) {
      o += " <span class=\"refs\">(";
      for (size_t i = 0; i < s.evidence.size(); ++i)
        o += (i ? ", " : "") + ("<code>" + E(Loc(s.evidence[i])) + "</code>");
      o += ")</span>";
    }
    o += "</li>";
  }
  if (r.strengths.empty()) o += "<li>No practice of weight 2 or more is in place yet.</li>";
  o += "</ul><h3>The three biggest risks</h3><ol>";
  for (const auto& s : r.risks) {
    o += "<li>" + E(s.text) + " <span class=\"refs\">";
    for (size_t i = 0; i < s.refs.size() && i < 6; ++i) {
      if (idx.count(s.refs[i]))
        o += "<a href=\"#" + E(s.refs[i]) + "\">" + E(s.refs[i]) + "</a> ";
      else
        o += E(s.refs[i]) + " ";
    }
    o += "</span></li>";
  }
  o += "</ol></section>\n";

  // 2. Snapshot.
  o += "<section id=\"snapshot\"><h2>2. Maturity snapshot</h2><table><thead><tr><th>Area</th>"
       "<th>Grade</th><th>Score</th><th>Why</th></tr></thead><tbody>";
  for (const auto& a : r.areas)
    o += "<tr><td><a href=\"#area-" + std::string(AreaId(a.area)) + "\">" + E(AreaName(a.area)) +
         "</a></td><td><span class=\"badge " + GradeClass(a.grade) + "\">" + E(a.grade) +
         "</span></td><td>" + std::to_string(a.score) + "</td><td>" + E(a.why) +
         (a.confidence == Confidence::kHigh
              ? ""
              : " <em>(confidence " + std::string(ConfidenceName(a.confidence)) + ")</em>") +
         "</td></tr>";
  o += "<tr><th>Overall</th><th><span class=\"badge " + GradeClass(r.grade) + "\">" + E(r.grade) +
       "</span></th><th>" + std::to_string(r.score) + "</th><th>mean of the nine areas</th></tr>";
  o += "</tbody></table><div class=\"charts\"><div class=\"chart\"><h3>Scores</h3>" +
       GradeChart(r) + "</div><div class=\"chart\"><h3>Findings by area and severity</h3>" +
       FindingsChart(r) + "</div></div></section>\n";

  // 3. Findings per area.
  o += "<section id=\"findings\"><h2>3. Key findings, gaps and risks by area</h2>"
       "<div class=\"controls\">Show: ";
  for (auto s : kSevs) {
    std::string n(SeverityName(s));
    o += "<button type=\"button\" data-sev=\"" + n + "\">" + n + "</button>";
  }
  o += " <button type=\"button\" id=\"expand-all\">expand all</button><button type=\"button\" "
       "id=\"collapse-all\">collapse all</button></div>\n";
  for (const auto& a : r.areas) {
    std::string id(AreaId(a.area));
    o += "<section class=\"area\" id=\"area-" + id + "\" data-area=\"" + id + "\"><h3>" +
         E(AreaName(a.area)) + " <span class=\"badge " + GradeClass(a.grade) + "\">" + E(a.grade) +
         "</span> <small>" + std::to_string(a.score) + "/100 · practice " +
         std::to_string(static_cast<int>(a.practice + 0.5)) + " − penalty " +
         std::to_string(static_cast<int>(a.penalty + 0.5)) + "</small></h3><p>" + E(a.why) + "</p>";
    o += "<details" + std::string(a.score < 70 ? " open" : "") + "><summary>Checks (" +
         std::to_string(a.checks.size()) +
         ")</summary><table><thead><tr><th>Status</th><th>Check</th>"
         "<th>Weight</th><th>Detail</th><th>Evidence</th></tr></thead><tbody>";
    for (const auto& c : a.checks) {
      std::string st(CheckStatusName(c.status));
      std::string cls = c.status == CheckStatus::kNotApplicable ? "na" : st;
      o += "<tr><td class=\"st st-" + cls + "\">" + st + "</td><td>" + E(c.title) + "<br><code>" +
           E(c.id) + "</code></td><td>" + std::to_string(c.weight) + "</td><td>" + E(c.detail) +
           "</td><td>";
      for (size_t i = 0; i < c.evidence.size(); ++i)
        o += (i ? "<br>" : "") + ("<code>" + E(Loc(c.evidence[i])) + "</code>");
      for (size_t i = 0; i < c.finding_ids.size() && i < 8; ++i)
        o += (i || !c.evidence.empty() ? " " : "") +
             ("<a href=\"#" + E(c.finding_ids[i]) + "\">" + E(c.finding_ids[i]) + "</a>");
      o += "</td></tr>";
    }
    o += "</tbody></table></details>";
    o += "<details" + std::string(!a.finding_ids.empty() && a.score < 70 ? " open" : "") +
         "><summary>Findings (" + std::to_string(a.finding_ids.size()) + ")</summary>";
    if (a.finding_ids.empty()) {
      o += "<p>None.</p>";
    } else {
      o += "<table><thead><tr><th>Id</th><th>Severity</th><th>Rule</th><th>Location</th>"
           "<th>Message</th></tr></thead><tbody>";
      for (const auto& fid : a.finding_ids)
        if (idx.count(fid)) o += FindingRow(r, idx[fid]);
      o += "</tbody></table>";
    }
    o += "</details></section>\n";
  }
  o += "</section>\n";

  // 4. Recommendations.
  o += "<section id=\"recommendations\"><h2>4. Recommendations</h2>";
  int n = 0;
  for (int h = 0; h < 3; ++h) {
    o += "<h3>" + E(HorizonName(static_cast<Horizon>(h))) + "</h3>";
    bool some = false;
    for (const auto& rec : r.recommendations) {
      if (static_cast<int>(rec.horizon) != h) continue;
      some = true;
      o += "<div class=\"rec h" + std::to_string(h) + "\" id=\"" + E(rec.id) + "\"><strong>R" +
           std::to_string(++n) + ". " + E(rec.title) + "</strong> <em>(" + E(AreaName(rec.area)) +
           ")</em>";
      if (!rec.change.empty()) o += "<p>" + E(rec.change) + "</p>";
      if (!rec.file.empty()) o += "<p>File: <code>" + E(rec.file) + "</code></p>";
      if (!rec.snippet.empty()) o += "<pre>" + E(rec.snippet) + "</pre>";
      if (!rec.verify.empty()) o += "<p>Verify: <code>" + E(rec.verify) + "</code></p>";
      o += "<p class=\"refs\">Justified by: ";
      for (size_t i = 0; i < rec.justified_by.size(); ++i) {
        const std::string& j = rec.justified_by[i];
        o += (i ? ", " : "");
        o += idx.count(j) ? "<a href=\"#" + E(j) + "\">" + E(j) + "</a>"
                          : "<code>" + E(j) + "</code>";
      }
      o += "</p></div>";
    }
    if (!some) o += "<p>Nothing to do in this horizon.</p>";
  }
  o += "</section>\n";

  // 5. Appendix.
  o += "<section id=\"appendix\"><h2>5. Appendix</h2><details><summary>Notable artifacts (" +
       std::to_string(r.artifacts.size()) +
       ")</summary><table><thead><tr><th>Kind</th><th>Location</th><th>Detail</th></tr></"
       "thead><tbody>";
  for (const auto& a : r.artifacts)
    o += "<tr><td>" + E(a.kind) + "</td><td><code>" + E(Loc(a.location)) + "</code></td><td>" +
         E(a.detail) + "</td></tr>";
  o += "</tbody></table></details><details><summary>CI sprawl</summary><pre>" +
       E(SprawlText(r.sprawl)) + "</pre></details>";
  o += "<details><summary>Diagnostics (" + std::to_string(r.report.diagnostics.size()) +
       ")</summary><ul>";
  for (const auto& d : r.report.diagnostics)
    o += "<li>" + E(DiagnosticKindName(d.kind)) + " <code>" + E(d.path) +
         (d.line ? ":" + std::to_string(d.line) : "") + "</code>: " + E(d.message) + "</li>";
  if (r.report.diagnostics.empty()) o += "<li>None: every file was read and parsed.</li>";
  const AuditStats& s = r.stats;
  o += "</ul></details><p class=\"meta\">" + std::to_string(s.files) + " files walked, " +
       std::to_string(s.reads) + " read once each, " + std::to_string(s.bytes) + " bytes; " +
       std::to_string(s.ci_files) + " CI and " + std::to_string(s.iac_files) +
       " IaC files analyzed from memory.</p></section>\n";
  o += "</main><script>" + std::string(kJs) + "</script></body></html>\n";
  return o;
}

}  // namespace audit

}  // namespace gatehouse
