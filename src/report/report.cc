// Reporters: pure functions from a Report to bytes.
//
// Every renderer walks the Report once, in the order it arrives (findings are
// already sorted by SortFindings), and writes only what the Report holds: no
// clock, no environment, no file reads. Equal Reports give equal bytes.
//
// Each format has its own escaping rules, and getting them wrong is how a
// report turns into an injection vector (a message that closes an XML element,
// a path that ends a workflow command, a message that pings a GitHub team):
//
//   text      terminal: control characters (ESC above all) are shown as \xNN
//             so a scanned file cannot drive the terminal; colors only on ask.
//   json      nlohmann::ordered_json; invalid UTF-8 becomes U+FFFD.
//   sarif     SARIF 2.1.0 shaped for GitHub code scanning ("SARIF support for
//             code scanning"): rules with security-severity, results with
//             partialFingerprints.primaryLocationLineHash, regions only when a
//             line is known (startLine must be >= 1), repo-relative URIs under
//             %SRCROOT%. GitHub limits (results per run, text lengths, tags per
//             rule) are enforced here with a note instead of a rejected upload.
//   junit     XML 1.0: characters XML cannot carry are dropped, markup and
//             quotes escaped, and \t \n \r in attributes written as character
//             references so attribute normalization keeps them.
//   github    workflow commands, escaped exactly as @actions/core does:
//             properties %, \r, \n, :, , and data %, \r, \n.
//   markdown  GitHub-flavoured: table cells escape | and Markdown punctuation,
//             HTML is entity-escaped, newlines become <br>, and @mentions are
//             broken with a zero-width space so a report never notifies anyone.
//
// Evidence is redacted by the analyzers before it reaches a Finding; no
// reporter adds content from anywhere else.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "gatehouse/base.h"
#include "gatehouse/finding.h"
#include "gatehouse/report.h"

namespace gatehouse {

std::optional<ReportFormat> ParseReportFormat(std::string_view name) {
  if (name == "text") return ReportFormat::kText;
  if (name == "json") return ReportFormat::kJson;
  if (name == "sarif") return ReportFormat::kSarif;
  if (name == "junit") return ReportFormat::kJunit;
  if (name == "github") return ReportFormat::kGithub;
  if (name == "markdown") return ReportFormat::kMarkdown;
  return std::nullopt;
}

std::string_view ReportFormatName(ReportFormat f) {
  switch (f) {
    case ReportFormat::kText:
      return "text";
    case ReportFormat::kJson:
      return "json";
    case ReportFormat::kSarif:
      return "sarif";
    case ReportFormat::kJunit:
      return "junit";
    case ReportFormat::kGithub:
      return "github";
    case ReportFormat::kMarkdown:
      return "markdown";
  }
  return "text";
}

namespace {

using OJson = nlohmann::ordered_json;

constexpr int kSeverityCount = 5;
constexpr int kAreaCount = 9;
// Most severe first: the order every summary lists severities in.
constexpr std::array<Severity, kSeverityCount> kSeveritiesDescending = {
    Severity::kCritical, Severity::kHigh, Severity::kMedium, Severity::kLow, Severity::kInfo};

// GitHub code scanning display limits ("SARIF support for code scanning").
constexpr size_t kSarifMaxRuleName = 255;
constexpr size_t kSarifMaxDescription = 1024;
constexpr size_t kSarifMaxTags = 20;
// Not a documented GitHub limit: keeps one pathological message from making
// the upload too large (10 MB gzipped per file).
constexpr size_t kSarifMaxMessage = 8192;

// ---- UTF-8 --------------------------------------------------------------

struct CodePoint {
  char32_t value = 0xFFFD;
  size_t length = 1;
};

// Decodes the code point starting at s[i]. Invalid or truncated sequences,
// overlong forms and surrogates decode as U+FFFD consuming one byte.
CodePoint DecodeUtf8(std::string_view s, size_t i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 < 0x80) return {b0, 1};
  size_t length = 0;
  char32_t cp = 0;
  char32_t min = 0;
  if ((b0 & 0xE0) == 0xC0) {
    length = 2, cp = b0 & 0x1F, min = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    length = 3, cp = b0 & 0x0F, min = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    length = 4, cp = b0 & 0x07, min = 0x10000;
  } else {
    return {};
  }
  if (i + length > s.size()) return {};
  for (size_t k = 1; k < length; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) return {};
    cp = (cp << 6) | (b & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return {};
  return {cp, length};
}

// Calls fn(out, code_point) for each code point of s (invalid bytes as
// U+FFFD) and returns what fn appended.
template <typename Fn>
std::string MapCodePoints(std::string_view s, Fn fn) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    const CodePoint cp = DecodeUtf8(s, i);
    fn(out, cp.value);
    i += cp.length;
  }
  return out;
}

// Longest prefix of s that is at most max_bytes long and does not split a
// UTF-8 sequence.
std::string_view Utf8Prefix(std::string_view s, size_t max_bytes) {
  if (s.size() <= max_bytes) return s;
  size_t end = max_bytes;
  while (end > 0 && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80) --end;
  return s.substr(0, end);
}

// s cut to max_bytes (on a code point boundary) with a visible note.
std::string Truncate(std::string_view s, size_t max_bytes) {
  if (s.size() <= max_bytes) return std::string(s);
  static constexpr std::string_view kNote = " [truncated]";
  std::string out(Utf8Prefix(s, max_bytes > kNote.size() ? max_bytes - kNote.size() : 0));
  out += kNote;
  return out;
}

// ---- numbers and small strings ------------------------------------------

// Fixed-point, independent of the C locale.
std::string FormatFixed(double value, int precision) {
  char buf[64];
  auto [end, ec] =
      std::to_chars(buf, buf + sizeof(buf), value, std::chars_format::fixed, precision);
  if (ec != std::errc()) return "0";
  return std::string(buf, end);
}

