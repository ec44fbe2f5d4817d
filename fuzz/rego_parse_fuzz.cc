// libFuzzer target: Rego lexer/parser/formatter (no crash; fmt is idempotent).
#include <cstdint>
#include <cstdlib>
#include <string>

#include "gatehouse/rego.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  std::string out, out2, json;
  auto st = gatehouse::rego::FormatModule("fuzz.rego", text, size % 2 == 0, &out);
  (void)gatehouse::rego::ParseModuleToJson("fuzz.rego", text, false, &json);
  if (st.ok()) {
    auto st2 = gatehouse::rego::FormatModule("fuzz.rego", out, size % 2 == 0, &out2);
    if (st2.ok() && out2 != out) std::abort();
  }
  return 0;
}
