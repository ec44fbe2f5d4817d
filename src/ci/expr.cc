// GitHub Actions expressions: lexer, recursive-descent parser and the two
// analyses the CI rules need (validation, and context paths with taint).
//
// The language is small and documented at
// https://docs.github.com/actions/learn-github-actions/expressions: literals
// (null, booleans, numbers including hex and exponents, single-quoted strings
// with '' as the escape), context names, property access (`a.b`), indexes
// (`a['b']`, `a[0]`), object filters (`a.*`, `a[*]`), calls of a fixed set of
// functions, `!`, comparisons, `&&` and `||`. `&&`/`||` return one of their
// operands (like JavaScript), so both sides can reach the result; comparisons,
// `!` and predicate functions (contains, startsWith, ...) produce booleans, so
// what flows into them never reaches the rendered string. ContextRefs() uses
// exactly that to tell `${{ github.event.issue.title }}` (the title is pasted
// into the script) from `${{ contains(github.event.issue.title, 'x') }}` (a
// boolean is). The parser keeps every node's source span so rules can point
// at the exact column and the consolidator can rewrite a reference in place.
#include <cctype>
#include <cstring>

#include "gatehouse/ci_expr.h"

namespace gatehouse::ci {

namespace {

bool IdentStart(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool IdentChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
}

std::string Lower(std::string_view s) {
  std::string r(s);
  for (char& c : r) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return r;
}

// Length of a number literal at s[i] (0 if none): 12, -3, 1.5, 2e10, 0xff.
size_t NumberLength(std::string_view s, size_t i) {
  size_t j = i;
  if (j < s.size() && (s[j] == '-' || s[j] == '+')) ++j;
  if (j + 1 < s.size() && s[j] == '0' && (s[j + 1] == 'x' || s[j + 1] == 'X')) {
    size_t k = j + 2;
    while (k < s.size() && std::isxdigit(static_cast<unsigned char>(s[k]))) ++k;
    return k > j + 2 ? k - i : 0;
  }
  size_t digits = 0;
  while (j < s.size() && std::isdigit(static_cast<unsigned char>(s[j]))) ++j, ++digits;
  if (j < s.size() && s[j] == '.') {
    ++j;
    while (j < s.size() && std::isdigit(static_cast<unsigned char>(s[j]))) ++j, ++digits;
  }
  if (digits == 0) return 0;
  if (j < s.size() && (s[j] == 'e' || s[j] == 'E')) {
    size_t k = j + 1;
    if (k < s.size() && (s[k] == '-' || s[k] == '+')) ++k;
    size_t exp = 0;
    while (k < s.size() && std::isdigit(static_cast<unsigned char>(s[k]))) ++k, ++exp;
    if (exp > 0) j = k;
  }
  // "1abc" is not a number followed by an identifier: reject.
  if (j < s.size() && IdentChar(s[j]) && s[j] != '-') return 0;
  return j - i;
}

}  // namespace

std::vector<ExprSpan> FindExpressions(std::string_view s) {
  std::vector<ExprSpan> out;
  size_t i = 0;
  while (true) {
    size_t start = s.find("${{", i);
    if (start == std::string_view::npos) break;
    ExprSpan span;
    span.begin = start;
    span.inner_begin = start + 3;
    size_t j = span.inner_begin;
    bool in_string = false;
    bool found = false;
    while (j < s.size()) {
      char c = s[j];
      if (in_string) {
        if (c == '\'') {
          if (j + 1 < s.size() && s[j + 1] == '\'') {
            j += 2;
            continue;
          }
          in_string = false;
        }
        ++j;
        continue;
      }
      if (c == '\'') {
        in_string = true;
        ++j;
        continue;
      }
      if (c == '}' && j + 1 < s.size() && s[j + 1] == '}') {
        found = true;
        break;
      }
      ++j;
    }
    if (found) {
      span.inner_end = j;
      span.end = j + 2;
    } else {
      // An unterminated string swallows the rest; retry ignoring quotes so a
      // stray apostrophe does not hide a later "}}".
      size_t close = s.find("}}", span.inner_begin);
      if (close != std::string_view::npos && in_string) {
        span.inner_end = close;
        span.end = close + 2;
      } else {
        span.closed = false;
        span.inner_end = s.size();
        span.end = s.size();
      }
    }
    out.push_back(span);
    i = span.end;
    if (!span.closed) break;
  }
  return out;
}

std::vector<ExprToken> LexExpression(std::string_view s, std::string* error) {
  std::vector<ExprToken> out;
  size_t i = 0;
  auto push = [&](ExprTokenKind k, size_t b, size_t e) {
    out.push_back(ExprToken{k, static_cast<uint32_t>(b), static_cast<uint32_t>(e)});
  };
  auto fail = [&](size_t at, std::string msg) {
    if (error) *error = std::move(msg);
    push(ExprTokenKind::kError, at, at);
    return out;
  };
  while (i < s.size()) {
    char c = s[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      ++i;
      continue;
    }
    const size_t b = i;
    if (IdentStart(c)) {
      while (i < s.size() && IdentChar(s[i])) ++i;
      std::string_view w = s.substr(b, i - b);
      ExprTokenKind k = w == "true"    ? ExprTokenKind::kTrue
                        : w == "false" ? ExprTokenKind::kFalse
                        : w == "null"  ? ExprTokenKind::kNull
                                       : ExprTokenKind::kIdent;
      push(k, b, i);
      continue;
    }
    if (std::isdigit(static_cast<unsigned char>(c)) ||
        ((c == '-' || c == '+' || c == '.') && i + 1 < s.size() &&
         (std::isdigit(static_cast<unsigned char>(s[i + 1])) || s[i + 1] == '.'))) {
      size_t n = NumberLength(s, i);
      if (n == 0) return fail(i, "invalid number");
      i += n;
      push(ExprTokenKind::kNumber, b, i);
      continue;
    }
    switch (c) {
      case '\'': {
        ++i;
        bool closed = false;
        while (i < s.size()) {
          if (s[i] == '\'') {
            if (i + 1 < s.size() && s[i + 1] == '\'') {
              i += 2;
              continue;
            }
            closed = true;
            ++i;
            break;
          }
          ++i;
        }
        if (!closed) return fail(b, "unterminated string literal");
        push(ExprTokenKind::kString, b, i);
        continue;
      }
      case '"':
        return fail(i, "strings use single quotes in expressions ('...'), not double quotes");
      case '(':
        push(ExprTokenKind::kLParen, b, ++i);
        continue;
      case ')':
        push(ExprTokenKind::kRParen, b, ++i);
        continue;
      case '[':
        push(ExprTokenKind::kLBracket, b, ++i);
        continue;
      case ']':
        push(ExprTokenKind::kRBracket, b, ++i);
        continue;
      case '.':
        push(ExprTokenKind::kDot, b, ++i);
        continue;
      case ',':
        push(ExprTokenKind::kComma, b, ++i);
        continue;
      case '*':
        push(ExprTokenKind::kStar, b, ++i);
        continue;
      case '!':
        if (i + 1 < s.size() && s[i + 1] == '=') {
          i += 2;
          push(ExprTokenKind::kNe, b, i);
        } else {
          push(ExprTokenKind::kNot, b, ++i);
        }
        continue;
      case '=':
        if (i + 1 < s.size() && s[i + 1] == '=') {
          i += 2;
          push(ExprTokenKind::kEq, b, i);
          continue;
        }
        return fail(i, "'=' is not an operator (use '==')");
      case '<':
      case '>': {
        bool eq = i + 1 < s.size() && s[i + 1] == '=';
        i += eq ? 2 : 1;
        push(c == '<' ? (eq ? ExprTokenKind::kLe : ExprTokenKind::kLt)
                      : (eq ? ExprTokenKind::kGe : ExprTokenKind::kGt),
             b, i);
        continue;
      }
      case '&':
        if (i + 1 < s.size() && s[i + 1] == '&') {
          i += 2;
          push(ExprTokenKind::kAnd, b, i);
          continue;
        }
        return fail(i, "'&' is not an operator (use '&&')");
      case '|':
        if (i + 1 < s.size() && s[i + 1] == '|') {
          i += 2;
          push(ExprTokenKind::kOr, b, i);
          continue;
        }
        return fail(i, "'|' is not an operator (use '||')");
      default: {
        std::string msg = "unexpected character '";
        if (std::isprint(static_cast<unsigned char>(c)))
          msg += c;
        else
          msg += "\\x" + std::string(1, "0123456789abcdef"[(c >> 4) & 15]) +
                 std::string(1, "0123456789abcdef"[c & 15]);
        return fail(i, msg + "'");
      }
    }
  }
  push(ExprTokenKind::kEnd, s.size(), s.size());
  return out;
}

namespace {

class Parser {
 public:
  Parser(std::string_view text, std::vector<ExprToken> tokens, ExprTree* tree)
      : text_(text), toks_(std::move(tokens)), tree_(tree) {}

