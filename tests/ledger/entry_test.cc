// Canonical JSON (RFC 8785 vectors), the entry schema, leaves, time parsing,
// the policy payload, and regression inputs found by the fuzzer.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "gatehouse/ledger.h"
#include "test_util.h"

namespace gatehouse::ledger {
namespace {

std::string Canon(std::string_view json) {
  auto c = CanonicalizeJson(json);
  return c.ok() ? *c : "ERROR: " + c.error().message;
}

TEST(LedgerCanonicalJsonTest, Rfc8785MainExample) {
  // RFC 8785 section 3.2.2 / 3.2.3.
  const std::string in = R"({
    "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
    "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
    "literals": [null, true, false]
  })";
  EXPECT_EQ(Canon(in),
            "{\"literals\":[null,true,false],\"numbers\":[333333333.3333333,1e+30,4.5,0.002,1e-27],"
            "\"string\":\"\xE2\x82\xAC$\\u000f\\nA'B\\\"\\\\\\\\\\\"/\"}");
}

TEST(LedgerCanonicalJsonTest, MembersSortByUtf16CodeUnits) {
  // RFC 8785 section 3.2.3 sorting example: U+1F600 (surrogates D83D DE00)
  // sorts before U+FB33 in UTF-16, though its UTF-8 bytes sort after.
  const std::string in = R"({
    "\u20ac": "Euro Sign", "\r": "Carriage Return", "\ufb33": "Hebrew Letter Dalet With Dagesh",
    "1": "One", "\ud83d\ude00": "Emoji: Grinning Face", "\u0080": "Control",
    "\u00f6": "Latin Small Letter O With Diaeresis"})";
  std::string out = Canon(in);
  std::vector<std::string> order = {"Carriage Return", "One",   "Control", "Latin Small",
                                    "Euro Sign",       "Emoji", "Hebrew"};
  size_t pos = 0;
  for (const auto& v : order) {
    size_t p = out.find(v);
    ASSERT_NE(p, std::string::npos) << v;
    EXPECT_GT(p, pos) << v << " out of order in " << out;
    pos = p;
  }
}

TEST(LedgerCanonicalJsonTest, NumbersFollowEcmaScript) {
  // RFC 8785 appendix B: IEEE 754 bit patterns and their canonical text.
  const std::vector<std::pair<uint64_t, std::string>> cases = {
      {0x0000000000000000, "0"},
      {0x8000000000000000, "0"},
      {0x0000000000000001, "5e-324"},
      {0x8000000000000001, "-5e-324"},
      {0x7fefffffffffffff, "1.7976931348623157e+308"},
      {0xffefffffffffffff, "-1.7976931348623157e+308"},
      {0x4340000000000000, "9007199254740992"},
      {0xc340000000000000, "-9007199254740992"},
      {0x4430000000000000, "295147905179352830000"},
      {0x44b52d02c7e14af5, "9.999999999999997e+22"},
      {0x44b52d02c7e14af6, "1e+23"},
      {0x44b52d02c7e14af7, "1.0000000000000001e+23"},
      {0x444b1ae4d6e2ef4e, "999999999999999700000"},
      {0x444b1ae4d6e2ef4f, "999999999999999900000"},
      {0x444b1ae4d6e2ef50, "1e+21"},
      {0x3eb0c6f7a0b5ed8c, "9.999999999999997e-7"},
      {0x3eb0c6f7a0b5ed8d, "0.000001"},
      {0x41b3de4355555553, "333333333.3333332"},
      {0x41b3de4355555554, "333333333.33333325"},
      {0x41b3de4355555555, "333333333.3333333"},
      {0x41b3de4355555556, "333333333.3333334"},
      {0x41b3de4355555557, "333333333.33333343"},
      {0xbecbf647612f3696, "-0.0000033333333333333333"},
      {0x43143ff3c1cb0959, "1424953923781206.2"},
  };
  for (const auto& [bits, want] : cases) {
    double d;
    std::memcpy(&d, &bits, sizeof(d));
    char buf[64];
    std::snprintf(buf, sizeof(buf), "%.17g", d);
    EXPECT_EQ(Canon(std::string("[") + buf + "]"), "[" + want + "]") << buf;
  }
  EXPECT_EQ(Canon("[1.0, 100, -0.0, 1e2, 0.1]"), "[1,100,0,100,0.1]");
}

