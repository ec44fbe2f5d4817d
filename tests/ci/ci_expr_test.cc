// The GitHub Actions expression language: template spans, lexer, parser,
// validation, context references with taint, untrusted-path matching.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "gatehouse/ci_expr.h"

namespace gatehouse::ci {
namespace {

std::vector<std::string> Spans(std::string_view s) {
  std::vector<std::string> out;
  for (const ExprSpan& sp : FindExpressions(s))
    out.push_back(std::string(s.substr(sp.inner_begin, sp.inner_end - sp.inner_begin)) +
                  (sp.closed ? "" : "<open>"));
  return out;
}

TEST(CiExprTest, FindsTemplateSpans) {
  EXPECT_EQ(Spans("a ${{ x }} b ${{y}}"), (std::vector<std::string>{" x ", "y"}));
  EXPECT_EQ(Spans("${{ format('}}', a) }}"), (std::vector<std::string>{" format('}}', a) "}));
  EXPECT_EQ(Spans("${{ 'it''s' }}"), (std::vector<std::string>{" 'it''s' "}));
  EXPECT_EQ(Spans("echo ${{ github.sha"), (std::vector<std::string>{" github.sha<open>"}));
  EXPECT_EQ(Spans("no expressions {{ here }}"), std::vector<std::string>{});
  // A stray apostrophe does not hide the closing braces.
  EXPECT_EQ(Spans("${{ it's }} x"), (std::vector<std::string>{" it's "}));
}

TEST(CiExprTest, LexesEveryTokenKind) {
  std::string err;
  auto toks =
      LexExpression("a.b[0] == 'x''y' && !c || d != 1.5e3 <= 0xff >= -2 < 3 > (4) , *", &err);
  ASSERT_EQ(toks.back().kind, ExprTokenKind::kEnd) << err;
  std::vector<ExprTokenKind> kinds;
  for (const auto& t : toks) kinds.push_back(t.kind);
  using K = ExprTokenKind;
  EXPECT_EQ(kinds, (std::vector<K>{K::kIdent,    K::kDot,    K::kIdent,  K::kLBracket, K::kNumber,
                                   K::kRBracket, K::kEq,     K::kString, K::kAnd,      K::kNot,
                                   K::kIdent,    K::kOr,     K::kIdent,  K::kNe,       K::kNumber,
                                   K::kLe,       K::kNumber, K::kGe,     K::kNumber,   K::kLt,
                                   K::kNumber,   K::kGt,     K::kLParen, K::kNumber,   K::kRParen,
                                   K::kComma,    K::kStar,   K::kEnd}));
}

TEST(CiExprTest, LexErrorsSayWhatIsWrong) {
  std::string err;
  EXPECT_EQ(LexExpression("\"x\"", &err).back().kind, ExprTokenKind::kError);
  EXPECT_NE(err.find("single quotes"), std::string::npos);
  EXPECT_EQ(LexExpression("a = b", &err).back().kind, ExprTokenKind::kError);
  EXPECT_NE(err.find("=="), std::string::npos);
  EXPECT_EQ(LexExpression("a & b", &err).back().kind, ExprTokenKind::kError);
  EXPECT_EQ(LexExpression("'open", &err).back().kind, ExprTokenKind::kError);
  EXPECT_NE(err.find("unterminated"), std::string::npos);
  EXPECT_EQ(LexExpression("a # b", &err).back().kind, ExprTokenKind::kError);
}

TEST(CiExprTest, ParsesWithGithubPrecedence) {
  auto t = ParseExpression("a || b && c == d < e");
  ASSERT_TRUE(t.ok()) << t.error().message;
  const ExprNode& root = t->nodes[static_cast<size_t>(t->root)];
  ASSERT_EQ(root.kind, ExprKind::kBinary);
  EXPECT_EQ(root.op, ExprTokenKind::kOr);
  const ExprNode& rhs = t->nodes[static_cast<size_t>(root.rhs)];
  EXPECT_EQ(rhs.op, ExprTokenKind::kAnd);
  const ExprNode& eq = t->nodes[static_cast<size_t>(rhs.rhs)];
  EXPECT_EQ(eq.op, ExprTokenKind::kEq);
  EXPECT_EQ(t->nodes[static_cast<size_t>(eq.rhs)].op, ExprTokenKind::kLt);
}

TEST(CiExprTest, ParsesCallsIndexesFiltersAndLiterals) {
  for (const char* ok :
       {"github.event.commits[0].message", "github.event.*.body", "github.event['issue'].title",
        "toJSON(github.event)", "format('{0}-{1}', a, b)", "fromJSON(needs.x.outputs.m).k[*].v",
        "!(a && b)", "null", "true", "-1.5", "0x1F", "1e-3", "success()", "steps.my-step.outputs.x",
        "case(a == 1, 'one', a == 2, 'two', 'many')", "hashFiles('**/*.lock', 'x')"}) {
    auto t = ParseExpression(ok);
    EXPECT_TRUE(t.ok()) << ok << ": " << (t.ok() ? "" : t.error().message);
  }
}

TEST(CiExprTest, ParseErrorsCarryTheColumn) {
  auto t = ParseExpression("a == ");
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error().column, 6);
  EXPECT_FALSE(ParseExpression("a.").ok());
  EXPECT_FALSE(ParseExpression("f(a,").ok());
  EXPECT_FALSE(ParseExpression("(a").ok());
  EXPECT_FALSE(ParseExpression("a b").ok());
  EXPECT_FALSE(ParseExpression("a[1").ok());
  EXPECT_FALSE(ParseExpression("").ok());
}

TEST(CiExprTest, DeepNestingIsRejectedNotOverflowed) {
  std::string deep(100000, '(');
  EXPECT_FALSE(ParseExpression(deep).ok());
  std::string nots(100000, '!');
  EXPECT_FALSE(ParseExpression(nots + "a").ok());
  std::string idx = "a";
  for (int i = 0; i < 5000; ++i) idx += "[a";
  EXPECT_FALSE(ParseExpression(idx).ok());
}

std::vector<std::string> Problems(const char* expr) {
  auto t = ParseExpression(expr);
  std::vector<std::string> out;
  if (!t.ok()) return {"parse: " + t.error().message};
  for (const auto& p : ValidateExpression(*t)) out.push_back(p.message);
  return out;
}

TEST(CiExprTest, ValidatesFunctionsAndContexts) {
  EXPECT_TRUE(Problems("contains(github.ref, 'x') && startsWith(a.b, 'c')").size() == 1);  // a
  EXPECT_TRUE(Problems("Contains(github.ref, 'x')").empty());  // case-insensitive
  EXPECT_EQ(Problems("sha256(github.sha)").size(), 1u);
  EXPECT_NE(Problems("contains('a')")[0].find("takes 2 arguments"), std::string::npos);
  EXPECT_NE(Problems("success(1)")[0].find("takes 0"), std::string::npos);
  EXPECT_NE(Problems("format('{0} {2}', 'a', 'b')")[0].find("{2}"), std::string::npos);
  EXPECT_NE(Problems("format('{x}', 'a')")[0].find("invalid placeholder"), std::string::npos);
  EXPECT_NE(Problems("format('a }', 'a')")[0].find("unmatched"), std::string::npos);
  EXPECT_TRUE(Problems("format('{{0}} {0}', 'a')").empty());
  EXPECT_NE(Problems("case(github.ref, 'b', 'c', 'd')")[0].find("odd"), std::string::npos);
  EXPECT_NE(Problems("foo.bar")[0].find("unknown context"), std::string::npos);
  EXPECT_TRUE(Problems("GitHub.Event_Name == 'push'").empty());
}

std::vector<std::string> Reaching(const char* expr) {
  auto t = ParseExpression(expr);
  std::vector<std::string> out;
  if (!t.ok()) return out;
  for (const ContextRef& r : ContextRefs(*t))
    if (r.reaches_output) out.push_back(JoinPath(r.path) + (r.whole_object ? "{}" : ""));
  return out;
}

TEST(CiExprTest, TracksWhatReachesTheResult) {
  EXPECT_EQ(Reaching("github.event.issue.title"),
            (std::vector<std::string>{"github.event.issue.title"}));
  EXPECT_EQ(Reaching("contains(github.event.issue.title, 'x')"), std::vector<std::string>{});
  EXPECT_EQ(Reaching("github.event.issue.title == 'x'"), std::vector<std::string>{});
  EXPECT_EQ(Reaching("!github.head_ref"), std::vector<std::string>{});
  EXPECT_EQ(Reaching("a.b && github.head_ref || 'x'"),
            (std::vector<std::string>{"a.b", "github.head_ref"}));
  EXPECT_EQ(Reaching("toJSON(github.event)"), (std::vector<std::string>{"github.event{}"}));
  EXPECT_EQ(Reaching("format('{0}', github.event.comment.body)"),
            (std::vector<std::string>{"github.event.comment.body"}));
  EXPECT_EQ(Reaching("github.event['Issue']['TITLE']"),
            (std::vector<std::string>{"github.event.issue.title"}));
  EXPECT_EQ(Reaching("github.event.commits[matrix.i].message"),
            (std::vector<std::string>{"github.event.commits.*.message"}));
  EXPECT_EQ(Reaching("case(github.head_ref == 'x', github.event.issue.body, 'd')"),
            (std::vector<std::string>{"github.event.issue.body"}));
}

TEST(CiExprTest, MatchesUntrustedPaths) {
  auto match = [](std::vector<std::string> p, bool whole = false) {
    auto m = UntrustedPattern(p, whole);
    return m ? std::string(*m) : std::string();
  };
  EXPECT_EQ(match({"github", "event", "issue", "title"}), "github.event.issue.title");
  EXPECT_EQ(match({"github", "head_ref"}), "github.head_ref");
  EXPECT_EQ(match({"github", "event", "commits", "3", "message"}),
            "github.event.commits.*.message");
  EXPECT_NE(match({"github", "event", "*", "body"}), "");
  EXPECT_NE(match({"github", "event", "pull_request", "*"}), "");
  EXPECT_EQ(match({"github", "event", "issue", "number"}), "");
  EXPECT_EQ(match({"github", "event", "pull_request", "head", "sha"}), "");
  EXPECT_EQ(match({"github", "sha"}), "");
  EXPECT_EQ(match({"github", "event"}), "");  // an object, not interpolated whole
  EXPECT_NE(match({"github", "event"}, true), "");
  EXPECT_NE(match({"github"}, true), "");
  EXPECT_EQ(match({"github", "event", "issue", "title", "x"}), "");
}

TEST(CiExprTest, ChainPathOfComparisons) {
  auto t = ParseExpression("github.actor == 'dependabot[bot]'");
  ASSERT_TRUE(t.ok());
  const ExprNode& root = t->nodes[static_cast<size_t>(t->root)];
  auto p = ChainPath(*t, root.lhs);
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(JoinPath(*p), "github.actor");
  EXPECT_FALSE(ChainPath(*t, root.rhs).has_value());
}

// Regression inputs found by fuzz/ci_expr_fuzz.cc (kept here so they run on
// every build, not only under the fuzzer).
TEST(CiExprTest, FuzzRegressions) {
  for (std::string_view in :
       {std::string_view("${{"), std::string_view("${{}}"), std::string_view("${{ ' }}"),
        std::string_view("${{ a[ }}"), std::string_view("${{ -. }}"), std::string_view("${{ 0x }}"),
        std::string_view("${{ 1e }}"), std::string_view("${{ .5 }}"),
        std::string_view("${{ a.* }}"), std::string_view("${{ f()() }}"),
        std::string_view("${{ (a)[0] }}"), std::string_view("${{ '' }}"),
        std::string_view("${{ \x01 }}"), std::string_view("${{ a['x'\0] }}", 16)}) {
    for (const ExprSpan& sp : FindExpressions(in)) {
      auto t = ParseExpression(in.substr(sp.inner_begin, sp.inner_end - sp.inner_begin));
      if (!t.ok()) continue;
      (void)ValidateExpression(*t);
      for (const auto& r : ContextRefs(*t)) (void)UntrustedPattern(r.path, r.whole_object);
    }
  }
  SUCCEED();
}

}  // namespace
}  // namespace gatehouse::ci
