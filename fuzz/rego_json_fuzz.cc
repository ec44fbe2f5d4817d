// libFuzzer target for rego::ParseJson and the Value representation: any
// input either fails with an error or parses; a parsed value printed with
// ToJson must parse back to an equal Value with an equal Hash, and Compare
// must be reflexive. Exercises inline/heap strings (14-byte boundary),
// escapes, key interning, duplicate keys and the array/object build stacks.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "rego/value.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto v = gatehouse::rego::ParseJson(text, "fuzz.json");
  if (!v.ok()) return 0;
  std::string out = v->ToJson();
  auto again = gatehouse::rego::ParseJson(out, "again.json");
  if (!again.ok()) std::abort();
  if (gatehouse::rego::Value::Compare(*v, *again) != 0) std::abort();
  if (v->Hash() != again->Hash()) std::abort();
  if (again->ToJson() != out) std::abort();
  gatehouse::rego::Value copy = *v;
  if (gatehouse::rego::Value::Compare(copy, *v) != 0) std::abort();
  return 0;
}