std::string Megabytes(uint64_t bytes) {
  return FormatFixed(static_cast<double>(bytes) / (1024.0 * 1024.0), 2);
}

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return out;
}

std::string Capitalized(std::string_view s) {
  std::string out(s);
  if (!out.empty() && out[0] >= 'a' && out[0] <= 'z') out[0] = static_cast<char>(out[0] - 32);
  return out;
}

// "n thing" / "n things".
std::string Plural(uint64_t n, std::string_view singular, std::string_view plural) {
  return std::to_string(n) + " " + std::string(n == 1 ? singular : plural);
}

std::vector<std::string_view> SplitLines(std::string_view s) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (true) {
    size_t nl = s.find('\n', start);
    std::string_view line = s.substr(start, nl == std::string_view::npos ? nl : nl - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    if (nl == std::string_view::npos) break;
    start = nl + 1;
  }
  return lines;
}

// "path:line:col", "path:line" or "path"; line/col only when known.
std::string LocationText(std::string_view path, int line, int column, bool with_column) {
  std::string out(path);
  if (line > 0) {
    out += ":" + std::to_string(line);
    if (with_column && column > 0) out += ":" + std::to_string(column);
  }
  return out;
}

// ---- counts -------------------------------------------------------------

struct Counts {
  std::array<uint64_t, kSeverityCount> by_severity{};
  std::array<uint64_t, kAreaCount> by_area{};
};

Counts CountFindings(const Report& report) {
  Counts counts;
  for (const Finding& f : report.findings) {
    const auto s = static_cast<size_t>(f.severity);
    const auto a = static_cast<size_t>(f.area);
    if (s < counts.by_severity.size()) ++counts.by_severity[s];
    if (a < counts.by_area.size()) ++counts.by_area[a];
  }
  return counts;
}

uint64_t SeverityCount(const Counts& counts, Severity s) {
  return counts.by_severity[static_cast<size_t>(s)];
}

// "1 critical, 2 high, 0 medium, 0 low, 0 info"
std::string SeverityBreakdown(const Counts& counts) {
  std::string out;
  for (Severity s : kSeveritiesDescending) {
    if (!out.empty()) out += ", ";
    out += std::to_string(SeverityCount(counts, s)) + " " + std::string(SeverityName(s));
  }
  return out;
}

// Rules that fired, by id, with what a reporter says about each: the Report's
// RuleInfo when it has one, else what the first finding carries.
struct RuleSummary {
  std::string id;
  const RuleInfo* info = nullptr;
  const Finding* first = nullptr;
  uint64_t count = 0;
  Severity max_severity = Severity::kInfo;
  Confidence max_confidence = Confidence::kLow;

  std::string_view Title() const {
    if (info && !info->title.empty()) return info->title;
    if (first && !first->title.empty()) return first->title;
    return id;
  }
  std::string_view Remediation() const {
    if (info && !info->remediation.empty()) return info->remediation;
    return first ? std::string_view(first->remediation) : std::string_view();
  }
  std::string_view HelpUri() const {
    if (info && !info->help_uri.empty()) return info->help_uri;
    return first ? std::string_view(first->help_uri) : std::string_view();
  }
};

std::map<std::string, const RuleInfo*> RuleInfoById(const Report& report) {
  std::map<std::string, const RuleInfo*> by_id;
  for (const RuleInfo& rule : report.rules) by_id.emplace(rule.id, &rule);  // first wins
  return by_id;
}

void AddToRuleSummary(RuleSummary& rule, const Finding& f) {
  if (rule.first == nullptr) {
    rule.first = &f;
    rule.max_severity = f.severity;
    rule.max_confidence = f.confidence;
  }
  ++rule.count;
  rule.max_severity = std::max(rule.max_severity, f.severity);
  rule.max_confidence = std::max(rule.max_confidence, f.confidence);
}

// ---- text ---------------------------------------------------------------

// One line made safe for a terminal: C0 controls (but tab), DEL and C1
// controls are shown as escapes; invalid UTF-8 as U+FFFD.
std::string TerminalSafe(std::string_view s) {
  return MapCodePoints(s, [](std::string& out, char32_t cp) {
    static constexpr char kHex[] = "0123456789abcdef";
    if ((cp < 0x20 && cp != '\t') || cp == 0x7F) {
      out += "\\x";
      out += kHex[cp >> 4];
      out += kHex[cp & 15];
    } else if (cp >= 0x80 && cp <= 0x9F) {
      out += "\\u00";
      out += kHex[cp >> 4];
      out += kHex[cp & 15];
    } else {
      AppendUtf8(out, cp);
    }
  });
}

class TextWriter {
 public:
  explicit TextWriter(bool color) : color_(color) {}

  std::string Paint(std::string_view text, std::string_view sgr) const {
    if (!color_ || sgr.empty()) return std::string(text);
    return "\x1b[" + std::string(sgr) + "m" + std::string(text) + "\x1b[0m";
  }

  static std::string_view SeverityStyle(Severity s) {
    switch (s) {
      case Severity::kCritical:
        return "1;31";
      case Severity::kHigh:
        return "31";
      case Severity::kMedium:
        return "33";
      case Severity::kLow:
        return "36";
      case Severity::kInfo:
        return "2";
    }
    return "";
  }

  // Writes label + text, continuation lines aligned under the text.
  void Field(std::string& out, std::string_view indent, std::string_view label,
             std::string_view text) const {
    const std::vector<std::string_view> lines = SplitLines(text);
    std::string pad(label.size(), ' ');
    for (size_t i = 0; i < lines.size(); ++i) {
      out += indent;
      out += i == 0 ? (label.empty() ? std::string() : Paint(label, "2")) : pad;
      out += TerminalSafe(lines[i]);
      out += '\n';
    }
  }

