// Document: the one parsed-document tree every analyzer and policy reads.
//
// A Document is an arena of JSON-shaped values (null, bool, int, double,
// string, array, object) that remember where they came from: each value has
// the 1-based line and column of its first character in the source file, and
// each object member the position of its key. Parsers for YAML (multi-
// document streams), JSON and TOML fill it (src/formats/); the HCL2 parser
// and Dockerfile parser build their own richer trees and can lower to it.
// Native analyzers read it through DocValue handles; the Rego engine takes
// it as `input` without re-serializing, so a policy finding still points at
// a line (Principle 1 in DESIGN.md).
//
// Ownership: a Document owns all its values; a DocValue is a cheap handle
// (pointer + index) that is valid only while its Document lives and does
// is not destroyed (Documents are move-only; handles survive moves).
// Documents are immutable once built, so concurrent reads are safe.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "gatehouse/result.h"

namespace gatehouse {

enum class DocKind : uint8_t { kNull, kBool, kInt, kDouble, kString, kArray, kObject };
std::string_view DocKindName(DocKind k);  // "null", "boolean", "number", "string", ...

struct DocPos {
  uint32_t line = 0;    // 1-based; 0 = unknown (synthetic values)
  uint32_t column = 0;  // 1-based
};

class Document;
struct DocumentImpl;

class DocValue {
 public:
  DocValue() = default;  // undefined: a missing key or index

  bool IsDefined() const { return doc_ != nullptr; }
  explicit operator bool() const { return IsDefined(); }
  DocKind kind() const;                                     // kNull when undefined
  bool IsNull() const { return kind() == DocKind::kNull; }  // also when undefined
  bool IsBool() const { return IsDefined() && kind() == DocKind::kBool; }
  bool IsNumber() const {
    return IsDefined() && (kind() == DocKind::kInt || kind() == DocKind::kDouble);
  }
  bool IsInt() const { return IsDefined() && kind() == DocKind::kInt; }
  bool IsString() const { return IsDefined() && kind() == DocKind::kString; }
  bool IsArray() const { return IsDefined() && kind() == DocKind::kArray; }
  bool IsObject() const { return IsDefined() && kind() == DocKind::kObject; }

  bool AsBool() const;                // false unless a bool
  int64_t AsInt() const;              // ints; doubles truncated; else 0
  double AsDouble() const;            // ints and doubles; else 0
  std::string_view AsString() const;  // strings; "" otherwise
  // The scalar as text: strings verbatim, numbers in their source spelling
  // where known, true/false/null. "" for arrays and objects.
  std::string ScalarText() const;
  // YAML only: the scalar was quoted or a block scalar (so "true" is text).
  bool Quoted() const;

  size_t size() const;                  // array items or object members; 0 otherwise
  DocValue operator[](size_t i) const;  // array item i (undefined when out of range)
  DocValue operator[](int i) const { return i < 0 ? DocValue() : (*this)[static_cast<size_t>(i)]; }
  // Object members in source order. Duplicate keys keep the last value in
  // Get() (as JSON/YAML loaders do) but every member is listed here.
  std::string_view KeyAt(size_t i) const;
  DocPos KeyPosAt(size_t i) const;
  DocValue ValueAt(size_t i) const;
  DocValue Get(std::string_view key) const;  // undefined when absent or not an object
  DocValue operator[](std::string_view key) const { return Get(key); }
  DocValue operator[](const char* key) const { return Get(key); }
  // Get() along a path of keys: v.Path({"spec", "template", "spec"}).
  DocValue Path(std::initializer_list<std::string_view> keys) const;

  DocPos pos() const;
  int line() const { return static_cast<int>(pos().line); }
  int column() const { return static_cast<int>(pos().column); }
  // True when this value lives in `d` (handles survive moves of `d`).
  bool BelongsTo(const Document& d) const;
  uint32_t index() const { return idx_; }

  // Compact JSON (object members in source order; duplicate keys collapsed).
  std::string ToJson() const;

  bool SameAs(const DocValue& o) const { return doc_ == o.doc_ && idx_ == o.idx_; }

 private:
  friend class Document;
  DocValue(const DocumentImpl* doc, uint32_t idx) : doc_(doc), idx_(idx) {}
  const DocumentImpl* doc_ = nullptr;
  uint32_t idx_ = 0;
};

class Document {
 public:
  Document();
  explicit Document(std::string path);
  ~Document();
  Document(Document&&) noexcept;
  Document& operator=(Document&&) noexcept;
  Document(const Document&) = delete;
  Document& operator=(const Document&) = delete;

  const std::string& path() const;  // the file it came from (repo-relative)
  DocValue Root() const;            // undefined for an empty document
  void SetRoot(DocValue v);
  // YAML stream: 0-based index of this document in its file.
  int index_in_file() const;
  void set_index_in_file(int i);

  // Builders. Children must belong to this Document.
  DocValue AddNull(DocPos pos = {});
  DocValue AddBool(bool b, DocPos pos = {});
  DocValue AddInt(int64_t i, DocPos pos = {}, std::string_view spelling = {});
  DocValue AddDouble(double d, DocPos pos = {}, std::string_view spelling = {});
  DocValue AddString(std::string s, DocPos pos = {}, bool quoted = true);
  DocValue AddArray(const std::vector<DocValue>& items, DocPos pos = {});
  struct Member {
    std::string key;
    DocPos key_pos;
    DocValue value;
  };
  DocValue AddObject(std::vector<Member> members, DocPos pos = {});
  // Deep copy of a value from another Document (positions kept).
  DocValue Import(DocValue v);

  using Impl = DocumentImpl;

 private:
  friend class DocValue;
  std::unique_ptr<DocumentImpl> impl_;
};

// ---- Parsers (src/formats/). All keep positions; none throws. ------------

// JSON (RFC 8259; duplicate keys allowed, last wins in Get()). Errors carry
// path:line:column and what was expected. Nesting is limited to kMaxDocDepth.
Result<Document> ParseJsonDocument(std::string_view text, std::string path = {});

// A YAML stream: every document of the file, in order. Plain scalars are
// resolved with the YAML 1.2 core schema (null, true/false, ints incl. 0x/0o,
// floats incl. .inf/.nan); quoted and block scalars are strings; anchors and
// aliases are expanded; merge keys (<<) are applied. A document that fails
// to parse becomes an error entry and the others are still returned.
// Empty documents (only comments, or `---` alone) are skipped.
struct YamlStream {
  std::vector<Document> documents;
  std::vector<Error> errors;  // one per malformed document, with file:line:col
};
YamlStream ParseYamlStream(std::string_view text, std::string path = {});

// TOML (toml++): tables → objects, arrays, strings, ints, floats, bools;
// dates and times become RFC 3339 strings.
Result<Document> ParseTomlDocument(std::string_view text, std::string path = {});

inline constexpr int kMaxDocDepth = 256;

}  // namespace gatehouse