  // Returns false with error_/error_at_ set.
  bool Run() {
    int root = Or(0);
    if (root < 0) return false;
    if (Peek().kind != ExprTokenKind::kEnd) return Fail(Peek().begin, "unexpected " + Describe());
    tree_->root = root;
    return true;
  }

  std::string error_;
  uint32_t error_at_ = 0;

 private:
  const ExprToken& Peek() const { return toks_[pos_]; }
  const ExprToken& Next() { return toks_[pos_ < toks_.size() - 1 ? pos_++ : pos_]; }
  bool Accept(ExprTokenKind k) {
    if (Peek().kind != k) return false;
    Next();
    return true;
  }
  bool Fail(uint32_t at, std::string msg) {
    if (error_.empty()) {
      error_ = std::move(msg);
      error_at_ = at;
    }
    return false;
  }
  std::string Describe() const {
    const ExprToken& t = Peek();
    if (t.kind == ExprTokenKind::kEnd) return "end of expression";
    return "'" + std::string(text_.substr(t.begin, t.end - t.begin)) + "'";
  }
  int Add(ExprNode n) {
    tree_->nodes.push_back(std::move(n));
    return static_cast<int>(tree_->nodes.size() - 1);
  }
  ExprNode& N(int i) { return tree_->nodes[static_cast<size_t>(i)]; }

