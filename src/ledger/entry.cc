// Ledger entries: RFC 8785 canonical JSON, the entry schema, leaves, time.
//
// Canonical JSON (JCS, RFC 8785) is what makes a leaf reproducible by anyone:
// the same record always serializes to the same bytes, whatever produced
// it. The rules, all implemented below: members sorted by their names'
// UTF-16 code units (not UTF-8 bytes — they differ for characters above
// U+FFFF versus U+E000..U+FFFF); no insignificant whitespace; strings with
// only '"', '\\' and control characters escaped (\b \t \n \f \r by name,
// the rest as \u00xx in lowercase hex), everything else as raw UTF-8;
// numbers as ECMAScript's Number.prototype.toString prints the IEEE 754
// double (shortest round-trip digits; exponent form below 1e-6 and from
// 1e21). Input must be I-JSON: duplicate member names are rejected instead
// of silently keeping one, and integers beyond 2^53 are rejected because a
// double cannot hold them exactly.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <nlohmann/json.hpp>
#include <set>
#include <tuple>

#include "gatehouse/ledger.h"
#include "ledger/internal.h"

namespace gatehouse::ledger {

using nlohmann::json;

namespace {

constexpr int kMaxDepth = 64;
constexpr size_t kMaxPayloadBytes = 1 << 20;

// Thrown inside the nlohmann callback and caught in ParseStrict.
struct StrictJsonError {
  std::string message;
};

void WriteNumber(double v, std::string* out);

// RFC 8785 numbers are IEEE doubles. Reject the ones that would silently
// change: an integer literal a double cannot hold (9007199254740993), or a
// value between 2^53 and 2^64 whose canonical text (shortest round-trip
// digits padded with zeros, e.g. 2^60 -> 1152921504606847000) is not its
// exact value — so that canonical output is always accepted again unchanged.
void CheckNumber(const json& n) {
  constexpr double kTwo53 = 9007199254740992.0;
  constexpr double kTwo64 = 18446744073709551616.0;
  double magnitude;
  if (n.is_number_unsigned()) {
    const uint64_t u = n.get<uint64_t>();
    magnitude = static_cast<double>(u);
    if (magnitude >= kTwo64 || static_cast<uint64_t>(magnitude) != u)
      throw StrictJsonError{"integer " + std::to_string(u) +
                            " cannot be held exactly by an IEEE double (RFC 8785); write it "
                            "as a string"};
  } else if (n.is_number_integer()) {
    const int64_t i = n.get<int64_t>();
    const uint64_t u = i < 0 ? 0 - static_cast<uint64_t>(i) : static_cast<uint64_t>(i);
    magnitude = static_cast<double>(u);
    if (magnitude >= kTwo64 || static_cast<uint64_t>(magnitude) != u)
      throw StrictJsonError{"integer " + std::to_string(i) +
                            " cannot be held exactly by an IEEE double (RFC 8785); write it "
                            "as a string"};
  } else {
    magnitude = std::fabs(n.get<double>());
  }
  if (magnitude > kTwo53 && magnitude < kTwo64) {
    std::string text;
    WriteNumber(magnitude, &text);
    uint64_t printed = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), printed);
    if (ec != std::errc() || end != text.data() + text.size() ||
        printed != static_cast<uint64_t>(magnitude))
      throw StrictJsonError{"number " + text +
                            " is not exact in canonical (RFC 8785) form; write it as a string"};
  }
}

