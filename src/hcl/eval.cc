// A small evaluator for HCL expressions: enough to fold what Terraform code
// states literally (variable defaults, locals, templates with known parts,
// jsonencode() policies, merge/concat/lookup/format ...) and nothing more.
//
// The value model follows HCL's (cty): unknown, null, bool, number, string,
// tuple, object. Any reference the caller did not bind (a resource
// attribute, data source, count.index, path.module), any impure function
// (file, timestamp, uuid ...) and any function we do not implement yields
// Unknown, and Unknown propagates: an operation with an unknown operand is
// unknown. Dynamic errors (a missing attribute of a known object, an index
// out of range, a type mismatch) are tracked separately so that try() and
// can() can fall through exactly when Terraform's would; everywhere else an
// error evaluates to Unknown. We never guess a value.
//
// Recursion is bounded by EvalContext::depth; string and collection sizes
// produced by functions are capped so hostile input cannot blow up memory.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <set>

#include "gatehouse/hcl.h"

namespace gatehouse::hcl {

Value Value::Bool(bool b) {
  Value v(Kind::kBool);
  v.b_ = b;
  return v;
}
Value Value::Number(double d) {
  Value v(Kind::kNumber);
  v.n_ = d;
  return v;
}
Value Value::String(std::string s) {
  Value v(Kind::kString);
  v.s_ = std::move(s);
  return v;
}
Value Value::Tuple(std::vector<Value> items) {
  Value v(Kind::kTuple);
  v.items_ = std::move(items);
  return v;
}
Value Value::Object(std::map<std::string, Value> members) {
  Value v(Kind::kObject);
  v.members_ = std::move(members);
  return v;
}

bool Value::WhollyKnown() const {
  if (kind_ == Kind::kUnknown) return false;
  for (const Value& v : items_)
    if (!v.WhollyKnown()) return false;
  for (const auto& [k, v] : members_)
    if (!v.WhollyKnown()) return false;
  return true;
}

const Value* Value::Get(std::string_view key) const {
  if (kind_ != Kind::kObject) return nullptr;
  auto it = members_.find(std::string(key));
  return it == members_.end() ? nullptr : &it->second;
}

namespace {

std::string NumberText(double d) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
  if (d == std::floor(d) && std::fabs(d) < 1e15) {
    char b[32];
    std::snprintf(b, sizeof b, "%.0f", d);
    return b;
  }
  char b[40];
  for (int p = 1; p <= 17; ++p) {
    std::snprintf(b, sizeof b, "%.*g", p, d);
    if (std::strtod(b, nullptr) == d) break;
  }
  return b;
}

void JsonQuote(std::string_view s, std::string* out) {
  out->push_back('"');
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        *out += "\\\"";
        break;
      case '\\':
        *out += "\\\\";
        break;
      case '\n':
        *out += "\\n";
        break;
      case '\r':
        *out += "\\r";
        break;
      case '\t':
        *out += "\\t";
        break;
      case '<':
        *out += "\\u003c";
        break;  // as Terraform's jsonencode
      case '>':
        *out += "\\u003e";
        break;
      case '&':
        *out += "\\u0026";
        break;
      default:
        if (c < 0x20) {
          char b[8];
          std::snprintf(b, sizeof b, "\\u%04x", c);
          *out += b;
        } else {
          out->push_back(static_cast<char>(c));
        }
    }
  }
  out->push_back('"');
}

void ToJsonInto(const Value& v, std::string* out) {
  switch (v.kind()) {
    case Value::Kind::kUnknown:
    case Value::Kind::kNull:
      *out += "null";
      break;
    case Value::Kind::kBool:
      *out += v.AsBool() ? "true" : "false";
      break;
    case Value::Kind::kNumber:
      *out += NumberText(v.AsNumber());
      break;
    case Value::Kind::kString:
      JsonQuote(v.AsString(), out);
      break;
    case Value::Kind::kTuple: {
      out->push_back('[');
      bool first = true;
      for (const Value& x : v.items()) {
        if (!first) out->push_back(',');
        first = false;
        ToJsonInto(x, out);
      }
      out->push_back(']');
      break;
    }
    case Value::Kind::kObject: {
      out->push_back('{');
      bool first = true;
      for (const auto& [k, x] : v.members()) {
        if (!first) out->push_back(',');
        first = false;
        JsonQuote(k, out);
        out->push_back(':');
        ToJsonInto(x, out);
      }
      out->push_back('}');
      break;
    }
  }
}

}  // namespace

