// Rego builtins: regex.* and glob.* on RE2.
//
// Go's regexp package implements RE2 syntax, so patterns pass through
// unchanged; compiled programs are cached process-wide (bounded, behind a
// mutex; RE2 objects are thread-safe for matching). The "All" functions
// follow Go's iteration rules: matches do not overlap, and an empty match
// right after a previous match is skipped (regexp.FindAllString).
//
// regex.globs_match(a, b) asks whether two patterns can match a common
// string. OPA answers it with glob-intersection over a regex subset; we
// support the same subset — literals, `.`, character classes `[...]`,
// escapes, each optionally followed by `*`, `+` or `?` — and decide the
// intersection by a breadth-first search over pairs of NFA positions (the
// product automaton), which is exact for that subset.
#include <re2/re2.h>

#include <bitset>
#include <list>
#include <memory>
#include <mutex>
#include <unordered_map>

#include "rego/builtin_util.h"

namespace gatehouse::rego {

namespace {

using Args = std::span<const Value>;

// ---- Compiled-regex cache -------------------------------------------------

class RegexCache {
 public:
  std::shared_ptr<const RE2> Get(std::string_view pattern, std::string* error) {
    std::string key(pattern);
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = map_.find(key);
      if (it != map_.end()) return it->second;
    }
    RE2::Options opts;
    opts.set_log_errors(false);
    opts.set_max_mem(64 << 20);
    auto re = std::make_shared<const RE2>(key, opts);
    if (!re->ok()) {
      *error = "error parsing regexp: " + re->error();
      return nullptr;
    }
    std::lock_guard<std::mutex> lock(mu_);
    if (map_.size() >= kMax) map_.clear();
    map_.emplace(std::move(key), re);
    return re;
  }

