// The shared Document tree and its JSON, YAML-stream and TOML loaders.
//
// Storage: one vector of fixed-size node records, one vector of child
// indices (arrays), one vector of member records (objects) and a deque of
// strings (a deque never moves its elements, so string_views handed out
// stay valid while the Document lives, even while it is being built).
//
// JSON is parsed here by a small recursive-descent parser because no
// packaged JSON library reports line/column positions per value. YAML goes
// through the CI analyzer's fast parser (src/ci/yaml.cc, yaml-cpp fallback
// and reference) one document at a time: the stream is split at `---` /
// `...` markers in column 0 (which YAML 1.2 §9.1 makes document boundaries
// wherever they appear, even inside block scalars), each piece is parsed
// alone and its marks are shifted by the piece's first line. TOML goes
// through toml++, which does report source positions.
#include <charconv>
#include <cmath>
#include <cstring>
#include <deque>
#include <sstream>
#include <string>
#include <unordered_set>

#include <toml++/toml.h>

#include "ci/yaml.h"
#include "gatehouse/base.h"
#include "gatehouse/document.h"

namespace gatehouse {

namespace {

struct NodeRec {
  DocKind kind = DocKind::kNull;
  bool quoted = false;
  DocPos pos;
  uint32_t first = 0, count = 0;  // arrays: kids_; objects: members_
  uint32_t str = UINT32_MAX;      // strings: text; numbers: spelling (optional)
  union {
    int64_t i;
    double d;
    bool b;
  } v = {0};
};

struct MemberRec {
  uint32_t key;  // index into strings
  DocPos key_pos;
  uint32_t value;
};

const std::string kEmpty;

}  // namespace

struct DocumentImpl {
  std::string path;
  int index_in_file = 0;
  bool has_root = false;
  uint32_t root = 0;
  std::vector<NodeRec> nodes;
  std::vector<uint32_t> kids;
  std::vector<MemberRec> members;
  std::deque<std::string> strings;

  uint32_t AddString(std::string s) {
    strings.push_back(std::move(s));
    return static_cast<uint32_t>(strings.size() - 1);
  }
  uint32_t Add(const NodeRec& n) {
    nodes.push_back(n);
    return static_cast<uint32_t>(nodes.size() - 1);
  }
};

std::string_view DocKindName(DocKind k) {
  switch (k) {
    case DocKind::kNull:
      return "null";
    case DocKind::kBool:
      return "boolean";
    case DocKind::kInt:
    case DocKind::kDouble:
      return "number";
    case DocKind::kString:
      return "string";
    case DocKind::kArray:
      return "array";
    case DocKind::kObject:
      return "object";
  }
  return "null";
}

// ---- DocValue ---------------------------------------------------------------------

namespace {
const NodeRec& Rec(const DocumentImpl& impl, uint32_t i) { return impl.nodes[i]; }
}  // namespace

#define GH_IMPL (*doc_)

DocKind DocValue::kind() const { return doc_ ? Rec(GH_IMPL, idx_).kind : DocKind::kNull; }

bool DocValue::AsBool() const {
  if (!doc_) return false;
  const NodeRec& r = Rec(GH_IMPL, idx_);
  return r.kind == DocKind::kBool && r.v.b;
}

int64_t DocValue::AsInt() const {
  if (!doc_) return 0;
  const NodeRec& r = Rec(GH_IMPL, idx_);
  if (r.kind == DocKind::kInt) return r.v.i;
  if (r.kind == DocKind::kDouble) {
    if (!std::isfinite(r.v.d) || r.v.d >= 9.2e18 || r.v.d <= -9.2e18) return 0;
    return static_cast<int64_t>(r.v.d);
  }
  return 0;
}

double DocValue::AsDouble() const {
  if (!doc_) return 0;
  const NodeRec& r = Rec(GH_IMPL, idx_);
  if (r.kind == DocKind::kInt) return static_cast<double>(r.v.i);
  if (r.kind == DocKind::kDouble) return r.v.d;
  return 0;
}

std::string_view DocValue::AsString() const {
  if (!doc_) return {};
  const NodeRec& r = Rec(GH_IMPL, idx_);
  if (r.kind != DocKind::kString) return {};
  return GH_IMPL.strings[r.str];
}

namespace {
std::string FormatDouble(double d) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "+Inf" : "-Inf";
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, d);
  return std::string(buf, res.ptr);
}
}  // namespace

