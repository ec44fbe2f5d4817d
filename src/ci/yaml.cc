// YAML for the CI analyzer: a fast parser for the subset workflows use, with
// yaml-cpp as the fallback and the reference.
//
// Why not yaml-cpp alone: on a 2,000-workflow tree yaml-cpp's scanner (a
// regex match per character) and its shared_ptr node graph took most of the
// analysis time. Workflows use a small part of YAML — block mappings and
// sequences, plain/quoted/block scalars, flow collections, comments — so a
// direct recursive-descent parser over the bytes, building an arena, covers
// nearly every file an order of magnitude faster.
//
// The contract that keeps it honest: the fast parser either produces exactly
// the tree yaml-cpp would (same kinds, scalars, tags and marks) or answers
// kUnsupported, and then yaml-cpp parses the document (and supplies the
// error message when it is invalid). Anything it is unsure about — anchors,
// aliases, tags, complex keys, directives, multiple documents, tabs in
// indentation, carriage returns, explicit indentation indicators, folded
// scalars with more-indented lines, continuation lines that start with an
// indicator, flow scalars spanning lines — is unsupported by design.
// fuzz/ci_yaml_fuzz.cc checks the equivalence on arbitrary input and
// tests/ci/ci_yaml_test.cc on every fixture.
//
// Structure (YAML 1.2, chapter 8): a block node is a sequence ("- " at
// column n), a mapping (a key followed by ": " at column n) or an inline
// value. Entries of one collection share one column; a mapping value may be
// a sequence at the key's own column ("compact" form). Plain scalars fold
// their continuation lines (more indented than the parent) into spaces, and
// empty lines into newlines; block scalars keep or fold lines by their
// indicator and chomping mode.
#include "ci/yaml.h"

#include "gatehouse/base.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstring>

namespace gatehouse::ci {

// ---- Node ------------------------------------------------------------------------

namespace {
const std::string kEmptyString;
}

bool Node::IsNull() const { return !doc_ || doc_->nodes_[idx_].kind == NodeKind::kNull; }
bool Node::IsScalar() const { return doc_ && doc_->nodes_[idx_].kind == NodeKind::kScalar; }
bool Node::IsMap() const { return doc_ && doc_->nodes_[idx_].kind == NodeKind::kMap; }
bool Node::IsSequence() const { return doc_ && doc_->nodes_[idx_].kind == NodeKind::kSeq; }
bool Node::IsFlow() const { return doc_ && doc_->nodes_[idx_].flow; }

const std::string& Node::Scalar() const {
  if (!doc_ || doc_->nodes_[idx_].kind != NodeKind::kScalar) return kEmptyString;
  return doc_->nodes_[idx_].scalar;
}

std::string_view Node::Tag() const {
  if (!doc_) return "";
  const Doc::Data& d = doc_->nodes_[idx_];
  if (d.kind == NodeKind::kNull) return "";
  if (d.kind == NodeKind::kScalar && !d.plain) return "!";
  return "?";
}

YamlMark Node::Mark() const { return doc_ ? doc_->nodes_[idx_].mark : YamlMark{}; }

size_t Node::size() const {
  if (!doc_) return 0;
  const Doc::Data& d = doc_->nodes_[idx_];
  if (d.kind == NodeKind::kMap) return d.count / 2;
  if (d.kind == NodeKind::kSeq) return d.count;
  return 0;
}

Node Node::operator[](size_t i) const {
  if (!IsSequence() || i >= size()) return Node();
  return doc_->kids_[doc_->nodes_[idx_].first + i];
}

Node::Iterator Node::begin() const { return Iterator(doc_, idx_, 0); }
Node::Iterator Node::end() const { return Iterator(doc_, idx_, static_cast<uint32_t>(size())); }

Node::Entry Node::Iterator::operator*() const {
  Entry e;
  const Doc::Data& d = doc_->nodes_[node_];
  if (d.kind == NodeKind::kMap) {
    e.first = doc_->kids_[d.first + 2 * i_];
    e.second = doc_->kids_[d.first + 2 * i_ + 1];
  } else {
    static_cast<Node&>(e) = doc_->kids_[d.first + i_];
  }
  return e;
}

uint32_t Doc::Add(Data d) {
  nodes_.push_back(std::move(d));
  return static_cast<uint32_t>(nodes_.size() - 1);
}

Node Doc::NewScalar(std::string text, bool plain) {
  Data d;
  d.kind = NodeKind::kScalar;
  d.plain = plain;
  d.scalar = std::move(text);
  return Node(this, Add(std::move(d)));
}

Node Doc::NewMap(const std::vector<std::pair<Node, Node>>& entries) {
  Data d;
  d.kind = NodeKind::kMap;
  d.first = static_cast<uint32_t>(kids_.size());
  d.count = static_cast<uint32_t>(2 * entries.size());
  for (const auto& [k, v] : entries) {
    kids_.push_back(k);
    kids_.push_back(v);
  }
  return Node(this, Add(std::move(d)));
}

// ---- the fast parser ---------------------------------------------------------------

class FastYamlParser {
 public:
  FastYamlParser(std::string_view s, Doc* doc) : s_(s), n_(s.size()), doc_(doc) {}

