// `gatehouse policy test [FILES…] -p POLICY_DIR`: conftest-compatible
// policy tests over configuration files.
//
// Steps: read options → load policies (+ data) into one compiled Engine →
// parse every input with conftest's parser for it → for each input and
// namespace evaluate the deny/violation/warn rules (and exceptions) →
// render in the chosen format → exit code as conftest.
//
// Semantics follow conftest's policy engine (policy/engine.go):
//   * rules named deny, violation or warn, optionally with _suffix parts
//     (^(deny|violation)(_[a-zA-Z0-9]+)*$ fail, ^warn(_[a-zA-Z0-9]+)*$ warn);
//   * each value of such a rule is a message: a string, or an object with a
//     string "msg" (other fields become metadata; "_loc" a location);
//   * `exception` rules: when data.<ns>.exception contains a set holding the
//     rule's name without its deny_/violation_ prefix, that rule's messages
//     become one exception each match instead of failures;
//   * successes: a rule that produced no message counts as passed once per
//     definition of that rule in the package;
//   * a file whose value is an array (YAML streams, Dockerfiles, JSON
//     arrays) is evaluated once per item and reported under the file;
//   * --combine evaluates once over [{path, contents}] sorted by path;
//   * data.conftest.file.{name,dir} hold the input's path and directory.
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <regex>
#include <set>
#include <sstream>

#include "cli/commands.h"
#include "cli/output.h"
#include "formats/inputs.h"
#include "gatehouse/fs.h"
#include "gatehouse/rego.h"
#include "rego/builtin_util.h"
#include "rego/value.h"

namespace gatehouse::cli {

namespace {

namespace fs = std::filesystem;
using rego::Value;

struct TestArgs {
  std::vector<std::string> files;
  std::vector<std::string> policies;
  std::vector<std::string> namespaces;
  bool all_namespaces = false;
  bool combine = false;
  std::vector<std::string> data;
  std::string parser;
  std::string format = "stdout";
  std::string output;
  bool fail_on_warn = false;
  bool no_fail = false;
  bool no_color = false;
  bool v0_compatible = false;
  bool strict_builtin_errors = false;
  bool show_successes = false;
};

struct Message {
  std::string msg;
  Value metadata;  // object of extra fields, or null
  std::string loc_file;
  std::string loc_line;
};

struct CheckResult {
  std::string filename;
  std::string namespace_;
  int successes = 0;
  std::vector<Message> warnings, failures, exceptions;
};

bool IsFailure(std::string_view rule) {
  static const std::regex re("^(deny|violation)(_[a-zA-Z0-9]+)*$");
  return std::regex_match(rule.begin(), rule.end(), re);
}
bool IsWarning(std::string_view rule) {
  static const std::regex re("^warn(_[a-zA-Z0-9]+)*$");
  return std::regex_match(rule.begin(), rule.end(), re);
}
std::string RemoveFailurePrefix(const std::string& rule) {
  if (rule.starts_with("deny_")) return rule.substr(5);
  if (rule.starts_with("violation_")) return rule.substr(10);
  return rule;
}

int Usage(const std::string& msg) {
  std::fprintf(stderr, "gatehouse: error: %s\n", msg.c_str());
  return kExitUsage;
}

// ---- Policies -------------------------------------------------------------

struct PolicyFile {
  std::string path;
  std::string text;
  std::string package;  // "main", "kubernetes.pods"
};

std::string PackageOf(const std::string& text) {
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    size_t b = line.find_first_not_of(" \t");
    if (b == std::string::npos) continue;
    if (line.compare(b, 8, "package ") == 0) {
      std::string p = line.substr(b + 8);
      size_t e = p.find_first_of(" \t\r#");
      if (e != std::string::npos) p = p.substr(0, e);
      return p;
    }
  }
  return {};
}

// How many definitions of `rule` a module has: lines that start (column 1)
// with the rule name followed by a head delimiter. conftest counts parsed
// rule definitions; top-level rule heads are at column 1 in practice.
int CountDefinitions(const std::string& text, const std::string& rule) {
  int n = 0;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.starts_with(rule)) continue;
    if (line.size() == rule.size()) {
      ++n;
      continue;
    }
    char c = line[rule.size()];
    if (c == ' ' || c == '\t' || c == '[' || c == '{' || c == '\r' || c == ':' || c == '=') ++n;
  }
  return n;
}

