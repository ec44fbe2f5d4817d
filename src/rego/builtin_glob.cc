// glob.match patterns → RE2, with the semantics of gobwas/glob (what OPA uses).
//
// Syntax: `*` matches any run of characters that are not delimiters, `**`
// any run including delimiters (the "super-asterisk"), `?` one character
// that is not a delimiter, `[abc]` `[a-z]` one character from the class,
// `[!abc]` `[!a-z]` one character not in it, `{alt1,alt2}` any of the
// alternatives (which may themselves contain patterns), `\x` the literal x.
// With no delimiters `*` and `**` are the same. OPA passes delimiters as
// strings; gobwas uses their first rune each, so only single characters are
// meaningful.
//
// We translate to an anchored RE2 pattern: RE2 gives linear-time matching,
// so a hostile pattern cannot make evaluation exponential.
#include <re2/re2.h>

#include "gatehouse/base.h"
#include "rego/builtin_util.h"

namespace gatehouse::rego {

namespace {

std::string ClassEscape(uint32_t cp) {
  std::string s;
  if (cp == '\\' || cp == ']' || cp == '[' || cp == '^' || cp == '-') s += '\\';
  AppendUtf8(s, cp);
  return s;
}

struct GlobCompiler {
  std::string_view p;
  size_t i = 0;
  std::string not_delim;  // "[^...]" or "." when no delimiters
  int depth = 0;
  static constexpr int kMaxNesting = 64;

  Result<std::string> Seq(bool in_alt) {
    std::string out;
    while (i < p.size()) {
      char c = p[i];
      if (in_alt && (c == ',' || c == '}')) return out;
      if (c == '*') {
        if (i + 1 < p.size() && p[i + 1] == '*') {
          out += "(?s:.*)";
          i += 2;
        } else {
          out += not_delim + "*";
          ++i;
        }
        continue;
      }
      if (c == '?') {
        out += not_delim;
        ++i;
        continue;
      }
      if (c == '\\') {
        if (i + 1 >= p.size()) {
          return MakeError(ErrorCode::kInvalidArgument, "unexpected end of input");
        }
        size_t len;
        uint32_t cp = DecodeRune(p, i + 1, &len);
        std::string lit;
        AppendUtf8(lit, cp);
        out += RE2::QuoteMeta(lit);
        i += 1 + len;
        continue;
      }
      if (c == '[') {
        size_t close = i + 1;
        bool neg = close < p.size() && p[close] == '!';
        if (neg) ++close;
        std::string cls = neg ? "[^" : "[";
        bool any = false;
        while (close < p.size() && p[close] != ']') {
          size_t len;
          uint32_t lo = DecodeRune(p, close, &len);
          close += len;
          if (close + 1 < p.size() && p[close] == '-' && p[close + 1] != ']') {
            uint32_t hi = DecodeRune(p, close + 1, &len);
            close += 1 + len;
            if (hi < lo)
              return MakeError(ErrorCode::kInvalidArgument,
                               "hi character should be greater than lo character");
            cls += ClassEscape(lo) + "-" + ClassEscape(hi);
          } else {
            cls += ClassEscape(lo);
          }
          any = true;
        }
        if (close >= p.size()) {
          return MakeError(ErrorCode::kInvalidArgument, "unexpected end of input");
        }
        if (!any) return MakeError(ErrorCode::kInvalidArgument, "empty character class");
        out += cls + "]";
        i = close + 1;
        continue;
      }
      if (c == '{') {
        if (++depth > kMaxNesting) {
          return MakeError(ErrorCode::kInvalidArgument, "glob alternatives nested too deeply");
        }
        ++i;
        std::string alt = "(?:";
        bool first = true;
        while (true) {
          Result<std::string> part = Seq(true);
          if (!part.ok()) return part;
          if (!first) alt += "|";
          alt += part.value();
          first = false;
          if (i >= p.size()) {
            return MakeError(ErrorCode::kInvalidArgument, "unexpected end of input");
          }
          if (p[i] == '}') {
            ++i;
            break;
          }
          ++i;  // ','
        }
        out += alt + ")";
        --depth;
        continue;
      }
      size_t len;
      DecodeRune(p, i, &len);
      out += RE2::QuoteMeta(p.substr(i, len));
      i += len;
    }
    if (in_alt) return MakeError(ErrorCode::kInvalidArgument, "unexpected end of input");
    return out;
  }
};

}  // namespace

Result<std::string> GlobToRegex(std::string_view pattern, const std::vector<std::string>& delims) {
  GlobCompiler gc;
  gc.p = pattern;
  if (delims.empty()) {
    gc.not_delim = "(?s:.)";
  } else {
    std::string cls;
    for (const std::string& d : delims) {
      if (d.empty()) continue;
      size_t len;
      cls += ClassEscape(DecodeRune(d, 0, &len));
    }
    // RE2's negated classes match newlines, like gobwas' single matchers.
    gc.not_delim = cls.empty() ? "(?s:.)" : "[^" + cls + "]";
  }
  Result<std::string> body = gc.Seq(false);
  if (!body.ok()) return body;
  return "^" + body.value() + "$";
}

std::string GlobQuoteMeta(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '*' || c == '?' || c == '\\' || c == '[' || c == ']' || c == '{' || c == '}') {
      out += '\\';
    }
    out += c;
  }
  return out;
}

}  // namespace gatehouse::rego