  FastResult Run() {
    // Control characters, byte-order marks and anything that is not valid
    // UTF-8: yaml-cpp detects encodings and replaces bad sequences.
    for (size_t i = 0; i < n_;) {
      const unsigned char u = static_cast<unsigned char>(s_[i]);
      if (u < 0x80) {
        if ((u < 0x20 && u != '\n' && u != '\t') || u == 0x7f) return FastResult::kUnsupported;
        ++i;
        continue;
      }
      size_t len = (u & 0xE0) == 0xC0 ? 2 : (u & 0xF0) == 0xE0 ? 3 : (u & 0xF8) == 0xF0 ? 4 : 0;
      if (len == 0 || i + len > n_ || u == 0xC0 || u == 0xC1 || u > 0xF4 || (i == 0 && u == 0xEF))
        return FastResult::kUnsupported;
      uint32_t cp = u & (0x3F >> (len - 1));
      for (size_t k = 1; k < len; ++k) {
        const unsigned char c = static_cast<unsigned char>(s_[i + k]);
        if ((c & 0xC0) != 0x80) return FastResult::kUnsupported;
        cp = (cp << 6) | (c & 0x3F);
      }
      if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
          (cp >= 0xD800 && cp <= 0xDFFF) || cp == 0xFEFF || (cp >= 0x80 && cp <= 0x9F) ||
          cp == 0x2028 || cp == 0x2029)
        return FastResult::kUnsupported;
      i += len;
    }
    ls_.push_back(0);
    for (size_t i = 0; i < n_; ++i)
      if (s_[i] == '\n') ls_.push_back(static_cast<uint32_t>(i + 1));
    // About one node per 12 bytes of workflow YAML: reserve to avoid moving them.
    doc_->nodes_.reserve(n_ / 12 + 16);
    doc_->kids_.reserve(n_ / 12 + 16);

    size_t q = NextContent(0);
    if (fail_) return Result();
    if (q < n_ && s_[q] == '%') return FastResult::kUnsupported;
    p_ = q;
    if (IsMarker(q, "---")) {
      p_ = q + 3;
      SkipBlanks();
      if (p_ < n_ && s_[p_] == '#') SkipToEol();
      if (p_ < n_ && s_[p_] != '\n') return FastResult::kUnsupported;
    } else if (IsMarker(q, "...")) {
      return FastResult::kUnsupported;
    }
    // CI files are mappings at column 0; any other document shape goes to
    // yaml-cpp.
    {
      size_t r = NextContent(p_);
      if (fail_) return Result();
      if (r < n_ && (Col(r) != 0 || !LineHasKey(r))) return FastResult::kUnsupported;
    }
    Node root = BlockNode(-1, false);
    if (fail_) return Result();
    q = NextContent(p_);
    if (fail_) return Result();
    if (q < n_) {
      if (!IsMarker(q, "...")) return FastResult::kUnsupported;
      if (NextContent(q + 3) < n_ || fail_) return FastResult::kUnsupported;
    }
    doc_->root_ = root.IsDefined() ? root.idx_ : NullAt(n_).idx_;
    return FastResult::kOk;
  }

 private:
  FastResult Result() const { return deep_ ? FastResult::kTooDeep : FastResult::kUnsupported; }
  void Fail() { fail_ = true; }

  char At(size_t q) const { return q < n_ ? s_[q] : '\0'; }
  static bool Blank(char c) { return c == ' ' || c == '\t'; }
  bool EndOrSpace(size_t q) const {
    return q >= n_ || s_[q] == ' ' || s_[q] == '\t' || s_[q] == '\n';
  }
  size_t LineOf(size_t q) const {
    return static_cast<size_t>(std::upper_bound(ls_.begin(), ls_.end(), static_cast<uint32_t>(q)) -
                               ls_.begin()) -
           1;
  }
  int Col(size_t q) const { return static_cast<int>(q - ls_[LineOf(q)]); }
  YamlMark MarkAt(size_t q) const {
    size_t line = LineOf(std::min(q, n_));
    return {static_cast<int>(q), static_cast<int>(line), static_cast<int>(q - ls_[line])};
  }
  bool IsMarker(size_t q, std::string_view m) const {
    return Col(q) == 0 && s_.substr(q, 3) == m && EndOrSpace(q + 3);
  }
  bool IsSeqEntry(size_t q) const { return At(q) == '-' && EndOrSpace(q + 1); }
  void SkipBlanks() {
    while (p_ < n_ && Blank(s_[p_])) ++p_;
  }
  void SkipToEol() {
    while (p_ < n_ && s_[p_] != '\n') ++p_;
  }
  size_t Eol(size_t q) const {
    const void* nl = std::memchr(s_.data() + q, '\n', n_ - q);
    return nl ? static_cast<size_t>(static_cast<const char*>(nl) - s_.data()) : n_;
  }

