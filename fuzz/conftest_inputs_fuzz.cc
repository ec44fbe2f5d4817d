// Fuzz target: the conftest input parsers (INI, .env, XML, Dockerfile).
// The first byte picks the parser; the rest is the file. Every parser must
// return a Document or an Error with a position, never crash or hang.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "formats/inputs.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  switch (data[0] % 4) {
    case 0: {
      auto r = gatehouse::ParseIniInput(text, "f.ini");
      if (r.ok()) (void)r->Root().ToJson();
      break;
    }
    case 1: {
      auto r = gatehouse::ParseDotenvInput(text, ".env");
      if (r.ok()) (void)r->Root().ToJson();
      break;
    }
    case 2: {
      auto r = gatehouse::ParseXmlInput(text, "f.xml");
      if (r.ok()) (void)r->Root().ToJson();
      break;
    }
    default: {
      auto r = gatehouse::ParseDockerfileInput(text, "Dockerfile");
      if (r.ok()) (void)r->Root().ToJson();
      break;
    }
  }
  return 0;
}
