// The Rego evaluator: top-down evaluation with backtracking.
//
// How it works
// ------------
// Rego is a Datalog-like language: a rule body is a conjunction of
// expressions, and the rule "holds" for every assignment of its variables
// that makes every expression true. OPA evaluates top-down: to answer a
// query it evaluates the body left to right (after the compiler reordered it
// for safety, see compile.cc), and when an expression refers to another rule
// it evaluates that rule's bodies on demand. We do the same.
//
// Backtracking is written in continuation-passing style. EvalBody(body, i, k)
// evaluates expression i and, for EACH way it can succeed, binds the
// variables that way and calls EvalBody(body, i+1, k); at the end of the body
// it calls the continuation k, which records a result (a rule value, a
// comprehension element, a query row). Continuations return false to stop
// the search early (a complete rule whose value is constant needs only one
// solution; `not` needs only to know whether there is one) or on error.
// Bindings live in a frame of slots (the compiler numbered every variable);
// each binding is pushed on a trail and undone when the search backs up, so
// no environment is ever copied.
//
// Unification (`=`, `:=`, function arguments, `some … in` patterns) matches
// a pattern term (variables, array and object literals of patterns) against
// a value: an unbound variable is bound, a bound one compared, and
// composites matched element-wise. When both sides are evaluable the values
// are simply compared. A reference such as input.containers[i].image with `i`
// unbound enumerates: each element binds `i` and continues.
//
// Rules are evaluated lazily and cached per query: a complete rule's value,
// a partial set's set, a partial object's object. `with` replaces input,
// parts of data or functions for the duration of one expression and gives
// that expression a fresh cache. Complete rules must agree: two different
// values are eval_conflict_error; an undefined rule falls back to its
// `default`. `else` clauses are tried in order when the main body fails.
//
// Indexing: rule bodies starting with guards `input.path == constant` (see
// compile.cc) are skipped without building a frame when the guard does not
// match, so an admission policy of many rules keyed on the kind of object
// only evaluates the rules for that kind.
//
// Limits: every expression evaluation decrements a step budget; every 1024
// steps the deadline, the memory estimate and the cancel hook are checked,
// and exceeding any stops evaluation with eval_cancel_error.
#include <chrono>
#include <cstdio>
#include <unordered_map>

#include "rego/compiled.h"

namespace gatehouse::rego {

namespace {

// A non-owning reference to a callable (no allocation).
template <typename Sig>
class FnRef;
template <typename R, typename... A>
class FnRef<R(A...)> {
 public:
  template <typename F>
  FnRef(F& f)
      : obj_(&f),
        call_([](void* o, A... a) -> R { return (*static_cast<F*>(o))(a...); }) {}  // NOLINT
  R operator()(A... a) const { return call_(obj_, a...); }

 private:
  void* obj_;
  R (*call_)(void*, A...);
};

using Cont = FnRef<bool()>;
using ValCont = FnRef<bool(const Value&)>;

struct RuleCacheEntry {
  bool done = false;
  bool defined = false;
  Value value;
};

struct Mock {
  bool is_value = false;
  Value value;
  const BuiltinDef* builtin = nullptr;
  const RuleSet* fn = nullptr;
};

struct DataOverride {
  std::vector<std::string> path;
  Value value;
};

class Evaluator {
 public:
  Evaluator(const CompiledPolicy& p, const EvalOptions& o) : p_(p), opts_(o) {
    if (o.input) {
      input_ = *o.input;
      has_input_ = true;
    } else if (o.input_doc.IsDefined()) {
      input_ = FromDocument(o.input_doc);
      has_input_ = true;
    }
    auto now = std::chrono::system_clock::now();
    ctx_.now_ns =
        o.now_ns
            ? *o.now_ns
            : std::chrono::duration_cast<std::chrono::nanoseconds>(now.time_since_epoch()).count();
    // BuiltinContext::rng is constructed seeded with 0; seeding a Mersenne
    // twister costs ~300 multiplications (10% of a small evaluation), so
    // re-seed only when another seed is asked for.
    if (o.seed != 0) ctx_.rng.seed(o.seed);
    ctx_.strict_builtin_errors = o.strict_builtin_errors;
    if (o.print) {
      ctx_.print = o.print;
    } else {
      ctx_.print = [](std::string_view s) {
        std::fprintf(stderr, "%.*s\n", static_cast<int>(s.size()), s.data());
      };
    }
    ctx_.set_cancel_check([this] { return failed_; });
    if (o.timeout_us > 0) {
      deadline_ = std::chrono::steady_clock::now() + std::chrono::microseconds(o.timeout_us);
      has_deadline_ = true;
    }
    caches_.emplace_back();
  }

  QueryResult Run(const CompiledQuery& q) {
    QueryResult res;
    PushFrame(q.num_slots);
    auto k = [&]() -> bool {
      ResultRow row;
      for (const auto& [name, slot] : q.bindings) {
        size_t idx = base_ + static_cast<size_t>(slot);
        if (bound_[idx]) row.bindings.emplace_back(name, std::make_shared<Value>(stack_[idx]));
      }
      for (const auto& e : q.body) {
        Value v = Value::Bool(true);
        if (e->record_slot >= 0) {
          size_t idx = base_ + static_cast<size_t>(e->record_slot);
          if (bound_[idx]) v = stack_[idx];
        }
        row.expressions.push_back(std::make_shared<Value>(v));
        row.expression_texts.push_back(e->text);
        row.expression_locations.emplace_back(e->loc.row, e->loc.col);
      }
      res.rows.push_back(std::move(row));
      return true;
    };
    // Query expressions are reported in source order.
    EvalBody(q.body, 0, Cont(k));
    if (error_) {
      res.rows.clear();
      res.error = std::move(error_);
    }
    // Sort expressions back to source order.
    for (auto& row : res.rows) {
      std::vector<size_t> order(q.body.size());
      for (size_t i = 0; i < order.size(); ++i) order[i] = i;
      std::sort(order.begin(), order.end(),
                [&](size_t a, size_t b) { return q.body[a]->index < q.body[b]->index; });
      ResultRow r2;
      r2.bindings = row.bindings;
      for (size_t i : order) {
        r2.expressions.push_back(row.expressions[i]);
        r2.expression_texts.push_back(row.expression_texts[i]);
        r2.expression_locations.push_back(row.expression_locations[i]);
      }
      row = std::move(r2);
    }
    return res;
  }

