// HCL2 native syntax parser.
//
// The grammar is the one of the HCL native syntax specification
// (hashicorp/hcl, hclsyntax/spec.md). Three ideas shape this file:
//
// 1. A pull lexer over the whole buffer. Tokens are lexed on demand from a
//    byte cursor, so the template parser can take over the cursor inside
//    "..." and heredocs and scan bytes itself, calling back into the
//    expression parser for each ${ } interpolation and %{ } directive. No
//    token vector, no per-character allocation: identifiers are copied only
//    into the AST node that keeps them.
//
// 2. Newlines are significant in bodies and object constructors (they end
//    an attribute or an object item) and insignificant inside ( ), [ ], the
//    argument list of a call, for expressions and interpolations. The parser
//    keeps a stack of "newline mode" and the lexer skips newline tokens when
//    the top says so, exactly as the spec describes.
//
// 3. Recovery. An error records path:line:column and what was expected,
//    then the rest of the statement is skipped: tokens up to the next
//    newline at bracket depth zero (the depth at the error is known from the
//    newline-mode stack), never past the closing brace of the enclosing
//    block. One bad attribute or block does not hide the others. Nesting is
//    bounded (ParseOptions::max_depth) so hostile input cannot overflow the
//    stack.
//
// Operator precedence (spec, "Operations"), highest first:
//   ! -(unary)  >  * / %  >  + -  >  > >= < <=  >  == !=  >  &&  >  ||
// then the conditional ?: which is right-associative. Binary operators are
// left-associative and parsed by precedence climbing.
//
// Templates: the parts of a template are first scanned into a flat list
// (literal, interpolation, if/else/endif/for/endfor directives with their
// ~ strip markers), strip markers are applied to the neighbouring literals,
// <<- heredocs have their common leading whitespace removed, and then the
// flat list is folded into kTemplateIf/kTemplateFor nodes.
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>

#include "gatehouse/hcl.h"
#include "hcl/internal.h"

namespace gatehouse::hcl {

std::string_view OpName(Op op) {
  switch (op) {
    case Op::kNone:
      return "";
    case Op::kNot:
      return "!";
    case Op::kNeg:
      return "-";
    case Op::kMul:
      return "*";
    case Op::kDiv:
      return "/";
    case Op::kMod:
      return "%";
    case Op::kAdd:
      return "+";
    case Op::kSub:
      return "-";
    case Op::kGt:
      return ">";
    case Op::kGe:
      return ">=";
    case Op::kLt:
      return "<";
    case Op::kLe:
      return "<=";
    case Op::kEq:
      return "==";
    case Op::kNe:
      return "!=";
    case Op::kAnd:
      return "&&";
    case Op::kOr:
      return "||";
  }
  return "";
}

const Attribute* Body::Attr(std::string_view name) const {
  for (auto it = attributes.rbegin(); it != attributes.rend(); ++it)
    if (it->name == name) return &*it;
  return nullptr;
}

std::vector<const Block*> Body::BlocksOfType(std::string_view type) const {
  std::vector<const Block*> out;
  for (const Block* b : blocks)
    if (b->type == type) out.push_back(b);
  return out;
}

std::string_view File::Text(const Range& r) const {
  if (r.start.offset > source.size() || r.end.offset > source.size() ||
      r.end.offset < r.start.offset)
    return {};
  return std::string_view(source).substr(r.start.offset, r.end.offset - r.start.offset);
}

namespace {

enum class T : uint8_t {
  kEOF,
  kNewline,
  kIdent,
  kNumber,
  kOQuote,
  kHeredoc,
  kLBrace,
  kRBrace,
  kLBrack,
  kRBrack,
  kLParen,
  kRParen,
  kComma,
  kDot,
  kEllipsis,
  kEq,
  kColon,
  kDoubleColon,
  kQuestion,
  kFatArrow,
  kBang,
  kMinus,
  kStar,
  kSlash,
  kPercent,
  kPlus,
  kGt,
  kGe,
  kLt,
  kLe,
  kEqEq,
  kNe,
  kAnd,
  kOr,
  kTilde,
  kInvalid,
};

const char* TokName(T t) {
  switch (t) {
    case T::kEOF:
      return "end of file";
    case T::kNewline:
      return "newline";
    case T::kIdent:
      return "identifier";
    case T::kNumber:
      return "number";
    case T::kOQuote:
      return "string";
    case T::kHeredoc:
      return "heredoc";
    case T::kLBrace:
      return "'{'";
    case T::kRBrace:
      return "'}'";
    case T::kLBrack:
      return "'['";
    case T::kRBrack:
      return "']'";
    case T::kLParen:
      return "'('";
    case T::kRParen:
      return "')'";
    case T::kComma:
      return "','";
    case T::kDot:
      return "'.'";
    case T::kEllipsis:
      return "'...'";
    case T::kEq:
      return "'='";
    case T::kColon:
      return "':'";
    case T::kDoubleColon:
      return "'::'";
    case T::kQuestion:
      return "'?'";
    case T::kFatArrow:
      return "'=>'";
    case T::kBang:
      return "'!'";
    case T::kMinus:
      return "'-'";
    case T::kStar:
      return "'*'";
    case T::kSlash:
      return "'/'";
    case T::kPercent:
      return "'%'";
    case T::kPlus:
      return "'+'";
    case T::kGt:
      return "'>'";
    case T::kGe:
      return "'>='";
    case T::kLt:
      return "'<'";
    case T::kLe:
      return "'<='";
    case T::kEqEq:
      return "'=='";
    case T::kNe:
      return "'!='";
    case T::kAnd:
      return "'&&'";
    case T::kOr:
      return "'||'";
    case T::kTilde:
      return "'~'";
    case T::kInvalid:
      return "invalid character";
  }
  return "?";
}

struct Tok {
  T t = T::kEOF;
  uint32_t start = 0, end = 0;
  // Heredoc: marker and whether it is the <<- form.
  uint32_t mark_start = 0, mark_end = 0;
  bool flush = false;
};

bool IsIdStart(unsigned char c) { return std::isalpha(c) || c == '_' || c >= 0x80; }
bool IsIdChar(unsigned char c) { return std::isalnum(c) || c == '_' || c == '-' || c >= 0x80; }

struct Part {
  enum K { kLit, kInterp, kIf, kElse, kEndIf, kFor, kEndFor } k = kLit;
  std::string text;
  Expr* e = nullptr;
  bool strip_left = false, strip_right = false;
  bool line_start = false;  // literal begins at the start of a source line (heredoc)
  Range r;
  std::string kv, vv;
};

class Parser {
 public:
  Parser(File* f, const ParseOptions& o, Mode mode) : f_(f), s_(f->source), o_(o), mode_(mode) {
    line_starts_.push_back(0);
    for (uint32_t i = 0; i < s_.size(); ++i)
      if (s_[i] == '\n') line_starts_.push_back(i + 1);
  }

