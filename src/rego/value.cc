// rego::Value implementation: shared immutable nodes, OPA ordering, JSON.
#include "rego/value.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <functional>
#include <new>
#include <unordered_map>

#include "gatehouse/base.h"

namespace gatehouse::rego {

// ValueFactory: the only code that builds nodes. A node is one allocation:
// the detail::Node header followed by the payload.
class ValueFactory {
 public:
  static detail::Node* Alloc(size_t payload_bytes, size_t size) {
    void* mem = ::operator new(sizeof(detail::Node) + payload_bytes);
    auto* n = new (mem) detail::Node;
    n->size = size;
    return n;
  }
  static Value* Values(detail::Node* n) { return reinterpret_cast<Value*>(n + 1); }
  static ObjectItem* Items(detail::Node* n) { return reinterpret_cast<ObjectItem*>(n + 1); }

  static Value MakeString(std::string_view s) {
    Value v;
    v.kind_ = Kind::kString;
    if (s.size() <= Value::kInlineStringMax) {
      v.tag_ = static_cast<uint8_t>(s.size());
      if (!s.empty()) std::memcpy(v.InlineChars(), s.data(), s.size());
      return v;
    }
    detail::Node* n = Alloc(s.size(), s.size());
    std::memcpy(reinterpret_cast<char*>(n + 1), s.data(), s.size());
    return Value(n, Kind::kString);
  }
  // Moves items [first, first + n) into a new array or set node.
  static Value MakeSeq(Kind k, Value* first, size_t n) {
    if (n == 0) return k == Kind::kSet ? Value::EmptySet() : Value::EmptyArray();
    detail::Node* node = Alloc(n * sizeof(Value), n);
    Value* out = Values(node);
    for (size_t i = 0; i < n; ++i) new (out + i) Value(std::move(first[i]));
    return Value(node, k);
  }
  // Moves items (sorted, unique keys) into a new object node.
  static Value MakeObject(ObjectItem* first, size_t n) {
    if (n == 0) return Value::EmptyObject();
    detail::Node* node = Alloc(n * sizeof(ObjectItem), n);
    ObjectItem* out = Items(node);
    for (size_t i = 0; i < n; ++i) new (out + i) ObjectItem(std::move(first[i]));
    return Value(node, Kind::kObject);
  }
  static Value MakeEmpty(Kind k) { return Value(Alloc(0, 0), k); }

