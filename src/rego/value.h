// rego::Value: the immutable value type of the Rego engine.
//
// A Value is one of null, boolean, number, string, array, object or set
// (Rego's data model; OPA's ast.Value minus vars/refs/comprehensions, which
// exist only in the AST). Scalars live inline; strings, arrays, objects and
// sets live in reference-counted immutable nodes, so copying a Value is a
// pointer copy plus an atomic increment, and the compiled policy's data can
// be shared by concurrent evaluations without locks.
//
// Representation (16 bytes per Value). Memory is what limits how large a
// document a policy can read, so the layout is compact:
//   * strings of at most kInlineStringMax (14) bytes are stored inside the
//     Value itself (no allocation): JSON keys and most short values such as
//     "v1", "Pod", "true"-like flags and names;
//   * longer strings are ONE allocation: a 16-byte node header (reference
//     count, cached hash, size) followed by the bytes;
//   * arrays, sets and objects are ONE allocation: the header followed by
//     the items (Values, or key/value pairs for objects) — no std::vector.
// The representation is canonical: a string is inline exactly when it is at
// most 14 bytes long, so equal strings always have the same representation;
// Compare and Hash nonetheless work on the bytes, never on the layout.
// Because a short string lives inside its Value, a string_view returned by
// AsString() is valid as long as THAT Value object (not merely an equal copy)
// is alive and unmoved — keep the Value, or copy the string.
//
// Ordering and equality follow OPA's ast.Compare exactly:
//   null < boolean < number < string < array < object < set
// false < true; numbers by numeric value (1 == 1.0, as json.Number compares);
// strings bytewise; arrays lexicographically (then by length); objects by
// their sorted keys then values pairwise, then size; sets by sorted elements.
// Objects and sets are kept sorted by that order, so iteration is canonical
// (the order OPA prints) and lookups are binary searches.
//
// Numbers. OPA keeps numbers as arbitrary-precision json.Number text. We keep
// an int64 when the number is an integer that fits, else an IEEE double.
// Integer arithmetic that overflows int64 falls back to double; integers
// beyond 2^63 from JSON input become doubles (and lose precision above 2^53).
// Doubles with an integral value print without a fractional part (1e3 → 1000)
// as OPA does; non-finite results (division by zero is an error before that)
// never appear in values.
//
// Thread-safety: Values are immutable; copies may be used from any thread.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "gatehouse/document.h"
#include "gatehouse/result.h"

namespace gatehouse::rego {

// In OPA's ast.Compare order.
enum class Kind : uint8_t { kNull = 0, kBool, kNumber, kString, kArray, kObject, kSet };

// OPA type names as used in error messages and type_name(): "null",
// "boolean", "number", "string", "array", "object", "set".
std::string_view KindName(Kind k);

class Value;

namespace detail {
// Header of a heap node; the payload (bytes, Values or ObjectItems) follows
// it in the same allocation. The kind lives in the Value, not here.
struct Node {
  mutable std::atomic<uint32_t> refs{1};
  mutable std::atomic<uint32_t> hash{0};  // 0 = not computed yet
  uint64_t size = 0;                      // bytes (strings) or items
};
static_assert(sizeof(Node) == 16);
}  // namespace detail

using ObjectItem = std::pair<Value, Value>;

class Value {
 public:
  // ---- Construction ----------------------------------------------------
  Value() noexcept : kind_(Kind::kNull), tag_(0), sso_{}, i_(0) {}  // null
  static Value Null() { return Value(); }
  static Value Bool(bool b);
  static Value Int(int64_t i);
  // A double; stored as an int when it is integral and fits in int64.
  static Value Number(double d);
  static Value String(std::string s) { return String(std::string_view(s)); }
  static Value String(std::string_view s);
  static Value String(const char* s) { return String(std::string_view(s)); }
  // Strings of at most this many bytes are stored inline (no allocation).
  static constexpr size_t kInlineStringMax = 14;
  static Value Array(std::vector<Value> items);
  // Sorts and de-duplicates the items.
  static Value Set(std::vector<Value> items);
  // Sorts by key; for duplicate keys the LAST one wins.
  static Value Object(std::vector<ObjectItem> items);
  static Value EmptyArray();
  static Value EmptyObject();
  static Value EmptySet();