  // Positions are asked for in nearly increasing order: try the line of the
  // previous answer (and the next one) before a binary search.
  Pos PosAt(uint32_t off) const {
    size_t l = last_line_;
    if (!(l < line_starts_.size() && line_starts_[l] <= off &&
          (l + 1 == line_starts_.size() || off < line_starts_[l + 1]))) {
      if (l + 2 < line_starts_.size() && line_starts_[l + 1] <= off && off < line_starts_[l + 2]) {
        l = l + 1;
      } else {
        auto it = std::upper_bound(line_starts_.begin(), line_starts_.end(), off);
        l = static_cast<size_t>(it - line_starts_.begin()) - 1;
      }
      last_line_ = l;
    }
    return Pos{static_cast<uint32_t>(l + 1), off - line_starts_[l] + 1, off};
  }

  // ---- errors ----
  void ErrorAt(uint32_t off, std::string msg) {
    if (failed_) return;
    failed_ = true;
    if (f_->errors.size() >= 50) return;
    Pos p = PosAt(off);
    f_->errors.push_back(MakeError(ErrorCode::kParse, std::move(msg), f_->path,
                                   static_cast<int>(p.line), static_cast<int>(p.column)));
  }
  void Expected(const Tok& t, const std::string& what) {
    std::string got = TokName(t.t);
    if (t.t == T::kIdent || t.t == T::kNumber) got += " '" + std::string(Src(t)) + "'";
    ErrorAt(t.start, "expected " + what + ", found " + got);
  }
  std::string_view Src(const Tok& t) const { return s_.substr(t.start, t.end - t.start); }

  // ---- lexer ----
  bool NlSignificant() const { return nl_.empty() ? true : nl_.back(); }

  Tok LexAt(uint32_t i) const {
    const uint32_t n = static_cast<uint32_t>(s_.size());
    for (;;) {
      while (i < n && (s_[i] == ' ' || s_[i] == '\t' || s_[i] == '\r')) ++i;
      if (i >= n) return Tok{T::kEOF, n, n};
      char c = s_[i];
      if (c == '#' || (c == '/' && i + 1 < n && s_[i + 1] == '/')) {
        while (i < n && s_[i] != '\n') ++i;
        continue;
      }
      if (c == '/' && i + 1 < n && s_[i + 1] == '*') {
        size_t e = s_.find("*/", i + 2);
        if (e == std::string_view::npos) return Tok{T::kInvalid, i, n};
        i = static_cast<uint32_t>(e + 2);
        continue;
      }
      break;
    }
    Tok t;
    t.start = i;
    unsigned char c = static_cast<unsigned char>(s_[i]);
    auto one = [&](T k, uint32_t len) {
      t.t = k;
      t.end = i + len;
      return t;
    };
    auto nx = [&](uint32_t k) -> char { return i + k < n ? s_[i + k] : '\0'; };
    if (c == '\n') return one(T::kNewline, 1);
    if (IsIdStart(c)) {
      uint32_t j = i + 1;
      while (j < n && IsIdChar(static_cast<unsigned char>(s_[j]))) ++j;
      t.t = T::kIdent;
      t.end = j;
      return t;
    }
    if (std::isdigit(c)) {
      uint32_t j = i;
      while (j < n && std::isdigit(static_cast<unsigned char>(s_[j]))) ++j;
      if (j + 1 < n && s_[j] == '.' && std::isdigit(static_cast<unsigned char>(s_[j + 1]))) {
        ++j;
        while (j < n && std::isdigit(static_cast<unsigned char>(s_[j]))) ++j;
      }
      if (j < n && (s_[j] == 'e' || s_[j] == 'E')) {
        uint32_t k = j + 1;
        if (k < n && (s_[k] == '+' || s_[k] == '-')) ++k;
        if (k < n && std::isdigit(static_cast<unsigned char>(s_[k]))) {
          while (k < n && std::isdigit(static_cast<unsigned char>(s_[k]))) ++k;
          j = k;
        }
      }
      t.t = T::kNumber;
      t.end = j;
      return t;
    }
    switch (c) {
      case '"':
        return one(T::kOQuote, 1);
      case '{':
        return one(T::kLBrace, 1);
      case '}':
        return one(T::kRBrace, 1);
      case '[':
        return one(T::kLBrack, 1);
      case ']':
        return one(T::kRBrack, 1);
      case '(':
        return one(T::kLParen, 1);
      case ')':
        return one(T::kRParen, 1);
      case ',':
        return one(T::kComma, 1);
      case '~':
        return one(T::kTilde, 1);
      case '?':
        return one(T::kQuestion, 1);
      case '*':
        return one(T::kStar, 1);
      case '/':
        return one(T::kSlash, 1);
      case '%':
        return one(T::kPercent, 1);
      case '+':
        return one(T::kPlus, 1);
      case '-':
        return one(T::kMinus, 1);
      case '.':
        if (nx(1) == '.' && nx(2) == '.') return one(T::kEllipsis, 3);
        return one(T::kDot, 1);
      case ':':
        return nx(1) == ':' ? one(T::kDoubleColon, 2) : one(T::kColon, 1);
      case '=':
        if (nx(1) == '=') return one(T::kEqEq, 2);
        if (nx(1) == '>') return one(T::kFatArrow, 2);
        return one(T::kEq, 1);
      case '!':
        return nx(1) == '=' ? one(T::kNe, 2) : one(T::kBang, 1);
      case '>':
        return nx(1) == '=' ? one(T::kGe, 2) : one(T::kGt, 1);
      case '&':
        return nx(1) == '&' ? one(T::kAnd, 2) : one(T::kInvalid, 1);
      case '|':
        return nx(1) == '|' ? one(T::kOr, 2) : one(T::kInvalid, 1);
      case '<':
        if (nx(1) == '=') return one(T::kLe, 2);
        if (nx(1) == '<') {
          uint32_t j = i + 2;
          bool flush = false;
          if (j < n && s_[j] == '-') flush = true, ++j;
          uint32_t ms = j;
          if (j < n && IsIdStart(static_cast<unsigned char>(s_[j]))) {
            while (j < n && IsIdChar(static_cast<unsigned char>(s_[j]))) ++j;
            uint32_t me = j;
            if (j < n && s_[j] == '\r') ++j;
            if (j < n && s_[j] == '\n') {
              t.t = T::kHeredoc;
              t.end = j + 1;
              t.mark_start = ms;
              t.mark_end = me;
              t.flush = flush;
              return t;
            }
          }
          return one(T::kInvalid, 2);
        }
        return one(T::kLt, 1);
      default:
        break;
    }
    // One UTF-8 sequence as one invalid token.
    uint32_t len = 1;
    while (i + len < n && (static_cast<unsigned char>(s_[i + len]) & 0xC0) == 0x80) ++len;
    return one(T::kInvalid, len);
  }

