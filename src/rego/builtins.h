// Builtin functions of the Rego engine: the registration interface.
//
// A builtin is a plain function over already-evaluated argument Values. It
// returns a Value, Undefined (the call expression fails, like a false
// condition), or an error. Errors follow OPA: eval_type_error for operand
// type mismatches ("operand 1 must be string but got number") and
// eval_builtin_error for everything else. By default the evaluator turns a
// builtin error into "undefined" for that expression; with
// --strict-builtin-errors it aborts the query with the error. The evaluator
// prefixes messages with the builtin name ("strings.replace_n: operand 1 ...")
// and the call location, so a builtin writes only the message body.
//
// Groups. Each src/rego/builtins_<group>.cc defines one function
// RegisterBuiltins_<Group>(BuiltinRegistry&) listed below; the engine calls all
// of them once (thread-safe, lazily) to build the global registry.
//
// The language core (builtins_core.cc, owned by the engine) registers:
//   equal neq lt lte gt gte plus minus mul div rem (operators), and,
//   or (set | &), count sum product max min sort all any to_number
//   abs round ceil floor numbers.range numbers.range_step
//   bits.or bits.and bits.negate bits.xor bits.lsh bits.rsh
//   is_null is_boolean is_number is_string is_array is_object is_set type_name
//   intersection union array.concat array.slice array.reverse
//   object.get walk print trace internal.member_2 internal.member_3
//   internal.print rego.metadata.rule rego.metadata.chain
// Every other builtin belongs to a group file; a name registered twice is a
// programming error (the later registration is ignored and reported by the
// RegoBuiltins test that checks for duplicates).
//
// Thread-safety: builtins run concurrently in different evaluations; they
// must not keep mutable global state except behind their own lock (e.g. a
// compiled-regex cache). Per-evaluation state lives in BuiltinContext.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "rego/value.h"

namespace gatehouse::rego {

enum class BuiltinErrorKind : uint8_t { kType, kBuiltin };

class BuiltinResult {
 public:
  enum class State : uint8_t { kValue, kUndefined, kError };

  BuiltinResult(Value v) : state_(State::kValue), value_(std::move(v)) {}  // NOLINT: implicit
  static BuiltinResult Undefined() { return BuiltinResult(State::kUndefined); }
  // eval_builtin_error with a free-form message.
  static BuiltinResult Error(std::string message) {
    BuiltinResult r(State::kError);
    r.error_kind_ = BuiltinErrorKind::kBuiltin;
    r.message_ = std::move(message);
    return r;
  }
  // eval_type_error with a free-form message.
  static BuiltinResult TypeError(std::string message) {
    BuiltinResult r(State::kError);
    r.error_kind_ = BuiltinErrorKind::kType;
    r.message_ = std::move(message);
    return r;
  }
  // eval_type_error "operand N must be WANT but got TYPE" (operand is 1-based;
  // want is e.g. "string", "object", "one of {array, set}").
  static BuiltinResult OperandError(int operand, std::string_view want, const Value& got) {
    return TypeError("operand " + std::to_string(operand) + " must be " + std::string(want) +
                     " but got " + std::string(got.type_name()));
  }

  State state() const { return state_; }
  bool ok() const { return state_ == State::kValue; }
  bool undefined() const { return state_ == State::kUndefined; }
  bool error() const { return state_ == State::kError; }
  const Value& value() const { return value_; }
  Value& value() { return value_; }
  BuiltinErrorKind error_kind() const { return error_kind_; }
  const std::string& message() const { return message_; }