std::string DocValue::ScalarText() const {
  if (!doc_) return {};
  const NodeRec& r = Rec(GH_IMPL, idx_);
  switch (r.kind) {
    case DocKind::kNull:
      return "null";
    case DocKind::kBool:
      return r.v.b ? "true" : "false";
    case DocKind::kInt:
      return r.str != UINT32_MAX ? GH_IMPL.strings[r.str] : std::to_string(r.v.i);
    case DocKind::kDouble:
      return r.str != UINT32_MAX ? GH_IMPL.strings[r.str] : FormatDouble(r.v.d);
    case DocKind::kString:
      return GH_IMPL.strings[r.str];
    default:
      return {};
  }
}

bool DocValue::Quoted() const { return doc_ && Rec(GH_IMPL, idx_).quoted; }

size_t DocValue::size() const {
  if (!doc_) return 0;
  const NodeRec& r = Rec(GH_IMPL, idx_);
  return (r.kind == DocKind::kArray || r.kind == DocKind::kObject) ? r.count : 0;
}

DocValue DocValue::operator[](size_t i) const {
  if (!doc_) return {};
  const NodeRec& r = Rec(GH_IMPL, idx_);
  if (r.kind != DocKind::kArray || i >= r.count) return {};
  return DocValue(doc_, GH_IMPL.kids[r.first + i]);
}

std::string_view DocValue::KeyAt(size_t i) const {
  if (!doc_) return {};
  const NodeRec& r = Rec(GH_IMPL, idx_);
  if (r.kind != DocKind::kObject || i >= r.count) return {};
  return GH_IMPL.strings[GH_IMPL.members[r.first + i].key];
}

DocPos DocValue::KeyPosAt(size_t i) const {
  if (!doc_) return {};
  const NodeRec& r = Rec(GH_IMPL, idx_);
  if (r.kind != DocKind::kObject || i >= r.count) return {};
  return GH_IMPL.members[r.first + i].key_pos;
}

DocValue DocValue::ValueAt(size_t i) const {
  if (!doc_) return {};
  const NodeRec& r = Rec(GH_IMPL, idx_);
  if (r.kind != DocKind::kObject || i >= r.count) return {};
  return DocValue(doc_, GH_IMPL.members[r.first + i].value);
}

DocValue DocValue::Get(std::string_view key) const {
  if (!doc_) return {};
  const NodeRec& r = Rec(GH_IMPL, idx_);
  if (r.kind != DocKind::kObject) return {};
  for (uint32_t i = r.count; i-- > 0;) {  // last duplicate wins
    const MemberRec& m = GH_IMPL.members[r.first + i];
    if (GH_IMPL.strings[m.key] == key) return DocValue(doc_, m.value);
  }
  return {};
}

DocValue DocValue::Path(std::initializer_list<std::string_view> keys) const {
  DocValue v = *this;
  for (std::string_view k : keys) {
    v = v.Get(k);
    if (!v) break;
  }
  return v;
}

bool DocValue::BelongsTo(const Document& d) const { return doc_ && doc_ == d.impl_.get(); }

DocPos DocValue::pos() const { return doc_ ? Rec(GH_IMPL, idx_).pos : DocPos{}; }

namespace {

void ToJsonRec(const DocValue& v, std::string& out) {
  switch (v.kind()) {
    case DocKind::kNull:
      out += "null";
      return;
    case DocKind::kBool:
      out += v.AsBool() ? "true" : "false";
      return;
    case DocKind::kInt:
      out += std::to_string(v.AsInt());
      return;
    case DocKind::kDouble: {
      double d = v.AsDouble();
      out += std::isfinite(d) ? FormatDouble(d) : "null";  // JSON has no NaN/Inf
      return;
    }
    case DocKind::kString:
      AppendJsonString(out, v.AsString());
      return;
    case DocKind::kArray: {
      out += '[';
      for (size_t i = 0; i < v.size(); ++i) {
        if (i) out += ',';
        ToJsonRec(v[i], out);
      }
      out += ']';
      return;
    }
    case DocKind::kObject: {
      out += '{';
      // Duplicate keys collapse to the last value, kept at its first position.
      std::unordered_set<std::string_view> seen;
      bool first = true;
      for (size_t i = 0; i < v.size(); ++i) {
        std::string_view k = v.KeyAt(i);
        if (!seen.insert(k).second) continue;
        if (!first) out += ',';
        first = false;
        AppendJsonString(out, k);
        out += ':';
        ToJsonRec(v.Get(k), out);
      }
      out += '}';
      return;
    }
  }
}

}  // namespace

std::string DocValue::ToJson() const {
  std::string out;
  if (!doc_) return "null";
  ToJsonRec(*this, out);
  return out;
}

#undef GH_IMPL

// ---- Document ---------------------------------------------------------------------

