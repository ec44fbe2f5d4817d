// Rego compiler: name resolution, safety and body reordering, rule sets,
// recursion detection and rule index guards.
//
// Resolution. Every Var in a rule is resolved, in this order, to a local
// variable of an enclosing scope, the roots `input`/`data`, an import alias,
// or a rule of the same package (rewritten to a data ref), and otherwise is
// declared as a new local of the body it appears in. Names declared with
// `some` or `:=` always create a new local (shadowing). Comprehension and
// `every` bodies open a nested scope; a name already visible from the
// enclosing body refers to the enclosing variable (OPA's closure rule), and
// the comprehension records such "free" slots so the safety check can make
// the enclosing body bind them first.
//
// Safety (OPA "safety" in the policy reference): an expression may run only
// when every variable it reads is bound; evaluating it binds its output
// variables (pattern positions of `=`/`:=`, unbound ref keys such as `i` in
// `xs[i]`, `some … in` patterns, the output argument of a call). Bodies are
// reordered greedily: take the first expression that is safe given what is
// bound, repeat; if none is, the first unbound variable is reported as
// rego_unsafe_var_error. Head variables must be bound by the body.
//
// Recursion. References between rule sets form a graph (data refs with a
// constant prefix and function calls); any cycle is rego_recursion_error.
//
// Index guards. A top-level body expression `input.a.b == "const"` (or `=`)
// becomes a guard checked before the rule body runs, so an admission policy
// with many rules keyed on input.request.kind.kind only evaluates the ones
// whose guard matches.
#include <algorithm>
#include <functional>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "rego/compiled.h"

namespace gatehouse::rego {

std::string RuleSet::Name() const {
  std::string s = "data";
  for (const auto& p : path) {
    s += '.';
    s += p;
  }
  return s;
}

const RuleSet* CompiledPolicy::FindRuleSet(const std::vector<std::string>& path) const {
  const DataNode* n = &root;
  for (const auto& p : path) {
    auto it = n->children.find(p);
    if (it == n->children.end()) return nullptr;
    n = it->second.get();
  }
  return n->rules;
}

namespace {

std::string JoinPath(const std::vector<std::string>& p) {
  std::string s = "data";
  for (const auto& x : p) {
    s += '.';
    s += x;
  }
  return s;
}

TermPtr MakeVarTerm(const std::string& name, const Loc& loc, VarRes res) {
  auto t = std::make_unique<Term>();
  t->kind = TermKind::kVar;
  t->name = name;
  t->loc = loc;
  t->res = res;
  return t;
}

TermPtr MakeStringTerm(const std::string& s, const Loc& loc) {
  auto t = std::make_unique<Term>();
  t->kind = TermKind::kScalar;
  t->value = Value::String(s);
  t->loc = loc;
  t->ground = true;
  return t;
}

struct PackageInfo {
  std::set<std::string> rule_names;  // first path element of each rule
};

class Compiler;

// Compiles one rule (or query): owns the scope stack and slot table.
class BodyCompiler {
 public:
  BodyCompiler(Compiler* c, Module* m, const std::vector<std::string>* package, bool is_query)
      : c_(c), m_(m), package_(package), is_query_(is_query) {}

  void CompileRule(Rule* r);
  void CompileQuery(Body* body, CompiledQuery* q);

  int num_slots() const { return static_cast<int>(slot_names_.size()); }
  std::vector<std::string> slot_names_;
  std::vector<int> slot_depth_;
  std::vector<Loc> slot_loc_;

 private:
  friend class Compiler;
  int NewSlot(const std::string& name, const Loc& loc) {
    slot_names_.push_back(name);
    slot_depth_.push_back(static_cast<int>(scopes_.size()) - 1);
    slot_loc_.push_back(loc);
    int s = static_cast<int>(slot_names_.size()) - 1;
    if (name != "_") scopes_.back()[name] = s;
    return s;
  }
  int Lookup(const std::string& name) const {
    for (size_t i = scopes_.size(); i-- > 0;) {
      auto it = scopes_[i].find(name);
      if (it != scopes_[i].end()) return it->second;
    }
    return -1;
  }
  bool IsGlobalName(const std::string& name) const;

  // Pre-pass: declare the names used at this body level.
  void DeclareBody(Body& body, std::vector<Term*> extra_terms);
  void CollectNames(Term* t, std::vector<Term*>* vars);
  void CollectDeclared(Expr* e, std::vector<Term*>* vars);
  void CollectPatternVars(Term* t, std::vector<Term*>* vars);

  void ResolveBody(Body& body);
  void ResolveExpr(Expr* e);
  void ResolveTerm(TermPtr& t);
  void ResolveCall(Term* t);
  void ResolveWith(WithMod* w);
  void ResolveNested(Term* t);  // comprehension

  // Safety
  void Reorder(Body& body, std::vector<char> bound, int depth);
  void ReorderNested(Term* t, int depth);
  void ReorderNestedExpr(Expr* e, int depth);
  bool ExprSafe(const Expr* e, std::vector<char>& bound, int* bad_slot);
  void ValueVars(const Term* t, const std::vector<char>& b, std::vector<int>& needs,
                 std::vector<int>& outs);
  void PatternVars(const Term* t, const std::vector<char>& b, std::vector<int>& needs,
                   std::vector<int>& outs);
  bool UnifySafe(const Term* a, const Term* b, std::vector<char>& bound, int* bad);
  void UsedSlots(const Term* t, std::vector<int>& out);
  void UsedSlotsBody(const Body& b, std::vector<int>& out);
  void Unsafe(int slot);

  Compiler* c_;
  Module* m_;
  const std::vector<std::string>* package_;
  [[maybe_unused]] bool is_query_;
  std::vector<std::unordered_map<std::string, int>> scopes_;
  Rule* rule_ = nullptr;
  bool assign_only_ = false;
};

class Compiler {
 public:
  Compiler(CompiledPolicy* p, RegoStatus* st) : p_(p), st_(st) {}

  void Error(const std::string& code, const std::string& msg, const Loc& loc) {
    std::string_view src;
    for (const auto& m : p_->modules) {
      if (loc.file == &m->file) src = m->source;
    }
    if (query_src_ && loc.file == query_file_) src = *query_src_;
    st_->errors.push_back(MakeRegoError(code, msg, loc, src));
  }