  Tok Peek() {
    bool sig = NlSignificant();
    if (cache_valid_ && cache_pos_ == cur_ && cache_sig_ == sig) return cache_;
    uint32_t i = cur_;
    Tok t;
    for (;;) {
      t = LexAt(i);
      if (t.t == T::kNewline && !sig) {
        i = t.end;
        continue;
      }
      break;
    }
    cache_ = t;
    cache_pos_ = cur_;
    cache_sig_ = sig;
    cache_valid_ = true;
    return t;
  }
  Tok Next() {
    Tok t = Peek();
    cur_ = t.end;
    return t;
  }
  bool Accept(T k) {
    if (Peek().t != k) return false;
    Next();
    return true;
  }
  bool Expect(T k, const char* what) {
    Tok t = Peek();
    if (t.t == k) {
      Next();
      return true;
    }
    Expected(t, what);
    return false;
  }

  Range RangeOf(uint32_t a, uint32_t b) const { return Range{PosAt(a), PosAt(b)}; }

  // ---- recovery ----
  // Skips to the end of the statement: the next newline outside brackets,
  // or a '}' that no bracket opened since the statement began can match (it
  // closes the enclosing block), or EOF. `open` is the number of brackets
  // left open at the error; the newline-mode stack tells '{' (true) from
  // '[' / '(' (false).
  void SkipStatement(uint32_t open) {
    std::vector<char> stack;
    for (size_t i = nl_.size() - std::min<size_t>(open, nl_.size()); i < nl_.size(); ++i)
      stack.push_back(nl_[i] ? '{' : '?');
    nl_.resize(body_nl_floor_);
    nl_.push_back(true);
    for (;;) {
      Tok t = Peek();
      if (t.t == T::kEOF) break;
      if (t.t == T::kNewline && stack.empty()) break;
      if (t.t == T::kLBrace) stack.push_back('{');
      if (t.t == T::kLBrack || t.t == T::kLParen) stack.push_back('?');
      if (t.t == T::kRBrack || t.t == T::kRParen) {
        if (!stack.empty() && stack.back() == '?') stack.pop_back();
      }
      if (t.t == T::kRBrace) {
        while (!stack.empty() && stack.back() != '{') stack.pop_back();
        if (stack.empty()) break;  // the enclosing block's brace
        stack.pop_back();
      }
      if (t.t == T::kOQuote) {
        // Skip a quoted string without parsing it.
        uint32_t j = t.end;
        while (j < s_.size() && s_[j] != '"' && s_[j] != '\n') j += (s_[j] == '\\') ? 2 : 1;
        cur_ = std::min<uint32_t>(static_cast<uint32_t>(s_.size()),
                                  j + (j < s_.size() && s_[j] == '"'));
        continue;
      }
      if (t.t == T::kHeredoc) {
        cur_ = SkipHeredoc(t);
        continue;
      }
      Next();
    }
    nl_.pop_back();
  }

  uint32_t SkipHeredoc(const Tok& t) {
    std::string_view mark = s_.substr(t.mark_start, t.mark_end - t.mark_start);
    uint32_t i = t.end;
    while (i < s_.size()) {
      size_t le = s_.find('\n', i);
      std::string_view line = s_.substr(i, le == std::string_view::npos ? s_.size() - i : le - i);
      size_t k = line.find_first_not_of(" \t");
      std::string_view tr = k == std::string_view::npos ? std::string_view() : line.substr(k);
      while (!tr.empty() && tr.back() == '\r') tr.remove_suffix(1);
      if (tr == mark) return static_cast<uint32_t>(le == std::string_view::npos ? s_.size() : le);
      if (le == std::string_view::npos) return static_cast<uint32_t>(s_.size());
      i = static_cast<uint32_t>(le + 1);
    }
    return static_cast<uint32_t>(s_.size());
  }

  // ---- bodies ----
  void ParseFile() {
    nl_.clear();
    nl_.push_back(true);
    f_->body.range.start = PosAt(0);
    ParseBody(&f_->body, /*in_block=*/false, 0);
    f_->body.range.end = PosAt(static_cast<uint32_t>(s_.size()));
  }

  void ParseBody(Body* body, bool in_block, int depth) {
    for (;;) {
      failed_ = false;
      size_t nl_base = nl_.size();
      body_nl_floor_ = nl_base;
      Tok t = Peek();
      if (t.t == T::kNewline) {
        Next();
        continue;
      }
      if (t.t == T::kEOF) {
        if (in_block) Expected(t, "'}' to close the block");
        return;
      }
      if (t.t == T::kRBrace) {
        if (in_block) return;
        Expected(t, "an attribute name or block type");
        Next();
        continue;
      }
      if (t.t != T::kIdent) {
        Expected(t, "an attribute name or block type");
        SkipStatement(0);
        if (Peek().t == T::kRBrace && !in_block) Next();
        continue;
      }
      ParseItem(body, in_block, depth);
      if (failed_) SkipStatement(err_depth_);
      nl_.resize(nl_base);
    }
  }

  // After an attribute or a block: a newline, EOF, or the '}' of a one-line block.
  void EndOfItem(bool in_block) {
    Tok t = Peek();
    if (t.t == T::kNewline) {
      Next();
      return;
    }
    if (t.t == T::kEOF) return;
    if (t.t == T::kRBrace && in_block) return;
    Expected(t, "a newline after the attribute or block");
    err_depth_ = 0;
  }

  void ParseItem(Body* body, bool in_block, int depth) {
    Tok name = Next();
    Tok t = Peek();
    err_depth_ = 0;
    if (t.t == T::kEq) {
      Next();
      Attribute a;
      a.name = std::string(Src(name));
      a.name_range = RangeOf(name.start, name.end);
      a.expr = ParseExpr(0);
      if (failed_) return;
      a.range = Range{a.name_range.start, a.expr->range.end};
      body->attributes.push_back(std::move(a));
      EndOfItem(in_block);
      return;
    }
    if (depth >= o_.max_depth) {
      ErrorAt(name.start, "blocks nested too deeply");
      return;
    }
    Block* b = f_->NewBlock();
    b->type = std::string(Src(name));
    b->type_range = RangeOf(name.start, name.end);
    for (;;) {
      t = Peek();
      if (t.t == T::kIdent) {
        Next();
        b->labels.emplace_back(Src(t));
        b->label_ranges.push_back(RangeOf(t.start, t.end));
        continue;
      }
      if (t.t == T::kOQuote) {
        Next();
        Expr* e = ParseTemplate(t, Tok{});
        if (failed_) return;
        if (!(e->kids.empty() || (e->kids.size() == 1 && e->kids[0]->kind == ExprKind::kLiteral))) {
          ErrorAt(t.start, "expected a literal block label, found a template");
          return;
        }
        b->labels.push_back(e->kids.empty() ? std::string() : e->kids[0]->name);
        b->label_ranges.push_back(e->range);
        continue;
      }
      break;
    }
    if (t.t != T::kLBrace) {
      Expected(t, b->labels.empty() ? "'=' or a block label or '{'" : "a block label or '{'");
      return;
    }
    Next();
    b->body.range.start = PosAt(t.start);
    ParseBody(&b->body, true, depth + 1);
    failed_ = false;
    Tok close = Peek();
    if (close.t != T::kRBrace) {
      // ParseBody already reported the missing brace at EOF.
      body->blocks.push_back(b);
      b->range = RangeOf(name.start, close.start);
      return;
    }
    Next();
    b->body.range.end = PosAt(close.end);
    b->range = RangeOf(name.start, close.end);
    body->blocks.push_back(b);
    EndOfItem(in_block);
  }

