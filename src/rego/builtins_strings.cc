// Rego builtins: strings (OPA topdown/strings.go semantics).
//
// Indexes and lengths count runes (Unicode code points), as OPA does;
// split/replace/trim follow Go's strings package (split on "" yields the
// runes; trim's cutset is a set of runes). Error messages use OPA's
// operand wording ("operand 2 must be one of {set, array} but got string").
#include <algorithm>
#include <cmath>

#include "gatehouse/base.h"
#include "rego/builtin_util.h"

namespace gatehouse::rego {

namespace {

using Args = std::span<const Value>;

#define REQUIRE_STRING(idx) \
  if (!args[idx].IsString()) return WantString((idx) + 1, args[idx]);

BuiltinResult ElementError(int operand, const Value& coll, const Value& got,
                           std::string_view want) {
  std::string t(coll.type_name());
  return BuiltinResult::TypeError("operand " + std::to_string(operand) + " must be " + t + " of " +
                                  std::string(want) + "s but got " + t + " containing " +
                                  std::string(got.type_name()));
}

bool IntOperand(Args args, int idx, int64_t* out, BuiltinResult* err) {
  const Value& v = args[static_cast<size_t>(idx)];
  if (!v.IsNumber()) {
    *err = BuiltinResult::OperandError(idx + 1, "number", v);
    return false;
  }
  if (!v.GetInt(out)) {
    *err = BuiltinResult::TypeError("operand " + std::to_string(idx + 1) +
                                    " must be integer number but got floating-point number");
    return false;
  }
  return true;
}

BuiltinResult Concat(Args args, BuiltinContext&) {
  REQUIRE_STRING(0);
  const Value& c = args[1];
  if (!c.IsArray() && !c.IsSet()) return BuiltinResult::OperandError(2, "one of {set, array}", c);
  std::string_view sep = args[0].AsString();
  std::string out;
  bool first = true;
  for (const Value& v : c.Items()) {
    if (!v.IsString()) return ElementError(2, c, v, "string");
    if (!first) out += sep;
    first = false;
    out += v.AsString();
  }
  return Value::String(std::move(out));
}

BuiltinResult FormatInt(Args args, BuiltinContext&) {
  if (!args[0].IsNumber()) return BuiltinResult::OperandError(1, "number", args[0]);
  if (!args[1].IsNumber()) return BuiltinResult::OperandError(2, "number", args[1]);
  int64_t base;
  if (!args[1].GetInt(&base) || (base != 2 && base != 8 && base != 10 && base != 16)) {
    return BuiltinResult::TypeError("operand 2 must be one of {2, 8, 10, 16}");
  }
  double d = args[0].AsDouble();
  int64_t i;
  if (!args[0].GetInt(&i)) {
    d = std::trunc(d);
    if (d >= 9.2e18 || d <= -9.2e18) return BuiltinResult::Error("number too large");
    i = static_cast<int64_t>(d);
  }
  bool neg = i < 0;
  uint64_t u = neg ? (~static_cast<uint64_t>(i) + 1) : static_cast<uint64_t>(i);
  std::string digits;
  do {
    digits.push_back("0123456789abcdef"[u % static_cast<uint64_t>(base)]);
    u /= static_cast<uint64_t>(base);
  } while (u);
  if (neg) digits.push_back('-');
  std::reverse(digits.begin(), digits.end());
  return Value::String(std::move(digits));
}

// Rune index of needle in haystack starting at rune `from`, or -1.
BuiltinResult IndexOf(Args args, BuiltinContext&) {
  REQUIRE_STRING(0);
  REQUIRE_STRING(1);
  std::string_view s = args[0].AsString(), n = args[1].AsString();
  if (n.empty()) return BuiltinResult::Error("empty search character");
  size_t pos = s.find(n);
  if (pos == std::string_view::npos) return Value::Int(-1);
  std::vector<size_t> offs = RuneOffsets(s);
  auto it = std::lower_bound(offs.begin(), offs.end(), pos);
  return Value::Int(it - offs.begin());
}

BuiltinResult IndexOfN(Args args, BuiltinContext&) {
  REQUIRE_STRING(0);
  REQUIRE_STRING(1);
  std::string_view s = args[0].AsString(), n = args[1].AsString();
  if (n.empty()) return BuiltinResult::Error("empty search character");
  std::vector<size_t> offs = RuneOffsets(s);
  std::vector<Value> out;
  for (size_t r = 0; r + 1 < offs.size(); ++r) {
    if (s.compare(offs[r], n.size(), n) == 0 && offs[r] + n.size() <= s.size()) {
      out.push_back(Value::Int(static_cast<int64_t>(r)));
    }
  }
  return Value::Array(std::move(out));
}

BuiltinResult Substring(Args args, BuiltinContext&) {
  REQUIRE_STRING(0);
  int64_t start, length;
  BuiltinResult err = Value();
  if (!IntOperand(args, 1, &start, &err)) return err;
  if (!IntOperand(args, 2, &length, &err)) return err;
  if (start < 0) return BuiltinResult::Error("negative offset");
  std::string_view s = args[0].AsString();
  std::vector<size_t> offs = RuneOffsets(s);
  int64_t runes = static_cast<int64_t>(offs.size()) - 1;
  if (start >= runes) return Value::String("");
  int64_t end = length < 0 ? runes : std::min(runes, start + length);
  return Value::String(
      std::string(s.substr(offs[static_cast<size_t>(start)],
                           offs[static_cast<size_t>(end)] - offs[static_cast<size_t>(start)])));
}

BuiltinResult Contains(Args args, BuiltinContext&) {
  REQUIRE_STRING(0);
  REQUIRE_STRING(1);
  return Value::Bool(args[0].AsString().find(args[1].AsString()) != std::string_view::npos);
}

BuiltinResult StartsWith(Args args, BuiltinContext&) {
  REQUIRE_STRING(0);
  REQUIRE_STRING(1);
  return Value::Bool(args[0].AsString().starts_with(args[1].AsString()));
}

BuiltinResult EndsWith(Args args, BuiltinContext&) {
  REQUIRE_STRING(0);
  REQUIRE_STRING(1);
  return Value::Bool(args[0].AsString().ends_with(args[1].AsString()));
}

// Unicode-aware case mapping for ASCII, Latin-1, Greek and Cyrillic (the
// ranges with simple one-to-one mappings); other runes are kept.
uint32_t MapCase(uint32_t cp, bool upper) {
  if (upper) {
    if (cp >= 'a' && cp <= 'z') return cp - 32;
    if ((cp >= 0xE0 && cp <= 0xFE && cp != 0xF7)) return cp - 32;
    if (cp == 0xFF) return 0x178;
    if (cp >= 0x3B1 && cp <= 0x3C9 && cp != 0x3C2) return cp - 32;
    if (cp >= 0x430 && cp <= 0x44F) return cp - 32;
    if (cp >= 0x450 && cp <= 0x45F) return cp - 80;
    if (cp >= 0x100 && cp <= 0x17F && cp != 0x131 && cp != 0x138 && cp != 0x149 && cp != 0x17F) {
      bool odd_lower = (cp >= 0x139 && cp <= 0x148) || (cp >= 0x179 && cp <= 0x17E);
      if (odd_lower ? (cp % 2 == 0) : (cp % 2 == 1)) return cp - 1;
    }
  } else {
    if (cp >= 'A' && cp <= 'Z') return cp + 32;
    if ((cp >= 0xC0 && cp <= 0xDE && cp != 0xD7)) return cp + 32;
    if (cp == 0x178) return 0xFF;
    if (cp >= 0x391 && cp <= 0x3A9 && cp != 0x3A2) return cp + 32;
    if (cp >= 0x410 && cp <= 0x42F) return cp + 32;
    if (cp >= 0x400 && cp <= 0x40F) return cp + 80;
    if (cp >= 0x100 && cp <= 0x17F && cp != 0x130 && cp != 0x138 && cp != 0x149 && cp != 0x17F) {
      bool odd_lower = (cp >= 0x139 && cp <= 0x148) || (cp >= 0x179 && cp <= 0x17E);
      if (odd_lower ? (cp % 2 == 1) : (cp % 2 == 0)) return cp + 1;
    }
  }
  return cp;
}

std::string CaseMap(std::string_view s, bool upper) {
  std::string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      out.push_back(static_cast<char>(upper ? std::toupper(c) : std::tolower(c)));
      ++i;
      continue;
    }
    size_t len;
    uint32_t cp = DecodeRune(s, i, &len);
    if (cp == 0xFFFD && len == 1) {
      out.push_back(s[i]);
    } else {
      AppendUtf8(out, MapCase(cp, upper));
    }
    i += len;
  }
  return out;
}

