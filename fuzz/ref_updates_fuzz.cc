// Fuzz the parsers of git hook input (pre-receive and pre-push lines) and of
// --since dates: any bytes must give a value or an Error, never a crash.
#include <cstddef>
#include <cstdint>
#include <string>

#include "gatehouse/git_scan.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  for (bool pre_push : {false, true}) {
    auto r = gatehouse::ParseRefUpdates(text, pre_push);
    if (r.ok()) {
      for (const auto& u : *r)
        if (u.new_id.empty() || u.old_id.empty()) __builtin_trap();
    }
  }
  (void)gatehouse::ParseSince(text, 1700000000);
  return 0;
}
