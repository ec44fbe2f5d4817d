// Shared base: error names, finding enums, hashing, parallel loops, sizes.
#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <thread>
#include <vector>

#include "gatehouse/base.h"
#include "gatehouse/finding.h"
#include "gatehouse/result.h"

namespace gatehouse {

const char* ErrorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument:
      return "invalid_argument";
    case ErrorCode::kNotFound:
      return "not_found";
    case ErrorCode::kIo:
      return "io_error";
    case ErrorCode::kParse:
      return "parse_error";
    case ErrorCode::kConfig:
      return "config_error";
    case ErrorCode::kUnsupported:
      return "unsupported";
    case ErrorCode::kInternal:
      return "internal_error";
  }
  return "error";
}

std::string Error::ToString() const {
  std::string out;
  if (!path.empty()) {
    out += path;
    if (line > 0) {
      out += ":" + std::to_string(line);
      if (column > 0) out += ":" + std::to_string(column);
    }
    out += ": ";
  }
  out += message;
  return out;
}

// ---- finding enums --------------------------------------------------------

namespace {
constexpr std::array<std::string_view, 5> kSeverityNames = {"info", "low", "medium", "high",
                                                            "critical"};
constexpr std::array<std::string_view, 3> kConfidenceNames = {"low", "medium", "high"};
struct AreaRow {
  Area area;
  std::string_view id;
  std::string_view name;
};
constexpr std::array<AreaRow, 9> kAreas = {{
    {Area::kRepoHygiene, "repo-hygiene", "Repo hygiene & docs"},
    {Area::kCiCd, "ci-cd", "CI/CD pipeline quality"},
    {Area::kProgressiveDelivery, "progressive-delivery", "Progressive delivery & rollback"},
    {Area::kObservability, "observability", "Observability & SLOs"},
    {Area::kSecurity, "security", "Security & compliance"},
    {Area::kIac, "iac", "IaC (Helm/Terraform/K8s)"},
    {Area::kTesting, "testing", "Testing"},
    {Area::kRelease, "release", "Release management"},
    {Area::kDr, "dr", "DR/BCP"},
}};
}  // namespace

std::string_view SeverityName(Severity s) { return kSeverityNames[static_cast<int>(s)]; }
std::optional<Severity> ParseSeverity(std::string_view s) {
  std::string lower = AsciiLower(s);
  for (size_t i = 0; i < kSeverityNames.size(); ++i)
    if (lower == kSeverityNames[i]) return static_cast<Severity>(i);
  if (lower == "none") return std::nullopt;
  return std::nullopt;
}
std::string_view ConfidenceName(Confidence c) { return kConfidenceNames[static_cast<int>(c)]; }
std::optional<Confidence> ParseConfidence(std::string_view s) {
  std::string lower = AsciiLower(s);
  for (size_t i = 0; i < kConfidenceNames.size(); ++i)
    if (lower == kConfidenceNames[i]) return static_cast<Confidence>(i);
  return std::nullopt;
}
std::string_view AreaId(Area a) { return kAreas[static_cast<int>(a)].id; }
std::string_view AreaName(Area a) { return kAreas[static_cast<int>(a)].name; }
std::optional<Area> ParseArea(std::string_view s) {
  for (const auto& row : kAreas)
    if (row.id == s) return row.area;
  return std::nullopt;
}

std::string_view DiagnosticKindName(DiagnosticKind k) {
  switch (k) {
    case DiagnosticKind::kUnreadable:
      return "unreadable";
    case DiagnosticKind::kTooLarge:
      return "too-large";
    case DiagnosticKind::kBinary:
      return "binary";
    case DiagnosticKind::kSymlink:
      return "symlink";
    case DiagnosticKind::kParse:
      return "parse";
    case DiagnosticKind::kRule:
      return "rule";
    case DiagnosticKind::kConfig:
      return "config";
    case DiagnosticKind::kNote:
      return "note";
  }
  return "note";
}