  bool Build();
  void CompileRules();
  void CheckRecursion();
  void BuildGuards(Rule* r);

  CompiledPolicy* p_;
  RegoStatus* st_;
  std::unordered_map<std::string, PackageInfo> packages_;  // key: joined package path
  const std::string* query_src_ = nullptr;
  const std::string* query_file_ = nullptr;
  // Rule set → rule sets it references (for recursion detection).
  std::unordered_map<const RuleSet*, std::set<const RuleSet*>> deps_;
  const RuleSet* current_set_ = nullptr;

  const PackageInfo* Package(const std::vector<std::string>& pkg) const {
    std::string k;
    for (const auto& s : pkg) k += s + "\x1f";
    auto it = packages_.find(k);
    return it == packages_.end() ? nullptr : &it->second;
  }
  static std::string PkgKey(const std::vector<std::string>& pkg) {
    std::string k;
    for (const auto& s : pkg) k += s + "\x1f";
    return k;
  }
  DataNode* NodeFor(const std::vector<std::string>& path, bool create) {
    DataNode* n = &p_->root;
    for (const auto& s : path) {
      auto it = n->children.find(s);
      if (it == n->children.end()) {
        if (!create) return nullptr;
        it = n->children.emplace(s, std::make_unique<DataNode>()).first;
      }
      n = it->second.get();
    }
    return n;
  }
  // Record a dependency from the rule set being compiled to whatever a data
  // ref with this constant prefix reaches.
  void NoteRef(const std::vector<std::string>& prefix) {
    if (!current_set_) return;
    const DataNode* n = &p_->root;
    for (const auto& s : prefix) {
      if (n->rules) break;
      auto it = n->children.find(s);
      if (it == n->children.end()) return;
      n = it->second.get();
    }
    std::function<void(const DataNode*)> all = [&](const DataNode* d) {
      if (d->rules) deps_[current_set_].insert(d->rules);
      for (const auto& [k, ch] : d->children) all(ch.get());
    };
    all(n);
  }
};

// ---- Resolution -------------------------------------------------------------

bool BodyCompiler::IsGlobalName(const std::string& name) const {
  if (name == "input" || name == "data") return true;
  for (const auto& imp : m_->imports) {
    if (imp.path.empty()) continue;
    if (imp.path[0] != "data" && imp.path[0] != "input") continue;
    std::string alias = imp.alias.empty() ? imp.path.back() : imp.alias;
    if (alias == name) return true;
  }
  if (package_) {
    const PackageInfo* pi = c_->Package(*package_);
    if (pi && pi->rule_names.count(name)) return true;
  }
  return false;
}

void BodyCompiler::CollectPatternVars(Term* t, std::vector<Term*>* vars) {
  if (!t) return;
  if (t->kind == TermKind::kVar) {
    vars->push_back(t);
  } else if (t->kind == TermKind::kArray) {
    for (auto& i : t->items) CollectPatternVars(i.get(), vars);
  } else if (t->kind == TermKind::kObject) {
    for (size_t i = 1; i < t->items.size(); i += 2) CollectPatternVars(t->items[i].get(), vars);
  }
}

void BodyCompiler::CollectDeclared(Expr* e, std::vector<Term*>* vars) {
  if (e->kind == ExprKind::kSome) {
    for (auto& v : e->some_vars) vars->push_back(v.get());
  } else if (e->kind == ExprKind::kSomeIn) {
    CollectPatternVars(e->key.get(), vars);
    CollectPatternVars(e->val.get(), vars);
  } else if (e->kind == ExprKind::kAssign) {
    CollectPatternVars(e->lhs.get(), vars);
  }
}

void BodyCompiler::CollectNames(Term* t, std::vector<Term*>* vars) {
  if (!t) return;
  switch (t->kind) {
    case TermKind::kVar:
      vars->push_back(t);
      return;
    case TermKind::kArrayCompr:
    case TermKind::kSetCompr:
    case TermKind::kObjectCompr:
      return;  // own scope
    default:
      for (auto& i : t->items) CollectNames(i.get(), vars);
  }
}

void BodyCompiler::DeclareBody(Body& body, std::vector<Term*> extra) {
  std::vector<Term*> declared;
  for (auto& e : body) CollectDeclared(e.get(), &declared);
  for (Term* v : declared) {
    if (v->name == "_") continue;
    if (v->name == "input" || v->name == "data") {
      if (m_->v1 || true) {
        c_->Error("rego_compile_error",
                  "variables must not shadow " + v->name + " (use a different variable name)",
                  v->loc);
      }
      continue;
    }
    if (scopes_.back().count(v->name)) {
      // `some x` followed by `x := ...`, or two `:=` of the same name.
      bool assign_twice = false;
      for (auto& e : body) {
        if (e->kind == ExprKind::kAssign) {
          std::vector<Term*> pv;
          CollectPatternVars(e->lhs.get(), &pv);
          for (Term* p : pv) {
            if (p == v) assign_twice = true;
          }
        }
      }
      if (assign_twice)
        c_->Error("rego_compile_error", "var " + v->name + " assigned above", v->loc);
      continue;
    }
    NewSlot(v->name, v->loc);
  }
  std::vector<Term*> used = std::move(extra);
  for (auto& e : body) {
    CollectNames(e->term.get(), &used);
    CollectNames(e->lhs.get(), &used);
    CollectNames(e->rhs.get(), &used);
    CollectNames(e->key.get(), &used);
    CollectNames(e->val.get(), &used);
    CollectNames(e->collection.get(), &used);
    for (auto& w : e->withs) CollectNames(w.value.get(), &used);
  }
  for (Term* v : used) {
    if (v->name == "_") continue;
    if (Lookup(v->name) >= 0 || IsGlobalName(v->name)) continue;
    if (c_->p_->builtins->Find(v->name) && false) continue;
    NewSlot(v->name, v->loc);
  }
}

void BodyCompiler::ResolveBody(Body& body) {
  for (auto& e : body) ResolveExpr(e.get());
}

void BodyCompiler::ResolveExpr(Expr* e) {
  if (e->term) ResolveTerm(e->term);
  if (e->lhs) ResolveTerm(e->lhs);
  if (e->rhs) ResolveTerm(e->rhs);
  if (e->kind == ExprKind::kSome) {
    for (auto& v : e->some_vars) ResolveTerm(v);
  }
  if (e->kind == ExprKind::kEvery) {
    ResolveTerm(e->collection);
    scopes_.emplace_back();
    if (e->key && e->key->kind == TermKind::kVar) NewSlot(e->key->name, e->key->loc);
    if (e->val && e->val->kind == TermKind::kVar) NewSlot(e->val->name, e->val->loc);
    if (e->key) ResolveTerm(e->key);
    ResolveTerm(e->val);
    DeclareBody(e->body, {});
    ResolveBody(e->body);
    scopes_.pop_back();
  } else {
    if (e->key) ResolveTerm(e->key);
    if (e->val) ResolveTerm(e->val);
    if (e->collection) ResolveTerm(e->collection);
  }
  for (auto& w : e->withs) ResolveWith(&w);
}

void BodyCompiler::ResolveWith(WithMod* w) {
  ResolveTerm(w->value);
  // Target: input..., data..., or a function (builtin or rule).
  Term* t = w->target.get();
  std::vector<std::string> names;
  if (t->kind == TermKind::kVar) {
    names.push_back(t->name);
  } else if (t->kind == TermKind::kRef && t->items[0]->kind == TermKind::kVar) {
    names.push_back(t->items[0]->name);
    for (size_t i = 1; i < t->items.size(); ++i) {
      if (t->items[i]->kind != TermKind::kScalar || !t->items[i]->value.IsString()) {
        c_->Error("rego_compile_error", "with target must be a ref of names", t->loc);
        return;
      }
      names.emplace_back(t->items[i]->value.AsString());
    }
  } else {
    c_->Error("rego_compile_error", "with target must be a ref", t->loc);
    return;
  }
  if (names[0] == "input") {
    w->target_kind = WithMod::Target::kInput;
    w->path.assign(names.begin() + 1, names.end());
    return;
  }
  std::string dotted;
  for (size_t i = 0; i < names.size(); ++i) dotted += (i ? "." : "") + names[i];
  if (names[0] != "data") {
    if (const BuiltinDef* b = c_->p_->builtins->Find(dotted)) {
      w->target_kind = WithMod::Target::kFunction;
      w->fn_target = b;
      w->fn_is_builtin = true;
      return;
    }
    // Package-local rule or import.
    std::vector<std::string> full;
    for (const auto& imp : m_->imports) {
      std::string alias = imp.alias.empty() ? imp.path.back() : imp.alias;
      if (alias == names[0] && imp.path[0] == "data") {
        full.assign(imp.path.begin() + 1, imp.path.end());
        full.insert(full.end(), names.begin() + 1, names.end());
      }
    }
    if (full.empty() && package_) {
      full = *package_;
      full.insert(full.end(), names.begin(), names.end());
    }
    names = full;
  } else {
    names.erase(names.begin());
  }
  if (const RuleSet* rs = c_->p_->FindRuleSet(names); rs && rs->kind == RuleKind::kFunction) {
    w->target_kind = WithMod::Target::kFunction;
    w->fn_target = rs;
    w->fn_is_builtin = false;
    return;
  }
  w->target_kind = WithMod::Target::kData;
  w->path = names;
}

void BodyCompiler::ResolveNested(Term* t) {
  scopes_.emplace_back();
  std::vector<Term*> extra;
  for (auto& h : t->items) CollectNames(h.get(), &extra);
  DeclareBody(t->body, extra);
  ResolveBody(t->body);
  for (auto& h : t->items) ResolveTerm(h);
  scopes_.pop_back();
}

void BodyCompiler::ResolveCall(Term* t) {
  for (auto& a : t->items) ResolveTerm(a);
  const std::string& name = t->name;
  // Function rules: package-local, imported, or data.x.f.
  std::vector<std::string> parts;
  size_t st = 0;
  while (true) {
    size_t dot = name.find('.', st);
    parts.push_back(name.substr(st, dot == std::string::npos ? std::string::npos : dot - st));
    if (dot == std::string::npos) break;
    st = dot + 1;
  }
  std::vector<std::vector<std::string>> candidates;
  if (parts[0] == "data") {
    candidates.emplace_back(parts.begin() + 1, parts.end());
  } else {
    if (Lookup(parts[0]) < 0) {
      for (const auto& imp : m_->imports) {
        if (imp.path.empty() || imp.path[0] != "data") continue;
        std::string alias = imp.alias.empty() ? imp.path.back() : imp.alias;
        if (alias == parts[0]) {
          std::vector<std::string> f(imp.path.begin() + 1, imp.path.end());
          f.insert(f.end(), parts.begin() + 1, parts.end());
          candidates.push_back(f);
        }
      }
      if (package_) {
        const PackageInfo* pi = c_->Package(*package_);
        if (pi && pi->rule_names.count(parts[0])) {
          std::vector<std::string> f = *package_;
          f.insert(f.end(), parts.begin(), parts.end());
          candidates.push_back(f);
        }
      }
    }
  }
  for (const auto& cand : candidates) {
    if (const RuleSet* rs = c_->p_->FindRuleSet(cand)) {
      if (rs->kind != RuleKind::kFunction) {
        // Calling a non-function rule: OPA reports a type error.
        c_->Error("rego_type_error", rs->Name() + " is not a function", t->loc);
        return;
      }
      t->call_target = rs;
      t->call_is_builtin = false;
      t->arity = rs->arity;
      t->name = rs->Name();
      if (c_->current_set_) c_->deps_[c_->current_set_].insert(rs);
      if (static_cast<int>(t->items.size()) != rs->arity &&
          static_cast<int>(t->items.size()) != rs->arity + 1) {
        c_->Error("rego_type_error",
                  t->name + ": arity mismatch: expected " + std::to_string(rs->arity) +
                      " argument(s), got " + std::to_string(t->items.size()),
                  t->loc);
      }
      return;
    }
  }
  const BuiltinDef* b = c_->p_->builtins->Find(name);
  if (!b) {
    c_->Error("rego_type_error", "undefined function " + name, t->loc);
    return;
  }
  if (b->deprecated && m_->v1) {
    c_->Error("rego_type_error", "deprecated built-in function calls in expression: " + name,
              t->loc);
    return;
  }
  t->call_target = b;
  t->call_is_builtin = true;
  t->arity = b->arity;
  if (b->arity >= 0 && static_cast<int>(t->items.size()) != b->arity &&
      static_cast<int>(t->items.size()) != b->arity + 1) {
    c_->Error("rego_type_error",
              name + ": arity mismatch: expected " + std::to_string(b->arity) +
                  " argument(s), got " + std::to_string(t->items.size()),
              t->loc);
  }
}

void BodyCompiler::ResolveTerm(TermPtr& t) {
  switch (t->kind) {
    case TermKind::kScalar:
      t->ground = true;
      return;
    case TermKind::kVar: {
      const std::string& n = t->name;
      if (n == "_") {
        t->res = VarRes::kLocal;
        t->slot = NewSlot("_", t->loc);
        return;
      }
      int s = Lookup(n);
      if (s >= 0) {
        t->res = VarRes::kLocal;
        t->slot = s;
        return;
      }
      if (n == "input") {
        t->res = VarRes::kInput;
        return;
      }
      if (n == "data") {
        t->res = VarRes::kData;
        c_->NoteRef({});
        return;
      }
      // Import alias or package rule: rewrite to a ref.
      std::vector<std::string> path;
      VarRes root = VarRes::kData;
      bool found = false;
      for (const auto& imp : m_->imports) {
        if (imp.path.empty() || (imp.path[0] != "data" && imp.path[0] != "input")) continue;
        std::string alias = imp.alias.empty() ? imp.path.back() : imp.alias;
        if (alias == n) {
          root = imp.path[0] == "data" ? VarRes::kData : VarRes::kInput;
          path.assign(imp.path.begin() + 1, imp.path.end());
          found = true;
        }
      }
      if (!found && package_) {
        const PackageInfo* pi = c_->Package(*package_);
        if (pi && pi->rule_names.count(n)) {
          path = *package_;
          path.push_back(n);
          found = true;
        }
      }
      if (!found) {
        // Not declared anywhere: declare in the innermost scope.
        t->res = VarRes::kLocal;
        t->slot = NewSlot(n, t->loc);
        return;
      }
      Loc loc = t->loc;
      if (path.empty()) {
        t->res = root;
        t->name = root == VarRes::kData ? "data" : "input";
        if (root == VarRes::kData) c_->NoteRef({});
        return;
      }
      auto r = std::make_unique<Term>();
      r->kind = TermKind::kRef;
      r->loc = loc;
      r->items.push_back(MakeVarTerm(root == VarRes::kData ? "data" : "input", loc, root));
      for (const auto& p : path) r->items.push_back(MakeStringTerm(p, loc));
      if (root == VarRes::kData) c_->NoteRef(path);
      t = std::move(r);
      return;
    }
    case TermKind::kRef: {
      // Resolve the head; splice when it expands to a ref.
      if (t->items[0]->kind == TermKind::kVar && t->items[0]->name == "data" &&
          Lookup("data") < 0) {
        t->items[0]->res = VarRes::kData;
      } else {
        ResolveTerm(t->items[0]);
      }
      if (t->items[0]->kind == TermKind::kRef) {
        TermPtr head = std::move(t->items[0]);
        std::vector<TermPtr> items = std::move(head->items);
        for (size_t i = 1; i < t->items.size(); ++i) items.push_back(std::move(t->items[i]));
        t->items = std::move(items);
      }
      for (size_t i = 1; i < t->items.size(); ++i) ResolveTerm(t->items[i]);
      if (t->items[0]->kind == TermKind::kVar && t->items[0]->res == VarRes::kData) {
        std::vector<std::string> prefix;
        for (size_t i = 1; i < t->items.size(); ++i) {
          if (t->items[i]->kind != TermKind::kScalar || !t->items[i]->value.IsString()) break;
          prefix.emplace_back(t->items[i]->value.AsString());
        }
        c_->NoteRef(prefix);
      }
      return;
    }
    case TermKind::kArray:
    case TermKind::kSet:
    case TermKind::kObject: {
      bool g = true;
      for (auto& i : t->items) {
        ResolveTerm(i);
        g = g && i->ground;
      }
      t->ground = g;
      if (g) {
        // Constant fold.
        if (t->kind == TermKind::kArray) {
          std::vector<Value> v;
          for (auto& i : t->items) v.push_back(i->value);
          t->value = Value::Array(std::move(v));
        } else if (t->kind == TermKind::kSet) {
          std::vector<Value> v;
          for (auto& i : t->items) v.push_back(i->value);
          t->value = Value::Set(std::move(v));
        } else {
          std::vector<ObjectItem> v;
          for (size_t i = 0; i + 1 < t->items.size(); i += 2)
            v.emplace_back(t->items[i]->value, t->items[i + 1]->value);
          t->value = Value::Object(std::move(v));
        }
      }
      return;
    }
    case TermKind::kArrayCompr:
    case TermKind::kSetCompr:
    case TermKind::kObjectCompr:
      ResolveNested(t.get());
      return;
    case TermKind::kCall:
      ResolveCall(t.get());
      return;
  }
}

// ---- Safety -------------------------------------------------------------

void BodyCompiler::UsedSlots(const Term* t, std::vector<int>& out) {
  if (!t) return;
  if (t->kind == TermKind::kVar && t->res == VarRes::kLocal) out.push_back(t->slot);
  for (const auto& i : t->items) UsedSlots(i.get(), out);
  UsedSlotsBody(t->body, out);
}

void BodyCompiler::UsedSlotsBody(const Body& b, std::vector<int>& out) {
  for (const auto& e : b) {
    UsedSlots(e->term.get(), out);
    UsedSlots(e->lhs.get(), out);
    UsedSlots(e->rhs.get(), out);
    UsedSlots(e->key.get(), out);
    UsedSlots(e->val.get(), out);
    UsedSlots(e->collection.get(), out);
    for (const auto& v : e->some_vars) UsedSlots(v.get(), out);
    UsedSlotsBody(e->body, out);
    for (const auto& w : e->withs) UsedSlots(w.value.get(), out);
  }
}

void BodyCompiler::ValueVars(const Term* t, const std::vector<char>& b, std::vector<int>& needs,
                             std::vector<int>& outs) {
  switch (t->kind) {
    case TermKind::kScalar:
      return;
    case TermKind::kVar:
      if (t->res == VarRes::kLocal && !b[static_cast<size_t>(t->slot)]) needs.push_back(t->slot);
      return;
    case TermKind::kRef: {
      const Term* h = t->items[0].get();
      if (h->kind == TermKind::kVar) {
        if (h->res == VarRes::kLocal && !b[static_cast<size_t>(h->slot)]) needs.push_back(h->slot);
      } else {
        ValueVars(h, b, needs, outs);
      }
      for (size_t i = 1; i < t->items.size(); ++i) {
        const Term* s = t->items[i].get();
        if (s->kind == TermKind::kVar || s->kind == TermKind::kArray ||
            s->kind == TermKind::kObject) {
          PatternVars(s, b, needs, outs);
        } else {
          ValueVars(s, b, needs, outs);
        }
      }
      return;
    }
    case TermKind::kArray:
    case TermKind::kSet:
    case TermKind::kObject:
      for (const auto& i : t->items) ValueVars(i.get(), b, needs, outs);
      return;
    case TermKind::kArrayCompr:
    case TermKind::kSetCompr:
    case TermKind::kObjectCompr:
      for (int s : t->free_slots) {
        if (!b[static_cast<size_t>(s)]) needs.push_back(s);
      }
      return;
    case TermKind::kCall: {
      size_t n = t->items.size();
      bool has_out = t->arity >= 0 && static_cast<int>(n) == t->arity + 1;
      for (size_t i = 0; i < n; ++i) {
        if (has_out && i + 1 == n) {
          PatternVars(t->items[i].get(), b, needs, outs);
        } else {
          ValueVars(t->items[i].get(), b, needs, outs);
        }
      }
      return;
    }
  }
}

void BodyCompiler::PatternVars(const Term* t, const std::vector<char>& b, std::vector<int>& needs,
                               std::vector<int>& outs) {
  switch (t->kind) {
    case TermKind::kVar:
      if (t->res == VarRes::kLocal && !b[static_cast<size_t>(t->slot)]) outs.push_back(t->slot);
      return;
    case TermKind::kArray:
      for (const auto& i : t->items) PatternVars(i.get(), b, needs, outs);
      return;
    case TermKind::kObject:
      for (size_t i = 0; i + 1 < t->items.size(); i += 2) {
        ValueVars(t->items[i].get(), b, needs, outs);
        PatternVars(t->items[i + 1].get(), b, needs, outs);
      }
      return;
    default:
      ValueVars(t, b, needs, outs);
  }
}

namespace {
bool AllBound(const std::vector<int>& needs, const std::vector<char>& b, int* bad) {
  for (int s : needs) {
    if (!b[static_cast<size_t>(s)]) {
      if (*bad < 0) *bad = s;
      return false;
    }
  }
  return true;
}
void BindAll(const std::vector<int>& outs, std::vector<char>& b) {
  for (int s : outs) b[static_cast<size_t>(s)] = 1;
}
}  // namespace

bool BodyCompiler::UnifySafe(const Term* a, const Term* b, std::vector<char>& bound, int* bad) {
  if (a->kind == TermKind::kArray && b->kind == TermKind::kArray &&
      a->items.size() == b->items.size()) {
    std::vector<char> done(a->items.size(), 0);
    size_t left = a->items.size();
    bool progress = true;
    while (left > 0 && progress) {
      progress = false;
      for (size_t i = 0; i < a->items.size(); ++i) {
        if (done[i]) continue;
        std::vector<char> trial = bound;
        int bi = -1;
        if (UnifySafe(a->items[i].get(), b->items[i].get(), trial, &bi)) {
          bound = trial;
          done[i] = 1;
          --left;
          progress = true;
        } else {
          *bad = bi;
        }
      }
    }
    return left == 0;
  }
  for (int dir = 0; dir < (assign_only_ ? 1 : 2); ++dir) {
    const Term* pat = dir == 0 ? a : b;
    const Term* val = dir == 0 ? b : a;
    std::vector<int> needs, outs;
    ValueVars(val, bound, needs, outs);
    if (!AllBound(needs, bound, bad)) continue;
    std::vector<char> b2 = bound;
    BindAll(outs, b2);
    std::vector<int> pneeds, pouts;
    PatternVars(pat, b2, pneeds, pouts);
    if (!AllBound(pneeds, b2, bad)) continue;
    BindAll(pouts, b2);
    bound = b2;
    return true;
  }
  return false;
}

bool BodyCompiler::ExprSafe(const Expr* e, std::vector<char>& bound, int* bad) {
  std::vector<char> b = bound;
  for (const auto& w : e->withs) {
    std::vector<int> needs, outs;
    ValueVars(w.value.get(), b, needs, outs);
    if (!AllBound(needs, b, bad)) return false;
  }
  switch (e->kind) {
    case ExprKind::kSome:
      return true;
    case ExprKind::kTerm: {
      std::vector<int> needs, outs;
      ValueVars(e->term.get(), b, needs, outs);
      if (!AllBound(needs, b, bad)) return false;
      BindAll(outs, b);
      break;
    }
    case ExprKind::kUnify:
    case ExprKind::kAssign: {
      assign_only_ = e->kind == ExprKind::kAssign;
      bool ok = UnifySafe(e->lhs.get(), e->rhs.get(), b, bad);
      assign_only_ = false;
      if (!ok) return false;
      break;
    }
    case ExprKind::kSomeIn: {
      std::vector<int> needs, outs;
      ValueVars(e->collection.get(), b, needs, outs);
      if (!AllBound(needs, b, bad)) return false;
      BindAll(outs, b);
      if (e->key) PatternVars(e->key.get(), b, needs, outs);
      PatternVars(e->val.get(), b, needs, outs);
      if (!AllBound(needs, b, bad)) return false;
      BindAll(outs, b);
      break;
    }
    case ExprKind::kEvery: {
      std::vector<int> needs, outs;
      ValueVars(e->collection.get(), b, needs, outs);
      if (!AllBound(needs, b, bad)) return false;
      // Free vars of the body: slots declared outside the every scope.
      std::vector<int> used;
      UsedSlotsBody(e->body, used);
      int depth = 0;
      if (e->val->kind == TermKind::kVar && e->val->res == VarRes::kLocal)
        depth = slot_depth_[static_cast<size_t>(e->val->slot)];
      for (int s : used) {
        if (slot_depth_[static_cast<size_t>(s)] < depth && !b[static_cast<size_t>(s)]) {
          *bad = s;
          return false;
        }
      }
      return true;  // binds nothing outside
    }
  }
  if (!e->negated) bound = b;
  return true;
}

void BodyCompiler::Unsafe(int slot) {
  if (slot < 0) return;
  c_->Error("rego_unsafe_var_error", "var " + slot_names_[static_cast<size_t>(slot)] + " is unsafe",
            slot_loc_[static_cast<size_t>(slot)]);
}

void BodyCompiler::Reorder(Body& body, std::vector<char> bound, int depth) {
  Body out;
  std::vector<std::unique_ptr<Expr>> pending = std::move(body);
  while (!pending.empty()) {
    bool progressed = false;
    for (size_t i = 0; i < pending.size(); ++i) {
      int bad = -1;
      if (ExprSafe(pending[i].get(), bound, &bad)) {
        out.push_back(std::move(pending[i]));
        pending.erase(pending.begin() + static_cast<long>(i));
        progressed = true;
        break;
      }
    }
    if (!progressed) {
      int bad = -1;
      ExprSafe(pending[0].get(), bound, &bad);
      if (bad < 0) bad = 0;
      Unsafe(bad);
      for (auto& p : pending) out.push_back(std::move(p));
      break;
    }
  }
  body = std::move(out);
  for (auto& e : body) ReorderNestedExpr(e.get(), depth);
}

void BodyCompiler::ReorderNestedExpr(Expr* e, int depth) {
  ReorderNested(e->term.get(), depth);
  ReorderNested(e->lhs.get(), depth);
  ReorderNested(e->rhs.get(), depth);
  ReorderNested(e->collection.get(), depth);
  for (auto& w : e->withs) ReorderNested(w.value.get(), depth);
  if (e->kind == ExprKind::kEvery) {
    int d = e->val->kind == TermKind::kVar && e->val->res == VarRes::kLocal
                ? slot_depth_[static_cast<size_t>(e->val->slot)]
                : depth + 1;
    std::vector<char> b(slot_names_.size(), 0);
    for (size_t s = 0; s < b.size(); ++s) b[s] = slot_depth_[s] < d;
    if (e->key && e->key->kind == TermKind::kVar) b[static_cast<size_t>(e->key->slot)] = 1;
    if (e->val->kind == TermKind::kVar) b[static_cast<size_t>(e->val->slot)] = 1;
    Reorder(e->body, b, d);
  }
}

void BodyCompiler::ReorderNested(Term* t, int depth) {
  if (!t) return;
  if (t->kind == TermKind::kArrayCompr || t->kind == TermKind::kSetCompr ||
      t->kind == TermKind::kObjectCompr) {
    // The comprehension's own depth: the depth of its first local slot or
    // depth+1. Slots declared at shallower depths are visible (bound).
    int d = depth + 1;
    std::vector<int> used;
    UsedSlotsBody(t->body, used);
    for (auto& h : t->items) UsedSlots(h.get(), used);
    std::vector<char> b(slot_names_.size(), 0);
    for (size_t s = 0; s < b.size(); ++s) b[s] = slot_depth_[s] < d;
    Reorder(t->body, b, d);
    // Head safety.
    for (auto& h : t->items) {
      std::vector<int> needs, outs;
      std::vector<char> after = b;
      // Everything bound by the body: approximate with all slots used in body.
      std::vector<int> bodyslots;
      UsedSlotsBody(t->body, bodyslots);
      for (int s : bodyslots) after[static_cast<size_t>(s)] = 1;
      ValueVars(h.get(), after, needs, outs);
      int bad = -1;
      if (!AllBound(needs, after, &bad)) Unsafe(bad);
      ReorderNested(h.get(), d);
    }
    return;
  }
  for (auto& i : t->items) ReorderNested(i.get(), depth);
}

void ComputeFreeSlots(Term* t, const std::vector<int>& slot_depth, int depth);
void ComputeFreeSlotsExpr(Expr* e, const std::vector<int>& slot_depth, int depth) {
  auto f = [&](Term* t) {
    if (t) ComputeFreeSlots(t, slot_depth, depth);
  };
  f(e->term.get());
  f(e->lhs.get());
  f(e->rhs.get());
  f(e->key.get());
  f(e->val.get());
  f(e->collection.get());
  for (auto& w : e->withs) f(w.value.get());
  for (auto& b : e->body) ComputeFreeSlotsExpr(b.get(), slot_depth, depth + 1);
}

void CollectSlots(const Term* t, std::vector<int>& out);
void CollectSlotsExpr(const Expr* e, std::vector<int>& out) {
  auto f = [&](const Term* t) {
    if (t) CollectSlots(t, out);
  };
  f(e->term.get());
  f(e->lhs.get());
  f(e->rhs.get());
  f(e->key.get());
  f(e->val.get());
  f(e->collection.get());
  for (const auto& w : e->withs) f(w.value.get());
  for (const auto& b : e->body) CollectSlotsExpr(b.get(), out);
}
void CollectSlots(const Term* t, std::vector<int>& out) {
  if (t->kind == TermKind::kVar && t->res == VarRes::kLocal) out.push_back(t->slot);
  for (const auto& i : t->items) CollectSlots(i.get(), out);
  for (const auto& b : t->body) CollectSlotsExpr(b.get(), out);
}

void ComputeFreeSlots(Term* t, const std::vector<int>& slot_depth, int depth) {
  if (t->kind == TermKind::kArrayCompr || t->kind == TermKind::kSetCompr ||
      t->kind == TermKind::kObjectCompr) {
    std::vector<int> used;
    CollectSlots(t, used);
    std::set<int> fs;
    for (int s : used) {
      if (slot_depth[static_cast<size_t>(s)] <= depth) fs.insert(s);
    }
    t->free_slots.assign(fs.begin(), fs.end());
    for (auto& i : t->items) ComputeFreeSlots(i.get(), slot_depth, depth + 1);
    for (auto& b : t->body) ComputeFreeSlotsExpr(b.get(), slot_depth, depth + 1);
    return;
  }
  for (auto& i : t->items) ComputeFreeSlots(i.get(), slot_depth, depth);
}

void BodyCompiler::CompileRule(Rule* r) {
  rule_ = r;
  scopes_.emplace_back();
  std::vector<Term*> extra;
  for (auto& a : r->args) CollectNames(a.get(), &extra);
  if (r->key) CollectNames(r->key.get(), &extra);
  if (r->value) CollectNames(r->value.get(), &extra);
  DeclareBody(r->body, extra);
  for (auto& a : r->args) ResolveTerm(a);
  ResolveBody(r->body);
  if (r->key) ResolveTerm(r->key);
  if (r->value) ResolveTerm(r->value);
  for (auto& ec : r->elses) {
    // else bodies share the rule scope (args are visible).
    std::vector<Term*> ex;
    if (ec.value) CollectNames(ec.value.get(), &ex);
    DeclareBody(ec.body, ex);
    ResolveBody(ec.body);
    if (ec.value) ResolveTerm(ec.value);
  }
  for (auto& e : r->body) ComputeFreeSlotsExpr(e.get(), slot_depth_, 0);
  for (auto& a : r->args) ComputeFreeSlots(a.get(), slot_depth_, 0);
  if (r->key) ComputeFreeSlots(r->key.get(), slot_depth_, 0);
  if (r->value) ComputeFreeSlots(r->value.get(), slot_depth_, 0);
  for (auto& ec : r->elses) {
    for (auto& e : ec.body) ComputeFreeSlotsExpr(e.get(), slot_depth_, 0);
    if (ec.value) ComputeFreeSlots(ec.value.get(), slot_depth_, 0);
  }
  // Safety: function args are bound on entry.
  std::vector<char> bound(slot_names_.size(), 0);
  for (auto& a : r->args) {
    std::vector<int> needs, outs;
    PatternVars(a.get(), bound, needs, outs);
    BindAll(outs, bound);
  }
  {
    std::vector<char> b = bound;
    Reorder(r->body, b, 0);
    for (auto& e : r->body) {
      int bad = -1;
      ExprSafe(e.get(), b, &bad);
    }
    for (Term* h : {r->key.get(), r->value.get()}) {
      if (!h) continue;
      std::vector<int> needs, outs;
      ValueVars(h, b, needs, outs);
      int bad = -1;
      if (!AllBound(needs, b, &bad)) Unsafe(bad);
      ReorderNested(h, 0);
    }
    for (auto& ec : r->elses) {
      std::vector<char> eb = bound;
      Reorder(ec.body, eb, 0);
      for (auto& e : ec.body) {
        int bad = -1;
        ExprSafe(e.get(), eb, &bad);
      }
      if (ec.value) {
        std::vector<int> needs, outs;
        ValueVars(ec.value.get(), eb, needs, outs);
        int bad = -1;
        if (!AllBound(needs, eb, &bad)) Unsafe(bad);
        ReorderNested(ec.value.get(), 0);
      }
    }
  }
  r->num_slots = num_slots();
  r->slot_names = slot_names_;
  r->value_ground = !r->value || r->value->ground;
  scopes_.pop_back();
}

void BodyCompiler::CompileQuery(Body* body, CompiledQuery* q) {
  scopes_.emplace_back();
  DeclareBody(*body, {});
  ResolveBody(*body);
  for (auto& e : *body) ComputeFreeSlotsExpr(e.get(), slot_depth_, 0);
  std::vector<char> bound(slot_names_.size(), 0);
  Reorder(*body, bound, 0);
  // User-visible bindings: named top-level slots.
  std::set<std::string> seen;
  for (size_t s = 0; s < slot_names_.size(); ++s) {
    if (slot_depth_[s] != 0) continue;
    const std::string& n = slot_names_[s];
    if (n == "_" || n.empty() || n[0] == '$' || seen.count(n)) continue;
    seen.insert(n);
    q->bindings.emplace_back(n, static_cast<int>(s));
  }
  for (auto& e : *body) {
    if (e->kind == ExprKind::kTerm && !e->negated) {
      e->record_slot = NewSlot("$expr", e->loc);
    }
  }
  q->num_slots = num_slots();
  q->slot_names = slot_names_;
  scopes_.pop_back();
}

// ---- Whole-policy compilation ------------------------------------------------

bool Compiler::Build() {
  // Packages and rule sets.
  std::map<std::string, RuleSet*> sets;
  for (auto& m : p_->modules) {
    PackageInfo& pi = packages_[PkgKey(m->package)];
    std::set<std::string> aliases;
    for (const auto& imp : m->imports) {
      if (imp.path.empty()) continue;
      const std::string& root = imp.path[0];
      if (root != "data" && root != "input" && root != "future" && root != "rego") {
        Error("rego_parse_error",
              "unexpected import path, must begin with one of: {data, future, input, rego}",
              imp.loc);
        continue;
      }
      if (root == "future" || root == "rego") continue;
      std::string alias = imp.alias.empty() ? imp.path.back() : imp.alias;
      if (!aliases.insert(alias).second) {
        Error("rego_compile_error", "import must not shadow import " + alias, imp.loc);
      }
    }
    for (auto& r : m->rules) {
      pi.rule_names.insert(r->path[0]);
      std::vector<std::string> full = m->package;
      full.insert(full.end(), r->path.begin(), r->path.end());
      std::string key = JoinPath(full);
      RuleSet*& rs = sets[key];
      if (!rs) {
        p_->rule_sets.push_back(std::make_unique<RuleSet>());
        rs = p_->rule_sets.back().get();
        rs->path = full;
        rs->kind = r->kind;
        rs->arity = static_cast<int>(r->args.size());
        DataNode* n = NodeFor(full, true);
        n->rules = rs;
      } else if (rs->kind != r->kind) {
        Error("rego_type_error", "conflicting rules " + key + " found", r->loc);
        continue;
      } else if (r->kind == RuleKind::kFunction && rs->arity != static_cast<int>(r->args.size())) {
        Error("rego_type_error",
              "conflicting rules " + key + " found: functions must have the same arity", r->loc);
        continue;
      }
      if (r->is_default) {
        if (rs->default_rule) {
          Error("rego_type_error", "multiple default rules " + key + " found", r->loc);
          continue;
        }
        rs->default_rule = r.get();
      } else {
        rs->rules.push_back(r.get());
      }
    }
  }
  // A rule path that is a prefix of another rule path conflicts (OPA:
  // "rule data.p.a conflicts with [data.p.a.b]") unless it is a partial rule.
  std::function<void(DataNode*)> check = [&](DataNode* n) {
    for (auto& [k, ch] : n->children) check(ch.get());
    bool below = false;
    for (auto& [k, ch] : n->children) below = below || ch->rules || ch->has_rules_below;
    n->has_rules_below = below;
    if (n->rules && below && !n->rules->rules.empty()) {
      Error("rego_type_error", "rule " + n->rules->Name() + " conflicts with rules below it",
            n->rules->rules[0]->loc);
    }
  };
  check(&p_->root);
  // Base data at each node.
  std::function<void(DataNode*, const Value*)> place = [&](DataNode* n, const Value* v) {
    if (v) {
      n->base = *v;
      n->has_base = true;
    }
    for (auto& [k, ch] : n->children) place(ch.get(), v ? v->Find(k) : nullptr);
  };
  place(&p_->root, &p_->data);
  for (auto& rs : p_->rule_sets) {
    bool same = !rs->rules.empty();
    const Value* first = nullptr;
    for (Rule* r : rs->rules) {
      if (!r->elses.empty()) same = false;
      if (r->value && r->value->kind != TermKind::kScalar && !r->value->ground) same = false;
      if (!same) break;
    }
    (void)first;
    rs->all_same_const = same;
  }
  return st_->ok();
}

void Compiler::BuildGuards(Rule* r) {
  for (const auto& e : r->body) {
    if (e->negated || !e->withs.empty()) continue;
    const Term* a = nullptr;
    const Term* b = nullptr;
    if (e->kind == ExprKind::kTerm && e->term->kind == TermKind::kCall &&
        e->term->name == "equal" && e->term->items.size() == 2) {
      a = e->term->items[0].get();
      b = e->term->items[1].get();
    } else if (e->kind == ExprKind::kUnify) {
      a = e->lhs.get();
      b = e->rhs.get();
    } else {
      continue;
    }
    if (a->kind != TermKind::kRef) std::swap(a, b);
    if (a->kind != TermKind::kRef || !b->ground || b->kind != TermKind::kScalar) continue;
    if (a->items[0]->kind != TermKind::kVar || a->items[0]->res != VarRes::kInput) continue;
    Rule::IndexGuard g;
    bool ok = true;
    for (size_t i = 1; i < a->items.size(); ++i) {
      if (a->items[i]->kind != TermKind::kScalar || !a->items[i]->value.IsString()) {
        ok = false;
        break;
      }
      g.input_path.emplace_back(a->items[i]->value.AsString());
    }
    if (!ok) continue;
    g.value = b->value;
    r->guards.push_back(std::move(g));
  }
}

void Compiler::CompileRules() {
  for (auto& m : p_->modules) {
    for (auto& r : m->rules) {
      std::vector<std::string> full = m->package;
      full.insert(full.end(), r->path.begin(), r->path.end());
      current_set_ = p_->FindRuleSet(full);
      BodyCompiler bc(this, m.get(), &m->package, false);
      bc.CompileRule(r.get());
      BuildGuards(r.get());
    }
  }
  current_set_ = nullptr;
}

void Compiler::CheckRecursion() {
  // DFS with colors; report each cycle once.
  std::unordered_map<const RuleSet*, int> color;
  std::vector<const RuleSet*> stack;
  std::set<std::string> reported;
  std::function<void(const RuleSet*)> dfs = [&](const RuleSet* rs) {
    color[rs] = 1;
    stack.push_back(rs);
    auto it = deps_.find(rs);
    if (it != deps_.end()) {
      for (const RuleSet* d : it->second) {
        if (color[d] == 1) {
          std::string cycle;
          bool in = false;
          for (const RuleSet* s : stack) {
            if (s == d) in = true;
            if (in) cycle += s->Name() + " -> ";
          }
          cycle += d->Name();
          if (reported.insert(d->Name()).second) {
            Loc loc = d->rules.empty() ? Loc{} : d->rules[0]->loc;
            Error("rego_recursion_error", "rule " + d->Name() + " is recursive: " + cycle, loc);
          }
        } else if (color[d] == 0) {
          dfs(d);
        }
      }
    }
    stack.pop_back();
    color[rs] = 2;
  };
  for (auto& rs : p_->rule_sets) {
    if (color[rs.get()] == 0) dfs(rs.get());
  }
}

}  // namespace

std::shared_ptr<CompiledPolicy> CompilePolicy(std::vector<std::unique_ptr<Module>> modules,
                                              Value data, const CompileOptions& options,
                                              RegoStatus* status) {
  auto p = std::make_shared<CompiledPolicy>();
  p->modules = std::move(modules);
  p->data = data.IsObject() ? data : Value::EmptyObject();
  p->builtins = &GlobalBuiltins();
  p->options = options;
  Compiler c(p.get(), status);
  if (!c.Build()) return nullptr;
  c.CompileRules();
  if (!status->ok()) return nullptr;
  c.CheckRecursion();
  if (!status->ok()) return nullptr;
  return p;
}

std::shared_ptr<CompiledQuery> CompileQuery(const CompiledPolicy& policy, std::string_view text,
                                            RegoStatus* status) {
  auto q = std::make_shared<CompiledQuery>();
  q->holder = std::make_unique<Module>();
  q->holder->file = "query";
  q->holder->v1 = !policy.options.v0_compatible;
  if (!ParseQuery(text, q->holder.get(), &q->body, status)) return nullptr;
  Compiler c(const_cast<CompiledPolicy*>(&policy), status);
  c.query_src_ = &q->holder->source;
  c.query_file_ = &q->holder->file;
  BodyCompiler bc(&c, q->holder.get(), nullptr, true);
  bc.CompileQuery(&q->body, q.get());
  if (!status->ok()) return nullptr;
  return q;
}

}  // namespace gatehouse::rego
