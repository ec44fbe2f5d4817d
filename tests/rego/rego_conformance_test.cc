// Table-driven Rego conformance runner over tests/data/rego/**/*.yaml.
//
// Each file has `cases:`, shaped like OPA's own test suite
// (test/cases/testdata): note, query, modules (list of Rego sources), data,
// input, want_result (list of binding objects; [] = undefined), want_error
// (substring), want_error_code, strict_error (evaluate with strict builtin
// errors), sort_bindings, v0_compatible. Every case is one gtest parameter.
#include <gtest/gtest.h>

#include <filesystem>

#include "gatehouse/document.h"
#include "gatehouse/fs.h"
#include "gatehouse/rego.h"
#include "rego/value.h"

namespace gatehouse::rego {
namespace {

struct Case {
  std::string file;
  std::string note;
  Value spec;
};

std::vector<Case> LoadCases() {
  std::vector<Case> out;
  std::filesystem::path root = std::filesystem::path(GH_SOURCE_DIR) / "tests/data/rego";
  std::vector<std::filesystem::path> files;
  for (auto& e : std::filesystem::recursive_directory_iterator(root)) {
    if (e.is_regular_file() && e.path().extension() == ".yaml") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    auto text = ReadFileToString(f.string());
    if (!text.ok()) continue;
    auto v = ParseYaml(*text, f.string());
    if (!v.ok()) {
      Case c;
      c.file = f.string();
      c.note = "YAML_ERROR: " + v.error().ToString();
      out.push_back(c);
      continue;
    }
    const Value* cases = v->Find("cases");
    if (!cases) continue;
    for (const Value& cv : cases->Items()) {
      Case c;
      c.file = std::filesystem::relative(f, root).string();
      const Value* note = cv.Find("note");
      c.note = note ? std::string(note->AsString()) : "?";
      c.spec = cv;
      out.push_back(c);
    }
  }
  return out;
}

class RegoConformance : public ::testing::TestWithParam<Case> {};

std::string Name(const ::testing::TestParamInfo<Case>& info) {
  std::string s = info.param.file + "_" + info.param.note + "_" + std::to_string(info.index);
  for (char& c : s) {
    if (!isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return s;
}

TEST_P(RegoConformance, Case) {
  const Case& c = GetParam();
  ASSERT_EQ(c.note.rfind("YAML_ERROR", 0), std::string::npos) << c.note;
  const Value& s = c.spec;
  auto get = [&](const char* k) { return s.Find(k); };
  CompileOptions co;
  if (const Value* v = get("v0_compatible")) co.v0_compatible = v->AsBool();
  Engine engine(co);
  std::string want_error = get("want_error") ? std::string(get("want_error")->AsString()) : "";
  std::string want_code =
      get("want_error_code") ? std::string(get("want_error_code")->AsString()) : "";
  bool expect_error = !want_error.empty() || !want_code.empty();
  auto check_error = [&](const std::string& code, const std::string& text) {
    EXPECT_TRUE(expect_error) << c.file << ": " << c.note << ": unexpected error: " << text;
    if (!want_code.empty()) {
      EXPECT_EQ(code, want_code) << c.file << ": " << c.note << ": " << text;
    }
    if (!want_error.empty()) {
      EXPECT_NE(text.find(want_error), std::string::npos) << c.note << ": got " << text;
    }
  };
  RegoStatus st;
  if (const Value* mods = get("modules")) {
    int i = 0;
    for (const Value& m : mods->Items()) {
      RegoStatus ms =
          engine.AddModule("mod" + std::to_string(i++) + ".rego", std::string(m.AsString()));
      st.errors.insert(st.errors.end(), ms.errors.begin(), ms.errors.end());
    }
  }
  if (const Value* d = get("data")) {
    RegoStatus ds = engine.AddData(*d);
    st.errors.insert(st.errors.end(), ds.errors.begin(), ds.errors.end());
  }
  if (st.ok()) st = engine.Compile();
  if (!st.ok()) {
    check_error(st.errors[0].code, st.ToString());
    return;
  }
  PreparedQuery q;
  const Value* query = get("query");
  ASSERT_NE(query, nullptr) << c.note;
  st = engine.PrepareQuery(query->AsString(), &q);
  if (!st.ok()) {
    check_error(st.errors[0].code, st.ToString());
    return;
  }
  EvalOptions eo;
  Value input;
  if (const Value* in = get("input")) {
    input = *in;
    eo.input = &input;
  }
  if (const Value* se = get("strict_error")) eo.strict_builtin_errors = se->AsBool();
  eo.now_ns = 1700000000000000000;
  eo.timeout_us = 5'000'000;
  eo.print = [](std::string_view) {};
  QueryResult r = q.Eval(eo);
  if (!r.ok()) {
    check_error(r.error->code, r.error->ToString());
    return;
  }
  ASSERT_FALSE(expect_error) << c.file << ": " << c.note << ": expected error " << want_code << " "
                             << want_error;
  const Value* want = get("want_result");
  if (!want) return;
  std::vector<Value> got;
  for (const auto& row : r.rows) {
    ObjectBuilder b;
    for (const auto& [n, v] : row.bindings) b.Add(n, *v);
    got.push_back(b.Build());
  }
  std::vector<Value> wanted(want->Items().begin(), want->Items().end());
  bool sort = get("sort_bindings") && get("sort_bindings")->AsBool();
  if (sort) {
    std::sort(got.begin(), got.end(), ValueLess());
    std::sort(wanted.begin(), wanted.end(), ValueLess());
  }
  EXPECT_EQ(Value::Array(got).ToJson(), Value::Array(wanted).ToJson()) << c.file << ": " << c.note;
}

INSTANTIATE_TEST_SUITE_P(Rego, RegoConformance, ::testing::ValuesIn(LoadCases()), Name);

}  // namespace
}  // namespace gatehouse::rego
