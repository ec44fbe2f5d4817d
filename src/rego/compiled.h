// Compiled policy representation shared by the compiler (compile.cc), the
// evaluator (eval.cc) and the embedding API (engine.cc). Internal.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "gatehouse/rego.h"
#include "rego/ast.h"
#include "rego/builtins.h"

namespace gatehouse::rego {

// All definitions of one rule path (data.<pkg>.<rule path>).
struct RuleSet {
  std::vector<std::string> path;  // full path after data
  RuleKind kind = RuleKind::kComplete;
  std::vector<Rule*> rules;
  Rule* default_rule = nullptr;
  int arity = 0;                // functions
  bool all_same_const = false;  // every definition has the same ground value
  std::string Name() const;     // "data.a.b"
};

struct DataNode {
  std::map<std::string, std::unique_ptr<DataNode>> children;
  RuleSet* rules = nullptr;
  Value base;  // base data at this path (undefined = none): kNull with has_base=false
  bool has_base = false;
  bool has_rules_below = false;
};

struct CompiledPolicy {
  std::vector<std::unique_ptr<Module>> modules;
  std::vector<std::unique_ptr<RuleSet>> rule_sets;
  DataNode root;
  Value data;  // base data document (object)
  const BuiltinRegistry* builtins = nullptr;
  CompileOptions options;
  const RuleSet* FindRuleSet(const std::vector<std::string>& path) const;
};

struct CompiledQuery {
  std::unique_ptr<Module> holder;  // owns file name/source for locations
  Body body;
  int num_slots = 0;
  std::vector<std::string> slot_names;
  std::vector<std::pair<std::string, int>> bindings;  // user-visible vars (sorted by first use)
};

// Compiles modules + data into a policy. Errors in *status.
std::shared_ptr<CompiledPolicy> CompilePolicy(std::vector<std::unique_ptr<Module>> modules,
                                              Value data, const CompileOptions& options,
                                              RegoStatus* status);
// Compiles a query body against a policy (package context: none).
std::shared_ptr<CompiledQuery> CompileQuery(const CompiledPolicy& policy, std::string_view text,
                                            RegoStatus* status);

// Evaluates a compiled query.
QueryResult EvalQuery(const CompiledPolicy& policy, const CompiledQuery& query,
                      const EvalOptions& options);

}  // namespace gatehouse::rego