Status CollectFiles(const std::string& root, const std::function<bool(const fs::path&)>& want,
                    std::vector<std::string>* out) {
  std::error_code ec;
  if (!fs::exists(root, ec)) {
    return MakeError(ErrorCode::kNotFound, "no such file or directory", root);
  }
  if (!fs::is_directory(root, ec)) {
    out->push_back(root);
    return Status::Ok();
  }
  std::vector<std::string> found;
  for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    if (it->is_regular_file(ec) && want(it->path())) found.push_back(it->path().string());
  }
  if (ec) return MakeError(ErrorCode::kIo, ec.message(), root);
  std::sort(found.begin(), found.end());
  out->insert(out->end(), found.begin(), found.end());
  return Status::Ok();
}

Status LoadData(rego::Engine& engine, const std::string& root) {
  std::error_code ec;
  bool is_dir = fs::is_directory(root, ec);
  std::vector<std::string> files;
  Status st = CollectFiles(
      root,
      [](const fs::path& p) {
        std::string e = p.extension().string();
        return e == ".json" || e == ".yaml" || e == ".yml";
      },
      &files);
  if (!st.ok()) return st;
  for (const std::string& f : files) {
    std::string ext = fs::path(f).extension().string();
    if (!is_dir && ext != ".json" && ext != ".yaml" && ext != ".yml") {
      return MakeError(ErrorCode::kInvalidArgument, "data files must be .json, .yaml or .yml", f);
    }
    Result<FileContent> content = ReadFile(f, 0);
    if (!content.ok()) return content.error();
    std::vector<std::string> prefix;
    if (is_dir) {
      fs::path rel = fs::path(f).lexically_relative(root).parent_path();
      for (const auto& part : rel) {
        if (!part.empty() && part != ".") prefix.push_back(part.string());
      }
    }
    Result<Document> doc = ext == ".json" ? ParseJsonDocument(content->view(), f)
                                          : ParseInput(content->view(), f, InputFormat::kYaml);
    if (!doc.ok()) return doc.error();
    if (!doc->Root()) continue;
    rego::RegoStatus rs = engine.AddDataDocument(doc->Root(), prefix);
    if (!rs.ok()) return MakeError(ErrorCode::kConfig, rs.ToString(), f);
  }
  return Status::Ok();
}

// ---- Inputs ---------------------------------------------------------------

struct Input {
  std::string path;
  Document doc;
};

Status LoadInputs(const TestArgs& args, std::vector<Input>* out) {
  std::optional<InputFormat> forced;
  if (!args.parser.empty()) {
    forced = ParseInputFormat(args.parser);
    if (!forced) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "unknown parser '" + args.parser + "' (" + InputFormatList() + ")");
    }
  }
  std::vector<std::string> paths;
  for (const std::string& f : args.files) {
    if (f == "-") {
      paths.push_back(f);
      continue;
    }
    Status st = CollectFiles(
        f,
        [&](const fs::path& p) {
          return forced.has_value() || DetectInputFormat(p.string()).has_value();
        },
        &paths);
    if (!st.ok()) return st;
  }
  for (const std::string& p : paths) {
    std::optional<InputFormat> fmt = forced ? forced : DetectInputFormat(p);
    if (!fmt) {
      return MakeError(
          ErrorCode::kInvalidArgument,
          "unsupported file type (use --parser to choose one of: " + InputFormatList() + ")", p);
    }
    std::string text;
    if (p == "-") {
      std::ostringstream ss;
      ss << std::cin.rdbuf();
      text = ss.str();
    } else {
      Result<FileContent> content = ReadFile(p, 0);
      if (!content.ok()) return content.error();
      text = std::string(content->view());
    }
    Result<Document> doc = ParseInput(text, p, *fmt);
    if (!doc.ok()) {
      Error e = doc.error();
      if (e.path.empty()) e.path = p;
      return e;
    }
    out->push_back({p, std::move(doc.value())});
  }
  return Status::Ok();
}

// ---- Evaluation -----------------------------------------------------------

