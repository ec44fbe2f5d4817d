// sprintf with Go's fmt semantics over OPA's argument conversion.
//
// OPA's sprintf(format, values) turns each Rego value into a Go value before
// calling fmt.Sprintf: an integral number becomes an int, another number a
// float64, a string a Go string, and everything else (booleans, null,
// arrays, objects, sets) the string of its Rego text (`[1, "a"]`,
// `{"a": 1}`, `{1, 2}`, `true`). So `%v` of an array prints Rego syntax and
// `%d` of a boolean prints `%!d(string=true)`.
//
// This file re-implements the part of fmt that those Go types can reach:
// verbs v s q x X d b o O c U e E f F g G t and %%, flags `+ - # 0 space`,
// width and precision (also `*` from an int argument), and fmt's error
// spellings: `%!d(string=x)` for a wrong type, `%!d(MISSING)`,
// `%!(EXTRA type=value, ...)` and `%!(NOVERB)`. Widths count runes as Go
// does. Float formatting follows strconv: %v uses the shortest
// representation and switches to exponent form at 1e21 or below 1e-4; %e
// always prints at least two exponent digits. Reference: pkg.go.dev/fmt.
#include <charconv>
#include <cmath>
#include <cstdio>
#include <variant>

#include "gatehouse/base.h"
#include "rego/builtin_util.h"