TEST(LedgerCanonicalJsonTest, RejectsWhatIJsonForbids) {
  EXPECT_NE(Canon(R"({"a":1,"a":2})").find("duplicate member name"), std::string::npos);
  EXPECT_NE(Canon(R"({"x":{"a":1,"b":{"a":2,"a":3}}})").find("duplicate"), std::string::npos);
  EXPECT_EQ(Canon(R"([{"a":1},{"a":2}])"), R"([{"a":1},{"a":2}])");  // same name, other objects
  // Numbers are IEEE doubles: what would silently change is rejected.
  EXPECT_NE(Canon("[9007199254740993]").find("exactly"), std::string::npos);
  EXPECT_NE(Canon("[-9007199254740993]").find("exactly"), std::string::npos);
  EXPECT_NE(Canon("[1714564800123456789]").find("write it as a string"), std::string::npos);
  EXPECT_NE(Canon("[1152921504606846976]").find("not exact"), std::string::npos);  // 2^60
  EXPECT_NE(Canon("[1.152921504606846976e18]").find("not exact"), std::string::npos);
  EXPECT_EQ(Canon("[9007199254740992]"), "[9007199254740992]");
  EXPECT_EQ(Canon("[1714564800000000000]"), "[1714564800000000000]");  // exact: accepted
  EXPECT_EQ(Canon("[1e30, 3e20]"), "[1e+30,300000000000000000000]");
  EXPECT_NE(Canon(std::string("[1]\0garbage", 12)).find("NUL"), std::string::npos);
  EXPECT_NE(Canon("\"\xff\"").find("ERROR"), std::string::npos);       // invalid UTF-8
  EXPECT_NE(Canon(R"(["\ud800"])").find("ERROR"), std::string::npos);  // lone surrogate
  EXPECT_NE(Canon("[NaN]").find("ERROR"), std::string::npos);
  EXPECT_NE(Canon("{\"a\":1} x").find("ERROR"), std::string::npos);  // trailing garbage
  EXPECT_NE(Canon("[1,]").find("ERROR"), std::string::npos);
  EXPECT_NE(Canon(std::string(65, '[') + std::string(65, ']')).find("nesting"), std::string::npos);
  EXPECT_EQ(Canon(std::string(64, '[') + std::string(64, ']')).substr(0, 1), "[");
}

TEST(LedgerCanonicalJsonTest, StringEscapesAreMinimal) {
  EXPECT_EQ(Canon(R"(["\u0000\u001f\b\f\n\r\t\u007f\u2028/"])"),
            "[\"\\u0000\\u001f\\b\\f\\n\\r\\t\x7f\xE2\x80\xA8/\"]");
  EXPECT_EQ(Canon(R"(["\u00e9"])"), "[\"\xC3\xA9\"]");
}

TEST(LedgerEntryTest, ParsesTheDocumentedSchema) {
  auto e = ParseEntryJson(
      R"({"kind":"deploy","actor":"ci@example","reason":"release 1.2","subject":"svc/api",)"
      R"("time":"2024-05-01T12:00:00Z","ticket":"CHG-1","payload":{"b":2,"a":[1,2]}})");
  ASSERT_TRUE(e.ok()) << e.error().message;
  EXPECT_EQ(e->kind, "deploy");
  EXPECT_EQ(e->actor, "ci@example");
  EXPECT_EQ(e->subject, "svc/api");
  EXPECT_EQ(e->payload, R"({"a":[1,2],"b":2})");
}

