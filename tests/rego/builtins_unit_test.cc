// Unit tests for the Go-compatible algorithms behind the builtins
// (src/rego/builtin_*.cc) and direct calls through the registry. The
// conformance cases in tests/data/rego/builtins/*.yaml cover the builtins
// through the evaluator.
#include <gtest/gtest.h>

#include "rego/builtin_util.h"
#include "rego/builtins.h"

namespace gatehouse::rego {
namespace {

Value J(std::string_view json) {
  auto v = ParseJson(json);
  EXPECT_TRUE(v.ok()) << json;
  return v.ok() ? v.value() : Value();
}

BuiltinResult Call(std::string_view name, std::vector<Value> args) {
  const BuiltinDef* def = GlobalBuiltins().Find(name);
  EXPECT_NE(def, nullptr) << name;
  if (!def) return BuiltinResult::Undefined();
  EXPECT_EQ(def->arity, static_cast<int>(args.size())) << name;
  BuiltinContext ctx;
  ctx.now_ns = 1500000000000000000;
  return def->fn(args, ctx);
}

TEST(RegoBuiltinsUnit, GoSprintf) {
  struct Case {
    const char* fmt;
    const char* args;
    const char* want;
  } cases[] = {
      {"%s-%d", R"(["a", 3])", "a-3"},
      {"%v", R"([1.5])", "1.5"},
      {"%v", R"([100000000000000000000])", "100000000000000000000"},
      {"%g", R"([1000000.5])", "1.0000005e+06"},
      {"%g", R"([100000.5])", "100000.5"},
      {"%.3e", R"([123456.789])", "1.235e+05"},
      {"%08.3f", R"([-3.14159])", "-003.142"},
      {"%-4s|", R"(["ab"])", "ab  |"},
      {"%x", R"([-255])", "-ff"},
      {"%#x", R"([255])", "0xff"},
      {"%q", R"(["tab\there"])", "\"tab\\there\""},
      {"%d %d", R"([1])", "1 %!d(MISSING)"},
      {"%", R"([])", "%!(NOVERB)"},
      {"%z", R"([1])", "%!z(int=1)"},
      {"%*d", R"([5, 42])", "   42"},
      {"%v", R"([{"b": [1, {"c": null}]}])", "{\"b\": [1, {\"c\": null}]}"},
      {"%5.1f%%", R"([99.44])", " 99.4%"},
      {"%U", R"([9731])", "U+2603"},
  };
  for (const auto& c : cases) {
    Value args = J(c.args);
    EXPECT_EQ(GoSprintf(c.fmt, args.Items()), c.want) << c.fmt << " " << c.args;
  }
}

TEST(RegoBuiltinsUnit, GoTimeLayouts) {
  // 2006-01-02T15:04:05.123456789Z plus 7 hours (the reference instant in UTC).
  Result<int64_t> ref =
      ParseGoTime("2006-01-02T15:04:05.999999999Z07:00", "2006-01-02T15:04:05.123456789-07:00");
  ASSERT_TRUE(ref.ok()) << ref.error().ToString();
  CivilTime t = CivilFromUnixNanos(ref.value(), -7 * 3600, "MST");
  EXPECT_EQ(FormatGoTime(t, "Mon Jan _2 15:04:05 MST 2006"), "Mon Jan  2 15:04:05 MST 2006");
  EXPECT_EQ(FormatGoTime(t, "Monday, 02-Jan-06 03:04:05.000 PM -0700"),
            "Monday, 02-Jan-06 03:04:05.123 PM -0700");
  EXPECT_EQ(FormatGoTime(t, "2006-01-02T15:04:05.999999999Z07:00"),
            "2006-01-02T15:04:05.123456789-07:00");
  EXPECT_EQ(FormatGoTime(t, "January 2 (002) pm Z07"), "January 2 (002) pm -07");
  // Round trips through several layouts.
  for (const char* layout : {"2006-01-02 15:04:05 -0700", "02 Jan 06 15:04 -07:00",
                             "Jan _2 15:04:05.000000 2006 Z0700", "3:04:05PM 2006/1/2 -07"}) {
    std::string text = FormatGoTime(t, layout);
    Result<int64_t> back = ParseGoTime(layout, text);
    ASSERT_TRUE(back.ok()) << layout << ": " << back.error().ToString();
    CivilTime t2 = CivilFromUnixNanos(back.value(), -7 * 3600, "MST");
    EXPECT_EQ(FormatGoTime(t2, layout), text) << layout;
  }
  EXPECT_FALSE(ParseGoTime("2006-01-02", "2006-13-02").ok());
  EXPECT_FALSE(ParseGoTime("15:04", "25:00").ok());
  EXPECT_TRUE(ParseGoTime("2006-01-02T15:04:05Z07:00", "2021-02-28T10:00:00Z").ok());
}

TEST(RegoBuiltinsUnit, CivilCalendar) {
  for (int64_t days : {-719468LL, -1LL, 0LL, 59LL, 11016LL, 2932896LL}) {
    int64_t y;
    unsigned m, d;
    CivilFromDays(days, &y, &m, &d);
    EXPECT_EQ(DaysFromCivil(y, m, d), days);
  }
  CivilTime t = CivilFromUnixNanos(-1, 0, "UTC");
  EXPECT_EQ(t.year, 1969);
  EXPECT_EQ(t.second, 59);
  EXPECT_EQ(t.nanos, 999999999);
}

TEST(RegoBuiltinsUnit, GoDurations) {
  EXPECT_EQ(ParseGoDuration("1h2m3s4ms5us6ns").value(), 3723004005006LL);
  EXPECT_EQ(ParseGoDuration("-1.5h").value(), -5400000000000LL);
  EXPECT_EQ(ParseGoDuration("1\xC2\xB5s").value(), 1000);
  EXPECT_FALSE(ParseGoDuration("").ok());
  EXPECT_FALSE(ParseGoDuration("1").ok());
  EXPECT_FALSE(ParseGoDuration("h").ok());
  EXPECT_FALSE(ParseGoDuration("1.2.3s").ok());
  EXPECT_FALSE(ParseGoDuration("99999999999h").ok());
}

TEST(RegoBuiltinsUnit, Zones) {
  auto utc = ZoneOffsetAt("UTC", 0);
  ASSERT_TRUE(utc.ok());
  EXPECT_EQ(utc->first, 0);
  auto ny = ZoneOffsetAt("America/New_York", 1500000000000000000);  // July 2017: EDT
  if (ny.ok()) {
    EXPECT_EQ(ny->first, -4 * 3600);
    EXPECT_EQ(ny->second, "EDT");
  }
  EXPECT_FALSE(ZoneOffsetAt("../../etc/passwd", 0).ok());
}

TEST(RegoBuiltinsUnit, Glob) {
  struct Case {
    const char* pattern;
    std::vector<std::string> delims;
    const char* text;
    bool want;
  } cases[] = {
      {"*.example.com", {"."}, "a.example.com", true},
      {"*.example.com", {"."}, "a.b.example.com", false},
      {"**.example.com", {"."}, "a.b.example.com", true},
      {"a?c", {}, "a.c", true},
      {"{a,b*}x", {"."}, "bbbx", true},
      {"{a,{c,d}}", {}, "d", true},
      {"[^]", {}, "^", true},
      {"\\{a\\}", {}, "{a}", true},
      {"[!a-c]", {}, "d", true},
  };
  for (const auto& c : cases) {
    Result<std::string> rx = GlobToRegex(c.pattern, c.delims);
    ASSERT_TRUE(rx.ok()) << c.pattern;
    Value args = Value::Array({Value::String(c.pattern), Value::Null(), Value::String(c.text)});
    std::vector<Value> delims;
    for (const auto& d : c.delims) delims.push_back(Value::String(d));
    BuiltinResult r = Call("glob.match", {Value::String(c.pattern),
                                          c.delims.empty() ? Value::Null() : Value::Array(delims),
                                          Value::String(c.text)});
    ASSERT_TRUE(r.ok()) << c.pattern;
    EXPECT_EQ(r.value().AsBool(), c.want) << c.pattern << " ~ " << c.text;
  }
  EXPECT_FALSE(GlobToRegex("{a,b", {}).ok());
  EXPECT_FALSE(GlobToRegex("[z-a]", {}).ok());
  EXPECT_FALSE(GlobToRegex("abc\\", {}).ok());
}

TEST(RegoBuiltinsUnit, IpAndCidr) {
  EXPECT_EQ(FormatIp(*ParseIp("2001:0db8:0000:0000:0000:0000:0000:0001")), "2001:db8::1");
  EXPECT_EQ(FormatIp(*ParseIp("::ffff:10.0.0.1")), "::ffff:a00:1");
  EXPECT_EQ(FormatIp(*ParseIp("1:0:0:1:0:0:0:1")), "1:0:0:1::1");
  EXPECT_EQ(FormatCidr(*ParseCidr("10.1.2.3/8")), "10.0.0.0/8");
  for (const char* bad : {"1.2.3", "1.2.3.4.5", "01.2.3.4", "256.0.0.1", "1::2::3", ":::", "g::1",
                          "1.2.3.4/", "1.2.3.4/33", "::/129", "1.2.3.4/08"}) {
    EXPECT_FALSE(ParseIp(bad).has_value() && ParseCidr(bad).has_value()) << bad;
  }
  EXPECT_FALSE(ParseCidr("1.2.3.4/33").has_value());
  EXPECT_TRUE(ParseCidr("::/0").has_value());
}

TEST(RegoBuiltinsUnit, SemverAndUnits) {
  EXPECT_EQ(SemverCompare("1.0.0-alpha", "1.0.0-alpha.1"), -1);
  EXPECT_EQ(SemverCompare("1.0.0-alpha.beta", "1.0.0-beta"), -1);
  EXPECT_EQ(SemverCompare("1.0.0-rc.1", "1.0.0"), -1);
  EXPECT_EQ(SemverCompare("1.0.0+x", "1.0.0"), 0);
  EXPECT_FALSE(SemverCompare("1.0.0-01", "1.0.0").has_value());
  EXPECT_FALSE(SemverValid("1.0.0-"));
  EXPECT_FALSE(SemverValid("1.0.0+"));
  EXPECT_DOUBLE_EQ(ParseUnits("0.5Gi").value(), 536870912.0);
  EXPECT_DOUBLE_EQ(ParseUnits("-2k").value(), -2000.0);
  EXPECT_FALSE(ParseUnits("k").ok());
  EXPECT_DOUBLE_EQ(ParseUnitsBytes("1 GB").value(), 1e9);
  EXPECT_FALSE(ParseUnitsBytes("1.2.3KB").ok());
}

TEST(RegoBuiltinsUnit, Encodings) {
  EXPECT_EQ(Base64Encode("\xff\xfe", true, false), "__4");
  EXPECT_EQ(Base64Decode("__4", true).value(), "\xff\xfe");
  EXPECT_FALSE(Base64Decode("__4", false).has_value());
  EXPECT_FALSE(Base64Decode("a===", false).has_value());
  EXPECT_EQ(UrlQueryEscape("a b/c?d"), "a+b%2Fc%3Fd");
  EXPECT_EQ(UrlQueryUnescape("%41%42+c").value(), "AB c");
  EXPECT_FALSE(UrlQueryUnescape("%4").ok());
  EXPECT_FALSE(UrlQueryUnescape("%").ok());
}

TEST(RegoBuiltinsUnit, Template) {
  Value vars = J(R"({"items": {"b": 2, "a": 1}, "n": 3, "s": "x", "list": [1, 2]})");
  EXPECT_EQ(RenderGoTemplate("{{range $k, $v := .items}}{{$k}}{{$v}} {{end}}", vars).value(),
            "a1 b2 ");
  EXPECT_EQ(RenderGoTemplate("{{if eq .n 3}}three{{else if eq .n 4}}four{{end}}", vars).value(),
            "three");
  EXPECT_EQ(RenderGoTemplate("{{len .list}} {{index .list 1}} {{.list}}", vars).value(),
            "2 2 [1 2]");
  EXPECT_EQ(RenderGoTemplate("{{with .s}}[{{.}}]{{end}}{{/* c */}}", vars).value(), "[x]");
  EXPECT_EQ(RenderGoTemplate("{{$x := .n}}{{$x}}", vars).value(), "3");
  EXPECT_EQ(RenderGoTemplate("{{.n | printf \"%03d\"}}", vars).value(), "003");
  EXPECT_FALSE(RenderGoTemplate("{{if .n}}", vars).ok());
  EXPECT_FALSE(RenderGoTemplate("{{.nope}}", vars).ok());
  EXPECT_FALSE(RenderGoTemplate("{{template \"x\"}}", vars).ok());
  EXPECT_FALSE(RenderGoTemplate("{{", vars).ok());
}

TEST(RegoBuiltinsUnit, DirectCallsAndErrors) {
  BuiltinResult r = Call("concat", {Value::String(","), J(R"(["a", 1])")});
  ASSERT_TRUE(r.error());
  EXPECT_EQ(r.error_kind(), BuiltinErrorKind::kType);
  EXPECT_EQ(r.message(), "operand 2 must be array of strings but got array containing number");
  r = Call("indexof", {Value::String("x"), Value::String("")});
  ASSERT_TRUE(r.error());
  EXPECT_EQ(r.error_kind(), BuiltinErrorKind::kBuiltin);
  r = Call("json.patch", {J(R"({"a": 1})"), J(R"([{"op": "bogus", "path": "/a"}])")});
  EXPECT_TRUE(r.undefined());
  r = Call("time.now_ns", {});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value().AsInt(), 1500000000000000000);
  r = Call("net.cidr_merge", {J(R"(["10.0.0.0/25", "10.0.0.128/25", "10.0.1.0/24"])")});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value().ToJson(), "[\"10.0.0.0/23\"]");
  r = Call("object.union_n", {J(R"([{"a": {"b": 1}}, {"a": {"c": 2}}, {"d": 3}])")});
  EXPECT_EQ(r.value().ToJson(), R"({"a":{"b":1,"c":2},"d":3})");
  r = Call("yaml.marshal", {J(R"({"list": [{"a": [1, 2]}], "s": "a: b"})")});
  EXPECT_EQ(r.value().AsString(), "list:\n- a:\n  - 1\n  - 2\ns: \"a: b\"\n");
}

