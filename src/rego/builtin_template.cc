// strings.render_template: a subset of Go's text/template.
//
// OPA renders with text/template over the variables object converted to Go
// values, with missingkey=error. Supported here:
//   text and {{ actions }}, with {{- and -}} trimming adjacent whitespace;
//   {{/* comments */}};
//   fields and variables: . .a.b $ $x $x.a; literals: "str", `raw`, numbers,
//   true, false, nil;
//   {{if P}} … {{else if P}} … {{else}} … {{end}}, {{with P}} … {{end}},
//   {{range P}} / {{range $v := P}} / {{range $i, $v := P}} … {{else}} … {{end}}
//   (arrays in order, objects and sets by sorted key), {{$x := P}}, {{$x = P}};
//   functions: len index eq ne lt le gt ge and or not print printf println;
//   pipelines with |.
// Values print as Go's fmt %v prints the converted Go values: strings plain,
// numbers as JSON numbers, arrays as [a b], objects as map[k:v], null as
// <no value>. Missing keys are errors ("map has no entry for key").
// Not supported: define/template/block, break/continue, custom delimiters.
#include <functional>
#include <map>

#include "rego/builtin_util.h"

namespace gatehouse::rego {

namespace {

struct Node {
  enum class T { kText, kAction, kIf, kRange, kWith } t = T::kText;
  std::string text;                   // kText
  std::string pipeline;               // action / condition
  std::vector<Node> body, else_body;  // blocks
};

std::string GoPrint(const Value& v) {
  switch (v.kind()) {
    case Kind::kNull:
      return "<no value>";
    case Kind::kBool:
      return v.AsBool() ? "true" : "false";
    case Kind::kNumber:
      return v.ToJson();
    case Kind::kString:
      return std::string(v.AsString());
    case Kind::kArray:
    case Kind::kSet: {
      std::string out = "[";
      bool first = true;
      for (const Value& i : v.Items()) {
        if (!first) out += ' ';
        first = false;
        out += i.IsNull() ? "<nil>" : GoPrint(i);
      }
      return out + "]";
    }
    case Kind::kObject: {
      std::string out = "map[";
      bool first = true;
      for (const auto& [k, i] : v.ObjectItems()) {
        if (!first) out += ' ';
        first = false;
        out += GoPrint(k) + ":" + (i.IsNull() ? "<nil>" : GoPrint(i));
      }
      return out + "]";
    }
  }
  return {};
}

bool Truthy(const Value& v) {
  switch (v.kind()) {
    case Kind::kNull:
      return false;
    case Kind::kBool:
      return v.AsBool();
    case Kind::kNumber:
      return v.AsDouble() != 0;
    default:
      return v.size() > 0;
  }
}

class Template {
 public:
  explicit Template(std::string_view src) : src_(src) {}

  Result<std::string> Render(const Value& vars) {
    std::vector<Node> nodes;
    size_t pos = 0;
    std::string end_kw;
    auto st = Parse(&pos, &nodes, &end_kw);
    if (!st.ok()) return st.error();
    if (!end_kw.empty()) return Err("unexpected {{" + end_kw + "}}");
    std::string out;
    vars_.clear();
    vars_.push_back({{"$", vars}});
    auto r = Exec(nodes, vars, &out);
    if (!r.ok()) return r.error();
    return out;
  }

 private:
  static Error Err(std::string msg) {
    return MakeError(ErrorCode::kInvalidArgument, "template: " + std::move(msg));
  }