 private:
  bool color_;
};

std::string RenderText(const Report& report, const RenderOptions& options) {
  const TextWriter w(options.color);
  std::string out;
  for (const Finding& f : report.findings) {
    std::string severity = Upper(SeverityName(f.severity));
    severity.resize(std::max<size_t>(severity.size(), 8), ' ');
    const std::string location =
        f.location.path.empty()
            ? std::string("(repository)")
            : LocationText(f.location.path, f.location.line, f.location.column, true);
    out += w.Paint(severity, TextWriter::SeverityStyle(f.severity));
    out += ' ';
    out += w.Paint(TerminalSafe(f.rule_id), "1");
    out += "  ";
    out += TerminalSafe(location);
    out += '\n';
    w.Field(out, "    ", "", f.message.empty() ? f.title : f.message);
    if (!f.evidence.empty()) w.Field(out, "    ", "evidence: ", f.evidence);
    if (!f.remediation.empty()) w.Field(out, "    ", "fix:      ", f.remediation);
    if (!f.help_uri.empty()) w.Field(out, "    ", "help:     ", f.help_uri);
    for (const auto& [key, value] : f.properties) {
      std::string label = TerminalSafe(key) + ":";
      label.resize(std::max<size_t>(label.size() + 1, 10), ' ');
      w.Field(out, "    ", label, value);
    }
    out += '\n';
  }

  const Counts counts = CountFindings(report);
  const ScanStats& st = report.stats;
  if (report.findings.empty()) out += w.Paint("No findings.", "32") + "\n\n";

  auto line = [&](std::string_view label, const std::string& value) {
    std::string l(label);
    l.resize(13, ' ');
    out += w.Paint(l, "1") + value + "\n";
  };
  out += w.Paint("Summary", "1") + "\n";
  line("Findings:",
       std::to_string(report.findings.size()) + " (" + SeverityBreakdown(counts) + ")");
  std::string areas;
  for (int a = 0; a < kAreaCount; ++a) {
    if (counts.by_area[a] == 0) continue;
    if (!areas.empty()) areas += ", ";
    areas += std::string(AreaName(static_cast<Area>(a))) + " " + std::to_string(counts.by_area[a]);
  }
  if (!areas.empty()) line("By area:", areas);
  line("Scanned:",
       Plural(st.files_scanned, "file", "files") + ", " + Megabytes(st.bytes_scanned) + " MB");
  line("Skipped:", std::to_string(st.files_skipped_binary) + " binary, " +
                       std::to_string(st.files_skipped_size) + " too large, " +
                       std::to_string(st.files_unreadable) + " unreadable");
  if (st.files_ignored > 0) line("Ignored:", Plural(st.files_ignored, "file", "files"));
  line("Suppressed:", Plural(st.findings_suppressed, "finding", "findings"));
  if (st.seconds > 0) line("Elapsed:", FormatFixed(st.seconds, 2) + " s");
  std::string diag = std::to_string(report.diagnostics.size());
  if (!report.diagnostics.empty() && !options.verbose) diag += " (--verbose lists them)";
  line("Diagnostics:", diag);
  if (options.verbose) {
    for (const Diagnostic& d : report.diagnostics) {
      std::string head = "  " + std::string(DiagnosticKindName(d.kind));
      if (!d.path.empty()) head += " " + LocationText(d.path, d.line, d.column, true);
      head += ": ";
      w.Field(out, "", TerminalSafe(head), d.message);
    }
  }
  return out;
}

// ---- json ---------------------------------------------------------------

std::string Dump(const OJson& j) {
  // replace: invalid UTF-8 becomes U+FFFD instead of throwing.
  return j.dump(2, ' ', false, OJson::error_handler_t::replace) + "\n";
}

OJson SummaryJson(const Report& report) {
  const Counts counts = CountFindings(report);
  const ScanStats& st = report.stats;
  OJson by_severity = OJson::object();
  for (Severity s : kSeveritiesDescending) by_severity[SeverityName(s)] = SeverityCount(counts, s);
  OJson by_area = OJson::object();
  for (int a = 0; a < kAreaCount; ++a) by_area[AreaId(static_cast<Area>(a))] = counts.by_area[a];
  OJson summary = OJson::object();
  summary["findings"] = report.findings.size();
  summary["by_severity"] = std::move(by_severity);
  summary["by_area"] = std::move(by_area);
  summary["files_scanned"] = st.files_scanned;
  summary["bytes_scanned"] = st.bytes_scanned;
  summary["files_skipped_binary"] = st.files_skipped_binary;
  summary["files_skipped_size"] = st.files_skipped_size;
  summary["files_unreadable"] = st.files_unreadable;
  summary["files_ignored"] = st.files_ignored;
  summary["findings_suppressed"] = st.findings_suppressed;
  summary["diagnostics"] = report.diagnostics.size();
  summary["seconds"] = st.seconds;
  return summary;
}

OJson FindingJson(const Finding& f) {
  OJson j = OJson::object();
  j["rule_id"] = f.rule_id;
  j["title"] = f.title;
  j["area"] = AreaId(f.area);
  j["severity"] = SeverityName(f.severity);
  j["confidence"] = ConfidenceName(f.confidence);
  j["message"] = f.message;
  j["location"] = {{"path", f.location.path},
                   {"line", f.location.line},
                   {"column", f.location.column},
                   {"end_line", f.location.end_line},
                   {"end_column", f.location.end_column}};
  j["fingerprint"] = f.fingerprint;
  j["remediation"] = f.remediation;
  j["help_uri"] = f.help_uri;
  j["evidence"] = f.evidence;
  OJson props = OJson::object();
  for (const auto& [key, value] : f.properties) props[key] = value;
  j["properties"] = std::move(props);
  return j;
}