  // Next significant character from q: skips blanks, comments and line
  // breaks. A tab in a line's indentation is left to yaml-cpp.
  size_t NextContent(size_t q) {
    bool in_indent = q == 0 || s_[q - 1] == '\n';
    if (!in_indent) {
      in_indent = true;
      for (size_t b = ls_[LineOf(q)]; b < q; ++b)
        if (!Blank(s_[b])) in_indent = false;
    }
    bool tab = false;
    while (q < n_) {
      char c = s_[q];
      if (c == ' ') {
        ++q;
      } else if (c == '\t') {
        tab = tab || in_indent;
        ++q;
      } else if (c == '\n') {
        ++q;
        in_indent = true;
        tab = false;
      } else if (c == '#' && (q == 0 || Blank(s_[q - 1]) || s_[q - 1] == '\n')) {
        if (tab) Fail();
        q = Eol(q);
      } else {
        if (tab) Fail();
        return q;
      }
    }
    return q;
  }

  bool Enter() {
    if (++depth_ > kMaxYamlDepth) {
      deep_ = true;
      Fail();
      return false;
    }
    return true;
  }
  void Leave() { --depth_; }

  Node NewNode(Doc::Data d) { return Node(doc_, doc_->Add(std::move(d))); }
  Node NullAt(size_t q) {
    Doc::Data d;
    d.kind = NodeKind::kNull;
    d.mark = MarkAt(q);
    return NewNode(std::move(d));
  }
  Node ScalarNode(std::string text, bool plain, size_t at) {
    if (plain &&
        (text.empty() || text == "~" || text == "null" || text == "Null" || text == "NULL"))
      return NullAt(at);
    Doc::Data d;
    d.kind = NodeKind::kScalar;
    d.plain = plain;
    d.mark = MarkAt(at);
    d.scalar = std::move(text);
    return NewNode(std::move(d));
  }
  Node Collection(NodeKind kind, size_t at, size_t from, bool flow) {
    Doc::Data d;
    d.kind = kind;
    d.flow = flow;
    d.mark = MarkAt(at);
    d.first = static_cast<uint32_t>(doc_->kids_.size());
    d.count = static_cast<uint32_t>(stack_.size() - from);
    doc_->kids_.insert(doc_->kids_.end(), stack_.begin() + static_cast<long>(from), stack_.end());
    stack_.resize(from);
    return NewNode(std::move(d));
  }

  // Does a mapping key start at q ("key: ", "'key': ")?
  bool LineHasKey(size_t q) const {
    char c = At(q);
    if (c == '"' || c == '\'') {
      size_t r = q + 1;
      while (r < n_ && s_[r] != '\n') {
        if (c == '"' && s_[r] == '\\') {
          r += 2;
          continue;
        }
        if (s_[r] == c) {
          if (c == '\'' && At(r + 1) == '\'') {
            r += 2;
            continue;
          }
          break;
        }
        ++r;
      }
      if (r >= n_ || s_[r] != c) return false;
      ++r;
      while (r < n_ && Blank(s_[r])) ++r;
      return At(r) == ':' && EndOrSpace(r + 1);
    }
    // A plain scalar cannot start with an indicator (YAML 1.2, 7.3.3); ':' and
    // '?' could in YAML 1.2, yaml-cpp decides those.
    if (std::strchr("[]{},:&*!|>%@`?#", c) || c == '\0') return false;
    if (c == '-' && EndOrSpace(q + 1)) return false;
    for (size_t r = q; r < n_ && s_[r] != '\n'; ++r) {
      if (s_[r] == '#' && r > q && Blank(s_[r - 1])) return false;
      if (s_[r] == ':' && EndOrSpace(r + 1)) return true;
    }
    return false;
  }

  // A block node after "key:" or "- " with nothing else on the line, or the
  // document root. `n` is the parent's indentation.
  Node BlockNode(int n, bool compact_ok) {
    size_t q = NextContent(p_);
    if (fail_) return Node();
    if (q >= n_ || IsMarker(q, "---") || IsMarker(q, "...")) {
      p_ = q;
      return NullAt(q);
    }
    int c = Col(q);
    if (c < n || (c == n && !(compact_ok && IsSeqEntry(q)))) {
      p_ = q;
      return NullAt(q);
    }
    p_ = q;
    if (IsSeqEntry(q)) return BlockSeq(c);
    if (LineHasKey(q)) return BlockMap(c);
    return InlineValue(n);
  }

  Node BlockMap(int n) {
    if (!Enter()) return Node();
    const size_t at = p_, from = stack_.size();
    while (true) {
      size_t q = NextContent(p_);
      if (fail_) return Node();
      if (q >= n_) break;
      int c = Col(q);
      if (c < n || (c == 0 && (IsMarker(q, "---") || IsMarker(q, "...")))) break;
      if (c > n || IsSeqEntry(q) || !LineHasKey(q)) {
        Fail();
        return Node();
      }
      p_ = q;
      Node key = Key();
      if (fail_) return Node();
      SkipBlanks();
      if (At(p_) != ':' || !EndOrSpace(p_ + 1)) {
        Fail();
        return Node();
      }
      ++p_;
      Node value = AfterIndicator(n, false);
      if (fail_) return Node();
      stack_.push_back(key);
      stack_.push_back(value);
    }
    Leave();
    p_ = std::min(p_, n_);
    return Collection(NodeKind::kMap, at, from, false);
  }

