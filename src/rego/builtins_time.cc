// Rego builtins: time.* (Go time semantics; algorithms in builtin_time.cc).
//
// Time arguments are nanoseconds since the Unix epoch, or [ns, "Zone"] /
// [ns, "Zone", "layout"] where accepted, as in OPA. time.now_ns() is fixed
// for the whole query (BuiltinContext::now_ns). Results outside the int64
// nanosecond range are errors, as in OPA.
#include <cmath>

#include "rego/builtin_util.h"

namespace gatehouse::rego {

namespace {

using Args = std::span<const Value>;

constexpr std::string_view kRfc3339 = "2006-01-02T15:04:05Z07:00";
constexpr std::string_view kRfc3339Nano = "2006-01-02T15:04:05.999999999Z07:00";

bool NsOf(const Value& v, int64_t* ns) {
  if (!v.IsNumber()) return false;
  if (v.GetInt(ns)) return true;
  double d = v.AsDouble();
  if (!std::isfinite(d) || d >= 9.2e18 || d <= -9.2e18) return false;
  *ns = static_cast<int64_t>(d);
  return true;
}

// x: ns or [ns, tz] (or [ns, tz, layout] when allow_layout).
BuiltinResult TimeArg(const Value& x, CivilTime* out, std::string* layout, bool allow_layout) {
  int64_t ns;
  std::string_view zone;
  if (x.IsNumber()) {
    if (!NsOf(x, &ns)) return BuiltinResult::Error("timestamp too big");
  } else if (x.IsArray()) {
    size_t n = x.size();
    if (n < 2 || n > (allow_layout ? 3u : 2u)) {
      return BuiltinResult::TypeError(
          std::string("operand 1 ") +
          (allow_layout ? "array should have 2 or 3 elements" : "array should have 2 elements"));
    }
    if (!x.At(0).IsNumber()) {
      return BuiltinResult::TypeError("operand 1 first element must be number but got " +
                                      std::string(x.At(0).type_name()));
    }
    if (!NsOf(x.At(0), &ns)) return BuiltinResult::Error("timestamp too big");
    if (!x.At(1).IsString()) {
      return BuiltinResult::TypeError("operand 1 second element must be string but got " +
                                      std::string(x.At(1).type_name()));
    }
    zone = x.At(1).AsString();
    if (n == 3) {
      if (!x.At(2).IsString()) {
        return BuiltinResult::TypeError("operand 1 third element must be string but got " +
                                        std::string(x.At(2).type_name()));
      }
      if (layout) *layout = std::string(x.At(2).AsString());
    }
  } else {
    return BuiltinResult::OperandError(1, "one of {number, array}", x);
  }
  Result<std::pair<int, std::string>> z = ZoneOffsetAt(zone, ns);
  if (!z.ok()) return BuiltinResult::Error(z.error().message);
  *out = CivilFromUnixNanos(ns, z->first, z->second);
  return Value();
}

BuiltinResult NowNs(Args, BuiltinContext& ctx) { return Value::Int(ctx.now_ns); }

BuiltinResult ParseNs(Args args, BuiltinContext&) {
  if (!args[0].IsString()) return WantString(1, args[0]);
  if (!args[1].IsString()) return WantString(2, args[1]);
  Result<int64_t> r = ParseGoTime(args[0].AsString(), args[1].AsString());
  if (!r.ok()) return BuiltinResult::Error(r.error().message);
  return Value::Int(r.value());
}

BuiltinResult ParseRfc3339Ns(Args args, BuiltinContext&) {
  if (!args[0].IsString()) return WantString(1, args[0]);
  Result<int64_t> r = ParseGoTime(kRfc3339, args[0].AsString());
  if (!r.ok()) return BuiltinResult::Error(r.error().message);
  return Value::Int(r.value());
}

BuiltinResult ParseDurationNs(Args args, BuiltinContext&) {
  if (!args[0].IsString()) return WantString(1, args[0]);
  Result<int64_t> r = ParseGoDuration(args[0].AsString());
  if (!r.ok()) return BuiltinResult::Error(r.error().message);
  return Value::Int(r.value());
}

BuiltinResult Date(Args args, BuiltinContext&) {
  CivilTime t;
  BuiltinResult r = TimeArg(args[0], &t, nullptr, false);
  if (!r.ok()) return r;
  return Value::Array({Value::Int(t.year), Value::Int(t.month), Value::Int(t.day)});
}

BuiltinResult Clock(Args args, BuiltinContext&) {
  CivilTime t;
  BuiltinResult r = TimeArg(args[0], &t, nullptr, false);
  if (!r.ok()) return r;
  return Value::Array({Value::Int(t.hour), Value::Int(t.minute), Value::Int(t.second)});
}

BuiltinResult Weekday(Args args, BuiltinContext&) {
  static const char* kDays[] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                "Thursday", "Friday", "Saturday"};
  CivilTime t;
  BuiltinResult r = TimeArg(args[0], &t, nullptr, false);
  if (!r.ok()) return r;
  return Value::String(kDays[t.weekday]);
}

BuiltinResult Format(Args args, BuiltinContext&) {
  CivilTime t;
  std::string layout(kRfc3339Nano);
  BuiltinResult r = TimeArg(args[0], &t, &layout, true);
  if (!r.ok()) return r;
  return Value::String(FormatGoTime(t, layout));
}

// Go's Date() normalization: month and day overflow carry into year/month.
bool NormalizedNs(int64_t year, int64_t month, int64_t day, int64_t sec_of_day, int64_t nanos,
                  int64_t* out) {
  int64_t m0 = month - 1;
  year += m0 >= 0 ? m0 / 12 : -((11 - m0) / 12);
  m0 = ((m0 % 12) + 12) % 12;
  if (year > 300000000 || year < -300000000) return false;
  int64_t days = DaysFromCivil(year, static_cast<unsigned>(m0 + 1), 1) + day - 1;
  long double ns = (static_cast<long double>(days) * 86400 + sec_of_day) * 1e9L + nanos;
  if (ns > 9.223372036854775807e18L || ns < -9.223372036854775808e18L) return false;
  *out = (days * 86400 + sec_of_day) * 1000000000LL + nanos;
  return true;
}

BuiltinResult AddDate(Args args, BuiltinContext&) {
  for (size_t i = 0; i < 4; ++i) {
    if (!args[i].IsNumber())
      return BuiltinResult::OperandError(static_cast<int>(i) + 1, "number", args[i]);
  }
  int64_t ns, y, m, d;
  if (!NsOf(args[0], &ns)) return BuiltinResult::Error("timestamp too big");
  if (!args[1].GetInt(&y) || !args[2].GetInt(&m) || !args[3].GetInt(&d)) {
    return BuiltinResult::TypeError("operand must be integer number but got floating-point number");
  }
  CivilTime t = CivilFromUnixNanos(ns, 0, "UTC");
  int64_t out;
  if (!NormalizedNs(t.year + y, t.month + m, t.day + d, t.hour * 3600 + t.minute * 60 + t.second,
                    t.nanos, &out)) {
    return BuiltinResult::Error("time outside of valid range");
  }
  return Value::Int(out);
}

BuiltinResult Diff(Args args, BuiltinContext&) {
  CivilTime a, b;
  BuiltinResult r = TimeArg(args[0], &a, nullptr, false);
  if (!r.ok()) return r;
  r = TimeArg(args[1], &b, nullptr, false);
  if (!r.ok()) return r;
  // Order by instant.
  auto instant = [](const CivilTime& t) {
    return (DaysFromCivil(t.year, static_cast<unsigned>(t.month), static_cast<unsigned>(t.day)) *
                86400 +
            t.hour * 3600 + t.minute * 60 + t.second - t.offset) *
               1000000000LL +
           t.nanos;
  };
  if (instant(a) > instant(b)) std::swap(a, b);
  int64_t year = b.year - a.year, month = b.month - a.month, day = b.day - a.day;
  int64_t hour = b.hour - a.hour, min = b.minute - a.minute, sec = b.second - a.second;
  if (sec < 0) {
    sec += 60;
    --min;
  }
  if (min < 0) {
    min += 60;
    --hour;
  }
  if (hour < 0) {
    hour += 24;
    --day;
  }
  if (day < 0) {
    // Days in a's month: day 32 of that month normalized.
    int64_t d32 = DaysFromCivil(a.year, static_cast<unsigned>(a.month), 1) + 31;
    int64_t y;
    unsigned m, dd;
    CivilFromDays(d32, &y, &m, &dd);
    day += 32 - dd;
    --month;
  }
  if (month < 0) {
    month += 12;
    --year;
  }
  return Value::Array({Value::Int(year), Value::Int(month), Value::Int(day), Value::Int(hour),
                       Value::Int(min), Value::Int(sec)});
}

}  // namespace

void RegisterBuiltins_Time(BuiltinRegistry& r) {
  BuiltinDef now;
  now.name = "time.now_ns";
  now.arity = 0;
  now.fn = NowNs;
  now.nondeterministic = true;
  r.Add(std::move(now));
  r.Add("time.parse_ns", 2, ParseNs);
  r.Add("time.parse_rfc3339_ns", 1, ParseRfc3339Ns);
  r.Add("time.parse_duration_ns", 1, ParseDurationNs);
  r.Add("time.date", 1, Date);
  r.Add("time.clock", 1, Clock);
  r.Add("time.weekday", 1, Weekday);
  r.Add("time.format", 1, Format);
  r.Add("time.add_date", 4, AddDate);
  r.Add("time.diff", 2, Diff);
}

}  // namespace gatehouse::rego
