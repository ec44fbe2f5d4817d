// Go time semantics for the time.* builtins: civil calendar math, Go
// reference-time layouts, durations, and zone lookup.
//
// Calendar. Days ↔ (year, month, day) use Howard Hinnant's "days from
// civil" algorithm on the proleptic Gregorian calendar (valid for any
// int64 day count we can produce), so no table or libc time zone state is
// involved and results are thread-safe.
//
// Layouts. Go formats and parses by example: the layout spells the
// reference time Mon Jan 2 15:04:05 MST 2006 (-0700) in the wanted style.
// We scan a layout into tokens the same way Go's nextStdChunk does —
// longest match at each position: "2006" "06" "January" "Jan" "01" "1"
// "Monday" "Mon" "02" "_2" "2" "002" "__2" "15" "03" "3" "04" "4" "05" "5"
// "PM" "pm" "MST" "Z070000" "Z07:00:00" "Z0700" "Z07:00" "Z07" "-070000"
// "-07:00:00" "-0700" "-07:00" "-07", and fractional seconds ".000"/",000"
// (fixed width) or ".999" (trailing zeros trimmed) — and format or parse
// token by token. Parsing follows Go's rules: a fractional second may follow
// "05" even when the layout has none; "Z" stands for UTC in Z-layouts; an
// unknown zone abbreviation is accepted with offset 0 (as Go does when the
// abbreviation is not the local zone's).
//
// Durations follow time.ParseDuration: a signed sequence of decimal numbers
// with units ns, us (µs, μs), ms, s, m, h; "0" alone is allowed.
//
// Zones. "UTC" and "" are UTC; "Local" is the process TZ (from the TZif file
// named by $TZ or /etc/localtime); other names are read from the IANA
// database in /usr/share/zoneinfo (TZif v1/v2 transition tables, RFC 8536).
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>

#include "rego/builtin_util.h"

namespace gatehouse::rego {

int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

void CivilFromDays(int64_t z, int64_t* y, unsigned* m, unsigned* d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t yy = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = yy + (*m <= 2);
}

namespace {

int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

bool IsLeap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

const char* kMonths[] = {"January", "February", "March",     "April",   "May",      "June",
                         "July",    "August",   "September", "October", "November", "December"};
const char* kDays[] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                       "Thursday", "Friday", "Saturday"};

}  // namespace

CivilTime CivilFromUnixNanos(int64_t ns, int offset, std::string zone) {
  CivilTime t;
  int64_t secs = FloorDiv(ns, 1000000000) + offset;
  t.nanos = ns - FloorDiv(ns, 1000000000) * 1000000000;
  int64_t days = FloorDiv(secs, 86400);
  int64_t rem = secs - days * 86400;
  int64_t y;
  unsigned m, d;
  CivilFromDays(days, &y, &m, &d);
  t.year = y;
  t.month = static_cast<int>(m);
  t.day = static_cast<int>(d);
  t.hour = static_cast<int>(rem / 3600);
  t.minute = static_cast<int>(rem / 60 % 60);
  t.second = static_cast<int>(rem % 60);
  t.weekday = static_cast<int>(((days % 7) + 11) % 7);  // 1970-01-01 was a Thursday (4)
  t.yday = static_cast<int>(days - DaysFromCivil(y, 1, 1)) + 1;
  t.offset = offset;
  t.zone = std::move(zone);
  return t;
}

// ---- Layout tokens ------------------------------------------------------------