Value Value::ToStringValue() const {
  switch (kind_) {
    case Kind::kString:
      return *this;
    case Kind::kNumber:
      return String(NumberText(n_));
    case Kind::kBool:
      return String(b_ ? "true" : "false");
    case Kind::kNull:
      return *this;
    default:
      return Unknown();
  }
}
Value Value::ToBoolValue() const {
  if (kind_ == Kind::kBool || kind_ == Kind::kNull) return *this;
  if (kind_ == Kind::kString && (s_ == "true" || s_ == "false")) return Bool(s_ == "true");
  return Unknown();
}
Value Value::ToNumberValue() const {
  if (kind_ == Kind::kNumber || kind_ == Kind::kNull) return *this;
  if (kind_ == Kind::kString && !s_.empty()) {
    char* end = nullptr;
    double d = std::strtod(s_.c_str(), &end);
    if (end && *end == '\0') return Number(d);
  }
  return Unknown();
}
std::string Value::ToJson() const {
  std::string out;
  ToJsonInto(*this, &out);
  return out;
}
std::string Value::Debug() const {
  if (kind_ == Kind::kUnknown) return "(unknown)";
  if (kind_ == Kind::kTuple || kind_ == Kind::kObject) {
    if (!WhollyKnown()) {
      std::string s = kind_ == Kind::kTuple ? "[" : "{";
      bool first = true;
      if (kind_ == Kind::kTuple)
        for (const Value& v : items_) s += (first ? "" : ",") + v.Debug(), first = false;
      else
        for (const auto& [k, v] : members_) {
          s += first ? "" : ",";
          JsonQuote(k, &s);
          s += ":" + v.Debug();
          first = false;
        }
      return s + (kind_ == Kind::kTuple ? "]" : "}");
    }
  }
  return ToJson();
}
bool Value::operator==(const Value& o) const {
  if (kind_ != o.kind_) return false;
  switch (kind_) {
    case Kind::kUnknown:
      return false;
    case Kind::kNull:
      return true;
    case Kind::kBool:
      return b_ == o.b_;
    case Kind::kNumber:
      return n_ == o.n_;
    case Kind::kString:
      return s_ == o.s_;
    case Kind::kTuple:
      return items_ == o.items_;
    case Kind::kObject:
      return members_ == o.members_;
  }
  return false;
}

const Value* EvalContext::Lookup(std::string_view name) const {
  for (const EvalContext* c = this; c; c = c->parent) {
    auto it = c->variables.find(std::string(name));
    if (it != c->variables.end()) return &it->second;
  }
  return nullptr;
}

namespace {

constexpr size_t kMaxString = 1 << 20;
constexpr size_t kMaxItems = 1 << 16;
constexpr int kMaxDepth = 128;

Value FromJson(const nlohmann::json& j, int depth) {
  if (depth > kMaxDepth) return Value::Unknown();
  switch (j.type()) {
    case nlohmann::json::value_t::null:
      return Value::Null();
    case nlohmann::json::value_t::boolean:
      return Value::Bool(j.get<bool>());
    case nlohmann::json::value_t::number_integer:
    case nlohmann::json::value_t::number_unsigned:
    case nlohmann::json::value_t::number_float:
      return Value::Number(j.get<double>());
    case nlohmann::json::value_t::string:
      return Value::String(j.get<std::string>());
    case nlohmann::json::value_t::array: {
      std::vector<Value> items;
      for (const auto& x : j) items.push_back(FromJson(x, depth + 1));
      return Value::Tuple(std::move(items));
    }
    case nlohmann::json::value_t::object: {
      std::map<std::string, Value> m;
      for (const auto& [k, x] : j.items()) m[k] = FromJson(x, depth + 1);
      return Value::Object(std::move(m));
    }
    default:
      return Value::Unknown();
  }
}

struct Ev {
  bool err = false;  // a dynamic error happened (try/can fall through)

  Value Fail() {
    err = true;
    return Value::Unknown();
  }