  int Binary(int depth, int (Parser::*next)(int), std::initializer_list<ExprTokenKind> ops) {
    int lhs = (this->*next)(depth);
    if (lhs < 0) return -1;
    while (true) {
      ExprTokenKind k = Peek().kind;
      bool match = false;
      for (auto op : ops) match = match || k == op;
      if (!match) return lhs;
      Next();
      int rhs = (this->*next)(depth);
      if (rhs < 0) return -1;
      ExprNode n;
      n.kind = ExprKind::kBinary;
      n.op = k;
      n.begin = N(lhs).begin;
      n.end = N(rhs).end;
      n.lhs = lhs;
      n.rhs = rhs;
      lhs = Add(std::move(n));
    }
  }
  int Or(int depth) {
    if (depth > kMaxExprDepth) return Fail(Peek().begin, "expression nested too deeply"), -1;
    return Binary(depth + 1, &Parser::And, {ExprTokenKind::kOr});
  }
  int And(int depth) { return Binary(depth, &Parser::Eq, {ExprTokenKind::kAnd}); }
  int Eq(int depth) {
    return Binary(depth, &Parser::Cmp, {ExprTokenKind::kEq, ExprTokenKind::kNe});
  }
  int Cmp(int depth) {
    return Binary(depth, &Parser::Unary,
                  {ExprTokenKind::kLt, ExprTokenKind::kLe, ExprTokenKind::kGt, ExprTokenKind::kGe});
  }
  int Unary(int depth) {
    if (depth > kMaxExprDepth) return Fail(Peek().begin, "expression nested too deeply"), -1;
    if (Peek().kind == ExprTokenKind::kNot) {
      uint32_t b = Next().begin;
      int operand = Unary(depth + 1);
      if (operand < 0) return -1;
      ExprNode n;
      n.kind = ExprKind::kNot;
      n.begin = b;
      n.end = N(operand).end;
      n.lhs = operand;
      return Add(std::move(n));
    }
    return Postfix(depth);
  }
  int Postfix(int depth) {
    int e = Primary(depth);
    if (e < 0) return -1;
    while (true) {
      if (Accept(ExprTokenKind::kDot)) {
        const ExprToken& t = Peek();
        ExprNode n;
        n.lhs = e;
        n.begin = N(e).begin;
        n.end = t.end;
        if (t.kind == ExprTokenKind::kStar) {
          n.kind = ExprKind::kFilter;
        } else if (t.kind == ExprTokenKind::kIdent || t.kind == ExprTokenKind::kTrue ||
                   t.kind == ExprTokenKind::kFalse || t.kind == ExprTokenKind::kNull) {
          n.kind = ExprKind::kProperty;
          n.value = std::string(text_.substr(t.begin, t.end - t.begin));
        } else {
          return Fail(t.begin, "expected a property name after '.', got " + Describe()), -1;
        }
        Next();
        e = Add(std::move(n));
        continue;
      }
      if (Peek().kind == ExprTokenKind::kLBracket) {
        Next();
        ExprNode n;
        n.lhs = e;
        n.begin = N(e).begin;
        if (Peek().kind == ExprTokenKind::kStar) {
          Next();
          n.kind = ExprKind::kFilter;
        } else {
          int idx = Or(depth + 1);
          if (idx < 0) return -1;
          n.kind = ExprKind::kIndex;
          n.rhs = idx;
        }
        if (Peek().kind != ExprTokenKind::kRBracket)
          return Fail(Peek().begin, "expected ']', got " + Describe()), -1;
        n.end = Next().end;
        e = Add(std::move(n));
        continue;
      }
      return e;
    }
  }
  int Primary(int depth) {
    const ExprToken t = Peek();
    std::string_view lexeme = text_.substr(t.begin, t.end - t.begin);
    ExprNode n;
    n.begin = t.begin;
    n.end = t.end;
    switch (t.kind) {
      case ExprTokenKind::kNull:
        Next();
        n.kind = ExprKind::kNull;
        return Add(std::move(n));
      case ExprTokenKind::kTrue:
      case ExprTokenKind::kFalse:
        Next();
        n.kind = ExprKind::kBool;
        n.value = std::string(lexeme);
        return Add(std::move(n));
      case ExprTokenKind::kNumber:
        Next();
        n.kind = ExprKind::kNumber;
        n.value = std::string(lexeme);
        return Add(std::move(n));
      case ExprTokenKind::kString: {
        Next();
        n.kind = ExprKind::kString;
        std::string_view body = lexeme.substr(1, lexeme.size() - 2);
        for (size_t i = 0; i < body.size(); ++i) {
          n.value += body[i];
          if (body[i] == '\'' && i + 1 < body.size() && body[i + 1] == '\'') ++i;
        }
        return Add(std::move(n));
      }
      case ExprTokenKind::kIdent: {
        Next();
        n.value = std::string(lexeme);
        if (Peek().kind != ExprTokenKind::kLParen) {
          n.kind = ExprKind::kContext;
          return Add(std::move(n));
        }
        Next();
        n.kind = ExprKind::kCall;
        std::vector<int> args;
        if (!Accept(ExprTokenKind::kRParen)) {
          while (true) {
            int a = Or(depth + 1);
            if (a < 0) return -1;
            args.push_back(a);
            if (Accept(ExprTokenKind::kComma)) continue;
            if (Peek().kind == ExprTokenKind::kRParen) break;
            return Fail(Peek().begin,
                        "expected ',' or ')' in call of " + n.value + "(), got " + Describe()),
                   -1;
          }
          n.end = Next().end;
        } else {
          n.end = toks_[pos_ - 1].end;
        }
        n.first_arg = static_cast<int>(tree_->args.size());
        n.num_args = static_cast<int>(args.size());
        for (int a : args) tree_->args.push_back(a);
        return Add(std::move(n));
      }
      case ExprTokenKind::kLParen: {
        Next();
        int inner = Or(depth + 1);
        if (inner < 0) return -1;
        if (Peek().kind != ExprTokenKind::kRParen)
          return Fail(Peek().begin, "expected ')', got " + Describe()), -1;
        Next();
        return inner;
      }
      case ExprTokenKind::kEnd:
        return Fail(t.begin, "unexpected end of expression"), -1;
      default:
        return Fail(t.begin, "unexpected " + Describe()), -1;
    }
  }

