// Rego lexer and recursive-descent parser (Rego v1, with a v0 mode).
//
// Grammar followed: the OPA policy language reference ("Grammar" section,
// https://www.openpolicyagent.org/docs/latest/policy-reference/#grammar):
//
//   module   = package { import } policy
//   rule     = [ "default" ] rule-head { rule-body }
//   head     = ref [ "(" args ")" ] [ "contains" term | ( "=" | ":=" ) term ]
//   body     = "if" ( literal | "{" query "}" ) | "{" query "}" (v0)
//   else     = "else" [ "=" | ":=" term ] body
//   query    = literal { ( ";" | NEWLINE ) literal }
//   literal  = ( some-decl | expr | "not" expr ) { with-modifier }
//   expr     = term-in [ ( "=" | ":=" ) term-in ]
//   term-in  = relation [ [ "," relation ] "in" relation ]
//   relation = bit-or { ( "==" | "!=" | "<" | "<=" | ">" | ">=" ) bit-or }
//   bit-or   = bit-and { "|" bit-and };  bit-and = arith { "&" arith }
//   arith    = factor { ( "+" | "-" ) factor }; factor = term { ( "*" | "/" | "%" ) term }
//
// Newlines separate literals; an operator, `[`, `.` or `(` on a new line
// starts a new literal. Comments are kept so that `# METADATA` blocks can be
// attached to the rule or package that follows them.
#include <charconv>
#include <cmath>
#include <cstring>

#include "gatehouse/base.h"
#include "rego/ast.h"

