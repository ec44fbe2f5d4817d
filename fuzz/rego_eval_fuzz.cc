// libFuzzer target: compile and evaluate generated programs under a time
// limit (no crash, no hang beyond the limit). The input is split into a module
// and a query at the first NUL; a fixed input document is used.
#include <cstdint>
#include <string>

#include "gatehouse/rego.h"
#include "rego/value.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string s(reinterpret_cast<const char*>(data), size);
  size_t nul = s.find('\0');
  std::string module = nul == std::string::npos ? s : s.substr(0, nul);
  std::string query = nul == std::string::npos ? "data.fuzz" : s.substr(nul + 1);
  gatehouse::rego::Engine e;
  if (!e.AddModule("fuzz.rego", "package fuzz\n" + module).ok()) return 0;
  if (!e.Compile().ok()) return 0;
  gatehouse::rego::PreparedQuery q;
  if (!e.PrepareQuery(query, &q).ok()) return 0;
  auto input = gatehouse::rego::ParseJson(R"({"a":[1,2,3],"b":{"c":"d"},"n":5})");
  gatehouse::rego::EvalOptions eo;
  eo.input = &*input;
  eo.timeout_us = 200000;
  eo.memory_limit_bytes = 64 << 20;
  eo.print = [](std::string_view) {};
  (void)q.Eval(eo);
  return 0;
}