class Checker {
 public:
  Checker(const TestArgs& args, std::vector<PolicyFile> policies)
      : args_(args), policies_(std::move(policies)) {
    for (const PolicyFile& p : policies_) {
      if (p.text.find("conftest.file") != std::string::npos) per_file_data_ = true;
    }
  }

  // Builds (and caches) the engine; per-file when policies read
  // data.conftest.file.
  Status Prepare(const std::string& file) {
    if (engine_ && !per_file_data_) return Status::Ok();
    rego::CompileOptions co;
    co.v0_compatible = args_.v0_compatible;
    auto engine = std::make_unique<rego::Engine>(co);
    for (const PolicyFile& p : policies_) {
      rego::RegoStatus st = engine->AddModule(p.path, p.text);
      if (!st.ok()) return MakeError(ErrorCode::kConfig, st.ToString());
    }
    for (const std::string& d : args_.data) {
      Status st = LoadData(*engine, d);
      if (!st.ok()) return st;
    }
    if (per_file_data_) {
      std::error_code ec;
      fs::path abs = file == "-" ? fs::current_path(ec) : fs::absolute(file, ec);
      std::string dir = file == "-" ? abs.string() : abs.parent_path().string();
      Value info = Value::Object(
          {{Value::String("file"), Value::Object({{Value::String("name"), Value::String(file)},
                                                  {Value::String("dir"), Value::String(dir)}})}});
      rego::RegoStatus st = engine->AddData(info, {"conftest"});
      if (!st.ok()) return MakeError(ErrorCode::kConfig, st.ToString());
    }
    rego::RegoStatus st = engine->Compile();
    if (!st.ok()) return MakeError(ErrorCode::kConfig, st.ToString());
    engine_ = std::move(engine);
    return Status::Ok();
  }

  std::vector<std::string> Namespaces() const {
    std::vector<std::string> out;
    for (const std::string& p : engine_->Packages()) {
      out.push_back(p.starts_with("data.") ? p.substr(5) : p);
    }
    return out;
  }

  // Evaluates one configuration value against one namespace, adding to *r.
  Status Check(DocValue input, const std::string& ns, CheckResult* r) {
    auto cached = rule_cache_.find(ns);
    if (cached == rule_cache_.end()) {
      std::map<std::string, int> found;  // name → definitions
      for (const rego::RuleDesc& d : engine_->RulesMatching(
               ns, [](std::string_view n) { return IsFailure(n) || IsWarning(n); })) {
        int defs = 0;
        for (const PolicyFile& p : policies_) {
          if (p.package == ns) defs += CountDefinitions(p.text, d.name);
        }
        found[d.name] = std::max(defs, 1);
      }
      cached = rule_cache_.emplace(ns, std::move(found)).first;
    }
    const std::map<std::string, int>& rules = cached->second;
    if (rules.empty()) return Status::Ok();
    rego::EvalOptions eo;
    eo.input_doc = input;
    eo.strict_builtin_errors = args_.strict_builtin_errors;
    std::optional<rego::RegoError> err;
    std::shared_ptr<const Value> exceptions =
        engine_->EvalValue("data." + ns + ".exception", eo, &err);
    if (err) return EvalError(*err);
    for (const auto& [rule, count] : rules) {
      std::string query =
          "data." + ns + ".exception[_][_] == \"" + RemoveFailurePrefix(rule) + "\"";
      int matched_exceptions = 0;
      if (exceptions && exceptions->IsCollection()) {
        Value want = Value::String(RemoveFailurePrefix(rule));
        auto each = [&](const Value& inner) {
          if (inner.IsObject()) {
            for (const auto& [k, v] : inner.ObjectItems()) {
              if (v == want) ++matched_exceptions;
            }
          } else {
            for (const Value& v : inner.Items()) {
              if (v == want) ++matched_exceptions;
            }
          }
        };
        if (exceptions->IsObject()) {
          for (const auto& [k, v] : exceptions->ObjectItems()) each(v);
        } else {
          for (const Value& v : exceptions->Items()) each(v);
        }
      }
      std::shared_ptr<const Value> value = engine_->EvalValue("data." + ns + "." + rule, eo, &err);
      if (err) return EvalError(*err);
      std::vector<Message> msgs;
      if (value && (value->IsSet() || value->IsArray())) {
        for (const Value& v : value->Items()) {
          if (v.IsString()) {
            msgs.push_back({std::string(v.AsString()), Value(), {}, {}});
          } else if (v.IsObject()) {
            const Value* m = v.Find("msg");
            if (!m || !m->IsString()) {
              return MakeError(ErrorCode::kConfig,
                               "data." + ns + "." + rule +
                                   ": metadata result: \"msg\" field must be present and a string");
            }
            Message msg{std::string(m->AsString()), Value(), {}, {}};
            ObjectBuilder_ meta;
            for (const auto& [k, fv] : v.ObjectItems()) {
              if (k.IsString() && (k.AsString() == "msg" || k.AsString() == "_loc")) continue;
              meta.items.emplace_back(k, fv);
            }
            if (!meta.items.empty()) msg.metadata = Value::Object(std::move(meta.items));
            if (const Value* loc = v.Find("_loc"); loc && loc->IsObject()) {
              if (const Value* f = loc->Find("file"); f && f->IsString()) {
                msg.loc_file = std::string(f->AsString());
              }
              if (const Value* l = loc->Find("line"); l && l->IsNumber())
                msg.loc_line = l->ToJson();
            }
            msgs.push_back(std::move(msg));
          }
        }
      }
      int produced = 0;
      if (matched_exceptions > 0) {
        for (int i = 0; i < matched_exceptions; ++i) {
          r->exceptions.push_back({query, Value(), {}, {}});
        }
        produced += matched_exceptions;
      } else {
        for (Message& m : msgs) {
          (IsFailure(rule) ? r->failures : r->warnings).push_back(std::move(m));
          ++produced;
        }
      }
      if (produced < count) r->successes += count - produced;
    }
    return Status::Ok();
  }

