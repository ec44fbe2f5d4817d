#include "gatehouse/document.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

namespace gatehouse {
namespace {

TEST(FormatsJson, ValuesAndPositions) {
  auto r = ParseJsonDocument("{\n  \"a\": [1, 2.5, \"x\"],\n  \"b\": {\"c\": true, \"d\": null}\n}",
                             "f.json");
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  DocValue root = r->Root();
  ASSERT_TRUE(root.IsObject());
  EXPECT_EQ(root.size(), 2u);
  EXPECT_EQ(root.KeyAt(0), "a");
  EXPECT_EQ(root.KeyPosAt(0).line, 2u);
  EXPECT_EQ(root.KeyPosAt(0).column, 3u);
  DocValue a = root["a"];
  ASSERT_TRUE(a.IsArray());
  EXPECT_EQ(a.line(), 2);
  EXPECT_EQ(a.column(), 8);
  EXPECT_EQ(a[0].AsInt(), 1);
  EXPECT_TRUE(a[0].IsInt());
  EXPECT_DOUBLE_EQ(a[1].AsDouble(), 2.5);
  EXPECT_EQ(a[1].kind(), DocKind::kDouble);
  EXPECT_EQ(a[2].AsString(), "x");
  EXPECT_FALSE(a[3].IsDefined());
  EXPECT_TRUE(root.Path({"b", "c"}).AsBool());
  EXPECT_TRUE(root.Path({"b", "d"}).IsNull());
  EXPECT_TRUE(root.Path({"b", "d"}).IsDefined());
  EXPECT_FALSE(root.Path({"b", "zz", "y"}).IsDefined());
  EXPECT_EQ(root.Path({"b", "c"}).line(), 3);
  EXPECT_EQ(r->path(), "f.json");
}

TEST(FormatsJson, EscapesNumbersAndRoundTrip) {
  auto r = ParseJsonDocument(
      R"({"s":"a\"b\\c\n\u00e9\ud83d\ude00","big":12345678901234567890,"neg":-3,"e":1e3})");
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  DocValue root = r->Root();
  EXPECT_EQ(root["s"].AsString(), "a\"b\\c\n\xc3\xa9\xf0\x9f\x98\x80");
  EXPECT_EQ(root["big"].kind(), DocKind::kDouble);
  EXPECT_EQ(root["big"].ScalarText(), "12345678901234567890");
  EXPECT_EQ(root["neg"].AsInt(), -3);
  EXPECT_EQ(root["e"].kind(), DocKind::kDouble);
  EXPECT_EQ(root.ToJson(),
            "{\"s\":\"a\\\"b\\\\c\\n\xc3\xa9\xf0\x9f\x98\x80\",\"big\":12345678901234567168,"
            "\"neg\":-3,\"e\":1000}");
}

TEST(FormatsJson, DuplicateKeysLastWins) {
  auto r = ParseJsonDocument(R"({"a":1,"b":2,"a":3})");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->Root().size(), 3u);
  EXPECT_EQ(r->Root()["a"].AsInt(), 3);
  EXPECT_EQ(r->Root().ToJson(), "{\"a\":3,\"b\":2}");
}

struct BadJson {
  const char* text;
  int line, column;
  const char* message;
};

TEST(FormatsJson, ErrorsSayWhatAndWhere) {
  const BadJson cases[] = {
      {"", 1, 1, "expected a JSON value, found end of input"},
      {"{\n  \"a\": 1,\n}", 3, 1, "expected a string key in object, found '}'"},
      {"[1 2]", 1, 4, "expected ',' or ']' in array, found '2'"},
      {"{\"a\" 1}", 1, 6, "expected ':' after object key, found '1'"},
      {"\"abc", 1, 5, "unterminated string"},
      {"tru", 1, 1, "expected a JSON value, found 't'"},
      {"[1.]", 1, 4, "expected a digit after '.' in number"},
      {"{} x", 1, 4, "expected end of input after the JSON value"},
      {"\"a\\qb\"", 1, 4, "invalid escape '\\q' in string"},
  };
  for (const BadJson& c : cases) {
    auto r = ParseJsonDocument(c.text, "bad.json");
    ASSERT_FALSE(r.ok()) << c.text;
    EXPECT_EQ(r.error().code, ErrorCode::kParse);
    EXPECT_EQ(r.error().path, "bad.json");
    EXPECT_EQ(r.error().line, c.line) << c.text;
    EXPECT_EQ(r.error().column, c.column) << c.text;
    EXPECT_EQ(r.error().message, c.message) << c.text;
  }
}