  Value Eval(const Expr* e, const EvalContext& ctx, int depth) {
    if (!e) return Value::Null();
    if (depth > kMaxDepth) return Value::Unknown();
    switch (e->kind) {
      case ExprKind::kLiteral:
        switch (e->lit) {
          case LitKind::kNull:
            return Value::Null();
          case LitKind::kBool:
            return Value::Bool(e->bval);
          case LitKind::kNumber:
            return Value::Number(e->num);
          case LitKind::kString:
            return Value::String(e->name);
        }
        return Value::Unknown();
      case ExprKind::kTemplate: {
        // A template that is exactly one interpolation yields that value
        // unconverted (HCL's "template wrap").
        if (e->kids.size() == 1 &&
            !(e->kids[0]->kind == ExprKind::kLiteral && e->kids[0]->lit == LitKind::kString) &&
            e->kids[0]->kind != ExprKind::kTemplateIf && e->kids[0]->kind != ExprKind::kTemplateFor)
          return Eval(e->kids[0], ctx, depth + 1);
        std::string s;
        bool unknown = false;
        for (const Expr* k : e->kids) {
          Value v = Eval(k, ctx, depth + 1);
          if (!v.known()) {
            unknown = true;
            continue;
          }
          if (v.IsNull()) return Fail();
          Value sv = v.ToStringValue();
          if (!sv.known()) return Fail();
          s += sv.AsString();
          if (s.size() > kMaxString) return Value::Unknown();
        }
        return unknown ? Value::Unknown() : Value::String(std::move(s));
      }
      case ExprKind::kTemplateIf: {
        Value c = Eval(e->kids[0], ctx, depth + 1).ToBoolValue();
        if (!c.known() || c.IsNull()) return Value::Unknown();
        if (c.AsBool()) return Eval(e->kids[1], ctx, depth + 1).ToStringValue();
        if (e->kids.size() > 2) return Eval(e->kids[2], ctx, depth + 1).ToStringValue();
        return Value::String("");
      }
      case ExprKind::kTemplateFor: {
        Value coll = Eval(e->kids[0], ctx, depth + 1);
        std::string s;
        bool unknown = false;
        bool ok = Iterate(coll, [&](const Value& k, const Value& v) {
          EvalContext inner;
          inner.parent = &ctx;
          if (!e->name.empty()) inner.variables[e->name] = k;
          inner.variables[e->name2] = v;
          Value r = Eval(e->kids[1], inner, depth + 1).ToStringValue();
          if (!r.known())
            unknown = true;
          else
            s += r.AsString();
          return s.size() <= kMaxString;
        });
        if (!ok || unknown) return Value::Unknown();
        return Value::String(std::move(s));
      }
      case ExprKind::kVariable: {
        const Value* v = ctx.Lookup(e->name);
        return v ? *v : Value::Unknown();
      }
      case ExprKind::kSplatItem: {
        const Value* v = ctx.Lookup("\x01splat");
        return v ? *v : Value::Unknown();
      }
      case ExprKind::kGetAttr: {
        Value o = Eval(e->kids[0], ctx, depth + 1);
        if (!o.known()) return o;
        if (o.IsObject()) {
          const Value* m = o.Get(e->name);
          return m ? *m : Fail();
        }
        return Fail();
      }
      case ExprKind::kIndex: {
        Value o = Eval(e->kids[0], ctx, depth + 1);
        Value k = Eval(e->kids[1], ctx, depth + 1);
        return Index(o, k);
      }
      case ExprKind::kSplat: {
        Value src = Eval(e->kids[0], ctx, depth + 1);
        if (!src.known()) return src;
        std::vector<Value> items;
        if (src.IsNull()) return Value::Tuple({});
        if (src.IsTuple())
          items = src.items();
        else
          items.push_back(src);
        std::vector<Value> out;
        for (const Value& it : items) {
          EvalContext inner;
          inner.parent = &ctx;
          inner.variables["\x01splat"] = it;
          out.push_back(Eval(e->kids[1], inner, depth + 1));
        }
        return Value::Tuple(std::move(out));
      }
      case ExprKind::kCall:
        return Call(e, ctx, depth);
      case ExprKind::kTuple: {
        std::vector<Value> items;
        for (const Expr* k : e->kids) items.push_back(Eval(k, ctx, depth + 1));
        return Value::Tuple(std::move(items));
      }
      case ExprKind::kObject: {
        std::map<std::string, Value> m;
        for (size_t i = 0; i + 1 < e->kids.size(); i += 2) {
          Value k = Eval(e->kids[i], ctx, depth + 1).ToStringValue();
          if (!k.known() || k.IsNull()) return Value::Unknown();
          m[k.AsString()] = Eval(e->kids[i + 1], ctx, depth + 1);
        }
        return Value::Object(std::move(m));
      }
      case ExprKind::kFor:
        return For(e, ctx, depth);
      case ExprKind::kUnary: {
        Value x = Eval(e->kids[0], ctx, depth + 1);
        if (!x.known()) return x;
        if (e->op == Op::kNot) {
          Value b = x.ToBoolValue();
          return b.known() && b.IsBool() ? Value::Bool(!b.AsBool()) : Fail();
        }
        Value n = x.ToNumberValue();
        return n.known() && n.IsNumber() ? Value::Number(-n.AsNumber()) : Fail();
      }
      case ExprKind::kBinary:
        return Binary(e, ctx, depth);
      case ExprKind::kConditional: {
        Value c = Eval(e->kids[0], ctx, depth + 1).ToBoolValue();
        if (c.known() && c.IsBool())
          return Eval(c.AsBool() ? e->kids[1] : e->kids[2], ctx, depth + 1);
        if (c.known()) return Fail();
        Value a = Eval(e->kids[1], ctx, depth + 1);
        Value b = Eval(e->kids[2], ctx, depth + 1);
        return a.WhollyKnown() && a == b ? a : Value::Unknown();
      }
      case ExprKind::kParen:
        return Eval(e->kids[0], ctx, depth + 1);
    }
    return Value::Unknown();
  }

