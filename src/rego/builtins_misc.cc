// Rego builtins: units.*, semver.*, uuid.*, rand.intn, opa.runtime,
// graph.reachable.
//
// units.parse: a decimal or scientific amount with an optional unit; m is
// milli and M mega (case-sensitive), the other SI units (k, g, t, p, e)
// and IEC units (ki, mi, gi, ti, pi, ei) are case-insensitive.
// units.parse_bytes: like units.parse but for bytes: KB = 1000, KiB = 1024,
// the trailing b/B optional, case-insensitive, truncated to an integer.
// semver follows SemVer 2.0.0: MAJOR.MINOR.PATCH, optional -prerelease
// (dot-separated identifiers; numeric ones without leading zeros) and
// +build (ignored for precedence).
// uuid.rfc4122(key) and rand.intn(key, n) are random but memoized per
// query by their arguments, as OPA does; the generator is the per-query
// seeded BuiltinContext::rng.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "rego/builtin_util.h"

namespace gatehouse::rego {

namespace {

struct Amount {
  double value = 0;
  std::string unit;
};

Result<Amount> SplitAmount(std::string_view s, const char* what) {
  std::string t;
  for (char c : s) {
    if (c != ' ' && c != '"') t += c;
  }
  if (t.empty())
    return MakeError(ErrorCode::kInvalidArgument, std::string("no ") + what + "amount provided");
  size_t i = 0;
  if (t[i] == '-' || t[i] == '+') ++i;
  size_t num_start = i;
  while (i < t.size() && (std::isdigit(static_cast<unsigned char>(t[i])) || t[i] == '.')) ++i;
  if (i < t.size() && (t[i] == 'e' || t[i] == 'E') && i > num_start) {
    size_t j = i + 1;
    if (j < t.size() && (t[j] == '-' || t[j] == '+')) ++j;
    if (j < t.size() && std::isdigit(static_cast<unsigned char>(t[j]))) {
      while (j < t.size() && std::isdigit(static_cast<unsigned char>(t[j]))) ++j;
      i = j;
    }
  }
  if (i == num_start)
    return MakeError(ErrorCode::kInvalidArgument, std::string("no ") + what + "amount provided");
  std::string num = t.substr(0, i);
  char* end = nullptr;
  double v = std::strtod(num.c_str(), &end);
  if (!end || *end != '\0' || std::count(num.begin(), num.end(), '.') > 1) {
    return MakeError(ErrorCode::kInvalidArgument,
                     std::string("could not parse ") + what + "amount to a number");
  }
  return Amount{v, t.substr(i)};
}

}  // namespace

Result<double> ParseUnits(std::string_view s) {
  Result<Amount> a = SplitAmount(s, "");
  if (!a.ok()) return a.error();
  std::string u = a->unit;
  if (u.empty()) return a->value;
  if (u == "m") return a->value * 1e-3;
  if (u == "M") return a->value * 1e6;
  std::string l = u;
  for (char& c : l) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  static const std::pair<const char*, double> kUnits[] = {{"k", 1e3},
                                                          {"g", 1e9},
                                                          {"t", 1e12},
                                                          {"p", 1e15},
                                                          {"e", 1e18},
                                                          {"ki", 1024.0},
                                                          {"mi", 1048576.0},
                                                          {"gi", 1073741824.0},
                                                          {"ti", 1099511627776.0},
                                                          {"pi", 1125899906842624.0},
                                                          {"ei", 1152921504606846976.0}};
  for (const auto& [name, mult] : kUnits) {
    if (l == name) return a->value * mult;
  }
  return MakeError(ErrorCode::kInvalidArgument, "unit " + u + " not recognized");
}

Result<double> ParseUnitsBytes(std::string_view s) {
  Result<Amount> a = SplitAmount(s, "byte ");
  if (!a.ok()) return a.error();
  std::string l = a->unit;
  for (char& c : l) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (!l.empty() && l.back() == 'b') l.pop_back();
  static const std::pair<const char*, double> kUnits[] = {{"", 1},
                                                          {"k", 1e3},
                                                          {"m", 1e6},
                                                          {"g", 1e9},
                                                          {"t", 1e12},
                                                          {"p", 1e15},
                                                          {"e", 1e18},
                                                          {"ki", 1024.0},
                                                          {"mi", 1048576.0},
                                                          {"gi", 1073741824.0},
                                                          {"ti", 1099511627776.0},
                                                          {"pi", 1125899906842624.0},
                                                          {"ei", 1152921504606846976.0}};
  for (const auto& [name, mult] : kUnits) {
    if (l == name) return std::trunc(a->value * mult);
  }
  return MakeError(ErrorCode::kInvalidArgument, "byte unit " + a->unit + " not recognized");
}

namespace {

struct Semver {
  uint64_t major = 0, minor = 0, patch = 0;
  std::vector<std::string> pre;
};

bool NumericId(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isdigit(static_cast<unsigned char>(c));
  });
}