Result<json> ParseStrict(std::string_view text) {
  // nlohmann treats a NUL byte as the end of input; never ignore what follows.
  if (text.find('\0') != std::string_view::npos)
    return MakeError(ErrorCode::kParse, "invalid JSON: NUL byte in input");
  std::vector<std::set<std::string>> keys;
  auto cb = [&keys](int depth, json::parse_event_t event, json& parsed) -> bool {
    switch (event) {
      case json::parse_event_t::object_start:
        if (depth >= kMaxDepth) throw StrictJsonError{"nesting deeper than 64 levels"};
        keys.emplace_back();
        break;
      case json::parse_event_t::array_start:
        if (depth >= kMaxDepth) throw StrictJsonError{"nesting deeper than 64 levels"};
        break;
      case json::parse_event_t::object_end:
        if (!keys.empty()) keys.pop_back();
        break;
      case json::parse_event_t::key:
        if (!keys.empty() && !keys.back().insert(parsed.get<std::string>()).second)
          throw StrictJsonError{"duplicate member name \"" + parsed.get<std::string>() + "\""};
        break;
      case json::parse_event_t::value:
        if (parsed.is_number()) CheckNumber(parsed);
        break;
      default:
        break;
    }
    return true;
  };
  try {
    return json::parse(text.begin(), text.end(), cb, /*allow_exceptions=*/true,
                       /*ignore_comments=*/false);
  } catch (const StrictJsonError& e) {
    return MakeError(ErrorCode::kParse, e.message);
  } catch (const json::exception& e) {
    std::string what = e.what();
    // "[json.exception.parse_error.101] parse error at line 1, column 5: ..." -> the tail.
    if (auto p = what.find("] "); p != std::string::npos) what = what.substr(p + 2);
    return MakeError(ErrorCode::kParse, "invalid JSON: " + what);
  }
}

void WriteString(std::string_view s, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out->push_back('"');
  size_t run = 0;  // start of the pending run of bytes that need no escape
  for (size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out->append(s.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\b':
        out->append("\\b");
        break;
      case '\f':
        out->append("\\f");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      default:
        out->append("\\u00");
        out->push_back(kHex[c >> 4]);
        out->push_back(kHex[c & 15]);
    }
  }
  out->append(s.data() + run, s.size() - run);
  out->push_back('"');
}

// Orders valid UTF-8 strings by their UTF-16 code units, without converting:
// byte order is code point order, which differs from UTF-16 order only
// between supplementary characters (4-byte sequences, lead byte >= 0xF0,
// surrogates D800..DBFF in UTF-16) and U+E000..U+FFFF (lead bytes 0xEE and
// 0xEF), where it must be inverted.
bool Utf16Less(std::string_view a, std::string_view b) {
  const size_t n = std::min(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    const auto x = static_cast<unsigned char>(a[i]);
    const auto y = static_cast<unsigned char>(b[i]);
    if (x == y) continue;
    if (x >= 0xF0 && (y == 0xEE || y == 0xEF)) return true;
    if (y >= 0xF0 && (x == 0xEE || x == 0xEF)) return false;
    return x < y;
  }
  return a.size() < b.size();
}

// ECMAScript Number::toString(x) for finite x (ECMA-262 7.1.12.1), from the
// shortest round-trip digits that std::to_chars produces.
void WriteNumber(double v, std::string* out) {
  if (v == 0) {  // +0 and -0
    out->push_back('0');
    return;
  }
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::scientific);
  std::string_view sci(buf, static_cast<size_t>(res.ptr - buf));  // "-d.ddde+XX"
  if (sci.front() == '-') {
    out->push_back('-');
    sci.remove_prefix(1);
  }
  const size_t epos = sci.find('e');
  std::string digits;
  for (char c : sci.substr(0, epos))
    if (c != '.') digits.push_back(c);
  int exp10 = 0;
  std::from_chars(sci.data() + epos + 1 + (sci[epos + 1] == '+' ? 1 : 0), sci.data() + sci.size(),
                  exp10);
  const int k = static_cast<int>(digits.size());
  const int n = exp10 + 1;  // the decimal point sits after n digits
  if (k <= n && n <= 21) {
    out->append(digits);
    out->append(static_cast<size_t>(n - k), '0');
  } else if (0 < n && n <= 21) {
    out->append(digits, 0, static_cast<size_t>(n));
    out->push_back('.');
    out->append(digits, static_cast<size_t>(n), std::string::npos);
  } else if (-6 < n && n <= 0) {
    out->append("0.");
    out->append(static_cast<size_t>(-n), '0');
    out->append(digits);
  } else {
    const int e = n - 1;
    out->push_back(digits[0]);
    if (k > 1) {
      out->push_back('.');
      out->append(digits, 1, std::string::npos);
    }
    out->push_back('e');
    out->push_back(e < 0 ? '-' : '+');
    out->append(std::to_string(e < 0 ? -e : e));
  }
}