 private:
  // ---- Errors and limits -------------------------------------------------
  bool Fail(const std::string& code, const std::string& msg, const Loc& loc) {
    if (!error_) {
      std::string_view src;
      for (const auto& m : p_.modules) {
        if (loc.file == &m->file) src = m->source;
      }
      error_ = MakeRegoError(code, msg, loc, src);
    }
    failed_ = true;
    return false;
  }
  bool Tick(const Loc& loc) {
    if (failed_) return false;
    if (++steps_ % 1024 != 0) return true;
    if (has_deadline_ && std::chrono::steady_clock::now() > deadline_) {
      return Fail("eval_cancel_error", "evaluation timed out (time limit exceeded)", loc);
    }
    if (opts_.memory_limit_bytes > 0 && mem_ > opts_.memory_limit_bytes) {
      return Fail("eval_cancel_error", "evaluation exceeded the memory limit", loc);
    }
    if (opts_.cancelled && opts_.cancelled())
      return Fail("eval_cancel_error", "caller cancelled query execution", loc);
    return true;
  }
  void Charge(const Value& v) {
    if (opts_.memory_limit_bytes > 0) mem_ += 32 + v.size() * 32;
  }

  // ---- Frames and bindings -------------------------------------------------
  void PushFrame(int n) {
    frames_.push_back(base_);
    base_ = stack_.size();
    stack_.resize(stack_.size() + static_cast<size_t>(n));
    bound_.resize(bound_.size() + static_cast<size_t>(n), 0);
    if (opts_.memory_limit_bytes > 0) mem_ += static_cast<size_t>(n) * 24;
  }
  void PopFrame() {
    stack_.resize(base_);
    bound_.resize(base_);
    base_ = frames_.back();
    frames_.pop_back();
  }
  bool IsBound(int slot) const { return bound_[base_ + static_cast<size_t>(slot)] != 0; }
  void Bind(int slot, const Value& v) {
    size_t i = base_ + static_cast<size_t>(slot);
    stack_[i] = v;
    bound_[i] = 1;
    trail_.push_back(i);
  }
  void Undo(size_t mark) {
    while (trail_.size() > mark) {
      size_t i = trail_.back();
      trail_.pop_back();
      if (i < bound_.size()) {
        bound_[i] = 0;
        stack_[i] = Value();
      }
    }
  }

  // ---- Bodies and expressions ------------------------------------------
  bool EvalBody(const Body& body, size_t i, Cont k) {
    if (i == body.size()) return k();
    auto next = [&]() -> bool { return EvalBody(body, i + 1, k); };
    return EvalExpr(body[i].get(), Cont(next));
  }

  bool EvalExpr(const Expr* e, Cont k) {
    if (!Tick(e->loc)) return false;
    if (!e->withs.empty()) return EvalWith(e, 0, k, saved_.size());
    if (e->negated) {
      bool found = false;
      size_t mark = trail_.size();
      auto stop = [&]() -> bool {
        found = true;
        return false;
      };
      EvalExprInner(e, Cont(stop));
      Undo(mark);
      if (failed_) return false;
      if (found) return true;
      return k();
    }
    return EvalExprInner(e, k);
  }

  bool EvalExprInner(const Expr* e, Cont k) {
    switch (e->kind) {
      case ExprKind::kSome:
        return k();
      case ExprKind::kTerm: {
        auto vk = [&](const Value& v) -> bool {
          if (v.IsBool() && !v.AsBool()) return true;
          if (e->record_slot >= 0) {
            size_t mark = trail_.size();
            Bind(e->record_slot, v);
            bool r = k();
            Undo(mark);
            return r;
          }
          return k();
        };
        return EvalTerm(e->term.get(), ValCont(vk));
      }
      case ExprKind::kUnify:
      case ExprKind::kAssign:
        return Unify(e->lhs.get(), e->rhs.get(), k);
      case ExprKind::kSomeIn: {
        auto ck = [&](const Value& coll) -> bool {
          return Iterate(coll, [&](const Value& key, const Value& val) -> bool {
            size_t mark = trail_.size();
            auto after_key = [&]() -> bool { return UnifyValue(e->val.get(), val, k); };
            bool r = e->key ? UnifyValue(e->key.get(), key, Cont(after_key)) : after_key();
            Undo(mark);
            return r;
          });
        };
        return EvalTerm(e->collection.get(), ValCont(ck));
      }
      case ExprKind::kEvery: {
        auto ck = [&](const Value& coll) -> bool {
          bool all = true;
          bool cont = Iterate(coll, [&](const Value& key, const Value& val) -> bool {
            size_t mark = trail_.size();
            bool found = false;
            auto body_ok = [&]() -> bool {
              found = true;
              return false;
            };
            auto after_key = [&]() -> bool {
              auto run = [&]() -> bool { return EvalBody(e->body, 0, Cont(body_ok)); };
              return UnifyValue(e->val.get(), val, Cont(run));
            };
            if (e->key) {
              UnifyValue(e->key.get(), key, Cont(after_key));
            } else {
              after_key();
            }
            Undo(mark);
            if (failed_) return false;
            if (!found) {
              all = false;
              return false;
            }
            return true;
          });
          if (failed_) return false;
          (void)cont;
          if (!all) return true;
          return k();
        };
        return EvalTerm(e->collection.get(), ValCont(ck));
      }
    }
    return true;
  }

  template <typename F>
  bool Iterate(const Value& coll, F&& f) {
    switch (coll.kind()) {
      case Kind::kArray: {
        auto items = coll.Items();
        for (size_t i = 0; i < items.size(); ++i) {
          if (!f(Value::Int(static_cast<int64_t>(i)), items[i])) return false;
        }
        return true;
      }
      case Kind::kSet:
        for (const Value& v : coll.Items()) {
          if (!f(v, v)) return false;
        }
        return true;
      case Kind::kObject:
        for (const auto& [kk, vv] : coll.ObjectItems()) {
          if (!f(kk, vv)) return false;
        }
        return true;
      default:
        return true;
    }
  }

