// `gatehouse policy eval|parse|fmt|verify` (and `policy test`, registered from
// cmd_policy_test.cc): the Rego engine on the command line.
//
// Steps (eval): load -d files (modules, data by directory path) → compile →
// read -i input → evaluate the query → print OPA-shaped JSON.
#include <filesystem>
#include <fstream>
#include <regex>

#include "cli/commands.h"
#include "gatehouse/fs.h"
#include "gatehouse/rego.h"
#include "rego/value.h"

namespace gatehouse::cli {

namespace {

namespace fs = std::filesystem;
using rego::Engine;
using rego::RegoStatus;
using rego::Value;

int PrintStatus(const RegoStatus& st, int code = kExitUsage) {
  std::fprintf(stderr, "%s\n", st.ToString().c_str());
  return code;
}

bool EndsWith(const std::string& s, std::string_view suf) {
  return s.size() >= suf.size() && s.compare(s.size() - suf.size(), suf.size(), suf) == 0;
}

Result<Value> LoadDataFile(const std::string& path) {
  auto text = ReadFileToString(path);
  if (!text.ok()) return text.error();
  if (EndsWith(path, ".json")) return rego::ParseJson(*text, path);
  return rego::ParseYaml(*text, path);
}

// Loads one -d argument (file or directory) into the engine.
int LoadPath(Engine& engine, const std::string& arg) {
  std::error_code ec;
  auto add_file = [&](const fs::path& p, const std::vector<std::string>& prefix) -> int {
    std::string s = p.string();
    if (EndsWith(s, ".rego")) {
      RegoStatus st = engine.AddModuleFile(s);
      if (!st.ok()) return PrintStatus(st);
    } else if (EndsWith(s, ".json") || EndsWith(s, ".yaml") || EndsWith(s, ".yml")) {
      auto v = LoadDataFile(s);
      if (!v.ok()) {
        std::fprintf(stderr, "gatehouse: error: %s\n", v.error().ToString().c_str());
        return kExitUsage;
      }
      RegoStatus st = engine.AddData(*v, prefix);
      if (!st.ok()) {
        std::fprintf(stderr, "gatehouse: error: %s: %s\n", s.c_str(), st.ToString().c_str());
        return kExitUsage;
      }
    }
    return kExitOk;
  };
  if (fs::is_directory(arg, ec)) {
    std::vector<fs::path> files;
    for (auto it = fs::recursive_directory_iterator(arg, ec);
         it != fs::recursive_directory_iterator(); ++it) {
      if (it->is_regular_file()) files.push_back(it->path());
    }
    std::sort(files.begin(), files.end());
    for (const auto& f : files) {
      std::vector<std::string> prefix;
      fs::path rel = fs::relative(f.parent_path(), arg, ec);
      for (const auto& part : rel) {
        if (part != "." && !part.empty()) prefix.push_back(part.string());
      }
      int rc = add_file(f, prefix);
      if (rc) return rc;
    }
    return kExitOk;
  }
  if (!fs::exists(arg, ec)) {
    std::fprintf(stderr, "gatehouse: error: %s: no such file or directory\n", arg.c_str());
    return kExitUsage;
  }
  return add_file(arg, {});
}

struct EvalArgs {
  std::vector<std::string> data;
  std::string input;
  std::string format = "json";
  bool v0 = false;
  bool strict_builtin_errors = false;
  std::string query;
  int64_t timeout_ms = 0;
};

int RunEval(const EvalArgs& a) {
  rego::CompileOptions co;
  co.v0_compatible = a.v0;
  Engine engine(co);
  for (const auto& d : a.data) {
    int rc = LoadPath(engine, d);
    if (rc) return rc;
  }
  RegoStatus st = engine.Compile();
  if (!st.ok()) return PrintStatus(st);
  Value input;
  rego::EvalOptions eo;
  if (!a.input.empty()) {
    auto v = LoadDataFile(a.input);
    if (!v.ok()) {
      std::fprintf(stderr, "gatehouse: error: %s\n", v.error().ToString().c_str());
      return kExitUsage;
    }
    input = *v;
    eo.input = &input;
  }
  eo.strict_builtin_errors = a.strict_builtin_errors;
  eo.timeout_us = a.timeout_ms * 1000;
  rego::PreparedQuery q;
  st = engine.PrepareQuery(a.query, &q);
  if (!st.ok()) return PrintStatus(st);
  rego::QueryResult r = q.Eval(eo);
  if (!r.ok()) {
    std::fprintf(stderr, "%s\n", r.error->ToString().c_str());
    return kExitUsage;
  }
  std::string out = r.ToJson(a.format == "pretty");
  std::printf("%s\n", out.c_str());
  return kExitOk;
}

int RunParse(const std::string& file, bool v0) {
  auto text = ReadFileToString(file);
  if (!text.ok()) {
    std::fprintf(stderr, "gatehouse: error: %s\n", text.error().ToString().c_str());
    return kExitUsage;
  }
  std::string json;
  RegoStatus st = rego::ParseModuleToJson(file, *text, v0, &json);
  if (!st.ok()) return PrintStatus(st);
  std::printf("%s\n", json.c_str());
  return kExitOk;
}

int RunFmt(const std::vector<std::string>& files, bool write, bool v0, bool list) {
  int rc = kExitOk;
  for (const auto& f : files) {
    auto text = ReadFileToString(f);
    if (!text.ok()) {
      std::fprintf(stderr, "gatehouse: error: %s\n", text.error().ToString().c_str());
      return kExitUsage;
    }
    std::string out;
    RegoStatus st = rego::FormatModule(f, *text, v0, &out);
    if (!st.ok()) return PrintStatus(st);
    if (list) {
      if (out != *text) {
        std::printf("%s\n", f.c_str());
        rc = kExitFindings;
      }
    } else if (write) {
      if (out != *text) {
        std::ofstream o(f, std::ios::binary | std::ios::trunc);
        o << out;
        if (!o) {
          std::fprintf(stderr, "gatehouse: error: cannot write %s\n", f.c_str());
          return kExitUsage;
        }
      }
    } else {
      std::fwrite(out.data(), 1, out.size(), stdout);
    }
  }
  return rc;
}

struct VerifyArgs {
  std::vector<std::string> paths;
  std::string run;
  std::string format = "text";
  bool v0 = false;
};

int RunVerify(const VerifyArgs& a) {
  rego::CompileOptions co;
  co.v0_compatible = a.v0;
  Engine engine(co);
  for (const auto& d : a.paths) {
    int rc = LoadPath(engine, d);
    if (rc) return rc;
  }
  RegoStatus st = engine.Compile();
  if (!st.ok()) return PrintStatus(st);
  std::regex run_re;
  if (!a.run.empty()) {
    try {
      run_re = std::regex(a.run);
    } catch (const std::regex_error&) {
      std::fprintf(stderr, "gatehouse: error: invalid --run regex\n");
      return kExitUsage;
    }
  }
  int pass = 0, fail = 0, err = 0;
  std::vector<Value> records;
  std::string text;
  for (const auto& r : engine.Rules()) {
    if (r.name.rfind("test_", 0) != 0 || r.kind == "function") continue;
    std::string full = r.package + "." + r.name;
    if (!a.run.empty() && !std::regex_search(full, run_re)) continue;
    std::optional<rego::RegoError> e;
    rego::EvalOptions eo;
    std::string printed;
    eo.print = [&](std::string_view s) {
      printed += std::string(s);
      printed += '\n';
    };
    auto v = engine.EvalValue(full, eo, &e);
    std::string result;
    if (e) {
      result = "ERROR";
      ++err;
    } else if (v && v->IsBool() && v->AsBool()) {
      result = "PASS";
      ++pass;
    } else if (v && !(v->IsBool() && !v->AsBool())) {
      result = "PASS";
      ++pass;
    } else {
      result = "FAIL";
      ++fail;
    }
    rego::ObjectBuilder b;
    b.Add("package", Value::String(r.package));
    b.Add("name", Value::String(r.name));
    b.Add("file", Value::String(r.file));
    b.Add("row", Value::Int(r.row));
    b.Add("result", Value::String(result == "PASS" ? "pass" : result == "FAIL" ? "fail" : "error"));
    if (e) b.Add("error", Value::String(e->ToString()));
    if (!printed.empty()) b.Add("output", Value::String(printed));
    records.push_back(b.Build());
    text += r.file + ":" + std::to_string(r.row) + ": " + full + ": " + result;
    if (e) text += "\n  " + e->ToString();
    text += "\n";
    if (result != "PASS" && !printed.empty()) text += printed;
  }
  if (a.format == "json") {
    std::printf("%s\n", Value::Array(records).ToJsonPretty(2).c_str());
  } else {
    std::printf("%s", text.c_str());
    std::printf(
        "--------------------------------------------------------------------------------\n");
    std::printf("PASS: %d/%d", pass, pass + fail + err);
    if (fail) std::printf("\nFAIL: %d/%d", fail, pass + fail + err);
    if (err) std::printf("\nERROR: %d/%d", err, pass + fail + err);
    std::printf("\n");
  }
  return (fail || err) ? kExitFindings : kExitOk;
}

}  // namespace

void AddPolicyCommand(CLI::App& app, std::function<int()>* run) {
  CLI::App* policy = app.add_subcommand("policy", "Rego policies: eval, parse, fmt, verify, test");
  policy->require_subcommand(1);

  auto ea = std::make_shared<EvalArgs>();
  CLI::App* eval = policy->add_subcommand("eval", "Evaluate a Rego query (OPA-shaped JSON output)");
  eval->add_option("-d,--data", ea->data,
                   "Rego file, data file (.json/.yaml) or directory (repeatable)");
  eval->add_option("-i,--input", ea->input, "Input document (JSON or YAML)");
  eval->add_option("-f,--format", ea->format, "Output format: json or pretty")
      ->check(CLI::IsMember({"json", "pretty"}));
  eval->add_flag("--v0-compatible", ea->v0, "Accept Rego v0 syntax");
  eval->add_flag("--strict-builtin-errors", ea->strict_builtin_errors,
                 "Builtin errors fail the query");
  eval->add_option("--timeout-ms", ea->timeout_ms,
                   "Evaluation time limit in milliseconds (0 = none)");
  eval->add_option("query", ea->query, "Query, e.g. data.main.allow")->required();
  eval->callback([run, ea] { *run = [ea] { return RunEval(*ea); }; });

  auto parse_file = std::make_shared<std::string>();
  auto parse_v0 = std::make_shared<bool>(false);
  CLI::App* parse = policy->add_subcommand("parse", "Print the AST of a Rego module as JSON");
  parse->add_option("file", *parse_file, "Rego file")->required();
  parse->add_flag("--v0-compatible", *parse_v0, "Accept Rego v0 syntax");
  parse->callback([run, parse_file, parse_v0] {
    *run = [parse_file, parse_v0] { return RunParse(*parse_file, *parse_v0); };
  });

  struct FmtArgs {
    std::vector<std::string> files;
    bool write = false;
    bool list = false;
    bool v0 = false;
  };
  auto fa = std::make_shared<FmtArgs>();
  CLI::App* fmt = policy->add_subcommand("fmt", "Format Rego files canonically (Rego v1 syntax)");
  fmt->add_option("files", fa->files, "Rego files")->required();
  fmt->add_flag("-w,--write", fa->write, "Rewrite the files in place");
  fmt->add_flag("-l,--list", fa->list, "List files whose formatting differs (exit 1 if any)");
  fmt->add_flag("--v0-compatible", fa->v0, "Accept Rego v0 syntax");
  fmt->callback(
      [run, fa] { *run = [fa] { return RunFmt(fa->files, fa->write, fa->v0, fa->list); }; });

  auto va = std::make_shared<VerifyArgs>();
  CLI::App* verify =
      policy->add_subcommand("verify", "Run test_* rules (like opa test / conftest verify)");
  verify->add_option("-p,--policy", va->paths, "Policy directory or file (repeatable)")->required();
  verify->add_option("--run", va->run, "Only run tests whose data.<pkg>.<name> matches this regex");
  verify->add_option("-f,--format", va->format, "Output: text or json")
      ->check(CLI::IsMember({"text", "json"}));
  verify->add_flag("--v0-compatible", va->v0, "Accept Rego v0 syntax");
  verify->callback([run, va] { *run = [va] { return RunVerify(*va); }; });

  AddPolicyTestCommand(*policy, run);
}

}  // namespace gatehouse::cli