namespace gatehouse::rego {

namespace {

struct GoArg {
  enum class T { kInt, kFloat, kString } t = T::kString;
  int64_t i = 0;
  double f = 0;
  std::string s;
  std::string_view TypeName() const {
    return t == T::kInt ? "int" : t == T::kFloat ? "float64" : "string";
  }
};

GoArg Convert(const Value& v) {
  GoArg a;
  a.t = GoArg::T::kString;
  if (v.IsNumber()) {
    int64_t i;
    if (v.IsInt()) {
      a.t = GoArg::T::kInt;
      a.i = v.AsInt();
    } else if (v.GetInt(&i)) {
      a.t = GoArg::T::kInt;
      a.i = i;
    } else {
      a.t = GoArg::T::kFloat;
      a.f = v.AsDouble();
    }
  } else if (v.IsString()) {
    a.s = std::string(v.AsString());
  } else {
    a.s = v.ToRego();
  }
  return a;
}

struct Spec {
  bool plus = false, minus = false, sharp = false, zero = false, space = false;
  int width = -1;
  int prec = -1;
};

size_t RuneCount(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) {
    if ((c & 0xC0) != 0x80) ++n;
  }
  return n;
}

std::string Pad(std::string body, const Spec& sp, bool numeric) {
  if (sp.width < 0) return body;
  size_t len = RuneCount(body);
  if (len >= static_cast<size_t>(sp.width)) return body;
  size_t fill = static_cast<size_t>(sp.width) - len;
  if (sp.minus) return body + std::string(fill, ' ');
  if (sp.zero && numeric) {
    size_t sign = (!body.empty() && (body[0] == '-' || body[0] == '+' || body[0] == ' ')) ? 1 : 0;
    return body.substr(0, sign) + std::string(fill, '0') + body.substr(sign);
  }
  if (sp.zero && !numeric) return std::string(fill, '0') + body;
  return std::string(fill, ' ') + body;
}

std::string IntText(int64_t v, int base, bool upper, const Spec& sp, bool sharp_prefix) {
  bool neg = v < 0;
  uint64_t u = neg ? (~static_cast<uint64_t>(v) + 1) : static_cast<uint64_t>(v);
  char buf[80];
  auto r = std::to_chars(buf, buf + sizeof buf, u, base);
  std::string digits(buf, r.ptr);
  if (upper) {
    for (char& c : digits) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  if (sp.prec >= 0) {
    if (sp.prec == 0 && u == 0) digits.clear();
    if (digits.size() < static_cast<size_t>(sp.prec)) {
      digits.insert(0, static_cast<size_t>(sp.prec) - digits.size(), '0');
    }
  }
  std::string prefix;
  if (sharp_prefix && sp.sharp) {
    if (base == 16) prefix = upper ? "0X" : "0x";
    if (base == 8 && (digits.empty() || digits[0] != '0')) prefix = "0";
    if (base == 2) prefix = "0b";
  }
  std::string sign = neg ? "-" : sp.plus ? "+" : sp.space ? " " : "";
  std::string body = sign + prefix + digits;
  if (sp.zero && !sp.minus && sp.prec < 0 && sp.width > 0 &&
      body.size() < static_cast<size_t>(sp.width)) {
    size_t fill = static_cast<size_t>(sp.width) - body.size();
    return sign + prefix + std::string(fill, '0') + digits;
  }
  return Pad(body, sp, false);
}

// Shortest digits and decimal exponent of d (d > 0, finite): d = 0.DIGITS × 10^exp.
void ShortestDigits(double d, std::string* digits, int* exp10) {
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
  std::string s(buf, r.ptr);  // e.g. 1.2345e+02
  size_t e = s.find('e');
  std::string mant = s.substr(0, e);
  int ex = std::stoi(s.substr(e + 1));
  digits->clear();
  for (char c : mant) {
    if (c != '.') digits->push_back(c);
  }
  while (digits->size() > 1 && digits->back() == '0') digits->pop_back();
  *exp10 = ex;  // d = D.DDD × 10^ex
}

std::string ExpForm(const std::string& digits, int ex, bool upper) {
  std::string out(1, digits[0]);
  if (digits.size() > 1) out += "." + digits.substr(1);
  out += upper ? 'E' : 'e';
  out += ex < 0 ? '-' : '+';
  int a = std::abs(ex);
  if (a < 10) out += '0';
  out += std::to_string(a);
  return out;
}

std::string FixedForm(const std::string& digits, int ex) {
  // digits D1 D2 ... with value D1.D2... × 10^ex
  std::string out;
  if (ex < 0) {
    out = "0." + std::string(static_cast<size_t>(-ex - 1), '0') + digits;
  } else if (static_cast<size_t>(ex) + 1 >= digits.size()) {
    out = digits + std::string(static_cast<size_t>(ex) + 1 - digits.size(), '0');
  } else {
    out = digits.substr(0, static_cast<size_t>(ex) + 1) + "." +
          digits.substr(static_cast<size_t>(ex) + 1);
  }
  return out;
}

// strconv.FormatFloat(d, 'g', -1, 64) with the given exponent threshold.
std::string ShortestG(double d, int eprec, bool upper) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "+Inf" : "-Inf";
  if (d == 0) return std::signbit(d) ? "-0" : "0";
  std::string sign = d < 0 ? "-" : "";
  std::string digits;
  int ex;
  ShortestDigits(std::fabs(d), &digits, &ex);
  int eprec_eff = eprec < 0 ? 6 : eprec;
  if (ex < -4 || ex >= eprec_eff) return sign + ExpForm(digits, ex, upper);
  return sign + FixedForm(digits, ex);
}

// printf of one double with a precision, sized for any precision.
std::string CFormat(const char* fmt, int prec, double d) {
  int n = std::snprintf(nullptr, 0, fmt, prec, d);
  if (n <= 0) return {};
  std::string out(static_cast<size_t>(n) + 1, '\0');
  std::snprintf(out.data(), out.size(), fmt, prec, d);
  out.resize(static_cast<size_t>(n));
  return out;
}

std::string FloatText(double d, char verb, const Spec& sp) {
  std::string body;
  if (std::isnan(d) || std::isinf(d)) {
    body = std::isnan(d) ? "NaN" : (d > 0 ? (sp.plus ? "+Inf" : "Inf") : "-Inf");
    Spec s2 = sp;
    s2.zero = false;
    return Pad(body, s2, false);
  }
  switch (verb) {
    case 'v':
      body = ShortestG(d, 21, false);
      if (sp.prec >= 0) {
        body = CFormat("%.*g", sp.prec, d);
      }
      break;
    case 'g':
    case 'G':
      if (sp.prec < 0) {
        body = ShortestG(d, 6, verb == 'G');
      } else {
        body = CFormat(verb == 'g' ? "%.*g" : "%.*G", sp.prec == 0 ? 1 : sp.prec, d);
      }
      break;
    case 'e':
    case 'E':
      body = CFormat(verb == 'e' ? "%.*e" : "%.*E", sp.prec < 0 ? 6 : sp.prec, d);
      break;
    default:  // f F
      body = CFormat("%.*f", sp.prec < 0 ? 6 : sp.prec, d);
      break;
  }
  if (d >= 0 && !std::signbit(d)) {
    if (sp.plus) {
      body = "+" + body;
    } else if (sp.space) {
      body = " " + body;
    }
  }
  return Pad(body, sp, true);
}

std::string BadVerb(char verb, const GoArg& a) {
  std::string v;
  switch (a.t) {
    case GoArg::T::kInt:
      v = std::to_string(a.i);
      break;
    case GoArg::T::kFloat:
      v = ShortestG(a.f, 21, false);
      break;
    case GoArg::T::kString:
      v = a.s;
      break;
  }
  return std::string("%!") + verb + "(" + std::string(a.TypeName()) + "=" + v + ")";
}

std::string HexString(std::string_view s, bool upper, const Spec& sp) {
  const char* digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  std::string out;
  size_t n = s.size();
  if (sp.prec >= 0 && static_cast<size_t>(sp.prec) < n) n = static_cast<size_t>(sp.prec);
  for (size_t i = 0; i < n; ++i) {
    if (sp.space && i > 0) out += ' ';
    if (sp.sharp && (sp.space || i == 0)) out += upper ? "0X" : "0x";
    unsigned char c = static_cast<unsigned char>(s[i]);
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return Pad(out, sp, false);
}

std::string FormatOne(char verb, const Spec& sp, const GoArg& a) {
  switch (a.t) {
    case GoArg::T::kString:
      switch (verb) {
        case 'v':
        case 's': {
          std::string s = a.s;
          if (sp.prec >= 0) {
            // Precision truncates to that many runes.
            size_t runes = 0, i = 0;
            for (; i < s.size(); ++i) {
              if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) {
                if (runes == static_cast<size_t>(sp.prec)) break;
                ++runes;
              }
            }
            s = s.substr(0, i);
          }
          return Pad(s, sp, false);
        }
        case 'q':
          if (sp.sharp && a.s.find('`') == std::string::npos)
            return Pad("`" + a.s + "`", sp, false);
          return Pad(GoQuote(a.s), sp, false);
        case 'x':
        case 'X':
          return HexString(a.s, verb == 'X', sp);
        default:
          return BadVerb(verb, a);
      }
    case GoArg::T::kInt:
      switch (verb) {
        case 'v':
        case 'd':
          return IntText(a.i, 10, false, sp, false);
        case 'b':
          return IntText(a.i, 2, false, sp, true);
        case 'o':
          return IntText(a.i, 8, false, sp, true);
        case 'O': {
          Spec s2 = sp;
          s2.sharp = false;
          std::string t = IntText(a.i, 8, false, s2, false);
          size_t pos = (t[0] == '-' || t[0] == '+') ? 1 : 0;
          return t.insert(pos, "0o");
        }
        case 'x':
          return IntText(a.i, 16, false, sp, true);
        case 'X':
          return IntText(a.i, 16, true, sp, true);
        case 'c': {
          std::string s;
          AppendUtf8(s, static_cast<uint32_t>(a.i));
          return Pad(s, sp, false);
        }
        case 'q': {
          std::string s;
          AppendUtf8(s, static_cast<uint32_t>(a.i));
          std::string q = GoQuote(s);
          return Pad("'" + q.substr(1, q.size() - 2) + "'", sp, false);
        }
        case 'U': {
          char buf[32];
          std::snprintf(buf, sizeof buf, "U+%04llX", static_cast<unsigned long long>(a.i));
          return Pad(buf, sp, false);
        }
        default:
          return BadVerb(verb, a);
      }
    case GoArg::T::kFloat:
      switch (verb) {
        case 'v':
        case 'e':
        case 'E':
        case 'f':
        case 'F':
        case 'g':
        case 'G':
          return FloatText(a.f, verb, sp);
        default:
          return BadVerb(verb, a);
      }
  }
  return {};
}

}  // namespace