  Value Index(const Value& o, const Value& k) {
    if (!o.known() || !k.known()) return Value::Unknown();
    if (o.IsTuple()) {
      Value n = k.ToNumberValue();
      if (!n.known() || !n.IsNumber()) return Fail();
      double d = n.AsNumber();
      if (d < 0 || d != std::floor(d) || d >= static_cast<double>(o.items().size())) return Fail();
      return o.items()[static_cast<size_t>(d)];
    }
    if (o.IsObject()) {
      Value s = k.ToStringValue();
      if (!s.known() || !s.IsString()) return Fail();
      const Value* m = o.Get(s.AsString());
      return m ? *m : Fail();
    }
    return Fail();
  }

  // Calls f(key, value) for each element; false when coll is not iterable.
  template <typename F>
  bool Iterate(const Value& coll, F f) {
    if (coll.IsTuple()) {
      for (size_t i = 0; i < coll.items().size(); ++i)
        if (!f(Value::Number(static_cast<double>(i)), coll.items()[i])) return false;
      return true;
    }
    if (coll.IsObject()) {
      for (const auto& [k, v] : coll.members())
        if (!f(Value::String(k), v)) return false;
      return true;
    }
    if (coll.known()) err = true;
    return false;
  }

  Value For(const Expr* e, const EvalContext& ctx, int depth) {
    Value coll = Eval(e->kids[0], ctx, depth + 1);
    if (!coll.known()) return Value::Unknown();
    std::vector<Value> items;
    std::map<std::string, Value> obj;
    std::map<std::string, std::vector<Value>> groups;
    bool unknown = false;
    bool ok = Iterate(coll, [&](const Value& k, const Value& v) {
      EvalContext inner;
      inner.parent = &ctx;
      if (!e->name.empty()) inner.variables[e->name] = k;
      inner.variables[e->name2] = v;
      if (e->kids[3]) {
        Value c = Eval(e->kids[3], inner, depth + 1).ToBoolValue();
        if (!c.known() || !c.IsBool()) {
          unknown = true;
          return false;
        }
        if (!c.AsBool()) return true;
      }
      if (e->flag2) {
        Value key = Eval(e->kids[1], inner, depth + 1).ToStringValue();
        if (!key.known() || !key.IsString()) {
          unknown = true;
          return false;
        }
        Value val = Eval(e->kids[2], inner, depth + 1);
        if (e->flag)
          groups[key.AsString()].push_back(std::move(val));
        else if (obj.count(key.AsString()))
          err = true;  // duplicate key without grouping
        else
          obj[key.AsString()] = std::move(val);
      } else {
        items.push_back(Eval(e->kids[2], inner, depth + 1));
      }
      return items.size() < kMaxItems && obj.size() < kMaxItems;
    });
    if (!ok || unknown) return Value::Unknown();
    if (!e->flag2) return Value::Tuple(std::move(items));
    if (e->flag)
      for (auto& [k, v] : groups) obj[k] = Value::Tuple(std::move(v));
    return Value::Object(std::move(obj));
  }