  static void Destroy(detail::Node* n, Kind k) {
    if (k == Kind::kArray || k == Kind::kSet) {
      Value* v = Values(n);
      for (size_t i = 0; i < n->size; ++i) v[i].~Value();
    } else if (k == Kind::kObject) {
      ObjectItem* it = Items(n);
      for (size_t i = 0; i < n->size; ++i) it[i].~ObjectItem();
    }
    n->~Node();
    ::operator delete(static_cast<void*>(n));
  }
};

namespace {
// Bytewise three-way comparison (<0, 0, >0). Most comparisons in key lookups
// differ in the first byte, so that is tested before calling memcmp.
inline int CompareBytes(std::string_view a, std::string_view b) {
  size_t n = std::min(a.size(), b.size());
  if (n > 0 && a[0] != b[0]) {
    return static_cast<unsigned char>(a[0]) < static_cast<unsigned char>(b[0]) ? -1 : 1;
  }
  int c = n > 0 ? std::memcmp(a.data(), b.data(), n) : 0;
  if (c != 0) return c;
  return a.size() < b.size() ? -1 : (a.size() > b.size() ? 1 : 0);
}

// Sorts object items by key (stable: among equal keys the last inserted stays
// last) and keeps the last of each run of equal keys. Returns the new count.
size_t SortObjectItems(ObjectItem* items, size_t n) {
  auto less = [](const ObjectItem& a, const ObjectItem& b) {
    return Value::Compare(a.first, b.first) < 0;
  };
  if (n < 2) return n;
  if (n <= 16) {
    for (size_t i = 1; i < n; ++i) {  // insertion sort: stable, no allocation
      if (!less(items[i], items[i - 1])) continue;
      ObjectItem tmp = std::move(items[i]);
      size_t j = i;
      do {
        items[j] = std::move(items[j - 1]);
        --j;
      } while (j > 0 && less(tmp, items[j - 1]));
      items[j] = std::move(tmp);
    }
  } else {
    std::stable_sort(items, items + n, less);
  }
  size_t w = 0;
  for (size_t r = 0; r < n; ++r) {
    if (w > 0 && Value::Compare(items[w - 1].first, items[r].first) == 0) {
      items[w - 1].second = std::move(items[r].second);
    } else {
      if (w != r) items[w] = std::move(items[r]);
      ++w;
    }
  }
  return w;
}
}  // namespace

std::string_view KindName(Kind k) {
  switch (k) {
    case Kind::kNull:
      return "null";
    case Kind::kBool:
      return "boolean";
    case Kind::kNumber:
      return "number";
    case Kind::kString:
      return "string";
    case Kind::kArray:
      return "array";
    case Kind::kObject:
      return "object";
    case Kind::kSet:
      return "set";
  }
  return "unknown";
}

void Value::Destroy(detail::Node* n, Kind k) noexcept { ValueFactory::Destroy(n, k); }

Value Value::Bool(bool b) {
  Value v;
  v.kind_ = Kind::kBool;
  v.i_ = 0;
  v.b_ = b;
  return v;
}

Value Value::Int(int64_t i) {
  Value v;
  v.kind_ = Kind::kNumber;
  v.tag_ = 1;
  v.i_ = i;
  return v;
}

Value Value::Number(double d) {
  if (std::isfinite(d) && d == std::trunc(d) && d >= -9.2233720368547758e18 &&
      d < 9.2233720368547758e18) {
    return Int(static_cast<int64_t>(d));
  }
  Value v;
  v.kind_ = Kind::kNumber;
  v.tag_ = 0;
  v.d_ = d;
  return v;
}

Value Value::String(std::string_view s) { return ValueFactory::MakeString(s); }

Value Value::Array(std::vector<Value> items) {
  return ValueFactory::MakeSeq(Kind::kArray, items.data(), items.size());
}

Value Value::Set(std::vector<Value> items) {
  std::sort(items.begin(), items.end(), ValueLess());
  items.erase(std::unique(items.begin(), items.end(),
                          [](const Value& a, const Value& b) { return Compare(a, b) == 0; }),
              items.end());
  return ValueFactory::MakeSeq(Kind::kSet, items.data(), items.size());
}

Value Value::Object(std::vector<ObjectItem> items) {
  size_t n = SortObjectItems(items.data(), items.size());
  return ValueFactory::MakeObject(items.data(), n);
}

// Shared empty collections: one node each for the whole process.
Value Value::EmptyArray() {
  static const Value kEmpty = ValueFactory::MakeEmpty(Kind::kArray);
  return kEmpty;
}
Value Value::EmptyObject() {
  static const Value kEmpty = ValueFactory::MakeEmpty(Kind::kObject);
  return kEmpty;
}
Value Value::EmptySet() {
  static const Value kEmpty = ValueFactory::MakeEmpty(Kind::kSet);
  return kEmpty;
}

int64_t Value::AsInt() const {
  if (kind_ != Kind::kNumber) return 0;
  if (tag_ == 1) return i_;
  if (!std::isfinite(d_)) return 0;
  if (d_ >= 9.2233720368547758e18) return INT64_MAX;
  if (d_ <= -9.2233720368547758e18) return INT64_MIN;
  return static_cast<int64_t>(d_);
}

double Value::AsDouble() const {
  if (kind_ != Kind::kNumber) return 0;
  return tag_ == 1 ? static_cast<double>(i_) : d_;
}

bool Value::GetInt(int64_t* out) const {
  if (kind_ != Kind::kNumber) return false;
  if (tag_ == 1) {
    *out = i_;
    return true;
  }
  return false;  // Number() normalizes integral doubles that fit to ints
}

std::span<const ObjectItem> Value::ObjectItems() const {
  if (kind_ != Kind::kObject) return {};
  return {ValueFactory::Items(p_), static_cast<size_t>(p_->size)};
}

const Value* Value::Find(const Value& key) const {
  if (kind_ != Kind::kObject) return nullptr;
  if (key.IsString()) return Find(key.AsString());
  auto items = ObjectItems();
  auto it =
      std::lower_bound(items.begin(), items.end(), key,
                       [](const ObjectItem& a, const Value& k) { return Compare(a.first, k) < 0; });
  if (it != items.end() && Compare(it->first, key) == 0) return &it->second;
  return nullptr;
}

const Value* Value::Find(std::string_view key) const {
  if (kind_ != Kind::kObject) return nullptr;
  auto items = ObjectItems();
  // Strings sort after null/bool/number keys and before collections.
  size_t lo = 0, hi = items.size();
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    const Value& k = items[mid].first;
    int c;
    if (k.kind_ < Kind::kString) {
      c = -1;
    } else if (k.kind_ > Kind::kString) {
      c = 1;
    } else {
      c = CompareBytes(k.AsString(), key);
    }
    if (c < 0) {
      lo = mid + 1;
    } else if (c > 0) {
      hi = mid;
    } else {
      return &items[mid].second;
    }
  }
  return nullptr;
}

