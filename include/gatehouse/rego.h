// Rego policy engine: the embedding API.
//
// An Engine holds Rego modules and base data documents. Add modules and data,
// call Compile() once, then evaluate as often as you like: queries
// (PrepareQuery + Eval) or a single ref (EvalRef, e.g. "data.main.deny").
// Evaluation is top-down (see src/rego/eval.cc), deterministic, and bounded by
// a per-evaluation time and memory limit that fails with eval_cancel_error.
//
// Input is given as a rego::Value (src/rego/value.h) or as a gatehouse
// DocValue (converted once per evaluation, never re-serialized as JSON).
//
// Errors carry OPA's codes (rego_parse_error, rego_compile_error,
// rego_unsafe_var_error, rego_type_error, rego_recursion_error,
// eval_conflict_error, eval_type_error, eval_builtin_error,
// eval_cancel_error) and file:row:col; ToString() renders them as OPA does,
// with the source line and a caret.
//
// Thread-safety: building (Add*, Compile) is single-threaded. After a
// successful Compile() every const method may be called concurrently from any
// number of threads; a PreparedQuery is likewise const and shareable.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "gatehouse/document.h"

namespace gatehouse::rego {

class Value;  // src/rego/value.h
struct CompiledPolicy;
struct CompiledQuery;

struct RegoError {
  std::string code;     // "rego_parse_error", "eval_conflict_error", ...
  std::string message;  // without code and location
  std::string file;
  int row = 0;  // 1-based; 0 = unknown
  int col = 0;
  std::string source_line;  // the text of line `row`, when known
  // "file:row:col: code: message\n\tsource line\n\t   ^" (OPA style)
  std::string ToString() const;
};

// A list of errors; empty = success.
struct RegoStatus {
  std::vector<RegoError> errors;
  bool ok() const { return errors.empty(); }
  explicit operator bool() const { return ok(); }
  // "N errors occurred:\n..." like OPA, or the single error.
  std::string ToString() const;
};

struct CompileOptions {
  bool v0_compatible = false;  // Rego v0 syntax (no `if`/`contains` required)
  bool strict = false;         // OPA --strict: unused local vars/imports are errors
};

struct EvalOptions {
  // The input document: one of these (value wins). Neither = undefined input.
  const Value* input = nullptr;
  DocValue input_doc;
  // Limits (0 = unlimited). Exceeding either fails with eval_cancel_error.
  int64_t timeout_us = 0;
  size_t memory_limit_bytes = 0;
  bool strict_builtin_errors = false;
  std::optional<int64_t> now_ns;  // time.now_ns(); default: wall clock at start
  uint64_t seed = 0;              // rand.intn / uuid
  // print() output; default: stderr.
  std::function<void(std::string_view)> print;
  // Extra cancellation (e.g. server shutdown); polled during evaluation.
  std::function<bool()> cancelled;
};

// One row of a query result: the value of each top-level expression and the
// bindings of the query's named variables.
struct ResultRow {
  std::vector<std::pair<std::string, std::shared_ptr<const Value>>> bindings;
  std::vector<std::shared_ptr<const Value>> expressions;
  std::vector<std::string> expression_texts;
  std::vector<std::pair<int, int>> expression_locations;  // (row, col)
};

struct QueryResult {
  std::vector<ResultRow> rows;  // empty = undefined
  std::optional<RegoError> error;
  bool ok() const { return !error.has_value(); }
  bool undefined() const { return rows.empty(); }
  // OPA-shaped JSON: {"result":[{"expressions":[...],"bindings":{...}}]},
  // "{}" when undefined. pretty = two-space indentation.
  std::string ToJson(bool pretty = false) const;
};

// Rule description for conftest-style discovery.
struct RuleDesc {
  std::string package;  // "data.main"
  std::string name;     // "deny", "deny_privileged", "violation", "test_x"
  std::string kind;     // "complete", "partial_set", "partial_object", "function"
  std::string file;
  int row = 0;
};

class PreparedQuery {
 public:
  PreparedQuery();
  ~PreparedQuery();
  PreparedQuery(PreparedQuery&&) noexcept;
  PreparedQuery& operator=(PreparedQuery&&) noexcept;
  QueryResult Eval(const EvalOptions& options = {}) const;

 private:
  friend class Engine;
  std::shared_ptr<const CompiledPolicy> policy_;
  std::shared_ptr<const CompiledQuery> query_;
};

class Engine {
 public:
  explicit Engine(CompileOptions options = {});
  ~Engine();
  Engine(Engine&&) noexcept;
  Engine& operator=(Engine&&) noexcept;

  // ---- Building (single-threaded) ----
  // Parses a module now (errors are returned immediately).
  RegoStatus AddModule(std::string path, std::string text);
  RegoStatus AddModuleFile(const std::string& path);
  // Merges a document into data at `prefix` (e.g. {"kubernetes","pods"};
  // empty = root). Conflicting leaves are rego_compile_error (merge error).
  RegoStatus AddData(const Value& value, const std::vector<std::string>& prefix = {});
  RegoStatus AddDataDocument(DocValue value, const std::vector<std::string>& prefix = {});
  // Compiles all modules with the data. Must be called before evaluating.
  RegoStatus Compile();

  // ---- Evaluation (thread-safe after Compile) ----
  // Parses and compiles a query such as "data.main.allow" or "x := input.a; x > 1".
  RegoStatus PrepareQuery(std::string_view query, PreparedQuery* out) const;
  // Evaluates the ref (e.g. "data.main.deny") and returns its value, or
  // nullopt (with result.error unset) when undefined.
  QueryResult EvalRef(std::string_view ref, const EvalOptions& options = {}) const;
  // Single value of a ref; undefined → nullptr. Error in *error when set.
  std::shared_ptr<const Value> EvalValue(std::string_view ref, const EvalOptions& options,
                                         std::optional<RegoError>* error = nullptr) const;

  // ---- Introspection ----
  std::vector<std::string> Packages() const;  // "data.main", ... sorted
  std::vector<RuleDesc> Rules() const;        // every rule name once per package
  // Rules of `package` ("data.main" or "main") whose name matches the predicate.
  std::vector<RuleDesc> RulesMatching(std::string_view package,
                                      const std::function<bool(std::string_view)>& pred) const;
  // Parsed modules as OPA-shaped AST JSON (policy parse).
  bool compiled() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Parses one module and returns its AST as JSON (gatehouse policy parse).
RegoStatus ParseModuleToJson(const std::string& path, std::string_view text, bool v0_compatible,
                             std::string* json_out);
// Canonical formatting (gatehouse policy fmt). Idempotent.
RegoStatus FormatModule(const std::string& path, std::string_view text, bool v0_compatible,
                        std::string* formatted);

}  // namespace gatehouse::rego
