// The embedding API (include/gatehouse/rego.h) over parser, compiler and
// evaluator.
#include <algorithm>
#include <set>

#include "gatehouse/fs.h"
#include "rego/compiled.h"

namespace gatehouse::rego {

std::string RegoError::ToString() const {
  std::string s;
  if (!file.empty()) {
    s += file;
    if (row > 0) s += ":" + std::to_string(row);
    if (col > 0) s += ":" + std::to_string(col);
    s += ": ";
  }
  s += code + ": " + message;
  if (!source_line.empty()) {
    s += "\n\t" + source_line + "\n\t";
    for (int i = 1; i < col && i <= static_cast<int>(source_line.size()); ++i) {
      s += source_line[static_cast<size_t>(i - 1)] == '\t' ? '\t' : ' ';
    }
    s += "^";
  }
  return s;
}

std::string RegoStatus::ToString() const {
  if (errors.empty()) return {};
  std::string s;
  if (errors.size() == 1) {
    s = "1 error occurred: ";
  } else {
    s = std::to_string(errors.size()) + " errors occurred:\n";
  }
  for (size_t i = 0; i < errors.size(); ++i) {
    if (i) s += "\n";
    s += errors[i].ToString();
  }
  return s;
}

std::string QueryResult::ToJson(bool pretty) const {
  if (rows.empty()) return pretty ? "{}" : "{}";
  std::vector<ObjectItem> rs;
  std::vector<Value> out_rows;
  for (const auto& row : rows) {
    std::vector<Value> exprs;
    for (size_t i = 0; i < row.expressions.size(); ++i) {
      ObjectBuilder eb;
      eb.Add("value", *row.expressions[i]);
      eb.Add("text", Value::String(i < row.expression_texts.size() ? row.expression_texts[i] : ""));
      ObjectBuilder lb;
      auto loc = i < row.expression_locations.size() ? row.expression_locations[i]
                                                     : std::pair<int, int>{1, 1};
      lb.Add("row", Value::Int(loc.first));
      lb.Add("col", Value::Int(loc.second));
      eb.Add("location", lb.Build());
      exprs.push_back(eb.Build());
    }
    ObjectBuilder rb;
    rb.Add("expressions", Value::Array(std::move(exprs)));
    if (!row.bindings.empty()) {
      ObjectBuilder bb;
      for (const auto& [n, v] : row.bindings) bb.Add(n, *v);
      rb.Add("bindings", bb.Build());
    }
    out_rows.push_back(rb.Build());
  }
  ObjectBuilder top;
  top.Add("result", Value::Array(std::move(out_rows)));
  Value v = top.Build();
  return pretty ? v.ToJsonPretty(2) : v.ToJson();
}

PreparedQuery::PreparedQuery() = default;
PreparedQuery::~PreparedQuery() = default;
PreparedQuery::PreparedQuery(PreparedQuery&&) noexcept = default;
PreparedQuery& PreparedQuery::operator=(PreparedQuery&&) noexcept = default;

QueryResult PreparedQuery::Eval(const EvalOptions& options) const {
  if (!policy_ || !query_) {
    QueryResult r;
    r.error = RegoError{"rego_compile_error", "query not prepared", "", 0, 0, ""};
    return r;
  }
  return EvalQuery(*policy_, *query_, options);
}

struct Engine::Impl {
  CompileOptions options;
  std::vector<std::unique_ptr<Module>> modules;
  Value data = Value::EmptyObject();
  std::shared_ptr<const CompiledPolicy> policy;
};

Engine::Engine(CompileOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->options = options;
}
Engine::~Engine() = default;
Engine::Engine(Engine&&) noexcept = default;
Engine& Engine::operator=(Engine&&) noexcept = default;

RegoStatus Engine::AddModule(std::string path, std::string text) {
  RegoStatus st;
  ParseOptions po;
  po.v0_compatible = impl_->options.v0_compatible;
  auto m = ParseModule(path, text, po, &st);
  if (m) impl_->modules.push_back(std::move(m));
  impl_->policy.reset();
  return st;
}

RegoStatus Engine::AddModuleFile(const std::string& path) {
  auto text = ReadFileToString(path);
  if (!text.ok()) {
    RegoStatus st;
    st.errors.push_back(RegoError{"rego_parse_error", text.error().message, path, 0, 0, ""});
    return st;
  }
  return AddModule(path, std::move(*text));
}

namespace {
// Deep merge b into a; conflicting non-object leaves are an error.
bool Merge(const Value& a, const Value& b, Value* out, std::string* conflict) {
  if (!a.IsObject() || !b.IsObject()) {
    if (a == b) {
      *out = a;
      return true;
    }
    return false;
  }
  std::vector<ObjectItem> items(a.ObjectItems().begin(), a.ObjectItems().end());
  for (const auto& [k, v] : b.ObjectItems()) {
    bool found = false;
    for (auto& it : items) {
      if (it.first == k) {
        Value merged;
        if (!Merge(it.second, v, &merged, conflict)) {
          if (conflict->empty()) *conflict = k.IsString() ? std::string(k.AsString()) : k.ToJson();
          return false;
        }
        it.second = merged;
        found = true;
      }
    }
    if (!found) items.emplace_back(k, v);
  }
  *out = Value::Object(std::move(items));
  return true;
}
}  // namespace

RegoStatus Engine::AddData(const Value& value, const std::vector<std::string>& prefix) {
  RegoStatus st;
  Value wrapped = value;
  for (size_t i = prefix.size(); i-- > 0;) {
    ObjectBuilder b;
    b.Add(prefix[i], wrapped);
    wrapped = b.Build();
  }
  if (!wrapped.IsObject()) {
    st.errors.push_back(
        RegoError{"rego_compile_error", "data document must be an object", "", 0, 0, ""});
    return st;
  }
  Value merged;
  std::string conflict;
  if (!Merge(impl_->data, wrapped, &merged, &conflict)) {
    st.errors.push_back(RegoError{
        "rego_compile_error", "merge error: conflicting data at key " + conflict, "", 0, 0, ""});
    return st;
  }
  impl_->data = merged;
  impl_->policy.reset();
  return st;
}

RegoStatus Engine::AddDataDocument(DocValue value, const std::vector<std::string>& prefix) {
  return AddData(FromDocument(value), prefix);
}

RegoStatus Engine::Compile() {
  RegoStatus st;
  // Re-parse modules so that Compile() can be called again after adding more.
  std::vector<std::unique_ptr<Module>> mods;
  ParseOptions po;
  po.v0_compatible = impl_->options.v0_compatible;
  for (const auto& m : impl_->modules) {
    auto copy = ParseModule(m->file, m->source, po, &st);
    if (copy) mods.push_back(std::move(copy));
  }
  if (!st.ok()) return st;
  auto p = CompilePolicy(std::move(mods), impl_->data, impl_->options, &st);
  if (p) impl_->policy = p;
  return st;
}

bool Engine::compiled() const { return impl_->policy != nullptr; }

RegoStatus Engine::PrepareQuery(std::string_view query, PreparedQuery* out) const {
  RegoStatus st;
  if (!impl_->policy) {
    st.errors.push_back(RegoError{"rego_compile_error", "engine not compiled", "", 0, 0, ""});
    return st;
  }
  auto q = CompileQuery(*impl_->policy, query, &st);
  if (!q) return st;
  out->policy_ = impl_->policy;
  out->query_ = q;
  return st;
}

QueryResult Engine::EvalRef(std::string_view ref, const EvalOptions& options) const {
  PreparedQuery q;
  RegoStatus st = PrepareQuery(ref, &q);
  if (!st.ok()) {
    QueryResult r;
    r.error = st.errors[0];
    return r;
  }
  return q.Eval(options);
}

std::shared_ptr<const Value> Engine::EvalValue(std::string_view ref, const EvalOptions& options,
                                               std::optional<RegoError>* error) const {
  QueryResult r = EvalRef(ref, options);
  if (!r.ok()) {
    if (error) *error = r.error;
    return nullptr;
  }
  if (r.rows.empty() || r.rows[0].expressions.empty()) return nullptr;
  return r.rows[0].expressions[0];
}

std::vector<std::string> Engine::Packages() const {
  std::vector<std::string> out;
  for (const auto& m : impl_->modules) {
    std::string s = "data";
    for (const auto& p : m->package) s += "." + p;
    out.push_back(s);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::vector<RuleDesc> Engine::Rules() const {
  std::vector<RuleDesc> out;
  std::set<std::pair<std::string, std::string>> seen;
  for (const auto& m : impl_->modules) {
    std::string pkg = "data";
    for (const auto& p : m->package) pkg += "." + p;
    for (const auto& r : m->rules) {
      std::string name;
      for (size_t i = 0; i < r->path.size(); ++i) name += (i ? "." : "") + r->path[i];
      if (!seen.insert({pkg, name}).second) continue;
      RuleDesc d;
      d.package = pkg;
      d.name = name;
      switch (r->kind) {
        case RuleKind::kComplete:
          d.kind = "complete";
          break;
        case RuleKind::kPartialSet:
          d.kind = "partial_set";
          break;
        case RuleKind::kPartialObject:
          d.kind = "partial_object";
          break;
        case RuleKind::kFunction:
          d.kind = "function";
          break;
      }
      d.file = m->file;
      d.row = r->loc.row;
      out.push_back(std::move(d));
    }
  }
  return out;
}

std::vector<RuleDesc> Engine::RulesMatching(
    std::string_view package, const std::function<bool(std::string_view)>& pred) const {
  std::string pkg(package);
  if (pkg.rfind("data.", 0) != 0 && pkg != "data") pkg = "data." + pkg;
  std::vector<RuleDesc> out;
  for (auto& d : Rules()) {
    if (d.package == pkg && pred(d.name)) out.push_back(std::move(d));
  }
  return out;
}

RegoStatus ParseModuleToJson(const std::string& path, std::string_view text, bool v0_compatible,
                             std::string* json_out) {
  RegoStatus st;
  ParseOptions po;
  po.v0_compatible = v0_compatible;
  auto m = ParseModule(path, text, po, &st);
  if (m) *json_out = ModuleToJson(*m);
  return st;
}

RegoStatus FormatModule(const std::string& path, std::string_view text, bool v0_compatible,
                        std::string* formatted) {
  RegoStatus st;
  ParseOptions po;
  po.v0_compatible = v0_compatible;
  auto m = ParseModule(path, text, po, &st);
  if (m) *formatted = FormatModuleText(*m);
  return st;
}

}  // namespace gatehouse::rego