namespace {

enum class Std {
  kNone,
  kLongMonth,
  kMonth,
  kNumMonth,
  kZeroMonth,
  kLongWeekDay,
  kWeekDay,
  kDay,
  kUnderDay,
  kZeroDay,
  kUnderYearDay,
  kZeroYearDay,
  kHour,
  kHour12,
  kZeroHour12,
  kMinute,
  kZeroMinute,
  kSecond,
  kZeroSecond,
  kLongYear,
  kYear,
  kPM,
  kpm,
  kTZ,
  kISO8601TZ,
  kISO8601SecondsTZ,
  kISO8601ShortTZ,
  kISO8601ColonTZ,
  kISO8601ColonSecondsTZ,
  kNumTZ,
  kNumSecondsTz,
  kNumShortTZ,
  kNumColonTZ,
  kNumColonSecondsTZ,
  kFracSecond0,
  kFracSecond9,
};

struct Chunk {
  std::string_view prefix;
  Std std = Std::kNone;
  int frac_digits = 0;
  char frac_sep = '.';
  std::string_view suffix;
};

bool StartsWithLower(std::string_view s) { return !s.empty() && s[0] >= 'a' && s[0] <= 'z'; }

bool IsDigit(std::string_view s, size_t i) { return i < s.size() && s[i] >= '0' && s[i] <= '9'; }

// Finds the first std token in layout: prefix, token, rest.
Chunk NextChunk(std::string_view layout) {
  Chunk c;
  for (size_t i = 0; i < layout.size(); ++i) {
    std::string_view s = layout.substr(i);
    auto hit = [&](Std st, size_t len) {
      c.prefix = layout.substr(0, i);
      c.std = st;
      c.suffix = layout.substr(i + len);
      return true;
    };
    switch (layout[i]) {
      case 'J':
        if (s.starts_with("Jan")) {
          if (s.starts_with("January") && hit(Std::kLongMonth, 7)) return c;
          if (!StartsWithLower(s.substr(3)) && hit(Std::kMonth, 3)) return c;
        }
        break;
      case 'M':
        if (s.starts_with("Mon")) {
          if (s.starts_with("Monday") && hit(Std::kLongWeekDay, 6)) return c;
          if (!StartsWithLower(s.substr(3)) && hit(Std::kWeekDay, 3)) return c;
        }
        if (s.starts_with("MST") && hit(Std::kTZ, 3)) return c;
        break;
      case '0':
        if (s.size() >= 2 && s[1] >= '1' && s[1] <= '6') {
          static const Std k[] = {Std::kZeroMonth,  Std::kZeroDay,    Std::kZeroHour12,
                                  Std::kZeroMinute, Std::kZeroSecond, Std::kYear};
          if (hit(k[s[1] - '1'], 2)) return c;
        }
        if (s.starts_with("002") && hit(Std::kZeroYearDay, 3)) return c;
        break;
      case '1':
        if (s.starts_with("15") && hit(Std::kHour, 2)) return c;
        if (hit(Std::kNumMonth, 1)) return c;
        break;
      case '2':
        if (s.starts_with("2006") && hit(Std::kLongYear, 4)) return c;
        if (hit(Std::kDay, 1)) return c;
        break;
      case '_':
        if (s.starts_with("_2")) {
          if (s.starts_with("_2006")) {
            // "_" followed by a long year: literal underscore.
            c.prefix = layout.substr(0, i + 1);
            c.std = Std::kLongYear;
            c.suffix = layout.substr(i + 5);
            return c;
          }
          if (hit(Std::kUnderDay, 2)) return c;
        }
        if (s.starts_with("__2") && hit(Std::kUnderYearDay, 3)) return c;
        break;
      case '3':
        if (hit(Std::kHour12, 1)) return c;
        break;
      case '4':
        if (hit(Std::kMinute, 1)) return c;
        break;
      case '5':
        if (hit(Std::kSecond, 1)) return c;
        break;
      case 'P':
        if (s.starts_with("PM") && hit(Std::kPM, 2)) return c;
        break;
      case 'p':
        if (s.starts_with("pm") && hit(Std::kpm, 2)) return c;
        break;
      case '-':
        if (s.starts_with("-070000") && hit(Std::kNumSecondsTz, 7)) return c;
        if (s.starts_with("-07:00:00") && hit(Std::kNumColonSecondsTZ, 9)) return c;
        if (s.starts_with("-0700") && hit(Std::kNumTZ, 5)) return c;
        if (s.starts_with("-07:00") && hit(Std::kNumColonTZ, 6)) return c;
        if (s.starts_with("-07") && hit(Std::kNumShortTZ, 3)) return c;
        break;
      case 'Z':
        if (s.starts_with("Z070000") && hit(Std::kISO8601SecondsTZ, 7)) return c;
        if (s.starts_with("Z07:00:00") && hit(Std::kISO8601ColonSecondsTZ, 9)) return c;
        if (s.starts_with("Z0700") && hit(Std::kISO8601TZ, 5)) return c;
        if (s.starts_with("Z07:00") && hit(Std::kISO8601ColonTZ, 6)) return c;
        if (s.starts_with("Z07") && hit(Std::kISO8601ShortTZ, 3)) return c;
        break;
      case '.':
      case ',':
        if (i + 1 < layout.size() && (layout[i + 1] == '0' || layout[i + 1] == '9')) {
          char ch = layout[i + 1];
          size_t j = i + 1;
          while (j < layout.size() && layout[j] == ch) ++j;
          if (!IsDigit(layout, j)) {
            c.prefix = layout.substr(0, i);
            c.std = ch == '0' ? Std::kFracSecond0 : Std::kFracSecond9;
            c.frac_digits = static_cast<int>(j - (i + 1));
            c.frac_sep = layout[i];
            c.suffix = layout.substr(j);
            return c;
          }
        }
        break;
      default:
        break;
    }
  }
  c.prefix = layout;
  c.std = Std::kNone;
  return c;
}

std::string Pad(int64_t v, int width, char fill = '0') {
  bool neg = v < 0;
  std::string s = std::to_string(neg ? -v : v);
  while (static_cast<int>(s.size()) < width) s.insert(s.begin(), fill);
  return neg ? "-" + s : s;
}

std::string ZoneText(int offset, Std st) {
  bool z = st == Std::kISO8601TZ || st == Std::kISO8601SecondsTZ || st == Std::kISO8601ShortTZ ||
           st == Std::kISO8601ColonTZ || st == Std::kISO8601ColonSecondsTZ;
  if (z && offset == 0) return "Z";
  int zone = offset / 60;
  int abs_off = std::abs(offset);
  std::string out = zone < 0 || offset < 0 ? "-" : "+";
  int h = std::abs(zone) / 60, m = std::abs(zone) % 60;
  out += Pad(h, 2);
  bool colon = st == Std::kISO8601ColonTZ || st == Std::kNumColonTZ ||
               st == Std::kISO8601ColonSecondsTZ || st == Std::kNumColonSecondsTZ;
  bool short_tz = st == Std::kISO8601ShortTZ || st == Std::kNumShortTZ;
  if (!short_tz) {
    if (colon) out += ':';
    out += Pad(m, 2);
  }
  bool secs = st == Std::kISO8601SecondsTZ || st == Std::kNumSecondsTz ||
              st == Std::kISO8601ColonSecondsTZ || st == Std::kNumColonSecondsTZ;
  if (secs) {
    if (colon) out += ':';
    out += Pad(abs_off % 60, 2);
  }
  return out;
}

}  // namespace