  // ---- with ----------------------------------------------------------------
  static Value SetPath(const Value& base, const std::vector<std::string>& path, size_t i,
                       const Value& v) {
    if (i == path.size()) return v;
    std::vector<ObjectItem> items;
    if (base.IsObject()) {
      for (const auto& it : base.ObjectItems()) items.push_back(it);
    }
    const Value* cur = base.Find(path[i]);
    Value child = SetPath(cur ? *cur : Value::EmptyObject(), path, i + 1, v);
    items.emplace_back(Value::String(path[i]), child);
    return Value::Object(std::move(items));
  }

  bool EvalWith(const Expr* e, size_t wi, Cont k, size_t sbase) {
    if (wi == e->withs.size()) {
      // All modifiers applied: evaluate the expression with a fresh cache.
      caches_.emplace_back();
      bool r;
      if (e->negated) {
        bool found = false;
        size_t mark = trail_.size();
        auto stop = [&]() -> bool {
          found = true;
          return false;
        };
        EvalExprInner(e, Cont(stop));
        Undo(mark);
        caches_.pop_back();
        if (failed_) return false;
        // Restore the outer modifiers before continuing.
        return found ? true : ContinueOutside(k, sbase);
      }
      // The continuation (rest of the body) runs without the modifiers.
      auto inner = [&]() -> bool { return ContinueOutside(k, sbase); };
      r = EvalExprInner(e, Cont(inner));
      caches_.pop_back();
      return r;
    }
    const WithMod& w = e->withs[wi];
    auto vk = [&](const Value& v) -> bool {
      saved_.push_back(SavedState{input_, has_input_, overrides_, mocks_});
      switch (w.target_kind) {
        case WithMod::Target::kInput:
          input_ = w.path.empty()
                       ? v
                       : SetPath(has_input_ ? input_ : Value::EmptyObject(), w.path, 0, v);
          has_input_ = true;
          break;
        case WithMod::Target::kData:
          overrides_.push_back(DataOverride{w.path, v});
          break;
        case WithMod::Target::kFunction: {
          Mock m;
          const Term* vt = w.value.get();
          // A function replacement: a builtin name or a function rule.
          if (vt->kind == TermKind::kRef || vt->kind == TermKind::kVar) {
            // resolved below by value when not a function name
          }
          m.is_value = true;
          m.value = v;
          mocks_[w.fn_target] = m;
          break;
        }
      }
      bool r = EvalWith(e, wi + 1, k, sbase);
      SavedState& s = saved_.back();
      input_ = s.input;
      has_input_ = s.has_input;
      overrides_ = s.overrides;
      mocks_ = s.mocks;
      saved_.pop_back();
      return r;
    };
    // Function mocks whose replacement is another function.
    if (w.target_kind == WithMod::Target::kFunction) {
      const Term* vt = w.value.get();
      std::string name;
      if (vt->kind == TermKind::kVar && vt->res == VarRes::kUnresolved) name = vt->name;
      if (vt->kind == TermKind::kVar && vt->res == VarRes::kLocal && !IsBound(vt->slot))
        name = vt->name;
      if (vt->kind == TermKind::kRef && vt->items[0]->kind == TermKind::kVar &&
          vt->items[0]->res == VarRes::kData) {
        std::vector<std::string> path;
        bool ok = true;
        for (size_t i = 1; i < vt->items.size(); ++i) {
          if (!vt->items[i]->value.IsString())
            ok = false;
          else
            path.emplace_back(vt->items[i]->value.AsString());
        }
        if (ok) {
          if (const RuleSet* rs = p_.FindRuleSet(path); rs && rs->kind == RuleKind::kFunction) {
            saved_.push_back(SavedState{input_, has_input_, overrides_, mocks_});
            Mock m;
            m.fn = rs;
            mocks_[w.fn_target] = m;
            bool r = EvalWith(e, wi + 1, k, sbase);
            mocks_ = saved_.back().mocks;
            saved_.pop_back();
            return r;
          }
        }
      }
      if (!name.empty()) {
        if (const BuiltinDef* b = p_.builtins->Find(name)) {
          saved_.push_back(SavedState{input_, has_input_, overrides_, mocks_});
          Mock m;
          m.builtin = b;
          mocks_[w.fn_target] = m;
          bool r = EvalWith(e, wi + 1, k, sbase);
          mocks_ = saved_.back().mocks;
          saved_.pop_back();
          return r;
        }
      }
    }
    return EvalTerm(w.value.get(), ValCont(vk));
  }

  // Runs k with the modifiers of the innermost `with` removed (restored after).
  bool ContinueOutside(Cont k, size_t sbase) {
    if (saved_.size() <= sbase) return k();
    // Restore the state saved before this expression's first modifier.
    SavedState outer = saved_[sbase];
    std::swap(input_, outer.input);
    std::swap(has_input_, outer.has_input);
    std::swap(overrides_, outer.overrides);
    std::swap(mocks_, outer.mocks);
    caches_.emplace_back();
    bool r = k();
    caches_.pop_back();
    std::swap(input_, outer.input);
    std::swap(has_input_, outer.has_input);
    std::swap(overrides_, outer.overrides);
    std::swap(mocks_, outer.mocks);
    return r;
  }

