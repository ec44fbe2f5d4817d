// Fuzz the .gatehouse.yaml parser: any bytes must give a Config or an Error.
#include <cstddef>
#include <cstdint>
#include <string>

#include "gatehouse/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  auto c = gatehouse::ParseConfig(text, "/fuzz/.gatehouse.yaml");
  if (!c.ok()) (void)c.error().ToString();
  return 0;
}
