// Rendering the CI sprawl metrics (text, Markdown, JSON) and attaching them
// to a rendered report. The metrics themselves are gathered by the rule pass
// (rules.cc) so files are read and parsed once.
#include <nlohmann/json.hpp>

#include <cstdio>

#include "gatehouse/ci.h"
#include "gatehouse/fs.h"

namespace gatehouse {

namespace {

using OJson = nlohmann::ordered_json;

std::string Num(uint64_t n) {
  const std::string digits = std::to_string(n);
  std::string s;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) s += ',';
    s += digits[i];
  }
  return s;
}

std::string Pct(uint64_t part, uint64_t whole) {
  if (whole == 0) return "n/a";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.0f%%",
                100.0 * static_cast<double>(part) / static_cast<double>(whole));
  return buf;
}

std::string Plural(uint64_t n, const char* one, const char* many) {
  return Num(n) + " " + (n == 1 ? one : many);
}

struct Row {
  std::string label, value;
};

std::vector<Row> Rows(const CiSprawl& s) {
  std::vector<Row> rows;
  rows.push_back({"Workflows", Plural(s.workflows, "workflow", "workflows") + " (" +
                                   Num(s.reusable_workflows) + " reusable), " +
                                   Plural(s.jobs, "job", "jobs") + ", " +
                                   Plural(s.steps, "step", "steps") + ", " +
                                   Plural(s.lines, "line", "lines") + " of YAML"});
  if (s.actions)
    rows.push_back({"Actions", Plural(s.actions, "local action", "local actions") + " (" +
                                   Num(s.composite_actions) + " composite)"});
  if (s.reusable_calls)
    rows.push_back(
        {"Reuse", Plural(s.reusable_calls, "job calls", "jobs call") + " a reusable workflow"});
  std::vector<std::pair<std::string, uint64_t>> ev(s.workflows_per_event.begin(),
                                                   s.workflows_per_event.end());
  std::stable_sort(ev.begin(), ev.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  std::string triggers;
  for (const auto& [e, n] : ev) triggers += (triggers.empty() ? "" : " · ") + e + " " + Num(n);
  if (!triggers.empty()) rows.push_back({"Triggers", triggers});
  rows.push_back({"On every PR", Plural(s.every_pr_workflows, "workflow runs", "workflows run") +
                                     " on every pull request (" + Num(s.pr_workflows) +
                                     " on PRs in total; the rest filter by path)"});
  std::string cost = "≤ " + Num(static_cast<uint64_t>(s.pr_runner_minutes_max + 0.5)) +
                     " runner-minutes per PR from timeouts (" + Num(s.pr_job_runs_with_timeout) +
                     " of " + Num(s.pr_job_runs) + " PR job runs declare one";
  if (s.pr_job_runs > s.pr_job_runs_with_timeout)
    cost +=
        "; " + Num(s.pr_job_runs - s.pr_job_runs_with_timeout) + " unbounded, up to 360 min each";
  cost += ")";
  rows.push_back({"PR cost", cost});
  rows.push_back({"Pinned", Pct(s.pinned_action_refs, s.action_refs) + " of " +
                                Plural(s.action_refs, "action reference", "action references") +
                                " pinned to a commit SHA (third-party: " +
                                Pct(s.third_party_pinned, s.third_party_refs) + " of " +
                                Num(s.third_party_refs) + ")"});
  rows.push_back({"Hygiene", Plural(s.jobs_without_timeout, "job", "jobs") + " without timeout · " +
                                 Num(s.pr_workflows_without_concurrency) +
                                 " PR workflows without cancel-in-progress · " +
                                 Num(s.workflows_without_permissions) +
                                 " workflows without top-level permissions"});
  rows.push_back({"Placeholders", Plural(s.placeholder_steps, "step", "steps")});
  std::string sc = Num(s.gating_scanner_steps) + " of " +
                   Plural(s.scanner_steps, "scanner step", "scanner steps") + " can fail the build";
  if (!s.scanners.empty()) {
    sc += " (";
    for (size_t i = 0; i < s.scanners.size(); ++i)
      sc += (i ? ", " : "") + s.scanners[i].name + " " + Num(s.scanners[i].gating) + "/" +
            Num(s.scanners[i].steps);
    sc += ")";
  }
  rows.push_back({"Scanners", sc});
  return rows;
}

}  // namespace

std::string SprawlText(const CiSprawl& s, bool color) {
  std::string out = color ? "\033[1mCI sprawl\033[0m\n" : "CI sprawl\n";
  for (const Row& r : Rows(s)) {
    std::string label = r.label + ":";
    label.resize(std::max<size_t>(label.size() + 1, 15), ' ');
    out += "  " + (color ? "\033[1m" + label + "\033[0m" : label) + r.value + "\n";
  }
  return out;
}

