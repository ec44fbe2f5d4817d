// Rego abstract syntax tree (internal to the engine).
//
// The parser (parser.cc) builds Modules of Rules whose bodies are Exprs over
// Terms. Terms are a tagged tree; the compiler (eval.cc) resolves names in
// place (a Var becomes a local slot, a rule reference, or an import) and the
// evaluator walks the same nodes. Nodes are owned by unique_ptr and never
// move after parsing, so raw pointers between them are stable.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "gatehouse/rego.h"
#include "rego/value.h"

namespace gatehouse::rego {

struct Loc {
  int row = 0;
  int col = 0;
  const std::string* file = nullptr;  // owned by the Module
  int offset = 0;                     // byte offset in the source
  int end = 0;                        // byte offset past the construct (where known)
};

struct Expr;
struct Term;
struct Rule;
struct Module;
using TermPtr = std::unique_ptr<Term>;
using Body = std::vector<std::unique_ptr<Expr>>;

enum class TermKind : uint8_t {
  kScalar,       // value (null, bool, number, string)
  kVar,          // name; slot after compile (-1 = not a local)
  kRef,          // items[0] head (var or other term), items[1..] steps
  kArray,        // items
  kSet,          // items
  kObject,       // items: k0, v0, k1, v1, ...
  kArrayCompr,   // items[0] head; body
  kSetCompr,     // items[0] head; body
  kObjectCompr,  // items[0] key, items[1] value; body
  kCall,         // name (dotted operator), items = args
};

// What a resolved Var or Ref head stands for (set by the compiler).
enum class VarRes : uint8_t { kUnresolved, kLocal, kInput, kData, kWildcard };

struct Term {
  TermKind kind = TermKind::kScalar;
  Value value;                 // kScalar
  std::string name;            // kVar name; kCall function name ("plus", "data.lib.f")
  std::vector<TermPtr> items;  // see TermKind
  Body body;                   // comprehensions
  Loc loc;
  // Compiler annotations.
  VarRes res = VarRes::kUnresolved;
  int slot = -1;                      // kVar local slot
  const void* call_target = nullptr;  // kCall: resolved BuiltinDef or function RuleSet
  bool call_is_builtin = false;
  bool ground = false;          // no vars at all (can be pre-evaluated)
  std::vector<int> free_slots;  // comprehensions: slots of enclosing scopes used inside
  int arity = -1;               // kCall: declared arity of the resolved target
};

struct WithMod {
  TermPtr target;  // ref: input..., data..., or a function name
  TermPtr value;
  Loc loc;
  // Compiler annotations: what the target is.
  enum class Target : uint8_t { kInput, kData, kFunction } target_kind = Target::kInput;
  std::vector<std::string> path;    // input/data path after the root
  const void* fn_target = nullptr;  // BuiltinDef* or RuleSet*
  bool fn_is_builtin = false;
};

enum class ExprKind : uint8_t {
  kTerm,    // a term (call or value); true unless false/undefined
  kUnify,   // lhs = rhs
  kAssign,  // lhs := rhs (declares lhs vars)
  kSome,    // some x, y (declaration only)
  kSomeIn,  // some [key,] value in collection
  kEvery,   // every [key,] value in domain { body }
};

struct Expr {
  ExprKind kind = ExprKind::kTerm;
  bool negated = false;
  TermPtr term;                    // kTerm
  TermPtr lhs, rhs;                // kUnify / kAssign
  std::vector<TermPtr> some_vars;  // kSome
  TermPtr key, val, collection;    // kSomeIn / kEvery (key may be null)
  Body body;                       // kEvery
  std::vector<WithMod> withs;
  Loc loc;
  std::string text;      // source text of the expression (for query results)
  int index = 0;         // original position in its body
  int record_slot = -1;  // queries: hidden slot receiving a kTerm's value
};

enum class RuleKind : uint8_t { kComplete, kPartialSet, kPartialObject, kFunction };

struct ElseClause {
  TermPtr value;  // null = true
  Body body;
  Loc loc;
};

struct Annotations {
  Value value;  // the parsed METADATA block as an object
  std::string scope;
};

struct Rule {
  RuleKind kind = RuleKind::kComplete;
  // Head ref: name parts after the package. path[0] is the rule name; more
  // constant parts for ref heads (a.b.c := 1); key is the variable last part
  // (p[x] / p contains x / p.q[x] := v).
  std::vector<std::string> path;
  TermPtr key;                // partial set element / partial object key
  TermPtr value;              // complete/object value / function result (null = true)
  std::vector<TermPtr> args;  // functions
  Body body;
  std::vector<ElseClause> elses;
  bool is_default = false;
  bool has_if = false;
  bool has_contains = false;
  bool assign = false;  // := head
  Loc loc;
  Module* module = nullptr;
  std::vector<Annotations> annotations;
  // Compiler annotations.
  int num_slots = 0;
  struct IndexGuard {
    std::vector<std::string> input_path;  // input.a.b == value
    Value value;
  };
  std::vector<IndexGuard> guards;
  bool value_ground = false;
  std::vector<std::string> slot_names;
};

struct Import {
  std::vector<std::string> path;  // ["data","lib","x"] or ["input"] or ["future","keywords","in"]
  std::string alias;
  Loc loc;
};

struct Module {
  std::string file;
  std::string source;
  std::vector<std::string> package;  // after "data"
  Loc package_loc;
  std::vector<Import> imports;
  std::vector<std::unique_ptr<Rule>> rules;
  bool v1 = true;  // parsed as Rego v1
  std::vector<Annotations> package_annotations;
  std::vector<std::pair<int, std::string>> comments;  // (row, text after '#')
};

struct ParseOptions {
  bool v0_compatible = false;
};

// Parses a module. Errors are rego_parse_error with file:row:col.
std::unique_ptr<Module> ParseModule(const std::string& file, std::string_view text,
                                    const ParseOptions& opts, RegoStatus* status);
// Parses a query body ("x := input.a; x > 1"). The module provides the file
// name storage and keywords context.
bool ParseQuery(std::string_view text, Module* holder, Body* out, RegoStatus* status);
// Parses a ref like "data.main.deny" into a Ref term.
TermPtr ParseRefText(std::string_view text, Module* holder, RegoStatus* status);

// Source line `row` (1-based) of text, without newline.
std::string SourceLine(std::string_view text, int row);
RegoError MakeRegoError(std::string code, std::string message, const Loc& loc,
                        std::string_view source);

// AST → JSON (policy parse) and canonical Rego text (policy fmt).
std::string ModuleToJson(const Module& m);
std::string FormatModuleText(const Module& m);
std::string TermToString(const Term& t);

}  // namespace gatehouse::rego