  // ---- Terms -----------------------------------------------------------------
  bool EvalTerm(const Term* t, ValCont k) {
    if (t->ground) {
      if (t->kind == TermKind::kScalar || t->kind == TermKind::kArray ||
          t->kind == TermKind::kSet || t->kind == TermKind::kObject)
        return k(t->value);
    }
    switch (t->kind) {
      case TermKind::kScalar:
        return k(t->value);
      case TermKind::kVar: {
        switch (t->res) {
          case VarRes::kLocal: {
            if (!IsBound(t->slot)) return true;
            Value v = stack_[base_ + static_cast<size_t>(t->slot)];
            return k(v);
          }
          case VarRes::kInput:
            if (!has_input_) return true;
            return k(input_);
          case VarRes::kData:
            return EvalDataRef(nullptr, 1, k);
          default:
            return true;
        }
      }
      case TermKind::kRef:
        return EvalRef(t, k);
      case TermKind::kArray:
      case TermKind::kSet: {
        std::vector<Value> acc;
        acc.reserve(t->items.size());
        return EvalList(t->items, 0, acc, [&](std::vector<Value>& vals) -> bool {
          Value v = t->kind == TermKind::kArray ? Value::Array(vals) : Value::Set(vals);
          return k(v);
        });
      }
      case TermKind::kObject: {
        std::vector<Value> acc;
        return EvalList(t->items, 0, acc, [&](std::vector<Value>& vals) -> bool {
          std::vector<ObjectItem> items;
          for (size_t i = 0; i + 1 < vals.size(); i += 2) items.emplace_back(vals[i], vals[i + 1]);
          Value v = Value::Object(std::move(items));
          return k(v);
        });
      }
      case TermKind::kArrayCompr:
      case TermKind::kSetCompr:
      case TermKind::kObjectCompr: {
        Value v;
        if (!EvalCompr(t, &v)) return false;
        return k(v);
      }
      case TermKind::kCall:
        return EvalCall(t, k);
    }
    return true;
  }

  template <typename F>
  bool EvalList(const std::vector<TermPtr>& items, size_t i, std::vector<Value>& acc, F&& f) {
    if (i == items.size()) return f(acc);
    auto vk = [&](const Value& v) -> bool {
      acc.push_back(v);
      bool r = EvalList(items, i + 1, acc, f);
      acc.pop_back();
      return r;
    };
    return EvalTerm(items[i].get(), ValCont(vk));
  }

  bool EvalCompr(const Term* t, Value* out) {
    size_t mark = trail_.size();
    bool ok;
    if (t->kind == TermKind::kObjectCompr) {
      std::vector<ObjectItem> items;
      auto k = [&]() -> bool {
        auto kk = [&](const Value& key) -> bool {
          auto vk = [&](const Value& val) -> bool {
            for (const auto& it : items) {
              if (it.first == key && it.second != val) {
                return Fail("eval_conflict_error", "object keys must be unique", t->loc);
              }
            }
            items.emplace_back(key, val);
            return true;
          };
          return EvalTerm(t->items[1].get(), ValCont(vk));
        };
        return EvalTerm(t->items[0].get(), ValCont(kk));
      };
      ok = EvalBody(t->body, 0, Cont(k));
      *out = Value::Object(std::move(items));
    } else {
      std::vector<Value> items;
      auto k = [&]() -> bool {
        auto vk = [&](const Value& v) -> bool {
          items.push_back(v);
          return true;
        };
        return EvalTerm(t->items[0].get(), ValCont(vk));
      };
      ok = EvalBody(t->body, 0, Cont(k));
      *out = t->kind == TermKind::kArrayCompr ? Value::Array(std::move(items))
                                              : Value::Set(std::move(items));
    }
    Undo(mark);
    Charge(*out);
    return ok && !failed_;
  }

  // ---- References --------------------------------------------------------
  bool EvalRef(const Term* t, ValCont k) {
    const Term* h = t->items[0].get();
    if (h->kind == TermKind::kVar) {
      switch (h->res) {
        case VarRes::kInput:
          if (!has_input_) return true;
          {
            Value in = input_;
            return WalkValue(in, t, 1, k);
          }
        case VarRes::kData:
          return EvalDataRef(t, 1, k);
        case VarRes::kLocal: {
          if (!IsBound(h->slot)) return true;
          Value v = stack_[base_ + static_cast<size_t>(h->slot)];
          return WalkValue(v, t, 1, k);
        }
        default:
          return true;
      }
    }
    auto hk = [&](const Value& v) -> bool { return WalkValue(v, t, 1, k); };
    return EvalTerm(h, ValCont(hk));
  }

  // Is this ref step a pattern to enumerate (contains unbound vars)?
  bool IsOpenStep(const Term* s) {
    if (s->kind == TermKind::kVar) return s->res == VarRes::kLocal && !IsBound(s->slot);
    if (s->kind == TermKind::kArray || s->kind == TermKind::kObject) {
      if (s->ground) return false;
      for (const auto& i : s->items) {
        if (IsOpenStep(i.get())) return true;
      }
    }
    return false;
  }

  bool WalkValue(const Value& v, const Term* ref, size_t i, ValCont k) {
    if (i == ref->items.size()) return k(v);
    const Term* step = ref->items[i].get();
    if (IsOpenStep(step)) {
      return Iterate(v, [&](const Value& key, const Value& child) -> bool {
        size_t mark = trail_.size();
        auto next = [&]() -> bool { return WalkValue(child, ref, i + 1, k); };
        bool r = UnifyValue(step, key, Cont(next));
        Undo(mark);
        return r;
      });
    }
    if (step->kind == TermKind::kScalar) {
      const Value* c = v.Get(step->value);
      if (!c) return true;
      Value child = *c;
      return WalkValue(child, ref, i + 1, k);
    }
    auto sk = [&](const Value& key) -> bool {
      const Value* c = v.Get(key);
      if (!c) return true;
      Value child = *c;
      return WalkValue(child, ref, i + 1, k);
    };
    return EvalTerm(step, ValCont(sk));
  }

  // data refs: walk the rule tree, then values.
  bool EvalDataRef(const Term* ref, size_t i, ValCont k) {
    // Nested rule evaluation re-enters here; keep the outer walk's path.
    std::vector<std::string> outer = std::move(path_scratch_);
    path_scratch_.clear();
    bool r = WalkData(&p_.root, ref, i, k);
    path_scratch_ = std::move(outer);
    return r;
  }