  Value(const Value& o) noexcept {
    CopyBits(o);
    if (IsHeap()) p_->refs.fetch_add(1, std::memory_order_relaxed);
  }
  Value(Value&& o) noexcept {
    CopyBits(o);
    o.kind_ = Kind::kNull;
    o.tag_ = 0;
  }
  Value& operator=(const Value& o) noexcept {
    if (this != &o) {
      Value tmp(o);
      Swap(tmp);
    }
    return *this;
  }
  Value& operator=(Value&& o) noexcept {
    Value tmp(std::move(o));
    Swap(tmp);
    return *this;
  }
  ~Value() {
    if (IsHeap()) Release();
  }
  void Swap(Value& o) noexcept {
    unsigned char buf[sizeof(Value)];
    std::memcpy(buf, static_cast<const void*>(this), sizeof(Value));
    std::memcpy(static_cast<void*>(this), static_cast<const void*>(&o), sizeof(Value));
    std::memcpy(static_cast<void*>(&o), buf, sizeof(Value));
  }

  // ---- Inspection ------------------------------------------------------
  Kind kind() const { return kind_; }
  std::string_view type_name() const { return KindName(kind_); }
  bool IsNull() const { return kind_ == Kind::kNull; }
  bool IsBool() const { return kind_ == Kind::kBool; }
  bool IsNumber() const { return kind_ == Kind::kNumber; }
  bool IsInt() const { return kind_ == Kind::kNumber && tag_ == 1; }  // integral and fits int64
  bool IsString() const { return kind_ == Kind::kString; }
  bool IsArray() const { return kind_ == Kind::kArray; }
  bool IsObject() const { return kind_ == Kind::kObject; }
  bool IsSet() const { return kind_ == Kind::kSet; }
  bool IsCollection() const { return kind_ >= Kind::kArray; }

  bool AsBool() const { return kind_ == Kind::kBool && b_; }
  int64_t AsInt() const;    // ints; doubles truncated; 0 for non-numbers
  double AsDouble() const;  // any number; 0 for non-numbers
  // The integer value when this number is integral (also 3.0), else false.
  bool GetInt(int64_t* out) const;
  // "" unless a string. Views into this Value for short strings: see above.
  std::string_view AsString() const {
    if (kind_ != Kind::kString) return {};
    if (IsHeap()) return {reinterpret_cast<const char*>(p_ + 1), static_cast<size_t>(p_->size)};
    return {InlineChars(), tag_};
  }

  // Arrays: items. Sets: sorted elements. Empty span otherwise.
  std::span<const Value> Items() const {
    if (kind_ != Kind::kArray && kind_ != Kind::kSet) return {};
    return {reinterpret_cast<const Value*>(p_ + 1), static_cast<size_t>(p_->size)};
  }
  // Objects: (key, value) sorted by key. Empty span otherwise.
  std::span<const ObjectItem> ObjectItems() const;
  // Number of items (array, set), members (object), bytes (string); else 0.
  size_t size() const {
    if (kind_ < Kind::kString) return 0;
    return IsHeap() ? static_cast<size_t>(p_->size) : tag_;
  }
  const Value& At(size_t i) const { return Items()[i]; }  // arrays/sets; unchecked

  // Object lookup (nullptr when absent or not an object). O(log n).
  const Value* Find(const Value& key) const;
  const Value* Find(std::string_view key) const;
  // Set membership (false when not a set).
  bool Contains(const Value& elem) const;
  // Generic lookup as a Rego ref step: object key, array index (an integral
  // number), set element (yields the element). nullptr when undefined.
  const Value* Get(const Value& key) const;