  Node BlockSeq(int n) {
    if (!Enter()) return Node();
    const size_t at = p_, from = stack_.size();
    while (true) {
      size_t q = NextContent(p_);
      if (fail_) return Node();
      if (q >= n_) break;
      int c = Col(q);
      if (c < n || (c == 0 && (IsMarker(q, "---") || IsMarker(q, "...")))) break;
      if (c > n) {
        Fail();
        return Node();
      }
      if (!IsSeqEntry(q)) break;  // the mapping this compact sequence belongs to goes on
      p_ = q + 1;
      Node item = AfterIndicator(n, true);
      if (fail_) return Node();
      stack_.push_back(item);
    }
    Leave();
    return Collection(NodeKind::kSeq, at, from, false);
  }

  // After ':' of a key or '-' of an entry.
  Node AfterIndicator(int n, bool seq_entry) {
    SkipBlanks();
    if (p_ >= n_ || s_[p_] == '\n' || s_[p_] == '#') {
      if (p_ < n_ && s_[p_] == '#') SkipToEol();
      return BlockNode(n, !seq_entry);
    }
    const size_t q = p_;
    if (IsSeqEntry(q)) {
      if (!seq_entry) {
        Fail();
        return Node();
      }
      return BlockSeq(Col(q));
    }
    if (LineHasKey(q)) {
      if (!seq_entry) {
        Fail();
        return Node();
      }
      return BlockMap(Col(q));
    }
    return InlineValue(n);
  }

  // A key: plain or quoted, on one line.
  Node Key() {
    char c = At(p_);
    if (c == '"' || c == '\'') {
      size_t line = LineOf(p_);
      Node k = c == '"' ? DoubleQuoted(-1) : SingleQuoted(-1);
      if (LineOf(p_ > 0 ? p_ - 1 : 0) != line) Fail();
      return k;
    }
    const size_t at = p_;
    size_t r = p_;
    while (r < n_ && !(s_[r] == ':' && EndOrSpace(r + 1))) ++r;
    size_t e = r;
    while (e > at && Blank(s_[e - 1])) --e;
    p_ = r;
    if (e == at) {
      Fail();
      return Node();
    }
    return ScalarNode(std::string(s_.substr(at, e - at)), true, at);
  }

  // A value starting on this line at p_ (not a key, not an entry).
  Node InlineValue(int n) {
    char c = At(p_);
    Node v;
    switch (c) {
      case '|':
      case '>':
        return BlockScalar(n);
      case '"':
        v = DoubleQuoted(n);
        break;
      case '\'':
        v = SingleQuoted(n);
        break;
      case '[':
      case '{':
        v = Flow();
        break;
      case '&':
      case '*':
      case '!':
      case '%':
      case '@':
      case '`':
      case '?':
      case ',':
      case ']':
      case '}':
      case ':':
      case '#':
        Fail();
        return Node();
      default:
        return PlainBlock(n);
    }
    if (fail_) return Node();
    size_t before = p_;
    SkipBlanks();
    if (At(p_) == '#') {
      if (p_ == before) {
        Fail();
        return Node();
      }
      SkipToEol();
    }
    if (p_ < n_ && s_[p_] != '\n') Fail();
    return v;
  }

  // One line of a plain scalar from q: [q, content end); *comment when a
  // comment follows. Fails on ": " (a mapping where a value is expected).
  size_t PlainLine(size_t q, bool* comment) {
    size_t e = Eol(q);
    *comment = false;
    size_t r = q;
    for (; r < e; ++r) {
      if (s_[r] == '#' && r > q && Blank(s_[r - 1])) {
        *comment = true;
        break;
      }
      if (s_[r] == ':' && EndOrSpace(r + 1)) {
        Fail();
        return q;
      }
    }
    while (r > q && Blank(s_[r - 1])) --r;
    return r;
  }