TEST(RegoBuiltinsUnit, NoDuplicateRegistrations) {
  EXPECT_TRUE(GlobalBuiltins().duplicates().empty());
  for (const char* name :
       {"sprintf", "regex.match", "glob.match", "json.patch", "time.diff", "net.cidr_merge",
        "crypto.x509.parse_certificates", "io.jwt.decode_verify", "uuid.rfc4122", "units.parse",
        "semver.compare", "object.union_n", "strings.render_template", "base64url.encode_no_pad"}) {
    EXPECT_NE(GlobalBuiltins().Find(name), nullptr) << name;
  }
}

}  // namespace
}  // namespace gatehouse::rego

namespace gatehouse::rego {
namespace {

// Fuzz findings (rego_builtin_algos_fuzz): quadratic zero padding for a huge
// integer precision, and unbounded recursion on nested glob alternatives /
// template blocks / parentheses.
TEST(RegoBuiltinsUnit, FuzzRegressionHugePrecisionIsLinear) {
  Value args = Value::Array({Value::Int(7), Value::Number(1.5)});
  std::string out = GoSprintf("%.999999d|%.300f", args.Items());
  EXPECT_EQ(out.size(), 999999u + 1 + 302);
  EXPECT_EQ(out.substr(999990, 10), "000000007|");
}

TEST(RegoBuiltinsUnit, FuzzRegressionDeepNestingIsAnError) {
  EXPECT_FALSE(GlobToRegex(std::string(5000, '{'), {"."}).ok());
  std::string deep;
  for (int i = 0; i < 500; ++i) deep += "{{if .a}}";
  EXPECT_FALSE(RenderGoTemplate(deep, Value::EmptyObject()).ok());
  EXPECT_FALSE(RenderGoTemplate("{{" + std::string(5000, '(') + "}}", Value::EmptyObject()).ok());
}

}  // namespace
}  // namespace gatehouse::rego