std::string FormatGoTime(const CivilTime& t, std::string_view layout) {
  std::string out;
  while (!layout.empty()) {
    Chunk c = NextChunk(layout);
    out += c.prefix;
    if (c.std == Std::kNone) break;
    layout = c.suffix;
    switch (c.std) {
      case Std::kYear:
        out += Pad(((t.year % 100) + 100) % 100, 2);
        break;
      case Std::kLongYear:
        out += Pad(t.year, 4);
        break;
      case Std::kMonth:
        out += std::string(kMonths[t.month - 1]).substr(0, 3);
        break;
      case Std::kLongMonth:
        out += kMonths[t.month - 1];
        break;
      case Std::kNumMonth:
        out += std::to_string(t.month);
        break;
      case Std::kZeroMonth:
        out += Pad(t.month, 2);
        break;
      case Std::kWeekDay:
        out += std::string(kDays[t.weekday]).substr(0, 3);
        break;
      case Std::kLongWeekDay:
        out += kDays[t.weekday];
        break;
      case Std::kDay:
        out += std::to_string(t.day);
        break;
      case Std::kUnderDay:
        out += Pad(t.day, 2, ' ');
        break;
      case Std::kZeroDay:
        out += Pad(t.day, 2);
        break;
      case Std::kUnderYearDay:
        out += Pad(t.yday, 3, ' ');
        break;
      case Std::kZeroYearDay:
        out += Pad(t.yday, 3);
        break;
      case Std::kHour:
        out += Pad(t.hour, 2);
        break;
      case Std::kHour12:
        out += std::to_string(t.hour % 12 == 0 ? 12 : t.hour % 12);
        break;
      case Std::kZeroHour12:
        out += Pad(t.hour % 12 == 0 ? 12 : t.hour % 12, 2);
        break;
      case Std::kMinute:
        out += std::to_string(t.minute);
        break;
      case Std::kZeroMinute:
        out += Pad(t.minute, 2);
        break;
      case Std::kSecond:
        out += std::to_string(t.second);
        break;
      case Std::kZeroSecond:
        out += Pad(t.second, 2);
        break;
      case Std::kPM:
        out += t.hour >= 12 ? "PM" : "AM";
        break;
      case Std::kpm:
        out += t.hour >= 12 ? "pm" : "am";
        break;
      case Std::kTZ:
        if (!t.zone.empty()) {
          out += t.zone;
        } else {
          int m = t.offset / 60;
          out += (m < 0 ? "-" : "+") + Pad(std::abs(m) / 60, 2) + Pad(std::abs(m) % 60, 2);
        }
        break;
      case Std::kFracSecond0:
      case Std::kFracSecond9: {
        std::string digits = Pad(t.nanos, 9).substr(0, static_cast<size_t>(c.frac_digits));
        if (c.std == Std::kFracSecond9) {
          while (!digits.empty() && digits.back() == '0') digits.pop_back();
          if (digits.empty()) break;
        }
        out += c.frac_sep;
        out += digits;
        break;
      }
      default:
        out += ZoneText(t.offset, c.std);
    }
  }
  return out;
}

