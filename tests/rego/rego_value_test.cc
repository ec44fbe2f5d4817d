// rego::Value representation edges: inline (<= 14 bytes) vs heap strings,
// compact collection nodes, shared empty collections, key interning in
// ParseJson/FromDocument. Semantics (order, equality, hashing) must not
// depend on the representation.
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "gatehouse/document.h"
#include "rego/value.h"

namespace gatehouse::rego {
namespace {

std::string Str(size_t n, char c = 'x') { return std::string(n, c); }

TEST(RegoValue, InlineHeapBoundaryRoundTrips) {
  ASSERT_EQ(Value::kInlineStringMax, 14u);
  for (size_t n : {0, 1, 7, 8, 13, 14, 15, 16, 31, 100, 4096}) {
    std::string s = Str(n, 'a' + static_cast<char>(n % 26));
    Value v = Value::String(s);
    EXPECT_TRUE(v.IsString()) << n;
    EXPECT_EQ(v.AsString(), s) << n;
    EXPECT_EQ(v.size(), n) << n;
    // Inline strings own no node; heap strings do.
    EXPECT_EQ(v.NodeId() == nullptr, n <= Value::kInlineStringMax) << n;
    Value copy = v;
    EXPECT_EQ(copy.AsString(), s);
    EXPECT_EQ(copy, v);
    EXPECT_EQ(copy.Hash(), v.Hash());
    Value moved = std::move(copy);
    EXPECT_EQ(moved.AsString(), s);
    EXPECT_TRUE(copy.IsNull());  // NOLINT(bugprone-use-after-move): moved-from is null
    EXPECT_EQ(Value::String(std::string_view(s)), Value::String(s.c_str()));
    EXPECT_EQ(v.ToJson(), "\"" + s + "\"");
  }
}

TEST(RegoValue, EmbeddedNulAndBytesInline) {
  std::string s("a\0b\xff", 4);
  Value v = Value::String(s);
  EXPECT_EQ(v.AsString(), s);
  EXPECT_EQ(v.size(), 4u);
  EXPECT_NE(v, Value::String("a"));
  EXPECT_LT(Value::String("a"), v);  // prefix sorts first
}

TEST(RegoValue, OrderingAcrossRepresentations) {
  // Bytewise order regardless of inline/heap.
  Value a14 = Value::String(Str(14, 'a'));
  Value a15 = Value::String(Str(15, 'a'));
  Value b1 = Value::String("b");
  Value a100 = Value::String(Str(100, 'a'));
  EXPECT_LT(a14, a15);
  EXPECT_LT(a15, a100);
  EXPECT_LT(a100, b1);
  EXPECT_LT(a14, b1);
  EXPECT_GT(Value::Compare(b1, a15), 0);
  std::vector<Value> sorted = {b1, a100, a14, a15};
  Value set = Value::Set(sorted);
  ASSERT_EQ(set.size(), 4u);
  EXPECT_EQ(set.At(0), a14);
  EXPECT_EQ(set.At(1), a15);
  EXPECT_EQ(set.At(2), a100);
  EXPECT_EQ(set.At(3), b1);
  // Strings still sort after numbers and before arrays.
  EXPECT_LT(Value::Int(5), Value::String(""));
  EXPECT_LT(Value::String(Str(50)), Value::EmptyArray());
}

TEST(RegoValue, EqualValuesHashAlikeWhateverTheirOrigin) {
  const std::string long_key = "terminationMessagePolicy";  // > 14 bytes
  const std::string json = "{\"" + long_key + "\":\"File\",\"a\":[1,2.0,\"x\"],\"s\":\"" +
                           Str(40, 'q') + "\",\"e\":\"tab\\there\"}";
  auto parsed = ParseJson(json);
  ASSERT_TRUE(parsed.ok());
  ObjectBuilder b;  // different insertion order, different constructors
  b.Add("e", Value::String(std::string("tab\there")));
  b.Add("s", Value::String(std::string_view(Str(40, 'q'))));
  b.Add("a", Value::Array({Value::Int(1), Value::Number(2.0), Value::String("x")}));
  b.Add(long_key, Value::String("File"));
  Value built = b.Build();
  EXPECT_EQ(*parsed, built);
  EXPECT_EQ(parsed->Hash(), built.Hash());
  EXPECT_EQ(parsed->ToJson(), built.ToJson());
  // From the shared document tree as well.
  auto doc = ParseJsonDocument(json, "x.json");
  ASSERT_TRUE(doc.ok());
  Value from_doc = FromDocument(doc->Root());
  EXPECT_EQ(from_doc, built);
  EXPECT_EQ(from_doc.Hash(), built.Hash());
  // Sets and objects of such strings hash alike too.
  EXPECT_EQ(Value::Set({Value::String(Str(20)), Value::String("y")}).Hash(),
            Value::Set({Value::String("y"), Value::String(Str(20))}).Hash());
}

TEST(RegoValue, JsonEscapedAndPlainStringsAreTheSameValue) {
  auto a = ParseJson("[\"abc\", \"a\\u0062c\", \"" + Str(30, 'z') + "\", \"" + Str(29, 'z') +
                     "\\u007a\"]");
  ASSERT_TRUE(a.ok());
  ASSERT_EQ(a->size(), 4u);
  EXPECT_EQ(a->At(0), a->At(1));
  EXPECT_EQ(a->At(0).Hash(), a->At(1).Hash());
  EXPECT_EQ(a->At(2), a->At(3));
  EXPECT_EQ(a->At(2).Hash(), a->At(3).Hash());
}

TEST(RegoValue, ParsedObjectKeysAreInterned) {
  auto v = ParseJson(
      R"([{"allowPrivilegeEscalation":false,"name":"a"},{"allowPrivilegeEscalation":true,"name":"b"}])");
  ASSERT_TRUE(v.ok());
  const auto& k0 = v->At(0).ObjectItems()[0].first;
  const auto& k1 = v->At(1).ObjectItems()[0].first;
  EXPECT_EQ(k0.AsString(), "allowPrivilegeEscalation");
  ASSERT_NE(k0.NodeId(), nullptr);
  EXPECT_EQ(k0.NodeId(), k1.NodeId());                           // one node for the repeated key
  EXPECT_EQ(v->At(0).ObjectItems()[1].first.NodeId(), nullptr);  // "name" is inline
  ASSERT_NE(v->At(1).Find("allowPrivilegeEscalation"), nullptr);
  EXPECT_TRUE(v->At(1).Find("allowPrivilegeEscalation")->AsBool());
}

TEST(RegoValue, ObjectDuplicateKeysLastWinsOnBothSortPaths) {
  for (int n : {3, 16, 17, 40}) {  // insertion sort up to 16 members, stable_sort above
    std::vector<ObjectItem> items;
    for (int i = 0; i < n; ++i) {
      items.emplace_back(Value::String("k" + std::to_string(n - i)), Value::Int(i));
    }
    items.emplace_back(Value::String("k1"), Value::String("last"));
    items.emplace_back(Value::String(Str(20)), Value::Int(1));
    items.emplace_back(Value::String(Str(20)), Value::Int(2));
    Value o = Value::Object(std::move(items));
    ASSERT_EQ(o.size(), static_cast<size_t>(n + 1)) << n;
    EXPECT_EQ(o.Find("k1")->AsString(), "last") << n;
    EXPECT_EQ(o.Find(Str(20))->AsInt(), 2) << n;
    auto it = o.ObjectItems();
    for (size_t i = 1; i < it.size(); ++i) EXPECT_LT(it[i - 1].first, it[i].first) << n;
  }
  // Same through the JSON parser.
  auto j = ParseJson(R"({"b":1,"a":2,"b":3})");
  ASSERT_TRUE(j.ok());
  EXPECT_EQ(j->ToJson(), R"({"a":2,"b":3})");
}

TEST(RegoValue, EmptyCollectionsAreEqualWhateverTheirOrigin) {
  EXPECT_EQ(Value::Array({}), Value::EmptyArray());
  EXPECT_EQ(Value::Object({}), Value::EmptyObject());
  EXPECT_EQ(Value::Set({}), Value::EmptySet());
  EXPECT_EQ(Value::Array({}).Hash(), ParseJson("[]")->Hash());
  EXPECT_EQ(Value::Object({}).Hash(), ParseJson("{ }")->Hash());
  EXPECT_NE(Value::EmptyArray(), Value::EmptySet());
  EXPECT_NE(Value::EmptyArray(), Value::EmptyObject());
  EXPECT_EQ(Value::EmptySet().ToRego(), "set()");
  EXPECT_TRUE(Value::EmptyObject().ObjectItems().empty());
  EXPECT_TRUE(Value::EmptyArray().Items().empty());
}

TEST(RegoValue, SwapAndAssignAcrossRepresentations) {
  Value a = Value::String("short");
  Value b = Value::String(Str(50, 'L'));
  Value c = Value::Array({a, b});
  a.Swap(b);
  EXPECT_EQ(a.AsString(), Str(50, 'L'));
  EXPECT_EQ(b.AsString(), "short");
  a = b;  // heap <- inline: releases the node
  EXPECT_EQ(a.AsString(), "short");
  b = c;
  EXPECT_EQ(b.size(), 2u);
  b = b;  // self-assignment
  EXPECT_EQ(b.At(1).AsString(), Str(50, 'L'));
  c = Value::Int(3);
  EXPECT_EQ(b.At(1).AsString(), Str(50, 'L'));  // b still owns the array
  EXPECT_TRUE(c.IsInt());
}

TEST(RegoValue, NumbersUnchanged) {
  EXPECT_EQ(Value::Int(1), Value::Number(1.0));
  EXPECT_EQ(Value::Int(1).Hash(), Value::Number(1.0).Hash());
  EXPECT_TRUE(Value::Number(1.5).IsNumber());
  EXPECT_FALSE(Value::Number(1.5).IsInt());
  EXPECT_EQ(ParseJson("[1e3, -0, 1.25]")->ToJson(), "[1000,0,1.25]");
}

}  // namespace
}  // namespace gatehouse::rego