std::string RenderJson(const Report& report) {
  OJson j = OJson::object();
  j["schema_version"] = kJsonSchemaVersion;
  j["tool"] = {{"name", report.tool_name}, {"version", report.tool_version}};
  j["command"] = report.command;
  j["root"] = report.root;
  j["summary"] = SummaryJson(report);
  OJson findings = OJson::array();
  for (const Finding& f : report.findings) findings.push_back(FindingJson(f));
  j["findings"] = std::move(findings);
  OJson diagnostics = OJson::array();
  for (const Diagnostic& d : report.diagnostics) {
    diagnostics.push_back({{"kind", DiagnosticKindName(d.kind)},
                           {"path", d.path},
                           {"line", d.line},
                           {"column", d.column},
                           {"message", d.message}});
  }
  j["diagnostics"] = std::move(diagnostics);
  return Dump(j);
}

// ---- sarif --------------------------------------------------------------

std::string_view SarifLevel(Severity s) {
  switch (s) {
    case Severity::kCritical:
    case Severity::kHigh:
      return "error";
    case Severity::kMedium:
      return "warning";
    case Severity::kLow:
    case Severity::kInfo:
      return "note";
  }
  return "warning";
}

// GitHub maps > 9.0 critical, 7.0-8.9 high, 4.0-6.9 medium, 0.1-3.9 low.
std::string_view SecuritySeverity(Severity s) {
  switch (s) {
    case Severity::kCritical:
      return "9.5";
    case Severity::kHigh:
      return "8.0";
    case Severity::kMedium:
      return "5.5";
    case Severity::kLow:
      return "3.0";
    case Severity::kInfo:
      return "0.0";
  }
  return "0.0";
}

std::string_view Precision(Confidence c) {
  switch (c) {
    case Confidence::kHigh:
      return "high";
    case Confidence::kMedium:
      return "medium";
    case Confidence::kLow:
      return "low";
  }
  return "medium";
}

