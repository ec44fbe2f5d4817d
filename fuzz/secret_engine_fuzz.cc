// Fuzz the secret scan of arbitrary content with the built-in rules: window
// arithmetic at buffer edges, multi-line matches, line/column computation,
// redaction and the Terraform checks (the input is scanned as a .tf file too).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "gatehouse/secrets_scan.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static std::unique_ptr<gatehouse::SecretScanner> scanner = [] {
    gatehouse::SecretsOptions opt;
    auto s = gatehouse::SecretScanner::Create("/nonexistent-fuzz-root", opt);
    return s.ok() ? std::move(s).value() : nullptr;
  }();
  if (!scanner) return 0;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::vector<gatehouse::Finding> out;
  scanner->ScanContent("src/fuzz.py", text, {}, &out);
  scanner->ScanContent("infra/main.tf", text, {}, &out);
  for (const auto& f : out) {
    if (f.location.line < 0 || f.location.column < 0) __builtin_trap();
  }
  return 0;
}
