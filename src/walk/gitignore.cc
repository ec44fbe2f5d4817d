// gitignore and glob matching.
//
// The goal is to agree with git byte for byte, so the rules here are git's
// own (dir.c and wildmatch.c in git 2.39), restated rather than reinvented:
//
//  * Lines. A UTF-8 BOM at the start is skipped; lines split on '\n'; an
//    empty line or one starting with '#' is skipped; one trailing '\r' is
//    dropped; the line ends at a NUL; trailing spaces are trimmed unless
//    escaped (`\ `). A leading '!' negates; one trailing '/' makes the
//    pattern directory-only and is removed.
//  * Two kinds of pattern. One with no '/' left (after that removal) is a
//    basename pattern: it is tried against the last path component at any
//    depth. Anything else is anchored to the .gitignore's directory: a single
//    leading '/' is dropped, the path below the base must match the rest.
//  * Anchored patterns are split, as git splits them, into the literal
//    prefix before the first glob character (compared with memcmp) and the
//    remainder (globbed). This split is observable: wildmatch treats `**` as
//    "any directories" only at the start of the string it is handed or after
//    a '/', so in `foo**/bar` git hands `**/bar` to wildmatch and the `**`
//    crosses directories, while GlobMatch("foo**/bar", ...) treats it as `*`.
//  * The last matching line of a file wins; deeper files win over shallower
//    ones; nothing below an ignored directory is looked at (walker.cc).
//
// Matching. wildmatch is a backtracking matcher whose worst case is
// exponential in the number of stars; a fuzzer finds such inputs in
// seconds. Here a glob is compiled once into a token list (literal, `?`,
// class as a 256-bit set, `*` that stops at '/', `**` that does not) and run
// as an NFA: the set of live token positions is a bitset advanced one byte at
// a time, so a match costs O(path length x pattern length) at worst. The
// epsilon moves are "a star may match nothing" and, on entering a `**/`,
// "skip the slash too", which is how `a/**/b` matches `a/b`. wildmatch's
// early aborts (WM_ABORT_ALL, WM_ABORT_TO_STARSTAR) only prune its search,
// they never change an answer, so the NFA needs no equivalent; a malformed
// class or a trailing backslash can never match, which compiles to kNever.
//
// Most real patterns never reach the NFA. Compilation classifies the token
// list: all literals (`Makefile`, `/build`), `*lit` (`*.o`), `lit*` (`.*`),
// `*`, `**` and `lit**` each get a direct string test, and the rest first
// pass cheap necessary conditions (length, a literal that must occur, the
// last byte). A long .gitignore is also indexed (see IgnoreFile::Index), so
// a path is only tried against the few lines that could match it.
#include <algorithm>
#include <bitset>
#include <cstring>
#include <functional>
#include <unordered_map>
#include <utility>

#include "gatehouse/walk.h"

namespace gatehouse {

struct Glob::Program {
  enum class Kind : uint8_t {
    kNever,           // can never match (malformed class, trailing backslash)
    kLiteral,         // text == literal
    kAnything,        // `**`
    kNoSlash,         // `*`: text has no '/'
    kSuffix,          // `*lit`: text ends with lit, no '/' before it
    kPrefix,          // `lit*`: text starts with lit, no '/' after it
    kPrefixAnything,  // `lit**` (lit ends in '/'): text starts with lit
    kGeneral,         // NFA
  };
  // kSkipSlash is zero-width and sits in front of a `**` that is followed by
  // '/': from it one may enter the `**` or jump past the '/' as well. Only
  // on entry: once `**` has consumed a byte, the '/' must be matched.
  enum class Op : uint8_t { kLiteral, kAny, kClass, kStar, kStarStar, kSkipSlash };
  struct Token {
    Op op;
    unsigned char ch;
    uint32_t cls;  // index into classes
  };

  Kind kind = Kind::kNever;
  std::string literal;
  std::vector<Token> tokens;
  std::vector<std::bitset<256>> classes;
  std::vector<uint32_t> star_positions;  // tokens with epsilon moves, ascending