  // Parses until {{end}}/{{else…}} (returned in *end_kw) or end of input.
  Status Parse(size_t* pos, std::vector<Node>* out, std::string* end_kw) {
    while (*pos < src_.size()) {
      size_t open = src_.find("{{", *pos);
      std::string text(
          src_.substr(*pos, open == std::string_view::npos ? std::string_view::npos : open - *pos));
      if (open == std::string_view::npos) {
        out->push_back({Node::T::kText, text, {}, {}, {}});
        *pos = src_.size();
        break;
      }
      size_t start = open + 2;
      bool trim_left = start < src_.size() && src_[start] == '-' && start + 1 < src_.size() &&
                       std::isspace(static_cast<unsigned char>(src_[start + 1]));
      if (trim_left) {
        ++start;
        while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
          text.pop_back();
        }
      }
      if (!text.empty()) out->push_back({Node::T::kText, text, {}, {}, {}});
      size_t close = src_.find("}}", start);
      if (close == std::string_view::npos) return Err("unclosed action");
      size_t next = close + 2;
      std::string_view inner = src_.substr(start, close - start);
      if (inner.size() >= 2 && inner.back() == '-' &&
          std::isspace(static_cast<unsigned char>(inner[inner.size() - 2]))) {
        inner.remove_suffix(1);
        while (next < src_.size() && std::isspace(static_cast<unsigned char>(src_[next]))) ++next;
      }
      *pos = next;
      std::string a = Trim(inner);
      if (a.starts_with("/*")) continue;
      std::string kw = a.substr(0, a.find_first_of(" \t\n"));
      std::string rest = kw.size() < a.size() ? Trim(a.substr(kw.size())) : "";
      if (kw == "end" || kw == "else") {
        *end_kw = a;
        return Status::Ok();
      }
      if (kw == "if" || kw == "range" || kw == "with") {
        if (++depth_ > 100) return Err("template nested too deeply");
        Node n;
        n.t = kw == "if" ? Node::T::kIf : kw == "range" ? Node::T::kRange : Node::T::kWith;
        n.pipeline = rest;
        std::string e;
        auto st = Parse(pos, &n.body, &e);
        if (!st.ok()) return st;
        if (e.empty()) return Err("unexpected EOF: missing {{end}}");
        if (e.starts_with("else")) {
          std::string tail = Trim(e.substr(4));
          if (tail.starts_with("if ") && kw == "if") {
            // else if: a nested if in the else branch sharing our {{end}}.
            Node nested;
            nested.t = Node::T::kIf;
            nested.pipeline = Trim(tail.substr(3));
            std::string e2;
            auto st2 = ParseElseChain(pos, &nested, &e2);
            if (!st2.ok()) return st2;
            n.else_body.push_back(std::move(nested));
          } else {
            std::string e2;
            auto st2 = Parse(pos, &n.else_body, &e2);
            if (!st2.ok()) return st2;
            if (e2 != "end") return Err("expected {{end}}");
          }
        } else if (e != "end") {
          return Err("unexpected {{" + e + "}}");
        }
        out->push_back(std::move(n));
        --depth_;
        continue;
      }
      if (kw == "define" || kw == "template" || kw == "block" || kw == "break" ||
          kw == "continue") {
        return Err("{{" + kw + "}} is not supported");
      }
      Node n;
      n.t = Node::T::kAction;
      n.pipeline = a;
      out->push_back(std::move(n));
    }
    return Status::Ok();
  }

  Status ParseElseChain(size_t* pos, Node* n, std::string* end) {
    if (++depth_ > 100) return Err("template nested too deeply");
    Status st = ParseElseChainImpl(pos, n, end);
    --depth_;
    return st;
  }

  Status ParseElseChainImpl(size_t* pos, Node* n, std::string* end) {
    auto st = Parse(pos, &n->body, end);
    if (!st.ok()) return st;
    if (end->empty()) return Err("unexpected EOF: missing {{end}}");
    if (end->starts_with("else")) {
      std::string tail = Trim(end->substr(4));
      if (tail.starts_with("if ")) {
        Node nested;
        nested.t = Node::T::kIf;
        nested.pipeline = Trim(tail.substr(3));
        auto st2 = ParseElseChain(pos, &nested, end);
        if (!st2.ok()) return st2;
        n->else_body.push_back(std::move(nested));
        return Status::Ok();
      }
      auto st2 = Parse(pos, &n->else_body, end);
      if (!st2.ok()) return st2;
    }
    if (*end != "end") return Err("expected {{end}}");
    return Status::Ok();
  }

  static std::string Trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return std::string(s);
  }