// ---- Parsing ------------------------------------------------------------------

namespace {

Error ParseErr(std::string_view value, std::string_view layout, std::string what) {
  return MakeError(ErrorCode::kInvalidArgument, "parsing time \"" + std::string(value) +
                                                    "\" as \"" + std::string(layout) +
                                                    "\": cannot parse " + what);
}

bool TakeDigits(std::string_view* s, int min, int max, int64_t* out) {
  size_t n = 0;
  while (n < s->size() && n < static_cast<size_t>(max) && IsDigit(*s, n)) ++n;
  if (n < static_cast<size_t>(min)) return false;
  *out = std::stoll(std::string(s->substr(0, n)));
  s->remove_prefix(n);
  return true;
}

bool TakeName(std::string_view* s, const char* const* names, int count, size_t len, int* out) {
  for (int i = 0; i < count; ++i) {
    std::string n = names[i];
    if (len) n = n.substr(0, len);
    if (s->size() >= n.size()) {
      bool eq = true;
      for (size_t k = 0; k < n.size() && eq; ++k) {
        eq = std::tolower(static_cast<unsigned char>((*s)[k])) ==
             std::tolower(static_cast<unsigned char>(n[k]));
      }
      if (eq) {
        *out = i;
        s->remove_prefix(n.size());
        return true;
      }
    }
  }
  return false;
}

}  // namespace

