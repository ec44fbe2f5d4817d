// Helm charts without Helm: template neutralization and values resolution.
//
// A Helm template is Go text/template over YAML. Rendering it for real needs
// Helm, the chart's dependencies and sometimes a cluster; most of what a
// security review needs, though, is the YAML skeleton plus the values that
// flow into it. So we:
//
//  1. Find every action `{{ ... }}` (strings, raw strings and /* */ comments
//     inside actions are skipped when looking for the closing `}}`).
//  2. Replace each action in place by text of the same byte length, keeping
//     newlines, so every line and column of the template survives:
//       - when the action's lines hold nothing but actions and blanks
//         (`{{- if ... }}`, `{{ end }}`, `{{- include "x" . | nindent 4 }}`,
//         `{{- toYaml .Values.x | nindent 8 }}`), with spaces: the line
//         becomes blank, which YAML ignores;
//       - otherwise with a plain-scalar placeholder `H___...`, valid as a
//         key, a value, part of a plain or quoted scalar or a flow item.
//     Both branches of an if/else survive (we do not evaluate conditions),
//     and a range body appears once.
//  3. Parse the result as a YAML stream and copy each document into a new
//     Document, resolving placeholders: a scalar made of placeholders (and
//     text) takes the values of its actions when every action is one we
//     understand — `.Values.a.b`, `$.Values...`, `.` and `.x` inside
//     `with`, `.Chart.Name/Version/AppVersion`, `.Release.Name/Namespace`,
//     literals, `default`, `quote`, `squote`, `toString`, `int`, `toYaml`,
//     `required`, `trim`, `nindent`/`indent`; a key left empty because its
//     value came from a blanked `toYaml`/`toJson` line takes the values
//     subtree. A value that comes from values.yaml or Chart.yaml keeps that
//     file's position (ValueOrigins), so a finding about `image.tag: latest`
//     or `securityContext.privileged: true` points into values.yaml.
//     Anything else (include, tpl, printf, variables, lookups) is marked
//     unknown: checks neither blame nor trust it.
//
// Limits (docs/iac.md): conditions are not evaluated (both branches are
// checked), ranges are expanded once, named templates (include) are not
// expanded, values files other than values.yaml and --set are not read,
// subcharts are analyzed as their own charts with their own defaults.
#include "iac/helm.h"

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <optional>

#include "gatehouse/base.h"
#include "gatehouse/document.h"
#include "iac/internal.h"

namespace gatehouse::iac {

namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

}  // namespace

std::string NeutralizeTemplate(std::string_view text, std::vector<HelmAction>* actions,
                               std::string* error, int* error_line, int* error_column) {
  std::string out(text);
  std::vector<char> in_action(text.size(), 0);
  std::vector<HelmAction> found;
  int line = 1;
  size_t line_start = 0;
  size_t i = 0;
  auto advance_lines = [&](size_t from, size_t to) {
    for (size_t k = from; k < to; ++k)
      if (text[k] == '\n') {
        ++line;
        line_start = k + 1;
      }
  };
  size_t scanned = 0;
  while (true) {
    size_t open = text.find("{{", i);
    if (open == std::string_view::npos) break;
    advance_lines(scanned, open);
    scanned = open;
    HelmAction a;
    a.offset = open;
    a.line = line;
    a.column = static_cast<int>(open - line_start + 1);
    size_t k = open + 2;
    bool closed = false;
    while (k < text.size()) {
      char c = text[k];
      if (c == '"') {
        ++k;
        while (k < text.size() && text[k] != '"' && text[k] != '\n') {
          if (text[k] == '\\') ++k;
          ++k;
        }
        ++k;
        continue;
      }
      if (c == '`') {
        size_t e = text.find('`', k + 1);
        k = e == std::string_view::npos ? text.size() : e + 1;
        continue;
      }
      if (c == '/' && k + 1 < text.size() && text[k + 1] == '*') {
        size_t e = text.find("*/", k + 2);
        k = e == std::string_view::npos ? text.size() : e + 2;
        continue;
      }
      if (c == '}' && k + 1 < text.size() && text[k + 1] == '}') {
        closed = true;
        k += 2;
        break;
      }
      ++k;
    }
    if (!closed) {
      if (error) *error = "unterminated template action: expected '}}'";
      if (error_line) *error_line = a.line;
      if (error_column) *error_column = a.column;
      k = text.size();
    }
    a.length = std::min(k, text.size()) - open;
    std::string_view inner = text.substr(open + 2, a.length - (closed ? 4 : 2));
    if (!inner.empty() && inner.front() == '-') inner.remove_prefix(1);
    if (!inner.empty() && inner.back() == '-') inner.remove_suffix(1);
    a.expr = std::string(Trim(inner));
    for (size_t m = open; m < open + a.length; ++m) in_action[m] = 1;
    found.push_back(std::move(a));
    i = open + found.back().length;
    if (!closed) break;
  }
  // Lines with content outside actions.
  std::vector<char> line_has_content;
  {
    char has = 0;
    for (size_t k = 0; k < text.size(); ++k) {
      if (text[k] == '\n') {
        line_has_content.push_back(has);
        has = 0;
        continue;
      }
      if (!in_action[k] && !std::isspace(static_cast<unsigned char>(text[k]))) has = 1;
    }
    line_has_content.push_back(has);
  }
  for (HelmAction& a : found) {
    int last_line = a.line;
    for (size_t k = a.offset; k < a.offset + a.length; ++k)
      if (text[k] == '\n') ++last_line;
    a.whole_line = true;
    for (int l = a.line; l <= last_line; ++l)
      if (line_has_content[static_cast<size_t>(l - 1)]) a.whole_line = false;
    bool first = true;
    for (size_t k = a.offset; k < a.offset + a.length; ++k) {
      if (text[k] == '\n' || text[k] == '\r') continue;
      out[k] = a.whole_line ? ' ' : (first ? 'H' : '_');
      first = false;
    }
  }
  *actions = std::move(found);
  return out;
}