  // ---- Pipelines ----
  // Tokenizes a pipeline into words, keeping strings and parentheses intact.
  static Result<std::vector<std::string>> Tokens(std::string_view p) {
    std::vector<std::string> toks;
    size_t i = 0;
    int parens = 0;
    while (i < p.size()) {
      char c = p[i];
      if (std::isspace(static_cast<unsigned char>(c))) {
        ++i;
        continue;
      }
      if (c == '"' || c == '`') {
        size_t j = i + 1;
        while (j < p.size() && p[j] != c) j += (c == '"' && p[j] == '\\') ? 2 : 1;
        if (j >= p.size()) return Err("unterminated quoted string");
        toks.emplace_back(p.substr(i, j + 1 - i));
        i = j + 1;
        continue;
      }
      if (c == '(' && ++parens > 100) return Err("pipeline nested too deeply");
      if (c == '(' || c == ')' || c == '|') {
        toks.emplace_back(1, c);
        ++i;
        continue;
      }
      size_t j = i;
      while (j < p.size() && !std::isspace(static_cast<unsigned char>(p[j])) && p[j] != '(' &&
             p[j] != ')' && p[j] != '|') {
        ++j;
      }
      toks.emplace_back(p.substr(i, j - i));
      i = j;
    }
    return toks;
  }

  Result<Value> Field(Value base, std::string_view path, std::string_view full) {
    // path like ".a.b" (leading dot) or "" for base itself.
    size_t i = 0;
    while (i < path.size()) {
      if (path[i] != '.') return Err("bad field syntax " + std::string(full));
      size_t j = path.find('.', i + 1);
      std::string key(
          path.substr(i + 1, j == std::string_view::npos ? std::string_view::npos : j - i - 1));
      if (key.empty()) {
        i = j == std::string_view::npos ? path.size() : j;
        continue;
      }
      if (!base.IsObject()) {
        return Err("executing at <" + std::string(full) + ">: can't evaluate field " + key +
                   " in type " + std::string(base.type_name()));
      }
      const Value* v = base.Find(key);
      if (!v) {
        return Err("executing at <" + std::string(full) + ">: map has no entry for key \"" + key +
                   "\"");
      }
      base = *v;
      i = j == std::string_view::npos ? path.size() : j;
    }
    return base;
  }

  Result<Value> Operand(const std::string& tok, const Value& dot) {
    if (tok.empty()) return Err("empty operand");
    if (tok[0] == '"') {
      Result<Value> v = ParseJson(tok);
      if (!v.ok()) return Err("bad string literal " + tok);
      return v;
    }
    if (tok[0] == '`') return Value::String(tok.substr(1, tok.size() - 2));
    if (tok == "true" || tok == "false") return Value::Bool(tok == "true");
    if (tok == "nil") return Value::Null();
    if (tok[0] == '.') return Field(dot, tok == "." ? "" : tok, tok);
    if (tok[0] == '$') {
      size_t dotpos = tok.find('.');
      std::string name = tok.substr(0, dotpos);
      for (auto it = vars_.rbegin(); it != vars_.rend(); ++it) {
        auto f = it->find(name);
        if (f != it->end()) {
          return Field(f->second, dotpos == std::string::npos ? "" : tok.substr(dotpos), tok);
        }
      }
      return Err("undefined variable \"" + name + "\"");
    }
    if (std::isdigit(static_cast<unsigned char>(tok[0])) || tok[0] == '-' || tok[0] == '+') {
      Result<Value> v = ParseJson(tok[0] == '+' ? tok.substr(1) : tok);
      if (v.ok() && v->IsNumber()) return v;
      return Err("bad number syntax: " + tok);
    }
    return Err("function \"" + tok + "\" not defined");
  }