Result<int64_t> ParseGoTime(std::string_view layout_in, std::string_view value_in) {
  std::string_view layout = layout_in, value = value_in;
  int64_t year = 1, month = 1, day = 1, hour = 0, minute = 0, second = 0, nanos = 0, yday = -1;
  bool pm_set = false, pm = false;
  std::optional<int> offset;
  while (true) {
    Chunk c = NextChunk(layout);
    std::string_view prefix = c.prefix;
    // Literal prefix must match (Go skips over spaces flexibly only for prefix spaces).
    if (!value.starts_with(prefix)) {
      return ParseErr(value_in, layout_in,
                      "\"" + std::string(value) + "\" as \"" + std::string(prefix) + "\"");
    }
    value.remove_prefix(prefix.size());
    if (c.std == Std::kNone) {
      if (!value.empty()) {
        return MakeError(ErrorCode::kInvalidArgument, "parsing time \"" + std::string(value_in) +
                                                          "\": extra text: \"" +
                                                          std::string(value) + "\"");
      }
      break;
    }
    layout = c.suffix;
    std::string_view before = value;
    bool ok = true;
    int idx = 0;
    switch (c.std) {
      case Std::kYear: {
        int64_t y = 0;
        ok = value.size() >= 2 && TakeDigits(&value, 2, 2, &y);
        year = y >= 69 ? y + 1900 : y + 2000;
        break;
      }
      case Std::kLongYear:
        ok = value.size() >= 4 && TakeDigits(&value, 4, 4, &year);
        break;
      case Std::kMonth:
        ok = TakeName(&value, kMonths, 12, 3, &idx);
        month = idx + 1;
        break;
      case Std::kLongMonth:
        ok = TakeName(&value, kMonths, 12, 0, &idx);
        month = idx + 1;
        break;
      case Std::kNumMonth:
      case Std::kZeroMonth:
        ok = TakeDigits(&value, c.std == Std::kZeroMonth ? 2 : 1, 2, &month) && month >= 1 &&
             month <= 12;
        break;
      case Std::kWeekDay:
        ok = TakeName(&value, kDays, 7, 3, &idx);
        break;
      case Std::kLongWeekDay:
        ok = TakeName(&value, kDays, 7, 0, &idx);
        break;
      case Std::kDay:
      case Std::kUnderDay:
      case Std::kZeroDay:
        if (c.std == Std::kUnderDay && value.starts_with(" ")) value.remove_prefix(1);
        ok = TakeDigits(&value, c.std == Std::kZeroDay ? 2 : 1, 2, &day) && day >= 1 && day <= 31;
        break;
      case Std::kUnderYearDay:
      case Std::kZeroYearDay:
        while (c.std == Std::kUnderYearDay && value.starts_with(" ")) value.remove_prefix(1);
        ok = TakeDigits(&value, c.std == Std::kZeroYearDay ? 3 : 1, 3, &yday) && yday >= 1 &&
             yday <= 366;
        break;
      case Std::kHour:
        ok = TakeDigits(&value, 2, 2, &hour) && hour < 24;
        break;
      case Std::kHour12:
      case Std::kZeroHour12:
        ok = TakeDigits(&value, c.std == Std::kZeroHour12 ? 2 : 1, 2, &hour) && hour <= 12;
        break;
      case Std::kMinute:
      case Std::kZeroMinute:
        ok = TakeDigits(&value, c.std == Std::kZeroMinute ? 2 : 1, 2, &minute) && minute < 60;
        break;
      case Std::kSecond:
      case Std::kZeroSecond: {
        ok = TakeDigits(&value, c.std == Std::kZeroSecond ? 2 : 1, 2, &second) && second < 60;
        // A fractional second may follow even if the layout has none.
        if (ok && value.size() >= 2 && (value[0] == '.' || value[0] == ',') && IsDigit(value, 1)) {
          Chunk next = NextChunk(layout);
          if (next.std != Std::kFracSecond0 && next.std != Std::kFracSecond9) {
            value.remove_prefix(1);
            std::string digits;
            while (!value.empty() && IsDigit(value, 0)) {
              digits += value[0];
              value.remove_prefix(1);
            }
            digits = digits.substr(0, 9);
            while (digits.size() < 9) digits += '0';
            nanos = std::stoll(digits);
          }
        }
        break;
      }
      case Std::kPM:
      case Std::kpm:
        if (value.size() < 2) {
          ok = false;
          break;
        }
        {
          std::string p(value.substr(0, 2));
          for (char& ch : p) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
          if (p == "PM") {
            pm = true;
          } else if (p != "AM") {
            ok = false;
          }
          pm_set = true;
          value.remove_prefix(2);
        }
        break;
      case Std::kTZ: {
        if (value.starts_with("UTC")) {
          offset = 0;
          value.remove_prefix(3);
          break;
        }
        size_t n = 0;
        while (n < value.size() && std::isupper(static_cast<unsigned char>(value[n]))) ++n;
        if (n < 3) {
          ok = false;
          break;
        }
        value.remove_prefix(n);
        offset = offset.value_or(0);
        break;
      }
      case Std::kFracSecond0:
      case Std::kFracSecond9: {
        if (value.empty() || (value[0] != '.' && value[0] != ',')) {
          if (c.std == Std::kFracSecond9) break;
          ok = false;
          break;
        }
        value.remove_prefix(1);
        std::string digits;
        while (!value.empty() && IsDigit(value, 0)) {
          digits += value[0];
          value.remove_prefix(1);
        }
        if (c.std == Std::kFracSecond0 && static_cast<int>(digits.size()) != c.frac_digits) {
          ok = false;
          break;
        }
        digits = digits.substr(0, 9);
        while (digits.size() < 9) digits += '0';
        nanos = std::stoll(digits);
        break;
      }
      default: {
        // Numeric zones.
        bool z = c.std == Std::kISO8601TZ || c.std == Std::kISO8601SecondsTZ ||
                 c.std == Std::kISO8601ShortTZ || c.std == Std::kISO8601ColonTZ ||
                 c.std == Std::kISO8601ColonSecondsTZ;
        if (z && value.starts_with("Z")) {
          value.remove_prefix(1);
          offset = 0;
          break;
        }
        if (value.empty() || (value[0] != '+' && value[0] != '-')) {
          ok = false;
          break;
        }
        int sign = value[0] == '-' ? -1 : 1;
        value.remove_prefix(1);
        int64_t hh = 0, mm = 0, ss = 0;
        bool colon = c.std == Std::kISO8601ColonTZ || c.std == Std::kNumColonTZ ||
                     c.std == Std::kISO8601ColonSecondsTZ || c.std == Std::kNumColonSecondsTZ;
        bool short_tz = c.std == Std::kISO8601ShortTZ || c.std == Std::kNumShortTZ;
        bool secs = c.std == Std::kISO8601SecondsTZ || c.std == Std::kNumSecondsTz ||
                    c.std == Std::kISO8601ColonSecondsTZ || c.std == Std::kNumColonSecondsTZ;
        ok = TakeDigits(&value, 2, 2, &hh);
        if (ok && !short_tz) {
          if (colon) {
            ok = value.starts_with(":");
            if (ok) value.remove_prefix(1);
          }
          ok = ok && TakeDigits(&value, 2, 2, &mm);
        }
        if (ok && secs) {
          if (colon) {
            ok = value.starts_with(":");
            if (ok) value.remove_prefix(1);
          }
          ok = ok && TakeDigits(&value, 2, 2, &ss);
        }
        offset = static_cast<int>(sign * (hh * 3600 + mm * 60 + ss));
        break;
      }
    }
    if (!ok) {
      const char* tb = c.prefix.data() + c.prefix.size();
      std::string_view token(tb, static_cast<size_t>(c.suffix.data() - tb));
      return ParseErr(value_in, layout_in,
                      "\"" + std::string(before) + "\" as \"" + std::string(token) + "\"");
    }
  }
  if (pm_set) {
    if (hour > 12) return ParseErr(value_in, layout_in, "hour");
    if (pm && hour < 12) hour += 12;
    if (!pm && hour == 12) hour = 0;
  }
  if (yday >= 0) {
    int64_t days = DaysFromCivil(year, 1, 1) + yday - 1;
    int64_t y;
    unsigned m, d;
    CivilFromDays(days, &y, &m, &d);
    if (y != year)
      return MakeError(ErrorCode::kInvalidArgument,
                       "parsing time \"" + std::string(value_in) + "\": day-of-year out of range");
    month = m;
    day = d;
  }
  static const int kMonthDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  int max_day = kMonthDays[month - 1] + (month == 2 && IsLeap(year) ? 1 : 0);
  if (day > max_day) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "parsing time \"" + std::string(value_in) + "\": day out of range");
  }
  int64_t days = DaysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  long double secs = static_cast<long double>(days) * 86400 + hour * 3600 + minute * 60 + second -
                     offset.value_or(0);
  long double ns = secs * 1e9L + nanos;
  if (ns > 9.223372036854775807e18L || ns < -9.223372036854775808e18L) {
    return MakeError(ErrorCode::kInvalidArgument, "time outside of the range of int64 nanoseconds");
  }
  return static_cast<int64_t>(
      (days * 86400 + hour * 3600 + minute * 60 + second - offset.value_or(0)) * 1000000000LL +
      nanos);
}