  Value Binary(const Expr* e, const EvalContext& ctx, int depth) {
    Value a = Eval(e->kids[0], ctx, depth + 1);
    // && and || short-circuit only on known values.
    if (e->op == Op::kAnd || e->op == Op::kOr) {
      Value ab = a.ToBoolValue();
      if (ab.known() && ab.IsBool()) {
        if (e->op == Op::kAnd && !ab.AsBool()) return Value::Bool(false);
        if (e->op == Op::kOr && ab.AsBool()) return Value::Bool(true);
      }
      Value bb = Eval(e->kids[1], ctx, depth + 1).ToBoolValue();
      if (bb.known() && bb.IsBool() && !ab.known()) {
        if (e->op == Op::kAnd && !bb.AsBool()) return Value::Bool(false);
        if (e->op == Op::kOr && bb.AsBool()) return Value::Bool(true);
        return Value::Unknown();
      }
      if (!ab.known() || !bb.known()) return Value::Unknown();
      if (!ab.IsBool() || !bb.IsBool()) return Fail();
      return Value::Bool(bb.AsBool());
    }
    Value b = Eval(e->kids[1], ctx, depth + 1);
    if (e->op == Op::kEq || e->op == Op::kNe) {
      if (!a.WhollyKnown() || !b.WhollyKnown()) return Value::Unknown();
      bool eq = a == b;
      return Value::Bool(e->op == Op::kEq ? eq : !eq);
    }
    if (!a.known() || !b.known()) return Value::Unknown();
    Value x = a.ToNumberValue(), y = b.ToNumberValue();
    if (!x.known() || !y.known() || !x.IsNumber() || !y.IsNumber()) return Fail();
    double p = x.AsNumber(), q = y.AsNumber();
    switch (e->op) {
      case Op::kAdd:
        return Value::Number(p + q);
      case Op::kSub:
        return Value::Number(p - q);
      case Op::kMul:
        return Value::Number(p * q);
      case Op::kDiv:
        return q == 0 ? Fail() : Value::Number(p / q);
      case Op::kMod:
        return q == 0 ? Fail() : Value::Number(std::fmod(p, q));
      case Op::kGt:
        return Value::Bool(p > q);
      case Op::kGe:
        return Value::Bool(p >= q);
      case Op::kLt:
        return Value::Bool(p < q);
      case Op::kLe:
        return Value::Bool(p <= q);
      default:
        return Value::Unknown();
    }
  }

  static std::string Lower(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
  }
  static std::string Upper(std::string s) {
    for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return s;
  }

  Value Format(const std::vector<Value>& a) {
    if (a.empty() || !a[0].IsString()) return a.empty() ? Fail() : Value::Unknown();
    const std::string& f = a[0].AsString();
    std::string out;
    size_t arg = 1;
    for (size_t i = 0; i < f.size(); ++i) {
      if (f[i] != '%') {
        out.push_back(f[i]);
        continue;
      }
      if (i + 1 < f.size() && f[i + 1] == '%') {
        out.push_back('%');
        ++i;
        continue;
      }
      size_t j = i + 1;
      while (j < f.size() && std::strchr("0123456789.+-# ", f[j])) ++j;
      if (j >= f.size()) return Fail();
      char verb = f[j];
      if (arg >= a.size()) return Fail();
      const Value& v = a[arg++];
      if (!v.WhollyKnown()) return Value::Unknown();
      switch (verb) {
        case 's': {
          Value s = v.ToStringValue();
          if (!s.known() || !s.IsString()) return Fail();
          out += s.AsString();
          break;
        }
        case 'd': {
          Value n = v.ToNumberValue();
          if (!n.IsNumber()) return Fail();
          out += NumberText(std::trunc(n.AsNumber()));
          break;
        }
        case 'q': {
          Value s = v.ToStringValue();
          if (!s.IsString()) return Fail();
          JsonQuote(s.AsString(), &out);
          break;
        }
        case 'v':
        case 'f':
        case 'g':
        case 'e': {
          if (v.IsString())
            out += v.AsString();
          else if (v.IsNumber())
            out += NumberText(v.AsNumber());
          else
            out += v.ToJson();
          break;
        }
        case 't': {
          Value b = v.ToBoolValue();
          if (!b.IsBool()) return Fail();
          out += b.AsBool() ? "true" : "false";
          break;
        }
        default:
          return Fail();
      }
      i = j;
      if (out.size() > kMaxString) return Value::Unknown();
    }
    return Value::String(std::move(out));
  }

  static void Flatten(const Value& v, std::vector<Value>* out, int depth) {
    if (v.IsTuple() && depth < kMaxDepth) {
      for (const Value& x : v.items()) Flatten(x, out, depth + 1);
    } else {
      out->push_back(v);
    }
  }

