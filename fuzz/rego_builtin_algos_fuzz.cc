// Fuzz target: the Go-compatible string algorithms behind Rego builtins
// (sprintf, text/template subset, glob translation, time layouts and
// durations, CIDR parsing, units, semver). Input: "A\x00B" — A and B are
// the two string arguments; the first byte of A picks the algorithm.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "rego/builtin_util.h"

using namespace gatehouse::rego;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  std::string_view all(reinterpret_cast<const char*>(data + 1), size - 1);
  size_t nul = all.find('\0');
  std::string_view a = all.substr(0, nul);
  std::string_view b = nul == std::string_view::npos ? std::string_view() : all.substr(nul + 1);
  switch (data[0] % 8) {
    case 0: {
      Value args = Value::Array({Value::String(b), Value::Int(42), Value::Number(1.5),
                                 Value::Array({Value::Bool(true)})});
      (void)GoSprintf(a, args.Items());
      break;
    }
    case 1: {
      auto vars = ParseJson(b);
      (void)RenderGoTemplate(a, vars.ok() ? vars.value() : Value::EmptyObject());
      break;
    }
    case 2:
      (void)GlobToRegex(a, {std::string(b.substr(0, 1))});
      break;
    case 3: {
      auto ns = ParseGoTime(a, b);
      if (ns.ok()) (void)FormatGoTime(CivilFromUnixNanos(ns.value(), 0, "UTC"), a);
      break;
    }
    case 4:
      (void)ParseGoDuration(a);
      break;
    case 5: {
      auto n = ParseCidr(a);
      if (n) (void)FormatCidr(*n);
      auto ip = ParseIp(b);
      if (ip) (void)FormatIp(*ip);
      break;
    }
    case 6:
      (void)ParseUnits(a);
      (void)ParseUnitsBytes(b);
      break;
    default:
      (void)SemverCompare(a, b);
      (void)UrlQueryUnescape(a);
      (void)Base64Decode(b, true);
      break;
  }
  return 0;
}