  Node PlainBlock(int n) {
    const size_t at = p_;
    bool comment = false;
    size_t e = PlainLine(p_, &comment);
    if (fail_) return Node();
    std::string value(s_.substr(at, e - at));
    p_ = Eol(p_);
    bool multi = false;
    while (!comment) {
      // Continuation: the next non-empty line, more indented than the parent.
      size_t q = p_;
      int empties = 0;
      size_t content = n_;
      while (q < n_) {
        ++q;  // past '\n'
        size_t r = q;
        while (r < n_ && s_[r] == ' ') ++r;
        if (r < n_ && s_[r] == '\t') {
          Fail();
          return Node();
        }
        if (r >= n_) break;
        if (s_[r] == '\n') {
          ++empties;
          q = r;
          continue;
        }
        content = r;
        break;
      }
      if (content >= n_ || Col(content) <= n || s_[content] == '#' ||
          (Col(content) == 0 && (IsMarker(content, "---") || IsMarker(content, "..."))))
        break;
      if (std::strchr("-?:,[]{}&*!|>'\"%@`", s_[content])) {
        Fail();
        return Node();
      }
      size_t ce = PlainLine(content, &comment);
      if (fail_) return Node();
      value += empties == 0 ? std::string(" ") : std::string(static_cast<size_t>(empties), '\n');
      value.append(s_.substr(content, ce - content));
      p_ = Eol(content);
      multi = true;
    }
    if (multi) {
      Doc::Data d;
      d.kind = NodeKind::kScalar;
      d.mark = MarkAt(at);
      d.scalar = std::move(value);
      return NewNode(std::move(d));
    }
    return ScalarNode(std::move(value), true, at);
  }

  // Folds a line break inside a quoted scalar: p_ is at '\n'. Continuation
  // lines must be indented more than the parent `n` (n < 0: no check).
  bool FoldBreak(std::string& out, int n) {
    int empties = 0;
    while (p_ < n_ && s_[p_] == '\n') {
      ++p_;
      size_t ind = p_;
      while (p_ < n_ && Blank(s_[p_])) ++p_;
      if (p_ < n_ && s_[p_] == '\n') {
        ++empties;
        continue;
      }
      if (p_ >= n_) return false;
      for (size_t b = ind; b < p_; ++b)
        if (s_[b] == '\t' && b == ind) return false;
      if (n >= 0 && static_cast<int>(p_ - ind) <= n) return false;
      if (Col(p_) == 0 && (IsMarker(p_, "---") || IsMarker(p_, "..."))) return false;
    }
    out += empties == 0 ? std::string(" ") : std::string(static_cast<size_t>(empties), '\n');
    return true;
  }

