// HCL2: our own parser for the HashiCorp Configuration Language, native
// syntax (the `.tf` language) and the JSON syntax (`.tf.json`), plus a small
// evaluator and a lowering to the shared Document tree.
//
// Parse() reads a whole file into a File: a Body of attributes and blocks
// whose expressions form an AST with positions (1-based line:column of the
// first character and of the character just past the end, plus byte
// offsets). Parsing never fails as a whole: syntax errors are collected in
// File::errors (path:line:column and what was expected) and the parser
// recovers at the next line / closing brace, so one bad block does not hide
// the others. Nodes live in an arena owned by the File; File is neither
// copyable nor movable (it is handed out by unique_ptr), so the node
// pointers stay valid as long as the File lives.
//
// What the native parser covers is written up in docs/hcl.md, following the
// HCL native syntax specification (hashicorp/hcl, hclsyntax/spec.md).
//
// The evaluator (Evaluate) folds what is known: literals, templates,
// operators, conditionals, for expressions, splats, indexing and a set of
// pure functions (jsonencode, merge, format, ...). References to names the
// caller does not bind, and impure functions, yield Value::Unknown(): we
// never guess.
//
// Thread-safety: a File is immutable after parsing; concurrent reads are
// safe. Parse/Evaluate are reentrant.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "gatehouse/document.h"
#include "gatehouse/result.h"

namespace gatehouse::hcl {

struct Pos {
  uint32_t line = 0;    // 1-based
  uint32_t column = 0;  // 1-based, in bytes
  uint32_t offset = 0;  // byte offset into the source
};
struct Range {
  Pos start;
  Pos end;  // exclusive
};

enum class ExprKind : uint8_t {
  kLiteral,      // lit + bval/num/str; str holds a number's spelling
  kTemplate,     // kids: parts (string literals, interpolated exprs, kTemplateIf/For)
  kTemplateIf,   // kids: cond, then (kTemplate), [else (kTemplate)]
  kTemplateFor,  // name: key var ("" if none), name2: value var; kids: collection, body
  kVariable,     // name: the root of a traversal (var, local, aws_s3_bucket, ...)
  kGetAttr,      // kids[0].name
  kIndex,        // kids[0][kids[1]]; flag: legacy `.0` form
  kSplat,        // kids[0]: source, kids[1]: per-item traversal over kSplatItem; flag: [*]
  kSplatItem,    // the anonymous item inside a splat traversal
  kCall,         // name (incl. provider::ns::fn); kids: args; flag: final `...`
  kTuple,        // kids: items
  kObject,       // kids: key, value, key, value, ...
  kFor,          // name/name2: key/value vars; kids: coll, key|null, value, cond|null;
                 // flag: grouping `...`; flag2: object form {for ...}
  kUnary,        // op, kids[0]
  kBinary,       // op, kids[0], kids[1]
  kConditional,  // kids: cond, true, false
  kParen,        // kids[0]
};
enum class LitKind : uint8_t { kNull, kBool, kNumber, kString };
enum class Op : uint8_t {
  kNone,
  kNot,
  kNeg,
  kMul,
  kDiv,
  kMod,
  kAdd,
  kSub,
  kGt,
  kGe,
  kLt,
  kLe,
  kEq,
  kNe,
  kAnd,
  kOr
};
std::string_view OpName(Op op);  // "!", "-", "*", ...

struct Expr {
  ExprKind kind = ExprKind::kLiteral;
  LitKind lit = LitKind::kNull;
  Op op = Op::kNone;
  bool flag = false;   // see ExprKind; kLiteral: a bare identifier object key; kTemplate: heredoc
  bool flag2 = false;  // kFor: object form
  bool bval = false;
  double num = 0;
  std::string name;   // literal string value / number spelling / identifier / attribute
  std::string name2;  // second identifier (for expressions)
  Range range;
  std::vector<Expr*> kids;
};

struct Attribute {
  std::string name;
  Range name_range;
  Expr* expr = nullptr;
  Range range;
};

struct Block;
struct Body {
  std::vector<Attribute> attributes;  // source order
  std::vector<Block*> blocks;         // source order
  Range range;
  const Attribute* Attr(std::string_view name) const;  // last one of that name
  std::vector<const Block*> BlocksOfType(std::string_view type) const;
};

struct Block {
  std::string type;
  std::vector<std::string> labels;
  std::vector<Range> label_ranges;
  Range type_range;
  Range range;  // from the type to the closing brace
  Body body;
};

class File {
 public:
  File() = default;
  File(const File&) = delete;
  File& operator=(const File&) = delete;

  std::string path;
  std::string source;
  Body body;
  std::vector<Error> errors;  // syntax errors, in source order
  bool json = false;          // parsed with the JSON syntax

  Expr* NewExpr(ExprKind k) {
    Expr& e = exprs_.emplace_back();
    e.kind = k;
    return &e;
  }
  Block* NewBlock() { return &blocks_.emplace_back(); }
  // The source text of a node.
  std::string_view Text(const Range& r) const;

