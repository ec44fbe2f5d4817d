// Rego builtins of the language core: comparison and arithmetic operators,
// set operators, aggregates, arrays, types, numbers and bits, membership.
// Semantics follow the OPA built-in function reference; number arithmetic
// uses int64 with overflow falling back to double (see value.h).
#include <algorithm>
#include <cmath>
#include <limits>

#include "rego/builtins.h"

namespace gatehouse::rego {

namespace {

using Args = std::span<const Value>;
using R = BuiltinResult;

R Cmp(Args a, int want) {  // want: 0 eq, 1 neq, 2 lt, 3 lte, 4 gt, 5 gte
  int c = Value::Compare(a[0], a[1]);
  bool r = false;
  switch (want) {
    case 0:
      r = c == 0;
      break;
    case 1:
      r = c != 0;
      break;
    case 2:
      r = c < 0;
      break;
    case 3:
      r = c <= 0;
      break;
    case 4:
      r = c > 0;
      break;
    case 5:
      r = c >= 0;
      break;
  }
  return Value::Bool(r);
}

Value Diff(const Value& a, const Value& b) {
  std::vector<Value> out;
  for (const Value& v : a.Items()) {
    if (!b.Contains(v)) out.push_back(v);
  }
  return Value::Set(std::move(out));
}

R Plus(Args a, BuiltinContext&) {
  if (!a[0].IsNumber()) return R::OperandError(1, "number", a[0]);
  if (!a[1].IsNumber()) return R::OperandError(2, "number", a[1]);
  int64_t x, y, z;
  if (a[0].GetInt(&x) && a[1].GetInt(&y) && !__builtin_add_overflow(x, y, &z)) return Value::Int(z);
  return Value::Number(a[0].AsDouble() + a[1].AsDouble());
}

R Minus(Args a, BuiltinContext&) {
  if (a[0].IsSet() && a[1].IsSet()) return Diff(a[0], a[1]);
  if (a[0].IsSet()) return R::OperandError(2, "set", a[1]);
  if (!a[0].IsNumber()) return R::OperandError(1, "number or set", a[0]);
  if (!a[1].IsNumber()) return R::OperandError(2, "number", a[1]);
  int64_t x, y, z;
  if (a[0].GetInt(&x) && a[1].GetInt(&y) && !__builtin_sub_overflow(x, y, &z)) return Value::Int(z);
  return Value::Number(a[0].AsDouble() - a[1].AsDouble());
}

R Mul(Args a, BuiltinContext&) {
  if (!a[0].IsNumber()) return R::OperandError(1, "number", a[0]);
  if (!a[1].IsNumber()) return R::OperandError(2, "number", a[1]);
  int64_t x, y, z;
  if (a[0].GetInt(&x) && a[1].GetInt(&y) && !__builtin_mul_overflow(x, y, &z)) return Value::Int(z);
  return Value::Number(a[0].AsDouble() * a[1].AsDouble());
}

R Div(Args a, BuiltinContext&) {
  if (!a[0].IsNumber()) return R::OperandError(1, "number", a[0]);
  if (!a[1].IsNumber()) return R::OperandError(2, "number", a[1]);
  if (a[1].AsDouble() == 0) return R::Error("divide by zero");
  int64_t x, y;
  if (a[0].GetInt(&x) && a[1].GetInt(&y) && y != 0 && x % y == 0 && !(x == INT64_MIN && y == -1))
    return Value::Int(x / y);
  return Value::Number(a[0].AsDouble() / a[1].AsDouble());
}

R Rem(Args a, BuiltinContext&) {
  if (!a[0].IsNumber()) return R::OperandError(1, "number", a[0]);
  if (!a[1].IsNumber()) return R::OperandError(2, "number", a[1]);
  int64_t x, y;
  if (!a[0].GetInt(&x) || !a[1].GetInt(&y)) return R::Error("modulo on floating-point number");
  if (y == 0) return R::Error("modulo by zero");
  if (y == -1) return Value::Int(0);
  return Value::Int(x % y);
}

R And(Args a, BuiltinContext&) {
  if (!a[0].IsSet()) return R::OperandError(1, "set", a[0]);
  if (!a[1].IsSet()) return R::OperandError(2, "set", a[1]);
  std::vector<Value> out;
  for (const Value& v : a[0].Items()) {
    if (a[1].Contains(v)) out.push_back(v);
  }
  return Value::Set(std::move(out));
}

R Or(Args a, BuiltinContext&) {
  if (!a[0].IsSet()) return R::OperandError(1, "set", a[0]);
  if (!a[1].IsSet()) return R::OperandError(2, "set", a[1]);
  std::vector<Value> out(a[0].Items().begin(), a[0].Items().end());
  out.insert(out.end(), a[1].Items().begin(), a[1].Items().end());
  return Value::Set(std::move(out));
}

R Count(Args a, BuiltinContext&) {
  const Value& v = a[0];
  if (v.IsString()) {
    // Unicode code points.
    int64_t n = 0;
    for (unsigned char c : v.AsString()) {
      if ((c & 0xC0) != 0x80) ++n;
    }
    return Value::Int(n);
  }
  if (v.IsArray() || v.IsSet() || v.IsObject()) return Value::Int(static_cast<int64_t>(v.size()));
  return R::OperandError(1, "one of {array, object, set, string}", v);
}

R SumProd(Args a, bool product) {
  const Value& v = a[0];
  if (!v.IsArray() && !v.IsSet()) return R::OperandError(1, "one of {array, set}", v);
  Value acc = Value::Int(product ? 1 : 0);
  BuiltinContext dummy;
  for (const Value& x : v.Items()) {
    if (!x.IsNumber()) return R::OperandError(1, "array or set of numbers", x);
    Value pair[2] = {acc, x};
    R r = product ? Mul(Args(pair, 2), dummy) : Plus(Args(pair, 2), dummy);
    acc = r.value();
  }
  return acc;
}
R Sum(Args a, BuiltinContext&) { return SumProd(a, false); }
R Product(Args a, BuiltinContext&) { return SumProd(a, true); }

R MaxMin(Args a, bool max) {
  const Value& v = a[0];
  if (!v.IsArray() && !v.IsSet()) return R::OperandError(1, "one of {array, set}", v);
  auto items = v.Items();
  if (items.empty()) return R::Undefined();
  const Value* best = &items[0];
  for (const Value& x : items) {
    int c = Value::Compare(x, *best);
    if (max ? c > 0 : c < 0) best = &x;
  }
  return *best;
}
R Max(Args a, BuiltinContext&) { return MaxMin(a, true); }
R Min(Args a, BuiltinContext&) { return MaxMin(a, false); }

R Sort(Args a, BuiltinContext&) {
  const Value& v = a[0];
  if (v.IsSet()) return Value::Array(std::vector<Value>(v.Items().begin(), v.Items().end()));
  if (!v.IsArray()) return R::OperandError(1, "one of {array, set}", v);
  std::vector<Value> items(v.Items().begin(), v.Items().end());
  std::stable_sort(items.begin(), items.end(), ValueLess());
  return Value::Array(std::move(items));
}

R AllAny(Args a, bool all) {
  const Value& v = a[0];
  if (!v.IsArray() && !v.IsSet()) return R::OperandError(1, "one of {array, set}", v);
  for (const Value& x : v.Items()) {
    bool t = x.IsBool() && x.AsBool();
    if (all && !t) return Value::Bool(false);
    if (!all && t) return Value::Bool(true);
  }
  return Value::Bool(all);
}

R ToNumber(Args a, BuiltinContext&) {
  const Value& v = a[0];
  switch (v.kind()) {
    case Kind::kNull:
      return Value::Int(0);
    case Kind::kBool:
      return Value::Int(v.AsBool() ? 1 : 0);
    case Kind::kNumber:
      return v;
    case Kind::kString: {
      auto r = ParseJson(v.AsString());
      if (!r.ok() || !r->IsNumber()) {
        std::string s(v.AsString());
        char* end = nullptr;
        double d = std::strtod(s.c_str(), &end);
        if (s.empty() || end != s.c_str() + s.size() || !std::isfinite(d) ||
            s.find_first_of("xXpPnN") != std::string::npos)
          return R::Error("strconv.ParseFloat: parsing " + Value::String(s).ToJson() +
                          ": invalid syntax");
        return Value::Number(d);
      }
      return *r;
    }
    default:
      return R::OperandError(1, "one of {boolean, null, number, string}", v);
  }
}

R Abs(Args a, BuiltinContext&) {
  if (!a[0].IsNumber()) return R::OperandError(1, "number", a[0]);
  int64_t x;
  if (a[0].GetInt(&x) && x != INT64_MIN) return Value::Int(x < 0 ? -x : x);
  return Value::Number(std::fabs(a[0].AsDouble()));
}
R Round(Args a, BuiltinContext&) {
  if (!a[0].IsNumber()) return R::OperandError(1, "number", a[0]);
  if (a[0].IsInt()) return a[0];
  return Value::Number(std::round(a[0].AsDouble()));
}
R Ceil(Args a, BuiltinContext&) {
  if (!a[0].IsNumber()) return R::OperandError(1, "number", a[0]);
  if (a[0].IsInt()) return a[0];
  return Value::Number(std::ceil(a[0].AsDouble()));
}
R Floor(Args a, BuiltinContext&) {
  if (!a[0].IsNumber()) return R::OperandError(1, "number", a[0]);
  if (a[0].IsInt()) return a[0];
  return Value::Number(std::floor(a[0].AsDouble()));
}

R RangeStep(int64_t lo, int64_t hi, int64_t step, BuiltinContext& ctx) {
  std::vector<Value> out;
  uint64_t n = (hi >= lo ? static_cast<uint64_t>(hi - lo) : static_cast<uint64_t>(lo - hi)) /
               static_cast<uint64_t>(step);
  if (n > 10'000'000) return R::Error("range too large");
  if (hi >= lo) {
    for (int64_t i = lo; i <= hi; i += step) {
      out.push_back(Value::Int(i));
      if ((out.size() & 4095) == 0 && ctx.Cancelled()) return R::Error("cancelled");
      if (i > INT64_MAX - step) break;
    }
  } else {
    for (int64_t i = lo; i >= hi; i -= step) {
      out.push_back(Value::Int(i));
      if ((out.size() & 4095) == 0 && ctx.Cancelled()) return R::Error("cancelled");
      if (i < INT64_MIN + step) break;
    }
  }
  return Value::Array(std::move(out));
}
R Range(Args a, BuiltinContext& ctx) {
  int64_t lo, hi;
  if (!a[0].GetInt(&lo)) return R::OperandError(1, "integer", a[0]);
  if (!a[1].GetInt(&hi)) return R::OperandError(2, "integer", a[1]);
  return RangeStep(lo, hi, 1, ctx);
}
R RangeStepFn(Args a, BuiltinContext& ctx) {
  int64_t lo, hi, st;
  if (!a[0].GetInt(&lo)) return R::OperandError(1, "integer", a[0]);
  if (!a[1].GetInt(&hi)) return R::OperandError(2, "integer", a[1]);
  if (!a[2].GetInt(&st)) return R::OperandError(3, "integer", a[2]);
  if (st <= 0) return R::Error("step must be a positive integer");
  return RangeStep(lo, hi, st, ctx);
}

R Bits(Args a, int op) {
  int64_t x = 0, y = 0;
  if (!a[0].GetInt(&x)) return R::OperandError(1, "integer", a[0]);
  if (a.size() > 1 && !a[1].GetInt(&y)) return R::OperandError(2, "integer", a[1]);
  switch (op) {
    case 0:
      return Value::Int(x | y);
    case 1:
      return Value::Int(x & y);
    case 2:
      return Value::Int(~x);
    case 3:
      return Value::Int(x ^ y);
    case 4:
      if (y < 0) return R::Error("must be an unsigned integer number but got a negative integer");
      return Value::Int(y >= 64 ? 0 : static_cast<int64_t>(static_cast<uint64_t>(x) << y));
    case 5:
      if (y < 0) return R::Error("must be an unsigned integer number but got a negative integer");
      return Value::Int(y >= 64 ? (x < 0 ? -1 : 0) : x >> y);
  }
  return R::Undefined();
}

R Intersection(Args a, BuiltinContext&) {
  if (!a[0].IsSet()) return R::OperandError(1, "set", a[0]);
  auto sets = a[0].Items();
  if (sets.empty()) return Value::EmptySet();
  for (const Value& s : sets) {
    if (!s.IsSet()) return R::OperandError(1, "set of sets", s);
  }
  std::vector<Value> out;
  for (const Value& v : sets[0].Items()) {
    bool all = true;
    for (const Value& s : sets) all = all && s.Contains(v);
    if (all) out.push_back(v);
  }
  return Value::Set(std::move(out));
}
R Union(Args a, BuiltinContext&) {
  if (!a[0].IsSet()) return R::OperandError(1, "set", a[0]);
  std::vector<Value> out;
  for (const Value& s : a[0].Items()) {
    if (!s.IsSet()) return R::OperandError(1, "set of sets", s);
    out.insert(out.end(), s.Items().begin(), s.Items().end());
  }
  return Value::Set(std::move(out));
}

R ArrayConcat(Args a, BuiltinContext&) {
  if (!a[0].IsArray()) return R::OperandError(1, "array", a[0]);
  if (!a[1].IsArray()) return R::OperandError(2, "array", a[1]);
  std::vector<Value> out(a[0].Items().begin(), a[0].Items().end());
  out.insert(out.end(), a[1].Items().begin(), a[1].Items().end());
  return Value::Array(std::move(out));
}
R ArraySlice(Args a, BuiltinContext&) {
  if (!a[0].IsArray()) return R::OperandError(1, "array", a[0]);
  if (!a[1].IsNumber()) return R::OperandError(2, "number", a[1]);
  if (!a[2].IsNumber()) return R::OperandError(3, "number", a[2]);
  int64_t n = static_cast<int64_t>(a[0].size());
  int64_t lo = std::clamp<int64_t>(a[1].AsInt(), 0, n);
  int64_t hi = std::clamp<int64_t>(a[2].AsInt(), 0, n);
  if (lo > hi) lo = hi;
  auto items = a[0].Items();
  return Value::Array(std::vector<Value>(items.begin() + lo, items.begin() + hi));
}
R ArrayReverse(Args a, BuiltinContext&) {
  if (!a[0].IsArray()) return R::OperandError(1, "array", a[0]);
  std::vector<Value> out(a[0].Items().rbegin(), a[0].Items().rend());
  return Value::Array(std::move(out));
}

R ObjectGet(Args a, BuiltinContext&) {
  if (!a[0].IsObject()) return R::OperandError(1, "object", a[0]);
  if (a[1].IsArray()) {
    const Value* cur = &a[0];
    for (const Value& k : a[1].Items()) {
      const Value* n = cur->IsObject() || cur->IsArray() || cur->IsSet() ? cur->Get(k) : nullptr;
      if (!n) return a[2];
      cur = n;
    }
    return *cur;
  }
  const Value* v = a[0].Find(a[1]);
  return v ? *v : a[2];
}

R Member2(Args a, BuiltinContext&) {
  const Value& c = a[1];
  switch (c.kind()) {
    case Kind::kSet:
      return Value::Bool(c.Contains(a[0]));
    case Kind::kArray:
      for (const Value& v : c.Items()) {
        if (v == a[0]) return Value::Bool(true);
      }
      return Value::Bool(false);
    case Kind::kObject:
      for (const auto& [k, v] : c.ObjectItems()) {
        if (v == a[0]) return Value::Bool(true);
      }
      return Value::Bool(false);
    default:
      return Value::Bool(false);
  }
}
R Member3(Args a, BuiltinContext&) {
  const Value& c = a[2];
  if (c.IsObject() || c.IsArray()) {
    const Value* v = c.Get(a[0]);
    return Value::Bool(v && *v == a[1]);
  }
  if (c.IsSet()) return Value::Bool(a[0] == a[1] && c.Contains(a[0]));
  return Value::Bool(false);
}

R TypeName(Args a, BuiltinContext&) { return Value::String(std::string(a[0].type_name())); }

R Trace(Args a, BuiltinContext& ctx) {
  if (!a[0].IsString()) return R::OperandError(1, "string", a[0]);
  (void)ctx;
  return Value::Bool(true);
}

R NotImplemented(Args, BuiltinContext&) { return R::Error("evaluated by the engine"); }

}  // namespace

void RegisterBuiltins_Core(BuiltinRegistry& r) {
  r.Add("equal", 2, [](Args a, BuiltinContext&) { return Cmp(a, 0); });
  r.Add("neq", 2, [](Args a, BuiltinContext&) { return Cmp(a, 1); });
  r.Add("lt", 2, [](Args a, BuiltinContext&) { return Cmp(a, 2); });
  r.Add("lte", 2, [](Args a, BuiltinContext&) { return Cmp(a, 3); });
  r.Add("gt", 2, [](Args a, BuiltinContext&) { return Cmp(a, 4); });
  r.Add("gte", 2, [](Args a, BuiltinContext&) { return Cmp(a, 5); });
  r.Add("plus", 2, Plus);
  r.Add("minus", 2, Minus);
  r.Add("mul", 2, Mul);
  r.Add("div", 2, Div);
  r.Add("rem", 2, Rem);
  r.Add("and", 2, And);
  r.Add("or", 2, Or);
  r.Add("count", 1, Count);
  r.Add("sum", 1, Sum);
  r.Add("product", 1, Product);
  r.Add("max", 1, Max);
  r.Add("min", 1, Min);
  r.Add("sort", 1, Sort);
  BuiltinDef all{"all", 1, [](Args a, BuiltinContext&) { return AllAny(a, true); }, false, true};
  r.Add(all);
  BuiltinDef any{"any", 1, [](Args a, BuiltinContext&) { return AllAny(a, false); }, false, true};
  r.Add(any);
  r.Add("to_number", 1, ToNumber);
  r.Add("abs", 1, Abs);
  r.Add("round", 1, Round);
  r.Add("ceil", 1, Ceil);
  r.Add("floor", 1, Floor);
  r.Add("numbers.range", 2, Range);
  r.Add("numbers.range_step", 3, RangeStepFn);
  r.Add("bits.or", 2, [](Args a, BuiltinContext&) { return Bits(a, 0); });
  r.Add("bits.and", 2, [](Args a, BuiltinContext&) { return Bits(a, 1); });
  r.Add("bits.negate", 1, [](Args a, BuiltinContext&) { return Bits(a, 2); });
  r.Add("bits.xor", 2, [](Args a, BuiltinContext&) { return Bits(a, 3); });
  r.Add("bits.lsh", 2, [](Args a, BuiltinContext&) { return Bits(a, 4); });
  r.Add("bits.rsh", 2, [](Args a, BuiltinContext&) { return Bits(a, 5); });
  r.Add("is_null", 1, [](Args a, BuiltinContext&) -> R { return Value::Bool(a[0].IsNull()); });
  r.Add("is_boolean", 1, [](Args a, BuiltinContext&) -> R { return Value::Bool(a[0].IsBool()); });
  r.Add("is_number", 1, [](Args a, BuiltinContext&) -> R { return Value::Bool(a[0].IsNumber()); });
  r.Add("is_string", 1, [](Args a, BuiltinContext&) -> R { return Value::Bool(a[0].IsString()); });
  r.Add("is_array", 1, [](Args a, BuiltinContext&) -> R { return Value::Bool(a[0].IsArray()); });
  r.Add("is_object", 1, [](Args a, BuiltinContext&) -> R { return Value::Bool(a[0].IsObject()); });
  r.Add("is_set", 1, [](Args a, BuiltinContext&) -> R { return Value::Bool(a[0].IsSet()); });
  r.Add("type_name", 1, TypeName);
  r.Add("intersection", 1, Intersection);
  r.Add("union", 1, Union);
  r.Add("array.concat", 2, ArrayConcat);
  r.Add("array.slice", 3, ArraySlice);
  r.Add("array.reverse", 1, ArrayReverse);
  r.Add("object.get", 3, ObjectGet);
  r.Add("internal.member_2", 2, Member2);
  r.Add("internal.member_3", 3, Member3);
  r.Add("trace", 1, Trace);
  // Evaluated natively by the evaluator (need evaluation state).
  BuiltinDef print{"print", -1, NotImplemented, false, false};
  r.Add(print);
  r.Add("walk", 1, NotImplemented);
  r.Add("rego.metadata.rule", 0, NotImplemented);
  r.Add("rego.metadata.chain", 0, NotImplemented);
}

}  // namespace gatehouse::rego