  Node DoubleQuoted(int n) {
    const size_t at = p_++;
    std::string out;
    size_t keep = 0;  // out.size() up to the last non-blank (or escaped) char
    while (true) {
      if (p_ >= n_) {
        Fail();
        return Node();
      }
      char c = s_[p_];
      if (c == '"') {
        ++p_;
        break;
      }
      if (c == '\\') {
        char e = At(p_ + 1);
        p_ += 2;
        uint32_t hex_digits = 0;
        switch (e) {
          case '0':
            out += '\0';
            break;
          case 'a':
            out += '\a';
            break;
          case 'b':
            out += '\b';
            break;
          case 't':
          case '\t':
            out += '\t';
            break;
          case 'n':
            out += '\n';
            break;
          case 'v':
            out += '\v';
            break;
          case 'f':
            out += '\f';
            break;
          case 'r':
            out += '\r';
            break;
          case 'e':
            out += '\x1b';
            break;
          case ' ':
            out += ' ';
            break;
          case '"':
            out += '"';
            break;
          case '/':
            out += '/';
            break;
          case '\\':
            out += '\\';
            break;
          case 'N':
            AppendUtf8(out, 0x85);
            break;
          case '_':
            AppendUtf8(out, 0xA0);
            break;
          case 'L':
            AppendUtf8(out, 0x2028);
            break;
          case 'P':
            AppendUtf8(out, 0x2029);
            break;
          case 'x':
            hex_digits = 2;
            break;
          case 'u':
            hex_digits = 4;
            break;
          case 'U':
            hex_digits = 8;
            break;
          case '\n': {
            // Escaped line break: joins without a space.
            while (p_ < n_ && Blank(s_[p_])) ++p_;
            keep = out.size();
            continue;
          }
          default:
            Fail();
            return Node();
        }
        if (hex_digits) {
          uint32_t cp = 0;
          for (uint32_t i = 0; i < hex_digits; ++i) {
            char h = At(p_ + i);
            int v = h >= '0' && h <= '9'   ? h - '0'
                    : h >= 'a' && h <= 'f' ? h - 'a' + 10
                    : h >= 'A' && h <= 'F' ? h - 'A' + 10
                                           : -1;
            if (v < 0) {
              Fail();
              return Node();
            }
            cp = cp * 16 + static_cast<uint32_t>(v);
          }
          p_ += hex_digits;
          if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF) || hex_digits == 2) {
            if (hex_digits != 2 || cp > 0x7F) {
              Fail();  // leave surrogates and \x80-\xFF to yaml-cpp
              return Node();
            }
          }
          AppendUtf8(out, cp);
        }
        keep = out.size();
        continue;
      }
      if (c == '\n') {
        out.resize(keep);
        if (!FoldBreak(out, n)) {
          Fail();
          return Node();
        }
        keep = out.size();
        continue;
      }
      out += c;
      ++p_;
      if (!Blank(c)) keep = out.size();
    }
    return ScalarNode(std::move(out), false, at);
  }

  Node SingleQuoted(int n) {
    const size_t at = p_++;
    std::string out;
    size_t keep = 0;
    while (true) {
      if (p_ >= n_) {
        Fail();
        return Node();
      }
      char c = s_[p_];
      if (c == '\'') {
        if (At(p_ + 1) == '\'') {
          out += '\'';
          p_ += 2;
          keep = out.size();
          continue;
        }
        ++p_;
        break;
      }
      if (c == '\n') {
        out.resize(keep);
        if (!FoldBreak(out, n)) {
          Fail();
          return Node();
        }
        keep = out.size();
        continue;
      }
      out += c;
      ++p_;
      if (!Blank(c)) keep = out.size();
    }
    return ScalarNode(std::move(out), false, at);
  }

  // '|' or '>' at p_; `n` is the parent's indentation.
  Node BlockScalar(int n) {
    const size_t at = p_;
    const bool literal = s_[p_] == '|';
    ++p_;
    char chomp = 'c';
    for (int i = 0; i < 2 && p_ < n_; ++i) {
      if (s_[p_] == '+' || s_[p_] == '-') {
        if (chomp != 'c') return Fail(), Node();
        chomp = s_[p_++];
      } else if (s_[p_] >= '0' && s_[p_] <= '9') {
        return Fail(), Node();  // explicit indentation: yaml-cpp decides
      }
    }
    size_t before = p_;
    SkipBlanks();
    if (At(p_) == '#') {
      if (p_ == before) return Fail(), Node();
      SkipToEol();
    }
    if (p_ < n_ && s_[p_] != '\n') return Fail(), Node();
    if (p_ < n_) ++p_;

    struct Line {
      size_t b, e;  // content (after the indentation), or b == e for empty lines
      bool empty;
      bool has_break;
    };
    std::vector<Line> lines;
    int indent = -1, max_leading = 0;
    // Content must be indented more than the parent and than the line the
    // indicator is on (yaml-cpp reads " |" at column 1 with content at
    // column 0 as empty).
    {
      size_t b = ls_[LineOf(at)];
      int line_indent = 0;
      while (b + static_cast<size_t>(line_indent) < n_ &&
             s_[b + static_cast<size_t>(line_indent)] == ' ')
        ++line_indent;
      n = std::max(n, line_indent);
    }
    size_t q = p_;
    while (q < n_) {
      size_t e = Eol(q);
      size_t r = q;
      while (r < e && s_[r] == ' ') ++r;
      int sp = static_cast<int>(r - q);
      bool blank = r == e;
      if (!blank && s_[r] == '\t' && (indent < 0 || sp < indent)) return Fail(), Node();
      if (blank) {
        if (indent < 0) {
          max_leading = std::max(max_leading, sp);
          lines.push_back({r, r, true, e < n_});
        } else if (sp > indent) {
          lines.push_back({q + static_cast<size_t>(indent), e, false, e < n_});
        } else {
          lines.push_back({r, r, true, e < n_});
        }
        q = e < n_ ? e + 1 : n_;
        continue;
      }
      if (indent < 0) {
        if (sp <= n) break;
        indent = sp;
        if (max_leading > indent) return Fail(), Node();
      }
      if (sp < indent) break;
      lines.push_back({q + static_cast<size_t>(indent), e, false, e < n_});
      q = e < n_ ? e + 1 : n_;
    }
    // Empty lines after the content count only as trailing breaks; the next
    // node starts at q, the first line that is not part of the scalar.
    p_ = q;

    int last = -1;
    for (size_t i = 0; i < lines.size(); ++i)
      if (!lines[i].empty) last = static_cast<int>(i);
    std::string out;
    if (last < 0) {
      if (chomp == '+') return Fail(), Node();  // keep-chomped empty scalar: yaml-cpp decides
    } else if (literal) {
      for (int i = 0; i <= last; ++i) {
        const Line& l = lines[static_cast<size_t>(i)];
        if (!l.empty) out.append(s_.substr(l.b, l.e - l.b));
        if (i < last) out += '\n';
      }
    } else {
      int pending = 0;
      bool prev = false;
      for (int i = 0; i <= last; ++i) {
        const Line& l = lines[static_cast<size_t>(i)];
        if (l.empty) {
          ++pending;
          continue;
        }
        if (s_[l.b] == ' ' || s_[l.b] == '\t') return Fail(), Node();  // more-indented
        if (prev)
          out += pending ? std::string(static_cast<size_t>(pending), '\n') : std::string(" ");
        else
          out += std::string(static_cast<size_t>(pending), '\n');
        out.append(s_.substr(l.b, l.e - l.b));
        prev = true;
        pending = 0;
      }
    }
    if (last >= 0) {
      const bool final_break = lines[static_cast<size_t>(last)].has_break;
      if (chomp != '-' && final_break) out += '\n';
      if (chomp == '+')
        for (size_t i = static_cast<size_t>(last) + 1; i < lines.size(); ++i)
          if (lines[i].has_break) out += '\n';
    }
    return ScalarNode(std::move(out), false, at);
  }

  // ---- flow collections ----
  size_t FlowSpace(size_t q) {
    while (q < n_) {
      char c = s_[q];
      if (c == ' ' || c == '\t' || c == '\n') {
        ++q;
      } else if (c == '#' && q > 0 && (Blank(s_[q - 1]) || s_[q - 1] == '\n')) {
        q = Eol(q);
      } else {
        break;
      }
    }
    return q;
  }

  Node FlowPlain() {
    const size_t at = p_;
    size_t r = p_;
    while (r < n_) {
      char c = s_[r];
      if (c == '\n' || c == ',' || c == '[' || c == ']' || c == '{' || c == '}') break;
      if (c == ':' && (EndOrSpace(r + 1) || std::strchr(",[]{}", At(r + 1)))) break;
      if (c == '#' && r > at && Blank(s_[r - 1])) break;
      if (c == '?') return Fail(), Node();  // yaml-cpp: "unknown token" inside flow collections
      ++r;
    }
    size_t e = r;
    while (e > at && Blank(s_[e - 1])) --e;
    if (e == at) return Fail(), Node();
    p_ = r;
    if (At(p_) == '\n' || (At(p_) == '#')) {
      // The scalar may go on on the next line: only if what follows is a
      // separator; otherwise leave it to yaml-cpp.
      size_t q = FlowSpace(p_);
      char c = At(q);
      if (!(c == ',' || c == ']' || c == '}' || c == ':')) return Fail(), Node();
    }
    return ScalarNode(std::string(s_.substr(at, e - at)), true, at);
  }

  Node FlowValue() {
    char c = At(p_);
    if (c == '[' || c == '{') return Flow();
    if (c == '"') return DoubleQuoted(-1);
    if (c == '\'') return SingleQuoted(-1);
    if (c == '\0' || std::strchr("&*!|>%@`?,]}#:", c)) return Fail(), Node();
    if (c == '-' && EndOrSpace(p_ + 1)) return Fail(), Node();
    return FlowPlain();
  }

  Node Flow() {
    if (!Enter()) return Node();
    const size_t at = p_, from = stack_.size();
    const bool map = s_[p_] == '{';
    const char close = map ? '}' : ']';
    ++p_;
    while (true) {
      p_ = FlowSpace(p_);
      if (p_ >= n_) return Fail(), Node();
      if (s_[p_] == close) {
        ++p_;
        break;
      }
      if (map) {
        char c = At(p_);
        if (c == '[' || c == '{') return Fail(), Node();
        Node key = FlowValue();
        if (fail_) return Node();
        // yaml-cpp wants the ':' (or the ',' / '}' of a key without value)
        // on the key's line.
        SkipBlanks();
        if (At(p_) != ':' && At(p_) != ',' && At(p_) != '}') return Fail(), Node();
        Node value;
        if (At(p_) == ':') {
          ++p_;
          p_ = FlowSpace(p_);
          if (At(p_) == ',' || At(p_) == '}')
            value = NullAt(p_);
          else
            value = FlowValue();
        } else if (At(p_) == ',' || At(p_) == '}') {
          value = NullAt(p_);
        } else {
          return Fail(), Node();
        }
        if (fail_) return Node();
        stack_.push_back(key);
        stack_.push_back(value);
      } else {
        Node v = FlowValue();
        if (fail_) return Node();
        size_t q = FlowSpace(p_);
        if (At(q) == ':') return Fail(), Node();  // [k: v] pairs: yaml-cpp decides
        stack_.push_back(v);
      }
      p_ = FlowSpace(p_);
      if (At(p_) == ',') {
        ++p_;
        continue;
      }
      if (At(p_) != close) return Fail(), Node();
    }
    Leave();
    return Collection(map ? NodeKind::kMap : NodeKind::kSeq, at, from, true);
  }

  std::string_view s_;
  size_t n_;
  Doc* doc_;
  size_t p_ = 0;
  std::vector<uint32_t> ls_;
  std::vector<Node> stack_;
  int depth_ = 0;
  bool fail_ = false;
  bool deep_ = false;
};