// "aws-access-key" -> "AwsAccessKey": reportingDescriptor.name.
std::string CamelCase(std::string_view id) {
  std::string out;
  bool upper_next = true;
  for (char c : id) {
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (!alnum) {
      upper_next = true;
      continue;
    }
    if (upper_next && c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    out += c;
    upper_next = false;
  }
  return out.empty() ? std::string("Rule") : out;
}

// RFC 3986 percent-encoding of a path: unreserved characters and '/' stay,
// everything else (space, %, ':', '#', '?', non-ASCII bytes, ...) is encoded.
// ':' is always encoded so a relative reference never looks like a scheme.
std::string PercentEncodePath(std::string_view path) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char ch : path) {
    const auto c = static_cast<unsigned char>(ch);
    const bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '.' || c == '_' || c == '~' || c == '/';
    if (keep) {
      out += ch;
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

// Repo-relative URI: backslashes as '/', no leading "./" or '/'.
std::string RelativeUri(std::string_view path) {
  std::string p(path);
  std::replace(p.begin(), p.end(), '\\', '/');
  std::string_view v = p;
  while (true) {
    if (v.substr(0, 2) == "./") {
      v.remove_prefix(2);
    } else if (!v.empty() && v[0] == '/') {
      v.remove_prefix(1);
    } else {
      break;
    }
  }
  return PercentEncodePath(v);
}

bool IsSemver(std::string_view v) {
  // MAJOR.MINOR.PATCH with an optional -prerelease / +build of [0-9A-Za-z.-].
  size_t i = 0;
  for (int part = 0; part < 3; ++part) {
    const size_t start = i;
    while (i < v.size() && v[i] >= '0' && v[i] <= '9') ++i;
    if (i == start) return false;
    if (i - start > 1 && v[start] == '0') return false;
    if (part < 2) {
      if (i >= v.size() || v[i] != '.') return false;
      ++i;
    }
  }
  if (i == v.size()) return true;
  if (v[i] != '-' && v[i] != '+') return false;
  if (i + 1 == v.size()) return false;
  for (++i; i < v.size(); ++i) {
    const char c = v[i];
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '-' || c == '+';
    if (!ok) return false;
  }
  return true;
}

OJson SarifRegion(int line, int column, int end_line, int end_column) {
  OJson region = OJson::object();
  region["startLine"] = line;
  if (column > 0) region["startColumn"] = column;
  const int last_line = end_line >= line ? end_line : line;
  if (end_line >= line) region["endLine"] = end_line;
  // endColumn is exclusive: on a one-line region it must follow startColumn.
  if (end_column > 0 && (last_line != line || end_column > column)) {
    region["endColumn"] = end_column;
  }
  return region;
}

OJson SarifLocation(std::string_view path, int line, int column, int end_line, int end_column) {
  OJson physical = OJson::object();
  physical["artifactLocation"] = {{"uri", RelativeUri(path)}, {"uriBaseId", "%SRCROOT%"}};
  if (line > 0) physical["region"] = SarifRegion(line, column, end_line, end_column);
  return {{"physicalLocation", std::move(physical)}};
}

// Plain-text Markdown escape for help.markdown (rule text is plain text).
std::string MarkdownText(std::string_view s);
bool IsLinkableUri(std::string_view uri);

OJson SarifRule(const RuleSummary& rule, const RuleInfo* info, const Finding* first) {
  const std::string_view title = rule.Title();
  std::string_view description = info ? std::string_view(info->description) : std::string_view();
  if (description.empty()) description = title;
  std::string_view help = rule.Remediation();
  if (help.empty()) help = description;
  const Severity severity = info ? info->severity : first->severity;
  const Area area = info ? info->area : first->area;

  OJson tags = OJson::array();
  std::set<std::string> seen;
  auto add_tag = [&](std::string_view tag) {
    if (tag.empty() || tags.size() >= kSarifMaxTags) return;
    if (seen.insert(std::string(tag)).second) tags.push_back(std::string(tag));
  };
  if (info)
    for (const std::string& tag : info->tags) add_tag(tag);
  if (area == Area::kSecurity) add_tag("security");
  add_tag(AreaId(area));

  std::string markdown = MarkdownText(help);
  const std::string_view help_uri = rule.HelpUri();
  if (IsLinkableUri(help_uri)) markdown += "\n\n[More information](" + std::string(help_uri) + ")";

  OJson r = OJson::object();
  r["id"] = rule.id;
  r["name"] = Truncate(CamelCase(rule.id), kSarifMaxRuleName);
  r["shortDescription"] = {{"text", Truncate(title, kSarifMaxDescription)}};
  r["fullDescription"] = {{"text", Truncate(description, kSarifMaxDescription)}};
  r["help"] = {{"text", std::string(help)}, {"markdown", markdown}};
  if (!help_uri.empty()) r["helpUri"] = help_uri;
  r["defaultConfiguration"] = {{"level", SarifLevel(severity)}};
  r["properties"] = {
      {"tags", std::move(tags)},
      {"precision", Precision(rule.first ? rule.max_confidence : Confidence::kMedium)},
      {"security-severity", SecuritySeverity(severity)}};
  return r;
}

std::string_view NotificationLevel(DiagnosticKind k) {
  switch (k) {
    case DiagnosticKind::kUnreadable:
    case DiagnosticKind::kParse:
    case DiagnosticKind::kRule:
    case DiagnosticKind::kConfig:
      return "warning";
    case DiagnosticKind::kTooLarge:
    case DiagnosticKind::kBinary:
    case DiagnosticKind::kSymlink:
    case DiagnosticKind::kNote:
      return "note";
  }
  return "note";
}

std::string RenderSarif(const Report& report, const RenderOptions& options) {
  // Findings kept: all of them, or the kSarifMaxResults most severe (ties in
  // report order), still in report order.
  std::vector<size_t> kept(report.findings.size());
  for (size_t i = 0; i < kept.size(); ++i) kept[i] = i;
  if (kept.size() > kSarifMaxResults) {
    std::stable_sort(kept.begin(), kept.end(), [&](size_t a, size_t b) {
      return report.findings[a].severity > report.findings[b].severity;
    });
    kept.resize(kSarifMaxResults);
    std::sort(kept.begin(), kept.end());
  }
  const size_t dropped = report.findings.size() - kept.size();

  // Rules: every rule the Report lists plus every rule with a result, by id.
  const std::map<std::string, const RuleInfo*> infos = RuleInfoById(report);
  std::map<std::string, RuleSummary> rules;
  for (const auto& [id, info] : infos) {
    RuleSummary& rule = rules[id];
    rule.id = id;
    rule.info = info;
  }
  for (size_t i : kept) {
    const Finding& f = report.findings[i];
    RuleSummary& rule = rules[f.rule_id];
    rule.id = f.rule_id;
    AddToRuleSummary(rule, f);
  }
  std::map<std::string, size_t> rule_index;
  OJson rules_json = OJson::array();
  for (const auto& [id, rule] : rules) {
    rule_index[id] = rules_json.size();
    rules_json.push_back(SarifRule(rule, rule.info, rule.first));
  }

  OJson driver = OJson::object();
  driver["name"] = report.tool_name.empty() ? std::string("gatehouse") : report.tool_name;
  if (!report.tool_version.empty()) driver["version"] = report.tool_version;
  if (!options.information_uri.empty()) driver["informationUri"] = options.information_uri;
  if (IsSemver(report.tool_version)) driver["semanticVersion"] = report.tool_version;
  driver["rules"] = std::move(rules_json);

  // results
  OJson results = OJson::array();
  // The same fingerprint twice in one file (a secret in several commits):
  // ":1", ":2", ... in report order, as codeql-action numbers repeated hashes.
  std::map<std::pair<std::string, std::string>, int> fingerprint_seen;
  for (size_t i : kept) {
    const Finding& f = report.findings[i];
    std::string text = f.message.empty() ? (f.title.empty() ? f.rule_id : f.title) : f.message;
    OJson r = OJson::object();
    r["ruleId"] = f.rule_id;
    r["ruleIndex"] = rule_index[f.rule_id];
    r["level"] = SarifLevel(f.severity);
    r["message"] = {{"text", Truncate(text, kSarifMaxMessage)}};
    const Location& loc = f.location;
    r["locations"] = OJson::array();
    if (!loc.path.empty()) {
      r["locations"].push_back(
          SarifLocation(loc.path, loc.line, loc.column, loc.end_line, loc.end_column));
    }
    if (!f.fingerprint.empty()) {
      const int n = ++fingerprint_seen[{loc.path, f.fingerprint}];
      r["partialFingerprints"] = {
          {"primaryLocationLineHash", f.fingerprint + ":" + std::to_string(n)}};
    }
    OJson props = OJson::object();
    props["severity"] = SeverityName(f.severity);
    props["confidence"] = ConfidenceName(f.confidence);
    props["area"] = AreaId(f.area);
    if (!f.evidence.empty()) props["evidence"] = f.evidence;
    for (const auto& [key, value] : f.properties) {
      if (!props.contains(key)) props[key] = value;
    }
    r["properties"] = std::move(props);
    results.push_back(std::move(r));
  }

  // invocation: diagnostics become tool execution notifications.
  OJson notifications = OJson::array();
  if (dropped > 0) {
    notifications.push_back(
        {{"descriptor", {{"id", "results-truncated"}}},
         {"level", "warning"},
         {"message",
          {{"text", std::to_string(dropped) + " of " + std::to_string(report.findings.size()) +
                        " results left out: GitHub code scanning accepts at most " +
                        std::to_string(kSarifMaxResults) +
                        " results per run; the most severe were kept. The json format has "
                        "them all."}}}});
  }
  for (const Diagnostic& d : report.diagnostics) {
    OJson n = OJson::object();
    n["descriptor"] = {{"id", DiagnosticKindName(d.kind)}};
    n["level"] = NotificationLevel(d.kind);
    n["message"] = {
        {"text", Truncate(d.message.empty() ? std::string(DiagnosticKindName(d.kind)) : d.message,
                          kSarifMaxMessage)}};
    if (!d.path.empty()) {
      n["locations"] = OJson::array({SarifLocation(d.path, d.line, d.column, 0, 0)});
    }
    notifications.push_back(std::move(n));
  }
  OJson invocation = OJson::object();
  invocation["executionSuccessful"] = true;
  invocation["toolExecutionNotifications"] = std::move(notifications);

  // %SRCROOT%: an absolute root becomes a file URI; a relative one can only
  // be described (the renderer does not look at the working directory).
  OJson srcroot = OJson::object();
  if (!report.root.empty() && report.root[0] == '/') {
    std::string uri = "file://" + PercentEncodePath(report.root);
    if (uri.back() != '/') uri += '/';
    srcroot["uri"] = uri;
  } else {
    srcroot["description"] = {{"text", report.root.empty()
                                           ? std::string("The scanned root directory.")
                                           : "The scanned root directory (" + report.root + ")."}};
  }

  const std::string tool = report.tool_name.empty() ? std::string("gatehouse") : report.tool_name;
  OJson run = OJson::object();
  run["tool"] = {{"driver", std::move(driver)}};
  run["automationDetails"] = {
      {"id", report.command.empty() ? tool + "/" : tool + "/" + report.command + "/"}};
  run["originalUriBaseIds"] = {{"%SRCROOT%", std::move(srcroot)}};
  run["invocations"] = OJson::array({std::move(invocation)});
  run["results"] = std::move(results);

  OJson log = OJson::object();
  log["$schema"] = "https://json.schemastore.org/sarif-2.1.0.json";
  log["version"] = "2.1.0";
  log["runs"] = OJson::array({std::move(run)});
  return Dump(log);
}

// ---- junit --------------------------------------------------------------

bool XmlAllowed(char32_t cp) {
  return cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0xD7FF) ||
         (cp >= 0xE000 && cp <= 0xFFFD) || (cp >= 0x10000 && cp <= 0x10FFFF);
}

// Escapes s for XML 1.0 character data (attribute = false) or a double- or
// single-quoted attribute value (attribute = true). Characters XML 1.0 cannot
// carry are dropped.
std::string XmlEscape(std::string_view s, bool attribute) {
  return MapCodePoints(s, [attribute](std::string& out, char32_t cp) {
    if (!XmlAllowed(cp)) return;
    switch (cp) {
      case '&':
        out += "&amp;";
        return;
      case '<':
        out += "&lt;";
        return;
      case '>':
        out += "&gt;";
        return;
      case '"':
        out += attribute ? "&quot;" : "\"";
        return;
      case '\'':
        out += attribute ? "&apos;" : "'";
        return;
      case '\r':
        out += "&#13;";
        return;
      case '\n':
        out += attribute ? "&#10;" : "\n";
        return;
      case '\t':
        out += attribute ? "&#9;" : "\t";
        return;
      default:
        AppendUtf8(out, cp);
    }
  });
}

std::string Attr(std::string_view name, std::string_view value) {
  return " " + std::string(name) + "=\"" + XmlEscape(value, true) + "\"";
}

std::string RenderJunit(const Report& report) {
  const size_t n = report.findings.size();
  const std::string tests = std::to_string(n == 0 ? 1 : n);
  const std::string failures = std::to_string(n);
  const std::string time = FormatFixed(report.stats.seconds, 3);
  const std::string tool = report.tool_name.empty() ? std::string("gatehouse") : report.tool_name;
  const std::string suite = report.command.empty() ? tool : tool + " " + report.command;

  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += "<testsuites" + Attr("name", tool) + Attr("tests", tests) + Attr("failures", failures) +
         Attr("errors", "0") + Attr("time", time) + ">\n";
  out += "  <testsuite" + Attr("name", suite) + Attr("tests", tests) + Attr("failures", failures) +
         Attr("errors", "0") + Attr("skipped", "0") + Attr("time", time) + ">\n";
  for (const Finding& f : report.findings) {
    const Location& loc = f.location;
    const std::string name =
        loc.path.empty() ? std::string("(repository)") : LocationText(loc.path, loc.line, 0, false);
    std::string details;
    details += "Rule: " + f.rule_id + (f.title.empty() ? "" : " (" + f.title + ")") + "\n";
    details += "Severity: " + std::string(SeverityName(f.severity)) + "\n";
    details += "Confidence: " + std::string(ConfidenceName(f.confidence)) + "\n";
    details += "Area: " + std::string(AreaName(f.area)) + "\n";
    details += "Location: " + LocationText(loc.path, loc.line, loc.column, true) + "\n";
    details += "Message: " + f.message + "\n";
    if (!f.evidence.empty()) details += "Evidence: " + f.evidence + "\n";
    if (!f.remediation.empty()) details += "Remediation: " + f.remediation + "\n";
    if (!f.help_uri.empty()) details += "Help: " + f.help_uri + "\n";
    for (const auto& [key, value] : f.properties) details += key + ": " + value + "\n";
    if (!f.fingerprint.empty()) details += "Fingerprint: " + f.fingerprint + "\n";
    out += "    <testcase" + Attr("classname", f.rule_id) + Attr("name", name) + ">\n";
    out += "      <failure" + Attr("message", f.message.empty() ? f.title : f.message) +
           Attr("type", SeverityName(f.severity)) + ">" + XmlEscape(details, false) +
           "</failure>\n";
    out += "    </testcase>\n";
  }
  if (n == 0)
    out += "    <testcase" + Attr("classname", suite) + Attr("name", "no findings") + "/>\n";
  if (!report.diagnostics.empty()) {
    std::string text;
    for (const Diagnostic& d : report.diagnostics) {
      text += std::string(DiagnosticKindName(d.kind));
      if (!d.path.empty()) text += " " + LocationText(d.path, d.line, d.column, true);
      text += ": " + d.message + "\n";
    }
    out += "    <system-out>" + XmlEscape(text, false) + "</system-out>\n";
  }
  out += "  </testsuite>\n</testsuites>\n";
  return out;
}

// ---- github -------------------------------------------------------------

// @actions/core escapeData: the message after "::". Other C0 controls and
// DEL are dropped (the toolkit passes them through; in a runner log an ESC
// would drive the log viewer's ANSI rendering).
std::string GithubData(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '%':
        out += "%25";
        break;
      case '\r':
        out += "%0D";
        break;
      case '\n':
        out += "%0A";
        break;
      default:
        if ((static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7F) break;
        out += c;
    }
  }
  return out;
}