  const DataOverride* FindOverride(const std::vector<std::string>& path, bool* deeper) {
    *deeper = false;
    for (size_t j = overrides_.size(); j-- > 0;) {
      const auto& o = overrides_[j];
      if (o.path.size() <= path.size() && std::equal(o.path.begin(), o.path.end(), path.begin())) {
        if (o.path.size() == path.size()) return &o;
      } else if (o.path.size() > path.size() &&
                 std::equal(path.begin(), path.end(), o.path.begin())) {
        *deeper = true;
      }
    }
    return nullptr;
  }

  bool WalkData(const DataNode* node, const Term* ref, size_t i, ValCont k) {
    size_t n = ref ? ref->items.size() : 1;
    if (!overrides_.empty()) {
      bool deeper = false;
      if (const DataOverride* o = FindOverride(path_scratch_, &deeper)) {
        Value v = o->value;
        return ref ? WalkValue(v, ref, i, k) : k(v);
      }
      if (deeper && (i == n || IsOpenStep(ref->items[i].get()))) {
        Value v;
        if (!Materialize(node, &v)) return false;
        return ref ? WalkValue(v, ref, i, k) : k(v);
      }
    }
    if (node->rules) {
      const RuleSet* rs = node->rules;
      if (rs->kind == RuleKind::kFunction) return true;
      // Partial set membership with a ground key avoids building the set.
      Value v;
      bool defined;
      if (!EvalRuleSet(rs, &v, &defined)) return false;
      if (!defined) return true;
      return ref ? WalkValue(v, ref, i, k) : k(v);
    }
    if (i == n) {
      Value v;
      if (!Materialize(node, &v)) return false;
      return k(v);
    }
    const Term* step = ref->items[i].get();
    if (IsOpenStep(step) || (step->kind != TermKind::kScalar && step->kind != TermKind::kVar)) {
      if (IsOpenStep(step)) {
        Value v;
        if (!Materialize(node, &v)) return false;
        return WalkValue(v, ref, i, k);
      }
    }
    auto sk = [&](const Value& key) -> bool {
      if (key.IsString()) {
        std::string s(key.AsString());
        auto it = node->children.find(s);
        if (it != node->children.end()) {
          path_scratch_.push_back(s);
          bool r = WalkData(it->second.get(), ref, i + 1, k);
          path_scratch_.pop_back();
          return r;
        }
      }
      if (node->has_base || !overrides_.empty()) {
        const Value* c = node->has_base ? node->base.Get(key) : nullptr;
        Value child = c ? *c : Value();
        bool defined = c != nullptr;
        if (!overrides_.empty() && key.IsString()) {
          // Apply `with data.…` replacements at or below this base path.
          std::vector<std::string> here = path_scratch_;
          here.emplace_back(key.AsString());
          for (const auto& o : overrides_) {
            if (o.path.size() < here.size() ||
                !std::equal(here.begin(), here.end(), o.path.begin()))
              continue;
            std::vector<std::string> rest(o.path.begin() + static_cast<long>(here.size()),
                                          o.path.end());
            child = SetPath(defined ? child : Value::EmptyObject(), rest, 0, o.value);
            defined = true;
          }
        }
        if (!defined) return true;
        return WalkValue(child, ref, i + 1, k);
      }
      return true;
    };
    if (step->kind == TermKind::kScalar) return sk(step->value);
    return EvalTerm(step, ValCont(sk));
  }

  // The whole subtree at node as a value (base data merged with rules).
  bool Materialize(const DataNode* node, Value* out) {
    if (!overrides_.empty()) {
      bool deeper = false;
      if (const DataOverride* o = FindOverride(path_scratch_, &deeper)) {
        *out = o->value;
        return true;
      }
    }
    if (node->rules) {
      bool defined;
      if (!EvalRuleSet(node->rules, out, &defined)) return false;
      if (!defined) *out = Value();
      return true;
    }
    std::vector<ObjectItem> items;
    if (node->has_base && node->base.IsObject()) {
      for (const auto& it : node->base.ObjectItems()) items.push_back(it);
    }
    for (const auto& [name, child] : node->children) {
      if (child->rules && child->rules->kind == RuleKind::kFunction) continue;
      path_scratch_.push_back(name);
      Value v;
      bool ok = true;
      bool skip = false;
      if (child->rules) {
        bool defined;
        ok = EvalRuleSet(child->rules, &v, &defined);
        skip = !defined;
        if (!overrides_.empty()) {
          bool deeper;
          if (const DataOverride* o = FindOverride(path_scratch_, &deeper)) {
            v = o->value;
            skip = false;
          }
        }
      } else {
        ok = Materialize(child.get(), &v);
      }
      path_scratch_.pop_back();
      if (!ok) return false;
      if (!skip) items.emplace_back(Value::String(name), v);
    }
    *out = Value::Object(std::move(items));
    return true;
  }

  // ---- Rules -----------------------------------------------------------------
  bool GuardsPass(const Rule* r) {
    for (const auto& g : r->guards) {
      if (!has_input_) return false;
      const Value* cur = &input_;
      for (const auto& s : g.input_path) {
        cur = cur->Find(s);
        if (!cur) return false;
      }
      if (*cur != g.value) return false;
    }
    return true;
  }