bool Value::Contains(const Value& elem) const {
  if (kind_ != Kind::kSet) return false;
  auto items = Items();
  return std::binary_search(items.begin(), items.end(), elem, ValueLess());
}

const Value* Value::Get(const Value& key) const {
  switch (kind_) {
    case Kind::kObject:
      return Find(key);
    case Kind::kArray: {
      int64_t i;
      if (!key.GetInt(&i)) return nullptr;
      auto items = Items();
      if (i < 0 || static_cast<uint64_t>(i) >= items.size()) return nullptr;
      return &items[static_cast<size_t>(i)];
    }
    case Kind::kSet: {
      auto items = Items();
      auto it = std::lower_bound(items.begin(), items.end(), key, ValueLess());
      if (it != items.end() && Compare(*it, key) == 0) return &*it;
      return nullptr;
    }
    default:
      return nullptr;
  }
}

namespace {
int CompareNumbers(const Value& a, const Value& b) {
  int64_t x, y;
  if (a.GetInt(&x) && b.GetInt(&y)) return x < y ? -1 : (x > y ? 1 : 0);
  double dx = a.AsDouble(), dy = b.AsDouble();
  if (dx < dy) return -1;
  if (dx > dy) return 1;
  // Equal as doubles; disambiguate int vs. double at large magnitudes.
  if (a.IsInt() && !b.IsInt()) {
    long double lx = static_cast<long double>(a.AsInt());
    long double ly = static_cast<long double>(b.AsDouble());
    return lx < ly ? -1 : (lx > ly ? 1 : 0);
  }
  if (!a.IsInt() && b.IsInt()) return -CompareNumbers(b, a);
  return 0;
}
}  // namespace

int Value::Compare(const Value& a, const Value& b) {
  if (a.kind_ != b.kind_) return a.kind_ < b.kind_ ? -1 : 1;
  switch (a.kind_) {
    case Kind::kNull:
      return 0;
    case Kind::kBool:
      return a.b_ == b.b_ ? 0 : (a.b_ ? 1 : -1);
    case Kind::kNumber:
      return CompareNumbers(a, b);
    case Kind::kString: {
      if (a.IsHeap() && b.IsHeap() && a.p_ == b.p_) return 0;
      int c = CompareBytes(a.AsString(), b.AsString());
      return c < 0 ? -1 : (c > 0 ? 1 : 0);
    }
    case Kind::kArray:
    case Kind::kSet: {
      if (a.p_ == b.p_) return 0;
      auto x = a.Items();
      auto y = b.Items();
      size_t n = std::min(x.size(), y.size());
      for (size_t i = 0; i < n; ++i) {
        int c = Compare(x[i], y[i]);
        if (c != 0) return c;
      }
      return x.size() < y.size() ? -1 : (x.size() > y.size() ? 1 : 0);
    }
    case Kind::kObject: {
      if (a.p_ == b.p_) return 0;
      // OPA: compare sorted keys pairwise, then values pairwise, then size.
      auto x = a.ObjectItems();
      auto y = b.ObjectItems();
      size_t n = std::min(x.size(), y.size());
      for (size_t i = 0; i < n; ++i) {
        int c = Compare(x[i].first, y[i].first);
        if (c != 0) return c;
        c = Compare(x[i].second, y[i].second);
        if (c != 0) return c;
      }
      return x.size() < y.size() ? -1 : (x.size() > y.size() ? 1 : 0);
    }
  }
  return 0;
}

namespace {
inline size_t Mix(size_t h, size_t v) {
  return h ^ (v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2));
}
}  // namespace