// @actions/core escapeProperty: a key=value property value.
std::string GithubProperty(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '%':
        out += "%25";
        break;
      case '\r':
        out += "%0D";
        break;
      case '\n':
        out += "%0A";
        break;
      case ':':
        out += "%3A";
        break;
      case ',':
        out += "%2C";
        break;
      default:
        if ((static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7F) break;
        out += c;
    }
  }
  return out;
}

std::string_view GithubCommand(Severity s) {
  switch (s) {
    case Severity::kCritical:
    case Severity::kHigh:
      return "error";
    case Severity::kMedium:
      return "warning";
    case Severity::kLow:
    case Severity::kInfo:
      return "notice";
  }
  return "warning";
}

std::string RenderGithub(const Report& report) {
  std::string out;
  for (const Finding& f : report.findings) {
    const Location& loc = f.location;
    std::vector<std::pair<std::string_view, std::string>> props;
    if (!loc.path.empty()) {
      props.emplace_back("file", loc.path);
      if (loc.line > 0) {
        props.emplace_back("line", std::to_string(loc.line));
        // Columns only make sense (and are only accepted) on a one-line range.
        const bool one_line = loc.end_line == 0 || loc.end_line == loc.line;
        if (one_line && loc.column > 0) props.emplace_back("col", std::to_string(loc.column));
        if (loc.end_line > loc.line) props.emplace_back("endLine", std::to_string(loc.end_line));
        if (one_line && loc.end_column > 0 && loc.end_column > loc.column) {
          props.emplace_back("endColumn", std::to_string(loc.end_column));
        }
      }
    }
    props.emplace_back("title", f.rule_id);
    std::string message = f.message.empty() ? f.title : f.message;
    if (!f.evidence.empty()) message += "\nEvidence: " + f.evidence;
    if (!f.remediation.empty()) message += "\nFix: " + f.remediation;
    out += "::";
    out += GithubCommand(f.severity);
    std::string_view sep = " ";
    for (const auto& [key, value] : props) {
      if (value.empty()) continue;
      out += sep;
      out += key;
      out += '=';
      out += GithubProperty(value);
      sep = ",";
    }
    out += "::" + GithubData(message) + "\n";
  }
  const Counts counts = CountFindings(report);
  const std::string tool = report.tool_name.empty() ? std::string("gatehouse") : report.tool_name;
  std::string summary = report.command.empty() ? tool : tool + " " + report.command;
  summary += ": " + Plural(report.findings.size(), "finding", "findings");
  if (!report.findings.empty()) summary += " (" + SeverityBreakdown(counts) + ")";
  summary += " in " + Plural(report.stats.files_scanned, "file", "files");
  summary += "; " + std::to_string(report.stats.findings_suppressed) + " suppressed";
  summary += "; " + Plural(report.diagnostics.size(), "diagnostic", "diagnostics");
  out += "::notice::" + GithubData(summary) + "\n";
  return out;
}