bool ValidIdent(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-';
  });
}

std::optional<Semver> ParseSemver(std::string_view v) {
  size_t plus = v.find('+');
  if (plus != std::string_view::npos) {
    std::string_view build = v.substr(plus + 1);
    size_t start = 0;
    while (true) {
      size_t dot = build.find('.', start);
      if (!ValidIdent(build.substr(
              start, dot == std::string_view::npos ? std::string_view::npos : dot - start)))
        return std::nullopt;
      if (dot == std::string_view::npos) break;
      start = dot + 1;
    }
    v = v.substr(0, plus);
  }
  Semver out;
  size_t dash = v.find('-');
  if (dash != std::string_view::npos) {
    std::string_view pre = v.substr(dash + 1);
    size_t start = 0;
    while (true) {
      size_t dot = pre.find('.', start);
      std::string_view id =
          pre.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
      if (!ValidIdent(id)) return std::nullopt;
      if (NumericId(id) && id.size() > 1 && id[0] == '0') return std::nullopt;
      out.pre.emplace_back(id);
      if (dot == std::string_view::npos) break;
      start = dot + 1;
    }
    v = v.substr(0, dash);
  }
  uint64_t* parts[] = {&out.major, &out.minor, &out.patch};
  size_t start = 0;
  for (int k = 0; k < 3; ++k) {
    size_t dot = v.find('.', start);
    if ((k < 2) != (dot != std::string_view::npos)) return std::nullopt;
    std::string_view num =
        v.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (!NumericId(num) || (num.size() > 1 && num[0] == '0') || num.size() > 19)
      return std::nullopt;
    *parts[k] = std::stoull(std::string(num));
    start = dot + 1;
  }
  return out;
}

}  // namespace

bool SemverValid(std::string_view v) { return ParseSemver(v).has_value(); }

std::optional<int> SemverCompare(std::string_view a, std::string_view b) {
  auto x = ParseSemver(a), y = ParseSemver(b);
  if (!x || !y) return std::nullopt;
  auto cmp = [](uint64_t p, uint64_t q) { return p < q ? -1 : p > q ? 1 : 0; };
  if (int c = cmp(x->major, y->major)) return c;
  if (int c = cmp(x->minor, y->minor)) return c;
  if (int c = cmp(x->patch, y->patch)) return c;
  if (x->pre.empty() != y->pre.empty()) return x->pre.empty() ? 1 : -1;
  for (size_t i = 0; i < std::min(x->pre.size(), y->pre.size()); ++i) {
    const std::string &p = x->pre[i], &q = y->pre[i];
    bool pn = NumericId(p), qn = NumericId(q);
    if (pn && qn) {
      if (p.size() != q.size()) return p.size() < q.size() ? -1 : 1;
      if (p != q) return p < q ? -1 : 1;
    } else if (pn != qn) {
      return pn ? -1 : 1;
    } else if (p != q) {
      return p < q ? -1 : 1;
    }
  }
  if (x->pre.size() != y->pre.size()) return x->pre.size() < y->pre.size() ? -1 : 1;
  return 0;
}