void WriteCanonical(const json& j, std::string* out) {
  switch (j.type()) {
    case json::value_t::null:
      out->append("null");
      break;
    case json::value_t::boolean:
      out->append(j.get<bool>() ? "true" : "false");
      break;
    case json::value_t::number_integer:
      WriteNumber(static_cast<double>(j.get<int64_t>()), out);
      break;
    case json::value_t::number_unsigned:
      WriteNumber(static_cast<double>(j.get<uint64_t>()), out);
      break;
    case json::value_t::number_float:
      WriteNumber(j.get<double>(), out);
      break;
    case json::value_t::string:
      WriteString(j.get_ref<const std::string&>(), out);
      break;
    case json::value_t::array: {
      out->push_back('[');
      bool first = true;
      for (const auto& v : j) {
        if (!first) out->push_back(',');
        first = false;
        WriteCanonical(v, out);
      }
      out->push_back(']');
      break;
    }
    case json::value_t::object: {
      std::vector<std::pair<const std::string*, const json*>> members;
      members.reserve(j.size());
      for (auto it = j.begin(); it != j.end(); ++it) members.emplace_back(&it.key(), &it.value());
      std::sort(members.begin(), members.end(),
                [](const auto& a, const auto& b) { return Utf16Less(*a.first, *b.first); });
      out->push_back('{');
      bool first = true;
      for (const auto& [key, value] : members) {
        if (!first) out->push_back(',');
        first = false;
        WriteString(*key, out);
        out->push_back(':');
        WriteCanonical(*value, out);
      }
      out->push_back('}');
      break;
    }
    default:  // binary and discarded values never come out of the parser
      out->append("null");
  }
}

std::string Canonical(const json& j) {
  std::string out;
  WriteCanonical(j, &out);
  return out;
}

bool ValidKind(std::string_view k) {
  if (k.empty() || k.size() > 63 || k[0] < 'a' || k[0] > 'z') return false;
  for (char c : k)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  return true;
}

// Text fields: no control characters (reason may have newlines and tabs).
Status CheckText(std::string_view field, std::string_view v, size_t max, bool multiline) {
  if (v.size() > max)
    return MakeError(ErrorCode::kInvalidArgument, "\"" + std::string(field) + "\" is longer than " +
                                                      std::to_string(max) + " bytes");
  for (char ch : v) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 && !(multiline && (c == '\n' || c == '\t')))
      return MakeError(ErrorCode::kInvalidArgument,
                       "\"" + std::string(field) + "\" contains a control character");
  }
  return Status::Ok();
}

Error FieldError(std::string message) { return MakeError(ErrorCode::kInvalidArgument, message); }

Result<Approval> ApprovalFromJson(const json& a) {
  if (!a.is_object() || a.size() != 2 || !a.contains("key") || !a.contains("sig") ||
      !a["key"].is_string() || !a["sig"].is_string())
    return FieldError("an approval must be {\"key\": <verifier key>, \"sig\": <base64>}");
  auto key = ParseVerifierKey(a["key"].get<std::string>());
  if (!key.ok()) return FieldError("approval: " + key.error().message);
  auto sig = Base64Decode(a["sig"].get<std::string>());
  if (!sig || sig->size() != 64) return FieldError("approval: \"sig\" must be base64 of 64 bytes");
  return Approval{std::move(*key), std::move(*sig)};
}

json ApprovalsToJson(const std::vector<Approval>& approvals) {
  std::vector<std::pair<std::string, std::string>> sorted;
  for (const auto& a : approvals) sorted.emplace_back(a.key.ToString(), Base64Encode(a.signature));
  std::sort(sorted.begin(), sorted.end());
  json arr = json::array();
  for (auto& [k, s] : sorted) arr.push_back(json{{"key", k}, {"sig", s}});
  return arr;
}

// The canonical JSON of a record, written directly: every member name is
// ASCII, so the RFC 8785 order is plain byte order, fixed below.
std::string RecordCanonical(const EntryRecord& r, bool with_index, bool with_approvals) {
  std::string out;
  out.reserve(192 + r.reason.size() + r.subject.size() +
              (with_approvals ? r.approvals.size() * 160 : 0));
  out.push_back('{');
  auto member = [&](std::string_view key) {
    if (out.size() > 1) out.push_back(',');
    out.push_back('"');
    out.append(key);
    out.append("\":");
  };
  auto text = [&](std::string_view key, const std::string& value, bool always = false) {
    if (value.empty() && !always) return;
    member(key);
    WriteString(value, &out);
  };
  text("actor", r.actor, true);
  if (with_approvals && !r.approvals.empty()) {
    member("approvals");
    out.append(Canonical(ApprovalsToJson(r.approvals)));
  }
  text("expires", r.expires);
  if (with_index) {
    member("index");
    out.append(std::to_string(r.index));
  }
  text("kind", r.kind, true);
  text("payload_sha256", r.payload_sha256);
  text("reason", r.reason);
  text("subject", r.subject);
  text("ticket", r.ticket);
  text("time", r.time, true);
  member("v");
  out.push_back('1');
  out.push_back('}');
  return out;
}