namespace {
// Collection and string hashes are folded to 32 bits (nonzero) so that the
// node header can cache them in 4 bytes.
inline size_t Fold(size_t h) {
  uint32_t f = static_cast<uint32_t>(h ^ (h >> 32));
  return f == 0 ? 1 : f;
}
inline size_t StringHash(std::string_view s) {
  return Fold(
      Mix(static_cast<size_t>(Kind::kString) * 0x100000001b3ULL, std::hash<std::string_view>()(s)));
}
}  // namespace

size_t Value::Hash() const {
  switch (kind_) {
    case Kind::kNull:
      return 0x1234567;
    case Kind::kBool:
      return b_ ? 0x9e37 : 0x7f4a;
    case Kind::kNumber: {
      if (tag_ == 1) return std::hash<int64_t>()(i_) * 31 + 7;
      return std::hash<double>()(d_) * 31 + 7;
    }
    default:
      break;
  }
  // Inline strings hash their bytes exactly as heap strings do.
  if (!IsHeap()) return StringHash(AsString());
  uint32_t cached = p_->hash.load(std::memory_order_relaxed);
  if (cached != 0) return cached;
  size_t h = static_cast<size_t>(kind_) * 0x100000001b3ULL;
  switch (kind_) {
    case Kind::kString:
      h = StringHash(AsString());
      break;
    case Kind::kArray:
    case Kind::kSet:
      for (const Value& v : Items()) h = Mix(h, v.Hash());
      break;
    case Kind::kObject:
      for (const auto& [k, v] : ObjectItems()) h = Mix(Mix(h, k.Hash()), v.Hash());
      break;
    default:
      break;
  }
  h = Fold(h);
  p_->hash.store(static_cast<uint32_t>(h), std::memory_order_relaxed);
  return h;
}

std::string Value::NumberText(double d) {
  if (d == std::trunc(d) && std::fabs(d) < 1e21) {
    char buf[64];
    auto r = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::fixed, 0);
    return std::string(buf, r.ptr);
  }
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, d);
  return std::string(buf, r.ptr);
}

namespace {

void AppendNumber(std::string& out, const Value& v) {
  if (v.IsInt()) {
    char buf[32];
    auto r = std::to_chars(buf, buf + sizeof buf, v.AsInt());
    out.append(buf, r.ptr);
  } else {
    out += Value::NumberText(v.AsDouble());
  }
}

void AppendJsonImpl(std::string& out, const Value& v, int indent, int depth) {
  auto newline = [&](int d) {
    if (indent <= 0) return;
    out.push_back('\n');
    out.append(static_cast<size_t>(indent * d), ' ');
  };
  switch (v.kind()) {
    case Kind::kNull:
      out += "null";
      return;
    case Kind::kBool:
      out += v.AsBool() ? "true" : "false";
      return;
    case Kind::kNumber:
      AppendNumber(out, v);
      return;
    case Kind::kString:
      AppendJsonString(out, v.AsString(), true);
      return;
    case Kind::kArray:
    case Kind::kSet: {
      auto items = v.Items();
      out.push_back('[');
      for (size_t i = 0; i < items.size(); ++i) {
        if (i) out.push_back(',');
        newline(depth + 1);
        AppendJsonImpl(out, items[i], indent, depth + 1);
      }
      if (!items.empty()) newline(depth);
      out.push_back(']');
      return;
    }
    case Kind::kObject: {
      auto items = v.ObjectItems();
      out.push_back('{');
      for (size_t i = 0; i < items.size(); ++i) {
        if (i) out.push_back(',');
        newline(depth + 1);
        if (items[i].first.IsString()) {
          AppendJsonString(out, items[i].first.AsString(), true);
        } else {
          AppendJsonString(out, items[i].first.ToJson(), true);
        }
        out.push_back(':');
        if (indent > 0) out.push_back(' ');
        AppendJsonImpl(out, items[i].second, indent, depth + 1);
      }
      if (!items.empty()) newline(depth);
      out.push_back('}');
      return;
    }
  }
}

void AppendRego(std::string& out, const Value& v) {
  switch (v.kind()) {
    case Kind::kSet: {
      auto items = v.Items();
      if (items.empty()) {
        out += "set()";
        return;
      }
      out.push_back('{');
      for (size_t i = 0; i < items.size(); ++i) {
        if (i) out += ", ";
        AppendRego(out, items[i]);
      }
      out.push_back('}');
      return;
    }
    case Kind::kArray: {
      auto items = v.Items();
      out.push_back('[');
      for (size_t i = 0; i < items.size(); ++i) {
        if (i) out += ", ";
        AppendRego(out, items[i]);
      }
      out.push_back(']');
      return;
    }
    case Kind::kObject: {
      auto items = v.ObjectItems();
      out.push_back('{');
      for (size_t i = 0; i < items.size(); ++i) {
        if (i) out += ", ";
        AppendRego(out, items[i].first);
        out += ": ";
        AppendRego(out, items[i].second);
      }
      out.push_back('}');
      return;
    }
    default:
      AppendJsonImpl(out, v, 0, 0);
  }
}
}  // namespace