  std::string_view text_;
  std::vector<ExprToken> toks_;
  size_t pos_ = 0;
  ExprTree* tree_;
};

struct FunctionArity {
  const char* name;
  int min, max;  // max -1 = unbounded
};

constexpr FunctionArity kFunctions[] = {
    {"contains", 2, 2}, {"startswith", 2, 2}, {"endswith", 2, 2},  {"format", 1, -1},
    {"join", 1, 2},     {"tojson", 1, 1},     {"fromjson", 1, 1},  {"hashfiles", 1, -1},
    {"success", 0, 0},  {"always", 0, 0},     {"cancelled", 0, 0}, {"failure", 0, 0},
    {"case", 3, -1},
};

constexpr const char* kContexts[] = {"github", "env",     "vars",     "job",    "jobs",  "steps",
                                     "runner", "secrets", "strategy", "matrix", "needs", "inputs"};

const FunctionArity* FindFunction(std::string_view lower) {
  for (const auto& f : kFunctions)
    if (lower == f.name) return &f;
  return nullptr;
}

// Checks a format() string: "{0}" placeholders, "{{" / "}}" escapes.
// Returns an empty string when valid, else the problem; *max_index = highest N.
std::string CheckFormatString(std::string_view s, int* max_index) {
  *max_index = -1;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '{') {
      if (i + 1 < s.size() && s[i + 1] == '{') {
        ++i;
        continue;
      }
      size_t j = i + 1;
      int n = 0;
      size_t digits = 0;
      while (j < s.size() && std::isdigit(static_cast<unsigned char>(s[j])) && digits < 6)
        n = n * 10 + (s[j] - '0'), ++j, ++digits;
      if (digits == 0 || j >= s.size() || s[j] != '}')
        return "invalid placeholder in format string (use {0}, {1}, ... and {{ }} for braces)";
      *max_index = std::max(*max_index, n);
      i = j;
    } else if (s[i] == '}') {
      if (i + 1 < s.size() && s[i + 1] == '}') {
        ++i;
        continue;
      }
      return "unmatched '}' in format string (write '}}' for a literal brace)";
    }
  }
  return "";
}

}  // namespace