TEST(FormatsJson, DeepNestingIsAnErrorNotACrash) {
  std::string deep(100000, '[');
  auto r = ParseJsonDocument(deep);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("nests deeper"), std::string::npos);
}

TEST(FormatsYaml, MultiDocumentStreamKeepsFileLines) {
  const char* text =
      "# leading comment\n"
      "apiVersion: v1\n"
      "kind: Namespace\n"
      "---\n"
      "---\n"
      "# only a comment\n"
      "---\n"
      "apiVersion: apps/v1\n"
      "kind: Deployment\n"
      "spec:\n"
      "  replicas: 3\n"
      "  template:\n"
      "    spec:\n"
      "      containers:\n"
      "        - name: app\n"
      "          image: nginx\n"
      "...\n"
      "ignored: after end marker\n"
      "--- {kind: Service}\n";
  YamlStream s = ParseYamlStream(text, "m.yaml");
  ASSERT_TRUE(s.errors.empty()) << s.errors[0].ToString();
  ASSERT_EQ(s.documents.size(), 3u);
  EXPECT_EQ(s.documents[0].Root()["kind"].AsString(), "Namespace");
  EXPECT_EQ(s.documents[0].Root()["kind"].line(), 3);
  const Document& d = s.documents[1];
  EXPECT_EQ(d.path(), "m.yaml");
  EXPECT_EQ(d.Root()["kind"].line(), 9);
  EXPECT_EQ(d.Root().Path({"spec", "replicas"}).AsInt(), 3);
  DocValue c = d.Root().Path({"spec", "template", "spec", "containers"})[0];
  EXPECT_EQ(c["image"].AsString(), "nginx");
  EXPECT_EQ(c["image"].line(), 16);
  EXPECT_EQ(c["image"].column(), 18);
  EXPECT_EQ(c.line(), 15);
  EXPECT_EQ(s.documents[2].Root()["kind"].AsString(), "Service");
  EXPECT_EQ(s.documents[2].Root()["kind"].line(), 19);
  EXPECT_GT(s.documents[2].index_in_file(), s.documents[1].index_in_file());
}

TEST(FormatsYaml, CoreSchemaResolution) {
  YamlStream s = ParseYamlStream(
      "a: true\nb: \"true\"\nc: 42\nd: '42'\ne: 0x1F\nf: 0o17\ng: 1.5e3\nh: .inf\ni: ~\nj:\n"
      "k: yes\nl: 1.2.3\nm: -7\nn: .5\no: |\n  block\np: 99999999999999999999\n");
  ASSERT_TRUE(s.errors.empty());
  ASSERT_EQ(s.documents.size(), 1u);
  DocValue r = s.documents[0].Root();
  EXPECT_TRUE(r["a"].IsBool());
  EXPECT_TRUE(r["b"].IsString());
  EXPECT_TRUE(r["b"].Quoted());
  EXPECT_EQ(r["c"].AsInt(), 42);
  EXPECT_TRUE(r["d"].IsString());
  EXPECT_EQ(r["e"].AsInt(), 31);
  EXPECT_EQ(r["e"].ScalarText(), "0x1F");
  EXPECT_EQ(r["f"].AsInt(), 15);
  EXPECT_DOUBLE_EQ(r["g"].AsDouble(), 1500);
  EXPECT_TRUE(std::isinf(r["h"].AsDouble()));
  EXPECT_TRUE(r["i"].IsNull());
  EXPECT_TRUE(r["j"].IsNull());
  EXPECT_TRUE(r["j"].IsDefined());
  EXPECT_TRUE(r["k"].IsString());  // YAML 1.2: yes is a string
  EXPECT_FALSE(r["k"].Quoted());
  EXPECT_TRUE(r["l"].IsString());
  EXPECT_EQ(r["m"].AsInt(), -7);
  EXPECT_DOUBLE_EQ(r["n"].AsDouble(), 0.5);
  EXPECT_EQ(r["o"].AsString(), "block\n");
  EXPECT_EQ(r["p"].kind(), DocKind::kDouble);
}