namespace {

// What an action evaluates to.
struct Resolved {
  bool ok = false;
  DocValue node;       // from values.yaml / Chart.yaml (when !literal)
  std::string origin;  // file of `node`
  bool literal = false;
  std::string text;           // literal text (or the scalar text after quote)
  bool force_string = false;  // quote/squote/toString
};

struct ChartContext {
  const HelmChartFiles* chart = nullptr;
  DocValue values;  // root of values.yaml (may be undefined)
  DocValue chart_meta;
  std::string values_path, chart_path;
};

// Splits on `sep` outside quotes and parentheses.
std::vector<std::string> SplitOutside(std::string_view s, char sep) {
  std::vector<std::string> out;
  std::string cur;
  char q = 0;
  int depth = 0;
  for (char c : s) {
    if (q) {
      cur += c;
      if (c == q) q = 0;
      continue;
    }
    if (c == '"' || c == '`' || c == '\'') q = c;
    if (c == '(') ++depth;
    if (c == ')') --depth;
    if (c == sep && depth == 0) {
      out.push_back(cur);
      cur.clear();
      continue;
    }
    cur += c;
  }
  out.push_back(cur);
  return out;
}

std::vector<std::string> Words(std::string_view s) {
  std::vector<std::string> out;
  for (const std::string& w : SplitOutside(s, ' ')) {
    std::string t(Trim(w));
    if (!t.empty()) out.push_back(t);
  }
  return out;
}

bool IsEmptyValue(const Resolved& r) {
  if (!r.ok) return true;
  if (r.literal) return r.text.empty();
  DocValue v = r.node;
  if (!v.IsDefined() || v.IsNull()) return true;
  if (v.IsString()) return v.AsString().empty();
  if (v.IsBool()) return !v.AsBool();
  if (v.IsArray() || v.IsObject()) return v.size() == 0;
  if (v.IsNumber()) return v.AsDouble() == 0;
  return false;
}

Resolved Lookup(DocValue root, std::string_view dotted, const std::string& origin) {
  Resolved r;
  DocValue v = root;
  size_t pos = 0;
  while (pos < dotted.size()) {
    size_t e = dotted.find('.', pos);
    std::string_view key = dotted.substr(pos, e == std::string_view::npos ? e : e - pos);
    if (!key.empty()) v = v.Get(key);
    if (e == std::string_view::npos) break;
    pos = e + 1;
  }
  r.ok = true;  // an absent value is a known "nil"
  r.node = v;
  r.origin = origin;
  return r;
}

// A single term: .Values.x, $.Values.x, ., .x (relative to dot), .Chart.X,
// .Release.X, "lit", 123, true.
Resolved Term(std::string_view t, const std::string& dot, const ChartContext& cx) {
  Resolved r;
  if (t.empty()) return r;
  if (t.front() == '"' || t.front() == '`') {
    r.ok = r.literal = true;
    r.text = std::string(t.substr(1, t.size() >= 2 ? t.size() - 2 : 0));
    return r;
  }
  if (std::isdigit(static_cast<unsigned char>(t.front())) || t == "true" || t == "false") {
    r.ok = r.literal = true;
    r.text = std::string(t);
    return r;
  }
  if (t.starts_with("$.")) t.remove_prefix(1);
  std::string path;
  if (t == ".") {
    path = dot;
  } else if (t.starts_with(".Values") || t.starts_with(".Chart.") || t.starts_with(".Release.")) {
    path = std::string(t);
  } else if (t.front() == '.' && !dot.empty() && dot != "?") {
    path = dot + std::string(t);
  } else {
    return r;
  }
  if (path == ".Values" || path.starts_with(".Values."))
    return Lookup(cx.values, path.size() > 7 ? std::string_view(path).substr(8) : "",
                  cx.values_path);
  if (path == ".Chart.AppVersion") return Lookup(cx.chart_meta, "appVersion", cx.chart_path);
  if (path == ".Chart.Version") return Lookup(cx.chart_meta, "version", cx.chart_path);
  if (path == ".Chart.Name") return Lookup(cx.chart_meta, "name", cx.chart_path);
  if (path == ".Release.Name") {
    r.ok = r.literal = true;
    r.text = "release-name";
    return r;
  }
  if (path == ".Release.Namespace") {
    r.ok = r.literal = true;  // the namespace the release is installed to
    r.text = "";
    return r;
  }
  return r;
}

Resolved Apply(const std::string& fn, const std::vector<std::string>& args, Resolved in,
               const std::string& dot, const ChartContext& cx) {
  if (fn == "quote" || fn == "squote" || fn == "toString") {
    in.force_string = true;
    return in;
  }
  if (fn == "toYaml" || fn == "toJson" || fn == "nindent" || fn == "indent" || fn == "int" ||
      fn == "int64" || fn == "trim" || fn == "required" || fn == "toRawJson" ||
      fn == "toPrettyJson")
    return in;
  if (fn == "default") {
    if (!IsEmptyValue(in)) return in;
    return args.empty() ? Resolved{} : Term(args[0], dot, cx);
  }
  return Resolved{};
}

Resolved Evaluate(std::string_view expr, const std::string& dot, const ChartContext& cx) {
  if (expr.find(":=") != std::string_view::npos || expr.find('(') != std::string_view::npos)
    return {};
  std::vector<std::string> stages = SplitOutside(expr, '|');
  Resolved cur;
  for (size_t s = 0; s < stages.size(); ++s) {
    std::vector<std::string> w = Words(stages[s]);
    if (w.empty()) return {};
    if (s == 0) {
      if (w.size() == 1) {
        cur = Term(w[0], dot, cx);
      } else {
        // fn args... TERM  (the last word is the piped-in operand)
        std::vector<std::string> args(w.begin() + 1, w.end() - 1);
        Resolved last = Term(w.back(), dot, cx);
        if (!last.ok) return {};
        cur = Apply(w[0], args, last, dot, cx);
      }
    } else {
      std::vector<std::string> args(w.begin() + 1, w.end());
      cur = Apply(w[0], args, cur, dot, cx);
    }
    if (!cur.ok) return {};
  }
  return cur;
}

std::string ResolvedText(const Resolved& r) {
  if (r.literal) return r.text;
  return r.node.IsDefined() && !r.node.IsNull() ? r.node.ScalarText() : "";
}

// The dot (with-context) at each action, and which actions are control flow.
std::vector<std::string> DotContexts(const std::vector<HelmAction>& actions,
                                     const ChartContext& cx) {
  std::vector<std::string> dots(actions.size());
  std::vector<std::string> stack;
  auto cur = [&] { return stack.empty() ? std::string() : stack.back(); };
  for (size_t i = 0; i < actions.size(); ++i) {
    std::string_view e = actions[i].expr;
    dots[i] = cur();
    auto starts = [&](std::string_view kw) {
      return e.starts_with(kw) && (e.size() == kw.size() || e[kw.size()] == ' ');
    };
    if (starts("with")) {
      std::string_view arg = Trim(e.substr(4));
      std::string path;
      if (arg.starts_with("$.")) arg.remove_prefix(1);
      if (arg.starts_with(".Values") && arg.find(' ') == std::string_view::npos)
        path = std::string(arg);
      else if (arg.starts_with(".") && arg.find(' ') == std::string_view::npos && !cur().empty() &&
               cur() != "?")
        path = cur() + std::string(arg);
      else
        path = "?";
      stack.push_back(path);
    } else if (starts("range")) {
      stack.push_back("?");
    } else if (starts("if") || starts("define") || starts("block")) {
      stack.push_back(cur());
    } else if (starts("end")) {
      if (!stack.empty()) stack.pop_back();
    }
  }
  (void)cx;
  return dots;
}

bool IsControl(std::string_view e) {
  for (std::string_view kw : {"if", "else", "end", "with", "range", "define", "block", "template",
                              "/*", "break", "continue"})
    if (e.starts_with(kw) &&
        (e.size() == kw.size() || !std::isalnum(static_cast<unsigned char>(e[kw.size()]))))
      return true;
  return e.starts_with("-/*");
}

class Resolver {
 public:
  Resolver(const ChartContext& cx, const std::vector<HelmAction>& actions,
           const std::vector<std::string>& dots, std::string_view neutral, Document* out,
           ValueOrigins* origins, size_t doc_no)
      : cx_(cx),
        actions_(actions),
        dots_(dots),
        neutral_(neutral),
        out_(out),
        origins_(origins),
        doc_no_(doc_no) {
    for (size_t i = 0; i < actions_.size(); ++i) by_line_[actions_[i].line].push_back(i);
    size_t p = 0;
    line_starts_.push_back(0);
    while ((p = neutral_.find('\n', p)) != std::string_view::npos) line_starts_.push_back(++p);
  }