bool IsKnownFunction(std::string_view lower_name) { return FindFunction(lower_name) != nullptr; }

bool IsKnownContext(std::string_view lower_name) {
  for (const char* c : kContexts)
    if (lower_name == c) return true;
  return false;
}

Result<ExprTree> ParseExpression(std::string_view text) {
  std::string lex_error;
  std::vector<ExprToken> toks = LexExpression(text, &lex_error);
  if (!toks.empty() && toks.back().kind == ExprTokenKind::kError)
    return MakeError(ErrorCode::kParse, lex_error, "", 0, static_cast<int>(toks.back().begin) + 1);
  ExprTree tree;
  tree.text = std::string(text);
  Parser p(tree.text, std::move(toks), &tree);
  if (!p.Run())
    return MakeError(ErrorCode::kParse, p.error_, "", 0, static_cast<int>(p.error_at_) + 1);
  return tree;
}

std::vector<ExprProblem> ValidateExpression(const ExprTree& tree) {
  std::vector<ExprProblem> out;
  for (const ExprNode& n : tree.nodes) {
    if (n.kind == ExprKind::kContext) {
      std::string name = Lower(n.value);
      if (!IsKnownContext(name))
        out.push_back({n.begin, "unknown context '" + n.value +
                                    "' (github, env, vars, job, jobs, steps, runner, secrets, "
                                    "strategy, matrix, needs, inputs)"});
      continue;
    }
    if (n.kind != ExprKind::kCall) continue;
    std::string name = Lower(n.value);
    const FunctionArity* f = FindFunction(name);
    if (!f) {
      out.push_back({n.begin, "unknown function '" + n.value + "'"});
      continue;
    }
    if (n.num_args < f->min || (f->max >= 0 && n.num_args > f->max)) {
      std::string want = f->max < 0 ? "at least " + std::to_string(f->min)
                         : f->min == f->max
                             ? std::to_string(f->min)
                             : std::to_string(f->min) + " to " + std::to_string(f->max);
      out.push_back({n.begin, n.value + "() takes " + want + " argument" +
                                  (f->min == 1 && f->max == 1 ? "" : "s") + ", got " +
                                  std::to_string(n.num_args)});
      continue;
    }
    if (name == "case" && n.num_args % 2 == 0) {
      out.push_back({n.begin,
                     "case() takes pred, value pairs and a default: an odd number of "
                     "arguments, got " +
                         std::to_string(n.num_args)});
      continue;
    }
    if (name == "format") {
      const ExprNode& fmt =
          tree.nodes[static_cast<size_t>(tree.args[static_cast<size_t>(n.first_arg)])];
      if (fmt.kind != ExprKind::kString) continue;
      int max_index = -1;
      std::string problem = CheckFormatString(fmt.value, &max_index);
      if (!problem.empty()) {
        out.push_back({fmt.begin, problem});
      } else if (max_index + 1 > n.num_args - 1) {
        out.push_back({fmt.begin, "format string uses {" + std::to_string(max_index) +
                                      "} but only " + std::to_string(n.num_args - 1) + " value" +
                                      (n.num_args == 2 ? " is" : "s are") + " given"});
      }
    }
  }
  return out;
}