 private:
  static constexpr size_t kMax = 1000;
  std::mutex mu_;
  std::unordered_map<std::string, std::shared_ptr<const RE2>> map_;
};

RegexCache& Cache() {
  static RegexCache* c = new RegexCache();
  return *c;
}

#define REQUIRE_STRING(idx) \
  if (!args[idx].IsString()) return WantString((idx) + 1, args[idx]);

#define COMPILE(var, pattern)                                        \
  std::string var##_err;                                             \
  std::shared_ptr<const RE2> var = Cache().Get(pattern, &var##_err); \
  if (!var) return BuiltinResult::Error(var##_err);

BuiltinResult Match(Args args, BuiltinContext&) {
  REQUIRE_STRING(0);
  REQUIRE_STRING(1);
  COMPILE(re, args[0].AsString());
  return Value::Bool(RE2::PartialMatch(args[1].AsString(), *re));
}

BuiltinResult IsValid(Args args, BuiltinContext&) {
  if (!args[0].IsString()) return Value::Bool(false);
  std::string err;
  return Value::Bool(Cache().Get(args[0].AsString(), &err) != nullptr);
}

// All non-overlapping matches (with submatches), Go's rules; n < 0 = all.
std::vector<std::vector<re2::StringPiece>> FindAll(const RE2& re, std::string_view s, int64_t n) {
  std::vector<std::vector<re2::StringPiece>> out;
  int groups = re.NumberOfCapturingGroups() + 1;
  std::vector<re2::StringPiece> m(static_cast<size_t>(groups));
  size_t pos = 0;
  ptrdiff_t prev_end = -1;
  while (pos <= s.size() && (n < 0 || static_cast<int64_t>(out.size()) < n)) {
    if (!re.Match(s, pos, s.size(), RE2::UNANCHORED, m.data(), groups)) break;
    size_t mb = static_cast<size_t>(m[0].data() - s.data());
    size_t me = mb + m[0].size();
    bool accept = true;
    if (m[0].empty() && static_cast<ptrdiff_t>(mb) == prev_end) accept = false;
    if (accept) {
      out.push_back(m);
      prev_end = static_cast<ptrdiff_t>(me);
    }
    if (me > pos && !m[0].empty()) {
      pos = me;
    } else {
      // Empty match: advance one rune.
      if (mb >= s.size()) break;
      size_t len;
      DecodeRune(s, mb, &len);
      pos = mb + len;
    }
  }
  return out;
}

Value PieceValue(const re2::StringPiece& p) {
  return Value::String(p.data() ? std::string(p.data(), p.size()) : std::string());
}

BuiltinResult FindN(Args args, BuiltinContext&) {
  REQUIRE_STRING(0);
  REQUIRE_STRING(1);
  int64_t n;
  if (!args[2].IsNumber()) return BuiltinResult::OperandError(3, "number", args[2]);
  if (!args[2].GetInt(&n)) {
    return BuiltinResult::TypeError(
        "operand 3 must be integer number but got floating-point number");
  }
  COMPILE(re, args[0].AsString());
  std::vector<Value> out;
  for (const auto& m : FindAll(*re, args[1].AsString(), n)) out.push_back(PieceValue(m[0]));
  return Value::Array(std::move(out));
}

BuiltinResult FindAllSubmatch(Args args, BuiltinContext&) {
  REQUIRE_STRING(0);
  REQUIRE_STRING(1);
  int64_t n;
  if (!args[2].IsNumber()) return BuiltinResult::OperandError(3, "number", args[2]);
  if (!args[2].GetInt(&n)) {
    return BuiltinResult::TypeError(
        "operand 3 must be integer number but got floating-point number");
  }
  COMPILE(re, args[0].AsString());
  std::vector<Value> out;
  for (const auto& m : FindAll(*re, args[1].AsString(), n)) {
    std::vector<Value> groups;
    for (const auto& g : m) groups.push_back(PieceValue(g));
    out.push_back(Value::Array(std::move(groups)));
  }
  return Value::Array(std::move(out));
}

BuiltinResult Split(Args args, BuiltinContext&) {
  REQUIRE_STRING(0);
  REQUIRE_STRING(1);
  COMPILE(re, args[0].AsString());
  std::string_view s = args[1].AsString();
  std::vector<Value> out;
  if (s.empty()) {
    out.push_back(Value::String(""));
    return Value::Array(std::move(out));
  }
  size_t beg = 0, end = 0;
  for (const auto& m : FindAll(*re, s, -1)) {
    size_t mb = static_cast<size_t>(m[0].data() - s.data());
    size_t me = mb + m[0].size();
    end = mb;
    if (me != 0) out.push_back(Value::String(std::string(s.substr(beg, end - beg))));
    beg = me;
  }
  if (end != s.size()) out.push_back(Value::String(std::string(s.substr(beg))));
  return Value::Array(std::move(out));
}

// Go's Regexp.Expand template: $1, ${1}, $name, ${name}, $$.
std::string Expand(const RE2& re, std::string_view tmpl, const std::vector<re2::StringPiece>& m) {
  std::string out;
  const auto& names = re.NamedCapturingGroups();
  for (size_t i = 0; i < tmpl.size(); ++i) {
    if (tmpl[i] != '$' || i + 1 >= tmpl.size()) {
      out += tmpl[i];
      continue;
    }
    if (tmpl[i + 1] == '$') {
      out += '$';
      ++i;
      continue;
    }
    std::string name;
    size_t j = i + 1;
    bool braced = tmpl[j] == '{';
    if (braced) {
      size_t close = tmpl.find('}', j);
      if (close == std::string_view::npos) {
        out += tmpl[i];
        continue;
      }
      name = std::string(tmpl.substr(j + 1, close - j - 1));
      j = close + 1;
    } else {
      while (j < tmpl.size() &&
             (std::isalnum(static_cast<unsigned char>(tmpl[j])) || tmpl[j] == '_'))
        ++j;
      name = std::string(tmpl.substr(i + 1, j - i - 1));
    }
    if (name.empty()) {
      out += tmpl[i];
      continue;
    }
    int idx = -1;
    bool numeric = std::all_of(name.begin(), name.end(),
                               [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
    if (numeric && name.size() < 9) {
      idx = std::stoi(name);
    } else if (auto it = names.find(name); it != names.end()) {
      idx = it->second;
    }
    if (idx >= 0 && static_cast<size_t>(idx) < m.size() && m[static_cast<size_t>(idx)].data()) {
      out.append(m[static_cast<size_t>(idx)].data(), m[static_cast<size_t>(idx)].size());
    }
    i = j - 1;
  }
  return out;
}

BuiltinResult Replace(Args args, BuiltinContext&) {
  REQUIRE_STRING(0);
  REQUIRE_STRING(1);
  REQUIRE_STRING(2);
  COMPILE(re, args[1].AsString());
  std::string_view s = args[0].AsString();
  std::string out;
  size_t last = 0;
  for (const auto& m : FindAll(*re, s, -1)) {
    size_t mb = static_cast<size_t>(m[0].data() - s.data());
    out.append(s.substr(last, mb - last));
    out += Expand(*re, args[2].AsString(), m);
    last = mb + m[0].size();
  }
  out.append(s.substr(last));
  return Value::String(std::move(out));
}

BuiltinResult TemplateMatch(Args args, BuiltinContext&) {
  for (size_t i = 0; i < 4; ++i) {
    if (!args[i].IsString()) return WantString(static_cast<int>(i) + 1, args[i]);
  }
  std::string_view tmpl = args[0].AsString(), value = args[1].AsString();
  std::string_view ds = args[2].AsString(), de = args[3].AsString();
  if (ds.empty() || de.empty()) return BuiltinResult::Error("empty delimiter");
  // Literal text outside delimiters, regex inside (nesting counted).
  std::string pattern = "^";
  size_t i = 0;
  while (i < tmpl.size()) {
    size_t open = tmpl.find(ds, i);
    if (open == std::string_view::npos) {
      pattern += RE2::QuoteMeta(tmpl.substr(i));
      break;
    }
    pattern += RE2::QuoteMeta(tmpl.substr(i, open - i));
    size_t j = open + ds.size();
    int depth = 1;
    size_t k = j;
    while (k < tmpl.size() && depth > 0) {
      if (tmpl.compare(k, de.size(), de) == 0) {
        if (--depth == 0) break;
        k += de.size();
      } else if (tmpl.compare(k, ds.size(), ds) == 0) {
        ++depth;
        k += ds.size();
      } else {
        ++k;
      }
    }
    if (depth != 0) {
      return BuiltinResult::Error("unbalanced braces in \"" + std::string(tmpl) + "\"");
    }
    pattern += "(" + std::string(tmpl.substr(j, k - j)) + ")";
    i = k + de.size();
  }
  pattern += "$";
  COMPILE(re, pattern);
  return Value::Bool(RE2::PartialMatch(value, *re));
}

// ---- globs_match ------------------------------------------------------------

struct Tok {
  std::bitset<256> set;
  char q = 0;  // 0, '*', '?'
};

Result<std::vector<Tok>> ParseSubset(std::string_view p) {
  std::vector<Tok> toks;
  size_t i = 0;
  while (i < p.size()) {
    Tok t;
    char c = p[i];
    if (c == '.') {
      t.set.set();
      ++i;
    } else if (c == '\\') {
      if (i + 1 >= p.size()) return MakeError(ErrorCode::kInvalidArgument, "trailing backslash");
      t.set.set(static_cast<unsigned char>(p[i + 1]));
      i += 2;
    } else if (c == '[') {
      size_t j = i + 1;
      bool neg = j < p.size() && p[j] == '^';
      if (neg) ++j;
      std::bitset<256> s;
      bool first = true;
      while (j < p.size() && (p[j] != ']' || first)) {
        unsigned char lo = static_cast<unsigned char>(p[j]);
        if (lo == '\\' && j + 1 < p.size()) lo = static_cast<unsigned char>(p[++j]);
        if (j + 2 < p.size() && p[j + 1] == '-' && p[j + 2] != ']') {
          unsigned char hi = static_cast<unsigned char>(p[j + 2]);
          for (unsigned x = lo; x <= hi; ++x) s.set(x);
          j += 3;
        } else {
          s.set(lo);
          ++j;
        }
        first = false;
      }
      if (j >= p.size())
        return MakeError(ErrorCode::kInvalidArgument, "unterminated character class");
      t.set = neg ? ~s : s;
      i = j + 1;
    } else if (c == '*' || c == '+' || c == '?' || c == '(' || c == ')' || c == '|' || c == '{' ||
               c == '^' || c == '$') {
      return MakeError(ErrorCode::kInvalidArgument,
                       std::string("unsupported token '") + c + "' in glob-intersection pattern");
    } else {
      t.set.set(static_cast<unsigned char>(c));
      ++i;
    }
    if (i < p.size() && (p[i] == '*' || p[i] == '?' || p[i] == '+')) {
      if (p[i] == '+') {
        toks.push_back(t);
        t.q = '*';
      } else {
        t.q = p[i];
      }
      ++i;
    }
    toks.push_back(t);
  }
  return toks;
}

bool Intersects(const std::vector<Tok>& a, const std::vector<Tok>& b) {
  size_t n = a.size(), m = b.size();
  std::vector<char> seen((n + 1) * (m + 1), 0);
  std::vector<std::pair<size_t, size_t>> stack = {{0, 0}};
  while (!stack.empty()) {
    auto [i, j] = stack.back();
    stack.pop_back();
    if (seen[i * (m + 1) + j]) continue;
    seen[i * (m + 1) + j] = 1;
    if (i == n && j == m) return true;
    if (i < n && a[i].q) stack.push_back({i + 1, j});
    if (j < m && b[j].q) stack.push_back({i, j + 1});
    if (i < n && j < m && (a[i].set & b[j].set).any()) {
      stack.push_back({a[i].q == '*' ? i : i + 1, b[j].q == '*' ? j : j + 1});
    }
  }
  return false;
}

BuiltinResult GlobsMatch(Args args, BuiltinContext&) {
  REQUIRE_STRING(0);
  REQUIRE_STRING(1);
  Result<std::vector<Tok>> a = ParseSubset(args[0].AsString());
  if (!a.ok()) return BuiltinResult::Error(a.error().message);
  Result<std::vector<Tok>> b = ParseSubset(args[1].AsString());
  if (!b.ok()) return BuiltinResult::Error(b.error().message);
  return Value::Bool(Intersects(a.value(), b.value()));
}

// ---- glob ---------------------------------------------------------------------

BuiltinResult GlobMatch(Args args, BuiltinContext&) {
  REQUIRE_STRING(0);
  std::vector<std::string> delims;
  if (args[1].IsNull()) {
    // null: no delimiters.
  } else if (args[1].IsArray()) {
    for (const Value& d : args[1].Items()) {
      if (!d.IsString()) {
        return BuiltinResult::TypeError(
            "operand 2 must be array of strings but got array containing " +
            std::string(d.type_name()));
      }
      delims.emplace_back(d.AsString());
    }
    if (delims.empty()) delims.push_back(".");  // OPA: [] means the default "."
  } else {
    return BuiltinResult::OperandError(2, "one of {array, null}", args[1]);
  }
  REQUIRE_STRING(2);
  Result<std::string> rx = GlobToRegex(args[0].AsString(), delims);
  if (!rx.ok()) return BuiltinResult::Error(rx.error().message);
  COMPILE(re, rx.value());
  return Value::Bool(RE2::FullMatch(args[2].AsString(), *re));
}

BuiltinResult GlobQuote(Args args, BuiltinContext&) {
  REQUIRE_STRING(0);
  return Value::String(GlobQuoteMeta(args[0].AsString()));
}

#undef REQUIRE_STRING
#undef COMPILE

}  // namespace

void RegisterBuiltins_Regex(BuiltinRegistry& r) {
  r.Add("regex.match", 2, Match);
  BuiltinDef re_match;
  re_match.name = "re_match";
  re_match.arity = 2;
  re_match.fn = Match;
  re_match.deprecated = true;
  r.Add(std::move(re_match));
  r.Add("regex.is_valid", 1, IsValid);
  r.Add("regex.find_n", 3, FindN);
  r.Add("regex.find_all_string_submatch_n", 3, FindAllSubmatch);
  r.Add("regex.split", 2, Split);
  r.Add("regex.replace", 3, Replace);
  r.Add("regex.template_match", 4, TemplateMatch);
  r.Add("regex.globs_match", 2, GlobsMatch);
  r.Add("glob.match", 3, GlobMatch);
  r.Add("glob.quote_meta", 1, GlobQuote);
}

}  // namespace gatehouse::rego