  DocValue Copy(DocValue v, int key_line) {
    switch (v.kind()) {
      case DocKind::kString:
        return Scalar(v);
      case DocKind::kNull:
        return NullValue(v, key_line);
      case DocKind::kArray: {
        std::vector<DocValue> items;
        for (size_t i = 0; i < v.size(); ++i) items.push_back(Copy(v[i], v[i].line()));
        return out_->AddArray(items, v.pos());
      }
      case DocKind::kObject: {
        std::vector<Document::Member> ms;
        for (size_t i = 0; i < v.size(); ++i)
          ms.push_back(Document::Member{std::string(v.KeyAt(i)), v.KeyPosAt(i),
                                        Copy(v.ValueAt(i), static_cast<int>(v.KeyPosAt(i).line))});
        return out_->AddObject(std::move(ms), v.pos());
      }
      default:
        return out_->Import(v);
    }
  }

 private:
  void MarkOrigin(DocValue v, const std::string& path) {
    if (!v.IsDefined()) return;
    origins_->path[{doc_no_, v.index()}] = path;
    for (size_t i = 0; i < v.size(); ++i) MarkOrigin(v.IsArray() ? v[i] : v.ValueAt(i), path);
  }
  void MarkUnknown(DocValue v) { origins_->unknown.insert({doc_no_, v.index()}); }