  Value Call(const Expr* e, const EvalContext& ctx, int depth) {
    const std::string& fn = e->name;
    // try/can look at evaluation errors of their own arguments.
    if (fn == "try") {
      for (const Expr* k : e->kids) {
        Ev sub;
        Value v = sub.Eval(k, ctx, depth + 1);
        if (!sub.err) return v;  // known or unknown: Terraform would stop here too
      }
      return Fail();
    }
    if (fn == "can") {
      if (e->kids.size() != 1) return Fail();
      Ev sub;
      Value v = sub.Eval(e->kids[0], ctx, depth + 1);
      if (sub.err) return Value::Bool(false);
      return v.WhollyKnown() ? Value::Bool(true) : Value::Unknown();
    }
    std::vector<Value> a;
    for (const Expr* k : e->kids) a.push_back(Eval(k, ctx, depth + 1));
    if (e->flag && !a.empty()) {  // f(xs...)
      Value last = a.back();
      a.pop_back();
      if (!last.known()) return Value::Unknown();
      if (!last.IsTuple()) return Fail();
      for (const Value& x : last.items()) a.push_back(x);
    }
    auto all_known = [&] {
      for (const Value& v : a)
        if (!v.WhollyKnown()) return false;
      return true;
    };
    auto str1 = [&](auto f) -> Value {
      if (a.size() != 1) return Fail();
      if (!a[0].known()) return Value::Unknown();
      Value s = a[0].ToStringValue();
      if (!s.IsString()) return Fail();
      return f(s.AsString());
    };
    if (fn == "jsonencode") {
      if (a.size() != 1) return Fail();
      if (!a[0].WhollyKnown()) return Value::Unknown();
      std::string j = a[0].ToJson();
      if (j.size() > kMaxString) return Value::Unknown();
      return Value::String(std::move(j));
    }
    if (fn == "jsondecode") {
      if (a.size() != 1) return Fail();
      if (!a[0].known()) return Value::Unknown();
      if (!a[0].IsString()) return Fail();
      Value v = JsonDecode(a[0].AsString());
      return v.known() ? v : Fail();
    }
    if (fn == "lower") return str1([](const std::string& s) { return Value::String(Lower(s)); });
    if (fn == "upper") return str1([](const std::string& s) { return Value::String(Upper(s)); });
    if (fn == "trimspace")
      return str1([](const std::string& s) {
        size_t b = s.find_first_not_of(" \t\r\n");
        if (b == std::string::npos) return Value::String("");
        size_t en = s.find_last_not_of(" \t\r\n");
        return Value::String(s.substr(b, en - b + 1));
      });
    if (fn == "tostring") {
      if (a.size() != 1) return Fail();
      if (!a[0].known()) return Value::Unknown();
      Value s = a[0].ToStringValue();
      return s.known() ? s : Fail();
    }
    if (fn == "tonumber") {
      if (a.size() != 1) return Fail();
      if (!a[0].known()) return Value::Unknown();
      Value s = a[0].ToNumberValue();
      return s.known() ? s : Fail();
    }
    if (fn == "tobool") {
      if (a.size() != 1) return Fail();
      if (!a[0].known()) return Value::Unknown();
      Value s = a[0].ToBoolValue();
      return s.known() ? s : Fail();
    }
    if (fn == "tolist" || fn == "toset" || fn == "tomap" || fn == "sensitive" ||
        fn == "nonsensitive") {
      if (a.size() != 1) return Fail();
      if (fn == "toset" && a[0].IsTuple() && a[0].WhollyKnown()) {
        std::vector<Value> out;
        for (const Value& x : a[0].items())
          if (std::find(out.begin(), out.end(), x) == out.end()) out.push_back(x);
        return Value::Tuple(std::move(out));
      }
      return a[0];
    }
    if (fn == "merge") {
      std::map<std::string, Value> m;
      for (const Value& v : a) {
        if (!v.known()) return Value::Unknown();
        if (v.IsNull()) continue;
        if (!v.IsObject()) return Fail();
        for (const auto& [k, x] : v.members()) m[k] = x;
      }
      return Value::Object(std::move(m));
    }
    if (fn == "concat") {
      std::vector<Value> out;
      for (const Value& v : a) {
        if (!v.known()) return Value::Unknown();
        if (!v.IsTuple()) return Fail();
        for (const Value& x : v.items()) out.push_back(x);
        if (out.size() > kMaxItems) return Value::Unknown();
      }
      return Value::Tuple(std::move(out));
    }
    if (fn == "lookup") {
      if (a.size() < 2 || a.size() > 3) return Fail();
      if (!a[0].known() || !a[1].known()) return Value::Unknown();
      if (!a[0].IsObject()) return Fail();
      Value k = a[1].ToStringValue();
      if (!k.IsString()) return Fail();
      if (const Value* m = a[0].Get(k.AsString())) return *m;
      return a.size() == 3 ? a[2] : Fail();
    }
    if (fn == "coalesce") {
      for (const Value& v : a) {
        if (!v.known()) return Value::Unknown();
        if (v.IsNull() || (v.IsString() && v.AsString().empty())) continue;
        return v;
      }
      return Fail();
    }
    if (fn == "coalescelist") {
      for (const Value& v : a) {
        if (!v.known()) return Value::Unknown();
        if (v.IsTuple() && !v.items().empty()) return v;
      }
      return Fail();
    }
    if (fn == "format") return Format(a);
    if (fn == "join") {
      if (a.size() < 2 || !all_known()) return all_known() ? Fail() : Value::Unknown();
      if (!a[0].IsString()) return Fail();
      std::string out;
      bool first = true;
      for (size_t i = 1; i < a.size(); ++i) {
        if (!a[i].IsTuple()) return Fail();
        for (const Value& x : a[i].items()) {
          Value s = x.ToStringValue();
          if (!s.IsString()) return Fail();
          if (!first) out += a[0].AsString();
          first = false;
          out += s.AsString();
          if (out.size() > kMaxString) return Value::Unknown();
        }
      }
      return Value::String(std::move(out));
    }
    if (fn == "split") {
      if (a.size() != 2) return Fail();
      if (!all_known()) return Value::Unknown();
      if (!a[0].IsString() || !a[1].IsString()) return Fail();
      const std::string& sep = a[0].AsString();
      const std::string& s = a[1].AsString();
      std::vector<Value> out;
      if (sep.empty()) {
        for (char c : s) out.push_back(Value::String(std::string(1, c)));
      } else {
        size_t p = 0;
        for (;;) {
          size_t q = s.find(sep, p);
          out.push_back(
              Value::String(s.substr(p, q == std::string::npos ? std::string::npos : q - p)));
          if (q == std::string::npos || out.size() > kMaxItems) break;
          p = q + sep.size();
        }
      }
      return Value::Tuple(std::move(out));
    }
    if (fn == "replace") {
      if (a.size() != 3) return Fail();
      if (!all_known()) return Value::Unknown();
      if (!a[0].IsString() || !a[1].IsString() || !a[2].IsString()) return Fail();
      const std::string& from = a[1].AsString();
      if (from.size() >= 2 && from.front() == '/' && from.back() == '/')
        return Value::Unknown();  // regular-expression form: not evaluated
      std::string s = a[0].AsString();
      if (from.empty()) return Value::String(s);
      std::string out;
      size_t p = 0;
      for (;;) {
        size_t q = s.find(from, p);
        if (q == std::string::npos) break;
        out += s.substr(p, q - p) + a[2].AsString();
        p = q + from.size();
        if (out.size() > kMaxString) return Value::Unknown();
      }
      out += s.substr(p);
      return Value::String(std::move(out));
    }
    if (fn == "length") {
      if (a.size() != 1) return Fail();
      if (!a[0].known()) return Value::Unknown();
      if (a[0].IsString()) return Value::Number(static_cast<double>(a[0].AsString().size()));
      if (a[0].IsTuple()) return Value::Number(static_cast<double>(a[0].items().size()));
      if (a[0].IsObject()) return Value::Number(static_cast<double>(a[0].members().size()));
      return Fail();
    }
    if (fn == "element") {
      if (a.size() != 2) return Fail();
      if (!a[0].known() || !a[1].known()) return Value::Unknown();
      if (!a[0].IsTuple() || a[0].items().empty()) return Fail();
      Value n = a[1].ToNumberValue();
      if (!n.IsNumber() || n.AsNumber() < 0) return Fail();
      return a[0].items()[static_cast<size_t>(n.AsNumber()) % a[0].items().size()];
    }
    if (fn == "keys" || fn == "values") {
      if (a.size() != 1) return Fail();
      if (!a[0].known()) return Value::Unknown();
      if (!a[0].IsObject()) return Fail();
      std::vector<Value> out;
      for (const auto& [k, v] : a[0].members()) out.push_back(fn == "keys" ? Value::String(k) : v);
      return Value::Tuple(std::move(out));
    }
    if (fn == "contains") {
      if (a.size() != 2) return Fail();
      if (!all_known()) return Value::Unknown();
      if (!a[0].IsTuple()) return Fail();
      for (const Value& x : a[0].items())
        if (x == a[1]) return Value::Bool(true);
      return Value::Bool(false);
    }
    if (fn == "flatten") {
      if (a.size() != 1) return Fail();
      if (!a[0].known()) return Value::Unknown();
      if (!a[0].IsTuple()) return Fail();
      std::vector<Value> out;
      Flatten(a[0], &out, 0);
      return Value::Tuple(std::move(out));
    }
    if (fn == "distinct" || fn == "compact") {
      if (a.size() != 1) return Fail();
      if (!a[0].WhollyKnown()) return Value::Unknown();
      if (!a[0].IsTuple()) return Fail();
      std::vector<Value> out;
      for (const Value& x : a[0].items()) {
        if (fn == "compact" && (x.IsNull() || (x.IsString() && x.AsString().empty()))) continue;
        if (fn == "distinct" && std::find(out.begin(), out.end(), x) != out.end()) continue;
        out.push_back(x);
      }
      return Value::Tuple(std::move(out));
    }
    if (fn == "min" || fn == "max") {
      if (a.empty()) return Fail();
      if (!all_known()) return Value::Unknown();
      double r = fn == "min" ? INFINITY : -INFINITY;
      for (const Value& v : a) {
        Value n = v.ToNumberValue();
        if (!n.IsNumber()) return Fail();
        r = fn == "min" ? std::min(r, n.AsNumber()) : std::max(r, n.AsNumber());
      }
      return Value::Number(r);
    }
    if (fn == "abs" || fn == "ceil" || fn == "floor") {
      if (a.size() != 1) return Fail();
      if (!a[0].known()) return Value::Unknown();
      Value n = a[0].ToNumberValue();
      if (!n.IsNumber()) return Fail();
      double d = n.AsNumber();
      return Value::Number(fn == "abs"    ? std::fabs(d)
                           : fn == "ceil" ? std::ceil(d)
                                          : std::floor(d));
    }
    if (fn == "startswith" || fn == "endswith" || fn == "trimprefix" || fn == "trimsuffix" ||
        fn == "strcontains") {
      if (a.size() != 2) return Fail();
      if (!all_known()) return Value::Unknown();
      if (!a[0].IsString() || !a[1].IsString()) return Fail();
      const std::string& s = a[0].AsString();
      const std::string& p = a[1].AsString();
      if (fn == "startswith") return Value::Bool(s.starts_with(p));
      if (fn == "endswith") return Value::Bool(s.ends_with(p));
      if (fn == "strcontains") return Value::Bool(s.find(p) != std::string::npos);
      if (fn == "trimprefix") return Value::String(s.starts_with(p) ? s.substr(p.size()) : s);
      return Value::String(s.ends_with(p) ? s.substr(0, s.size() - p.size()) : s);
    }
    if (fn == "substr") {
      if (a.size() != 3) return Fail();
      if (!all_known()) return Value::Unknown();
      Value o = a[1].ToNumberValue(), l = a[2].ToNumberValue();
      if (!a[0].IsString() || !o.IsNumber() || !l.IsNumber()) return Fail();
      const std::string& s = a[0].AsString();  // bytes, not grapheme clusters
      double off = o.AsNumber(), len = l.AsNumber();
      if (off < 0) off += static_cast<double>(s.size());
      if (off < 0 || off > static_cast<double>(s.size())) return Fail();
      size_t n = len < 0 ? std::string::npos : static_cast<size_t>(len);
      return Value::String(s.substr(static_cast<size_t>(off), n));
    }
    if (fn == "zipmap") {
      if (a.size() != 2) return Fail();
      if (!a[0].WhollyKnown() || !a[1].known()) return Value::Unknown();
      if (!a[0].IsTuple() || !a[1].IsTuple() || a[0].items().size() != a[1].items().size())
        return Fail();
      std::map<std::string, Value> m;
      for (size_t i = 0; i < a[0].items().size(); ++i) {
        Value k = a[0].items()[i].ToStringValue();
        if (!k.IsString()) return Fail();
        m[k.AsString()] = a[1].items()[i];
      }
      return Value::Object(std::move(m));
    }
    // Anything else (file, templatefile, timestamp, uuid, cidrsubnet, ...)
    // is not evaluated.
    return Value::Unknown();
  }
};

}  // namespace