  // ---- expressions ----
  Expr* Bad(uint32_t off) {
    Expr* e = f_->NewExpr(ExprKind::kLiteral);
    e->range = RangeOf(off, off);
    return e;
  }

  void Fail(const Tok& t, const std::string& what) {
    if (!failed_) err_depth_ = OpenBrackets();
    Expected(t, what);
  }
  // Brackets opened since the statement began (each pushed a newline mode).
  uint32_t OpenBrackets() const {
    return nl_.size() > body_nl_floor_ ? static_cast<uint32_t>(nl_.size() - body_nl_floor_) : 0;
  }

  Expr* ParseExpr(int depth) {
    cur_depth_ = depth;
    if (failed_) return Bad(cur_);
    if (depth > o_.max_depth) {
      Tok t = Peek();
      if (!failed_) err_depth_ = OpenBrackets();
      ErrorAt(t.start, "expression nested too deeply");
      return Bad(t.start);
    }
    Expr* c = ParseBinary(1, depth);
    if (failed_) return c;
    if (Peek().t != T::kQuestion) return c;
    Next();
    Expr* a = ParseExpr(depth + 1);
    if (failed_) return a;
    if (Peek().t != T::kColon) {
      Fail(Peek(), "':' in the conditional expression");
      return a;
    }
    Next();
    Expr* b = ParseExpr(depth + 1);
    Expr* e = f_->NewExpr(ExprKind::kConditional);
    e->kids = {c, a, b};
    e->range = Range{c->range.start, b->range.end};
    return e;
  }

  static int Prec(T t, Op* op) {
    switch (t) {
      case T::kOr:
        *op = Op::kOr;
        return 1;
      case T::kAnd:
        *op = Op::kAnd;
        return 2;
      case T::kEqEq:
        *op = Op::kEq;
        return 3;
      case T::kNe:
        *op = Op::kNe;
        return 3;
      case T::kGt:
        *op = Op::kGt;
        return 4;
      case T::kGe:
        *op = Op::kGe;
        return 4;
      case T::kLt:
        *op = Op::kLt;
        return 4;
      case T::kLe:
        *op = Op::kLe;
        return 4;
      case T::kPlus:
        *op = Op::kAdd;
        return 5;
      case T::kMinus:
        *op = Op::kSub;
        return 5;
      case T::kStar:
        *op = Op::kMul;
        return 6;
      case T::kSlash:
        *op = Op::kDiv;
        return 6;
      case T::kPercent:
        *op = Op::kMod;
        return 6;
      default:
        return 0;
    }
  }

  Expr* ParseBinary(int min_prec, int depth) {
    Expr* lhs = ParseUnary(depth);
    for (;;) {
      if (failed_) return lhs;
      Op op;
      int p = Prec(Peek().t, &op);
      if (p == 0 || p < min_prec) return lhs;
      Next();
      Expr* rhs = ParseBinary(p + 1, depth + 1);
      Expr* e = f_->NewExpr(ExprKind::kBinary);
      e->op = op;
      e->kids = {lhs, rhs};
      e->range = Range{lhs->range.start, rhs->range.end};
      lhs = e;
    }
  }

  Expr* ParseUnary(int depth) {
    Tok t = Peek();
    if (t.t == T::kBang || t.t == T::kMinus) {
      if (depth > o_.max_depth) {
        if (!failed_) err_depth_ = OpenBrackets();
        ErrorAt(t.start, "expression nested too deeply");
        return Bad(t.start);
      }
      Next();
      Expr* x = ParseUnary(depth + 1);
      Expr* e = f_->NewExpr(ExprKind::kUnary);
      e->op = t.t == T::kBang ? Op::kNot : Op::kNeg;
      e->kids = {x};
      e->range = Range{PosAt(t.start), x->range.end};
      return e;
    }
    Expr* p = ParsePrimary(depth);
    return ParsePostfix(p, depth);
  }

  // Reads digits right after a '.' (legacy index), not as a float.
  bool LegacyIndexAt(uint32_t i, uint32_t* end) const {
    uint32_t j = i;
    while (j < s_.size() && std::isdigit(static_cast<unsigned char>(s_[j]))) ++j;
    if (j == i) return false;
    *end = j;
    return true;
  }

  Expr* MakeNumber(uint32_t a, uint32_t b) {
    Expr* e = f_->NewExpr(ExprKind::kLiteral);
    e->lit = LitKind::kNumber;
    e->name = std::string(s_.substr(a, b - a));
    e->num = std::strtod(e->name.c_str(), nullptr);
    e->range = RangeOf(a, b);
    return e;
  }

  // One traversal step after '.', shared by plain and splat traversals.
  // Returns null (and reports) on error.
  Expr* DotStep(Expr* x, const Tok& dot) {
    // '.' directly followed by digits: legacy index.
    uint32_t ne;
    if (LegacyIndexAt(dot.end, &ne)) {
      Expr* k = MakeNumber(dot.end, ne);
      cur_ = ne;
      Expr* e = f_->NewExpr(ExprKind::kIndex);
      e->flag = true;
      e->kids = {x, k};
      e->range = Range{x->range.start, PosAt(ne)};
      return e;
    }
    Tok n = Peek();
    if (n.t != T::kIdent) {
      Fail(n, "an attribute name after '.'");
      return nullptr;
    }
    Next();
    Expr* e = f_->NewExpr(ExprKind::kGetAttr);
    e->name = std::string(Src(n));
    e->kids = {x};
    e->range = Range{x->range.start, PosAt(n.end)};
    return e;
  }

  Expr* ParsePostfix(Expr* x, int depth) {
    for (;;) {
      if (failed_) return x;
      // Traversal operators must not be preceded by a newline even where
      // newlines are otherwise ignored? The spec allows it inside brackets,
      // which Peek() already handles.
      Tok t = Peek();
      if (t.t == T::kDot) {
        Next();
        // attribute splat?
        Tok s = LexAt(cur_);
        if (s.t == T::kStar && s.start == cur_) {
          cur_ = s.end;
          x = ParseSplat(x, false, RangeOf(t.start, s.end), depth);
          continue;
        }
        Expr* e = DotStep(x, t);
        if (!e) return x;
        x = e;
        continue;
      }
      if (t.t == T::kLBrack) {
        Next();
        nl_.push_back(false);
        Tok s = Peek();
        if (s.t == T::kStar) {
          Next();
          if (!Expect(T::kRBrack, "']' to close the splat '[*'")) {
            if (!failed_) err_depth_ = OpenBrackets();
            nl_.pop_back();
            return x;
          }
          nl_.pop_back();
          x = ParseSplat(x, true, RangeOf(t.start, cur_), depth);
          continue;
        }
        Expr* k = ParseExpr(depth + 1);
        if (failed_) return x;
        Tok c = Peek();
        if (c.t != T::kRBrack) {
          Fail(c, "']' to close the index");
          return x;
        }
        Next();
        nl_.pop_back();
        Expr* e = f_->NewExpr(ExprKind::kIndex);
        e->kids = {x, k};
        e->range = Range{x->range.start, PosAt(c.end)};
        x = e;
        continue;
      }
      return x;
    }
  }