  DocValue ImportResolved(const Resolved& r, DocPos at) {
    if (r.literal) return out_->AddString(r.text, at);
    if (!r.node.IsDefined()) return out_->AddNull(at);
    if (r.force_string) {
      DocValue s = out_->AddString(r.node.ScalarText(), r.node.pos());
      MarkOrigin(s, r.origin);
      return s;
    }
    DocValue v = out_->Import(r.node);
    MarkOrigin(v, r.origin);
    return v;
  }

  DocValue Scalar(DocValue v) {
    std::string s(v.AsString());
    // Placeholder runs in the scalar.
    std::vector<std::pair<size_t, size_t>> runs;
    for (size_t i = 0; i + 4 < s.size() + 1 && i < s.size(); ++i) {
      if (s[i] != 'H' || i + 1 >= s.size() || s[i + 1] != '_') continue;
      size_t j = i + 1;
      while (j < s.size() && s[j] == '_') ++j;
      if (j - i >= 4) {
        runs.push_back({i, j - i});
        i = j - 1;
      }
    }
    if (runs.empty()) return out_->Import(v);
    // The actions on this line at or after the scalar, in order.
    std::vector<size_t> cand;
    auto it = by_line_.find(v.line());
    if (it != by_line_.end())
      for (size_t ai : it->second)
        if (actions_[ai].column >= v.column() && !actions_[ai].whole_line) cand.push_back(ai);
    if (cand.size() < runs.size()) {
      DocValue u = out_->Import(v);
      MarkUnknown(u);
      return u;
    }
    std::vector<Resolved> rs;
    for (size_t k = 0; k < runs.size(); ++k) {
      const HelmAction& a = actions_[cand[k]];
      Resolved r = IsControl(a.expr) ? Resolved{} : Evaluate(a.expr, dots_[cand[k]], cx_);
      if (!r.ok) {
        DocValue u = out_->Import(v);
        MarkUnknown(u);
        return u;
      }
      rs.push_back(std::move(r));
    }
    if (runs.size() == 1 && runs[0].first == 0 && runs[0].second == s.size())
      return ImportResolved(rs[0], v.pos());
    std::string text;
    size_t prev = 0;
    std::string origin;
    DocPos origin_pos;
    for (size_t k = 0; k < runs.size(); ++k) {
      text += s.substr(prev, runs[k].first - prev);
      text += ResolvedText(rs[k]);
      prev = runs[k].first + runs[k].second;
      if (!rs[k].literal && rs[k].node.IsDefined()) {
        origin = rs[k].origin;
        origin_pos = rs[k].node.pos();
      }
    }
    text += s.substr(prev);
    if (origin.empty()) return out_->AddString(text, v.pos());
    DocValue r = out_->AddString(text, origin_pos);
    MarkOrigin(r, origin);
    return r;
  }