bool FindingLess(const Finding& a, const Finding& b) {
  if (a.location.path != b.location.path) return a.location.path < b.location.path;
  if (a.location.line != b.location.line) return a.location.line < b.location.line;
  if (a.location.column != b.location.column) return a.location.column < b.location.column;
  if (a.rule_id != b.rule_id) return a.rule_id < b.rule_id;
  auto ca = a.properties.find("commit"), cb = b.properties.find("commit");
  std::string_view sa = ca == a.properties.end() ? "" : std::string_view(ca->second);
  std::string_view sb = cb == b.properties.end() ? "" : std::string_view(cb->second);
  if (sa != sb) return sa < sb;
  return a.fingerprint < b.fingerprint;
}

void SortFindings(std::vector<Finding>& findings) {
  std::stable_sort(findings.begin(), findings.end(), FindingLess);
}

// ---- hashing --------------------------------------------------------------

std::string HexEncode(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.resize(bytes.size() * 2);
  for (size_t i = 0; i < bytes.size(); ++i) {
    auto c = static_cast<unsigned char>(bytes[i]);
    out[2 * i] = kHex[c >> 4];
    out[2 * i + 1] = kHex[c & 15];
  }
  return out;
}

std::string Sha256Hex(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr);
  return HexEncode(std::string_view(reinterpret_cast<const char*>(md), len));
}

uint32_t Crc32(std::string_view data) {
  static const std::array<uint32_t, 256> table = [] {
    std::array<uint32_t, 256> t{};
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      t[i] = c;
    }
    return t;
  }();
  uint32_t crc = 0xFFFFFFFFu;
  for (unsigned char c : data) crc = table[(crc ^ c) & 0xFF] ^ (crc >> 8);
  return crc ^ 0xFFFFFFFFu;
}

// ---- threads, sizes, time -------------------------------------------------

unsigned DefaultThreads() {
  unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : n;
}

void ParallelFor(size_t n, unsigned threads, const std::function<void(size_t)>& fn) {
  if (threads == 0) threads = DefaultThreads();
  if (threads <= 1 || n <= 1) {
    for (size_t i = 0; i < n; ++i) fn(i);
    return;
  }
  std::atomic<size_t> next{0};
  auto worker = [&] {
    for (size_t i = next.fetch_add(1, std::memory_order_relaxed); i < n;
         i = next.fetch_add(1, std::memory_order_relaxed))
      fn(i);
  };
  std::vector<std::thread> pool;
  unsigned extra = static_cast<unsigned>(std::min<size_t>(threads, n)) - 1;
  pool.reserve(extra);
  for (unsigned t = 0; t < extra; ++t) pool.emplace_back(worker);
  worker();
  for (auto& t : pool) t.join();
}

std::optional<uint64_t> ParseSize(std::string_view text) {
  size_t i = 0;
  uint64_t value = 0;
  if (text.empty()) return std::nullopt;
  while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
    uint64_t next = value * 10 + static_cast<uint64_t>(text[i] - '0');
    if (next / 10 != value) return std::nullopt;  // overflow
    value = next;
    ++i;
  }
  if (i == 0) return std::nullopt;
  while (i < text.size() && text[i] == ' ') ++i;
  std::string unit = AsciiLower(text.substr(i));
  uint64_t mult = 1;
  if (unit.empty() || unit == "b")
    mult = 1;
  else if (unit == "k" || unit == "kb" || unit == "kib")
    mult = 1ull << 10;
  else if (unit == "m" || unit == "mb" || unit == "mib")
    mult = 1ull << 20;
  else if (unit == "g" || unit == "gb" || unit == "gib")
    mult = 1ull << 30;
  else
    return std::nullopt;
  if (value > UINT64_MAX / mult) return std::nullopt;
  return value * mult;
}

double MonotonicSeconds() {
  using Clock = std::chrono::steady_clock;
  return std::chrono::duration<double>(Clock::now().time_since_epoch()).count();
}

double ShannonEntropy(std::string_view s) {
  if (s.empty()) return 0;
  std::array<uint32_t, 256> counts{};
  for (unsigned char c : s) ++counts[c];
  double h = 0, n = static_cast<double>(s.size());
  for (uint32_t c : counts) {
    if (c == 0) continue;
    double p = c / n;
    h -= p * std::log2(p);
  }
  return h;
}

void AppendJsonString(std::string& out, std::string_view s, bool escape_html) {
  out.push_back('"');
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default:
        if (c < 0x20 || (escape_html && (c == '<' || c == '>' || c == '&'))) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
  }
  out.push_back('"');
}

void AppendUtf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

}  // namespace gatehouse