  Result<Value> Call(const std::string& fn, std::vector<Value> a) {
    auto need = [&](size_t n) { return a.size() == n; };
    auto cmp = [&](auto pred) -> Result<Value> {
      if (a.size() < 2) return Err("wrong number of args for " + fn);
      for (size_t k = 1; k < a.size(); ++k) {
        if (!pred(Value::Compare(a[0], a[k]))) return Value::Bool(false);
      }
      return Value::Bool(true);
    };
    if (fn == "len") {
      if (!need(1)) return Err("wrong number of args for len");
      if (a[0].IsNumber() || a[0].IsBool() || a[0].IsNull()) {
        return Err("len of type " + std::string(a[0].type_name()));
      }
      if (a[0].IsString()) return Value::Int(static_cast<int64_t>(a[0].AsString().size()));
      return Value::Int(static_cast<int64_t>(a[0].size()));
    }
    if (fn == "index") {
      if (a.empty()) return Err("wrong number of args for index");
      Value cur = a[0];
      for (size_t k = 1; k < a.size(); ++k) {
        const Value* next = cur.Get(a[k]);
        if (!next) {
          if (cur.IsObject()) return Value::Null();
          return Err("error calling index: index out of range");
        }
        cur = *next;
      }
      return cur;
    }
    if (fn == "eq") {
      if (a.size() < 2) return Err("wrong number of args for eq");
      for (size_t k = 1; k < a.size(); ++k) {
        if (a[0] == a[k]) return Value::Bool(true);
      }
      return Value::Bool(false);
    }
    if (fn == "ne") return cmp([](int c) { return c != 0; });
    if (fn == "lt") return cmp([](int c) { return c < 0; });
    if (fn == "le") return cmp([](int c) { return c <= 0; });
    if (fn == "gt") return cmp([](int c) { return c > 0; });
    if (fn == "ge") return cmp([](int c) { return c >= 0; });
    if (fn == "not") {
      if (!need(1)) return Err("wrong number of args for not");
      return Value::Bool(!Truthy(a[0]));
    }
    if (fn == "and" || fn == "or") {
      if (a.empty()) return Err("wrong number of args for " + fn);
      for (const Value& v : a) {
        if ((fn == "and") != Truthy(v)) return v;
      }
      return a.back();
    }
    if (fn == "print" || fn == "println") {
      std::string out;
      for (size_t k = 0; k < a.size(); ++k) {
        // Go adds spaces between operands when neither is a string.
        if (k > 0 && (fn == "println" || (!a[k].IsString() && !a[k - 1].IsString()))) out += ' ';
        out += GoPrint(a[k]);
      }
      if (fn == "println") out += '\n';
      return Value::String(std::move(out));
    }
    if (fn == "printf") {
      if (a.empty() || !a[0].IsString()) return Err("printf needs a format string");
      return Value::String(GoSprintf(a[0].AsString(), std::span<const Value>(a).subspan(1)));
    }
    return Err("function \"" + fn + "\" not defined");
  }

  static bool IsFunction(const std::string& t) {
    return !t.empty() && std::isalpha(static_cast<unsigned char>(t[0])) && t != "true" &&
           t != "false" && t != "nil";
  }

  // Evaluates tokens[i..end) as one pipeline (commands separated by |).
  Result<Value> EvalPipeline(const std::vector<std::string>& toks, size_t* i, const Value& dot,
                             bool nested) {
    std::optional<Value> prev;
    while (*i < toks.size()) {
      // One command: operands until | or ) .
      std::vector<Value> vals;
      std::string fn;
      bool first = true;
      while (*i < toks.size() && toks[*i] != "|" && toks[*i] != ")") {
        const std::string& t = toks[*i];
        if (t == "(") {
          ++*i;
          Result<Value> v = EvalPipeline(toks, i, dot, true);
          if (!v.ok()) return v;
          if (*i >= toks.size() || toks[*i] != ")") return Err("unclosed left paren");
          ++*i;
          vals.push_back(std::move(v.value()));
        } else if (first && IsFunction(t)) {
          fn = t;
          ++*i;
        } else {
          Result<Value> v = Operand(t, dot);
          if (!v.ok()) return v;
          vals.push_back(std::move(v.value()));
          ++*i;
        }
        first = false;
      }
      if (prev) vals.push_back(*prev);
      if (!fn.empty()) {
        Result<Value> r = Call(fn, std::move(vals));
        if (!r.ok()) return r;
        prev = std::move(r.value());
      } else {
        if (vals.size() != 1) return Err("can't give argument to non-function");
        prev = std::move(vals[0]);
      }
      if (*i < toks.size() && toks[*i] == "|") {
        ++*i;
        continue;
      }
      break;
    }
    if (!prev) return Err("missing value for command");
    if (!nested && *i < toks.size()) return Err("unexpected \")\"");
    return *prev;
  }