Document::Document() : impl_(std::make_unique<Impl>()) {}
Document::Document(std::string path) : impl_(std::make_unique<Impl>()) {
  impl_->path = std::move(path);
}
Document::~Document() = default;
Document::Document(Document&&) noexcept = default;
Document& Document::operator=(Document&&) noexcept = default;

const std::string& Document::path() const { return impl_ ? impl_->path : kEmpty; }
DocValue Document::Root() const {
  return impl_ && impl_->has_root ? DocValue(impl_.get(), impl_->root) : DocValue();
}
void Document::SetRoot(DocValue v) {
  if (!v.BelongsTo(*this)) return;
  impl_->has_root = true;
  impl_->root = v.index();
}
int Document::index_in_file() const { return impl_->index_in_file; }
void Document::set_index_in_file(int i) { impl_->index_in_file = i; }

DocValue Document::AddNull(DocPos pos) {
  NodeRec r;
  r.pos = pos;
  return DocValue(impl_.get(), impl_->Add(r));
}

DocValue Document::AddBool(bool b, DocPos pos) {
  NodeRec r;
  r.kind = DocKind::kBool;
  r.pos = pos;
  r.v.b = b;
  return DocValue(impl_.get(), impl_->Add(r));
}

DocValue Document::AddInt(int64_t i, DocPos pos, std::string_view spelling) {
  NodeRec r;
  r.kind = DocKind::kInt;
  r.pos = pos;
  r.v.i = i;
  if (!spelling.empty()) r.str = impl_->AddString(std::string(spelling));
  return DocValue(impl_.get(), impl_->Add(r));
}

DocValue Document::AddDouble(double d, DocPos pos, std::string_view spelling) {
  NodeRec r;
  r.kind = DocKind::kDouble;
  r.pos = pos;
  r.v.d = d;
  if (!spelling.empty()) r.str = impl_->AddString(std::string(spelling));
  return DocValue(impl_.get(), impl_->Add(r));
}

DocValue Document::AddString(std::string s, DocPos pos, bool quoted) {
  NodeRec r;
  r.kind = DocKind::kString;
  r.pos = pos;
  r.quoted = quoted;
  r.str = impl_->AddString(std::move(s));
  return DocValue(impl_.get(), impl_->Add(r));
}

DocValue Document::AddArray(const std::vector<DocValue>& items, DocPos pos) {
  NodeRec r;
  r.kind = DocKind::kArray;
  r.pos = pos;
  r.first = static_cast<uint32_t>(impl_->kids.size());
  r.count = static_cast<uint32_t>(items.size());
  for (const DocValue& v : items) impl_->kids.push_back(v.index());
  return DocValue(impl_.get(), impl_->Add(r));
}

DocValue Document::AddObject(std::vector<Member> members, DocPos pos) {
  NodeRec r;
  r.kind = DocKind::kObject;
  r.pos = pos;
  r.first = static_cast<uint32_t>(impl_->members.size());
  r.count = static_cast<uint32_t>(members.size());
  for (Member& m : members) {
    uint32_t k = impl_->AddString(std::move(m.key));
    impl_->members.push_back(MemberRec{k, m.key_pos, m.value.index()});
  }
  return DocValue(impl_.get(), impl_->Add(r));
}

DocValue Document::Import(DocValue v) {
  switch (v.kind()) {
    case DocKind::kNull:
      return AddNull(v.pos());
    case DocKind::kBool:
      return AddBool(v.AsBool(), v.pos());
    case DocKind::kInt:
      return AddInt(v.AsInt(), v.pos());
    case DocKind::kDouble:
      return AddDouble(v.AsDouble(), v.pos());
    case DocKind::kString:
      return AddString(std::string(v.AsString()), v.pos(), v.Quoted());
    case DocKind::kArray: {
      std::vector<DocValue> items;
      items.reserve(v.size());
      for (size_t i = 0; i < v.size(); ++i) items.push_back(Import(v[i]));
      return AddArray(items, v.pos());
    }
    case DocKind::kObject: {
      std::vector<Member> ms;
      ms.reserve(v.size());
      for (size_t i = 0; i < v.size(); ++i)
        ms.push_back(Member{std::string(v.KeyAt(i)), v.KeyPosAt(i), Import(v.ValueAt(i))});
      return AddObject(std::move(ms), v.pos());
    }
  }
  return AddNull();
}

// ---- JSON ---------------------------------------------------------------------------

namespace {

class JsonParser {
 public:
  JsonParser(std::string_view text, Document* doc) : s_(text), doc_(doc) {}