std::string SprawlMarkdown(const CiSprawl& s) {
  std::string out = "## CI sprawl\n\n| metric | value |\n|---|---|\n";
  for (const Row& r : Rows(s)) {
    std::string v = r.value;
    std::string esc;
    for (char c : v) {
      if (c == '|')
        esc += "\\|";
      else
        esc += c;
    }
    out += "| " + r.label + " | " + esc + " |\n";
  }
  return out;
}

namespace {

OJson SprawlObject(const CiSprawl& s) {
  OJson j = OJson::object();
  j["workflows"] = s.workflows;
  j["reusable_workflows"] = s.reusable_workflows;
  j["actions"] = s.actions;
  j["composite_actions"] = s.composite_actions;
  j["jobs"] = s.jobs;
  j["steps"] = s.steps;
  j["lines"] = s.lines;
  j["reusable_calls"] = s.reusable_calls;
  OJson ev = OJson::object();
  for (const auto& [e, n] : s.workflows_per_event) ev[e] = n;
  j["workflows_per_event"] = std::move(ev);
  j["pr_workflows"] = s.pr_workflows;
  j["every_pr_workflows"] = s.every_pr_workflows;
  j["pr_jobs"] = s.pr_jobs;
  j["pr_job_runs"] = s.pr_job_runs;
  j["pr_job_runs_with_timeout"] = s.pr_job_runs_with_timeout;
  j["pr_runner_minutes_max"] = s.pr_runner_minutes_max;
  j["jobs_without_timeout"] = s.jobs_without_timeout;
  j["pr_workflows_without_concurrency"] = s.pr_workflows_without_concurrency;
  j["workflows_without_permissions"] = s.workflows_without_permissions;
  j["action_refs"] = s.action_refs;
  j["pinned_action_refs"] = s.pinned_action_refs;
  j["pinned_share"] = s.PinnedShare();
  j["third_party_refs"] = s.third_party_refs;
  j["third_party_pinned"] = s.third_party_pinned;
  j["placeholder_steps"] = s.placeholder_steps;
  j["scanner_steps"] = s.scanner_steps;
  j["gating_scanner_steps"] = s.gating_scanner_steps;
  OJson sc = OJson::array();
  for (const CiScannerUse& u : s.scanners)
    sc.push_back({{"name", u.name}, {"steps", u.steps}, {"gating", u.gating}});
  j["scanners"] = std::move(sc);
  return j;
}

}  // namespace

std::string SprawlJson(const CiSprawl& s) {
  return SprawlObject(s).dump(2, ' ', false, OJson::error_handler_t::replace);
}

std::string RenderCi(const CiResult& result, ReportFormat format, const RenderOptions& options) {
  std::string out = Render(result.report, format, options);
  switch (format) {
    case ReportFormat::kText:
      return out + "\n" + SprawlText(result.sprawl, options.color);
    case ReportFormat::kMarkdown:
      return out + (out.ends_with("\n\n") ? "" : "\n") + SprawlMarkdown(result.sprawl);
    case ReportFormat::kJson: {
      // The report is one object ending in "\n}\n": add "sprawl" as its last
      // member without re-parsing thousands of findings.
      if (!out.ends_with("\n}\n")) return out;
      std::string obj =
          SprawlObject(result.sprawl).dump(2, ' ', false, OJson::error_handler_t::replace);
      std::string indented;
      for (char c : obj) {
        indented += c;
        if (c == '\n') indented += "  ";
      }
      out.resize(out.size() - 3);
      return out + ",\n  \"sprawl\": " + indented + "\n}\n";
    }
    case ReportFormat::kSarif: {
      OJson j = OJson::parse(out, nullptr, false);
      if (j.is_discarded()) return out;
      if (j.contains("runs") && j["runs"].is_array() && !j["runs"].empty()) {
        j["runs"][0]["properties"]["sprawl"] = SprawlObject(result.sprawl);
      }
      return j.dump(2, ' ', false, OJson::error_handler_t::replace) + "\n";
    }
    default:
      return out;
  }
}

Result<std::set<std::string>> LoadCiBaseline(const std::string& path) {
  auto text = ReadFileToString(path);
  if (!text.ok()) {
    Error e = text.error();
    e.message = "cannot read baseline: " + e.message;
    e.path = path;
    return e;
  }
  OJson j = OJson::parse(*text, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("findings") || !j["findings"].is_array())
    return MakeError(ErrorCode::kParse, "baseline is not a gatehouse JSON report", path);
  std::set<std::string> out;
  for (const auto& f : j["findings"])
    if (f.is_object() && f.contains("fingerprint") && f["fingerprint"].is_string())
      out.insert(f["fingerprint"].get<std::string>());
  return out;
}

}  // namespace gatehouse