BuiltinResult Upper(Args args, BuiltinContext&) {
  REQUIRE_STRING(0);
  return Value::String(CaseMap(args[0].AsString(), true));
}

BuiltinResult Lower(Args args, BuiltinContext&) {
  REQUIRE_STRING(0);
  return Value::String(CaseMap(args[0].AsString(), false));
}

BuiltinResult Split(Args args, BuiltinContext&) {
  REQUIRE_STRING(0);
  REQUIRE_STRING(1);
  std::string_view s = args[0].AsString(), d = args[1].AsString();
  std::vector<Value> out;
  if (d.empty()) {
    std::vector<size_t> offs = RuneOffsets(s);
    for (size_t r = 0; r + 1 < offs.size(); ++r) {
      out.push_back(Value::String(std::string(s.substr(offs[r], offs[r + 1] - offs[r]))));
    }
    return Value::Array(std::move(out));
  }
  size_t start = 0;
  while (true) {
    size_t pos = s.find(d, start);
    if (pos == std::string_view::npos) break;
    out.push_back(Value::String(std::string(s.substr(start, pos - start))));
    start = pos + d.size();
  }
  out.push_back(Value::String(std::string(s.substr(start))));
  return Value::Array(std::move(out));
}

// Go strings.NewReplacer(pairs...).Replace(s): at each position the first
// pair (in argument order) whose old string matches wins; an empty old
// string matches at every rune boundary (and at the end).
std::string ReplacePairs(std::string_view s,
                         const std::vector<std::pair<std::string_view, std::string_view>>& pairs) {
  std::string out;
  size_t i = 0;
  while (i <= s.size()) {
    bool matched = false;
    for (const auto& [old_s, new_s] : pairs) {
      if (old_s.empty()) {
        out += new_s;
        matched = false;
        break;
      }
      if (s.compare(i, old_s.size(), old_s) == 0 && i + old_s.size() <= s.size()) {
        out += new_s;
        i += old_s.size();
        matched = true;
        break;
      }
    }
    if (matched) continue;
    if (i >= s.size()) break;
    size_t len;
    DecodeRune(s, i, &len);
    out.append(s.substr(i, len));
    i += len;
  }
  return out;
}