void Value::AppendJson(std::string& out) const { AppendJsonImpl(out, *this, 0, 0); }

std::string Value::ToJson() const {
  std::string out;
  AppendJson(out);
  return out;
}

std::string Value::ToJsonPretty(int indent) const {
  std::string out;
  AppendJsonImpl(out, *this, indent, 0);
  return out;
}

std::string Value::ToRego() const {
  std::string out;
  AppendRego(out, *this);
  return out;
}

// ---- Documents ------------------------------------------------------------

namespace {
// Object keys repeat (every item of a list has the same keys): a key longer
// than the inline limit is allocated once per conversion and shared.
class KeyInterner {
 public:
  Value Get(std::string_view s) {
    if (s.size() <= Value::kInlineStringMax) return Value::String(s);
    auto it = map_.find(s);
    if (it != map_.end()) return it->second;
    Value v = Value::String(s);
    if (map_.size() < kMaxKeys) map_.emplace(v.AsString(), v);  // views the node: stable
    return v;
  }

 private:
  static constexpr size_t kMaxKeys = 1 << 14;
  std::unordered_map<std::string_view, Value> map_;
};

Value FromDocumentImpl(DocValue v, KeyInterner& keys) {
  if (!v.IsDefined()) return Value();
  switch (v.kind()) {
    case DocKind::kNull:
      return Value();
    case DocKind::kBool:
      return Value::Bool(v.AsBool());
    case DocKind::kInt:
      return Value::Int(v.AsInt());
    case DocKind::kDouble:
      return Value::Number(v.AsDouble());
    case DocKind::kString:
      return Value::String(v.AsString());
    case DocKind::kArray: {
      std::vector<Value> items;
      items.reserve(v.size());
      for (size_t i = 0; i < v.size(); ++i) items.push_back(FromDocumentImpl(v[i], keys));
      return Value::Array(std::move(items));
    }
    case DocKind::kObject: {
      std::vector<ObjectItem> items;
      items.reserve(v.size());
      for (size_t i = 0; i < v.size(); ++i) {
        items.emplace_back(keys.Get(v.KeyAt(i)), FromDocumentImpl(v.ValueAt(i), keys));
      }
      return Value::Object(std::move(items));
    }
  }
  return Value();
}
}  // namespace

Value FromDocument(DocValue v) {
  KeyInterner keys;
  return FromDocumentImpl(v, keys);
}

// ---- JSON parser ------------------------------------------------------------
// A direct recursive-descent RFC 8259 parser into Values (no intermediate
// tree), with line:column errors. Depth is bounded by kMaxDocDepth.

namespace {
class JsonParser {
 public:
  JsonParser(std::string_view text, std::string path) : s_(text), path_(std::move(path)) {}

  Result<Value> Parse() {
    SkipWs();
    Value v;
    if (!ParseValue(&v, 0)) return err_;
    SkipWs();
    if (pos_ < s_.size()) {
      Fail("unexpected trailing characters after JSON value");
      return err_;
    }
    return v;
  }