std::string GoQuote(std::string_view s) {
  std::string out = "\"";
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
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
        case '\t':
          out += "\\t";
          break;
        case '\r':
          out += "\\r";
          break;
        case '\a':
          out += "\\a";
          break;
        case '\b':
          out += "\\b";
          break;
        case '\f':
          out += "\\f";
          break;
        case '\v':
          out += "\\v";
          break;
        default:
          if (c < 0x20 || c == 0x7f) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\x%02x", c);
            out += buf;
          } else {
            out += static_cast<char>(c);
          }
      }
      ++i;
      continue;
    }
    // Multi-byte: validate the UTF-8 sequence; invalid bytes become \x..
    int len = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
    bool ok = len > 0 && i + static_cast<size_t>(len) <= s.size();
    for (int k = 1; ok && k < len; ++k) {
      ok = (static_cast<unsigned char>(s[i + static_cast<size_t>(k)]) & 0xC0) == 0x80;
    }
    if (!ok) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
      ++i;
      continue;
    }
    out.append(s.substr(i, static_cast<size_t>(len)));
    i += static_cast<size_t>(len);
  }
  out += '"';
  return out;
}

std::string GoFloatV(double d) { return ShortestG(d, 21, false); }

std::string GoSprintf(std::string_view format, std::span<const Value> values) {
  std::vector<GoArg> args;
  args.reserve(values.size());
  for (const Value& v : values) args.push_back(Convert(v));
  std::string out;
  size_t argi = 0;
  size_t i = 0;
  while (i < format.size()) {
    char c = format[i];
    if (c != '%') {
      out += c;
      ++i;
      continue;
    }
    ++i;
    if (i >= format.size()) {
      out += "%!(NOVERB)";
      break;
    }
    Spec sp;
    // Flags.
    for (; i < format.size(); ++i) {
      char f = format[i];
      if (f == '+') {
        sp.plus = true;
      } else if (f == '-') {
        sp.minus = true;
      } else if (f == '#') {
        sp.sharp = true;
      } else if (f == '0') {
        sp.zero = true;
      } else if (f == ' ') {
        sp.space = true;
      } else {
        break;
      }
    }
    auto read_num = [&](int* out_n) {
      if (i < format.size() && format[i] == '*') {
        ++i;
        if (argi < args.size() && args[argi].t == GoArg::T::kInt) {
          int64_t v = args[argi++].i;
          if (v < 0) {
            sp.minus = true;
            v = -v;
          }
          *out_n = static_cast<int>(std::min<int64_t>(v, 1000000));
        } else {
          ++argi;
          out += "%!(BADWIDTH)";
        }
        return;
      }
      int n = -1;
      while (i < format.size() && std::isdigit(static_cast<unsigned char>(format[i]))) {
        n = (n < 0 ? 0 : n) * 10 + (format[i] - '0');
        if (n > 1000000) n = 1000000;
        ++i;
      }
      if (n >= 0) *out_n = n;
    };
    read_num(&sp.width);
    if (i < format.size() && format[i] == '.') {
      ++i;
      sp.prec = 0;
      read_num(&sp.prec);
    }
    if (i >= format.size()) {
      out += "%!(NOVERB)";
      break;
    }
    // The verb is one rune.
    unsigned char vc = static_cast<unsigned char>(format[i]);
    size_t vlen = vc < 0x80 ? 1 : (vc & 0xE0) == 0xC0 ? 2 : (vc & 0xF0) == 0xE0 ? 3 : 4;
    std::string verb_text(format.substr(i, vlen));
    i += vlen;
    if (verb_text == "%") {
      out += '%';
      continue;
    }
    if (argi >= args.size()) {
      out += "%!" + verb_text + "(MISSING)";
      continue;
    }
    const GoArg& a = args[argi++];
    if (vlen != 1) {
      out += "%!" + verb_text + BadVerb('v', a).substr(3);
      continue;
    }
    char verb = verb_text[0];
    if (verb == 't') {
      out += BadVerb('t', a);
      continue;
    }
    out += FormatOne(verb, sp, a);
  }
  if (argi < args.size()) {
    out += "%!(EXTRA ";
    for (size_t k = argi; k < args.size(); ++k) {
      if (k > argi) out += ", ";
      std::string bad = BadVerb('v', args[k]);  // "%!v(type=value)"
      out += bad.substr(4, bad.size() - 5);
    }
    out += ")";
  }
  return out;
}

}  // namespace gatehouse::rego