BuiltinResult Replace(Args args, BuiltinContext&) {
  REQUIRE_STRING(0);
  REQUIRE_STRING(1);
  REQUIRE_STRING(2);
  std::string_view s = args[0].AsString(), o = args[1].AsString(), n = args[2].AsString();
  if (o.empty()) return Value::String(ReplacePairs(s, {{o, n}}));
  std::string out;
  size_t start = 0;
  while (true) {
    size_t pos = s.find(o, start);
    if (pos == std::string_view::npos) break;
    out.append(s.substr(start, pos - start));
    out.append(n);
    start = pos + o.size();
  }
  out.append(s.substr(start));
  return Value::String(std::move(out));
}

BuiltinResult ReplaceN(Args args, BuiltinContext&) {
  if (!args[0].IsObject()) return BuiltinResult::OperandError(1, "object", args[0]);
  REQUIRE_STRING(1);
  std::vector<std::pair<std::string_view, std::string_view>> pairs;
  for (const auto& [k, v] : args[0].ObjectItems()) {
    if (!k.IsString()) {
      return BuiltinResult::TypeError("operand 1 non-string key found in pattern object");
    }
    if (!v.IsString()) {
      return BuiltinResult::TypeError("operand 1 non-string value found in pattern object");
    }
    pairs.emplace_back(k.AsString(), v.AsString());
  }
  return Value::String(ReplacePairs(args[1].AsString(), pairs));
}

