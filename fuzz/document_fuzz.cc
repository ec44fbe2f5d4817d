// Fuzzes the shared Document loaders: JSON, YAML streams and TOML must
// never crash or hang; whatever parses must serialize to JSON that the
// JSON parser reads back to the same JSON.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "gatehouse/document.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto check_round_trip = [](const gatehouse::DocValue& v) {
    std::string json = v.ToJson();
    auto again = gatehouse::ParseJsonDocument(json);
    if (!again.ok() || again->Root().ToJson() != json) std::abort();
  };
  if (auto j = gatehouse::ParseJsonDocument(text); j.ok()) check_round_trip(j->Root());
  gatehouse::YamlStream s = gatehouse::ParseYamlStream(text);
  for (const auto& d : s.documents) check_round_trip(d.Root());
  if (auto t = gatehouse::ParseTomlDocument(text); t.ok()) check_round_trip(t->Root());
  return 0;
}