  bool EvalRuleSet(const RuleSet* rs, Value* out, bool* defined) {
    // Mocked rule via `with data.x as`? Handled by overrides in WalkData.
    auto& cache = caches_.back();
    auto it = cache.find(rs);
    if (it != cache.end() && it->second.done) {
      *out = it->second.value;
      *defined = it->second.defined;
      return true;
    }
    if (++depth_ > 2000) {
      return Fail("rego_recursion_error", "evaluation depth limit exceeded in " + rs->Name(),
                  rs->rules.empty() ? Loc{} : rs->rules[0]->loc);
    }
    bool ok = true;
    *defined = false;
    switch (rs->kind) {
      case RuleKind::kComplete:
        ok = EvalComplete(rs, out, defined);
        break;
      case RuleKind::kPartialSet: {
        std::vector<Value> elems;
        for (const Rule* r : rs->rules) {
          if (!GuardsPass(r)) continue;
          PushFrame(r->num_slots);
          auto k = [&]() -> bool {
            auto ek = [&](const Value& v) -> bool {
              elems.push_back(v);
              return true;
            };
            return EvalTerm(r->key.get(), ValCont(ek));
          };
          rule_stack_.push_back(r);
          ok = EvalBody(r->body, 0, Cont(k)) || !failed_;
          rule_stack_.pop_back();
          Undo(TrailMarkForFrame());
          PopFrame();
          if (failed_) {
            ok = false;
            break;
          }
        }
        *out = Value::Set(std::move(elems));
        *defined = true;
        Charge(*out);
        break;
      }
      case RuleKind::kPartialObject: {
        std::vector<ObjectItem> items;
        for (const Rule* r : rs->rules) {
          if (!GuardsPass(r)) continue;
          PushFrame(r->num_slots);
          auto k = [&]() -> bool {
            auto kk = [&](const Value& key) -> bool {
              auto vk = [&](const Value& val) -> bool {
                for (const auto& it2 : items) {
                  if (it2.first == key && it2.second != val) {
                    return Fail("eval_conflict_error", "object keys must be unique", r->loc);
                  }
                }
                items.emplace_back(key, val);
                return true;
              };
              if (!r->value) return vk(Value::Bool(true));
              return EvalTerm(r->value.get(), ValCont(vk));
            };
            return EvalTerm(r->key.get(), ValCont(kk));
          };
          rule_stack_.push_back(r);
          EvalBody(r->body, 0, Cont(k));
          rule_stack_.pop_back();
          Undo(TrailMarkForFrame());
          PopFrame();
          if (failed_) {
            ok = false;
            break;
          }
        }
        *out = Value::Object(std::move(items));
        *defined = true;
        Charge(*out);
        break;
      }
      case RuleKind::kFunction:
        break;
    }
    --depth_;
    if (failed_) return false;
    auto& c2 = caches_.back();
    c2[rs] = RuleCacheEntry{true, *defined, *out};
    return ok;
  }

  size_t TrailMarkForFrame() {
    // Undo everything bound in the current frame (indices >= base_).
    size_t m = trail_.size();
    while (m > 0 && trail_[m - 1] >= base_) --m;
    return m;
  }

  // Evaluates one rule body (with else chain) producing values via vk.
  // For complete rules and functions.
  bool EvalRuleBodies(const Rule* r, ValCont vk, bool first_only) {
    rule_stack_.push_back(r);
    bool res = EvalRuleBodiesInner(r, vk, first_only);
    rule_stack_.pop_back();
    return res;
  }
  bool EvalRuleBodiesInner(const Rule* r, ValCont vk, bool first_only) {
    auto body_then_value = [&](const Body& body, const Term* value) -> bool {
      bool any = false;
      auto k = [&]() -> bool {
        any = true;
        auto vk2 = [&](const Value& v) -> bool { return vk(v); };
        bool cont = value ? EvalTerm(value, ValCont(vk2)) : vk(Value::Bool(true));
        if (!cont) return false;
        return !first_only;
      };
      EvalBody(body, 0, Cont(k));
      return any;
    };
    if (body_then_value(r->body, r->value.get())) return !failed_;
    if (failed_) return false;
    for (const auto& ec : r->elses) {
      const Term* v = ec.value ? ec.value.get() : nullptr;
      if (body_then_value(ec.body, v)) return !failed_;
      if (failed_) return false;
    }
    return !failed_;
  }

  bool EvalComplete(const RuleSet* rs, Value* out, bool* defined) {
    bool have = false;
    Value result;
    for (const Rule* r : rs->rules) {
      if (!GuardsPass(r)) continue;
      PushFrame(r->num_slots);
      auto vk = [&](const Value& v) -> bool {
        if (!have) {
          have = true;
          result = v;
          return true;
        }
        if (result != v) {
          return Fail("eval_conflict_error", "complete rules must not produce multiple outputs",
                      r->loc);
        }
        return true;
      };
      bool first_only = r->value_ground && r->elses.empty();
      EvalRuleBodies(r, ValCont(vk), first_only || !r->elses.empty());
      Undo(TrailMarkForFrame());
      PopFrame();
      if (failed_) return false;
      if (have && rs->all_same_const && r->value_ground) {
        // Every other definition can only yield a constant; check cheaply
        // that they are all the same constant, otherwise keep evaluating.
        bool all_equal = true;
        for (const Rule* o : rs->rules) {
          const Value ov = o->value ? o->value->value : Value::Bool(true);
          if (ov != result) all_equal = false;
        }
        if (all_equal) break;
      }
    }
    if (!have && rs->default_rule) {
      const Rule* d = rs->default_rule;
      PushFrame(d->num_slots);
      auto vk = [&](const Value& v) -> bool {
        have = true;
        result = v;
        return false;
      };
      EvalTerm(d->value.get(), ValCont(vk));
      PopFrame();
    }
    *defined = have;
    if (have) *out = result;
    return !failed_;
  }

  bool CallFunction(const RuleSet* rs, const std::vector<Value>& args, const Loc& loc, Value* out,
                    bool* defined) {
    if (++depth_ > 2000)
      return Fail("rego_recursion_error", "evaluation depth limit exceeded in " + rs->Name(), loc);
    bool have = false;
    Value result;
    for (const Rule* r : rs->rules) {
      PushFrame(r->num_slots);
      size_t mark = trail_.size();
      auto body = [&]() -> bool {
        auto vk = [&](const Value& v) -> bool {
          if (!have) {
            have = true;
            result = v;
            return true;
          }
          if (result != v) {
            return Fail("eval_conflict_error",
                        "functions must not produce multiple outputs for same inputs", r->loc);
          }
          return true;
        };
        return EvalRuleBodies(r, ValCont(vk), r->value_ground);
      };
      UnifyArgs(r, args, 0, Cont(body));
      Undo(mark);
      PopFrame();
      if (failed_) {
        --depth_;
        return false;
      }
    }
    if (!have && rs->default_rule) {
      const Rule* d = rs->default_rule;
      PushFrame(d->num_slots);
      auto vk = [&](const Value& v) -> bool {
        have = true;
        result = v;
        return false;
      };
      EvalTerm(d->value.get(), ValCont(vk));
      PopFrame();
    }
    --depth_;
    *defined = have;
    if (have) *out = result;
    return true;
  }