  // kGeneral prefilters, each a necessary condition for a match: most paths
  // fail one of them and never reach the NFA.
  size_t min_length = 0;  // bytes consumed by non-star tokens
  std::string required;   // longest literal run; must occur in the text
  bool has_last = false;  // the last token consumes exactly one byte...
  std::bitset<256> last;  // ...from this set

  static Program Compile(std::string_view pattern);
  bool Match(std::string_view text) const;

 private:
  bool MatchGeneral(std::string_view text) const;
};

namespace {

using Program = Glob::Program;

bool IsGlobSpecial(char c) { return c == '*' || c == '?' || c == '[' || c == '\\'; }

// [:name:] classes as git defines them: ASCII only and locale independent
// (git's sane_ctype; note that "space" is only \t \n \r and ' ').
bool AddNamedClass(std::string_view name, std::bitset<256>& set) {
  auto add_if = [&set](auto pred) {
    for (int c = 1; c < 128; ++c)
      if (pred(c)) set.set(static_cast<size_t>(c));
  };
  auto lower = [](int c) { return c >= 'a' && c <= 'z'; };
  auto upper = [](int c) { return c >= 'A' && c <= 'Z'; };
  auto digit = [](int c) { return c >= '0' && c <= '9'; };
  auto alpha = [&](int c) { return lower(c) || upper(c); };
  auto graph = [](int c) { return c > 0x20 && c < 0x7f; };
  if (name == "alnum") {
    add_if([&](int c) { return alpha(c) || digit(c); });
  } else if (name == "alpha") {
    add_if(alpha);
  } else if (name == "blank") {
    add_if([](int c) { return c == ' ' || c == '\t'; });
  } else if (name == "cntrl") {
    add_if([](int c) { return c < 0x20 || c == 0x7f; });
  } else if (name == "digit") {
    add_if(digit);
  } else if (name == "graph") {
    add_if(graph);
  } else if (name == "lower") {
    add_if(lower);
  } else if (name == "print") {
    add_if([](int c) { return c >= 0x20 && c < 0x7f; });
  } else if (name == "punct") {
    add_if([&](int c) { return graph(c) && !alpha(c) && !digit(c); });
  } else if (name == "space") {
    add_if([](int c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; });
  } else if (name == "upper") {
    add_if(upper);
  } else if (name == "xdigit") {
    add_if([&](int c) { return digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); });
  } else {
    return false;
  }
  return true;
}

// Parses the class starting at pattern[*pos] == '['. This follows wildmatch's
// `case '['` statement by statement (including its quirks: `[]a]`, `[a-]`,
// `[[:x]`, a '-' right after a range is literal), but computes the whole set
// of accepted bytes at once instead of testing one text byte. Returns false
// where wildmatch would abort, i.e. the pattern can never match.
bool ParseClass(std::string_view pattern, size_t* pos, std::bitset<256>* out) {
  auto at = [pattern](size_t j) -> unsigned char {
    return j < pattern.size() ? static_cast<unsigned char>(pattern[j]) : 0;
  };
  std::bitset<256> set;
  size_t p = *pos;
  unsigned char p_ch = at(++p);
  if (p_ch == '^') p_ch = '!';
  const bool negated = p_ch == '!';
  if (negated) p_ch = at(++p);
  unsigned char prev_ch = 0;
  do {
    if (!p_ch) return false;
    if (p_ch == '\\') {
      p_ch = at(++p);
      if (!p_ch) return false;
      set.set(p_ch);
    } else if (p_ch == '-' && prev_ch && at(p + 1) && at(p + 1) != ']') {
      p_ch = at(++p);
      if (p_ch == '\\') {
        p_ch = at(++p);
        if (!p_ch) return false;
      }
      for (unsigned c = prev_ch; c <= p_ch; ++c) set.set(c);
      p_ch = 0;  // a '-' right after a range is a literal again
    } else if (p_ch == '[' && at(p + 1) == ':') {
      size_t s = p += 2;
      for (; (p_ch = at(p)) && p_ch != ']'; ++p) {
      }
      if (!p_ch) return false;
      if (p < s + 1 || at(p - 1) != ':') {
        // No ":]": the '[' is an ordinary member and scanning resumes after it.
        p = s - 2;
        p_ch = '[';
        set.set('[');
        continue;
      }
      if (!AddNamedClass(pattern.substr(s, p - s - 1), set)) return false;
      p_ch = 0;
    } else {
      set.set(p_ch);
    }
  } while (prev_ch = p_ch, (p_ch = at(++p)) != ']');
  if (negated) set.flip();
  set.reset('/');  // WM_PATHNAME: a class never matches a slash
  set.reset(0);
  *out = set;
  *pos = p + 1;
  return true;
}

bool HasSlash(std::string_view s) { return s.find('/') != std::string_view::npos; }

}  // namespace