namespace {

using Args = std::span<const Value>;

BuiltinResult UnitsParse(Args args, BuiltinContext&) {
  if (!args[0].IsString()) return WantString(1, args[0]);
  Result<double> r = ParseUnits(args[0].AsString());
  if (!r.ok()) return BuiltinResult::Error(r.error().message);
  return Value::Number(r.value());
}

BuiltinResult UnitsParseBytes(Args args, BuiltinContext&) {
  if (!args[0].IsString()) return WantString(1, args[0]);
  Result<double> r = ParseUnitsBytes(args[0].AsString());
  if (!r.ok()) return BuiltinResult::Error(r.error().message);
  return Value::Number(r.value());
}

BuiltinResult SemverIsValid(Args args, BuiltinContext&) {
  if (!args[0].IsString()) return Value::Bool(false);
  return Value::Bool(SemverValid(args[0].AsString()));
}

BuiltinResult SemverCmp(Args args, BuiltinContext&) {
  if (!args[0].IsString()) return WantString(1, args[0]);
  if (!args[1].IsString()) return WantString(2, args[1]);
  if (!SemverValid(args[0].AsString())) {
    return BuiltinResult::Error("operand 1: string " + std::string(args[0].AsString()) +
                                " is not a valid SemVer");
  }
  if (!SemverValid(args[1].AsString())) {
    return BuiltinResult::Error("operand 2: string " + std::string(args[1].AsString()) +
                                " is not a valid SemVer");
  }
  return Value::Int(*SemverCompare(args[0].AsString(), args[1].AsString()));
}

BuiltinResult UuidRfc4122(Args args, BuiltinContext& ctx) {
  if (!args[0].IsString()) return WantString(1, args[0]);
  std::string key = "uuid.rfc4122/" + std::string(args[0].AsString());
  if (auto it = ctx.memo.find(key); it != ctx.memo.end()) return it->second;
  uint8_t b[16];
  for (int i = 0; i < 16; i += 8) {
    uint64_t r = ctx.rng();
    for (int k = 0; k < 8; ++k) b[i + k] = static_cast<uint8_t>(r >> (8 * k));
  }
  b[6] = static_cast<uint8_t>((b[6] & 0x0F) | 0x40);
  b[8] = static_cast<uint8_t>((b[8] & 0x3F) | 0x80);
  char buf[40];
  std::snprintf(buf, sizeof buf,
                "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
                b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
                b[15]);
  Value v = Value::String(buf);
  ctx.memo[key] = v;
  return v;
}

BuiltinResult UuidParse(Args args, BuiltinContext&) {
  if (!args[0].IsString()) return WantString(1, args[0]);
  std::string_view s = args[0].AsString();
  if (s.size() == 45 && s.substr(0, 9) == "urn:uuid:") s.remove_prefix(9);
  if (s.size() == 38 && s.front() == '{' && s.back() == '}') s = s.substr(1, 36);
  std::string hex;
  if (s.size() == 36) {
    if (s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-')
      return BuiltinResult::Undefined();
    for (size_t i = 0; i < s.size(); ++i) {
      if (i != 8 && i != 13 && i != 18 && i != 23) hex += s[i];
    }
  } else if (s.size() == 32) {
    hex = std::string(s);
  } else {
    return BuiltinResult::Undefined();
  }
  uint8_t b[16];
  for (int i = 0; i < 16; ++i) {
    auto v = [](char c) -> int {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      if (c >= 'A' && c <= 'F') return c - 'A' + 10;
      return -1;
    };
    int hi = v(hex[static_cast<size_t>(2 * i)]), lo = v(hex[static_cast<size_t>(2 * i + 1)]);
    if (hi < 0 || lo < 0) return BuiltinResult::Undefined();
    b[i] = static_cast<uint8_t>(hi * 16 + lo);
  }
  int version = b[6] >> 4;
  std::string variant;
  if ((b[8] & 0x80) == 0) {
    variant = "Reserved, NCS backward compatibility";
  } else if ((b[8] & 0xC0) == 0x80) {
    variant = "RFC4122";
  } else if ((b[8] & 0xE0) == 0xC0) {
    variant = "Reserved, Microsoft Corporation backward compatibility";
  } else {
    variant = "Reserved, future definition";
  }
  ObjectBuilder o;
  o.Add("version", Value::Int(version));
  o.Add("variant", Value::String(variant));
  if (version == 1 || version == 2) {
    uint64_t t = (static_cast<uint64_t>(b[6] & 0x0F) << 56) | (static_cast<uint64_t>(b[7]) << 48) |
                 (static_cast<uint64_t>(b[4]) << 40) | (static_cast<uint64_t>(b[5]) << 32) |
                 (static_cast<uint64_t>(b[0]) << 24) | (static_cast<uint64_t>(b[1]) << 16) |
                 (static_cast<uint64_t>(b[2]) << 8) | b[3];
    // 100-ns intervals since 1582-10-15 → Unix ns.
    int64_t unix_ns = (static_cast<int64_t>(t) - 122192928000000000LL) * 100;
    o.Add("time", Value::Int(unix_ns));
    o.Add("clocksequence", Value::Int(((b[8] & 0x3F) << 8) | b[9]));
    char node[32];
    std::snprintf(node, sizeof node, "%02x-%02x-%02x-%02x-%02x-%02x", b[10], b[11], b[12], b[13],
                  b[14], b[15]);
    o.Add("nodeid", Value::String(node));
    o.Add("macvariables", Value::String(std::string((b[10] & 1) ? "local" : "global") + ":" +
                                        ((b[10] & 1) ? "multicast" : "unicast")));
    if (version == 2) {
      o.Add("domain", Value::String(b[9] == 0 ? "Person" : b[9] == 1 ? "Group" : "Org"));
      o.Add("id",
            Value::Int((static_cast<int64_t>(b[0]) << 24) | (b[1] << 16) | (b[2] << 8) | b[3]));
    }
  }
  return o.Build();
}

BuiltinResult RandIntn(Args args, BuiltinContext& ctx) {
  if (!args[0].IsString()) return WantString(1, args[0]);
  if (!args[1].IsNumber()) return BuiltinResult::OperandError(2, "number", args[1]);
  int64_t n;
  if (!args[1].GetInt(&n)) {
    return BuiltinResult::TypeError(
        "operand 2 must be integer number but got floating-point number");
  }
  if (n == 0) return Value::Int(0);
  if (n < 0) n = -n;
  std::string key = "rand.intn/" + std::string(args[0].AsString()) + "/" + std::to_string(n);
  if (auto it = ctx.memo.find(key); it != ctx.memo.end()) return it->second;
  std::uniform_int_distribution<int64_t> dist(0, n - 1);
  Value v = Value::Int(dist(ctx.rng));
  ctx.memo[key] = v;
  return v;
}

BuiltinResult OpaRuntime(Args, BuiltinContext& ctx) {
  if (ctx.runtime.IsObject()) return ctx.runtime;
  return Value::EmptyObject();
}

BuiltinResult GraphReachable(Args args, BuiltinContext& ctx) {
  if (!args[0].IsObject()) return BuiltinResult::OperandError(1, "object", args[0]);
  if (!args[1].IsArray() && !args[1].IsSet()) {
    return BuiltinResult::OperandError(2, "one of {set, array}", args[1]);
  }
  std::vector<Value> queue(args[1].Items().begin(), args[1].Items().end());
  SetBuilder reached;
  std::vector<Value> seen;
  size_t steps = 0;
  while (!queue.empty()) {
    if ((++steps & 1023) == 0 && ctx.Cancelled()) return BuiltinResult::Error("cancelled");
    Value node = queue.back();
    queue.pop_back();
    const Value* edges = args[0].Find(node);
    if (!edges) continue;
    if (std::find(seen.begin(), seen.end(), node) != seen.end()) continue;
    seen.push_back(node);
    reached.Add(node);
    if (edges->IsArray() || edges->IsSet()) {
      for (const Value& e : edges->Items()) queue.push_back(e);
    }
  }
  return reached.Build();
}

}  // namespace

void RegisterBuiltins_Misc(BuiltinRegistry& r) {
  r.Add("units.parse", 1, UnitsParse);
  r.Add("units.parse_bytes", 1, UnitsParseBytes);
  r.Add("semver.is_valid", 1, SemverIsValid);
  r.Add("semver.compare", 2, SemverCmp);
  BuiltinDef uuid;
  uuid.name = "uuid.rfc4122";
  uuid.arity = 1;
  uuid.fn = UuidRfc4122;
  uuid.nondeterministic = true;
  r.Add(std::move(uuid));
  r.Add("uuid.parse", 1, UuidParse);
  BuiltinDef rand;
  rand.name = "rand.intn";
  rand.arity = 2;
  rand.fn = RandIntn;
  rand.nondeterministic = true;
  r.Add(std::move(rand));
  r.Add("opa.runtime", 0, OpaRuntime);
  r.Add("graph.reachable", 2, GraphReachable);
}

}  // namespace gatehouse::rego