  Expr* ParseSplat(Expr* src, bool full, Range op_range, int depth) {
    Expr* item = f_->NewExpr(ExprKind::kSplatItem);
    item->range = op_range;
    Expr* each = item;
    for (;;) {
      if (failed_) break;
      Tok t = Peek();
      if (t.t == T::kDot) {
        Tok s = LexAt(t.end);
        if (s.t == T::kStar) break;  // a second splat applies to the result
        Next();
        Expr* e = DotStep(each, t);
        if (!e) break;
        each = e;
        continue;
      }
      if (full && t.t == T::kLBrack) {
        Tok s = LexAt(t.end);
        while (s.t == T::kNewline) s = LexAt(s.end);
        if (s.t == T::kStar) break;
        Next();
        nl_.push_back(false);
        Expr* k = ParseExpr(depth + 1);
        if (failed_) break;
        Tok c = Peek();
        if (c.t != T::kRBrack) {
          Fail(c, "']' to close the index");
          break;
        }
        Next();
        nl_.pop_back();
        Expr* e = f_->NewExpr(ExprKind::kIndex);
        e->kids = {each, k};
        e->range = Range{each->range.start, PosAt(c.end)};
        each = e;
        continue;
      }
      break;
    }
    Expr* e = f_->NewExpr(ExprKind::kSplat);
    e->flag = full;
    e->kids = {src, each};
    e->range = Range{src->range.start, each == item ? op_range.end : each->range.end};
    return e;
  }

  bool IsForKeyword() {
    Tok t = Peek();
    if (t.t != T::kIdent || Src(t) != "for") return false;
    Tok n = LexAt(t.end);
    while (n.t == T::kNewline) n = LexAt(n.end);
    return n.t == T::kIdent;
  }

  Expr* ParsePrimary(int depth) {
    Tok t = Peek();
    switch (t.t) {
      case T::kNumber: {
        Next();
        return MakeNumber(t.start, t.end);
      }
      case T::kIdent: {
        Next();
        std::string_view w = Src(t);
        if (w == "true" || w == "false") {
          Expr* e = f_->NewExpr(ExprKind::kLiteral);
          e->lit = LitKind::kBool;
          e->bval = w == "true";
          e->name = std::string(w);
          e->range = RangeOf(t.start, t.end);
          return e;
        }
        if (w == "null") {
          Expr* e = f_->NewExpr(ExprKind::kLiteral);
          e->lit = LitKind::kNull;
          e->name = "null";
          e->range = RangeOf(t.start, t.end);
          return e;
        }
        std::string name(w);
        uint32_t name_end = t.end;
        // provider::ns::fn
        while (Peek().t == T::kDoubleColon) {
          Next();
          Tok n = Peek();
          if (n.t != T::kIdent) {
            Fail(n, "a function name after '::'");
            return Bad(t.start);
          }
          Next();
          name += "::";
          name += Src(n);
          name_end = n.end;
        }
        // A call needs '(' right after the name (newlines are not skipped
        // between a name and its argument list in bodies).
        Tok p = LexAt(cur_);
        if (p.t == T::kLParen) {
          cur_ = p.end;
          return ParseCall(name, t.start, depth);
        }
        if (name_end != t.end) {
          Fail(p, "'(' after a provider function name");
          return Bad(t.start);
        }
        Expr* e = f_->NewExpr(ExprKind::kVariable);
        e->name = std::move(name);
        e->range = RangeOf(t.start, t.end);
        return e;
      }
      case T::kOQuote: {
        Next();
        return ParseTemplate(t, Tok{});
      }
      case T::kHeredoc: {
        Next();
        return ParseTemplate(Tok{}, t);
      }
      case T::kLParen: {
        Next();
        nl_.push_back(false);
        Expr* x = ParseExpr(depth + 1);
        if (failed_) return x;
        Tok c = Peek();
        if (c.t != T::kRParen) {
          Fail(c, "')' to close the parenthesis");
          return x;
        }
        Next();
        nl_.pop_back();
        Expr* e = f_->NewExpr(ExprKind::kParen);
        e->kids = {x};
        e->range = RangeOf(t.start, c.end);
        return e;
      }
      case T::kLBrack: {
        Next();
        nl_.push_back(false);
        Expr* e;
        if (IsForKeyword())
          e = ParseFor(t, false, depth);
        else
          e = ParseTuple(t, depth);
        if (!failed_) nl_.pop_back();
        return e;
      }
      case T::kLBrace: {
        Next();
        if (IsForKeywordInObject()) {
          nl_.push_back(false);
          Expr* e = ParseFor(t, true, depth);
          if (!failed_) nl_.pop_back();
          return e;
        }
        nl_.push_back(true);
        Expr* e = ParseObject(t, depth);
        if (!failed_) nl_.pop_back();
        return e;
      }
      default:
        Fail(t, "an expression");
        return Bad(t.start);
    }
  }

  bool IsForKeywordInObject() {
    nl_.push_back(false);
    bool r = IsForKeyword();
    nl_.pop_back();
    return r;
  }

  Expr* ParseCall(std::string name, uint32_t start, int depth) {
    Expr* e = f_->NewExpr(ExprKind::kCall);
    e->name = std::move(name);
    nl_.push_back(false);
    for (;;) {
      if (failed_) return e;
      Tok t = Peek();
      if (t.t == T::kRParen) {
        Next();
        e->range = RangeOf(start, t.end);
        break;
      }
      Expr* a = ParseExpr(depth + 1);
      if (failed_) return e;
      e->kids.push_back(a);
      Tok s = Peek();
      if (s.t == T::kEllipsis) {
        Next();
        e->flag = true;
        Tok c = Peek();
        if (c.t != T::kRParen) {
          Fail(c, "')' after the '...' expansion argument");
          return e;
        }
        continue;
      }
      if (s.t == T::kComma) {
        Next();
        continue;
      }
      if (s.t != T::kRParen) {
        Fail(s, "',' or ')' in the argument list");
        return e;
      }
    }
    nl_.pop_back();
    return e;
  }

  Expr* ParseTuple(const Tok& open, int depth) {
    Expr* e = f_->NewExpr(ExprKind::kTuple);
    for (;;) {
      Tok t = Peek();
      if (t.t == T::kRBrack) {
        Next();
        e->range = RangeOf(open.start, t.end);
        return e;
      }
      Expr* x = ParseExpr(depth + 1);
      if (failed_) return e;
      e->kids.push_back(x);
      Tok s = Peek();
      if (s.t == T::kComma) {
        Next();
        continue;
      }
      if (s.t != T::kRBrack) {
        Fail(s, "',' or ']' in the tuple");
        return e;
      }
    }
  }

