// AST printing: canonical Rego v1 text (policy fmt) and AST JSON (policy parse).
//
// The formatter prints every module in Rego v1 syntax (`if`, `contains`,
// `:=` for assignments in heads), one expression per line, tab-indented
// bodies, and keeps comments in front of the rule (or at the end) they
// preceded. Operators print infix with OPA's precedence so re-parsing gives
// the same tree; formatting its own output is the identity (tested).
#include "rego/ast.h"

namespace gatehouse::rego {

namespace {

int Prec(const std::string& op) {
  if (op == "or") return 1;
  if (op == "and") return 2;
  if (op == "equal" || op == "neq" || op == "lt" || op == "lte" || op == "gt" || op == "gte")
    return 0;
  if (op == "plus" || op == "minus") return 3;
  if (op == "mul" || op == "div" || op == "rem") return 4;
  return -1;
}
const char* OpText(const std::string& op) {
  if (op == "or") return "|";
  if (op == "and") return "&";
  if (op == "equal") return "==";
  if (op == "neq") return "!=";
  if (op == "lt") return "<";
  if (op == "lte") return "<=";
  if (op == "gt") return ">";
  if (op == "gte") return ">=";
  if (op == "plus") return "+";
  if (op == "minus") return "-";
  if (op == "mul") return "*";
  if (op == "div") return "/";
  if (op == "rem") return "%";
  return "?";
}

bool IsIdentName(std::string_view s) {
  if (s.empty() || !(isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_')) return false;
  for (char c : s) {
    if (!(isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
  }
  static const char* kw[] = {"not",     "with",   "as",       "some",  "every",
                             "in",      "if",     "contains", "else",  "default",
                             "package", "import", "true",     "false", "null"};
  for (const char* k : kw) {
    if (s == k) return false;
  }
  return true;
}

void Indent(std::string& out, int n) { out.append(static_cast<size_t>(n), '\t'); }

void PrintBody(std::string& out, const Body& body, int indent);
void PrintTerm(std::string& out, const Term& t, int indent, int parent_prec = -2);

void PrintExprInline(std::string& out, const Expr& e, int indent) {
  if (e.negated) out += "not ";
  switch (e.kind) {
    case ExprKind::kTerm:
      PrintTerm(out, *e.term, indent);
      break;
    case ExprKind::kUnify:
    case ExprKind::kAssign:
      PrintTerm(out, *e.lhs, indent);
      out += e.kind == ExprKind::kUnify ? " = " : " := ";
      PrintTerm(out, *e.rhs, indent);
      break;
    case ExprKind::kSome:
      out += "some ";
      for (size_t i = 0; i < e.some_vars.size(); ++i) {
        if (i) out += ", ";
        PrintTerm(out, *e.some_vars[i], indent);
      }
      break;
    case ExprKind::kSomeIn:
      out += "some ";
      if (e.key) {
        PrintTerm(out, *e.key, indent);
        out += ", ";
      }
      PrintTerm(out, *e.val, indent);
      out += " in ";
      PrintTerm(out, *e.collection, indent);
      break;
    case ExprKind::kEvery:
      out += "every ";
      if (e.key) {
        PrintTerm(out, *e.key, indent);
        out += ", ";
      }
      PrintTerm(out, *e.val, indent);
      out += " in ";
      PrintTerm(out, *e.collection, indent);
      out += " {\n";
      PrintBody(out, e.body, indent + 1);
      Indent(out, indent);
      out += "}";
      break;
  }
  for (const auto& w : e.withs) {
    out += " with ";
    PrintTerm(out, *w.target, indent);
    out += " as ";
    PrintTerm(out, *w.value, indent);
  }
}

void PrintBody(std::string& out, const Body& body, int indent) {
  std::vector<const Expr*> sorted;
  for (const auto& e : body) sorted.push_back(e.get());
  std::sort(sorted.begin(), sorted.end(),
            [](const Expr* a, const Expr* b) { return a->index < b->index; });
  for (const Expr* e : sorted) {
    Indent(out, indent);
    PrintExprInline(out, *e, indent);
    out += "\n";
  }
}

void PrintComprBody(std::string& out, const Body& body, int indent) {
  std::vector<const Expr*> sorted;
  for (const auto& e : body) sorted.push_back(e.get());
  std::sort(sorted.begin(), sorted.end(),
            [](const Expr* a, const Expr* b) { return a->index < b->index; });
  for (size_t i = 0; i < sorted.size(); ++i) {
    if (i) out += "; ";
    PrintExprInline(out, *sorted[i], indent);
  }
}

void PrintTerm(std::string& out, const Term& t, int indent, int parent_prec) {
  switch (t.kind) {
    case TermKind::kScalar:
      out += t.value.IsString() ? t.value.ToJson() : t.value.ToJson();
      return;
    case TermKind::kVar:
      out += t.name;
      return;
    case TermKind::kRef: {
      PrintTerm(out, *t.items[0], indent, 10);
      for (size_t i = 1; i < t.items.size(); ++i) {
        const Term& s = *t.items[i];
        if (s.kind == TermKind::kScalar && s.value.IsString() && IsIdentName(s.value.AsString())) {
          out += ".";
          out += s.value.AsString();
        } else {
          out += "[";
          PrintTerm(out, s, indent);
          out += "]";
        }
      }
      return;
    }
    case TermKind::kArray:
      out += "[";
      for (size_t i = 0; i < t.items.size(); ++i) {
        if (i) out += ", ";
        PrintTerm(out, *t.items[i], indent);
      }
      out += "]";
      return;
    case TermKind::kSet:
      if (t.items.empty()) {
        out += "set()";
        return;
      }
      out += "{";
      for (size_t i = 0; i < t.items.size(); ++i) {
        if (i) out += ", ";
        PrintTerm(out, *t.items[i], indent);
      }
      out += "}";
      return;
    case TermKind::kObject:
      out += "{";
      for (size_t i = 0; i + 1 < t.items.size(); i += 2) {
        if (i) out += ", ";
        PrintTerm(out, *t.items[i], indent);
        out += ": ";
        PrintTerm(out, *t.items[i + 1], indent);
      }
      out += "}";
      return;
    case TermKind::kArrayCompr:
      out += "[";
      PrintTerm(out, *t.items[0], indent);
      out += " | ";
      PrintComprBody(out, t.body, indent);
      out += "]";
      return;
    case TermKind::kSetCompr:
      out += "{";
      PrintTerm(out, *t.items[0], indent);
      out += " | ";
      PrintComprBody(out, t.body, indent);
      out += "}";
      return;
    case TermKind::kObjectCompr:
      out += "{";
      PrintTerm(out, *t.items[0], indent);
      out += ": ";
      PrintTerm(out, *t.items[1], indent);
      out += " | ";
      PrintComprBody(out, t.body, indent);
      out += "}";
      return;
    case TermKind::kCall: {
      int p = Prec(t.name);
      if (p >= 0 && t.items.size() == 2) {
        // Unary minus printed by the parser as minus(0, x).
        bool paren = parent_prec > -2 && parent_prec >= p;
        if (paren) out += "(";
        PrintTerm(out, *t.items[0], indent, p - 1);
        out += " ";
        out += OpText(t.name);
        out += " ";
        PrintTerm(out, *t.items[1], indent, p);
        if (paren) out += ")";
        return;
      }
      if (t.name == "internal.member_2" && t.items.size() == 2) {
        bool paren = parent_prec > -2;
        if (paren) out += "(";
        PrintTerm(out, *t.items[0], indent, 0);
        out += " in ";
        PrintTerm(out, *t.items[1], indent, 0);
        if (paren) out += ")";
        return;
      }
      if (t.name == "internal.member_3" && t.items.size() == 3) {
        bool paren = parent_prec > -2;
        if (paren) out += "(";
        PrintTerm(out, *t.items[0], indent, 0);
        out += ", ";
        PrintTerm(out, *t.items[1], indent, 0);
        out += " in ";
        PrintTerm(out, *t.items[2], indent, 0);
        if (paren) out += ")";
        return;
      }
      out += t.name;
      out += "(";
      for (size_t i = 0; i < t.items.size(); ++i) {
        if (i) out += ", ";
        PrintTerm(out, *t.items[i], indent);
      }
      out += ")";
      return;
    }
  }
}

void PrintRuleBody(std::string& out, const Body& body) {
  if (body.empty()) return;
  out += " if";
  if (body.size() == 1 && body[0]->kind != ExprKind::kEvery) {
    out += " ";
    PrintExprInline(out, *body[0], 0);
    return;
  }
  out += " {\n";
  PrintBody(out, body, 1);
  out += "}";
}

void PrintRule(std::string& out, const Rule& r) {
  if (r.is_default) out += "default ";
  std::string head;
  for (size_t i = 0; i < r.path.size(); ++i) {
    if (i == 0) {
      head += r.path[i];
    } else if (IsIdentName(r.path[i])) {
      head += "." + r.path[i];
    } else {
      head += "[" + Value::String(r.path[i]).ToJson() + "]";
    }
  }
  out += head;
  if (r.kind == RuleKind::kFunction) {
    out += "(";
    for (size_t i = 0; i < r.args.size(); ++i) {
      if (i) out += ", ";
      PrintTerm(out, *r.args[i], 0);
    }
    out += ")";
  }
  if (r.kind == RuleKind::kPartialSet) {
    out += " contains ";
    PrintTerm(out, *r.key, 0);
  } else if (r.kind == RuleKind::kPartialObject) {
    out += "[";
    PrintTerm(out, *r.key, 0);
    out += "]";
  }
  if (r.value) {
    out += r.assign || r.is_default || r.kind != RuleKind::kPartialSet ? " := " : " = ";
    PrintTerm(out, *r.value, 0);
  }
  PrintRuleBody(out, r.body);
  for (const auto& ec : r.elses) {
    out += " else";
    if (ec.value) {
      out += " := ";
      PrintTerm(out, *ec.value, 0);
    }
    PrintRuleBody(out, ec.body);
  }
  out += "\n";
}

}  // namespace

std::string TermToString(const Term& t) {
  std::string s;
  PrintTerm(s, t, 0);
  return s;
}

std::string FormatModuleText(const Module& m) {
  std::string out;
  size_t ci = 0;
  auto comments_before = [&](int row) {
    bool any = false;
    while (ci < m.comments.size() && m.comments[ci].first < row) {
      out += "#" + m.comments[ci].second + "\n";
      ++ci;
      any = true;
    }
    return any;
  };
  comments_before(m.package_loc.row);
  out += "package ";
  for (size_t i = 0; i < m.package.size(); ++i) {
    if (i == 0) {
      out += m.package[i];
    } else if (IsIdentName(m.package[i])) {
      out += "." + m.package[i];
    } else {
      out += "[" + Value::String(m.package[i]).ToJson() + "]";
    }
  }
  out += "\n";
  if (!m.imports.empty()) out += "\n";
  for (const auto& imp : m.imports) {
    comments_before(imp.loc.row);
    out += "import ";
    for (size_t i = 0; i < imp.path.size(); ++i) out += (i ? "." : "") + imp.path[i];
    if (!imp.alias.empty()) out += " as " + imp.alias;
    out += "\n";
  }
  for (const auto& r : m.rules) {
    out += "\n";
    comments_before(r->loc.row);
    PrintRule(out, *r);
  }
  if (ci < m.comments.size()) out += "\n";
  while (ci < m.comments.size()) {
    out += "#" + m.comments[ci].second + "\n";
    ++ci;
  }
  return out;
}

// ---- AST JSON --------------------------------------------------------------

namespace {
Value TermJson(const Term& t);
Value BodyJson(const Body& b);

Value Loc2(const Loc& l) {
  ObjectBuilder b;
  b.Add("row", Value::Int(l.row));
  b.Add("col", Value::Int(l.col));
  return b.Build();
}

Value Typed(const char* type, Value v) {
  ObjectBuilder b;
  b.Add("type", Value::String(type));
  b.Add("value", std::move(v));
  return b.Build();
}

Value TermJson(const Term& t) {
  std::vector<Value> items;
  for (const auto& i : t.items) items.push_back(TermJson(*i));
  switch (t.kind) {
    case TermKind::kScalar:
      return Typed(std::string(t.value.type_name()).c_str(), t.value);
    case TermKind::kVar:
      return Typed("var", Value::String(t.name));
    case TermKind::kRef:
      return Typed("ref", Value::Array(items));
    case TermKind::kArray:
      return Typed("array", Value::Array(items));
    case TermKind::kSet:
      return Typed("set", Value::Array(items));
    case TermKind::kObject: {
      std::vector<Value> pairs;
      for (size_t i = 0; i + 1 < items.size(); i += 2)
        pairs.push_back(Value::Array({items[i], items[i + 1]}));
      return Typed("object", Value::Array(pairs));
    }
    case TermKind::kArrayCompr:
    case TermKind::kSetCompr: {
      ObjectBuilder b;
      b.Add("term", items[0]);
      b.Add("body", BodyJson(t.body));
      return Typed(t.kind == TermKind::kArrayCompr ? "arraycomprehension" : "setcomprehension",
                   b.Build());
    }
    case TermKind::kObjectCompr: {
      ObjectBuilder b;
      b.Add("key", items[0]);
      b.Add("value", items[1]);
      b.Add("body", BodyJson(t.body));
      return Typed("objectcomprehension", b.Build());
    }
    case TermKind::kCall: {
      std::vector<Value> call{Typed("ref", Value::Array({Typed("var", Value::String(t.name))}))};
      call.insert(call.end(), items.begin(), items.end());
      return Typed("call", Value::Array(call));
    }
  }
  return Value();
}

Value ExprJson(const Expr& e) {
  ObjectBuilder b;
  b.Add("index", Value::Int(e.index));
  if (e.negated) b.Add("negated", Value::Bool(true));
  b.Add("location", Loc2(e.loc));
  switch (e.kind) {
    case ExprKind::kTerm: {
      if (e.term->kind == TermKind::kCall) {
        std::vector<Value> call{
            Typed("ref", Value::Array({Typed("var", Value::String(e.term->name))}))};
        for (const auto& i : e.term->items) call.push_back(TermJson(*i));
        b.Add("terms", Value::Array(call));
      } else {
        b.Add("terms", TermJson(*e.term));
      }
      break;
    }
    case ExprKind::kUnify:
    case ExprKind::kAssign:
      b.Add("terms",
            Value::Array(
                {Typed("ref",
                       Value::Array({Typed(
                           "var", Value::String(e.kind == ExprKind::kUnify ? "eq" : "assign"))})),
                 TermJson(*e.lhs), TermJson(*e.rhs)}));
      break;
    case ExprKind::kSome: {
      std::vector<Value> vs;
      for (const auto& v : e.some_vars) vs.push_back(TermJson(*v));
      b.Add("terms", Typed("somedecl", Value::Array(vs)));
      break;
    }
    case ExprKind::kSomeIn: {
      std::vector<Value> vs;
      if (e.key) vs.push_back(TermJson(*e.key));
      vs.push_back(TermJson(*e.val));
      vs.push_back(TermJson(*e.collection));
      b.Add("terms", Typed("somedecl", Value::Array({Typed("call", Value::Array(vs))})));
      break;
    }
    case ExprKind::kEvery: {
      ObjectBuilder eb;
      if (e.key) eb.Add("key", TermJson(*e.key));
      eb.Add("value", TermJson(*e.val));
      eb.Add("domain", TermJson(*e.collection));
      eb.Add("body", BodyJson(e.body));
      b.Add("terms", Typed("every", eb.Build()));
      break;
    }
  }
  if (!e.withs.empty()) {
    std::vector<Value> ws;
    for (const auto& w : e.withs) {
      ObjectBuilder wb;
      wb.Add("target", TermJson(*w.target));
      wb.Add("value", TermJson(*w.value));
      ws.push_back(wb.Build());
    }
    b.Add("with", Value::Array(ws));
  }
  return b.Build();
}

Value BodyJson(const Body& body) {
  std::vector<Value> out;
  for (const auto& e : body) out.push_back(ExprJson(*e));
  return Value::Array(out);
}
}  // namespace

std::string ModuleToJson(const Module& m) {
  ObjectBuilder top;
  std::vector<Value> pkg{Typed("var", Value::String("data"))};
  for (const auto& p : m.package) pkg.push_back(Typed("string", Value::String(p)));
  ObjectBuilder pb;
  pb.Add("path", Value::Array(pkg));
  top.Add("package", pb.Build());
  if (!m.imports.empty()) {
    std::vector<Value> imps;
    for (const auto& imp : m.imports) {
      ObjectBuilder ib;
      std::vector<Value> path{Typed("var", Value::String(imp.path[0]))};
      for (size_t i = 1; i < imp.path.size(); ++i)
        path.push_back(Typed("string", Value::String(imp.path[i])));
      ib.Add("path", Typed("ref", Value::Array(path)));
      if (!imp.alias.empty()) ib.Add("alias", Value::String(imp.alias));
      imps.push_back(ib.Build());
    }
    top.Add("imports", Value::Array(imps));
  }
  std::vector<Value> rules;
  for (const auto& r : m.rules) {
    ObjectBuilder rb;
    ObjectBuilder hb;
    std::vector<Value> ref{Typed("var", Value::String(r->path[0]))};
    for (size_t i = 1; i < r->path.size(); ++i)
      ref.push_back(Typed("string", Value::String(r->path[i])));
    if (r->kind == RuleKind::kPartialObject && r->key) ref.push_back(TermJson(*r->key));
    hb.Add("ref", Value::Array(ref));
    if (!r->args.empty()) {
      std::vector<Value> args;
      for (const auto& a : r->args) args.push_back(TermJson(*a));
      hb.Add("args", Value::Array(args));
    }
    if (r->kind == RuleKind::kPartialSet && r->key) hb.Add("key", TermJson(*r->key));
    if (r->value) hb.Add("value", TermJson(*r->value));
    if (r->assign) hb.Add("assign", Value::Bool(true));
    rb.Add("head", hb.Build());
    rb.Add("body", BodyJson(r->body));
    if (r->is_default) rb.Add("default", Value::Bool(true));
    if (!r->annotations.empty()) rb.Add("annotations", r->annotations[0].value);
    rb.Add("location", Loc2(r->loc));
    rules.push_back(rb.Build());
  }
  top.Add("rules", Value::Array(rules));
  return top.Build().ToJsonPretty(2);
}

}  // namespace gatehouse::rego