// ---- markdown -----------------------------------------------------------

bool IsWordChar(char32_t cp) {
  return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9') ||
         cp == '_' || cp == '-' || cp == '.';
}

// '@' that GitHub could read as a mention (not preceded by a word character,
// unlike "user@host" or "checkout@v4"): a zero-width space after it keeps
// the text and drops the notification.
void AppendAt(std::string& out, char32_t prev) { out += IsWordChar(prev) ? "@" : "@&#8203;"; }

// Inline Markdown for GitHub: backslash-escapes Markdown punctuation, entity-
// escapes HTML, turns newlines into <br>, drops other control characters and
// breaks @mentions. Safe inside a table cell.
std::string MarkdownInline(std::string_view s) {
  char32_t prev = 0;
  return MapCodePoints(s, [&prev](std::string& out, char32_t cp) {
    const char32_t before = prev;
    prev = cp;
    switch (cp) {
      case '\\':
      case '`':
      case '*':
      case '_':
      case '[':
      case ']':
      case '|':
      case '~':
      case '#':
      case '!':
        out += '\\';
        out += static_cast<char>(cp);
        return;
      case '<':
        out += "&lt;";
        return;
      case '>':
        out += "&gt;";
        return;
      case '&':
        out += "&amp;";
        return;
      case '@':
        AppendAt(out, before);
        return;
      case '\n':
        out += "<br>";
        return;
      case '\t':
        out += ' ';
        return;
      default:
        if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F)) return;
        AppendUtf8(out, cp);
    }
  });
}

std::string MarkdownText(std::string_view s) { return MarkdownInline(s); }