  Expr* ParseObject(const Tok& open, int depth) {
    Expr* e = f_->NewExpr(ExprKind::kObject);
    for (;;) {
      Tok t = Peek();
      if (t.t == T::kNewline) {
        Next();
        continue;
      }
      if (t.t == T::kRBrace) {
        Next();
        e->range = RangeOf(open.start, t.end);
        return e;
      }
      // Keys are expressions; a lone identifier is a literal string key.
      nl_.push_back(false);
      Expr* k = ParseExpr(depth + 1);
      if (failed_) return e;
      nl_.pop_back();
      if (k->kind == ExprKind::kVariable) {
        k->kind = ExprKind::kLiteral;
        k->lit = LitKind::kString;
        k->flag = true;
      }
      Tok eq = Peek();
      if (eq.t != T::kEq && eq.t != T::kColon) {
        Fail(eq, "'=' or ':' after the object key");
        return e;
      }
      Next();
      Expr* v = ParseExpr(depth + 1);
      if (failed_) return e;
      e->kids.push_back(k);
      e->kids.push_back(v);
      Tok s = Peek();
      if (s.t == T::kComma || s.t == T::kNewline) {
        Next();
        continue;
      }
      if (s.t != T::kRBrace) {
        Fail(s, "',' or newline or '}' after the object item");
        return e;
      }
    }
  }

  Expr* ParseFor(const Tok& open, bool object, int depth) {
    Next();  // 'for'
    Expr* e = f_->NewExpr(ExprKind::kFor);
    e->flag2 = object;
    Tok a = Next();  // identifier (checked by IsForKeyword)
    e->name2 = std::string(Src(a));
    if (Peek().t == T::kComma) {
      Next();
      Tok b = Peek();
      if (b.t != T::kIdent) {
        Fail(b, "a value variable name after ','");
        return e;
      }
      Next();
      e->name = e->name2;
      e->name2 = std::string(Src(b));
    }
    Tok in = Peek();
    if (in.t != T::kIdent || Src(in) != "in") {
      Fail(in, "'in' in the for expression");
      return e;
    }
    Next();
    Expr* coll = ParseExpr(depth + 1);
    if (failed_) return e;
    if (Peek().t != T::kColon) {
      Fail(Peek(), "':' after the for expression's collection");
      return e;
    }
    Next();
    Expr* k = nullptr;
    Expr* v = ParseExpr(depth + 1);
    if (failed_) return e;
    if (object) {
      if (Peek().t != T::kFatArrow) {
        Fail(Peek(), "'=>' in the object for expression");
        return e;
      }
      Next();
      k = v;
      v = ParseExpr(depth + 1);
      if (failed_) return e;
      if (Peek().t == T::kEllipsis) {
        Next();
        e->flag = true;
      }
    }
    Expr* cond = nullptr;
    Tok t = Peek();
    if (t.t == T::kIdent && Src(t) == "if") {
      Next();
      cond = ParseExpr(depth + 1);
      if (failed_) return e;
    }
    Tok c = Peek();
    T want = object ? T::kRBrace : T::kRBrack;
    if (c.t != want) {
      Fail(c, object ? "'}' to close the for expression" : "']' to close the for expression");
      return e;
    }
    Next();
    e->kids = {coll, k, v, cond};
    e->range = RangeOf(open.start, c.end);
    return e;
  }

  // ---- templates ----
  // `quote` set: a quoted template starting after quote.end. `hd` set: a
  // heredoc whose body starts at hd.end.
  Expr* ParseTemplate(const Tok& quote, const Tok& hd) {
    bool heredoc = hd.t == T::kHeredoc;
    uint32_t start = heredoc ? hd.start : quote.start;
    std::string_view mark =
        heredoc ? s_.substr(hd.mark_start, hd.mark_end - hd.mark_start) : std::string_view();
    std::vector<Part> parts;
    Part lit;
    lit.line_start = heredoc;
    uint32_t lit_start = heredoc ? hd.end : quote.end;
    uint32_t i = lit_start;
    const uint32_t n = static_cast<uint32_t>(s_.size());
    bool closed = false;
    uint32_t end = n;
    auto flush_lit = [&](uint32_t at) {
      if (!lit.text.empty() || lit.line_start) {
        lit.k = Part::kLit;
        lit.r = RangeOf(lit_start, at);
        parts.push_back(std::move(lit));
      }
      lit = Part();
      lit_start = at;
    };
    bool at_line_start = heredoc;
    while (i <= n) {
      if (heredoc && at_line_start) {
        // Closing marker: optional indentation, the marker, end of line.
        uint32_t j = i;
        while (j < n && (s_[j] == ' ' || s_[j] == '\t')) ++j;
        if (s_.substr(j, mark.size()) == mark) {
          uint32_t k = j + static_cast<uint32_t>(mark.size());
          uint32_t k2 = k;
          if (k2 < n && s_[k2] == '\r') ++k2;
          if (k2 >= n || s_[k2] == '\n') {
            flush_lit(i);
            closed = true;
            end = k;
            break;
          }
        }
        at_line_start = false;
        if (!lit.text.empty() || !parts.empty()) {
          flush_lit(i);
        }
        lit.line_start = true;
        lit_start = i;
      }
      if (i >= n) break;
      char c = s_[i];
      if (!heredoc && c == '"') {
        flush_lit(i);
        closed = true;
        end = i + 1;
        break;
      }
      if (c == '\n') {
        if (!heredoc) {
          ErrorAt(i, "expected '\"' to close the string, found newline");
          err_depth_ = OpenBrackets();
          return Bad(start);
        }
        lit.text.push_back('\n');
        ++i;
        at_line_start = true;
        continue;
      }
      if (!heredoc && c == '\\') {
        if (!Escape(&i, &lit.text)) {
          err_depth_ = OpenBrackets();
          return Bad(start);
        }
        continue;
      }
      if (mode_ != Mode::kJsonLiteral && (c == '$' || c == '%') && i + 1 < n) {
        if (s_[i + 1] == c && i + 2 < n && s_[i + 2] == '{') {
          // $${ and %%{ escapes
          lit.text.push_back(c);
          lit.text.push_back('{');
          i += 3;
          continue;
        }
        if (s_[i + 1] == '{') {
          flush_lit(i);
          size_t nl_saved = nl_.size();
          if (!ParseTemplateSeq(&i, c == '%', &parts)) {
            // Resume after the whole string (or heredoc), not inside it.
            nl_.resize(nl_saved);
            if (heredoc) {
              cur_ = SkipHeredoc(hd);
            } else {
              size_t le = s_.find('\n', i);
              cur_ = static_cast<uint32_t>(le == std::string_view::npos ? n : le);
            }
            cache_valid_ = false;
            err_depth_ = OpenBrackets();
            return Bad(start);
          }
          lit_start = i;
          continue;
        }
      }
      lit.text.push_back(c);
      ++i;
    }
    if (!closed) {
      ErrorAt(heredoc ? hd.start : quote.start,
              heredoc ? "expected the heredoc marker '" + std::string(mark) + "' to close it"
                      : std::string("expected '\"' to close the string, found end of file"));
      err_depth_ = OpenBrackets();
      cur_ = n;
      return Bad(start);
    }
    cur_ = end;
    cache_valid_ = false;
    if (heredoc && hd.flush) Dedent(&parts);
    ApplyStrip(&parts);
    size_t pi = 0;
    Expr* e = f_->NewExpr(ExprKind::kTemplate);
    e->flag = heredoc;
    if (!BuildSeq(parts, &pi, e, 0)) {
      err_depth_ = OpenBrackets();
      return Bad(start);
    }
    if (pi != parts.size()) {
      ErrorAt(parts[pi].r.start.offset, "unexpected template directive without its opening");
      err_depth_ = OpenBrackets();
      return Bad(start);
    }
    e->range = RangeOf(start, end);
    return e;
  }