Value Evaluate(const Expr* e, const EvalContext& ctx) {
  Ev ev;
  Value v = ev.Eval(e, ctx, ctx.depth);
  return ev.err ? Value::Unknown() : v;
}

Value JsonDecode(std::string_view text) {
  // Depth check first: nlohmann recurses when converting.
  int depth = 0, max_depth = 0;
  bool in_str = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_str) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        in_str = false;
      continue;
    }
    if (c == '"')
      in_str = true;
    else if (c == '[' || c == '{')
      max_depth = std::max(max_depth, ++depth);
    else if (c == ']' || c == '}')
      --depth;
  }
  if (max_depth > kMaxDepth) return Value::Unknown();
  nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Value::Unknown();
  return FromJson(j, 0);
}

std::vector<std::string> KnownFunctions() {
  std::vector<std::string> v = {
      "abs",          "can",        "ceil",      "coalesce",   "coalescelist", "compact",
      "concat",       "contains",   "distinct",  "element",    "endswith",     "flatten",
      "floor",        "format",     "join",      "jsondecode", "jsonencode",   "keys",
      "length",       "lookup",     "lower",     "max",        "merge",        "min",
      "nonsensitive", "replace",    "sensitive", "split",      "startswith",   "strcontains",
      "substr",       "tobool",     "tolist",    "tomap",      "tonumber",     "toset",
      "tostring",     "trimprefix", "trimspace", "trimsuffix", "try",          "upper",
      "values",       "zipmap"};
  std::sort(v.begin(), v.end());
  return v;
}

}  // namespace gatehouse::hcl