  Result<DocValue> Run() {
    SkipWs();
    if (p_ >= s_.size()) return Fail("expected a JSON value, found end of input");
    DocValue v;
    if (!Value(0, &v)) return err_;
    SkipWs();
    if (p_ < s_.size()) return Fail("expected end of input after the JSON value");
    return v;
  }

 private:
  DocPos Pos() const { return DocPos{line_, static_cast<uint32_t>(p_ - line_start_ + 1)}; }

  Error Fail(std::string msg) {
    DocPos pos = Pos();
    err_ = MakeError(ErrorCode::kParse, std::move(msg), doc_->path(), pos.line, pos.column);
    return err_;
  }
  bool FailB(std::string msg) {
    Fail(std::move(msg));
    return false;
  }

  void SkipWs() {
    while (p_ < s_.size()) {
      char c = s_[p_];
      if (c == '\n') {
        ++p_;
        ++line_;
        line_start_ = p_;
      } else if (c == ' ' || c == '\t' || c == '\r') {
        ++p_;
      } else {
        break;
      }
    }
  }

  static std::string Found(std::string_view s, size_t p) {
    if (p >= s.size()) return "end of input";
    unsigned char c = s[p];
    if (c >= 0x20 && c < 0x7f) return std::string("'") + static_cast<char>(c) + "'";
    char buf[16];
    std::snprintf(buf, sizeof buf, "byte 0x%02x", c);
    return buf;
  }

  bool Value(int depth, DocValue* out) {
    if (depth > kMaxDocDepth)
      return FailB("JSON nests deeper than " + std::to_string(kMaxDocDepth) + " levels");
    DocPos pos = Pos();
    if (p_ >= s_.size()) return FailB("expected a JSON value, found end of input");
    char c = s_[p_];
    if (c == '{') return Object(depth, out);
    if (c == '[') return Array(depth, out);
    if (c == '"') {
      std::string str;
      if (!String(&str)) return false;
      *out = doc_->AddString(std::move(str), pos, true);
      return true;
    }
    if (c == '-' || (c >= '0' && c <= '9')) return Number(out);
    if (s_.substr(p_, 4) == "true") {
      p_ += 4;
      *out = doc_->AddBool(true, pos);
      return true;
    }
    if (s_.substr(p_, 5) == "false") {
      p_ += 5;
      *out = doc_->AddBool(false, pos);
      return true;
    }
    if (s_.substr(p_, 4) == "null") {
      p_ += 4;
      *out = doc_->AddNull(pos);
      return true;
    }
    return FailB("expected a JSON value, found " + Found(s_, p_));
  }

  bool Object(int depth, DocValue* out) {
    DocPos pos = Pos();
    ++p_;  // {
    std::vector<Document::Member> members;
    SkipWs();
    if (p_ < s_.size() && s_[p_] == '}') {
      ++p_;
      *out = doc_->AddObject(std::move(members), pos);
      return true;
    }
    while (true) {
      SkipWs();
      if (p_ >= s_.size() || s_[p_] != '"')
        return FailB("expected a string key in object, found " + Found(s_, p_));
      Document::Member m;
      m.key_pos = Pos();
      if (!String(&m.key)) return false;
      SkipWs();
      if (p_ >= s_.size() || s_[p_] != ':')
        return FailB("expected ':' after object key, found " + Found(s_, p_));
      ++p_;
      SkipWs();
      if (!Value(depth + 1, &m.value)) return false;
      members.push_back(std::move(m));
      SkipWs();
      if (p_ < s_.size() && s_[p_] == ',') {
        ++p_;
        continue;
      }
      if (p_ < s_.size() && s_[p_] == '}') {
        ++p_;
        break;
      }
      return FailB("expected ',' or '}' in object, found " + Found(s_, p_));
    }
    *out = doc_->AddObject(std::move(members), pos);
    return true;
  }

  bool Array(int depth, DocValue* out) {
    DocPos pos = Pos();
    ++p_;  // [
    std::vector<DocValue> items;
    SkipWs();
    if (p_ < s_.size() && s_[p_] == ']') {
      ++p_;
      *out = doc_->AddArray(items, pos);
      return true;
    }
    while (true) {
      SkipWs();
      DocValue v;
      if (!Value(depth + 1, &v)) return false;
      items.push_back(v);
      SkipWs();
      if (p_ < s_.size() && s_[p_] == ',') {
        ++p_;
        continue;
      }
      if (p_ < s_.size() && s_[p_] == ']') {
        ++p_;
        break;
      }
      return FailB("expected ',' or ']' in array, found " + Found(s_, p_));
    }
    *out = doc_->AddArray(items, pos);
    return true;
  }