bool IsLowerHex64(std::string_view s) {
  if (s.size() != 64) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

}  // namespace

Result<std::string> CanonicalizeJson(std::string_view text) {
  auto j = ParseStrict(text);
  if (!j.ok()) return j.error();
  return Canonical(*j);
}

// ---- time -------------------------------------------------------------------

std::optional<int64_t> ParseRfc3339(std::string_view s) {
  // YYYY-MM-DDTHH:MM:SS[.f+]Z
  if (s.size() < 20) return std::nullopt;
  auto num = [&](size_t pos, size_t len) -> int {
    int v = 0;
    for (size_t i = pos; i < pos + len; ++i) {
      if (s[i] < '0' || s[i] > '9') return -1;
      v = v * 10 + (s[i] - '0');
    }
    return v;
  };
  const int year = num(0, 4), month = num(5, 2), day = num(8, 2);
  const int hour = num(11, 2), minute = num(14, 2), second = num(17, 2);
  if (year < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0) return std::nullopt;
  if (s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':')
    return std::nullopt;
  size_t pos = 19;
  if (s[pos] == '.') {
    ++pos;
    const size_t start = pos;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') ++pos;
    if (pos == start || pos - start > 9) return std::nullopt;
  }
  if (pos + 1 != s.size() || s[pos] != 'Z') return std::nullopt;
  static constexpr int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (year < 1970 || month < 1 || month > 12 || day < 1 || day > kDays[month - 1] || hour > 23 ||
      minute > 59 || second > 59)
    return std::nullopt;
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  if (month == 2 && day == 29 && !leap) return std::nullopt;
  return DaysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day)) * 86400 +
         hour * 3600 + minute * 60 + second;
}

std::string FormatRfc3339(int64_t t) {
  int64_t days = t >= 0 ? t / 86400 : (t - 86399) / 86400;
  int64_t secs = t - days * 86400;
  // civil_from_days
  days += 719468;
  const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const auto doe = static_cast<unsigned>(days - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
  char buf[96];
  std::snprintf(buf, sizeof(buf), "%04lld-%02u-%02uT%02lld:%02lld:%02lldZ",
                static_cast<long long>(y), m, d, static_cast<long long>(secs / 3600),
                static_cast<long long>(secs / 60 % 60), static_cast<long long>(secs % 60));
  return buf;
}

std::optional<int64_t> ParseDuration(std::string_view s) {
  if (s.empty()) return std::nullopt;
  int64_t total = 0;
  size_t i = 0;
  while (i < s.size()) {
    int64_t n = 0;
    const size_t start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      if (n > 1'000'000'000) return std::nullopt;
      n = n * 10 + (s[i] - '0');
      ++i;
    }
    if (i == start || i == s.size()) return std::nullopt;
    int64_t unit;
    switch (s[i]) {
      case 's':
        unit = 1;
        break;
      case 'm':
        unit = 60;
        break;
      case 'h':
        unit = 3600;
        break;
      case 'd':
        unit = 86400;
        break;
      case 'w':
        unit = 7 * 86400;
        break;
      default:
        return std::nullopt;
    }
    ++i;
    total += n * unit;
    if (total > int64_t{100} * 365 * 86400) return std::nullopt;
  }
  if (total <= 0) return std::nullopt;
  return total;
}

// ---- entries ------------------------------------------------------------------

Result<EntryInput> ParseEntryJson(std::string_view text) {
  auto parsed = ParseStrict(text);
  if (!parsed.ok()) return parsed.error();
  const json& j = *parsed;
  if (!j.is_object()) return FieldError("an entry must be a JSON object");
  EntryInput e;
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string& k = it.key();
    const json& v = it.value();
    auto str = [&](std::string* dst) -> Status {
      if (!v.is_string()) return FieldError("\"" + k + "\" must be a string");
      *dst = v.get<std::string>();
      return Status::Ok();
    };
    Status st;
    if (k == "kind") {
      st = str(&e.kind);
    } else if (k == "actor") {
      st = str(&e.actor);
    } else if (k == "reason") {
      st = str(&e.reason);
    } else if (k == "subject") {
      st = str(&e.subject);
    } else if (k == "time") {
      st = str(&e.time);
    } else if (k == "ticket") {
      st = str(&e.ticket);
    } else if (k == "expires") {
      st = str(&e.expires);
    } else if (k == "payload") {
      e.payload = Canonical(v);
    } else if (k == "approvals") {
      if (!v.is_array()) return FieldError("\"approvals\" must be an array");
      for (const auto& a : v) {
        auto ap = ApprovalFromJson(a);
        if (!ap.ok()) return ap.error();
        e.approvals.push_back(std::move(*ap));
      }
    } else if (k == "v") {
      if (!v.is_number_integer() || v.get<int64_t>() != 1)
        return FieldError("unsupported entry version (\"v\" must be 1)");
    } else if (k == "index") {
      return FieldError("\"index\" is assigned by the ledger and cannot be given");
    } else {
      return FieldError("unknown field \"" + k +
                        "\" (entry fields: kind, actor, reason, subject, time, ticket, expires, "
                        "payload, approvals; put anything else under \"payload\")");
    }
    if (!st.ok()) return st.error();
  }
  if (e.kind.empty()) return FieldError("missing \"kind\"");
  if (e.actor.empty()) return FieldError("missing \"actor\"");
  return e;
}

