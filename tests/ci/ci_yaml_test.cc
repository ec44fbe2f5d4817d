// The fast YAML parser against yaml-cpp: wherever the fast parser answers,
// the trees (kinds, tags, scalars, positions) must be identical; where it
// does not, ParseYaml falls back to yaml-cpp.
#include <gtest/gtest.h>

#include <filesystem>

#include "ci/ci_test_util.h"
#include "ci/yaml.h"

namespace gatehouse::ci {
namespace {

// Returns true when the fast parser answered (and then compared equal).
bool SameAsYamlCpp(std::string_view text) {
  Doc doc;
  FastResult fr = ParseYamlFast(text, &doc);
  if (fr != FastResult::kOk) return false;
  YamlParse ref = ParseYamlWithYamlCpp(text);
  EXPECT_TRUE(ref.doc) << "fast parser accepted what yaml-cpp rejects (" << ref.error << "):\n"
                       << text;
  if (!ref.doc) return true;
  EXPECT_EQ(DebugString(doc.Root()), DebugString(ref.root)) << text;
  return true;
}

TEST(CiYamlTest, AgreesWithYamlCppOnEdgeCases) {
  const char* cases[] = {
      "a: 1\nb: two\n",
      "a:\n- 1\n- 2\nb: 3\n",
      "a:\n  - b: 1\n    c: 2\n  - d\n",
      "- a\n-\n- - b\n  - c\n",
      "- a: 1\n  b: 2\n- c: 3\n",
      "k: v # comment\n# full line\n\n",
      "'q k': 1\n\"d k\": 2\n",
      "a: [a, b\n  , c]\n",
      "a: {x: 1, y, z: }\n",
      "a: {b: c, d: [1, {e: f}]}\n",
      "a: |\n  x\n  y\n",
      "a: |\n  x\n",
      "a: |\n  x",
      "a: |+\n  x\n\n",
      "a: |-\n  x\n\n",
      "a: >\n  x\n  y\n\n  z\n",
      "a: >-\n  x\n\n\n  y\n",
      "a: |\n  x\n   \n",
      "a: |\n  x\n # c\nb: 1\n",
      "a:\n  |\n   t\n",
      "a: b\n  c\n\n  d\n",
      "a: \"x\n  y\\\n  z\"\n",
      "a: 'x\n\n  y'\n",
      "a: 'it''s'\n",
      "a: \"\\u00e9\\x41\\t\\\\\\\"\"\n",
      "a:   \n  b: 1\n",
      "a:\n\n\n  b: 1\n",
      "a:\n  b:\n  c: 1\n",
      "key with space: v\n",
      "a: x:y\nb: x :y\nc: http://x.y/z\n",
      "---\na: 1\n",
      "--- # c\na: 1\n...\n",
      "a: ~\nb: null\nc:\nd: ''\ne: \"\"\nf: NULL\n",
      "on: push\ntrue: false\n",
      "x\n",
      "",
      "# only a comment\n",
      "a: -1\nb: -x\nc: - \n",
      "a: \"x\"  # c\n",
      "a: |  # c\n  x\n",
      "a: [\"x\", 'y', 'z''s', 1.5]\n",
      "jobs:\n  build:\n    runs-on: ${{ matrix.os }}\n    steps:\n      - run: echo \"${{ a "
      "}}\"\n",
      "a: b #c\n  d\n",
      "a: b: c\n",
      "a: x\n - y\n",
      "a: |\n   \n  x\n",
      "a:\n  b: 1\n c: 2\n",
      "a: [1, 2\n",
      "a: 'unterminated\n",
      "\tb: 1\n",
      "a: &x 1\nb: *x\n",
      "? a\n: b\n",
      "a: !tag x\n",
      "a: |2\n   x\n",
      "a: >\n  x\n    y\n  z\n",
      "a: [x: y]\n",
      "a: 1\n---\nb: 2\n",
      "a: b\r\nc: d\r\n",
      // Found by fuzz/ci_yaml_fuzz.cc: keys and values starting with an indicator.
      "a:\n  b: c\n,  d: e\nf: g\n",
      ",x: 1\n",
      "a: 1\n,: 2\n",
      "a: ]x\n",
      "a: [:x]\n",
      "\xff\xfe"
      "a: b\n",
      "a: \xe9"
      "t\xe9\n",
      "a: caf\xc3\xa9 \xe2\x9c\x93\n",
      "a: {   x;\n     }\n",
      "a: {x\n}\n",
      "a: {x: 1\n}\n",
      "a: {s:\n  }\n",
      "a: [x\n]\n",
      " |\nA        \n       \n#   \n",
      "- a: |\n    x\n  b: 1\n",
      "a:\n  - |\n    x\n  - >\n     y\n",
      "a: [ma ?nin]\n",
      "a: {k: x?y}\n",
      "a: x?y\n",
  };
  int fast = 0;
  for (const char* c : cases) fast += SameAsYamlCpp(c);
  EXPECT_GE(fast, 40);  // most of the common shapes take the fast path
}

TEST(CiYamlTest, AgreesWithYamlCppOnEveryFixture) {
  int files = 0, fast = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(
           gatehouse::testing::SourceDir() + "/tests/data/ci")) {
    if (!e.is_regular_file() || e.path().extension() != ".yml") continue;
    std::string text = gatehouse::testing::ReadAll(e.path().string());
    ++files;
    fast += SameAsYamlCpp(text);
  }
  EXPECT_GT(files, 90);
  EXPECT_GE(fast, files * 9 / 10);
}

TEST(CiYamlTest, FallsBackAndReportsYamlCppErrors) {
  YamlParse a = ParseYaml("a: &x 1\nb: *x\n");  // aliases: yaml-cpp's job
  ASSERT_TRUE(a.doc);
  EXPECT_FALSE(a.fast);
  YamlParse bad = ParseYaml("a: b\n\tc: d\n");
  EXPECT_FALSE(bad.doc);
  EXPECT_EQ(bad.error_mark.line, 1);
  EXPECT_NE(bad.error.find("tab"), std::string::npos);
  YamlParse ok = ParseYaml("a: b\n");
  EXPECT_TRUE(ok.fast);
}

TEST(CiYamlTest, DeepNestingIsAnErrorNotACrash) {
  std::string deep(100000, '[');
  YamlParse r = ParseYaml(deep);
  EXPECT_FALSE(r.doc);
  EXPECT_NE(r.error.find("nests deeper"), std::string::npos);
  std::string dashes;
  for (int i = 0; i < 5000; ++i) dashes += "- ";
  EXPECT_FALSE(ParseYaml(dashes + "x\n").doc);
  std::string indent;
  for (int i = 0; i < 400; ++i) indent += std::string(static_cast<size_t>(i), ' ') + "k:\n";
  EXPECT_FALSE(ParseYaml(indent).doc);
  // Billion laughs through aliases stays bounded.
  std::string laughs = "a: &a [x, x, x, x, x, x, x, x, x]\n";
  for (char c = 'b'; c <= 'j'; ++c)
    laughs += std::string(1, c) + ": &" + c + " [*" + static_cast<char>(c - 1) + ", *" +
              static_cast<char>(c - 1) + ", *" + static_cast<char>(c - 1) + ", *" +
              static_cast<char>(c - 1) + ", *" + static_cast<char>(c - 1) + ", *" +
              static_cast<char>(c - 1) + "]\n";
  YamlParse l = ParseYaml(laughs);
  EXPECT_FALSE(l.doc);
}

TEST(CiYamlTest, SyntheticNodes) {
  Doc doc;
  Node k = doc.NewScalar("key");
  Node v = doc.NewScalar("'quoted'", false);
  Node m = doc.NewMap({{k, v}});
  ASSERT_TRUE(m.IsMap());
  EXPECT_EQ(m.size(), 1u);
  for (const auto& e : m) {
    EXPECT_EQ(e.first.Scalar(), "key");
    EXPECT_EQ(e.second.Tag(), "!");
    EXPECT_EQ(e.second.Mark().line, -1);
  }
  Node none;
  EXPECT_FALSE(none.IsDefined());
  EXPECT_TRUE(none.IsNull());
  EXPECT_EQ(none.size(), 0u);
  EXPECT_EQ(none.begin(), none.end());
}

}  // namespace
}  // namespace gatehouse::ci