  // Pipeline with optional declarations: "$x := p", "$i, $v := p", "$x = p".
  Result<Value> EvalWithDecl(const std::string& p, const Value& dot,
                             std::vector<std::string>* decl) {
    Result<std::vector<std::string>> toks = Tokens(p);
    if (!toks.ok()) return toks.error();
    std::vector<std::string>& t = toks.value();
    size_t i = 0;
    for (size_t k = 0; k < t.size() && k < 4; ++k) {
      if (t[k] == ":=" || t[k] == "=") {
        for (size_t d = 0; d < k; ++d) {
          std::string name = t[d];
          if (!name.empty() && name.back() == ',') name.pop_back();
          if (name.empty() || name == ",") continue;
          decl->push_back(name);
        }
        i = k + 1;
        break;
      }
    }
    return EvalPipeline(t, &i, dot, false);
  }

  void SetVar(const std::string& name, Value v) {
    for (auto it = vars_.rbegin(); it != vars_.rend(); ++it) {
      auto f = it->find(name);
      if (f != it->end()) {
        f->second = std::move(v);
        return;
      }
    }
    vars_.back()[name] = std::move(v);
  }

  Status Exec(const std::vector<Node>& nodes, const Value& dot, std::string* out) {
    for (const Node& n : nodes) {
      if (++steps_ > 1000000) return Err("template too expensive");
      switch (n.t) {
        case Node::T::kText:
          *out += n.text;
          break;
        case Node::T::kAction: {
          std::vector<std::string> decl;
          Result<Value> v = EvalWithDecl(n.pipeline, dot, &decl);
          if (!v.ok()) return v.error();
          if (!decl.empty()) {
            for (const auto& d : decl) SetVar(d, v.value());
          } else {
            *out += GoPrint(v.value());
          }
          break;
        }
        case Node::T::kIf:
        case Node::T::kWith: {
          std::vector<std::string> decl;
          Result<Value> v = EvalWithDecl(n.pipeline, dot, &decl);
          if (!v.ok()) return v.error();
          vars_.emplace_back();
          for (const auto& d : decl) vars_.back()[d] = v.value();
          Status st = Truthy(v.value()) ? Exec(n.body, n.t == Node::T::kWith ? v.value() : dot, out)
                                        : Exec(n.else_body, dot, out);
          vars_.pop_back();
          if (!st.ok()) return st;
          break;
        }
        case Node::T::kRange: {
          std::vector<std::string> decl;
          Result<Value> v = EvalWithDecl(n.pipeline, dot, &decl);
          if (!v.ok()) return v.error();
          const Value& coll = v.value();
          if (!coll.IsCollection() && !coll.IsNull()) {
            return Err("range can't iterate over " + GoPrint(coll));
          }
          if (coll.size() == 0) {
            Status st = Exec(n.else_body, dot, out);
            if (!st.ok()) return st;
            break;
          }
          auto run = [&](const Value& key, const Value& elem) -> Status {
            vars_.emplace_back();
            if (decl.size() == 1) vars_.back()[decl[0]] = elem;
            if (decl.size() >= 2) {
              vars_.back()[decl[0]] = key;
              vars_.back()[decl[1]] = elem;
            }
            Status st = Exec(n.body, elem, out);
            vars_.pop_back();
            return st;
          };
          if (coll.IsObject()) {
            for (const auto& [k, e] : coll.ObjectItems()) {
              Status st = run(k, e);
              if (!st.ok()) return st;
            }
          } else {
            int64_t idx = 0;
            for (const Value& e : coll.Items()) {
              Status st = run(Value::Int(idx++), e);
              if (!st.ok()) return st;
            }
          }
          break;
        }
      }
    }
    return Status::Ok();
  }

  std::string_view src_;
  int depth_ = 0;
  std::vector<std::map<std::string, Value>> vars_;
  uint64_t steps_ = 0;
};

}  // namespace

Result<std::string> RenderGoTemplate(std::string_view tmpl, const Value& vars) {
  Template t(tmpl);
  return t.Render(vars);
}

}  // namespace gatehouse::rego
