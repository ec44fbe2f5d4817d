// Internal to src/ci: the YAML documents the CI analyzer reads.
//
// A Doc is an arena of nodes (scalars, mappings, sequences) with their
// positions; Node is a cheap handle into it, with the small read-only API of
// yaml-cpp's Node that the rules use (IsMap, Scalar, Tag, Mark, iteration
// yielding .first/.second, ...). ParseYaml() runs a fast parser for the
// block/flow subset of YAML that workflows use and falls back to yaml-cpp
// for everything else (anchors, tags, complex keys, folded scalars with
// more-indented lines, documents it cannot read), and for the error message
// when a document is invalid — so yaml-cpp stays the reference for what
// parses, and fuzz/ci_yaml_fuzz.cc checks that both agree wherever the fast
// parser answers.
//
// Node handles are only valid while their Doc lives. Docs are immutable
// after parsing, except for nodes appended with New*() (consolidation builds
// merged values that way). Thread-compatible.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace gatehouse::ci {

struct YamlMark {
  int pos = -1;     // byte offset
  int line = -1;    // 0-based
  int column = -1;  // 0-based
};

class Doc;

class Node {
 public:
  Node() = default;  // undefined: a missing key

  bool IsDefined() const { return doc_ != nullptr; }
  bool IsNull() const;  // also true when undefined
  bool IsScalar() const;
  bool IsMap() const;
  bool IsSequence() const;
  bool IsFlow() const;  // a [..] or {..} collection
  // The scalar's text ("" for anything else).
  const std::string& Scalar() const;
  // "?" for plain scalars and collections, "!" for quoted and block
  // scalars, "" for null (as yaml-cpp reports them).
  std::string_view Tag() const;
  YamlMark Mark() const;
  size_t size() const;              // entries of a mapping or sequence
  Node operator[](size_t i) const;  // i-th sequence item (undefined if none)

  // Iteration: sequences yield the items (as the Entry itself), mappings
  // yield key/value pairs in .first/.second.
  struct Entry;
  class Iterator;
  Iterator begin() const;
  Iterator end() const;

  bool SameAs(const Node& o) const { return doc_ == o.doc_ && idx_ == o.idx_; }

 private:
  friend class Doc;
  friend class FastYamlParser;
  friend class YamlCppConverter;
  Node(const Doc* doc, uint32_t idx) : doc_(doc), idx_(idx) {}
  const Doc* doc_ = nullptr;
  uint32_t idx_ = 0;
};

struct Node::Entry : Node {
  Node first, second;
};

class Node::Iterator {
 public:
  Entry operator*() const;
  Iterator& operator++() {
    ++i_;
    return *this;
  }
  bool operator!=(const Iterator& o) const { return i_ != o.i_; }
  bool operator==(const Iterator& o) const { return i_ == o.i_; }

 private:
  friend class Node;
  Iterator(const Doc* doc, uint32_t node, uint32_t i) : doc_(doc), node_(node), i_(i) {}
  const Doc* doc_;
  uint32_t node_;
  uint32_t i_;
};

enum class NodeKind : uint8_t { kNull, kScalar, kMap, kSeq };

class Doc {
 public:
  Node Root() const { return nodes_.empty() ? Node() : Node(this, root_); }
  void SetRoot(const Node& n) { root_ = n.idx_; }

  // Appends synthetic nodes (positions unknown). Children may live in other
  // Docs that outlive this one.
  Node NewScalar(std::string text, bool plain = true);
  Node NewMap(const std::vector<std::pair<Node, Node>>& entries);

  struct Data {
    NodeKind kind = NodeKind::kNull;
    bool plain = true;  // scalars: written without quotes or block indicator
    bool flow = false;
    YamlMark mark;
    uint32_t first = 0, count = 0;  // children in kids_ (map: key, value, ...)
    std::string scalar;
  };

 private:
  friend class Node;
  friend class FastYamlParser;
  friend class YamlCppConverter;
  uint32_t Add(Data d);
  std::vector<Data> nodes_;
  std::vector<Node> kids_;
  uint32_t root_ = 0;
};

struct YamlParse {
  std::unique_ptr<Doc> doc;  // null on error
  Node root;
  std::string error;  // yaml-cpp's message
  YamlMark error_mark;
  bool fast = false;  // answered by the fast parser
};

// Fast parser, then yaml-cpp. Nesting deeper than kMaxYamlDepth is an
// error (never handed to yaml-cpp, whose parser recurses).
YamlParse ParseYaml(std::string_view text);
inline constexpr int kMaxYamlDepth = 200;

// The two paths on their own (tests and the differential fuzz target).
enum class FastResult { kOk, kUnsupported, kTooDeep };
FastResult ParseYamlFast(std::string_view text, Doc* doc);
YamlParse ParseYamlWithYamlCpp(std::string_view text);

// A canonical rendering of a node tree (kinds, tags, scalars, marks of
// non-null nodes) for comparing parsers.
std::string DebugString(const Node& n);

}  // namespace gatehouse::ci