Program Program::Compile(std::string_view pattern) {
  // wildmatch sees a C string: anything after a NUL does not exist for it.
  if (size_t nul = pattern.find('\0'); nul != std::string_view::npos)
    pattern = pattern.substr(0, nul);
  Program prog;
  const size_t n = pattern.size();
  size_t i = 0;
  while (i < n) {
    const char c = pattern[i];
    if (c == '\\') {
      if (i + 1 >= n) return prog;  // kNever: a trailing backslash matches nothing
      prog.tokens.push_back({Op::kLiteral, static_cast<unsigned char>(pattern[i + 1]), 0});
      i += 2;
    } else if (c == '?') {
      prog.tokens.push_back({Op::kAny, 0, 0});
      ++i;
    } else if (c == '*') {
      const size_t run_start = i;
      while (i < n && pattern[i] == '*') ++i;
      bool star_star = false;
      if (i - run_start >= 2) {
        const bool after_slash = run_start == 0 || pattern[run_start - 1] == '/';
        const bool before_slash = i == n || pattern[i] == '/' ||
                                  (pattern[i] == '\\' && i + 1 < n && pattern[i + 1] == '/');
        star_star = after_slash && before_slash;
      }
      if (star_star && i < n && pattern[i] == '/') prog.tokens.push_back({Op::kSkipSlash, 0, 0});
      prog.tokens.push_back({star_star ? Op::kStarStar : Op::kStar, 0, 0});
    } else if (c == '[') {
      std::bitset<256> set;
      if (!ParseClass(pattern, &i, &set)) {
        prog.tokens.clear();
        return prog;  // kNever
      }
      prog.tokens.push_back({Op::kClass, 0, static_cast<uint32_t>(prog.classes.size())});
      prog.classes.push_back(set);
    } else {
      prog.tokens.push_back({Op::kLiteral, static_cast<unsigned char>(c), 0});
      ++i;
    }
  }

  // Classify for the fast paths: literal runs around at most one star.
  const auto& t = prog.tokens;
  auto literal_run = [&t](size_t from, size_t to, std::string* out) {
    for (size_t k = from; k < to; ++k) {
      if (t[k].op != Op::kLiteral) return false;
      out->push_back(static_cast<char>(t[k].ch));
    }
    return true;
  };
  std::string lit;
  if (literal_run(0, t.size(), &lit)) {
    prog.kind = Kind::kLiteral;
    prog.literal = std::move(lit);
  } else if (t.size() == 1 && t[0].op == Op::kStarStar) {
    prog.kind = Kind::kAnything;
  } else if (t.size() == 1 && t[0].op == Op::kStar) {
    prog.kind = Kind::kNoSlash;
  } else if (t[0].op == Op::kStar && literal_run(1, t.size(), &(lit = {}))) {
    prog.kind = Kind::kSuffix;
    prog.literal = std::move(lit);
  } else if (t.back().op == Op::kStar && literal_run(0, t.size() - 1, &(lit = {}))) {
    prog.kind = Kind::kPrefix;
    prog.literal = std::move(lit);
  } else if (t.back().op == Op::kStarStar && literal_run(0, t.size() - 1, &(lit = {}))) {
    prog.kind = Kind::kPrefixAnything;
    prog.literal = std::move(lit);
  } else {
    prog.kind = Kind::kGeneral;
    // The '/' after a kSkipSlash may be skipped, so it is not required.
    auto skippable = [&t](size_t k) { return k >= 2 && t[k - 2].op == Op::kSkipSlash; };
    std::string run;
    for (size_t k = 0; k < t.size(); ++k) {
      const Op op = t[k].op;
      if (op == Op::kStar || op == Op::kStarStar || op == Op::kSkipSlash)
        prog.star_positions.push_back(static_cast<uint32_t>(k));
      if (op == Op::kLiteral || op == Op::kAny || op == Op::kClass) {
        if (!skippable(k)) ++prog.min_length;
      }
      if (op == Op::kLiteral && !skippable(k)) {
        run.push_back(static_cast<char>(t[k].ch));
        if (run.size() > prog.required.size()) prog.required = run;
      } else {
        run.clear();
      }
    }
    const Token& last = t.back();
    if (last.op == Op::kLiteral && !skippable(t.size() - 1)) {
      prog.has_last = true;
      prog.last.set(last.ch);
    } else if (last.op == Op::kClass) {
      prog.has_last = true;
      prog.last = prog.classes[last.cls];
    }
  }
  return prog;
}