FastResult ParseYamlFast(std::string_view text, Doc* doc) {
  FastYamlParser p(text, doc);
  return p.Run();
}

// ---- yaml-cpp ----------------------------------------------------------------------

class YamlCppConverter {
 public:
  YamlCppConverter(Doc* doc, size_t budget) : doc_(doc), budget_(budget) {}

  // False when the tree is deeper or (after alias expansion) bigger than allowed.
  bool Convert(const YAML::Node& n, Node* out, int depth = 0) {
    if (depth > kMaxYamlDepth || budget_ == 0) return false;
    --budget_;
    Doc::Data d;
    const YAML::Mark m = n.Mark();
    d.mark = {m.pos, m.line, m.column};
    if (n.IsScalar()) {
      d.kind = NodeKind::kScalar;
      d.plain = n.Tag() == "?";
      d.scalar = n.Scalar();
    } else if (n.IsSequence() || n.IsMap()) {
      d.kind = n.IsMap() ? NodeKind::kMap : NodeKind::kSeq;
      d.flow = n.Style() == YAML::EmitterStyle::Flow;
      std::vector<Node> kids;
      for (auto it = n.begin(); it != n.end(); ++it) {
        Node a, b;
        if (n.IsMap()) {
          if (!Convert(it->first, &a, depth + 1) || !Convert(it->second, &b, depth + 1))
            return false;
          kids.push_back(a);
          kids.push_back(b);
        } else {
          if (!Convert(*it, &a, depth + 1)) return false;
          kids.push_back(a);
        }
      }
      d.first = static_cast<uint32_t>(doc_->kids_.size());
      d.count = static_cast<uint32_t>(kids.size());
      doc_->kids_.insert(doc_->kids_.end(), kids.begin(), kids.end());
    } else {
      d.kind = NodeKind::kNull;
    }
    *out = Node(doc_, doc_->Add(std::move(d)));
    return true;
  }

