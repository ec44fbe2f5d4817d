// HCL2 parser conformance (tests/data/hcl/: *.hcl with the expected AST dump
// in *.ast, or the expected errors "line:col: text" in *.err), evaluator,
// JSON syntax and Document lowering.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "gatehouse/hcl.h"

namespace gatehouse::hcl {
namespace {

namespace fs = std::filesystem;

std::string Slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

fs::path DataDir() { return fs::path(GH_SOURCE_DIR) / "tests/data/hcl"; }

TEST(HclConformance, Fixtures) {
  bool update = std::getenv("GH_UPDATE_HCL_FIXTURES") != nullptr;
  int cases = 0;
  for (const auto& ent : fs::directory_iterator(DataDir())) {
    if (ent.path().extension() != ".hcl") continue;
    ++cases;
    std::string name = ent.path().stem().string();
    SCOPED_TRACE(name);
    auto f = Parse(Slurp(ent.path()), name + ".hcl");
    fs::path ast = ent.path();
    ast.replace_extension(".ast");
    fs::path err = ent.path();
    err.replace_extension(".err");
    if (fs::exists(err)) {
      std::istringstream want(Slurp(err));
      std::string line;
      size_t i = 0;
      while (std::getline(want, line)) {
        if (line.empty()) continue;
        ASSERT_LT(i, f->errors.size()) << "missing error: " << line;
        const Error& e = f->errors[i++];
        std::string pos = std::to_string(e.line) + ":" + std::to_string(e.column) + ": ";
        std::string text = line.substr(line.find(": ") + 2);
        EXPECT_EQ(pos, line.substr(0, line.find(": ") + 2)) << e.message;
        EXPECT_NE(e.message.find(text), std::string::npos) << e.message << " vs " << text;
        EXPECT_EQ(e.path, name + ".hcl");
      }
      EXPECT_EQ(i, f->errors.size())
          << "unexpected extra error: " << (i < f->errors.size() ? f->errors[i].message : "");
      continue;
    }
    EXPECT_TRUE(f->errors.empty()) << f->errors[0].ToString();
    std::string got = DumpBody(*f);
    if (update) {
      std::ofstream(ast, std::ios::binary) << got;
      continue;
    }
    ASSERT_TRUE(fs::exists(ast)) << "no " << ast;
    EXPECT_EQ(got, Slurp(ast));
  }
  EXPECT_GE(cases, 20);
}

// Every fixture also parses when recovering from errors after each byte is
// cut: no crash and errors always carry a position.
TEST(HclConformance, TruncatedFixturesReportPositions) {
  for (const auto& ent : fs::directory_iterator(DataDir())) {
    if (ent.path().extension() != ".hcl") continue;
    std::string src = Slurp(ent.path());
    for (size_t n = 0; n < src.size(); n += 3) {
      auto f = Parse(src.substr(0, n), "t.hcl");
      for (const Error& e : f->errors) {
        EXPECT_GT(e.line, 0);
        EXPECT_GT(e.column, 0);
      }
    }
  }
}

TEST(HclParser, DeepNestingIsAnErrorNotACrash) {
  for (const char* open : {"[", "(", "{a=", "!", "-", "\"${"}) {
    std::string s = "a = ";
    for (int i = 0; i < 100000; ++i) s += open;
    auto f = Parse(s, "deep.hcl");
    ASSERT_FALSE(f->errors.empty()) << open;
  }
  std::string blocks;
  for (int i = 0; i < 5000; ++i) blocks += "b {\n";
  auto f = Parse(blocks, "blocks.hcl");
  ASSERT_FALSE(f->errors.empty());
  EXPECT_NE(f->errors[0].message.find("too deeply"), std::string::npos);
}

TEST(HclParser, PositionsOfAttributesAndBlocks) {
  auto f = Parse("a = 1\n\nresource \"t\" \"n\" {\n  x = \"y\"\n}\n", "p.tf");
  ASSERT_TRUE(f->errors.empty());
  ASSERT_EQ(f->body.attributes.size(), 1u);
  EXPECT_EQ(f->body.attributes[0].name_range.start.line, 1u);
  ASSERT_EQ(f->body.blocks.size(), 1u);
  const Block* b = f->body.blocks[0];
  EXPECT_EQ(b->type_range.start.line, 3u);
  EXPECT_EQ(b->label_ranges[1].start.column, 14u);
  EXPECT_EQ(b->range.end.line, 5u);
  const Attribute* x = b->body.Attr("x");
  ASSERT_NE(x, nullptr);
  EXPECT_EQ(x->name_range.start.column, 3u);
  EXPECT_EQ(f->Text(x->expr->range), "\"y\"");
}

TEST(HclParser, RecoveryKeepsLaterBlocks) {
  auto f = Parse("a {\n  x = [1,\n}\nb {\n  y = 2\n}\n", "r.tf");
  EXPECT_EQ(f->errors.size(), 1u);
  ASSERT_EQ(f->body.blocks.size(), 2u);
  EXPECT_EQ(f->body.blocks[1]->type, "b");
  EXPECT_NE(f->body.blocks[1]->body.Attr("y"), nullptr);
}

Value Eval(std::string_view expr, const EvalContext& ctx = {}) {
  auto f = ParseExpression(expr, "e.hcl");
  EXPECT_TRUE(f->errors.empty()) << expr << ": " << (f->errors.empty() ? "" : f->errors[0].message);
  if (f->body.attributes.empty()) return Value::Unknown();
  return Evaluate(f->body.attributes[0].expr, ctx);
}

struct EvalCase {
  const char* expr;
  const char* want;  // Value::Debug()
};

TEST(HclEval, Table) {
  EvalContext ctx;
  ctx.variables["var"] =
      Value::Object({{"name", Value::String("db")},
                     {"n", Value::Number(3)},
                     {"xs", Value::Tuple({Value::String("a"), Value::String("b")})},
                     {"m", Value::Object({{"k", Value::String("v")}})}});
  const EvalCase cases[] = {
      {"1 + 2 * 3", "7"},
      {"(1 + 2) * 3", "9"},
      {"7 % 4 - -1", "4"},
      {"1.5e3", "1500"},
      {"\"a\" == \"a\" && !false", "true"},
      {"var.n > 2 ? \"big\" : \"small\"", "\"big\""},
      {"\"${var.name}-${var.n}\"", "\"db-3\""},
      {"\"%{ if var.n > 1 }many%{ else }one%{ endif }\"", "\"many\""},
      {"\"%{ for x in var.xs }[${x}]%{ endfor }\"", "\"[a][b]\""},
      {"[for i, x in var.xs : \"${i}${x}\" if x != \"a\"]", "[\"1b\"]"},
      {"{for x in var.xs : x => upper(x)}", "{\"a\":\"A\",\"b\":\"B\"}"},
      {"{for x in [\"a\",\"b\",\"a\"] : x => 1...}", "{\"a\":[1,1],\"b\":[1]}"},
      {"var.xs[1]", "\"b\""},
      {"var.m[\"k\"]", "\"v\""},
      {"[{a = 1}, {a = 2}][*].a", "[1,2]"},
      {"[{a = 1}, {a = 2}].*.a", "[1,2]"},
      {"jsonencode({b = [1, \"x\"], a = true})", "\"{\\\"a\\\":true,\\\"b\\\":[1,\\\"x\\\"]}\""},
      {"jsondecode(\"{\\\"k\\\": [1, 2]}\").k[1]", "2"},
      {"merge({a = 1}, {b = 2}, {a = 3})", "{\"a\":3,\"b\":2}"},
      {"concat([1], [2, 3])", "[1,2,3]"},
      {"lookup(var.m, \"nope\", \"dflt\")", "\"dflt\""},
      {"format(\"%s-%d-%q\", \"a\", 4.7, \"b\")", "\"a-4-\\\"b\\\"\""},
      {"lower(\"ABC\")", "\"abc\""},
      {"tostring(12)", "\"12\""},
      {"try(var.m.missing, \"fallback\")", "\"fallback\""},
      {"coalesce(\"\", null, \"x\")", "\"x\""},
      {"join(\",\", var.xs)", "\"a,b\""},
      {"length(split(\",\", \"a,b,c\"))", "3"},
      {"concat(var.xs...)", "(unknown)"},  // expansion of a non-tuple list element
      {"upper(aws_instance.x.id)", "(unknown)"},
      {"\"${aws_instance.x.id}-x\"", "(unknown)"},
      {"file(\"x\")", "(unknown)"},
      {"aws_s3_bucket.b.id == null ? 1 : 1", "1"},
      {"var.m.missing", "(unknown)"},
      {"can(var.m.missing)", "false"},
      {"flatten([[1], [2, [3]]])", "[1,2,3]"},
      {"replace(\"a-b-c\", \"-\", \"_\")", "\"a_b_c\""},
      {"<<EOT\nx ${var.name}\nEOT\n", "\"x db\\n\""},
  };
  for (const auto& c : cases) EXPECT_EQ(Eval(c.expr, ctx).Debug(), c.want) << c.expr;
}

TEST(HclEval, PartiallyKnownObjectsKeepKnownMembers) {
  Value v = Eval("{a = 1, b = aws_x.y.id}");
  ASSERT_TRUE(v.IsObject());
  EXPECT_FALSE(v.WhollyKnown());
  EXPECT_EQ(v.Get("a")->AsNumber(), 1);
  EXPECT_FALSE(v.Get("b")->known());
}

TEST(HclJson, TfJsonMapsBlocksAndAttributes) {
  const char* src = R"({
  "variable": {"region": {"default": "eu-west-1"}},
  "resource": {
    "aws_s3_bucket": {"b": {"bucket": "${var.region}-x", "acl": "private"}},
    "aws_security_group": {"sg": {"ingress": [{"from_port": 22}, {"from_port": 443}]}}
  },
  "terraform": {"backend": {"s3": {"bucket": "state"}}}
})";
  auto f = ParseJson(src, "main.tf.json");
  ASSERT_TRUE(f->errors.empty()) << f->errors[0].ToString();
  ASSERT_EQ(f->body.blocks.size(), 4u);
  const Block* b = f->body.blocks[1];
  EXPECT_EQ(b->type, "resource");
  EXPECT_EQ(b->labels, (std::vector<std::string>{"aws_s3_bucket", "b"}));
  const Attribute* bucket = b->body.Attr("bucket");
  ASSERT_NE(bucket, nullptr);
  EXPECT_EQ(bucket->name_range.start.line, 4u);
  EvalContext ctx;
  ctx.variables["var"] = Value::Object({{"region", Value::String("r")}});
  EXPECT_EQ(Evaluate(bucket->expr, ctx).AsString(), "r-x");
  EXPECT_EQ(f->body.blocks[2]->body.BlocksOfType("ingress").size(), 2u);
  ASSERT_EQ(f->body.blocks[3]->body.blocks.size(), 1u);
  EXPECT_EQ(f->body.blocks[3]->body.blocks[0]->labels[0], "s3");
}