bool Program::Match(std::string_view text) const {
  switch (kind) {
    case Kind::kNever:
      return false;
    case Kind::kLiteral:
      return text == literal;
    case Kind::kAnything:
      return true;
    case Kind::kNoSlash:
      return !HasSlash(text);
    case Kind::kSuffix:
      return text.size() >= literal.size() &&
             std::memcmp(text.data() + text.size() - literal.size(), literal.data(),
                         literal.size()) == 0 &&
             !HasSlash(text.substr(0, text.size() - literal.size()));
    case Kind::kPrefix:
      return text.size() >= literal.size() &&
             std::memcmp(text.data(), literal.data(), literal.size()) == 0 &&
             !HasSlash(text.substr(literal.size()));
    case Kind::kPrefixAnything:
      return text.size() >= literal.size() &&
             std::memcmp(text.data(), literal.data(), literal.size()) == 0;
    case Kind::kGeneral:
      if (text.size() < min_length) return false;
      if (has_last && (text.empty() || !last.test(static_cast<unsigned char>(text.back()))))
        return false;
      if (!required.empty() && text.find(required) == std::string_view::npos) return false;
      return MatchGeneral(text);
  }
  return false;
}

bool Program::MatchGeneral(std::string_view text) const {
  // State k = "tokens [0, k) have matched a prefix of the text"; state m
  // accepts. Patterns up to 255 tokens use a stack bitset, longer ones (only
  // fuzzers write those) a heap one.
  const size_t m = tokens.size();
  const size_t words = (m + 1 + 63) / 64;
  uint64_t small[8] = {};
  std::vector<uint64_t> big;
  uint64_t* cur = small;
  uint64_t* next = small + 4;
  if (words > 4) {
    big.assign(words * 2, 0);
    cur = big.data();
    next = big.data() + words;
  }
  auto test = [](const uint64_t* s, size_t k) { return (s[k >> 6] >> (k & 63)) & 1; };
  auto set = [](uint64_t* s, size_t k) { s[k >> 6] |= uint64_t{1} << (k & 63); };
  auto closure = [&](uint64_t* s) {
    // Epsilon moves only go forward, so one ascending pass is a fixpoint.
    for (uint32_t k : star_positions) {
      if (!test(s, k)) continue;
      set(s, k + 1);
      if (tokens[k].op == Op::kSkipSlash) set(s, k + 3);  // past the `**` and the '/'
    }
  };
  set(cur, 0);
  closure(cur);
  for (char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    bool any = false;
    for (size_t w = 0; w < words; ++w) next[w] = 0;
    for (size_t w = 0; w < words; ++w) {
      for (uint64_t bits = cur[w]; bits != 0; bits &= bits - 1) {
        const size_t k = w * 64 + static_cast<size_t>(__builtin_ctzll(bits));
        if (k >= m) continue;  // the accepting state consumes nothing
        const Token& tok = tokens[k];
        bool advance = false;  // consume c and move to the next token
        bool stay = false;     // consume c inside a star
        switch (tok.op) {
          case Op::kLiteral:
            advance = c == tok.ch;
            break;
          case Op::kAny:
            advance = c != '/';
            break;
          case Op::kClass:
            advance = classes[tok.cls].test(c);
            break;
          case Op::kStar:
            stay = c != '/';
            break;
          case Op::kStarStar:
            stay = true;
            break;
          case Op::kSkipSlash:
            break;  // zero-width: its successors are already in the set
        }
        if (advance) set(next, k + 1);
        if (stay) set(next, k);
        any = any || advance || stay;
      }
    }
    if (!any) return false;
    closure(next);
    std::swap(cur, next);
  }
  return test(cur, m);
}