Result<std::vector<EntryInput>> ParseEntryLines(std::string_view text, std::string_view source) {
  std::vector<EntryInput> out;
  int line_no = 0;
  while (!text.empty()) {
    ++line_no;
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
    auto e = ParseEntryJson(line);
    if (e.ok()) {
      // Schema checks too, so that every input error names its line.
      std::string payload;
      auto rec = RecordFromInput(*e, 0, std::string(16, '\0'), &payload);
      if (!rec.ok()) e = rec.error();
    }
    if (!e.ok()) {
      Error err = e.error();
      err.path = std::string(source);
      err.line = line_no;
      err.column = 0;
      return err;
    }
    out.push_back(std::move(*e));
  }
  return out;
}

std::string LeafBytes(const EntryRecord& r) { return RecordCanonical(r, true, true); }

std::string ApprovalMessage(const EntryRecord& r) {
  return "gatehouse-ledger-approval/v1\n" + RecordCanonical(r, false, false);
}

std::string PayloadDigest(std::string_view salt, std::string_view payload) {
  std::string buf;
  buf.reserve(salt.size() + payload.size());
  buf.append(salt);
  buf.append(payload);
  return HashHex(Sha256(buf));
}

namespace {

Result<EntryRecord> RecordFromJson(const json& j, bool require_index) {
  if (!j.is_object()) return FieldError("leaf is not a JSON object");
  EntryRecord r;
  bool have_v = false, have_index = false;
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string& k = it.key();
    const json& v = it.value();
    std::string* dst = nullptr;
    if (k == "kind") {
      dst = &r.kind;
    } else if (k == "actor") {
      dst = &r.actor;
    } else if (k == "reason") {
      dst = &r.reason;
    } else if (k == "subject") {
      dst = &r.subject;
    } else if (k == "time") {
      dst = &r.time;
    } else if (k == "ticket") {
      dst = &r.ticket;
    } else if (k == "expires") {
      dst = &r.expires;
    } else if (k == "payload_sha256") {
      dst = &r.payload_sha256;
    } else if (k == "v") {
      if (!v.is_number_integer() || v.get<int64_t>() != 1)
        return FieldError("leaf version must be 1");
      have_v = true;
      continue;
    } else if (k == "index") {
      if (!v.is_number_integer() || v.get<int64_t>() < 0)
        return FieldError("leaf index must be a non-negative integer");
      r.index = v.get<uint64_t>();
      have_index = true;
      continue;
    } else if (k == "approvals") {
      if (!v.is_array() || v.empty()) return FieldError("leaf approvals must be a non-empty array");
      for (const auto& a : v) {
        auto ap = ApprovalFromJson(a);
        if (!ap.ok()) return ap.error();
        r.approvals.push_back(std::move(*ap));
      }
      continue;
    } else {
      return FieldError("leaf has unknown field \"" + k + "\"");
    }
    if (!v.is_string()) return FieldError("leaf field \"" + k + "\" must be a string");
    *dst = v.get<std::string>();
  }
  if (!have_v) return FieldError("leaf has no version");
  if (require_index != have_index)
    return FieldError(require_index ? "leaf has no index" : "record must not have an index");
  if (!ValidKind(r.kind)) return FieldError("leaf has an invalid kind");
  if (r.actor.empty()) return FieldError("leaf has no actor");
  if (!ParseRfc3339(r.time)) return FieldError("leaf has an invalid time");
  if (!r.expires.empty() && !ParseRfc3339(r.expires))
    return FieldError("leaf has an invalid expiry");
  if (!r.payload_sha256.empty() && !IsLowerHex64(r.payload_sha256))
    return FieldError("leaf payload_sha256 is not 64 lowercase hex digits");
  return r;
}

}  // namespace