 private:
  std::deque<Expr> exprs_;  // arena: chunked, stable addresses
  std::deque<Block> blocks_;
};

struct ParseOptions {
  int max_depth = 200;  // nesting limit for expressions and blocks
};

// Native syntax (.tf, .hcl, .tfvars). Never returns null.
std::unique_ptr<File> Parse(std::string_view text, std::string path,
                            const ParseOptions& options = {});

// JSON syntax (.tf.json). Object members become blocks or attributes by the
// Terraform schema conventions: top-level resource/data (2 labels),
// module/variable/output/provider (1), terraform/locals (0); inside blocks
// the well-known nested block types (ingress, egress, backend, statement,
// rule, ...) become blocks and everything else attributes. Strings are
// parsed as templates, so "${var.x}" is a reference as in Terraform.
std::unique_ptr<File> ParseJson(std::string_view text, std::string path,
                                const ParseOptions& options = {});

// One bare expression (tests, plan JSON: with json_strings the strings are
// taken literally rather than as templates). The expression is in
// File::body.attributes[0] named "" when it parsed.
std::unique_ptr<File> ParseExpression(std::string_view text, std::string path,
                                      bool json_strings = false, const ParseOptions& options = {});

// Canonical S-expression dump of the AST (the conformance fixtures'
// expected output); positions are printed as @line:col-line:col.
std::string DumpBody(const File& file, bool positions = true);
std::string DumpExpr(const File& file, const Expr* e, bool positions = true);

// Lowers a native-syntax file to the shared Document tree in the shape that
// conftest (hcl2json) produces for HCL2 input:
//   * a block becomes nested objects keyed by its type then each label, the
//     innermost holding an ARRAY of bodies (blocks may repeat):
//       resource "aws_s3_bucket" "b" {...} → {"resource":{"aws_s3_bucket":{"b":[{...}]}}}
//       terraform {...}                   → {"terraform":[{...}]}
//   * attributes → their value when literal (strings, numbers, bools, null;
//     tuples and objects recursively); a template with interpolation keeps
//     its source with ${...}; any other expression becomes "${<source>}";
//     bare type keywords (string, list(string), ...) stay as written.
// Positions: every value carries the line:column of its expression, every
// member the position of its attribute name / block type / label.
// Fails (with line:column) only when the file has a syntax error.
Result<Document> HclToDocument(std::string_view text, std::string path);
// Same, over an already parsed file (errors are ignored: partial bodies).
Document LowerToDocument(const File& file);

// ---- Evaluation -----------------------------------------------------------

class Value {
 public:
  enum class Kind : uint8_t { kUnknown, kNull, kBool, kNumber, kString, kTuple, kObject };
  Value() = default;  // unknown
  static Value Unknown() { return Value(); }
  static Value Null() { return Value(Kind::kNull); }
  static Value Bool(bool b);
  static Value Number(double d);
  static Value String(std::string s);
  static Value Tuple(std::vector<Value> items);
  static Value Object(std::map<std::string, Value> members);

  Kind kind() const { return kind_; }
  bool known() const { return kind_ != Kind::kUnknown; }
  // Known all the way down (no unknown inside tuples/objects).
  bool WhollyKnown() const;
  bool IsNull() const { return kind_ == Kind::kNull; }
  bool IsBool() const { return kind_ == Kind::kBool; }
  bool IsNumber() const { return kind_ == Kind::kNumber; }
  bool IsString() const { return kind_ == Kind::kString; }
  bool IsTuple() const { return kind_ == Kind::kTuple; }
  bool IsObject() const { return kind_ == Kind::kObject; }
  bool AsBool() const { return b_; }
  double AsNumber() const { return n_; }
  const std::string& AsString() const { return s_; }
  const std::vector<Value>& items() const { return items_; }
  const std::map<std::string, Value>& members() const { return members_; }
  const Value* Get(std::string_view key) const;  // object member or null

  // Conversions as Terraform does them; unknown when not convertible.
  Value ToStringValue() const;  // numbers, bools → string
  Value ToBoolValue() const;    // "true"/"false" → bool
  Value ToNumberValue() const;  // "12" → number
  std::string ToJson() const;   // unknown → null
  std::string Debug() const;    // for tests: (unknown) etc.
  bool operator==(const Value& o) const;

 private:
  explicit Value(Kind k) : kind_(k) {}
  Kind kind_ = Kind::kUnknown;
  bool b_ = false;
  double n_ = 0;
  std::string s_;
  std::vector<Value> items_;
  std::map<std::string, Value> members_;
};

// Names in scope: `var` → object of variables, `local` → ..., any other root
// name (resources, data, module, path, count, each) not bound is unknown.
struct EvalContext {
  std::map<std::string, Value> variables;
  const EvalContext* parent = nullptr;  // outer scope (for-expression vars)
  int depth = 0;
  const Value* Lookup(std::string_view name) const;
};

Value Evaluate(const Expr* e, const EvalContext& ctx);
// Decodes JSON text into a Value (jsondecode, heredoc JSON policies).
Value JsonDecode(std::string_view text);
// Names of the pure functions Evaluate knows (sorted): for docs and tests.
std::vector<std::string> KnownFunctions();

}  // namespace gatehouse::hcl