TEST(LedgerEntryTest, RejectsBadEntriesWithReasons) {
  auto err = [](std::string_view json) {
    auto e = ParseEntryJson(json);
    return e.ok() ? std::string("ok") : e.error().message;
  };
  EXPECT_NE(err(R"({"actor":"a"})").find("missing \"kind\""), std::string::npos);
  EXPECT_NE(err(R"({"kind":"deploy"})").find("missing \"actor\""), std::string::npos);
  EXPECT_NE(err(R"({"kind":"deploy","actor":"a","colour":"red"})").find("unknown field \"colour\""),
            std::string::npos);
  EXPECT_NE(err(R"({"kind":"deploy","actor":"a","index":3})").find("assigned by the ledger"),
            std::string::npos);
  EXPECT_NE(err(R"({"kind":7,"actor":"a"})").find("must be a string"), std::string::npos);
  EXPECT_NE(err(R"({"kind":"deploy","actor":"a","v":2})").find("version"), std::string::npos);
  EXPECT_NE(err(R"({"kind":"deploy","actor":"a","approvals":[{"key":"x"}]})").find("approval"),
            std::string::npos);
  EXPECT_NE(err(R"(["kind"])").find("JSON object"), std::string::npos);
  EXPECT_NE(err(R"({"kind":"deploy",)").find("invalid JSON"), std::string::npos);
}

TEST(LedgerEntryTest, JsonLinesErrorsNameTheLine) {
  auto ok = ParseEntryLines(
      "{\"kind\":\"a\",\"actor\":\"x\"}\n\n  \r\n{\"kind\":\"b\",\"actor\":\"y\"}\r\n", "stdin");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->size(), 2u);
  auto bad = ParseEntryLines(
      "{\"kind\":\"a\",\"actor\":\"x\"}\n\n{\"kind\":\"b\",\"actor\":\"y\"\n{\"kind\":\"c\"}\n",
      "stdin");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().line, 3);
  EXPECT_EQ(bad.error().path, "stdin");
  EXPECT_NE(bad.error().ToString().find("stdin:3: "), std::string::npos);
  // Schema errors (not just syntax) carry the line too.
  auto schema = ParseEntryLines(
      "{\"kind\":\"a\",\"actor\":\"x\"}\n{\"kind\":\"a\",\"actor\":\"x\",\"time\":\"yesterday\"}\n",
      "in.jsonl");
  ASSERT_FALSE(schema.ok());
  EXPECT_EQ(schema.error().line, 2);
  EXPECT_NE(schema.error().message.find("RFC 3339"), std::string::npos);
  auto kind = ParseEntryLines("{\"kind\":\"Deploy Now\",\"actor\":\"x\"}\n", "stdin");
  ASSERT_FALSE(kind.ok());
  EXPECT_NE(kind.error().message.find("invalid kind"), std::string::npos);
  auto bypass = ParseEntryLines("{\"kind\":\"bypass\",\"actor\":\"x\",\"subject\":\"s\"}", "stdin");
  ASSERT_FALSE(bypass.ok());
  EXPECT_NE(bypass.error().message.find("bypass needs"), std::string::npos);
}

TEST(LedgerEntryTest, LeafIsCanonicalAndRoundTrips) {
  EntryRecord r;
  r.index = 42;
  r.kind = "gate-decision";
  r.actor = "gatehouse";
  r.reason = "policy allow";
  r.subject = "registry/app@sha256:abc";
  r.time = "2024-05-01T12:00:00Z";
  r.payload_sha256 = std::string(64, 'a');
  const std::string leaf = LeafBytes(r);
  EXPECT_EQ(
      leaf,
      "{\"actor\":\"gatehouse\",\"index\":42,\"kind\":\"gate-decision\",\"payload_sha256\":\"" +
          std::string(64, 'a') +
          "\",\"reason\":\"policy allow\",\"subject\":\"registry/app@sha256:abc\","
          "\"time\":\"2024-05-01T12:00:00Z\",\"v\":1}");
  auto back = ParseLeaf(leaf);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back->index, 42u);
  EXPECT_EQ(back->subject, r.subject);
  EXPECT_EQ(LeafBytes(*back), leaf);
  // Approvals sign the record without its index.
  const std::string msg = ApprovalMessage(r);
  EXPECT_TRUE(msg.starts_with("gatehouse-ledger-approval/v1\n{"));
  EXPECT_EQ(msg.find("\"index\""), std::string::npos);
  r.index = 7;
  EXPECT_EQ(ApprovalMessage(r), msg);
  // Non-canonical bytes are not a leaf.
  EXPECT_FALSE(ParseLeaf(" " + leaf).ok());
  std::string reordered = leaf;
  reordered.replace(reordered.find("\"v\":1"), 5, "\"v\":1.0");
  EXPECT_FALSE(ParseLeaf(reordered).ok());
  EXPECT_FALSE(
      ParseLeaf(R"({"actor":"a","index":1,"kind":"x","time":"2024-05-01T12:00:00Z","v":1,"zzz":1})")
          .ok());
}