bool InCutset(uint32_t cp, std::string_view cutset) {
  size_t i = 0;
  while (i < cutset.size()) {
    size_t len;
    if (DecodeRune(cutset, i, &len) == cp) return true;
    i += len;
  }
  return false;
}

std::string_view TrimLeftSet(std::string_view s, std::string_view cutset) {
  size_t i = 0;
  while (i < s.size()) {
    size_t len;
    uint32_t cp = DecodeRune(s, i, &len);
    if (!InCutset(cp, cutset)) break;
    i += len;
  }
  return s.substr(i);
}

std::string_view TrimRightSet(std::string_view s, std::string_view cutset) {
  std::vector<size_t> offs = RuneOffsets(s);
  size_t end = offs.size() - 1;
  while (end > 0) {
    size_t len;
    uint32_t cp = DecodeRune(s, offs[end - 1], &len);
    if (!InCutset(cp, cutset)) break;
    --end;
  }
  return s.substr(0, offs[end]);
}

BuiltinResult Trim(Args args, BuiltinContext&) {
  REQUIRE_STRING(0);
  REQUIRE_STRING(1);
  return Value::String(std::string(
      TrimRightSet(TrimLeftSet(args[0].AsString(), args[1].AsString()), args[1].AsString())));
}

BuiltinResult TrimLeft(Args args, BuiltinContext&) {
  REQUIRE_STRING(0);
  REQUIRE_STRING(1);
  return Value::String(std::string(TrimLeftSet(args[0].AsString(), args[1].AsString())));
}

BuiltinResult TrimRight(Args args, BuiltinContext&) {
  REQUIRE_STRING(0);
  REQUIRE_STRING(1);
  return Value::String(std::string(TrimRightSet(args[0].AsString(), args[1].AsString())));
}

BuiltinResult TrimPrefix(Args args, BuiltinContext&) {
  REQUIRE_STRING(0);
  REQUIRE_STRING(1);
  std::string_view s = args[0].AsString();
  if (s.starts_with(args[1].AsString())) s.remove_prefix(args[1].AsString().size());
  return Value::String(std::string(s));
}

BuiltinResult TrimSuffix(Args args, BuiltinContext&) {
  REQUIRE_STRING(0);
  REQUIRE_STRING(1);
  std::string_view s = args[0].AsString();
  if (s.ends_with(args[1].AsString())) s.remove_suffix(args[1].AsString().size());
  return Value::String(std::string(s));
}

bool IsUnicodeSpace(uint32_t cp) {
  switch (cp) {
    case '\t':
    case '\n':
    case '\v':
    case '\f':
    case '\r':
    case ' ':
    case 0x85:
    case 0xA0:
    case 0x1680:
    case 0x2028:
    case 0x2029:
    case 0x202F:
    case 0x205F:
    case 0x3000:
      return true;
    default:
      return cp >= 0x2000 && cp <= 0x200A;
  }
}

BuiltinResult TrimSpace(Args args, BuiltinContext&) {
  REQUIRE_STRING(0);
  std::string_view s = args[0].AsString();
  std::vector<size_t> offs = RuneOffsets(s);
  size_t b = 0, e = offs.size() - 1;
  size_t len;
  while (b < e && IsUnicodeSpace(DecodeRune(s, offs[b], &len))) ++b;
  while (e > b && IsUnicodeSpace(DecodeRune(s, offs[e - 1], &len))) --e;
  return Value::String(std::string(s.substr(offs[b], offs[e] - offs[b])));
}

BuiltinResult Sprintf(Args args, BuiltinContext&) {
  REQUIRE_STRING(0);
  if (!args[1].IsArray()) return BuiltinResult::OperandError(2, "array", args[1]);
  return Value::String(GoSprintf(args[0].AsString(), args[1].Items()));
}

bool StringsOf(const Value& v, int operand, std::vector<std::string_view>* out,
               BuiltinResult* err) {
  if (v.IsString()) {
    out->assign({v.AsString()});
    return true;
  }
  if (!v.IsArray() && !v.IsSet()) {
    *err = BuiltinResult::OperandError(operand, "one of {string, set, array}", v);
    return false;
  }
  out->clear();
  for (const Value& item : v.Items()) {
    if (!item.IsString()) {
      *err = BuiltinResult::TypeError("operand " + std::to_string(operand) +
                                      " must be string but got " + std::string(item.type_name()));
      return false;
    }
    out->push_back(item.AsString());
  }
  return true;
}