Glob::Glob(std::string_view pattern)
    : program_(std::make_unique<Program>(Program::Compile(pattern))) {}
Glob::~Glob() = default;
Glob::Glob(Glob&&) noexcept = default;
Glob& Glob::operator=(Glob&&) noexcept = default;
bool Glob::Match(std::string_view path) const { return program_ && program_->Match(path); }

bool GlobMatch(std::string_view pattern, std::string_view path) {
  return Program::Compile(pattern).Match(path);
}

// One gitignore line, compiled.
struct IgnoreFile::Pattern {
  bool negative = false;
  bool dir_only = false;
  // Basename patterns match `program` against the last path component.
  // Anchored ones compare `prefix` literally against the path below the base
  // and match `program` against what follows.
  bool basename = false;
  std::string prefix;
  Program program;

  bool Matches(std::string_view below_base, std::string_view name) const {
    if (basename) return program.Match(name);
    if (below_base.size() < prefix.size() ||
        std::memcmp(below_base.data(), prefix.data(), prefix.size()) != 0)
      return false;
    return program.Match(below_base.substr(prefix.size()));
  }
};

// Large .gitignore files (the Linux tree's top level has ~100 lines) are
// indexed so that a path is tried against few lines: exact basenames and
// exact anchored paths are hash lookups, `*.ext` lines sit in buckets keyed
// by the text after their last '.', and only the remaining lines are tried
// one by one. "Last matching line wins" survives because every source
// reports line numbers and the scans stop at lines older than the best so
// far.
struct IgnoreFile::Index {
  struct Best {
    int any = -1;    // newest line with this key (directories)
    int files = -1;  // newest line with this key that is not directory-only
  };
  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  template <typename V>
  using Map = std::unordered_map<std::string, V, StringHash, std::equal_to<>>;

  Map<Best> names;
  Map<Best> paths;                   // below the base
  Map<std::vector<int>> extensions;  // newest line first
  std::vector<int> others;           // newest line first

  static void Note(Best& b, int line, bool dir_only) {
    b.any = std::max(b.any, line);
    if (!dir_only) b.files = std::max(b.files, line);
  }
};

namespace {

// Below this many lines a linear scan beats hashing.
constexpr size_t kIndexThreshold = 8;

// git's trim_trailing_spaces: drop trailing ' ' unless backslash-escaped.
std::string_view TrimTrailingSpaces(std::string_view line) {
  size_t last_space = std::string_view::npos;
  for (size_t i = 0; i < line.size(); ++i) {
    if (line[i] == ' ') {
      if (last_space == std::string_view::npos) last_space = i;
    } else if (line[i] == '\\') {
      if (++i >= line.size()) return line;
      last_space = std::string_view::npos;
    } else {
      last_space = std::string_view::npos;
    }
  }
  return last_space == std::string_view::npos ? line : line.substr(0, last_space);
}

size_t SimpleLength(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && !IsGlobSpecial(s[i])) ++i;
  return i;
}

IgnoreFile::Pattern CompileLine(std::string_view p) {
  IgnoreFile::Pattern pat;
  if (!p.empty() && p[0] == '!') {
    pat.negative = true;
    p.remove_prefix(1);
  }
  if (!p.empty() && p.back() == '/') {
    pat.dir_only = true;
    p.remove_suffix(1);
  }
  if (!HasSlash(p)) {
    pat.basename = true;
    pat.program = Program::Compile(p);
    return pat;
  }
  if (p[0] == '/') p.remove_prefix(1);
  const size_t prefix_len = SimpleLength(p);
  pat.prefix = std::string(p.substr(0, prefix_len));
  pat.program = Program::Compile(p.substr(prefix_len));
  return pat;
}

}  // namespace