  // ---- Ordering --------------------------------------------------------
  // OPA ast.Compare: <0, 0, >0.
  static int Compare(const Value& a, const Value& b);
  friend bool operator==(const Value& a, const Value& b) { return Compare(a, b) == 0; }
  friend bool operator!=(const Value& a, const Value& b) { return Compare(a, b) != 0; }
  friend bool operator<(const Value& a, const Value& b) { return Compare(a, b) < 0; }
  size_t Hash() const;  // consistent with ==: Int(1) and Number(1.0) hash alike

  // Identity of the shared node (for caches); nullptr for scalars.
  const void* NodeId() const { return IsHeap() ? p_ : nullptr; }

  // ---- Conversion ------------------------------------------------------
  // Compact JSON as OPA prints values: sets become sorted arrays; object keys
  // that are not strings are written as their JSON text in a string.
  std::string ToJson() const;
  void AppendJson(std::string& out) const;
  // Indented JSON (two spaces), as `opa eval --format pretty` / json.marshal_with_options.
  std::string ToJsonPretty(int indent = 2) const;
  // Rego source syntax: sets as {1, 2} (set() when empty), strings quoted.
  std::string ToRego() const;
  // Number text as OPA prints it: ints plain, doubles shortest round-trip
  // ("1.5", "1e+100"), integral doubles without fraction.
  static std::string NumberText(double d);

 private:
  friend class ValueFactory;
  // tag_: numbers: 1 when i_ holds an int64 (else d_); inline strings: the
  // length (0..14, the bytes start at offset 2 and run over sso_ and the
  // union); heap values (long strings, collections): kHeap, p_ owns a node.
  static constexpr uint8_t kHeap = 0x80;
  bool IsHeap() const { return (tag_ & kHeap) != 0; }
  const char* InlineChars() const { return reinterpret_cast<const char*>(this) + 2; }
  char* InlineChars() { return reinterpret_cast<char*>(this) + 2; }
  void CopyBits(const Value& o) noexcept {
    std::memcpy(static_cast<void*>(this), static_cast<const void*>(&o), sizeof(Value));
  }
  void Release() noexcept {
    if (p_->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) Destroy(p_, kind_);
  }
  static void Destroy(detail::Node* n, Kind k) noexcept;
  Value(detail::Node* n, Kind k) noexcept : kind_(k), tag_(kHeap), sso_{}, p_(n) {}

  Kind kind_;
  uint8_t tag_;
  char sso_[6];  // first inline string bytes
  union {
    bool b_;
    int64_t i_;
    double d_;
    detail::Node* p_;
    char sso_tail_[8];  // last inline string bytes
  };
};
static_assert(sizeof(Value) == 16);

struct ValueHash {
  size_t operator()(const Value& v) const { return v.Hash(); }
};
struct ValueLess {
  bool operator()(const Value& a, const Value& b) const { return Value::Compare(a, b) < 0; }
};

// ---- Conversion from documents and text (no JSON re-serialization) ------

// The DocValue tree as a Value (recursively; undefined → null).
Value FromDocument(DocValue v);
// Parses one JSON text (RFC 8259) into a Value. Errors carry path:line:col.
Result<Value> ParseJson(std::string_view text, std::string path = {});
// Parses YAML (first document; an empty stream is null).
Result<Value> ParseYaml(std::string_view text, std::string path = {});

// Incremental builder for sets and objects (sorted/deduplicated at Build()).
class SetBuilder {
 public:
  void Add(Value v) { items_.push_back(std::move(v)); }
  size_t size() const { return items_.size(); }
  Value Build() { return Value::Set(std::move(items_)); }

 private:
  std::vector<Value> items_;
};
class ObjectBuilder {
 public:
  void Add(Value k, Value v) { items_.emplace_back(std::move(k), std::move(v)); }
  void Add(std::string_view k, Value v) { items_.emplace_back(Value::String(k), std::move(v)); }
  Value Build() { return Value::Object(std::move(items_)); }

 private:
  std::vector<ObjectItem> items_;
};

}  // namespace gatehouse::rego