 private:
  struct ObjectBuilder_ {
    std::vector<rego::ObjectItem> items;
  };
  static Error EvalError(const rego::RegoError& e) {
    return MakeError(ErrorCode::kConfig, e.ToString());
  }

  const TestArgs& args_;
  std::vector<PolicyFile> policies_;
  bool per_file_data_ = false;
  std::unique_ptr<rego::Engine> engine_;
  std::map<std::string, std::map<std::string, int>> rule_cache_;  // namespace → rules
};

// ---- Output ---------------------------------------------------------------

struct Totals {
  int tests = 0, passed = 0, warnings = 0, failures = 0, exceptions = 0;
};
Totals Count(const std::vector<CheckResult>& results) {
  Totals t;
  for (const CheckResult& r : results) {
    t.passed += r.successes;
    t.warnings += static_cast<int>(r.warnings.size());
    t.failures += static_cast<int>(r.failures.size());
    t.exceptions += static_cast<int>(r.exceptions.size());
  }
  t.tests = t.passed + t.warnings + t.failures + t.exceptions;
  return t;
}

std::string Plural(int n, const char* word) {
  return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

std::string SummaryLine(const Totals& t) {
  return Plural(t.tests, "test") + ", " + std::to_string(t.passed) + " passed, " +
         Plural(t.warnings, "warning") + ", " + Plural(t.failures, "failure") + ", " +
         Plural(t.exceptions, "exception");
}

std::string Colorize(const std::string& s, const char* code, bool color) {
  if (!color) return s;
  return std::string("\x1b[") + code + "m" + s + "\x1b[0m";
}

std::string RenderStdout(const std::vector<CheckResult>& results, bool color) {
  std::string out;
  for (const CheckResult& r : results) {
    std::string indicator = r.filename == "-" ? "-" : "- " + r.filename;
    std::string ns = "- " + r.namespace_ + " -";
    int total =
        r.successes + static_cast<int>(r.warnings.size() + r.failures.size() + r.exceptions.size());
    if (total == 0) {
      out += Colorize("?", "37", color) + " " + indicator + " " + ns + " no policies found\n";
      continue;
    }
    for (const Message& m : r.warnings) {
      out += Colorize("WARN", "33", color) + " " + indicator + " " + ns + " " + m.msg + "\n";
    }
    for (const Message& m : r.failures) {
      out += Colorize("FAIL", "31", color) + " " + indicator + " " + ns + " " + m.msg + "\n";
    }
    for (const Message& m : r.exceptions) {
      out += Colorize("EXCP", "36", color) + " " + indicator + " " + ns + " " + m.msg + "\n";
    }
  }
  Totals t = Count(results);
  const char* c = t.failures > 0 ? "31" : t.warnings > 0 ? "33" : t.exceptions > 0 ? "36" : "32";
  out += "\n" + Colorize(SummaryLine(t), c, color) + "\n";
  return out;
}

// Go encoding/json string escaping (HTML-safe, as json.Marshal does).
std::string JsonString(std::string_view s) { return Value::String(s).ToJson(); }

std::string MessageJson(const Message& m) {
  std::string j = "{\"msg\":" + JsonString(m.msg);
  if (!m.loc_file.empty() || !m.loc_line.empty()) {
    j += ",\"loc\":{";
    bool first = true;
    if (!m.loc_file.empty()) {
      j += "\"file\":" + JsonString(m.loc_file);
      first = false;
    }
    if (!m.loc_line.empty()) j += std::string(first ? "" : ",") + "\"line\":" + m.loc_line;
    j += "}";
  }
  if (m.metadata.IsObject() && m.metadata.size() > 0) j += ",\"metadata\":" + m.metadata.ToJson();
  return j + "}";
}

std::string RenderJson(const std::vector<CheckResult>& results) {
  std::string j = "[";
  for (size_t i = 0; i < results.size(); ++i) {
    const CheckResult& r = results[i];
    if (i) j += ",";
    j += "{\"filename\":" + JsonString(r.filename == "-" ? "" : r.filename) +
         ",\"namespace\":" + JsonString(r.namespace_) +
         ",\"successes\":" + std::to_string(r.successes);
    auto list = [&](const char* name, const std::vector<Message>& ms) {
      if (ms.empty()) return;
      j += std::string(",\"") + name + "\":[";
      for (size_t k = 0; k < ms.size(); ++k) j += (k ? "," : "") + MessageJson(ms[k]);
      j += "]";
    };
    list("warnings", r.warnings);
    list("failures", r.failures);
    list("exceptions", r.exceptions);
    j += "}";
  }
  j += "]";
  return rego::IndentJson(j, "", "\t") + "\n";
}

std::string RenderTap(const std::vector<CheckResult>& results) {
  std::string out;
  for (const CheckResult& r : results) {
    std::string indicator = r.filename == "-" ? " - " : " - " + r.filename + " - ";
    indicator += r.namespace_ + " - ";
    int issues = static_cast<int>(r.failures.size() + r.warnings.size()) + r.successes;
    if (issues == 0) continue;
    out += "1.." + std::to_string(issues) + "\n";
    int n = 0;
    for (const Message& m : r.failures)
      out += "not ok " + std::to_string(++n) + indicator + m.msg + "\n";
    if (!r.warnings.empty()) {
      out += "# warnings\n";
      for (const Message& m : r.warnings) {
        out += "not ok " + std::to_string(++n) + indicator + m.msg + "\n";
      }
    }
    if (r.successes > 0) {
      out += "# successes\n";
      for (int k = 0; k < r.successes; ++k)
        out += "ok " + std::to_string(++n) + indicator + "SUCCESS\n";
    }
  }
  return out;
}

std::string RenderTable(const std::vector<CheckResult>& results) {
  std::vector<std::array<std::string, 4>> rows;
  for (const CheckResult& r : results) {
    for (int k = 0; k < r.successes; ++k)
      rows.push_back({"success", r.filename, r.namespace_, "SUCCESS"});
    for (const Message& m : r.warnings)
      rows.push_back({"warning", r.filename, r.namespace_, m.msg});
    for (const Message& m : r.failures)
      rows.push_back({"failure", r.filename, r.namespace_, m.msg});
    for (const Message& m : r.exceptions) {
      rows.push_back({"exception", r.filename, r.namespace_, m.msg});
    }
  }
  if (rows.empty()) return {};
  std::array<std::string, 4> head = {"RESULT", "FILE", "NAMESPACE", "MESSAGE"};
  std::array<size_t, 4> w{};
  for (size_t c = 0; c < 4; ++c) {
    w[c] = head[c].size();
    for (const auto& row : rows) w[c] = std::max(w[c], row[c].size());
  }
  auto sep = [&] {
    std::string s = "+";
    for (size_t c = 0; c < 4; ++c) s += std::string(w[c] + 2, '-') + "+";
    return s + "\n";
  };
  auto line = [&](const std::array<std::string, 4>& row) {
    std::string s = "|";
    for (size_t c = 0; c < 4; ++c)
      s += " " + row[c] + std::string(w[c] - row[c].size(), ' ') + " |";
    return s + "\n";
  };
  std::string out = sep() + line(head) + sep();
  for (const auto& row : rows) out += line(row);
  return out + sep();
}

std::string XmlEscape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string RenderJunit(const std::vector<CheckResult>& results) {
  Totals t = Count(results);
  std::string cases;
  for (const CheckResult& r : results) {
    std::string cls = XmlEscape(r.filename);
    auto name = [&](const std::string& msg) {
      return XmlEscape(r.filename + " - " + r.namespace_ + (msg.empty() ? "" : " - " + msg));
    };
    for (int k = 0; k < r.successes; ++k) {
      cases += "\t\t<testcase classname=\"conftest\" name=\"" + name("") +
               "\" time=\"0.000\"></testcase>\n";
    }
    for (const Message& m : r.failures) {
      cases += "\t\t<testcase classname=\"conftest\" name=\"" + name(m.msg) +
               "\" time=\"0.000\">\n\t\t\t<failure message=\"Failed\" type=\"\"><![CDATA[" + m.msg +
               "]]></failure>\n\t\t</testcase>\n";
    }
    for (const Message& m : r.warnings) {
      cases += "\t\t<testcase classname=\"conftest\" name=\"" + name(m.msg) +
               "\" time=\"0.000\">\n\t\t\t<failure message=\"Warning\" type=\"\"><![CDATA[" +
               m.msg + "]]></failure>\n\t\t</testcase>\n";
    }
    for (const Message& m : r.exceptions) {
      cases +=
          "\t\t<testcase classname=\"conftest\" name=\"" + name(m.msg) +
          "\" time=\"0.000\">\n\t\t\t<skipped message=\"Exception\"></skipped>\n\t\t</testcase>\n";
    }
    (void)cls;
  }
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n\t<testsuite tests=\"" +
         std::to_string(t.tests) + "\" failures=\"" + std::to_string(t.failures + t.warnings) +
         "\" skipped=\"" + std::to_string(t.exceptions) + "\" time=\"0.000\" name=\"conftest\">\n" +
         cases + "\t</testsuite>\n</testsuites>\n";
}

std::string RenderGithub(const std::vector<CheckResult>& results) {
  std::string out;
  for (const CheckResult& r : results) {
    int total =
        r.successes + static_cast<int>(r.failures.size() + r.warnings.size() + r.exceptions.size());
    out += "::group::Testing '" + r.filename + "' against " + std::to_string(total) +
           " policies in namespace '" + r.namespace_ + "'\n";
    auto line_of = [](const Message& m) { return m.loc_line.empty() ? "" : ",line=" + m.loc_line; };
    for (const Message& m : r.failures) {
      out += "::error file=" + r.filename + line_of(m) + "::" + m.msg + "\n";
    }
    for (const Message& m : r.warnings) {
      out += "::warning file=" + r.filename + line_of(m) + "::" + m.msg + "\n";
    }
    for (const Message& m : r.exceptions)
      out += "exception file=" + r.filename + "::" + m.msg + "\n";
    if (r.successes > 0) {
      out += "success file=" + r.filename + " " + std::to_string(r.successes) + "\n";
    }
    out += "::endgroup::\n";
  }
  return out + SummaryLine(Count(results)) + "\n";
}

std::string RenderSarif(const std::vector<CheckResult>& results) {
  std::string res;
  auto add = [&](const CheckResult& r, const Message& m, const char* level, const char* rule) {
    if (!res.empty()) res += ",";
    std::string region;
    if (!m.loc_line.empty()) region = ",\"region\":{\"startLine\":" + m.loc_line + "}";
    res += "{\"ruleId\":\"" + std::string(rule) + "\",\"level\":\"" + level +
           "\",\"message\":{\"text\":" + JsonString(m.msg) +
           "},\"locations\":[{\"physicalLocation\":{\"artifactLocation\":{\"uri\":" +
           JsonString(r.filename) + "}" + region +
           "}}],\"properties\":{\"namespace\":" + JsonString(r.namespace_) + "}}";
  };
  for (const CheckResult& r : results) {
    for (const Message& m : r.failures) add(r, m, "error", "conftest/failure");
    for (const Message& m : r.warnings) add(r, m, "warning", "conftest/warning");
    for (const Message& m : r.exceptions) add(r, m, "note", "conftest/exception");
  }
  std::string s =
      "{\"$schema\":\"https://json.schemastore.org/sarif-2.1.0.json\",\"version\":\"2.1.0\","
      "\"runs\":[{\"tool\":{\"driver\":{\"name\":\"gatehouse\",\"version\":\"" GATEHOUSE_VERSION
      "\",\"rules\":[{\"id\":\"conftest/failure\",\"shortDescription\":{\"text\":\"Policy "
      "failure (deny/violation)\"}},{\"id\":\"conftest/warning\",\"shortDescription\":{\"text\":"
      "\"Policy warning (warn)\"}},{\"id\":\"conftest/exception\",\"shortDescription\":{\"text\":"
      "\"Policy exception\"}}]}},\"results\":[" +
      res + "]}]}";
  Result<Value> v = rego::ParseJson(s);
  return (v.ok() ? v->ToJsonPretty(2) : s) + "\n";
}

int Run(const TestArgs& a) {
  static const std::set<std::string> kFormats = {"stdout", "text",  "json",   "tap",
                                                 "table",  "junit", "github", "sarif"};
  if (!kFormats.count(a.format)) {
    return Usage("unknown --format '" + a.format +
                 "' (stdout, json, tap, table, junit, github, sarif)");
  }
  if (a.files.empty()) return Usage("policy test: no input files given");
  // 1. Policies.
  std::vector<PolicyFile> policies;
  std::vector<std::string> policy_dirs =
      a.policies.empty() ? std::vector<std::string>{"policy"} : a.policies;
  for (const std::string& dir : policy_dirs) {
    std::vector<std::string> files;
    Status st = CollectFiles(
        dir, [](const fs::path& p) { return p.extension() == ".rego"; }, &files);
    if (!st.ok()) return Fail(st.error());
    for (const std::string& f : files) {
      Result<FileContent> c = ReadFile(f, 0);
      if (!c.ok()) return Fail(c.error());
      std::string text(c->view());
      policies.push_back({f, text, PackageOf(text)});
    }
  }
  if (policies.empty()) {
    return Fail(MakeError(ErrorCode::kNotFound, "no policies found in " + policy_dirs.front()));
  }
  // 2. Inputs (malformed input is exit 2 naming file and position).
  std::vector<Input> inputs;
  if (Status st = LoadInputs(a, &inputs); !st.ok()) return Fail(st.error());

  Checker checker(a, std::move(policies));
  std::vector<std::string> namespaces =
      a.namespaces.empty() ? std::vector<std::string>{"main"} : a.namespaces;
  std::vector<CheckResult> results;

  auto run_one = [&](const std::string& name, DocValue root, bool split) -> Status {
    if (Status st = checker.Prepare(name); !st.ok()) return st;
    std::vector<std::string> nss = a.all_namespaces ? checker.Namespaces() : namespaces;
    for (const std::string& ns : nss) {
      CheckResult r;
      r.filename = name;
      r.namespace_ = ns;
      if (split && root.IsArray()) {
        for (size_t i = 0; i < root.size(); ++i) {
          if (Status st = checker.Check(root[i], ns, &r); !st.ok()) return st;
        }
      } else {
        if (Status st = checker.Check(root, ns, &r); !st.ok()) return st;
      }
      results.push_back(std::move(r));
    }
    return Status::Ok();
  };

  if (a.combine) {
    Document combined("Combined");
    struct Item {
      std::string path;
      DocValue v;
    };
    std::vector<Item> items;
    for (const Input& in : inputs) {
      DocValue root = in.doc.Root();
      if (root.IsArray()) {
        for (size_t i = 0; i < root.size(); ++i) items.push_back({in.path, root[i]});
      } else {
        items.push_back({in.path, root});
      }
    }
    std::stable_sort(items.begin(), items.end(),
                     [](const Item& x, const Item& y) { return x.path < y.path; });
    std::vector<DocValue> arr;
    for (const Item& it : items) {
      std::vector<Document::Member> m;
      m.push_back({"path", {}, combined.AddString(it.path)});
      m.push_back({"contents", {}, it.v ? combined.Import(it.v) : combined.AddNull()});
      arr.push_back(combined.AddObject(std::move(m)));
    }
    combined.SetRoot(combined.AddArray(arr));
    if (Status st = run_one("Combined", combined.Root(), false); !st.ok()) return Fail(st.error());
  } else {
    for (const Input& in : inputs) {
      if (Status st = run_one(in.path, in.doc.Root(), true); !st.ok()) return Fail(st.error());
    }
  }

  // 3. Render.
  bool to_terminal = (a.output.empty() || a.output == "-") && isatty(STDOUT_FILENO);
  bool color = !a.no_color && to_terminal && !std::getenv("NO_COLOR");
  std::string out;
  if (a.format == "stdout" || a.format == "text") out = RenderStdout(results, color);
  if (a.format == "json") out = RenderJson(results);
  if (a.format == "tap") out = RenderTap(results);
  if (a.format == "table") out = RenderTable(results);
  if (a.format == "junit") out = RenderJunit(results);
  if (a.format == "github") out = RenderGithub(results);
  if (a.format == "sarif") out = RenderSarif(results);
  if (a.output.empty() || a.output == "-") {
    std::fwrite(out.data(), 1, out.size(), stdout);
    std::fflush(stdout);
  } else {
    std::ofstream f(a.output, std::ios::binary | std::ios::trunc);
    f << out;
    f.close();
    if (!f) return Fail(MakeError(ErrorCode::kIo, "cannot write output", a.output));
  }

  // 4. Exit code (conftest: 1 on failure; with --fail-on-warn 2 on failure,
  // 1 on warnings).
  if (a.no_fail) return kExitOk;
  Totals t = Count(results);
  if (a.fail_on_warn) {
    if (t.failures > 0) return 2;
    if (t.warnings > 0) return 1;
    return 0;
  }
  return t.failures > 0 ? kExitFindings : kExitOk;
}

}  // namespace