IgnoreFile::IgnoreFile() = default;
IgnoreFile::~IgnoreFile() = default;
IgnoreFile::IgnoreFile(IgnoreFile&&) noexcept = default;
IgnoreFile& IgnoreFile::operator=(IgnoreFile&&) noexcept = default;

IgnoreFile IgnoreFile::Parse(std::string_view text, std::string base) {
  IgnoreFile f;
  while (!base.empty() && base.back() == '/') base.pop_back();
  f.base_ = std::move(base);
  if (text.size() >= 3 && text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  while (!text.empty()) {
    const size_t eol = text.find('\n');
    std::string_view line = text.substr(0, eol);
    text.remove_prefix(eol == std::string_view::npos ? text.size() : eol + 1);
    if (line.empty() || line[0] == '#') continue;
    if (line.back() == '\r') line.remove_suffix(1);
    if (size_t nul = line.find('\0'); nul != std::string_view::npos) line = line.substr(0, nul);
    line = TrimTrailingSpaces(line);
    f.patterns_.push_back(CompileLine(line));
  }
  if (f.patterns_.size() > kIndexThreshold) {
    f.index_ = std::make_unique<Index>();
    for (int k = static_cast<int>(f.patterns_.size()) - 1; k >= 0; --k) {
      const Pattern& p = f.patterns_[static_cast<size_t>(k)];
      const Program& prog = p.program;
      if (p.basename && prog.kind == Program::Kind::kLiteral) {
        Index::Note(f.index_->names[prog.literal], k, p.dir_only);
      } else if (!p.basename && prog.kind == Program::Kind::kLiteral) {
        Index::Note(f.index_->paths[p.prefix + prog.literal], k, p.dir_only);
      } else if (p.basename && prog.kind == Program::Kind::kSuffix &&
                 prog.literal.find('.') != std::string::npos) {
        f.index_->extensions[prog.literal.substr(prog.literal.rfind('.') + 1)].push_back(k);
      } else {
        f.index_->others.push_back(k);
      }
    }
  }
  return f;
}

IgnoreFile::Verdict IgnoreFile::Match(std::string_view path, bool is_dir) const {
  std::string_view below = path;
  if (!base_.empty()) {
    if (path.size() <= base_.size() + 1 || path[base_.size()] != '/' ||
        std::memcmp(path.data(), base_.data(), base_.size()) != 0)
      return Verdict::kNone;
    below.remove_prefix(base_.size() + 1);
  }
  const size_t slash = below.rfind('/');
  const std::string_view name = slash == std::string_view::npos ? below : below.substr(slash + 1);
  if (!index_) {
    for (auto it = patterns_.rbegin(); it != patterns_.rend(); ++it) {
      if (it->dir_only && !is_dir) continue;
      if (it->Matches(below, name)) return it->negative ? Verdict::kInclude : Verdict::kIgnore;
    }
    return Verdict::kNone;
  }

  int best = -1;
  auto take = [&](const Index::Best& b) { best = std::max(best, is_dir ? b.any : b.files); };
  auto scan = [&](const std::vector<int>& newest_first) {
    for (int k : newest_first) {
      if (k <= best) return;
      const Pattern& p = patterns_[static_cast<size_t>(k)];
      if (p.dir_only && !is_dir) continue;
      if (p.Matches(below, name)) {
        best = k;
        return;
      }
    }
  };
  if (auto it = index_->names.find(name); it != index_->names.end()) take(it->second);
  if (!index_->paths.empty()) {
    if (auto it = index_->paths.find(below); it != index_->paths.end()) take(it->second);
  }
  if (!index_->extensions.empty()) {
    if (const size_t dot = name.rfind('.'); dot != std::string_view::npos) {
      auto it = index_->extensions.find(name.substr(dot + 1));
      if (it != index_->extensions.end()) scan(it->second);
    }
  }
  scan(index_->others);
  if (best < 0) return Verdict::kNone;
  return patterns_[static_cast<size_t>(best)].negative ? Verdict::kInclude : Verdict::kIgnore;
}

}  // namespace gatehouse