  bool Escape(uint32_t* pi, std::string* out) {
    uint32_t i = *pi;
    const uint32_t n = static_cast<uint32_t>(s_.size());
    if (i + 1 >= n) {
      ErrorAt(i, "expected an escape sequence after '\\'");
      return false;
    }
    char e = s_[i + 1];
    switch (e) {
      case 'n':
        out->push_back('\n');
        break;
      case 't':
        out->push_back('\t');
        break;
      case 'r':
        out->push_back('\r');
        break;
      case '"':
        out->push_back('"');
        break;
      case '\\':
        out->push_back('\\');
        break;
      case '/':
        if (mode_ == Mode::kNative) goto bad;
        out->push_back('/');
        break;
      case 'b':
        if (mode_ == Mode::kNative) goto bad;
        out->push_back('\b');
        break;
      case 'f':
        if (mode_ == Mode::kNative) goto bad;
        out->push_back('\f');
        break;
      case 'u':
      case 'U': {
        uint32_t len = e == 'u' ? 4 : 8;
        if (e == 'U' && mode_ != Mode::kNative) goto bad;
        if (i + 2 + len > n) goto bad;
        uint32_t cp = 0;
        for (uint32_t k = 0; k < len; ++k) {
          char h = s_[i + 2 + k];
          int v = std::isdigit(static_cast<unsigned char>(h)) ? h - '0'
                  : (h >= 'a' && h <= 'f')                    ? h - 'a' + 10
                  : (h >= 'A' && h <= 'F')                    ? h - 'A' + 10
                                                              : -1;
          if (v < 0) {
            ErrorAt(i, "expected " + std::to_string(len) + " hex digits after '\\" + e + "'");
            return false;
          }
          cp = cp * 16 + static_cast<uint32_t>(v);
        }
        uint32_t used = 2 + len;
        // JSON surrogate pairs
        if (mode_ != Mode::kNative && cp >= 0xD800 && cp < 0xDC00 && i + 12 <= n &&
            s_[i + 6] == '\\' && s_[i + 7] == 'u') {
          uint32_t lo = static_cast<uint32_t>(
              std::strtoul(std::string(s_.substr(i + 8, 4)).c_str(), nullptr, 16));
          if (lo >= 0xDC00 && lo < 0xE000) {
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            used = 12;
          }
        }
        if (cp > 0x10FFFF || (cp >= 0xD800 && cp < 0xE000)) cp = 0xFFFD;
        AppendUtf8(cp, out);
        *pi = i + used;
        return true;
      }
      default:
      bad:
        ErrorAt(i, std::string("expected a valid escape sequence (\\n \\t \\r \\\" \\\\ \\uNNNN "
                               "\\UNNNNNNNN), found '\\") +
                       e + "'");
        return false;
    }
    *pi = i + 2;
    return true;
  }

