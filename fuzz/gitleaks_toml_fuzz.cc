// Fuzz the gitleaks TOML loader and, when a rule set loads, the engine
// compile (lenient, as for users' gitleaks configs) and a scan of the input.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "gatehouse/secrets.h"

// Every input is a new rule set: do not fill the compile cache with them.
extern "C" int LLVMFuzzerInitialize(int*, char***) {
  setenv("GATEHOUSE_CACHE_DIR", "off", 1);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  auto rules = gatehouse::LoadGitleaksToml(text, "fuzz.toml");
  if (!rules.ok() || rules->rules.size() > 8) return 0;
  std::vector<gatehouse::Diagnostic> diags;
  auto engine = gatehouse::SecretEngine::Compile(*rules, true, &diags);
  if (engine.ok()) (void)(*engine)->Scan("fuzz.txt", text);
  return 0;
}