  // A key with no value: its value may come from a blanked toYaml line.
  DocValue NullValue(DocValue v, int key_line) {
    // The first action after the key line, if nothing but blanks precede it.
    for (int l = key_line + 1; l <= static_cast<int>(line_starts_.size()); ++l) {
      auto it = by_line_.find(l);
      if (it != by_line_.end()) {
        for (size_t ai : it->second) {
          const HelmAction& a = actions_[ai];
          if (!a.whole_line) break;
          if (IsControl(a.expr)) continue;
          Resolved r = Evaluate(a.expr, dots_[ai], cx_);
          if (r.ok && !r.literal && (r.node.IsObject() || r.node.IsArray()))
            return ImportResolved(r, v.pos());
          DocValue u = out_->AddNull(v.pos());
          MarkUnknown(u);
          return u;
        }
      }
      // Stop at the first line with YAML content.
      size_t b = line_starts_[static_cast<size_t>(l - 1)];
      size_t e = static_cast<size_t>(l) < line_starts_.size() ? line_starts_[static_cast<size_t>(l)]
                                                              : neutral_.size();
      if (!Trim(neutral_.substr(b, e - b)).empty()) break;
    }
    return out_->Import(v);
  }

  const ChartContext& cx_;
  const std::vector<HelmAction>& actions_;
  const std::vector<std::string>& dots_;
  std::string_view neutral_;
  Document* out_;
  ValueOrigins* origins_;
  size_t doc_no_;
  std::map<int, std::vector<size_t>> by_line_;
  std::vector<size_t> line_starts_;
};

Finding ParseError(const std::string& path, int line, int col, const std::string& msg) {
  return MakeFinding("iac/parse-error", path, line, col, msg, msg);
}

}  // namespace