  static void AppendUtf8(uint32_t cp, std::string* out) {
    if (cp < 0x80) {
      out->push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
      out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
  }

  // Parses ${ ... } or %{ ... } starting at *pi (on '$' or '%').
  bool ParseTemplateSeq(uint32_t* pi, bool directive, std::vector<Part>* parts) {
    uint32_t open = *pi;
    const int depth = cur_depth_ + 1;
    cur_ = open + 2;
    cache_valid_ = false;
    Part p;
    nl_.push_back(false);
    if (Peek().t == T::kTilde) {
      Next();
      p.strip_left = true;
    }
    if (!directive) {
      p.k = Part::kInterp;
      p.e = ParseExpr(depth + 1);
      if (failed_) return false;
    } else {
      Tok kw = Peek();
      std::string_view w = kw.t == T::kIdent ? Src(kw) : std::string_view();
      if (w == "if") {
        Next();
        p.k = Part::kIf;
        p.e = ParseExpr(depth + 1);
      } else if (w == "else") {
        Next();
        p.k = Part::kElse;
      } else if (w == "endif") {
        Next();
        p.k = Part::kEndIf;
      } else if (w == "endfor") {
        Next();
        p.k = Part::kEndFor;
      } else if (w == "for") {
        Next();
        p.k = Part::kFor;
        Tok a = Peek();
        if (a.t != T::kIdent) {
          Expected(a, "a variable name after 'for'");
          return false;
        }
        Next();
        p.vv = std::string(Src(a));
        if (Peek().t == T::kComma) {
          Next();
          Tok b = Peek();
          if (b.t != T::kIdent) {
            Expected(b, "a value variable name after ','");
            return false;
          }
          Next();
          p.kv = p.vv;
          p.vv = std::string(Src(b));
        }
        Tok in = Peek();
        if (in.t != T::kIdent || Src(in) != "in") {
          Expected(in, "'in' in the template for directive");
          return false;
        }
        Next();
        p.e = ParseExpr(depth + 1);
      } else {
        Expected(kw, "a template directive keyword (if, else, endif, for, endfor)");
        return false;
      }
      if (failed_) return false;
    }
    if (Peek().t == T::kTilde) {
      Next();
      p.strip_right = true;
    }
    Tok c = Peek();
    if (c.t != T::kRBrace) {
      Expected(
          c, directive ? "'}' to close the template directive" : "'}' to close the interpolation");
      return false;
    }
    Next();
    nl_.pop_back();
    p.r = RangeOf(open, c.end);
    *pi = c.end;
    parts->push_back(std::move(p));
    return true;
  }

  static bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

  // A strip marker removes all whitespace on that side, which may span
  // several literal parts (heredoc literals are split at line starts).
  static void ApplyStrip(std::vector<Part>* parts) {
    auto& v = *parts;
    for (size_t k = 0; k < v.size(); ++k) {
      if (v[k].k == Part::kLit) continue;
      if (v[k].strip_left) {
        for (size_t j = k; j > 0 && v[j - 1].k == Part::kLit; --j) {
          std::string& t = v[j - 1].text;
          while (!t.empty() && IsSpace(t.back())) t.pop_back();
          if (!t.empty()) break;
        }
      }
      if (v[k].strip_right) {
        for (size_t j = k + 1; j < v.size() && v[j].k == Part::kLit; ++j) {
          std::string& t = v[j].text;
          size_t m = 0;
          while (m < t.size() && IsSpace(t[m])) ++m;
          t.erase(0, m);
          if (!t.empty()) break;
        }
      }
    }
  }

  // <<- heredocs: remove the smallest indentation (spaces and tabs, one
  // column each) common to every line that has content; lines holding only a
  // newline do not count.
  static void Dedent(std::vector<Part>* parts) {
    size_t min_ind = SIZE_MAX;
    for (const Part& p : *parts) {
      if (p.k != Part::kLit || !p.line_start) continue;
      size_t j = 0;
      while (j < p.text.size() && (p.text[j] == ' ' || p.text[j] == '\t')) ++j;
      if (j < p.text.size() && (p.text[j] == '\n' || p.text[j] == '\r')) continue;
      if (j == p.text.size() && &p == &parts->back()) continue;
      min_ind = std::min(min_ind, j);
    }
    if (min_ind == SIZE_MAX || min_ind == 0) return;
    for (Part& p : *parts) {
      if (p.k != Part::kLit || !p.line_start) continue;
      size_t j = 0;
      while (j < p.text.size() && j < min_ind && (p.text[j] == ' ' || p.text[j] == '\t')) ++j;
      p.text.erase(0, j);
    }
  }

  Expr* LitString(std::string text, Range r) {
    Expr* e = f_->NewExpr(ExprKind::kLiteral);
    e->lit = LitKind::kString;
    e->name = std::move(text);
    e->range = r;
    return e;
  }

  // Folds parts[*pi..] into `into` until a closing directive it does not own.
  bool BuildSeq(const std::vector<Part>& parts, size_t* pi, Expr* into, int depth) {
    if (depth > o_.max_depth) {
      ErrorAt(parts[*pi].r.start.offset, "template directives nested too deeply");
      return false;
    }
    while (*pi < parts.size()) {
      const Part& p = parts[*pi];
      switch (p.k) {
        case Part::kLit:
          if (!p.text.empty()) {
            if (!into->kids.empty() && into->kids.back()->kind == ExprKind::kLiteral &&
                into->kids.back()->lit == LitKind::kString) {
              into->kids.back()->name += p.text;
              into->kids.back()->range.end = p.r.end;
            } else {
              into->kids.push_back(LitString(p.text, p.r));
            }
          }
          ++*pi;
          break;
        case Part::kInterp:
          into->kids.push_back(p.e);
          ++*pi;
          break;
        case Part::kIf: {
          Expr* e = f_->NewExpr(ExprKind::kTemplateIf);
          e->kids.push_back(p.e);
          Expr* then = f_->NewExpr(ExprKind::kTemplate);
          then->range = p.r;
          ++*pi;
          if (!BuildSeq(parts, pi, then, depth + 1)) return false;
          e->kids.push_back(then);
          if (*pi < parts.size() && parts[*pi].k == Part::kElse) {
            Expr* els = f_->NewExpr(ExprKind::kTemplate);
            els->range = parts[*pi].r;
            ++*pi;
            if (!BuildSeq(parts, pi, els, depth + 1)) return false;
            e->kids.push_back(els);
          }
          if (*pi >= parts.size() || parts[*pi].k != Part::kEndIf) {
            ErrorAt(p.r.start.offset, "expected %{endif} to close this %{if}");
            return false;
          }
          e->range = Range{p.r.start, parts[*pi].r.end};
          ++*pi;
          into->kids.push_back(e);
          break;
        }
        case Part::kFor: {
          Expr* e = f_->NewExpr(ExprKind::kTemplateFor);
          e->name = p.kv;
          e->name2 = p.vv;
          e->kids.push_back(p.e);
          Expr* body = f_->NewExpr(ExprKind::kTemplate);
          body->range = p.r;
          ++*pi;
          if (!BuildSeq(parts, pi, body, depth + 1)) return false;
          e->kids.push_back(body);
          if (*pi >= parts.size() || parts[*pi].k != Part::kEndFor) {
            ErrorAt(p.r.start.offset, "expected %{endfor} to close this %{for}");
            return false;
          }
          e->range = Range{p.r.start, parts[*pi].r.end};
          ++*pi;
          into->kids.push_back(e);
          break;
        }
        case Part::kElse:
        case Part::kEndIf:
        case Part::kEndFor:
          if (depth == 0) {
            ErrorAt(p.r.start.offset, std::string("unexpected ") +
                                          (p.k == Part::kElse    ? "%{else}"
                                           : p.k == Part::kEndIf ? "%{endif}"
                                                                 : "%{endfor}") +
                                          " without a matching opening directive");
            return false;
          }
          return true;
      }
    }
    return true;
  }

  // ---- entry points ----
  Expr* ParseSingleExpression() {
    nl_.clear();
    nl_.push_back(false);
    failed_ = false;
    Expr* e = ParseExpr(0);
    if (failed_) return nullptr;
    Tok t = Peek();
    if (t.t != T::kEOF) {
      Expected(t, "end of input after the expression");
      return nullptr;
    }
    return e;
  }

 private:
  File* f_;
  std::string_view s_;
  const ParseOptions& o_;
  Mode mode_;
  std::vector<uint32_t> line_starts_;
  std::vector<bool> nl_;
  size_t body_nl_floor_ = 1;
  uint32_t cur_ = 0;
  bool failed_ = false;
  uint32_t err_depth_ = 0;
  int cur_depth_ = 0;
  mutable size_t last_line_ = 0;  // depth of the innermost ParseExpr (templates nest through it)
  Tok cache_;
  uint32_t cache_pos_ = 0;
  bool cache_sig_ = false;
  bool cache_valid_ = false;
};

}  // namespace

std::unique_ptr<File> Parse(std::string_view text, std::string path, const ParseOptions& options) {
  auto f = std::make_unique<File>();
  f->path = std::move(path);
  f->source = std::string(text);
  Parser p(f.get(), options, Mode::kNative);
  p.ParseFile();
  return f;
}

Expr* ParseExpressionInto(File* f, Mode mode, const ParseOptions& options) {
  Parser p(f, options, mode);
  return p.ParseSingleExpression();
}

std::unique_ptr<File> ParseExpression(std::string_view text, std::string path, bool json_strings,
                                      const ParseOptions& options) {
  auto f = std::make_unique<File>();
  f->path = std::move(path);
  f->source = std::string(text);
  Expr* e =
      ParseExpressionInto(f.get(), json_strings ? Mode::kJsonLiteral : Mode::kNative, options);
  if (e) {
    Attribute a;
    a.expr = e;
    a.range = e->range;
    a.name_range = Range{e->range.start, e->range.start};
    f->body.attributes.push_back(std::move(a));
  }
  return f;
}

}  // namespace gatehouse::hcl