  bool Hex4(uint32_t* cp) {
    if (p_ + 4 > s_.size()) return FailB("truncated \\u escape");
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) {
      char c = s_[p_ + i];
      v <<= 4;
      if (c >= '0' && c <= '9')
        v |= c - '0';
      else if (c >= 'a' && c <= 'f')
        v |= c - 'a' + 10;
      else if (c >= 'A' && c <= 'F')
        v |= c - 'A' + 10;
      else
        return FailB("invalid hex digit in \\u escape");
    }
    p_ += 4;
    *cp = v;
    return true;
  }

  bool String(std::string* out) {
    ++p_;  // opening quote
    size_t run = p_;
    while (true) {
      if (p_ >= s_.size()) return FailB("unterminated string");
      unsigned char c = s_[p_];
      if (c == '"') {
        out->append(s_.substr(run, p_ - run));
        ++p_;
        return true;
      }
      if (c < 0x20) return FailB("control character in string (escape it)");
      if (c != '\\') {
        ++p_;
        continue;
      }
      out->append(s_.substr(run, p_ - run));
      ++p_;
      if (p_ >= s_.size()) return FailB("unterminated escape in string");
      char e = s_[p_++];
      switch (e) {
        case '"':
          *out += '"';
          break;
        case '\\':
          *out += '\\';
          break;
        case '/':
          *out += '/';
          break;
        case 'b':
          *out += '\b';
          break;
        case 'f':
          *out += '\f';
          break;
        case 'n':
          *out += '\n';
          break;
        case 'r':
          *out += '\r';
          break;
        case 't':
          *out += '\t';
          break;
        case 'u': {
          uint32_t cp = 0;
          if (!Hex4(&cp)) return false;
          if (cp >= 0xD800 && cp <= 0xDBFF && p_ + 1 < s_.size() && s_[p_] == '\\' &&
              s_[p_ + 1] == 'u') {
            size_t save = p_;
            p_ += 2;
            uint32_t lo = 0;
            if (!Hex4(&lo)) return false;
            if (lo >= 0xDC00 && lo <= 0xDFFF) {
              cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            } else {
              p_ = save;
              cp = 0xFFFD;
            }
          } else if (cp >= 0xD800 && cp <= 0xDFFF) {
            cp = 0xFFFD;  // lone surrogate
          }
          AppendUtf8(*out, cp);
          break;
        }
        default:
          --p_;
          return FailB(std::string("invalid escape '\\") + e + "' in string");
      }
      run = p_;
    }
  }

  bool Number(DocValue* out) {
    DocPos pos = Pos();
    size_t start = p_;
    bool is_float = false;
    if (s_[p_] == '-') ++p_;
    if (p_ >= s_.size() || !(s_[p_] >= '0' && s_[p_] <= '9'))
      return FailB("expected a digit in number");
    if (s_[p_] == '0') {
      ++p_;
    } else {
      while (p_ < s_.size() && s_[p_] >= '0' && s_[p_] <= '9') ++p_;
    }
    if (p_ < s_.size() && s_[p_] == '.') {
      is_float = true;
      ++p_;
      if (p_ >= s_.size() || !(s_[p_] >= '0' && s_[p_] <= '9'))
        return FailB("expected a digit after '.' in number");
      while (p_ < s_.size() && s_[p_] >= '0' && s_[p_] <= '9') ++p_;
    }
    if (p_ < s_.size() && (s_[p_] == 'e' || s_[p_] == 'E')) {
      is_float = true;
      ++p_;
      if (p_ < s_.size() && (s_[p_] == '+' || s_[p_] == '-')) ++p_;
      if (p_ >= s_.size() || !(s_[p_] >= '0' && s_[p_] <= '9'))
        return FailB("expected a digit in number exponent");
      while (p_ < s_.size() && s_[p_] >= '0' && s_[p_] <= '9') ++p_;
    }
    std::string_view text = s_.substr(start, p_ - start);
    if (!is_float) {
      int64_t i;
      auto res = std::from_chars(text.data(), text.data() + text.size(), i);
      if (res.ec == std::errc() && res.ptr == text.data() + text.size()) {
        *out = doc_->AddInt(i, pos, text);
        return true;
      }
    }
    double d = std::strtod(std::string(text).c_str(), nullptr);
    *out = doc_->AddDouble(d, pos, text);
    return true;
  }

  std::string_view s_;
  Document* doc_;
  size_t p_ = 0;
  uint32_t line_ = 1;
  size_t line_start_ = 0;
  Error err_;
};

}  // namespace