 private:
  bool Fail(std::string msg) {
    int line = 1, col = 1;
    for (size_t i = 0; i < pos_ && i < s_.size(); ++i) {
      if (s_[i] == '\n') {
        ++line;
        col = 1;
      } else {
        ++col;
      }
    }
    err_ = MakeError(ErrorCode::kParse, std::move(msg), path_, line, col);
    return false;
  }
  void SkipWs() {
    while (pos_ < s_.size() &&
           (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r'))
      ++pos_;
  }
  bool ParseValue(Value* out, int depth) {
    if (depth > kMaxDocDepth) return Fail("JSON nesting too deep");
    if (pos_ >= s_.size()) return Fail("unexpected end of JSON input");
    char c = s_[pos_];
    switch (c) {
      case '{': {
        ++pos_;
        const size_t base = objs_.size();
        SkipWs();
        if (pos_ < s_.size() && s_[pos_] == '}') {
          ++pos_;
          *out = Value::EmptyObject();
          return true;
        }
        for (;;) {
          SkipWs();
          if (pos_ >= s_.size() || s_[pos_] != '"') return Fail("expected string object key");
          std::string_view key_text;
          if (!ParseString(&key_text)) return false;
          Value key = keys_.Get(key_text);
          SkipWs();
          if (pos_ >= s_.size() || s_[pos_] != ':') return Fail("expected ':' after object key");
          ++pos_;
          SkipWs();
          Value v;
          if (!ParseValue(&v, depth + 1)) return false;
          objs_.emplace_back(std::move(key), std::move(v));
          SkipWs();
          if (pos_ < s_.size() && s_[pos_] == ',') {
            ++pos_;
            continue;
          }
          if (pos_ < s_.size() && s_[pos_] == '}') {
            ++pos_;
            break;
          }
          return Fail("expected ',' or '}' in object");
        }
        size_t n = SortObjectItems(objs_.data() + base, objs_.size() - base);
        *out = ValueFactory::MakeObject(objs_.data() + base, n);
        objs_.resize(base);
        return true;
      }
      case '[': {
        ++pos_;
        const size_t base = vals_.size();
        SkipWs();
        if (pos_ < s_.size() && s_[pos_] == ']') {
          ++pos_;
          *out = Value::EmptyArray();
          return true;
        }
        for (;;) {
          SkipWs();
          Value v;
          if (!ParseValue(&v, depth + 1)) return false;
          vals_.push_back(std::move(v));
          SkipWs();
          if (pos_ < s_.size() && s_[pos_] == ',') {
            ++pos_;
            continue;
          }
          if (pos_ < s_.size() && s_[pos_] == ']') {
            ++pos_;
            break;
          }
          return Fail("expected ',' or ']' in array");
        }
        *out = ValueFactory::MakeSeq(Kind::kArray, vals_.data() + base, vals_.size() - base);
        vals_.resize(base);
        return true;
      }
      case '"': {
        std::string_view str;
        if (!ParseString(&str)) return false;
        *out = Value::String(str);
        return true;
      }
      case 't':
        if (s_.substr(pos_, 4) == "true") {
          pos_ += 4;
          *out = Value::Bool(true);
          return true;
        }
        return Fail("invalid literal");
      case 'f':
        if (s_.substr(pos_, 5) == "false") {
          pos_ += 5;
          *out = Value::Bool(false);
          return true;
        }
        return Fail("invalid literal");
      case 'n':
        if (s_.substr(pos_, 4) == "null") {
          pos_ += 4;
          *out = Value();
          return true;
        }
        return Fail("invalid literal");
      default:
        if (c == '-' || (c >= '0' && c <= '9')) return ParseNumber(out);
        return Fail(std::string("unexpected character '") + c + "'");
    }
  }
  bool ParseNumber(Value* out) {
    size_t start = pos_;
    if (s_[pos_] == '-') ++pos_;
    if (pos_ >= s_.size() || !isdigit(static_cast<unsigned char>(s_[pos_])))
      return Fail("invalid number");
    if (s_[pos_] == '0' && pos_ + 1 < s_.size() &&
        isdigit(static_cast<unsigned char>(s_[pos_ + 1])))
      return Fail("invalid number: leading zero");
    bool is_float = false;
    while (pos_ < s_.size() && isdigit(static_cast<unsigned char>(s_[pos_]))) ++pos_;
    if (pos_ < s_.size() && s_[pos_] == '.') {
      is_float = true;
      ++pos_;
      if (pos_ >= s_.size() || !isdigit(static_cast<unsigned char>(s_[pos_])))
        return Fail("invalid number");
      while (pos_ < s_.size() && isdigit(static_cast<unsigned char>(s_[pos_]))) ++pos_;
    }
    if (pos_ < s_.size() && (s_[pos_] == 'e' || s_[pos_] == 'E')) {
      is_float = true;
      ++pos_;
      if (pos_ < s_.size() && (s_[pos_] == '+' || s_[pos_] == '-')) ++pos_;
      if (pos_ >= s_.size() || !isdigit(static_cast<unsigned char>(s_[pos_])))
        return Fail("invalid number");
      while (pos_ < s_.size() && isdigit(static_cast<unsigned char>(s_[pos_]))) ++pos_;
    }
    std::string_view t = s_.substr(start, pos_ - start);
    if (!is_float) {
      int64_t i;
      auto r = std::from_chars(t.data(), t.data() + t.size(), i);
      if (r.ec == std::errc() && r.ptr == t.data() + t.size()) {
        *out = Value::Int(i);
        return true;
      }
    }
    double d = std::strtod(std::string(t).c_str(), nullptr);
    if (!std::isfinite(d)) return Fail("number out of range");
    *out = Value::Number(d);
    return true;
  }
  static int Hex(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  }
  bool Hex4(uint32_t* out) {
    if (pos_ + 4 > s_.size()) return Fail("invalid \\u escape");
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) {
      int h = Hex(s_[pos_ + static_cast<size_t>(i)]);
      if (h < 0) return Fail("invalid \\u escape");
      v = v * 16 + static_cast<uint32_t>(h);
    }
    pos_ += 4;
    *out = v;
    return true;
  }
  // The string's bytes: a slice of the input when it has no escapes, else
  // buf_ (valid until the next call).
  bool ParseString(std::string_view* result) {
    ++pos_;  // opening quote
    size_t start = pos_;
    while (pos_ < s_.size() && s_[pos_] != '"' && s_[pos_] != '\\' &&
           static_cast<unsigned char>(s_[pos_]) >= 0x20)
      ++pos_;
    if (pos_ < s_.size() && s_[pos_] == '"') {
      *result = s_.substr(start, pos_ - start);
      ++pos_;
      return true;
    }
    pos_ = start;
    buf_.clear();
    std::string* out = &buf_;
    for (;;) {
      size_t run = pos_;
      while (pos_ < s_.size() && s_[pos_] != '"' && s_[pos_] != '\\' &&
             static_cast<unsigned char>(s_[pos_]) >= 0x20)
        ++pos_;
      out->append(s_.data() + run, pos_ - run);
      if (pos_ >= s_.size()) return Fail("unterminated string");
      char c = s_[pos_];
      if (c == '"') {
        ++pos_;
        *result = buf_;
        return true;
      }
      if (c != '\\') return Fail("control character in string");
      ++pos_;
      if (pos_ >= s_.size()) return Fail("unterminated string");
      char e = s_[pos_++];
      switch (e) {
        case '"':
          out->push_back('"');
          break;
        case '\\':
          out->push_back('\\');
          break;
        case '/':
          out->push_back('/');
          break;
        case 'b':
          out->push_back('\b');
          break;
        case 'f':
          out->push_back('\f');
          break;
        case 'n':
          out->push_back('\n');
          break;
        case 'r':
          out->push_back('\r');
          break;
        case 't':
          out->push_back('\t');
          break;
        case 'u': {
          uint32_t cp = 0;
          if (!Hex4(&cp)) return false;
          if (cp >= 0xD800 && cp < 0xDC00 && pos_ + 1 < s_.size() && s_[pos_] == '\\' &&
              s_[pos_ + 1] == 'u') {
            pos_ += 2;
            uint32_t lo = 0;
            if (!Hex4(&lo)) return false;
            if (lo >= 0xDC00 && lo < 0xE000) {
              cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            } else {
              AppendUtf8(*out, 0xFFFD);
              cp = lo;
            }
          }
          if (cp >= 0xD800 && cp < 0xE000) cp = 0xFFFD;
          AppendUtf8(*out, cp);
          break;
        }
        default:
          --pos_;
          return Fail("invalid escape in string");
      }
    }
  }

  std::string_view s_;
  std::string path_;
  size_t pos_ = 0;
  Error err_;
  std::string buf_;               // unescaped string bytes
  std::vector<Value> vals_;       // items of the arrays being parsed (a stack)
  std::vector<ObjectItem> objs_;  // members of the objects being parsed
  KeyInterner keys_;
};
}  // namespace

Result<Value> ParseJson(std::string_view text, std::string path) {
  return JsonParser(text, std::move(path)).Parse();
}

Result<Value> ParseYaml(std::string_view text, std::string path) {
  YamlStream ys = ParseYamlStream(text, path);
  if (!ys.errors.empty()) return ys.errors.front();
  if (ys.documents.empty()) return Value();
  return FromDocument(ys.documents.front().Root());
}

}  // namespace gatehouse::rego