 private:
  explicit BuiltinResult(State s) : state_(s) {}
  State state_;
  BuiltinErrorKind error_kind_ = BuiltinErrorKind::kBuiltin;
  Value value_;
  std::string message_;
};

// Where the call is, for error messages.
struct SourceLocation {
  std::string_view file;
  int row = 0;
  int col = 0;
};

// Per-evaluation services for builtins. One context per evaluation; never
// shared between threads.
class BuiltinContext {
 public:
  // time.now_ns(): fixed for the whole query (OPA semantics).
  int64_t now_ns = 0;
  // Seedable RNG for rand.intn / uuid.rfc4122 (EvalOptions::seed).
  std::mt19937_64 rng{0};
  // Memoization of rand.intn / uuid.rfc4122 per (args) within one query as
  // OPA does: builtins may store anything here keyed by their own strings.
  std::unordered_map<std::string, Value> memo;
  // Output of print() (already formatted line, no trailing newline).
  std::function<void(std::string_view)> print;
  // Runtime document for opa.runtime() (env, version, config).
  Value runtime;
  // Location of the call being evaluated.
  SourceLocation location;
  // Strict builtin errors requested (informational; the evaluator decides).
  bool strict_builtin_errors = false;

  // True when the evaluation ran out of time/memory or was cancelled. Long
  // loops in builtins (e.g. net.cidr_expand, numbers.range) should check it
  // and return BuiltinResult::Error("cancelled") when true.
  bool Cancelled() const { return cancel_check_ && cancel_check_(); }
  void set_cancel_check(std::function<bool()> f) { cancel_check_ = std::move(f); }

 private:
  std::function<bool()> cancel_check_;
};

using BuiltinFn = BuiltinResult (*)(std::span<const Value> args, BuiltinContext& ctx);

struct BuiltinDef {
  std::string name;  // full dotted name, e.g. "strings.replace_n"
  int arity = 0;     // number of arguments; -1 = variadic (print)
  BuiltinFn fn = nullptr;
  bool nondeterministic = false;  // time.now_ns, rand.*, http.*: never cached
  bool deprecated = false;        // rejected in Rego v1 modules (OPA 1.x)
};

class BuiltinRegistry {
 public:
  // Ignores (and records) a second registration of the same name.
  void Add(BuiltinDef def);
  void Add(std::string name, int arity, BuiltinFn fn) {
    BuiltinDef d;
    d.name = std::move(name);
    d.arity = arity;
    d.fn = fn;
    Add(std::move(d));
  }
  const BuiltinDef* Find(std::string_view name) const;
  const std::vector<std::unique_ptr<BuiltinDef>>& all() const { return defs_; }
  const std::vector<std::string>& duplicates() const { return duplicates_; }

 private:
  std::vector<std::unique_ptr<BuiltinDef>> defs_;
  std::unordered_map<std::string, const BuiltinDef*> by_name_;
  std::vector<std::string> duplicates_;
};

// The process-wide registry with every group registered (built once).
const BuiltinRegistry& GlobalBuiltins();

// ---- Groups (one file each: src/rego/builtins_<group>.cc) --------------
void RegisterBuiltins_Core(BuiltinRegistry& r);      // builtins_core.cc (engine)
void RegisterBuiltins_Strings(BuiltinRegistry& r);   // concat sprintf format_int split replace
                                                     // trim* startswith endswith contains
                                                     // indexof(_n) substring upper lower
                                                     // strings.* (replace_n, count,
                                                     // any_prefix/suffix_match,
                                                     // render_template, reverse)
void RegisterBuiltins_Regex(BuiltinRegistry& r);     // regex.* glob.match glob.quote_meta
void RegisterBuiltins_Encoding(BuiltinRegistry& r);  // json.* yaml.* base64* hex.* urlquery.*
void RegisterBuiltins_Time(BuiltinRegistry& r);      // time.*
void RegisterBuiltins_Net(BuiltinRegistry& r);       // net.cidr_*
void RegisterBuiltins_Crypto(BuiltinRegistry& r);    // crypto.* (hash, hmac, x509)
void RegisterBuiltins_Jwt(BuiltinRegistry& r);       // io.jwt.*
void RegisterBuiltins_Objects(BuiltinRegistry& r);   // object.* (except object.get),
                                                     // json.patch/filter/remove
void RegisterBuiltins_Misc(BuiltinRegistry& r);      // units.* semver.* uuid.* rand.intn
                                                     // opa.runtime and anything else

}  // namespace gatehouse::rego
