// Shared helpers for the builtin group files (src/rego/builtins_<group>.cc)
// and the pure Go-compatible algorithms they are built on (implemented in
// src/rego/builtin_*.cc), exposed for unit tests.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "rego/builtins.h"
#include "rego/value.h"

namespace gatehouse::rego {

// Re-indents compact JSON as Go's json.Indent(prefix, indent) does, with
// ": " after keys as json.MarshalIndent writes them.
std::string IndentJson(const std::string& compact, const std::string& prefix,
                       const std::string& indent);

// ---- Argument helpers -----------------------------------------------------
// "one of {array, set}" style type lists use OPA's spelling.
inline BuiltinResult WantString(int operand, const Value& v) {
  return BuiltinResult::OperandError(operand, "string", v);
}

// An integral number argument (3 or 3.0); false for 3.5 or non-numbers.
inline bool IntArg(const Value& v, int64_t* out) { return v.IsNumber() && v.GetInt(out); }

// Strings of an array or set argument; false if any element is not a string.
bool StringItems(const Value& v, std::vector<std::string_view>* out);

// UTF-8: byte offsets of each rune start (invalid bytes count as one rune
// each, as Go's range loop does), plus a final entry == s.size().
std::vector<size_t> RuneOffsets(std::string_view s);
// Decodes the rune at s[i] (U+FFFD for an invalid byte); sets *len.
uint32_t DecodeRune(std::string_view s, size_t i, size_t* len);

// ---- Go-compatible algorithms (pure, unit-tested) -------------------------

// fmt.Sprintf over OPA's argument conversion (builtin_sprintf.cc).
std::string GoSprintf(std::string_view format, std::span<const Value> args);
// strconv.Quote.
std::string GoQuote(std::string_view s);
// Go's %v / strconv 'g' shortest formatting of a float64 (exponent at 21).
std::string GoFloatV(double d);

// Go text/template subset (builtin_template.cc).
Result<std::string> RenderGoTemplate(std::string_view tmpl, const Value& vars);

// Glob → RE2 pattern (builtin_glob.cc). Delimiters are single characters or
// strings; an empty list means no delimiters.
Result<std::string> GlobToRegex(std::string_view pattern, const std::vector<std::string>& delims);
std::string GlobQuoteMeta(std::string_view s);

// Time (builtin_time.cc). Nanoseconds since the Unix epoch, UTC offsets in
// seconds.
struct CivilTime {
  int64_t year = 1970;
  int month = 1;  // 1..12
  int day = 1;    // 1..31
  int hour = 0, minute = 0, second = 0;
  int64_t nanos = 0;
  int weekday = 4;  // 0 = Sunday
  int yday = 1;     // 1..366
  int offset = 0;   // seconds east of UTC
  std::string zone = "UTC";
};
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d);
void CivilFromDays(int64_t z, int64_t* y, unsigned* m, unsigned* d);
CivilTime CivilFromUnixNanos(int64_t ns, int offset, std::string zone);
// Go time.ParseDuration → nanoseconds.
Result<int64_t> ParseGoDuration(std::string_view s);
// Go time.Parse(layout, value) → ns.
Result<int64_t> ParseGoTime(std::string_view layout, std::string_view value);
// Go Time.Format(layout).
std::string FormatGoTime(const CivilTime& t, std::string_view layout);
// Resolves a zone name ("UTC", "", "Local", IANA name via /usr/share/zoneinfo)
// to its UTC offset and abbreviation at instant ns.
Result<std::pair<int, std::string>> ZoneOffsetAt(std::string_view zone, int64_t ns);

// units.parse / units.parse_bytes (builtin_misc.cc).
Result<double> ParseUnits(std::string_view s);
Result<double> ParseUnitsBytes(std::string_view s);
// semver: compare (-1, 0, 1) and validity (builtin_misc.cc).
bool SemverValid(std::string_view v);
std::optional<int> SemverCompare(std::string_view a, std::string_view b);

// CIDR math (builtin_net.cc).
struct IpNet {
  bool v6 = false;
  uint8_t addr[16] = {};  // network-order bytes; IPv4 uses the first 4
  int prefix = 0;
};
std::optional<IpNet> ParseIp(std::string_view s);    // a bare address (/32 or /128)
std::optional<IpNet> ParseCidr(std::string_view s);  // addr/prefix (address kept as given)
std::string FormatIp(const IpNet& n);                // address only
std::string FormatCidr(const IpNet& n);              // network/prefix (masked)

// Encodings (builtin_encoding.cc).
std::string Base64Encode(std::string_view in, bool url, bool pad);
std::optional<std::string> Base64Decode(std::string_view in, bool url);
std::string UrlQueryEscape(std::string_view s);
Result<std::string> UrlQueryUnescape(std::string_view s);

}  // namespace gatehouse::rego