Result<int64_t> ParseGoDuration(std::string_view s_in) {
  std::string_view s = s_in;
  auto err = [&] {
    return MakeError(ErrorCode::kInvalidArgument,
                     "time: invalid duration \"" + std::string(s_in) + "\"");
  };
  bool neg = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    neg = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s == "0") return int64_t{0};
  if (s.empty()) return err();
  long double total = 0;
  while (!s.empty()) {
    if (!(IsDigit(s, 0) || s[0] == '.')) return err();
    std::string num;
    while (!s.empty() && (IsDigit(s, 0) || s[0] == '.')) {
      num += s[0];
      s.remove_prefix(1);
    }
    if (num == "." || std::count(num.begin(), num.end(), '.') > 1) return err();
    size_t u = 0;
    while (u < s.size() && s[u] != '.' && !IsDigit(s, u)) ++u;
    std::string unit(s.substr(0, u));
    s.remove_prefix(u);
    long double mult;
    if (unit == "ns") {
      mult = 1;
    } else if (unit == "us" || unit == "\xC2\xB5s" || unit == "\xCE\xBCs") {
      mult = 1e3L;
    } else if (unit == "ms") {
      mult = 1e6L;
    } else if (unit == "s") {
      mult = 1e9L;
    } else if (unit == "m") {
      mult = 60e9L;
    } else if (unit == "h") {
      mult = 3600e9L;
    } else if (unit.empty()) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "time: missing unit in duration \"" + std::string(s_in) + "\"");
    } else {
      return MakeError(
          ErrorCode::kInvalidArgument,
          "time: unknown unit \"" + unit + "\" in duration \"" + std::string(s_in) + "\"");
    }
    total += std::strtold(num.c_str(), nullptr) * mult;
    if (total > 9.223372036854775807e18L) return err();
  }
  int64_t v = static_cast<int64_t>(std::floor(total + 0.5L * 0));
  return neg ? -v : v;
}

