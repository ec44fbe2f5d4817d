// Fuzz the GitHub Actions expression language: template spans, lexer,
// parser, validation and taint analysis must handle any bytes without
// crashing, and every reported offset must lie inside the input.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "gatehouse/ci_expr.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace gatehouse::ci;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  // As a template ("echo ${{ ... }}") and as a bare condition.
  for (const ExprSpan& sp : FindExpressions(in)) {
    if (sp.begin > sp.inner_begin || sp.inner_begin > sp.inner_end || sp.inner_end > sp.end ||
        sp.end > in.size())
      std::abort();
    (void)ParseExpression(in.substr(sp.inner_begin, sp.inner_end - sp.inner_begin));
  }
  auto tree = ParseExpression(in);
  if (!tree.ok()) {
    if (tree.error().column < 1 || static_cast<size_t>(tree.error().column) > in.size() + 1)
      std::abort();
    return 0;
  }
  for (const ExprNode& n : tree->nodes)
    if (n.begin > n.end || n.end > in.size()) std::abort();
  for (const ExprProblem& p : ValidateExpression(*tree))
    if (p.offset > in.size()) std::abort();
  for (const ContextRef& r : ContextRefs(*tree)) {
    if (r.begin > r.end || r.end > in.size()) std::abort();
    (void)UntrustedPattern(r.path, r.whole_object);
    (void)JoinPath(r.path);
  }
  for (size_t i = 0; i < tree->nodes.size(); ++i) (void)ChainPath(*tree, static_cast<int>(i));
  (void)CalledFunctions(*tree);
  return 0;
}