void AddPolicyTestCommand(CLI::App& policy, std::function<int()>* run) {
  auto args = std::make_shared<TestArgs>();
  CLI::App* cmd = policy.add_subcommand(
      "test", "Test configuration files against Rego policies (conftest-compatible)");
  cmd->add_option("files", args->files, "Files or directories to test ('-' = stdin)");
  cmd->add_option("-p,--policy", args->policies, "Policy file or directory (default: policy)")
      ->allow_extra_args(false);
  cmd->add_option("-n,--namespace", args->namespaces, "Namespace(s) to test (default: main)")
      ->allow_extra_args(false);
  cmd->add_flag("--all-namespaces", args->all_namespaces, "Test every package's rules");
  cmd->add_flag("--combine", args->combine, "Evaluate all files together as one input");
  cmd->add_option("-d,--data", args->data, "Data files or directories (JSON/YAML)")
      ->allow_extra_args(false);
  cmd->add_option("--parser", args->parser, "Parser for every input: " + InputFormatList());
  cmd->add_option("--format", args->format,
                  "Output format: stdout, json, tap, table, junit, github, sarif");
  cmd->add_option("-o,--output", args->output, "Write the output to this file");
  cmd->add_flag("--fail-on-warn", args->fail_on_warn,
                "Exit 1 on warnings and 2 on failures (as conftest)");
  cmd->add_flag("--no-fail", args->no_fail, "Always exit 0 when the tests ran");
  cmd->add_flag("--no-color", args->no_color, "Disable colors");
  cmd->add_flag("--v0-compatible", args->v0_compatible, "Accept Rego v0 syntax");
  cmd->add_flag("--strict-builtin-errors", args->strict_builtin_errors,
                "Fail on builtin errors instead of treating them as undefined");
  cmd->callback([args, run] { *run = [args] { return Run(*args); }; });
}

}  // namespace gatehouse::cli