BuiltinResult AnyPrefixMatch(Args args, BuiltinContext&) {
  std::vector<std::string_view> strs, prefixes;
  BuiltinResult err = Value();
  if (!StringsOf(args[0], 1, &strs, &err)) return err;
  if (!StringsOf(args[1], 2, &prefixes, &err)) return err;
  for (auto s : strs) {
    for (auto p : prefixes) {
      if (s.starts_with(p)) return Value::Bool(true);
    }
  }
  return Value::Bool(false);
}

BuiltinResult AnySuffixMatch(Args args, BuiltinContext&) {
  std::vector<std::string_view> strs, suffixes;
  BuiltinResult err = Value();
  if (!StringsOf(args[0], 1, &strs, &err)) return err;
  if (!StringsOf(args[1], 2, &suffixes, &err)) return err;
  for (auto s : strs) {
    for (auto p : suffixes) {
      if (s.ends_with(p)) return Value::Bool(true);
    }
  }
  return Value::Bool(false);
}

BuiltinResult Count(Args args, BuiltinContext&) {
  REQUIRE_STRING(0);
  REQUIRE_STRING(1);
  std::string_view s = args[0].AsString(), sub = args[1].AsString();
  if (sub.empty()) return Value::Int(static_cast<int64_t>(RuneOffsets(s).size()));
  int64_t n = 0;
  size_t pos = 0;
  while ((pos = s.find(sub, pos)) != std::string_view::npos) {
    ++n;
    pos += sub.size();
  }
  return Value::Int(n);
}

BuiltinResult Reverse(Args args, BuiltinContext&) {
  REQUIRE_STRING(0);
  std::string_view s = args[0].AsString();
  std::vector<size_t> offs = RuneOffsets(s);
  std::string out;
  out.reserve(s.size());
  for (size_t r = offs.size() - 1; r > 0; --r)
    out.append(s.substr(offs[r - 1], offs[r] - offs[r - 1]));
  return Value::String(std::move(out));
}

BuiltinResult RenderTemplate(Args args, BuiltinContext&) {
  REQUIRE_STRING(0);
  if (!args[1].IsObject()) return BuiltinResult::OperandError(2, "object", args[1]);
  Result<std::string> r = RenderGoTemplate(args[0].AsString(), args[1]);
  if (!r.ok()) return BuiltinResult::Error(r.error().message);
  return Value::String(std::move(r.value()));
}

#undef REQUIRE_STRING

}  // namespace

void RegisterBuiltins_Strings(BuiltinRegistry& r) {
  r.Add("concat", 2, Concat);
  r.Add("format_int", 2, FormatInt);
  r.Add("indexof", 2, IndexOf);
  r.Add("indexof_n", 2, IndexOfN);
  r.Add("substring", 3, Substring);
  r.Add("contains", 2, Contains);
  r.Add("startswith", 2, StartsWith);
  r.Add("endswith", 2, EndsWith);
  r.Add("upper", 1, Upper);
  r.Add("lower", 1, Lower);
  r.Add("split", 2, Split);
  r.Add("replace", 3, Replace);
  r.Add("strings.replace_n", 2, ReplaceN);
  r.Add("trim", 2, Trim);
  r.Add("trim_left", 2, TrimLeft);
  r.Add("trim_right", 2, TrimRight);
  r.Add("trim_prefix", 2, TrimPrefix);
  r.Add("trim_suffix", 2, TrimSuffix);
  r.Add("trim_space", 1, TrimSpace);
  r.Add("sprintf", 2, Sprintf);
  r.Add("strings.any_prefix_match", 2, AnyPrefixMatch);
  r.Add("strings.any_suffix_match", 2, AnySuffixMatch);
  r.Add("strings.count", 2, Count);
  r.Add("strings.reverse", 1, Reverse);
  r.Add("strings.render_template", 2, RenderTemplate);
}

}  // namespace gatehouse::rego