namespace gatehouse::rego {

std::string SourceLine(std::string_view text, int row) {
  int r = 1;
  size_t start = 0;
  for (size_t i = 0; i < text.size() && r < row; ++i) {
    if (text[i] == '\n') {
      ++r;
      start = i + 1;
    }
  }
  if (r != row) return {};
  size_t end = text.find('\n', start);
  if (end == std::string_view::npos) end = text.size();
  std::string line(text.substr(start, end - start));
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

RegoError MakeRegoError(std::string code, std::string message, const Loc& loc,
                        std::string_view source) {
  RegoError e;
  e.code = std::move(code);
  e.message = std::move(message);
  if (loc.file) e.file = *loc.file;
  e.row = loc.row;
  e.col = loc.col;
  if (loc.row > 0) e.source_line = SourceLine(source, loc.row);
  return e;
}

namespace {

enum class Tok : uint8_t {
  kEof,
  kIdent,
  kString,
  kNumber,
  kLBrace,
  kRBrace,
  kLBrack,
  kRBrack,
  kLParen,
  kRParen,
  kDot,
  kComma,
  kSemi,
  kColon,
  kAssign,  // :=
  kUnify,   // =
  kEq,      // ==
  kNeq,
  kLt,
  kLte,
  kGt,
  kGte,
  kPlus,
  kMinus,
  kStar,
  kSlash,
  kPercent,
  kBar,
  kAmp,
  kError,
};

struct Token {
  Tok kind = Tok::kEof;
  std::string text;  // identifier, decoded string, number spelling
  Loc loc;
  bool nl_before = false;  // a newline between the previous token and this one
  bool ws_before = false;
};

struct Comment {
  int row;
  int col;
  std::string text;  // after '#'
};

class Lexer {
 public:
  Lexer(std::string_view s, const std::string* file) : s_(s), file_(file) {}

  std::vector<Token> Run(std::vector<Comment>* comments, std::string* error, Loc* error_loc) {
    std::vector<Token> out;
    for (;;) {
      bool nl = false, ws = false;
      for (;;) {
        if (pos_ >= s_.size()) break;
        char c = s_[pos_];
        if (c == '\n') {
          nl = true;
          ws = true;
          Adv();
        } else if (c == ' ' || c == '\t' || c == '\r') {
          ws = true;
          Adv();
        } else if (c == '#') {
          Comment cm{row_, col_, {}};
          size_t st = pos_ + 1;
          while (pos_ < s_.size() && s_[pos_] != '\n') Adv();
          cm.text = std::string(s_.substr(st, pos_ - st));
          if (!cm.text.empty() && cm.text.back() == '\r') cm.text.pop_back();
          comments->push_back(std::move(cm));
          ws = true;
        } else {
          break;
        }
      }
      Token t;
      t.nl_before = nl;
      t.ws_before = ws;
      t.loc = Here();
      if (pos_ >= s_.size()) {
        t.kind = Tok::kEof;
        out.push_back(std::move(t));
        return out;
      }
      char c = s_[pos_];
      auto two = [&](char n) { return pos_ + 1 < s_.size() && s_[pos_ + 1] == n; };
      if (isalpha(static_cast<unsigned char>(c)) || c == '_') {
        size_t st = pos_;
        while (pos_ < s_.size() &&
               (isalnum(static_cast<unsigned char>(s_[pos_])) || s_[pos_] == '_'))
          Adv();
        t.kind = Tok::kIdent;
        t.text = std::string(s_.substr(st, pos_ - st));
      } else if (isdigit(static_cast<unsigned char>(c))) {
        size_t st = pos_;
        while (pos_ < s_.size() && isdigit(static_cast<unsigned char>(s_[pos_]))) Adv();
        if (pos_ + 1 < s_.size() && s_[pos_] == '.' &&
            isdigit(static_cast<unsigned char>(s_[pos_ + 1]))) {
          Adv();
          while (pos_ < s_.size() && isdigit(static_cast<unsigned char>(s_[pos_]))) Adv();
        }
        if (pos_ < s_.size() && (s_[pos_] == 'e' || s_[pos_] == 'E')) {
          size_t save = pos_;
          int srow = row_, scol = col_;
          Adv();
          if (pos_ < s_.size() && (s_[pos_] == '+' || s_[pos_] == '-')) Adv();
          if (pos_ < s_.size() && isdigit(static_cast<unsigned char>(s_[pos_]))) {
            while (pos_ < s_.size() && isdigit(static_cast<unsigned char>(s_[pos_]))) Adv();
          } else {
            pos_ = save;
            row_ = srow;
            col_ = scol;
          }
        }
        t.kind = Tok::kNumber;
        t.text = std::string(s_.substr(st, pos_ - st));
      } else if (c == '"') {
        Adv();
        std::string val;
        for (;;) {
          if (pos_ >= s_.size() || s_[pos_] == '\n') {
            *error = "non-terminated string";
            *error_loc = t.loc;
            return out;
          }
          char d = s_[pos_];
          if (d == '"') {
            Adv();
            break;
          }
          if (d == '\\') {
            Adv();
            if (pos_ >= s_.size()) continue;
            char e = s_[pos_];
            Adv();
            switch (e) {
              case '"':
                val += '"';
                break;
              case '\\':
                val += '\\';
                break;
              case '/':
                val += '/';
                break;
              case 'b':
                val += '\b';
                break;
              case 'f':
                val += '\f';
                break;
              case 'n':
                val += '\n';
                break;
              case 'r':
                val += '\r';
                break;
              case 't':
                val += '\t';
                break;
              case 'u': {
                uint32_t cp = 0;
                for (int i = 0; i < 4; ++i) {
                  if (pos_ >= s_.size() || !isxdigit(static_cast<unsigned char>(s_[pos_]))) {
                    *error = "illegal escape sequence";
                    *error_loc = t.loc;
                    return out;
                  }
                  char h = s_[pos_];
                  cp = cp * 16 + static_cast<uint32_t>(isdigit(static_cast<unsigned char>(h))
                                                           ? h - '0'
                                                           : (tolower(h) - 'a' + 10));
                  Adv();
                }
                if (cp >= 0xD800 && cp < 0xDC00 && pos_ + 5 < s_.size() && s_[pos_] == '\\' &&
                    s_[pos_ + 1] == 'u') {
                  uint32_t lo = 0;
                  bool okhex = true;
                  for (int i = 0; i < 4; ++i) {
                    char h = s_[pos_ + 2 + static_cast<size_t>(i)];
                    if (!isxdigit(static_cast<unsigned char>(h)))
                      okhex = false;
                    else
                      lo = lo * 16 + static_cast<uint32_t>(isdigit(static_cast<unsigned char>(h))
                                                               ? h - '0'
                                                               : (tolower(h) - 'a' + 10));
                  }
                  if (okhex && lo >= 0xDC00 && lo < 0xE000) {
                    for (int i = 0; i < 6; ++i) Adv();
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                  }
                }
                if (cp >= 0xD800 && cp < 0xE000) cp = 0xFFFD;
                AppendUtf8(val, cp);
                break;
              }
              default:
                *error = "illegal escape sequence";
                *error_loc = t.loc;
                return out;
            }
            continue;
          }
          val += d;
          Adv();
        }
        t.kind = Tok::kString;
        t.text = std::move(val);
      } else if (c == '`') {
        Adv();
        size_t st = pos_;
        while (pos_ < s_.size() && s_[pos_] != '`') Adv();
        if (pos_ >= s_.size()) {
          *error = "non-terminated raw string";
          *error_loc = t.loc;
          return out;
        }
        t.kind = Tok::kString;
        t.text = std::string(s_.substr(st, pos_ - st));
        Adv();
      } else {
        int n = 1;
        switch (c) {
          case '{':
            t.kind = Tok::kLBrace;
            break;
          case '}':
            t.kind = Tok::kRBrace;
            break;
          case '[':
            t.kind = Tok::kLBrack;
            break;
          case ']':
            t.kind = Tok::kRBrack;
            break;
          case '(':
            t.kind = Tok::kLParen;
            break;
          case ')':
            t.kind = Tok::kRParen;
            break;
          case '.':
            t.kind = Tok::kDot;
            break;
          case ',':
            t.kind = Tok::kComma;
            break;
          case ';':
            t.kind = Tok::kSemi;
            break;
          case ':':
            if (two('=')) {
              t.kind = Tok::kAssign;
              n = 2;
            } else {
              t.kind = Tok::kColon;
            }
            break;
          case '=':
            if (two('=')) {
              t.kind = Tok::kEq;
              n = 2;
            } else {
              t.kind = Tok::kUnify;
            }
            break;
          case '!':
            if (two('=')) {
              t.kind = Tok::kNeq;
              n = 2;
            } else {
              t.kind = Tok::kError;
            }
            break;
          case '<':
            if (two('=')) {
              t.kind = Tok::kLte;
              n = 2;
            } else {
              t.kind = Tok::kLt;
            }
            break;
          case '>':
            if (two('=')) {
              t.kind = Tok::kGte;
              n = 2;
            } else {
              t.kind = Tok::kGt;
            }
            break;
          case '+':
            t.kind = Tok::kPlus;
            break;
          case '-':
            t.kind = Tok::kMinus;
            break;
          case '*':
            t.kind = Tok::kStar;
            break;
          case '/':
            t.kind = Tok::kSlash;
            break;
          case '%':
            t.kind = Tok::kPercent;
            break;
          case '|':
            t.kind = Tok::kBar;
            break;
          case '&':
            t.kind = Tok::kAmp;
            break;
          default:
            t.kind = Tok::kError;
            break;
        }
        if (t.kind == Tok::kError) {
          *error = std::string("illegal token '") + c + "'";
          *error_loc = t.loc;
          return out;
        }
        t.text = std::string(s_.substr(pos_, static_cast<size_t>(n)));
        for (int i = 0; i < n; ++i) Adv();
      }
      t.loc.end = static_cast<int>(pos_);
      out.push_back(std::move(t));
    }
  }

 private:
  Loc Here() const {
    Loc l;
    l.row = row_;
    l.col = col_;
    l.file = file_;
    l.offset = static_cast<int>(pos_);
    return l;
  }
  void Adv() {
    if (s_[pos_] == '\n') {
      ++row_;
      col_ = 1;
    } else {
      ++col_;
    }
    ++pos_;
  }
  std::string_view s_;
  const std::string* file_;
  size_t pos_ = 0;
  int row_ = 1, col_ = 1;
};

const char* TokName(Tok t) {
  switch (t) {
    case Tok::kEof:
      return "EOF";
    case Tok::kIdent:
      return "ident";
    case Tok::kString:
      return "string";
    case Tok::kNumber:
      return "number";
    case Tok::kLBrace:
      return "{";
    case Tok::kRBrace:
      return "}";
    case Tok::kLBrack:
      return "[";
    case Tok::kRBrack:
      return "]";
    case Tok::kLParen:
      return "(";
    case Tok::kRParen:
      return ")";
    case Tok::kDot:
      return ".";
    case Tok::kComma:
      return ",";
    case Tok::kSemi:
      return ";";
    case Tok::kColon:
      return ":";
    case Tok::kAssign:
      return ":=";
    case Tok::kUnify:
      return "=";
    case Tok::kEq:
      return "==";
    case Tok::kNeq:
      return "!=";
    case Tok::kLt:
      return "<";
    case Tok::kLte:
      return "<=";
    case Tok::kGt:
      return ">";
    case Tok::kGte:
      return ">=";
    case Tok::kPlus:
      return "+";
    case Tok::kMinus:
      return "-";
    case Tok::kStar:
      return "*";
    case Tok::kSlash:
      return "/";
    case Tok::kPercent:
      return "%";
    case Tok::kBar:
      return "|";
    case Tok::kAmp:
      return "&";
    case Tok::kError:
      return "error";
  }
  return "?";
}

struct ParseAbort {};

constexpr int kMaxParseDepth = 200;

class Parser {
 public:
  Parser(std::string_view src, Module* m, bool v0) : src_(src), m_(m), v0_(v0) {}

  bool Lex(RegoStatus* st) {
    std::string err;
    Loc eloc;
    toks_ = Lexer(src_, &m_->file).Run(&comments_, &err, &eloc);
    if (!err.empty()) {
      st->errors.push_back(MakeRegoError("rego_parse_error", err, eloc, src_));
      return false;
    }
    return true;
  }

  bool ParseModuleBody(RegoStatus* st) {
    try {
      if (!IsIdent("package")) Fail("expected package declaration", Peek().loc);
      m_->package_loc = Peek().loc;
      m_->package_annotations = TakeMetadata(Peek().loc.row);
      Next();
      TermPtr ref = ParseTermNoOps(0);
      if (!RefToPath(*ref, &m_->package, true)) Fail("package must be a ref of names", ref->loc);
      EndOfStatement();
      while (IsIdent("import")) {
        Import imp;
        imp.loc = Peek().loc;
        Next();
        TermPtr r = ParseTermNoOps(0);
        if (!RefToPath(*r, &imp.path, false)) Fail("import path must be a ref of names", r->loc);
        if (IsIdent("as")) {
          Next();
          if (Peek().kind != Tok::kIdent) Fail("expected alias name", Peek().loc);
          imp.alias = Next().text;
        }
        if (imp.path.size() >= 2 && imp.path[0] == "rego" && imp.path[1] == "v1") rego_v1_ = true;
        m_->imports.push_back(std::move(imp));
        EndOfStatement();
      }
      while (Peek().kind != Tok::kEof) ParseRule();
      for (const auto& c : comments_) m_->comments.emplace_back(c.row, c.text);
      return true;
    } catch (const ParseAbort&) {
      st->errors.push_back(error_);
      return false;
    }
  }

  bool ParseQueryBody(Body* out, RegoStatus* st) {
    try {
      ParseQueryUntil(out, Tok::kEof);
      if (out->empty()) Fail("empty query", Peek().loc);
      return true;
    } catch (const ParseAbort&) {
      st->errors.push_back(error_);
      return false;
    }
  }

  TermPtr ParseRefOnly(RegoStatus* st) {
    try {
      TermPtr t = ParseTermNoOps(0);
      if (Peek().kind != Tok::kEof) Fail("unexpected trailing tokens", Peek().loc);
      return t;
    } catch (const ParseAbort&) {
      st->errors.push_back(error_);
      return nullptr;
    }
  }

 private:
  [[noreturn]] void Fail(const std::string& msg, const Loc& loc) {
    error_ = MakeRegoError("rego_parse_error", msg, loc, src_);
    throw ParseAbort();
  }
  const Token& Peek(size_t k = 0) const {
    size_t i = std::min(pos_ + k, toks_.size() - 1);
    return toks_[i];
  }
  const Token& Next() {
    const Token& t = toks_[pos_];
    if (pos_ + 1 < toks_.size()) ++pos_;
    return t;
  }
  bool IsIdent(std::string_view s, size_t k = 0) const {
    return Peek(k).kind == Tok::kIdent && Peek(k).text == s;
  }
  void Expect(Tok t, const char* what) {
    if (Peek().kind != t) {
      Fail(std::string("unexpected ") + Describe(Peek()) + ", expected " + what, Peek().loc);
    }
    Next();
  }
  static std::string Describe(const Token& t) {
    if (t.kind == Tok::kEof) return "eof token";
    if (t.kind == Tok::kIdent) return "ident token '" + t.text + "'";
    if (t.kind == Tok::kString) return "string token";
    if (t.kind == Tok::kNumber) return "number token";
    return std::string(TokName(t.kind)) + " token";
  }
  bool IsKeyword(const std::string& s) const {
    return s == "not" || s == "with" || s == "as" || s == "some" || s == "every" || s == "in" ||
           s == "if" || s == "contains" || s == "else" || s == "default" || s == "package" ||
           s == "import";
  }
  void EndOfStatement() {
    if (Peek().kind == Tok::kSemi) {
      Next();
      return;
    }
    if (Peek().kind == Tok::kEof || Peek().nl_before) return;
    Fail("unexpected " + Describe(Peek()) + ", expected end of statement", Peek().loc);
  }

  // Collects a "# METADATA" comment block that ends on the line before `row`.
  std::vector<Annotations> TakeMetadata(int row) {
    std::vector<Annotations> out;
    // Find comments immediately above `row` (contiguous block).
    int end = -1;
    for (int i = static_cast<int>(comments_.size()) - 1; i >= 0; --i) {
      if (comments_[static_cast<size_t>(i)].row < row) {
        end = i;
        break;
      }
    }
    if (end < 0 || comments_[static_cast<size_t>(end)].row != row - 1) return out;
    int start = end;
    while (start > 0 && comments_[static_cast<size_t>(start - 1)].row ==
                            comments_[static_cast<size_t>(start)].row - 1)
      --start;
    // Locate the METADATA marker within the block.
    for (int i = start; i <= end; ++i) {
      std::string_view t = comments_[static_cast<size_t>(i)].text;
      while (!t.empty() && t.front() == ' ') t.remove_prefix(1);
      if (t == "METADATA") {
        std::string yaml;
        for (int j = i + 1; j <= end; ++j) {
          std::string_view l = comments_[static_cast<size_t>(j)].text;
          if (!l.empty() && l.front() == ' ') l.remove_prefix(1);
          yaml += std::string(l);
          yaml += '\n';
        }
        auto v = ParseYaml(yaml, m_->file);
        if (!v.ok()) {
          Loc l;
          l.row = comments_[static_cast<size_t>(i)].row;
          l.col = comments_[static_cast<size_t>(i)].col;
          l.file = &m_->file;
          Fail("invalid METADATA block: " + v.error().message, l);
        }
        Annotations a;
        a.value = v.ok() ? *v : Value();
        if (const Value* s = a.value.Find("scope")) a.scope = std::string(s->AsString());
        out.push_back(std::move(a));
      }
    }
    return out;
  }

  static bool RefToPath(const Term& t, std::vector<std::string>* out, bool strip_data) {
    out->clear();
    if (t.kind == TermKind::kVar) {
      out->push_back(t.name);
    } else if (t.kind == TermKind::kRef) {
      if (t.items[0]->kind != TermKind::kVar) return false;
      out->push_back(t.items[0]->name);
      for (size_t i = 1; i < t.items.size(); ++i) {
        if (t.items[i]->kind != TermKind::kScalar || !t.items[i]->value.IsString()) return false;
        out->emplace_back(t.items[i]->value.AsString());
      }
    } else {
      return false;
    }
    // OPA roots every package under data, even one spelled `package data.x`
    // (that is data.data.x), so nothing is stripped.
    (void)strip_data;
    return true;
  }

  // ---- Rules -------------------------------------------------------------

  void ParseRule() {
    auto rule = std::make_unique<Rule>();
    rule->module = m_;
    rule->loc = Peek().loc;
    rule->annotations = TakeMetadata(Peek().loc.row);
    if (IsIdent("default")) {
      rule->is_default = true;
      Next();
    }
    if (Peek().kind != Tok::kIdent || IsKeyword(Peek().text)) {
      Fail("unexpected " + Describe(Peek()) + ", expected rule head", Peek().loc);
    }
    // Head ref: name { .name | [term] }
    rule->path.push_back(Next().text);
    TermPtr last_key;
    while (!Peek().nl_before && (Peek().kind == Tok::kDot || Peek().kind == Tok::kLBrack)) {
      if (last_key)
        Fail("rule head ref may have a variable key only in its last position", Peek().loc);
      if (Peek().kind == Tok::kDot) {
        Next();
        if (Peek().kind != Tok::kIdent) Fail("expected name after '.'", Peek().loc);
        rule->path.push_back(Next().text);
      } else {
        Next();
        TermPtr k = ParseExprTerm(0);
        Expect(Tok::kRBrack, "]");
        if (k->kind == TermKind::kScalar && k->value.IsString()) {
          rule->path.emplace_back(k->value.AsString());
        } else {
          last_key = std::move(k);
        }
      }
    }
    if (Peek().kind == Tok::kLParen && !Peek().nl_before) {
      if (last_key || rule->path.size() > 1) {
        // Allow dotted function names (a.b.f(x)); keys are not allowed.
        if (last_key) Fail("function name may not have a key", Peek().loc);
      }
      Next();
      rule->kind = RuleKind::kFunction;
      if (Peek().kind != Tok::kRParen) {
        for (;;) {
          rule->args.push_back(ParseExprTerm(0));
          if (Peek().kind == Tok::kComma) {
            Next();
            continue;
          }
          break;
        }
      }
      Expect(Tok::kRParen, ")");
    }
    bool has_value = false;
    if (IsIdent("contains") && !Peek().nl_before) {
      Next();
      if (last_key) Fail("contains rule head may not have a key", Peek().loc);
      rule->has_contains = true;
      rule->kind = RuleKind::kPartialSet;
      rule->key = ParseExprTerm(0);
    } else if ((Peek().kind == Tok::kUnify || Peek().kind == Tok::kAssign) && !Peek().nl_before) {
      rule->assign = Peek().kind == Tok::kAssign;
      Next();
      rule->value = ParseExprTerm(0);
      has_value = true;
    }
    if (rule->kind != RuleKind::kFunction && rule->kind != RuleKind::kPartialSet) {
      if (last_key) {
        rule->key = std::move(last_key);
        if (has_value) {
          rule->kind = RuleKind::kPartialObject;
        } else if (v0_ && !rego_v1_) {
          rule->kind = RuleKind::kPartialSet;
        } else {
          rule->kind = RuleKind::kPartialObject;  // v1: p[x] if ... means p[x] = true
        }
      } else {
        rule->kind = RuleKind::kComplete;
      }
    }
    if (rule->is_default) {
      if (!has_value) Fail("default rule must have a value", rule->loc);
      if (rule->kind == RuleKind::kPartialObject || rule->kind == RuleKind::kPartialSet)
        Fail("default rules cannot have keys", rule->loc);
      EndOfStatement();
      m_->rules.push_back(std::move(rule));
      return;
    }
    ParseRuleBody(rule.get(), &rule->body, true);
    // else chain
    while (IsIdent("else") &&
           (rule->kind == RuleKind::kComplete || rule->kind == RuleKind::kFunction)) {
      ElseClause ec;
      ec.loc = Peek().loc;
      Next();
      if (Peek().kind == Tok::kUnify || Peek().kind == Tok::kAssign) {
        Next();
        ec.value = ParseExprTerm(0);
      }
      Rule dummy;
      ParseRuleBody(&dummy, &ec.body, false);
      rule->elses.push_back(std::move(ec));
    }
    if (IsIdent("else")) Fail("else keyword cannot be used on multi-value rules", Peek().loc);
    m_->rules.push_back(std::move(rule));
  }

  void ParseRuleBody(Rule* rule, Body* body, bool allow_empty) {
    bool v1 = !v0_ || rego_v1_;
    if (IsIdent("if") && (!Peek().nl_before || Peek(1).kind == Tok::kLBrace)) {
      rule->has_if = true;
      Next();
      if (Peek().kind == Tok::kLBrace && LooksLikeBodyBrace()) {
        Next();
        ParseQueryUntil(body, Tok::kRBrace);
        Expect(Tok::kRBrace, "}");
      } else {
        body->push_back(ParseLiteral());
      }
      if (body->empty()) Fail("rule body must not be empty", rule->loc);
      EndOfStatementRule();
      return;
    }
    if (Peek().kind == Tok::kLBrace && !Peek().nl_before) {
      if (v1) Fail("`if` keyword is required before rule body", Peek().loc);
      Next();
      ParseQueryUntil(body, Tok::kRBrace);
      Expect(Tok::kRBrace, "}");
      if (body->empty()) Fail("rule body must not be empty", rule->loc);
      EndOfStatementRule();
      return;
    }
    (void)allow_empty;  // `else := v` without a body is `else := v if true`
    if (v1 && rule->kind == RuleKind::kPartialSet && !rule->has_contains) {
      Fail("`contains` keyword is required for partial set rules", rule->loc);
    }
    EndOfStatementRule();
  }

  void EndOfStatementRule() {
    if (Peek().kind == Tok::kSemi) {
      Next();
      return;
    }
    if (Peek().kind == Tok::kEof || Peek().nl_before || IsIdent("else")) return;
    Fail("unexpected " + Describe(Peek()) + ", expected end of rule", Peek().loc);
  }

  // After `if`, `{` starts a body unless it is a set/object literal expression
  // (e.g. `if {1} == x`). We treat `{` as a body when its matching `}` is not
  // followed by an operator on the same line.
  bool LooksLikeBodyBrace() const {
    int depth = 0;
    size_t i = pos_;
    for (; i < toks_.size(); ++i) {
      Tok k = toks_[i].kind;
      if (k == Tok::kLBrace || k == Tok::kLBrack || k == Tok::kLParen) ++depth;
      if (k == Tok::kRBrace || k == Tok::kRBrack || k == Tok::kRParen) {
        --depth;
        if (depth == 0) break;
      }
      if (k == Tok::kEof) return true;
    }
    if (i + 1 >= toks_.size()) return true;
    const Token& after = toks_[i + 1];
    if (after.nl_before || after.kind == Tok::kEof || after.kind == Tok::kSemi) return true;
    switch (after.kind) {
      case Tok::kEq:
      case Tok::kNeq:
      case Tok::kLt:
      case Tok::kLte:
      case Tok::kGt:
      case Tok::kGte:
      case Tok::kUnify:
      case Tok::kBar:
      case Tok::kAmp:
      case Tok::kMinus:
      case Tok::kPlus:
      case Tok::kDot:
      case Tok::kLBrack:
        return false;
      case Tok::kIdent:
        return after.text == "else";
      default:
        return true;
    }
  }

  // ---- Queries -----------------------------------------------------------

  void ParseQueryUntil(Body* body, Tok close) {
    while (Peek().kind == Tok::kSemi) Next();
    while (Peek().kind != close && Peek().kind != Tok::kEof) {
      auto e = ParseLiteral();
      e->index = static_cast<int>(body->size());
      body->push_back(std::move(e));
      if (Peek().kind == Tok::kSemi) {
        while (Peek().kind == Tok::kSemi) Next();
        continue;
      }
      if (Peek().kind == close) break;
      if (!Peek().nl_before) {
        Fail("unexpected " + Describe(Peek()) + ", expected end of expression", Peek().loc);
      }
    }
  }

  std::unique_ptr<Expr> ParseLiteral() {
    if (++depth_ > kMaxParseDepth) Fail("nesting too deep", Peek().loc);
    auto e = std::make_unique<Expr>();
    e->loc = Peek().loc;
    int start = Peek().loc.offset;
    if (IsIdent("some")) {
      Next();
      ParseSome(e.get());
    } else if (IsIdent("every")) {
      Next();
      ParseEvery(e.get());
    } else {
      if (IsIdent("not")) {
        Next();
        e->negated = true;
      }
      ParseExprInto(e.get());
    }
    while (IsIdent("with") && !Peek().nl_before) {
      WithMod w;
      w.loc = Peek().loc;
      Next();
      w.target = ParseTermNoOps(0);
      if (!IsIdent("as")) Fail("expected 'as' in with modifier", Peek().loc);
      Next();
      w.value = ParseExprTerm(0);
      e->withs.push_back(std::move(w));
    }
    int end = toks_[pos_ > 0 ? pos_ - 1 : 0].loc.end;
    if (end > start)
      e->text =
          std::string(src_.substr(static_cast<size_t>(start), static_cast<size_t>(end - start)));
    --depth_;
    return e;
  }

  void ParseSome(Expr* e) {
    // some x, y   |   some [k,] v in coll
    std::vector<TermPtr> terms;
    terms.push_back(ParseRelation(0));
    while (Peek().kind == Tok::kComma && !Peek().nl_before) {
      Next();
      terms.push_back(ParseRelation(0));
    }
    if (IsIdent("in") && !Peek().nl_before) {
      Next();
      if (terms.size() > 2) Fail("unexpected , in some declaration", e->loc);
      e->kind = ExprKind::kSomeIn;
      if (terms.size() == 2) {
        e->key = std::move(terms[0]);
        e->val = std::move(terms[1]);
      } else {
        e->val = std::move(terms[0]);
      }
      e->collection = ParseRelation(0);
      return;
    }
    e->kind = ExprKind::kSome;
    for (auto& t : terms) {
      if (t->kind != TermKind::kVar) Fail("expected var in some declaration", t->loc);
    }
    e->some_vars = std::move(terms);
  }

  void ParseEvery(Expr* e) {
    e->kind = ExprKind::kEvery;
    TermPtr a = ParseTermNoOps(0);
    if (Peek().kind == Tok::kComma) {
      Next();
      e->key = std::move(a);
      e->val = ParseTermNoOps(0);
    } else {
      e->val = std::move(a);
    }
    if (!IsIdent("in")) Fail("expected 'in' in every", Peek().loc);
    Next();
    e->collection = ParseRelation(0);
    Expect(Tok::kLBrace, "{");
    ParseQueryUntil(&e->body, Tok::kRBrace);
    Expect(Tok::kRBrace, "}");
  }

  void ParseExprInto(Expr* e) {
    TermPtr lhs = ParseTermIn(0);
    if ((Peek().kind == Tok::kUnify || Peek().kind == Tok::kAssign) && !Peek().nl_before) {
      e->kind = Peek().kind == Tok::kUnify ? ExprKind::kUnify : ExprKind::kAssign;
      Next();
      e->lhs = std::move(lhs);
      e->rhs = ParseTermIn(0);
      return;
    }
    e->kind = ExprKind::kTerm;
    e->term = std::move(lhs);
  }

  TermPtr MakeCall(const char* op, TermPtr a, TermPtr b, const Loc& loc) {
    auto t = std::make_unique<Term>();
    t->kind = TermKind::kCall;
    t->name = op;
    t->loc = a->loc;
    (void)loc;
    t->items.push_back(std::move(a));
    t->items.push_back(std::move(b));
    return t;
  }

  // term-in: relation [ [ "," relation ] "in" relation ]  (membership)
  TermPtr ParseTermIn(int d) {
    TermPtr a = ParseRelation(d);
    if (IsIdent("in") && !Peek().nl_before) {
      Loc l = Peek().loc;
      Next();
      TermPtr coll = ParseRelation(d);
      auto t = std::make_unique<Term>();
      t->kind = TermKind::kCall;
      t->name = "internal.member_2";
      t->loc = a->loc;
      (void)l;
      t->items.push_back(std::move(a));
      t->items.push_back(std::move(coll));
      return t;
    }
    if (Peek().kind == Tok::kComma && !Peek().nl_before && in_call_ == 0 && IsInAfterComma()) {
      Next();
      TermPtr v = ParseRelation(d);
      if (!IsIdent("in")) Fail("expected in", Peek().loc);
      Next();
      TermPtr coll = ParseRelation(d);
      auto t = std::make_unique<Term>();
      t->kind = TermKind::kCall;
      t->name = "internal.member_3";
      t->loc = a->loc;
      t->items.push_back(std::move(a));
      t->items.push_back(std::move(v));
      t->items.push_back(std::move(coll));
      return t;
    }
    return a;
  }

  // `k, v in xs` at literal level: look ahead for `, term in`.
  bool IsInAfterComma() const {
    // Scan tokens after the comma until a newline/semicolon at depth 0.
    int depth = 0;
    for (size_t i = pos_ + 1; i < toks_.size(); ++i) {
      const Token& t = toks_[i];
      if (t.nl_before && depth == 0 && i > pos_ + 1) return false;
      if (t.kind == Tok::kLBrace || t.kind == Tok::kLBrack || t.kind == Tok::kLParen) ++depth;
      if (t.kind == Tok::kRBrace || t.kind == Tok::kRBrack || t.kind == Tok::kRParen) {
        if (depth == 0) return false;
        --depth;
      }
      if (depth == 0 && (t.kind == Tok::kComma || t.kind == Tok::kSemi || t.kind == Tok::kEof))
        return false;
      if (depth == 0 && t.kind == Tok::kIdent && t.text == "in") return true;
    }
    return false;
  }

  TermPtr ParseExprTerm(int d) {
    // A term in a non-literal position (values, args, elements): operators
    // allowed, plus `in`.
    in_call_++;
    TermPtr t = ParseTermIn(d);
    in_call_--;
    return t;
  }

  TermPtr ParseRelation(int d) {
    TermPtr a = ParseBitOr(d);
    for (;;) {
      const Token& t = Peek();
      if (t.nl_before) break;
      const char* op = nullptr;
      switch (t.kind) {
        case Tok::kEq:
          op = "equal";
          break;
        case Tok::kNeq:
          op = "neq";
          break;
        case Tok::kLt:
          op = "lt";
          break;
        case Tok::kLte:
          op = "lte";
          break;
        case Tok::kGt:
          op = "gt";
          break;
        case Tok::kGte:
          op = "gte";
          break;
        default:
          break;
      }
      if (!op) break;
      Loc l = t.loc;
      Next();
      a = MakeCall(op, std::move(a), ParseBitOr(d), l);
    }
    return a;
  }
  TermPtr ParseBitOr(int d) {
    TermPtr a = ParseBitAnd(d);
    while (Peek().kind == Tok::kBar && !Peek().nl_before && no_bar_ == 0) {
      Loc l = Peek().loc;
      Next();
      a = MakeCall("or", std::move(a), ParseBitAnd(d), l);
    }
    return a;
  }
  TermPtr ParseBitAnd(int d) {
    TermPtr a = ParseArith(d);
    while (Peek().kind == Tok::kAmp && !Peek().nl_before) {
      Loc l = Peek().loc;
      Next();
      a = MakeCall("and", std::move(a), ParseArith(d), l);
    }
    return a;
  }
  TermPtr ParseArith(int d) {
    TermPtr a = ParseFactor(d);
    while ((Peek().kind == Tok::kPlus || Peek().kind == Tok::kMinus) && !Peek().nl_before) {
      const char* op = Peek().kind == Tok::kPlus ? "plus" : "minus";
      Loc l = Peek().loc;
      Next();
      a = MakeCall(op, std::move(a), ParseFactor(d), l);
    }
    return a;
  }
  TermPtr ParseFactor(int d) {
    TermPtr a = ParseTermNoOps(d);
    while (
        (Peek().kind == Tok::kStar || Peek().kind == Tok::kSlash || Peek().kind == Tok::kPercent) &&
        !Peek().nl_before) {
      const char* op =
          Peek().kind == Tok::kStar ? "mul" : (Peek().kind == Tok::kSlash ? "div" : "rem");
      Loc l = Peek().loc;
      Next();
      a = MakeCall(op, std::move(a), ParseTermNoOps(d), l);
    }
    return a;
  }

  TermPtr NewTerm(TermKind k, const Loc& l) {
    auto t = std::make_unique<Term>();
    t->kind = k;
    t->loc = l;
    return t;
  }

  // A primary term followed by ref steps and calls.
  TermPtr ParseTermNoOps(int d) {
    if (d > kMaxParseDepth || ++depth_ > kMaxParseDepth) Fail("nesting too deep", Peek().loc);
    TermPtr t = ParsePrimary(d);
    for (;;) {
      const Token& nt = Peek();
      if (nt.nl_before) break;
      if (nt.kind == Tok::kDot) {
        Next();
        if (Peek().kind != Tok::kIdent)
          Fail("unexpected " + Describe(Peek()) + ", expected name after '.'", Peek().loc);
        const Token& id = Next();
        auto key = NewTerm(TermKind::kScalar, id.loc);
        key->value = Value::String(id.text);
        t = AppendRef(std::move(t), std::move(key));
      } else if (nt.kind == Tok::kLBrack && !nt.ws_before) {
        Next();
        TermPtr key = ParseExprTerm(d + 1);
        Expect(Tok::kRBrack, "]");
        t = AppendRef(std::move(t), std::move(key));
      } else if (nt.kind == Tok::kLParen && !nt.ws_before && IsCallable(*t)) {
        Loc l = nt.loc;
        Next();
        auto call = NewTerm(TermKind::kCall, t->loc);
        call->name = RefName(*t);
        in_call_++;
        if (Peek().kind != Tok::kRParen) {
          for (;;) {
            call->items.push_back(ParseTermIn(d + 1));
            if (Peek().kind == Tok::kComma) {
              Next();
              continue;
            }
            break;
          }
        }
        in_call_--;
        Expect(Tok::kRParen, ")");
        (void)l;
        if (call->name == "set" && call->items.empty()) {
          auto s = NewTerm(TermKind::kSet, call->loc);
          t = std::move(s);
        } else {
          t = std::move(call);
        }
      } else {
        break;
      }
    }
    --depth_;
    return t;
  }

  static bool IsCallable(const Term& t) {
    if (t.kind == TermKind::kVar) return true;
    if (t.kind != TermKind::kRef || t.items[0]->kind != TermKind::kVar) return false;
    for (size_t i = 1; i < t.items.size(); ++i) {
      if (t.items[i]->kind != TermKind::kScalar || !t.items[i]->value.IsString()) return false;
    }
    return true;
  }
  static std::string RefName(const Term& t) {
    if (t.kind == TermKind::kVar) return t.name;
    std::string s = t.items[0]->name;
    for (size_t i = 1; i < t.items.size(); ++i) {
      s += '.';
      s += t.items[i]->value.AsString();
    }
    return s;
  }

  TermPtr AppendRef(TermPtr base, TermPtr key) {
    if (base->kind == TermKind::kRef) {
      base->items.push_back(std::move(key));
      return base;
    }
    auto r = NewTerm(TermKind::kRef, base->loc);
    r->items.push_back(std::move(base));
    r->items.push_back(std::move(key));
    return r;
  }

  TermPtr ParsePrimary(int d) {
    const Token& t = Peek();
    switch (t.kind) {
      case Tok::kNumber: {
        Next();
        return NumberTerm(t.text, false, t.loc);
      }
      case Tok::kMinus: {
        Loc l = t.loc;
        Next();
        if (Peek().kind == Tok::kNumber && !Peek().ws_before) {
          const Token& n = Next();
          return NumberTerm(n.text, true, l);
        }
        TermPtr operand = ParseTermNoOps(d + 1);
        auto zero = NewTerm(TermKind::kScalar, l);
        zero->value = Value::Int(0);
        return MakeCall("minus", std::move(zero), std::move(operand), l);
      }
      case Tok::kString: {
        Next();
        auto s = NewTerm(TermKind::kScalar, t.loc);
        s->value = Value::String(t.text);
        return s;
      }
      case Tok::kIdent: {
        if (t.text == "true" || t.text == "false") {
          Next();
          auto s = NewTerm(TermKind::kScalar, t.loc);
          s->value = Value::Bool(t.text == "true");
          return s;
        }
        if (t.text == "null") {
          Next();
          return NewTerm(TermKind::kScalar, t.loc);
        }
        if (IsKeyword(t.text) && t.text != "in" && t.text != "if" && t.text != "contains") {
          Fail("unexpected " + t.text + " keyword", t.loc);
        }
        if (t.text == "contains" && Peek(1).kind == Tok::kLParen && !Peek(1).ws_before) {
          // the contains() builtin
        } else if ((t.text == "in" || t.text == "if" || t.text == "contains") &&
                   (!v0_ || rego_v1_)) {
          Fail("unexpected " + t.text + " keyword", t.loc);
        }
        Next();
        auto v = NewTerm(TermKind::kVar, t.loc);
        v->name = t.text;
        return v;
      }
      case Tok::kLParen: {
        Next();
        in_call_++;
        int saved_bar = no_bar_;
        no_bar_ = 0;
        TermPtr inner = ParseTermIn(d + 1);
        no_bar_ = saved_bar;
        in_call_--;
        Expect(Tok::kRParen, ")");
        return inner;
      }
      case Tok::kLBrack:
        return ParseArrayLike(d);
      case Tok::kLBrace:
        return ParseBraceLike(d);
      default:
        Fail("unexpected " + Describe(t) + ", expected term", t.loc);
    }
  }

  TermPtr NumberTerm(const std::string& text, bool neg, const Loc& l) {
    auto s = NewTerm(TermKind::kScalar, l);
    std::string full = neg ? "-" + text : text;
    bool is_float = text.find_first_of(".eE") != std::string::npos;
    if (!is_float) {
      int64_t i;
      auto r = std::from_chars(full.data(), full.data() + full.size(), i);
      if (r.ec == std::errc() && r.ptr == full.data() + full.size()) {
        s->value = Value::Int(i);
        return s;
      }
    }
    double dv = std::strtod(full.c_str(), nullptr);
    if (!std::isfinite(dv)) Fail("number out of range", l);
    s->value = Value::Number(dv);
    return s;
  }

  TermPtr ParseArrayLike(int d) {
    Loc l = Peek().loc;
    Next();  // [
    in_call_++;
    std::vector<TermPtr> items;
    if (Peek().kind == Tok::kRBrack) {
      Next();
      in_call_--;
      return NewTerm(TermKind::kArray, l);
    }
    ++no_bar_;
    TermPtr first = ParseTermIn(d + 1);
    --no_bar_;
    if (Peek().kind == Tok::kBar) {
      Next();
      auto c = NewTerm(TermKind::kArrayCompr, l);
      c->items.push_back(std::move(first));
      in_call_--;
      ParseQueryUntil(&c->body, Tok::kRBrack);
      Expect(Tok::kRBrack, "]");
      if (c->body.empty()) Fail("empty comprehension body", l);
      return c;
    }
    items.push_back(std::move(first));
    while (Peek().kind == Tok::kComma) {
      Next();
      if (Peek().kind == Tok::kRBrack) break;
      items.push_back(ParseTermIn(d + 1));
    }
    in_call_--;
    Expect(Tok::kRBrack, "]");
    auto a = NewTerm(TermKind::kArray, l);
    a->items = std::move(items);
    return a;
  }

  TermPtr ParseBraceLike(int d) {
    Loc l = Peek().loc;
    Next();  // {
    in_call_++;
    if (Peek().kind == Tok::kRBrace) {
      Next();
      in_call_--;
      return NewTerm(TermKind::kObject, l);
    }
    ++no_bar_;
    TermPtr first = ParseTermIn(d + 1);
    --no_bar_;
    if (Peek().kind == Tok::kColon) {
      Next();
      ++no_bar_;
      TermPtr v = ParseTermIn(d + 1);
      --no_bar_;
      if (Peek().kind == Tok::kBar) {
        Next();
        auto c = NewTerm(TermKind::kObjectCompr, l);
        c->items.push_back(std::move(first));
        c->items.push_back(std::move(v));
        in_call_--;
        ParseQueryUntil(&c->body, Tok::kRBrace);
        Expect(Tok::kRBrace, "}");
        if (c->body.empty()) Fail("empty comprehension body", l);
        return c;
      }
      auto o = NewTerm(TermKind::kObject, l);
      o->items.push_back(std::move(first));
      o->items.push_back(std::move(v));
      while (Peek().kind == Tok::kComma) {
        Next();
        if (Peek().kind == Tok::kRBrace) break;
        o->items.push_back(ParseTermIn(d + 1));
        Expect(Tok::kColon, ":");
        o->items.push_back(ParseTermIn(d + 1));
      }
      in_call_--;
      Expect(Tok::kRBrace, "}");
      return o;
    }
    if (Peek().kind == Tok::kBar) {
      Next();
      auto c = NewTerm(TermKind::kSetCompr, l);
      c->items.push_back(std::move(first));
      in_call_--;
      ParseQueryUntil(&c->body, Tok::kRBrace);
      Expect(Tok::kRBrace, "}");
      if (c->body.empty()) Fail("empty comprehension body", l);
      return c;
    }
    auto s = NewTerm(TermKind::kSet, l);
    s->items.push_back(std::move(first));
    while (Peek().kind == Tok::kComma) {
      Next();
      if (Peek().kind == Tok::kRBrace) break;
      s->items.push_back(ParseTermIn(d + 1));
    }
    in_call_--;
    Expect(Tok::kRBrace, "}");
    return s;
  }

  std::string_view src_;
  Module* m_;
  bool v0_;
  bool rego_v1_ = false;
  std::vector<Token> toks_;
  std::vector<Comment> comments_;
  size_t pos_ = 0;
  int depth_ = 0;
  int in_call_ = 0;
  int no_bar_ = 0;  // >0 while parsing a collection's first item (`|` = comprehension)
  RegoError error_;
};

}  // namespace

std::unique_ptr<Module> ParseModule(const std::string& file, std::string_view text,
                                    const ParseOptions& opts, RegoStatus* status) {
  auto m = std::make_unique<Module>();
  m->file = file;
  m->source = std::string(text);
  m->v1 = !opts.v0_compatible;
  Parser p(m->source, m.get(), opts.v0_compatible);
  if (!p.Lex(status)) return nullptr;
  if (!p.ParseModuleBody(status)) return nullptr;
  return m;
}

bool ParseQuery(std::string_view text, Module* holder, Body* out, RegoStatus* status) {
  holder->source = std::string(text);
  Parser p(holder->source, holder, !holder->v1);
  if (!p.Lex(status)) return false;
  return p.ParseQueryBody(out, status);
}

TermPtr ParseRefText(std::string_view text, Module* holder, RegoStatus* status) {
  holder->source = std::string(text);
  Parser p(holder->source, holder, false);
  if (!p.Lex(status)) return nullptr;
  return p.ParseRefOnly(status);
}

}  // namespace gatehouse::rego