  bool UnifyArgs(const Rule* r, const std::vector<Value>& args, size_t i, Cont k) {
    if (i == r->args.size()) return k();
    auto next = [&]() -> bool { return UnifyArgs(r, args, i + 1, k); };
    return UnifyValue(r->args[i].get(), args[i], Cont(next));
  }

  // ---- Calls --------------------------------------------------------------
  bool EvalCall(const Term* t, ValCont k) {
    if (t->call_is_builtin) {
      const auto* b = static_cast<const BuiltinDef*>(t->call_target);
      if (b && b->name == "print") return EvalPrint(t, k);
      if (b && b->name == "walk") return EvalWalk(t, k);
      if (b && (b->name == "rego.metadata.rule" || b->name == "rego.metadata.chain")) {
        Value v = Metadata(b->name == "rego.metadata.chain");
        return k(v);
      }
    }
    size_t nargs = t->items.size();
    bool has_out = t->arity >= 0 && static_cast<int>(nargs) == t->arity + 1;
    size_t nin = has_out ? nargs - 1 : nargs;
    std::vector<Value> acc;
    acc.reserve(nin);
    return EvalArgs(t, 0, nin, acc, [&](std::vector<Value>& args) -> bool {
      Value result;
      bool defined = false;
      if (!Invoke(t, args, &result, &defined)) return false;
      if (!defined) return true;
      if (has_out) {
        auto kk = [&]() -> bool { return k(result); };
        return UnifyValue(t->items[nin].get(), result, Cont(kk));
      }
      return k(result);
    });
  }

  template <typename F>
  bool EvalArgs(const Term* t, size_t i, size_t n, std::vector<Value>& acc, F&& f) {
    if (i == n) return f(acc);
    auto vk = [&](const Value& v) -> bool {
      acc.push_back(v);
      bool r = EvalArgs(t, i + 1, n, acc, f);
      acc.pop_back();
      return r;
    };
    return EvalTerm(t->items[i].get(), ValCont(vk));
  }

  bool Invoke(const Term* t, const std::vector<Value>& args, Value* out, bool* defined) {
    const void* target = t->call_target;
    if (!mocks_.empty()) {
      auto it = mocks_.find(target);
      if (it != mocks_.end()) {
        const Mock& m = it->second;
        if (m.is_value) {
          *out = m.value;
          *defined = true;
          return true;
        }
        if (m.fn) return CallFunction(m.fn, args, t->loc, out, defined);
        if (m.builtin) return CallBuiltin(m.builtin, t, args, out, defined);
      }
    }
    if (!t->call_is_builtin) {
      return CallFunction(static_cast<const RuleSet*>(target), args, t->loc, out, defined);
    }
    return CallBuiltin(static_cast<const BuiltinDef*>(target), t, args, out, defined);
  }

  bool CallBuiltin(const BuiltinDef* b, const Term* t, const std::vector<Value>& args, Value* out,
                   bool* defined) {
    ctx_.location = SourceLocation{
        t->loc.file ? std::string_view(*t->loc.file) : std::string_view(), t->loc.row, t->loc.col};
    BuiltinResult r = b->fn(std::span<const Value>(args.data(), args.size()), ctx_);
    if (r.ok()) {
      *out = std::move(r.value());
      *defined = true;
      Charge(*out);
      return true;
    }
    *defined = false;
    if (r.undefined()) return true;
    if (failed_) return false;
    if (opts_.strict_builtin_errors) {
      return Fail(
          r.error_kind() == BuiltinErrorKind::kType ? "eval_type_error" : "eval_builtin_error",
          b->name + ": " + r.message(), t->loc);
    }
    return true;
  }

  bool EvalPrint(const Term* t, ValCont k) {
    std::string line;
    for (size_t i = 0; i < t->items.size(); ++i) {
      if (i) line += ' ';
      std::vector<Value> vals;
      auto vk = [&](const Value& v) -> bool {
        vals.push_back(v);
        return true;
      };
      EvalTerm(t->items[i].get(), ValCont(vk));
      if (failed_) return false;
      if (vals.empty()) {
        line += "<undefined>";
      } else if (vals.size() == 1) {
        line += vals[0].IsString() ? std::string(vals[0].AsString()) : vals[0].ToRego();
      } else {
        line += Value::Set(vals).ToRego();
      }
    }
    if (ctx_.print) ctx_.print(line);
    return k(Value::Bool(true));
  }

  void WalkPairs(const Value& v, std::vector<Value>& path, std::vector<Value>& out) {
    out.push_back(Value::Array({Value::Array(path), v}));
    Iterate(v, [&](const Value& key, const Value& child) -> bool {
      path.push_back(key);
      WalkPairs(child, path, out);
      path.pop_back();
      return true;
    });
  }

  bool EvalWalk(const Term* t, ValCont k) {
    auto vk = [&](const Value& v) -> bool {
      std::vector<Value> pairs, path;
      WalkPairs(v, path, pairs);
      for (const Value& p : pairs) {
        if (t->items.size() == 2) {
          size_t mark = trail_.size();
          auto kk = [&]() -> bool { return k(p); };
          bool r = UnifyValue(t->items[1].get(), p, Cont(kk));
          Undo(mark);
          if (!r) return false;
        } else {
          if (!k(p)) return false;
        }
      }
      return true;
    };
    return EvalTerm(t->items[0].get(), ValCont(vk));
  }