 private:
  Doc* doc_;
  size_t budget_;
};

YamlParse ParseYamlWithYamlCpp(std::string_view text) {
  YamlParse r;
  try {
    YAML::Node root = YAML::Load(std::string(text));
    auto doc = std::make_unique<Doc>();
    YamlCppConverter conv(doc.get(), 16 * text.size() + 4096);
    Node out;
    if (!conv.Convert(root, &out)) {
      r.error = "document nests deeper than " + std::to_string(kMaxYamlDepth) +
                " levels or expands (through aliases) beyond its size limit";
      return r;
    }
    doc->SetRoot(out);
    r.root = doc->Root();
    r.doc = std::move(doc);
  } catch (const YAML::Exception& e) {
    r.error = e.msg;
    r.error_mark = {e.mark.pos, e.mark.line, e.mark.column};
  } catch (const std::exception& e) {
    r.error = e.what();
  }
  return r;
}

namespace {

// yaml-cpp recurses per nesting level: refuse what could exhaust the stack.
bool TooDeepForYamlCpp(std::string_view s, size_t* where) {
  int depth = 0;
  char quote = 0;
  size_t line_start = 0;
  int dashes = 0;
  bool leading = true;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '\n') {
      line_start = i + 1;
      dashes = 0;
      leading = true;
      quote = 0;
      continue;
    }
    if (leading) {
      if (c == ' ') {
        if (i - line_start > 4 * static_cast<size_t>(kMaxYamlDepth)) return *where = i, true;
        continue;
      }
      if (c == '-' || c == '?' || c == ':') {
        if (++dashes > kMaxYamlDepth / 2) return *where = i, true;
        continue;
      }
      leading = false;
    }
    if (quote) {
      if (c == quote) quote = 0;
      continue;
    }
    if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '[' || c == '{') {
      if (++depth > kMaxYamlDepth) return *where = i, true;
    } else if (c == ']' || c == '}') {
      depth = std::max(0, depth - 1);
    }
  }
  return false;
}

}  // namespace

YamlParse ParseYaml(std::string_view text) {
  YamlParse r;
  auto doc = std::make_unique<Doc>();
  FastResult fr = ParseYamlFast(text, doc.get());
  if (fr == FastResult::kOk) {
    r.root = doc->Root();
    r.doc = std::move(doc);
    r.fast = true;
    return r;
  }
  size_t where = 0;
  if (fr == FastResult::kTooDeep || TooDeepForYamlCpp(text, &where)) {
    r.error = "document nests deeper than " + std::to_string(kMaxYamlDepth) + " levels";
    int line = 0, col = 0;
    for (size_t i = 0; i < where && i < text.size(); ++i) {
      if (text[i] == '\n')
        ++line, col = 0;
      else
        ++col;
    }
    r.error_mark = {static_cast<int>(where), line, col};
    return r;
  }
  return ParseYamlWithYamlCpp(text);
}

namespace {

void Debug(const Node& n, std::string* out, int depth) {
  if (depth > kMaxYamlDepth + 2) return;
  std::string pad(static_cast<size_t>(depth) * 2, ' ');
  YamlMark m = n.Mark();
  if (n.IsNull()) {
    *out += pad + "null\n";
    return;
  }
  std::string where = "@" + std::to_string(m.line) + ":" + std::to_string(m.column);
  if (n.IsScalar()) {
    *out += pad + "scalar" + std::string(n.Tag()) + where + " \"";
    for (char c : n.Scalar()) {
      if (c == '\n')
        *out += "\\n";
      else if (c == '"' || c == '\\')
        *out += std::string("\\") + c;
      else
        *out += c;
    }
    *out += "\"\n";
    return;
  }
  *out += pad + (n.IsMap() ? "map" : "seq") + (n.IsFlow() ? "(flow)" : "") + where + "\n";
  for (const auto& e : n) {
    if (n.IsMap()) {
      Debug(e.first, out, depth + 1);
      Debug(e.second, out, depth + 2);
    } else {
      Debug(e, out, depth + 1);
    }
  }
}

}  // namespace

std::string DebugString(const Node& n) {
  std::string out;
  Debug(n, &out, 0);
  return out;
}

}  // namespace gatehouse::ci