namespace {

class RefCollector {
 public:
  explicit RefCollector(const ExprTree& t) : t_(t) {}
  std::vector<ContextRef> out;

  void Visit(int i, bool reaches, bool whole, bool in_fn, int depth) {
    if (i < 0 || depth > 4 * kMaxExprDepth) return;
    const ExprNode& n = t_.nodes[static_cast<size_t>(i)];
    switch (n.kind) {
      case ExprKind::kContext:
      case ExprKind::kProperty:
      case ExprKind::kIndex:
      case ExprKind::kFilter:
        Chain(i, reaches, whole, in_fn, depth);
        return;
      case ExprKind::kNot:
        Visit(n.lhs, false, false, in_fn, depth + 1);
        return;
      case ExprKind::kBinary: {
        bool pass = n.op == ExprTokenKind::kAnd || n.op == ExprTokenKind::kOr;
        Visit(n.lhs, pass && reaches, pass && whole, in_fn, depth + 1);
        Visit(n.rhs, pass && reaches, pass && whole, in_fn, depth + 1);
        return;
      }
      case ExprKind::kCall: {
        std::string name = Lower(n.value);
        for (int k = 0; k < n.num_args; ++k) {
          int a = t_.args[static_cast<size_t>(n.first_arg + k)];
          if (name == "tojson") {
            Visit(a, reaches, true, in_fn, depth + 1);
          } else if (name == "format" || name == "fromjson") {
            Visit(a, reaches, false, in_fn, depth + 1);
          } else if (name == "join") {
            Visit(a, reaches, false, in_fn, depth + 1);
          } else if (name == "case") {
            bool value_pos = (k % 2 == 1) || k == n.num_args - 1;
            Visit(a, value_pos && reaches, false, in_fn || !value_pos, depth + 1);
          } else {
            Visit(a, false, false, true, depth + 1);
          }
        }
        return;
      }
      default:
        return;
    }
  }

 private:
  void Chain(int i, bool reaches, bool whole, bool in_fn, int depth) {
    std::vector<std::string> rev;
    int cur = i;
    int guard = 0;
    while (cur >= 0 && ++guard < 10000) {
      const ExprNode& n = t_.nodes[static_cast<size_t>(cur)];
      if (n.kind == ExprKind::kContext) {
        rev.push_back(Lower(n.value));
        break;
      }
      if (n.kind == ExprKind::kProperty) {
        rev.push_back(Lower(n.value));
      } else if (n.kind == ExprKind::kFilter) {
        rev.push_back("*");
      } else if (n.kind == ExprKind::kIndex) {
        const ExprNode& idx = t_.nodes[static_cast<size_t>(n.rhs)];
        if (idx.kind == ExprKind::kString)
          rev.push_back(Lower(idx.value));
        else if (idx.kind == ExprKind::kNumber)
          rev.push_back(idx.value);
        else
          rev.push_back("*");
        Visit(n.rhs, false, false, in_fn, depth + 1);
      } else {
        // The chain hangs off a call or a parenthesized expression
        // (fromJSON(x).y): its value flows from there.
        Visit(cur, reaches, whole, in_fn, depth + 1);
        return;
      }
      cur = n.lhs;
    }
    if (cur < 0) return;
    ContextRef r;
    r.path.assign(rev.rbegin(), rev.rend());
    r.begin = t_.nodes[static_cast<size_t>(cur)].begin;
    r.end = t_.nodes[static_cast<size_t>(i)].end;
    r.reaches_output = reaches;
    r.whole_object = whole;
    r.in_function = in_fn;
    out.push_back(std::move(r));
  }