void LoadHelmChart(const HelmChartFiles& chart, std::vector<K8sSource>* out,
                   std::vector<Finding>* findings, IacInventory* inventory) {
  ChartContext cx;
  cx.chart = &chart;
  std::optional<Document> values_doc, chart_doc;
  if (chart.values_yaml) {
    YamlStream ys = ParseYamlStream(chart.values_yaml->content, chart.values_yaml->path);
    for (const Error& e : ys.errors)
      findings->push_back(
          ParseError(chart.values_yaml->path, e.line, e.column, "values.yaml: " + e.message));
    if (!ys.documents.empty()) values_doc = std::move(ys.documents.front());
    cx.values_path = chart.values_yaml->path;
  }
  if (chart.chart_yaml) {
    YamlStream ys = ParseYamlStream(chart.chart_yaml->content, chart.chart_yaml->path);
    for (const Error& e : ys.errors)
      findings->push_back(
          ParseError(chart.chart_yaml->path, e.line, e.column, "Chart.yaml: " + e.message));
    if (!ys.documents.empty()) chart_doc = std::move(ys.documents.front());
    cx.chart_path = chart.chart_yaml->path;
  }
  if (values_doc) cx.values = values_doc->Root();
  if (chart_doc) cx.chart_meta = chart_doc->Root();

  for (const IacFile* t : chart.templates) {
    std::vector<HelmAction> actions;
    std::string err;
    int el = 0, ec = 0;
    std::string neutral = NeutralizeTemplate(t->content, &actions, &err, &el, &ec);
    if (!err.empty()) findings->push_back(ParseError(t->path, el, ec, "Helm template: " + err));
    std::vector<std::string> dots = DotContexts(actions, cx);
    YamlStream ys = ParseYamlStream(neutral, t->path);
    for (const Error& e : ys.errors)
      findings->push_back(ParseError(t->path, e.line, e.column,
                                     "YAML (after neutralizing template actions): " + e.message));
    K8sSource src;
    src.path = t->path;
    src.helm = true;
    src.origins = std::make_unique<ValueOrigins>();
    for (Document& d : ys.documents) {
      auto resolved = std::make_unique<Document>(t->path);
      resolved->set_index_in_file(d.index_in_file());
      Resolver r(cx, actions, dots, neutral, resolved.get(), src.origins.get(), src.docs.size());
      DocValue root = d.Root();
      if (root.IsDefined()) resolved->SetRoot(r.Copy(root, root.line()));
      src.docs.push_back(std::move(resolved));
    }
    out->push_back(std::move(src));
  }
  (void)inventory;
}

Result<std::vector<IacFile>> RenderHelmChart(const std::string& root, const std::string& dir) {
  // Find helm on PATH.
  const char* path_env = std::getenv("PATH");
  std::string helm;
  if (path_env) {
    std::string_view p = path_env;
    while (!p.empty()) {
      size_t c = p.find(':');
      std::string d(p.substr(0, c));
      std::string cand = (d.empty() ? "." : d) + "/helm";
      if (::access(cand.c_str(), X_OK) == 0) {
        helm = cand;
        break;
      }
      if (c == std::string_view::npos) break;
      p.remove_prefix(c + 1);
    }
  }
  if (helm.empty()) return MakeError(ErrorCode::kNotFound, "helm is not on PATH", dir);
  std::string chart_dir = dir.empty() ? root : root + "/" + dir;
  std::string cmd = "'" + helm + "' template release-name '" + chart_dir + "' 2>/dev/null";
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return MakeError(ErrorCode::kIo, "cannot run helm", dir);
  std::string output;
  char buf[65536];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) output.append(buf, n);
  int status = ::pclose(p);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    return MakeError(ErrorCode::kIo,
                     "helm template failed (exit " +
                         std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : -1) + ")",
                     dir);
  // Split by "# Source: <chart>/templates/x.yaml"; one file per source.
  std::map<std::string, std::string> by_source;
  std::string current;
  size_t pos = 0;
  while (pos < output.size()) {
    size_t nl = output.find('\n', pos);
    std::string_view l(output.data() + pos, (nl == std::string::npos ? output.size() : nl) - pos);
    if (l.starts_with("# Source: ")) {
      std::string src(l.substr(10));
      size_t slash = src.find('/');
      current = slash == std::string::npos ? src : src.substr(slash + 1);
      if (!by_source[current].empty()) by_source[current] += "---\n";
    }
    if (!current.empty()) {
      by_source[current].append(l);
      by_source[current] += '\n';
    }
    if (nl == std::string::npos) break;
    pos = nl + 1;
  }
  std::vector<IacFile> files;
  for (auto& [src, text] : by_source)
    files.push_back(IacFile{dir.empty() ? src : dir + "/" + src, std::move(text)});
  return files;
}

}  // namespace gatehouse::iac
