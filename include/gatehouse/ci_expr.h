// GitHub Actions expressions: the `${{ ... }}` language.
//
// FindExpressions() splits a workflow string into template spans; Lex/Parse
// turn the text between `${{` and `}}` into a small tree (literals, context
// accesses, property/index/filter chains, function calls, `!`, comparisons,
// `&&`, `||`). On the tree, ValidateExpression() reports unknown functions,
// wrong arities and malformed format() strings, and ContextRefs() lists every
// context path with whether its value can reach the expression's result —
// which is what decides whether untrusted input (an issue title, a branch
// name) ends up in a shell script. UntrustedPattern() matches a path against
// the documented attacker-controlled paths, including through `*` filters
// (`github.event.*.body`) and whole objects (`toJSON(github.event)`).
//
// Grammar (precedence low → high), as GitHub documents and implements it:
//   or := and ('||' and)* ; and := eq ('&&' eq)* ; eq := cmp (('=='|'!=') cmp)*
//   cmp := unary (('<'|'<='|'>'|'>=') unary)* ; unary := '!' unary | postfix
//   postfix := primary ('.' (ident|'*') | '[' (expr|'*') ']')*
//   primary := literal | ident '(' args ')' | ident | '(' or ')'
// Names (contexts, functions, properties) compare case-insensitively.
// Plain data, no shared state: thread-compatible.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gatehouse/result.h"

namespace gatehouse::ci {

// One `${{ ... }}` occurrence in a string. Offsets are byte offsets into the
// string; `inner` spans the text between the delimiters. An unterminated
// span (no `}}`) has closed = false and runs to the end of the string.
struct ExprSpan {
  size_t begin = 0;        // offset of "${{"
  size_t end = 0;          // offset just past "}}" (or the string's end)
  size_t inner_begin = 0;  // just past "${{"
  size_t inner_end = 0;    // offset of "}}"
  bool closed = true;
};
// `}}` inside a single-quoted string literal does not close a span.
std::vector<ExprSpan> FindExpressions(std::string_view s);

enum class ExprTokenKind {
  kEnd,
  kError,
  kIdent,
  kNumber,
  kString,
  kTrue,
  kFalse,
  kNull,
  kLParen,
  kRParen,
  kLBracket,
  kRBracket,
  kDot,
  kComma,
  kStar,
  kNot,
  kEq,
  kNe,
  kLt,
  kLe,
  kGt,
  kGe,
  kAnd,
  kOr,
};

struct ExprToken {
  ExprTokenKind kind = ExprTokenKind::kEnd;
  uint32_t begin = 0, end = 0;  // byte offsets in the expression text
};

// Tokens up to and including kEnd, or ending with kError (and *error set).
std::vector<ExprToken> LexExpression(std::string_view text, std::string* error);

enum class ExprKind {
  kNull,
  kBool,
  kNumber,
  kString,
  kContext,   // a root name: github, env, matrix, ...
  kProperty,  // lhs.name
  kIndex,     // lhs[rhs]
  kFilter,    // lhs.* or lhs[*]
  kCall,      // name(args)
  kNot,       // !lhs
  kBinary,    // lhs op rhs (op: kEq ... kOr)
};

struct ExprNode {
  ExprKind kind = ExprKind::kNull;
  ExprTokenKind op = ExprTokenKind::kEnd;  // kBinary only
  uint32_t begin = 0, end = 0;             // span in the expression text
  int lhs = -1, rhs = -1;                  // child node indices
  int first_arg = 0, num_args = 0;         // kCall: range in ExprTree::args
  std::string value;                       // name, unescaped string, number text, "true"
};

// A parsed expression. Nodes live in one vector (an arena); indices link them.
struct ExprTree {
  std::string text;  // the expression source (between the delimiters)
  std::vector<ExprNode> nodes;
  std::vector<int> args;
  int root = -1;
};

// Nesting deeper than this is rejected (keeps recursion bounded on any input).
inline constexpr int kMaxExprDepth = 64;

// Parses one expression; errors are kParse with column = 1-based offset in
// `text` where parsing stopped.
Result<ExprTree> ParseExpression(std::string_view text);

struct ExprProblem {
  uint32_t offset = 0;  // in the expression text
  std::string message;
};

// Unknown function names, wrong argument counts, format() strings whose
// placeholders do not match the arguments, and unknown root contexts.
std::vector<ExprProblem> ValidateExpression(const ExprTree& tree);

// Known function and context names (lower-case).
bool IsKnownFunction(std::string_view lower_name);
bool IsKnownContext(std::string_view lower_name);

// A context path used in an expression: `github.event.issue.title` is
// {"github","event","issue","title"}; filters and computed indexes become
// "*"; names are lower-cased; string-literal indexes become names.
struct ContextRef {
  std::vector<std::string> path;
  uint32_t begin = 0, end = 0;  // span of the access chain in the expression text
  bool reaches_output = false;  // its value can become (part of) the result
  bool whole_object = false;    // passed whole to toJSON()/join()
  bool in_function = false;     // inside a call other than format/join/toJSON/fromJSON
};
// Only the outermost (longest) chain is reported; computed index
// expressions are reported separately with reaches_output = false.
std::vector<ContextRef> ContextRefs(const ExprTree& tree);

// The context path of an access chain rooted at a context (`github.actor`),
// lower-cased; nullopt when `node` is not such a chain.
std::optional<std::vector<std::string>> ChainPath(const ExprTree& tree, int node);

// Functions called in the expression (lower-case names).
std::vector<std::string> CalledFunctions(const ExprTree& tree);

// If `path` (as from ContextRefs) is attacker-controlled, the documented
// pattern it matches ("github.event.issue.title", "github.event.commits.*.message").
// A path that is a proper prefix of a pattern matches when `whole_object`
// (the object is serialized whole) — e.g. toJSON(github.event.issue).
std::optional<std::string_view> UntrustedPattern(const std::vector<std::string>& path,
                                                 bool whole_object);

// "github.event.issue.title" from a path.
std::string JoinPath(const std::vector<std::string>& path);

}  // namespace gatehouse::ci