  Value Metadata(bool chain) {
    // The innermost rule being evaluated is not tracked per frame; report the
    // annotations of the first rule with metadata in the call's module.
    const Rule* r = rule_stack_.empty() ? nullptr : rule_stack_.back();
    if (!chain) {
      if (r && !r->annotations.empty()) return StripScope(r->annotations[0].value);
      return Value::EmptyObject();
    }
    std::vector<Value> out;
    if (r) {
      std::vector<std::string> full = r->module->package;
      full.insert(full.end(), r->path.begin(), r->path.end());
      std::vector<Value> path{Value::String("data")};
      for (const auto& s : full) path.push_back(Value::String(s));
      ObjectBuilder ob;
      if (!r->annotations.empty()) ob.Add("annotations", StripScope(r->annotations[0].value));
      ob.Add("path", Value::Array(path));
      out.push_back(ob.Build());
      if (!r->module->package_annotations.empty()) {
        std::vector<Value> pp{Value::String("data")};
        for (const auto& s : r->module->package) pp.push_back(Value::String(s));
        ObjectBuilder pb;
        pb.Add("annotations", StripScope(r->module->package_annotations[0].value));
        pb.Add("path", Value::Array(pp));
        out.push_back(pb.Build());
      }
    }
    return Value::Array(std::move(out));
  }

  static Value StripScope(const Value& v) {
    std::vector<ObjectItem> items;
    for (const auto& it : v.ObjectItems()) {
      if (it.first.IsString() && it.first.AsString() == "scope") continue;
      items.push_back(it);
    }
    return Value::Object(std::move(items));
  }

  // ---- Unification ------------------------------------------------------
  bool Unify(const Term* a, const Term* b, Cont k) {
    if (a->kind == TermKind::kArray && b->kind == TermKind::kArray && !a->ground && !b->ground) {
      if (a->items.size() != b->items.size()) return true;
      return UnifyPairs(a, b, 0, k);
    }
    // Evaluate the side that can be evaluated; match the other as a pattern.
    if (IsPattern(a) && Evaluable(b)) {
      auto vk = [&](const Value& v) -> bool { return UnifyValue(a, v, k); };
      return EvalTerm(b, ValCont(vk));
    }
    if (IsPattern(b) && Evaluable(a)) {
      auto vk = [&](const Value& v) -> bool { return UnifyValue(b, v, k); };
      return EvalTerm(a, ValCont(vk));
    }
    auto ak = [&](const Value& va) -> bool { return UnifyValue(b, va, k); };
    return EvalTerm(a, ValCont(ak));
  }

  bool UnifyPairs(const Term* a, const Term* b, size_t i, Cont k) {
    if (i == a->items.size()) return k();
    auto next = [&]() -> bool { return UnifyPairs(a, b, i + 1, k); };
    return Unify(a->items[i].get(), b->items[i].get(), Cont(next));
  }

  bool IsPattern(const Term* t) {
    switch (t->kind) {
      case TermKind::kVar:
        return t->res == VarRes::kLocal && !IsBound(t->slot);
      case TermKind::kArray:
      case TermKind::kObject:
        if (t->ground) return false;
        for (const auto& i : t->items) {
          if (IsPattern(i.get())) return true;
        }
        return false;
      default:
        return false;
    }
  }
  bool Evaluable(const Term* t) { return !IsPattern(t); }

  // Match pattern term t against value v.
  bool UnifyValue(const Term* t, const Value& v, Cont k) {
    switch (t->kind) {
      case TermKind::kVar: {
        if (t->res == VarRes::kLocal) {
          if (!IsBound(t->slot)) {
            size_t mark = trail_.size();
            Bind(t->slot, v);
            bool r = k();
            Undo(mark);
            return r;
          }
          if (stack_[base_ + static_cast<size_t>(t->slot)] == v) return k();
          return true;
        }
        break;
      }
      case TermKind::kScalar:
        if (t->value == v) return k();
        return true;
      case TermKind::kArray: {
        if (t->ground) return t->value == v ? k() : true;
        if (!v.IsArray() || v.size() != t->items.size()) return true;
        return UnifyElems(t, v, 0, k);
      }
      case TermKind::kObject: {
        if (t->ground) return t->value == v ? k() : true;
        if (!v.IsObject() || v.size() != t->items.size() / 2) return true;
        return UnifyObject(t, v, 0, k);
      }
      default:
        break;
    }
    auto vk = [&](const Value& x) -> bool { return x == v ? k() : true; };
    return EvalTerm(t, ValCont(vk));
  }

  bool UnifyElems(const Term* t, const Value& v, size_t i, Cont k) {
    if (i == t->items.size()) return k();
    auto next = [&]() -> bool { return UnifyElems(t, v, i + 1, k); };
    return UnifyValue(t->items[i].get(), v.At(i), Cont(next));
  }

  bool UnifyObject(const Term* t, const Value& v, size_t i, Cont k) {
    if (i * 2 >= t->items.size()) return k();
    auto kk = [&](const Value& key) -> bool {
      const Value* c = v.Find(key);
      if (!c) return true;
      Value child = *c;
      auto next = [&]() -> bool { return UnifyObject(t, v, i + 1, k); };
      return UnifyValue(t->items[i * 2 + 1].get(), child, Cont(next));
    };
    return EvalTerm(t->items[i * 2].get(), ValCont(kk));
  }

  struct SavedState {
    Value input;
    bool has_input;
    std::vector<DataOverride> overrides;
    std::unordered_map<const void*, Mock> mocks;
  };

  const CompiledPolicy& p_;
  const EvalOptions& opts_;
  BuiltinContext ctx_;
  Value input_;
  bool has_input_ = false;
  std::vector<Value> stack_;
  std::vector<uint8_t> bound_;
  std::vector<size_t> trail_;
  std::vector<size_t> frames_;
  size_t base_ = 0;
  std::vector<std::unordered_map<const RuleSet*, RuleCacheEntry>> caches_;
  std::vector<DataOverride> overrides_;
  std::unordered_map<const void*, Mock> mocks_;
  std::vector<SavedState> saved_;
  std::vector<std::string> path_scratch_;
  std::vector<const Rule*> rule_stack_;
  std::optional<RegoError> error_;
  bool failed_ = false;
  uint64_t steps_ = 0;
  int depth_ = 0;
  size_t mem_ = 0;
  bool has_deadline_ = false;
  std::chrono::steady_clock::time_point deadline_;
};

}  // namespace

QueryResult EvalQuery(const CompiledPolicy& policy, const CompiledQuery& query,
                      const EvalOptions& options) {
  Evaluator ev(policy, options);
  return ev.Run(query);
}

}  // namespace gatehouse::rego