TEST(FormatsYaml, AnchorsAliasesAndMergeKeys) {
  YamlStream s =
      ParseYamlStream("base: &b\n  cpu: 1\n  mem: 2\nx:\n  <<: *b\n  mem: 4\nlist: [*b, *b]\n");
  ASSERT_TRUE(s.errors.empty()) << s.errors[0].ToString();
  DocValue r = s.documents[0].Root();
  EXPECT_EQ(r.Path({"x", "cpu"}).AsInt(), 1);
  EXPECT_EQ(r.Path({"x", "mem"}).AsInt(), 4);
  EXPECT_FALSE(r.Path({"x", "<<"}).IsDefined());
  EXPECT_EQ(r["list"].size(), 2u);
  EXPECT_EQ(r["list"][1]["mem"].AsInt(), 2);
}

TEST(FormatsYaml, BadDocumentIsReportedAndOthersSurvive) {
  YamlStream s = ParseYamlStream("a: 1\n---\nb: [1, 2\nc: 3\n---\nd: 4\n", "x.yaml");
  ASSERT_EQ(s.documents.size(), 2u);
  EXPECT_EQ(s.documents[0].Root()["a"].AsInt(), 1);
  EXPECT_EQ(s.documents[1].Root()["d"].AsInt(), 4);
  EXPECT_EQ(s.documents[1].Root()["d"].line(), 6);
  ASSERT_EQ(s.errors.size(), 1u);
  EXPECT_EQ(s.errors[0].path, "x.yaml");
  EXPECT_GE(s.errors[0].line, 3);
  EXPECT_LE(s.errors[0].line, 5);
  EXPECT_FALSE(s.errors[0].message.empty());
}

TEST(FormatsYaml, AliasBombIsBounded) {
  std::string text = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
  char prev = 'a';
  for (char c = 'b'; c <= 'k'; ++c) {
    text += std::string(1, c) + ": &" + c + " [";
    for (int i = 0; i < 10; ++i) text += std::string(i ? ", *" : "*") + prev;
    text += "]\n";
    prev = c;
  }
  YamlStream s = ParseYamlStream(text);
  EXPECT_TRUE(s.documents.empty());
  ASSERT_EQ(s.errors.size(), 1u);
}

TEST(FormatsYaml, EmptyAndCommentOnlyStreams) {
  EXPECT_TRUE(ParseYamlStream("").documents.empty());
  EXPECT_TRUE(ParseYamlStream("# nothing\n---\n# more\n").documents.empty());
  EXPECT_TRUE(ParseYamlStream("").errors.empty());
}

TEST(FormatsToml, TablesArraysAndPositions) {
  auto r = ParseTomlDocument(
      "title = \"x\"\n[server]\nport = 8080\nhosts = [\"a\", \"b\"]\nratio = 0.5\n"
      "on = true\nwhen = 1979-05-27T07:32:00Z\n",
      "c.toml");
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  DocValue root = r->Root();
  EXPECT_EQ(root["title"].AsString(), "x");
  EXPECT_EQ(root.Path({"server", "port"}).AsInt(), 8080);
  EXPECT_EQ(root.Path({"server", "port"}).line(), 3);
  EXPECT_EQ(root.Path({"server", "hosts"})[1].AsString(), "b");
  EXPECT_TRUE(root.Path({"server", "on"}).AsBool());
  EXPECT_EQ(root.Path({"server", "when"}).AsString().substr(0, 10), "1979-05-27");
  auto bad = ParseTomlDocument("a = 1\nb = = 2\n", "bad.toml");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().line, 2);
  EXPECT_EQ(bad.error().path, "bad.toml");
}

TEST(FormatsDocument, BuildImportAndMoveKeepHandles) {
  Document a("a");
  DocValue s = a.AddString("v", {1, 2});
  DocValue obj = a.AddObject({{"k", {1, 1}, s}, {"n", {2, 1}, a.AddInt(5)}});
  a.SetRoot(obj);
  Document b = std::move(a);
  EXPECT_EQ(obj["k"].AsString(), "v");  // handle survives the move
  EXPECT_TRUE(obj.BelongsTo(b));
  Document c("c");
  DocValue copy = c.Import(b.Root());
  c.SetRoot(copy);
  EXPECT_EQ(c.Root().ToJson(), "{\"k\":\"v\",\"n\":5}");
  EXPECT_EQ(c.Root()["k"].line(), 1);
  EXPECT_EQ(c.Root()["k"].column(), 2);
  EXPECT_EQ(DocKindName(DocKind::kInt), "number");
}

}  // namespace
}  // namespace gatehouse