TEST(LedgerEntryTest, TimesAndDurations) {
  EXPECT_EQ(ParseRfc3339("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(ParseRfc3339("2024-02-29T12:34:56Z"), 1709210096);
  EXPECT_EQ(ParseRfc3339("2024-02-29T12:34:56.123456789Z"), 1709210096);
  EXPECT_EQ(FormatRfc3339(1709210096), "2024-02-29T12:34:56Z");
  for (int64_t t : {int64_t{0}, int64_t{951782400}, int64_t{4102444799}, int64_t{1234567890}})
    EXPECT_EQ(ParseRfc3339(FormatRfc3339(t)), t);
  for (const char* bad :
       {"2023-02-29T00:00:00Z", "2024-13-01T00:00:00Z", "2024-01-01T24:00:00Z",
        "2024-01-01T00:00:00", "2024-01-01T00:00:00+00:00", "2024-01-01 00:00:00Z",
        "2024-01-01T00:00:00.Z", "yesterday", "", "1969-12-31T23:59:59Z"})
    EXPECT_FALSE(ParseRfc3339(bad)) << bad;
  EXPECT_EQ(ParseDuration("4h"), 4 * 3600);
  EXPECT_EQ(ParseDuration("1h30m"), 5400);
  EXPECT_EQ(ParseDuration("90d"), 90 * 86400);
  EXPECT_EQ(ParseDuration("2w"), 14 * 86400);
  for (const char* bad : {"", "4", "h", "0s", "-4h", "4x", "99999999999999d"})
    EXPECT_FALSE(ParseDuration(bad)) << bad;
}

TEST(LedgerEntryTest, PolicyPayloadRoundTripsAndValidates) {
  auto a = SignerKey::Generate("approver.example/a");
  auto b = SignerKey::Generate("approver.example/b");
  ASSERT_TRUE(a.ok() && b.ok());
  Policy p;
  p.quorum = 2;
  p.dual_control = {"bypass", "delete-request"};
  p.approvers = {a->verifier(), b->verifier()};
  auto back = ParsePolicyPayload(PolicyPayload(p));
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back->quorum, 2);
  EXPECT_EQ(back->approvers.size(), 2u);
  EXPECT_TRUE(back->RequiresApproval("bypass"));
  EXPECT_TRUE(back->RequiresApproval("ledger-policy"));  // always
  EXPECT_FALSE(back->RequiresApproval("deploy"));
  EXPECT_FALSE(ParsePolicyPayload(R"({"quorum":1})").ok());
  p.approvers = {a->verifier()};
  EXPECT_FALSE(ParsePolicyPayload(PolicyPayload(p)).ok());  // fewer approvers than the quorum
  EXPECT_FALSE(ParsePolicyPayload(R"({"approvers":["nope"]})").ok());
  EXPECT_FALSE(ParsePolicyPayload(R"({"surprise":true})").ok());
}

// Inputs the fuzzer (fuzz/ledger_entry_fuzz.cc) turned up; each must give a
// value or an error, never a crash. See tests/data/ledger/fuzz_regressions.
TEST(LedgerEntryTest, FuzzRegressionsParseOrFailCleanly) {
  const std::string dir = testing::SourceDir() + "/tests/data/ledger/fuzz_regressions";
  std::error_code ec;
  int n = 0;
  for (const auto& f : std::filesystem::directory_iterator(dir, ec)) {
    const std::string data = testing::ReadAll(f.path().string());
    auto lines = ParseEntryLines(data, "fuzz");
    if (!lines.ok()) (void)lines.error().ToString();
    auto c = CanonicalizeJson(data);
    if (c.ok()) {
      auto again = CanonicalizeJson(*c);
      ASSERT_TRUE(again.ok()) << f.path();
      EXPECT_EQ(*again, *c) << f.path();
    }
    (void)ParseLeaf(data);
    ++n;
  }
  EXPECT_GT(n, 0) << "no regression inputs in " << dir;
}

}  // namespace
}  // namespace gatehouse::ledger