Result<EntryRecord> ParseLeaf(std::string_view leaf) {
  auto j = ParseStrict(leaf);
  if (!j.ok()) return j.error();
  if (Canonical(*j) != leaf) return FieldError("leaf bytes are not in canonical (RFC 8785) form");
  return RecordFromJson(*j, true);
}

// Parses a stored pending body (a record without index and approvals).
Result<EntryRecord> ParsePendingBody(std::string_view body) {
  auto j = ParseStrict(body);
  if (!j.ok()) return j.error();
  return RecordFromJson(*j, false);
}

// Validates an input entry and turns it into a record (index 0, payload
// digest set from `salt`). Used by Ledger::Append.
Result<EntryRecord> RecordFromInput(const EntryInput& in, int64_t now, std::string_view salt,
                                    std::string* canonical_payload) {
  if (!ValidKind(in.kind))
    return FieldError("invalid kind \"" + in.kind +
                      "\": lowercase letters, digits and '-', starting with a letter");
  if (in.actor.empty()) return FieldError("missing \"actor\" (who is doing this)");
  for (auto [name, value, max, multi] :
       {std::tuple<const char*, const std::string*, size_t, bool>{"actor", &in.actor, 256, false},
        {"reason", &in.reason, 4096, true},
        {"subject", &in.subject, 1024, false},
        {"ticket", &in.ticket, 256, false}}) {
    Status st = CheckText(name, *value, max, multi);
    if (!st.ok()) return st.error();
  }
  EntryRecord r;
  r.kind = in.kind;
  r.actor = in.actor;
  r.reason = in.reason;
  r.subject = in.subject;
  r.ticket = in.ticket;
  int64_t t = now;
  if (in.time.empty()) {
    r.time = FormatRfc3339(now);
  } else {
    auto parsed = ParseRfc3339(in.time);
    if (!parsed)
      return FieldError("\"time\" must be RFC 3339 UTC like 2024-05-01T12:00:00Z, got \"" +
                        in.time + "\"");
    r.time = in.time;
    t = *parsed;
  }
  if (!in.expires.empty()) {
    auto e = ParseRfc3339(in.expires);
    if (!e)
      return FieldError("\"expires\" must be RFC 3339 UTC like 2024-05-01T16:00:00Z, got \"" +
                        in.expires + "\"");
    if (*e <= t) return FieldError("\"expires\" must be later than the entry's time");
    r.expires = in.expires;
  }
  if (r.kind == "bypass") {
    if (r.subject.empty()) return FieldError("a bypass needs a \"subject\" (what it exempts)");
    if (r.reason.empty()) return FieldError("a bypass needs a \"reason\"");
    if (r.ticket.empty()) return FieldError("a bypass needs a \"ticket\"");
    if (r.expires.empty()) return FieldError("a bypass needs \"expires\" (it is time-bound)");
  }
  canonical_payload->clear();
  if (!in.payload.empty()) {
    auto c = CanonicalizeJson(in.payload);
    if (!c.ok()) return FieldError("\"payload\": " + c.error().message);
    if (c->size() > kMaxPayloadBytes) return FieldError("\"payload\" is larger than 1 MiB");
    *canonical_payload = std::move(*c);
    r.payload_sha256 = PayloadDigest(salt, *canonical_payload);
  }
  r.approvals = in.approvals;
  return r;
}