TEST(HclJson, ErrorsHavePositions) {
  auto f = ParseJson("{\n  \"resource\": [1,\n}", "bad.tf.json");
  ASSERT_FALSE(f->errors.empty());
  EXPECT_EQ(f->errors[0].line, 3);
}

TEST(HclDocument, ConftestShape) {
  const char* src = R"(resource "aws_s3_bucket" "b" {
  bucket = "n"
  tags   = { env = "prod", n = -2 }
  ingress {
    port = 22
  }
  ingress {
    port = 443
  }
  arn  = aws_kms_key.k.arn
  name = "x-${var.env}"
  type = list(string)
}
locals {
  a = 1.5
}
)";
  auto d = HclToDocument(src, "main.tf");
  ASSERT_TRUE(d.ok()) << d.error().ToString();
  DocValue b = d->Root().Path({"resource", "aws_s3_bucket", "b"});
  ASSERT_TRUE(b.IsArray());
  ASSERT_EQ(b.size(), 1u);
  DocValue body = b[0];
  EXPECT_EQ(body["bucket"].AsString(), "n");
  EXPECT_EQ(body["bucket"].line(), 2);
  EXPECT_EQ(body["tags"]["n"].AsInt(), -2);
  EXPECT_EQ(body["ingress"].size(), 2u);
  EXPECT_EQ(body["ingress"][1]["port"].AsInt(), 443);
  EXPECT_EQ(body["arn"].AsString(), "${aws_kms_key.k.arn}");
  EXPECT_EQ(body["name"].AsString(), "x-${var.env}");
  EXPECT_EQ(body["type"].AsString(), "list(string)");
  EXPECT_DOUBLE_EQ(d->Root()["locals"][0]["a"].AsDouble(), 1.5);
  auto bad = HclToDocument("a = [", "bad.tf");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().line, 1);
}

}  // namespace
}  // namespace gatehouse::hcl