// Text inside raw HTML (e.g. <summary>): entities only, no Markdown escapes.
std::string HtmlText(std::string_view s) {
  char32_t prev = 0;
  return MapCodePoints(s, [&prev](std::string& out, char32_t cp) {
    const char32_t before = prev;
    prev = cp;
    switch (cp) {
      case '<':
        out += "&lt;";
        return;
      case '>':
        out += "&gt;";
        return;
      case '&':
        out += "&amp;";
        return;
      case '"':
        out += "&quot;";
        return;
      case '@':
        AppendAt(out, before);
        return;
      case '\n':
      case '\t':
        out += ' ';
        return;
      default:
        if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F)) return;
        AppendUtf8(out, cp);
    }
  });
}

// An http(s) URI that can go into [text](uri) as is.
bool IsLinkableUri(std::string_view uri) {
  if (uri.substr(0, 8) != "https://" && uri.substr(0, 7) != "http://") return false;
  for (char c : uri) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7F) return false;
    if (std::string_view("<>\"'`\\()|[]").find(c) != std::string_view::npos) return false;
  }
  return true;
}

std::string RenderMarkdown(const Report& report, const RenderOptions& options) {
  const Counts counts = CountFindings(report);
  const ScanStats& st = report.stats;
  const std::string tool = report.tool_name.empty() ? std::string("gatehouse") : report.tool_name;
  std::string out = "## " + MarkdownInline(Capitalized(tool));
  if (!report.command.empty()) out += " " + MarkdownInline(report.command);
  out += " report\n\n";

  const size_t n = report.findings.size();
  out += n == 0 ? std::string("**No findings.**") : "**" + Plural(n, "finding", "findings") + "**";
  out += " · " + Plural(st.files_scanned, "file", "files") + " scanned (" +
         Megabytes(st.bytes_scanned) + " MB)";
  out += " · " + std::to_string(st.findings_suppressed) + " suppressed";
  out += " · " + Plural(report.diagnostics.size(), "diagnostic", "diagnostics") + "\n\n";

  out += "| Severity | Findings |\n| --- | ---: |\n";
  for (Severity s : kSeveritiesDescending) {
    out += "| " + Capitalized(SeverityName(s)) + " | " + std::to_string(SeverityCount(counts, s)) +
           " |\n";
  }
  out += "\n";

  if (n > 0) {
    // Most severe first (report order within a severity), so a cut keeps
    // what matters.
    std::vector<const Finding*> rows;
    for (const Finding& f : report.findings) rows.push_back(&f);
    std::stable_sort(rows.begin(), rows.end(),
                     [](const Finding* a, const Finding* b) { return a->severity > b->severity; });
    const size_t limit = options.markdown_max_findings == 0
                             ? rows.size()
                             : std::min(rows.size(), options.markdown_max_findings);
    out += "### Findings\n\n| Severity | Rule | Location | Message |\n| --- | --- | --- | --- |\n";
    for (size_t i = 0; i < limit; ++i) {
      const Finding& f = *rows[i];
      const Location& loc = f.location;
      out += "| " + Capitalized(SeverityName(f.severity)) + " | " + MarkdownInline(f.rule_id) +
             " | " + MarkdownInline(LocationText(loc.path, loc.line, 0, false)) + " | " +
             MarkdownInline(f.message.empty() ? f.title : f.message) + " |\n";
    }
    if (limit < rows.size()) {
      out += "\n_" + Plural(rows.size() - limit, "more finding", "more findings") +
             " not shown; the json and sarif reports list them all._\n";
    }
    out += "\n### Rules\n\n";

    const std::map<std::string, const RuleInfo*> infos = RuleInfoById(report);
    std::map<std::string, RuleSummary> rules;
    for (const Finding& f : report.findings) {
      RuleSummary& rule = rules[f.rule_id];
      rule.id = f.rule_id;
      auto it = infos.find(f.rule_id);
      if (it != infos.end()) rule.info = it->second;
      AddToRuleSummary(rule, f);
    }
    for (const auto& [id, rule] : rules) {
      out += "<details>\n<summary>" + HtmlText(id);
      if (rule.Title() != id) out += ": " + HtmlText(rule.Title());
      out += " (" + Plural(rule.count, "finding", "findings") + ", " +
             std::string(SeverityName(rule.max_severity)) + ")</summary>\n\n";
      const std::string_view remediation = rule.Remediation();
      out += "**Remediation:** " +
             (remediation.empty() ? std::string("none given") : MarkdownInline(remediation)) + "\n";
      const std::string_view help = rule.HelpUri();
      if (IsLinkableUri(help)) {
        out += "\n[More information](" + std::string(help) + ")\n";
      } else if (!help.empty()) {
        out += "\nMore information: " + MarkdownInline(help) + "\n";
      }
      out += "\n</details>\n\n";
    }
  }

  out += "Diagnostics: " + std::to_string(report.diagnostics.size());
  if (!report.diagnostics.empty()) {
    out +=
        " (files or rules that could not be processed; the text report lists them with "
        "--verbose)";
  }
  out += "\n";
  return out;
}

}  // namespace

std::string Render(const Report& report, ReportFormat format, const RenderOptions& options) {
  try {
    switch (format) {
      case ReportFormat::kText:
        return RenderText(report, options);
      case ReportFormat::kJson:
        return RenderJson(report);
      case ReportFormat::kSarif:
        return RenderSarif(report, options);
      case ReportFormat::kJunit:
        return RenderJunit(report);
      case ReportFormat::kGithub:
        return RenderGithub(report);
      case ReportFormat::kMarkdown:
        return RenderMarkdown(report, options);
    }
  } catch (const std::exception&) {
    // Only allocation failure can get here (json dumps replace bad UTF-8);
    // an empty report is the honest answer, and no exception escapes.
  }
  return {};
}

}  // namespace gatehouse
