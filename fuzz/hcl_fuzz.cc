// libFuzzer target for the HCL2 parser: native parse, AST dump, lowering to
// Document, evaluation of every attribute, and the JSON syntax mapping.
// Must never crash or hang, whatever the input.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "gatehouse/hcl.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > (1 << 16)) return 0;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  using namespace gatehouse::hcl;
  auto f = Parse(text, "fuzz.tf");
  (void)DumpBody(*f);
  (void)LowerToDocument(*f);
  EvalContext ctx;
  ctx.variables["var"] = Value::Object({{"x", Value::String("s")}});
  for (const auto& a : f->body.attributes) (void)Evaluate(a.expr, ctx).ToJson();
  for (const Block* b : f->body.blocks)
    for (const auto& a : b->body.attributes) (void)Evaluate(a.expr, ctx);
  auto j = ParseJson(text, "fuzz.tf.json");
  (void)DumpBody(*j);
  return 0;
}