// ---- Zones --------------------------------------------------------------------

namespace {

struct Zone {
  std::vector<int64_t> transitions;  // unix seconds
  std::vector<uint8_t> idx;          // type index per transition
  struct Type {
    int offset;
    std::string abbr;
  };
  std::vector<Type> types;
};

std::optional<Zone> ReadTzif(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return std::nullopt;
  std::string data((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  if (data.size() < 44 || data.compare(0, 4, "TZif") != 0) return std::nullopt;
  auto be32 = [&](size_t p) -> int64_t {
    if (p + 4 > data.size()) return 0;
    return static_cast<int32_t>(
        (static_cast<uint8_t>(data[p]) << 24) | (static_cast<uint8_t>(data[p + 1]) << 16) |
        (static_cast<uint8_t>(data[p + 2]) << 8) | static_cast<uint8_t>(data[p + 3]));
  };
  auto be64 = [&](size_t p) -> int64_t {
    return static_cast<int64_t>((static_cast<uint64_t>(static_cast<uint32_t>(be32(p))) << 32) |
                                static_cast<uint32_t>(be32(p + 4)));
  };
  char version = data[4];
  auto header = [&](size_t p, int64_t c[6]) {
    for (int k = 0; k < 6; ++k) c[k] = be32(p + 20 + static_cast<size_t>(k) * 4);
  };
  int64_t c[6];
  header(0, c);  // isutcnt isstdcnt leapcnt timecnt typecnt charcnt
  size_t base = 44;
  int tsize = 4;
  if (version >= '2') {
    size_t v1 = static_cast<size_t>(c[3] * 5 + c[4] * 6 + c[5] + c[2] * 8 + c[1] + c[0]);
    base = 44 + v1;
    if (base + 44 > data.size()) return std::nullopt;
    header(base, c);
    base += 44;
    tsize = 8;
  }
  Zone z;
  size_t p = base;
  size_t need = static_cast<size_t>(c[3] * (tsize + 1) + c[4] * 6 + c[5]);
  if (c[3] < 0 || c[4] <= 0 || c[5] < 0 || p + need > data.size()) return std::nullopt;
  for (int64_t k = 0; k < c[3]; ++k, p += static_cast<size_t>(tsize)) {
    z.transitions.push_back(tsize == 8 ? be64(p) : be32(p));
  }
  for (int64_t k = 0; k < c[3]; ++k) z.idx.push_back(static_cast<uint8_t>(data[p++]));
  size_t types_at = p;
  size_t abbr_at = types_at + static_cast<size_t>(c[4]) * 6;
  for (int64_t k = 0; k < c[4]; ++k) {
    size_t tp = types_at + static_cast<size_t>(k) * 6;
    int off = static_cast<int>(be32(tp));
    size_t ai = static_cast<uint8_t>(data[tp + 5]);
    std::string abbr;
    for (size_t q = abbr_at + ai; q < abbr_at + static_cast<size_t>(c[5]) && data[q]; ++q) {
      abbr += data[q];
    }
    z.types.push_back({off, abbr});
  }
  for (uint8_t i : z.idx) {
    if (i >= z.types.size()) return std::nullopt;
  }
  return z;
}

}  // namespace

Result<std::pair<int, std::string>> ZoneOffsetAt(std::string_view name, int64_t ns) {
  if (name.empty() || name == "UTC") return std::pair<int, std::string>{0, "UTC"};
  std::string path;
  if (name == "Local") {
    const char* tz = std::getenv("TZ");
    if (tz && *tz) {
      std::string t = tz[0] == ':' ? tz + 1 : tz;
      if (t == "UTC" || t == "UTC0") return std::pair<int, std::string>{0, "UTC"};
      path = t.starts_with("/") ? t : "/usr/share/zoneinfo/" + t;
    } else {
      path = "/etc/localtime";
    }
  } else {
    if (name.find("..") != std::string_view::npos || name.starts_with("/")) {
      return MakeError(ErrorCode::kNotFound, "unknown time zone " + std::string(name));
    }
    path = "/usr/share/zoneinfo/" + std::string(name);
  }
  static std::mutex mu;
  static std::map<std::string, std::optional<Zone>> cache;
  std::optional<Zone> zone;
  {
    std::lock_guard<std::mutex> lock(mu);
    auto it = cache.find(path);
    if (it == cache.end()) it = cache.emplace(path, ReadTzif(path)).first;
    zone = it->second;
  }
  if (!zone) {
    if (name == "Local") return std::pair<int, std::string>{0, "UTC"};
    return MakeError(ErrorCode::kNotFound, "unknown time zone " + std::string(name));
  }
  int64_t secs = FloorDiv(ns, 1000000000);
  const Zone& z = *zone;
  size_t type = 0;
  if (z.transitions.empty() || secs < z.transitions.front()) {
    // First non-DST type (approximated by the first type).
    type = 0;
  } else {
    auto it = std::upper_bound(z.transitions.begin(), z.transitions.end(), secs);
    type = z.idx[static_cast<size_t>(it - z.transitions.begin()) - 1];
  }
  return std::pair<int, std::string>{z.types[type].offset, z.types[type].abbr};
}

}  // namespace gatehouse::rego