std::string ApprovalsJson(const std::vector<Approval>& approvals) {
  return Canonical(ApprovalsToJson(approvals));
}

Result<std::vector<Approval>> ParseApprovalsJson(std::string_view text) {
  auto j = ParseStrict(text);
  if (!j.ok()) return j.error();
  if (!j->is_array()) return FieldError("approvals must be a JSON array");
  std::vector<Approval> out;
  for (const auto& a : *j) {
    auto ap = ApprovalFromJson(a);
    if (!ap.ok()) return ap.error();
    out.push_back(std::move(*ap));
  }
  return out;
}

std::string RetentionPayload(int64_t before, const std::vector<std::string>& kinds,
                             uint64_t count) {
  json j = json::object();
  j["redacted_before"] = FormatRfc3339(before);
  j["kinds"] = kinds;
  j["redacted"] = count;
  return Canonical(j);
}

// ---- policy -------------------------------------------------------------------

bool Policy::RequiresApproval(std::string_view kind) const {
  if (kind == "ledger-policy") return true;  // changing who approves is always dual-control
  return std::find(dual_control.begin(), dual_control.end(), kind) != dual_control.end();
}

std::string PolicyPayload(const Policy& p) {
  json j = json::object();
  json kinds = json::array();
  std::vector<std::string> sorted = p.dual_control;
  std::sort(sorted.begin(), sorted.end());
  sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
  for (const auto& k : sorted) kinds.push_back(k);
  json approvers = json::array();
  std::vector<std::string> keys;
  for (const auto& a : p.approvers) keys.push_back(a.ToString());
  std::sort(keys.begin(), keys.end());
  for (const auto& k : keys) approvers.push_back(k);
  j["dual_control"] = kinds;
  j["approvers"] = approvers;
  j["quorum"] = p.quorum;
  return Canonical(j);
}

Result<Policy> ParsePolicyPayload(std::string_view text) {
  auto parsed = ParseStrict(text);
  if (!parsed.ok()) return parsed.error();
  const json& j = *parsed;
  if (!j.is_object()) return FieldError("a ledger policy must be a JSON object");
  Policy p;
  p.dual_control.clear();
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string& k = it.key();
    const json& v = it.value();
    if (k == "dual_control") {
      if (!v.is_array()) return FieldError("policy \"dual_control\" must be a list of kinds");
      for (const auto& kind : v) {
        if (!kind.is_string() || !ValidKind(kind.get<std::string>()))
          return FieldError("policy \"dual_control\" has an invalid kind");
        p.dual_control.push_back(kind.get<std::string>());
      }
    } else if (k == "approvers") {
      if (!v.is_array()) return FieldError("policy \"approvers\" must be a list of verifier keys");
      for (const auto& a : v) {
        if (!a.is_string()) return FieldError("policy approvers must be verifier key strings");
        auto key = ParseVerifierKey(a.get<std::string>());
        if (!key.ok()) return FieldError("policy approver: " + key.error().message);
        if (key->type != KeyType::kEd25519)
          return FieldError("policy approver " + key->Label() + " is not an Ed25519 (0x01) key");
        for (const auto& other : p.approvers)
          if (other.public_key == key->public_key)
            return FieldError("policy lists approver key " + key->Label() + " twice");
        p.approvers.push_back(std::move(*key));
      }
    } else if (k == "quorum") {
      if (!v.is_number_integer() || v.get<int64_t>() < 2 || v.get<int64_t>() > 100)
        return FieldError("policy \"quorum\" must be an integer from 2 to 100");
      p.quorum = static_cast<int>(v.get<int64_t>());
    } else {
      return FieldError("policy has unknown field \"" + k + "\"");
    }
  }
  if (!p.approvers.empty() && static_cast<int>(p.approvers.size()) < p.quorum)
    return FieldError("policy lists " + std::to_string(p.approvers.size()) +
                      " approvers but needs a quorum of " + std::to_string(p.quorum));
  return p;
}

}  // namespace gatehouse::ledger