  const ExprTree& t_;
};

// Attacker-controlled paths: actionlint's and zizmor's lists (titles, bodies,
// branch names, commit messages, author names/emails, fork repository
// metadata), GitHub's "Security hardening for GitHub Actions" guide.
constexpr const char* kUntrusted[] = {
    "github.head_ref",
    "github.event.issue.title",
    "github.event.issue.body",
    "github.event.pull_request.title",
    "github.event.pull_request.body",
    "github.event.pull_request.head.ref",
    "github.event.pull_request.head.label",
    "github.event.pull_request.head.repo.default_branch",
    "github.event.pull_request.head.repo.description",
    "github.event.pull_request.head.repo.homepage",
    "github.event.pull_request.head.repo.name",
    "github.event.pull_request.head.repo.full_name",
    "github.event.comment.body",
    "github.event.review.body",
    "github.event.review_comment.body",
    "github.event.discussion.title",
    "github.event.discussion.body",
    "github.event.pages.*.page_name",
    "github.event.commits.*.message",
    "github.event.commits.*.author.email",
    "github.event.commits.*.author.name",
    "github.event.commits.*.committer.email",
    "github.event.commits.*.committer.name",
    "github.event.head_commit.message",
    "github.event.head_commit.author.email",
    "github.event.head_commit.author.name",
    "github.event.head_commit.committer.email",
    "github.event.head_commit.committer.name",
    "github.event.workflow_run.head_branch",
    "github.event.workflow_run.display_title",
    "github.event.workflow_run.head_commit.message",
    "github.event.workflow_run.head_commit.author.email",
    "github.event.workflow_run.head_commit.author.name",
    "github.event.workflow_run.head_commit.committer.email",
    "github.event.workflow_run.head_commit.committer.name",
    "github.event.workflow_run.head_repository.description",
    "github.event.workflow_run.pull_requests.*.head.ref",
    "github.event.merge_group.head_commit.message",
    "github.event.merge_group.head_commit.author.email",
    "github.event.merge_group.head_commit.author.name",
};

struct SplitPattern {
  std::string_view text;
  std::vector<std::string_view> segs;
};

const std::vector<SplitPattern>& Patterns() {
  static const std::vector<SplitPattern> kPatterns = [] {
    std::vector<SplitPattern> v;
    for (const char* p : kUntrusted) {
      SplitPattern sp;
      sp.text = p;
      std::string_view s = p;
      size_t b = 0;
      while (true) {
        size_t d = s.find('.', b);
        sp.segs.push_back(s.substr(b, d == std::string_view::npos ? s.npos : d - b));
        if (d == std::string_view::npos) break;
        b = d + 1;
      }
      v.push_back(std::move(sp));
    }
    return v;
  }();
  return kPatterns;
}

}  // namespace

std::vector<ContextRef> ContextRefs(const ExprTree& tree) {
  RefCollector c(tree);
  c.Visit(tree.root, true, false, false, 0);
  return std::move(c.out);
}

std::optional<std::vector<std::string>> ChainPath(const ExprTree& tree, int node) {
  std::vector<std::string> rev;
  int cur = node;
  for (int guard = 0; cur >= 0 && guard < 10000; ++guard) {
    const ExprNode& n = tree.nodes[static_cast<size_t>(cur)];
    switch (n.kind) {
      case ExprKind::kContext:
        rev.push_back(Lower(n.value));
        return std::vector<std::string>(rev.rbegin(), rev.rend());
      case ExprKind::kProperty:
        rev.push_back(Lower(n.value));
        break;
      case ExprKind::kFilter:
        rev.push_back("*");
        break;
      case ExprKind::kIndex: {
        const ExprNode& idx = tree.nodes[static_cast<size_t>(n.rhs)];
        rev.push_back(idx.kind == ExprKind::kString   ? Lower(idx.value)
                      : idx.kind == ExprKind::kNumber ? idx.value
                                                      : std::string("*"));
        break;
      }
      default:
        return std::nullopt;
    }
    cur = n.lhs;
  }
  return std::nullopt;
}

std::vector<std::string> CalledFunctions(const ExprTree& tree) {
  std::vector<std::string> out;
  for (const ExprNode& n : tree.nodes)
    if (n.kind == ExprKind::kCall) out.push_back(Lower(n.value));
  return out;
}

std::optional<std::string_view> UntrustedPattern(const std::vector<std::string>& path,
                                                 bool whole_object) {
  for (const SplitPattern& p : Patterns()) {
    if (path.size() > p.segs.size()) continue;
    if (path.size() < p.segs.size() && !whole_object) continue;
    bool ok = true;
    for (size_t i = 0; i < path.size() && ok; ++i)
      ok = path[i] == "*" || p.segs[i] == "*" || path[i] == p.segs[i];
    if (ok) return p.text;
  }
  return std::nullopt;
}

std::string JoinPath(const std::vector<std::string>& path) {
  std::string s;
  for (size_t i = 0; i < path.size(); ++i) {
    if (i) s += '.';
    s += path[i];
  }
  return s;
}

}  // namespace gatehouse::ci