Result<Document> ParseJsonDocument(std::string_view text, std::string path) {
  Document doc(std::move(path));
  // A UTF-8 byte order mark is tolerated (as most JSON readers do).
  size_t skip = text.substr(0, 3) == "\xEF\xBB\xBF" ? 3 : 0;
  JsonParser p(text.substr(skip), &doc);
  Result<DocValue> r = p.Run();
  if (!r.ok()) return r.error();
  doc.SetRoot(r.value());
  return doc;
}

// ---- YAML -------------------------------------------------------------------------

namespace {

bool AllDigits(std::string_view s, int base) {
  if (s.empty()) return false;
  for (char c : s) {
    bool ok = base == 16  ? std::isxdigit(static_cast<unsigned char>(c))
              : base == 8 ? (c >= '0' && c <= '7')
                          : (c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

// YAML 1.2 core schema (§10.3.2) for a plain scalar.
DocValue ResolvePlain(Document* doc, const std::string& s, DocPos pos) {
  if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") return doc->AddNull(pos);
  if (s == "true" || s == "True" || s == "TRUE") return doc->AddBool(true, pos);
  if (s == "false" || s == "False" || s == "FALSE") return doc->AddBool(false, pos);
  std::string_view v = s;
  auto as_int = [&](std::string_view digits, int base, bool neg) -> DocValue {
    uint64_t u = 0;
    auto res = std::from_chars(digits.data(), digits.data() + digits.size(), u, base);
    if (res.ec == std::errc() && res.ptr == digits.data() + digits.size() &&
        u <= (neg ? (1ull << 63) : static_cast<uint64_t>(INT64_MAX))) {
      int64_t i = neg ? static_cast<int64_t>(0 - u) : static_cast<int64_t>(u);
      return doc->AddInt(i, pos, s);
    }
    return doc->AddDouble(std::strtod(s.c_str(), nullptr), pos, s);
  };
  if (v.size() > 2 && v[0] == '0' && v[1] == 'x' && AllDigits(v.substr(2), 16))
    return as_int(v.substr(2), 16, false);
  if (v.size() > 2 && v[0] == '0' && v[1] == 'o' && AllDigits(v.substr(2), 8))
    return as_int(v.substr(2), 8, false);
  {
    bool neg = v[0] == '-';
    std::string_view d = (v[0] == '-' || v[0] == '+') ? v.substr(1) : v;
    if (AllDigits(d, 10)) return as_int(d, 10, neg);
  }
  {
    std::string_view t = (v[0] == '-' || v[0] == '+') ? v.substr(1) : v;
    if (t == ".inf" || t == ".Inf" || t == ".INF")
      return doc->AddDouble(v[0] == '-' ? -HUGE_VAL : HUGE_VAL, pos, s);
    if (v == ".nan" || v == ".NaN" || v == ".NAN") return doc->AddDouble(NAN, pos, s);
    // [-+]? ( \. [0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )?
    size_t i = 0, n = t.size();
    size_t int_digits = 0, frac_digits = 0;
    while (i < n && std::isdigit(static_cast<unsigned char>(t[i]))) ++i, ++int_digits;
    bool dot = false;
    if (i < n && t[i] == '.') {
      dot = true;
      ++i;
      while (i < n && std::isdigit(static_cast<unsigned char>(t[i]))) ++i, ++frac_digits;
    }
    bool ok = int_digits > 0 || (dot && frac_digits > 0);
    if (ok && i < n && (t[i] == 'e' || t[i] == 'E')) {
      ++i;
      if (i < n && (t[i] == '+' || t[i] == '-')) ++i;
      size_t e = 0;
      while (i < n && std::isdigit(static_cast<unsigned char>(t[i]))) ++i, ++e;
      ok = e > 0;
    }
    if (ok && i == n && (dot || t.find_first_of("eE") != std::string_view::npos))
      return doc->AddDouble(std::strtod(s.c_str(), nullptr), pos, s);
  }
  return doc->AddString(s, pos, false);
}

class YamlConverter {
 public:
  YamlConverter(Document* doc, uint32_t line_offset, size_t budget)
      : doc_(doc), off_(line_offset), budget_(budget) {}

  bool Convert(const ci::Node& n, DocValue* out, int depth = 0) {
    if (depth > kMaxDocDepth || budget_ == 0) return false;
    --budget_;
    ci::YamlMark m = n.Mark();
    DocPos pos = m.line >= 0 ? DocPos{static_cast<uint32_t>(m.line) + off_ + 1,
                                      static_cast<uint32_t>(m.column) + 1}
                             : DocPos{};
    if (n.IsScalar()) {
      if (n.Tag() == "?")
        *out = ResolvePlain(doc_, n.Scalar(), pos);
      else
        *out = doc_->AddString(n.Scalar(), pos, true);
      return true;
    }
    if (n.IsSequence()) {
      std::vector<DocValue> items;
      items.reserve(n.size());
      for (auto e : n) {
        DocValue v;
        if (!Convert(e, &v, depth + 1)) return false;
        items.push_back(v);
      }
      *out = doc_->AddArray(items, pos);
      return true;
    }
    if (n.IsMap()) {
      std::vector<Document::Member> members;
      std::vector<Document::Member> merged;  // from << merge keys
      for (auto e : n) {
        ci::YamlMark km = e.first.Mark();
        DocPos kpos = km.line >= 0 ? DocPos{static_cast<uint32_t>(km.line) + off_ + 1,
                                            static_cast<uint32_t>(km.column) + 1}
                                   : DocPos{};
        if (e.first.IsScalar() && e.first.Tag() == "?" && e.first.Scalar() == "<<" &&
            (e.second.IsMap() || e.second.IsSequence())) {
          // Merge key (yaml.org/type/merge): earlier sources win over later.
          std::vector<ci::Node> sources;
          if (e.second.IsMap()) {
            sources.push_back(e.second);
          } else {
            for (auto s : e.second) sources.push_back(s);
          }
          for (const ci::Node& src : sources) {
            if (!src.IsMap()) continue;
            for (auto me : src) {
              Document::Member mm;
              mm.key = KeyText(me.first);
              ci::YamlMark mk = me.first.Mark();
              mm.key_pos = mk.line >= 0 ? DocPos{static_cast<uint32_t>(mk.line) + off_ + 1,
                                                 static_cast<uint32_t>(mk.column) + 1}
                                        : DocPos{};
              bool dup = false;
              for (const auto& x : merged) dup = dup || x.key == mm.key;
              if (dup) continue;
              if (!Convert(me.second, &mm.value, depth + 1)) return false;
              merged.push_back(std::move(mm));
            }
          }
          continue;
        }
        Document::Member mem;
        mem.key = KeyText(e.first);
        mem.key_pos = kpos;
        if (!Convert(e.second, &mem.value, depth + 1)) return false;
        members.push_back(std::move(mem));
      }
      for (auto& mm : merged) {
        bool present = false;
        for (const auto& x : members) present = present || x.key == mm.key;
        if (!present) members.push_back(std::move(mm));
      }
      *out = doc_->AddObject(std::move(members), pos);
      return true;
    }
    *out = doc_->AddNull(pos);
    return true;
  }

 private:
  // Keys are strings; a complex (collection) key is rendered as its scalar
  // text or as "" (Kubernetes and friends never use them).
  static std::string KeyText(const ci::Node& k) {
    if (k.IsScalar()) return k.Scalar();
    if (!k.IsDefined() || k.IsNull()) return "null";
    return "";
  }

  Document* doc_;
  uint32_t off_;
  size_t budget_;
};

bool IsMarkerLine(std::string_view line, std::string_view marker) {
  if (line.substr(0, 3) != marker) return false;
  return line.size() == 3 || line[3] == ' ' || line[3] == '\t' || line[3] == '\r' ||
         line[3] == '\n';
}

// True when the piece holds nothing but blank lines, comments, directives
// and document markers.
bool BlankPiece(std::string_view piece) {
  size_t p = 0;
  while (p < piece.size()) {
    size_t e = piece.find('\n', p);
    if (e == std::string_view::npos) e = piece.size();
    std::string_view line = piece.substr(p, e - p);
    size_t i = line.find_first_not_of(" \t\r");
    if (i != std::string_view::npos && line[i] != '#' && line[0] != '%') {
      if (IsMarkerLine(line, "---") || IsMarkerLine(line, "...")) {
        std::string_view rest = line.substr(3);
        size_t j = rest.find_first_not_of(" \t\r");
        if (j != std::string_view::npos && rest[j] != '#') return false;
      } else {
        return false;
      }
    }
    p = e + 1;
  }
  return true;
}

}  // namespace

YamlStream ParseYamlStream(std::string_view text, std::string path) {
  YamlStream out;
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  // Split into pieces: a piece starts at a `---` line (kept, it may carry
  // content such as `--- |`) and ends before the next `---`; a `...` line
  // ends the current piece (and is dropped).
  struct Piece {
    size_t begin, end;
    uint32_t first_line;  // 0-based
  };
  std::vector<Piece> pieces;
  size_t begin = 0;
  uint32_t begin_line = 0;
  size_t p = 0;
  uint32_t line = 0;
  bool after_end = false;  // after `...`: skip until the next `---`
  while (p < text.size()) {
    size_t e = text.find('\n', p);
    size_t next = e == std::string_view::npos ? text.size() : e + 1;
    std::string_view l = text.substr(p, next - p);
    if (IsMarkerLine(l, "---")) {
      if (!after_end && p > begin) pieces.push_back({begin, p, begin_line});
      begin = p;
      begin_line = line;
      after_end = false;
    } else if (IsMarkerLine(l, "...")) {
      if (!after_end) pieces.push_back({begin, p, begin_line});
      after_end = true;
      begin = next;
      begin_line = line + 1;
    }
    p = next;
    ++line;
  }
  if (!after_end && begin < text.size()) pieces.push_back({begin, text.size(), begin_line});

  int index = 0;
  for (const Piece& pc : pieces) {
    std::string_view piece = text.substr(pc.begin, pc.end - pc.begin);
    if (BlankPiece(piece)) continue;
    ci::YamlParse parsed = ci::ParseYaml(piece);
    if (!parsed.doc) {
      int l = parsed.error_mark.line >= 0
                  ? parsed.error_mark.line + 1 + static_cast<int>(pc.first_line)
                  : static_cast<int>(pc.first_line) + 1;
      int c = parsed.error_mark.column >= 0 ? parsed.error_mark.column + 1 : 0;
      out.errors.push_back(MakeError(
          ErrorCode::kParse, parsed.error.empty() ? "invalid YAML" : parsed.error, path, l, c));
      ++index;
      continue;
    }
    if (!parsed.root.IsDefined() || (parsed.root.IsNull() && !parsed.root.IsScalar())) {
      ++index;
      continue;  // an empty document
    }
    Document doc(path);
    doc.set_index_in_file(index++);
    YamlConverter conv(&doc, pc.first_line, 16 * piece.size() + 4096);
    DocValue root;
    if (!conv.Convert(parsed.root, &root)) {
      ci::YamlMark m = parsed.root.Mark();
      out.errors.push_back(
          MakeError(ErrorCode::kParse,
                    "document nests deeper than " + std::to_string(kMaxDocDepth) +
                        " levels or expands (through aliases) beyond its size limit",
                    path, static_cast<int>(pc.first_line) + (m.line >= 0 ? m.line : 0) + 1, 0));
      continue;
    }
    doc.SetRoot(root);
    out.documents.push_back(std::move(doc));
  }
  return out;
}

// ---- TOML -------------------------------------------------------------------------

namespace {

DocPos TomlPos(const toml::node& n) {
  const auto& b = n.source().begin;
  return DocPos{static_cast<uint32_t>(b.line), static_cast<uint32_t>(b.column)};
}

DocValue ConvertToml(Document* doc, const toml::node& n, int depth) {
  DocPos pos = TomlPos(n);
  if (depth > kMaxDocDepth) return doc->AddNull(pos);
  if (const auto* t = n.as_table()) {
    std::vector<Document::Member> ms;
    for (const auto& [k, v] : *t) {
      const auto& kb = k.source().begin;
      ms.push_back(
          Document::Member{std::string(k.str()),
                           DocPos{static_cast<uint32_t>(kb.line), static_cast<uint32_t>(kb.column)},
                           ConvertToml(doc, v, depth + 1)});
    }
    return doc->AddObject(std::move(ms), pos);
  }
  if (const auto* a = n.as_array()) {
    std::vector<DocValue> items;
    for (const auto& v : *a) items.push_back(ConvertToml(doc, v, depth + 1));
    return doc->AddArray(items, pos);
  }
  if (const auto* s = n.as_string()) return doc->AddString(s->get(), pos, true);
  if (const auto* i = n.as_integer()) return doc->AddInt(i->get(), pos);
  if (const auto* f = n.as_floating_point()) return doc->AddDouble(f->get(), pos);
  if (const auto* b = n.as_boolean()) return doc->AddBool(b->get(), pos);
  std::ostringstream os;
  if (const auto* d = n.as_date())
    os << d->get();
  else if (const auto* tm = n.as_time())
    os << tm->get();
  else if (const auto* dt = n.as_date_time())
    os << dt->get();
  return doc->AddString(os.str(), pos, true);
}

}  // namespace

Result<Document> ParseTomlDocument(std::string_view text, std::string path) {
  try {
    toml::table t = toml::parse(text, path);
    Document doc(std::move(path));
    doc.SetRoot(ConvertToml(&doc, t, 0));
    return doc;
  } catch (const toml::parse_error& e) {
    const auto& b = e.source().begin;
    return MakeError(ErrorCode::kParse, std::string(e.description()), path,
                     static_cast<int>(b.line), static_cast<int>(b.column));
  }
}

}  // namespace gatehouse
