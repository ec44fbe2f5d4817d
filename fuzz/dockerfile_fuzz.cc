// Fuzzes the Dockerfile parser and checks: whatever the bytes, parsing and
// checking must not crash, every error must carry a line inside the input,
// and every position the parser hands out must lie inside the input.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "iac/dockerfile.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace gatehouse::iac;
  if (size > 64 * 1024) return 0;
  std::string text(reinterpret_cast<const char*>(data), size);
  Dockerfile df = ParseDockerfile(text, "Dockerfile");
  const long lines = std::count(text.begin(), text.end(), '\n') + 1;
  for (const auto& e : df.errors)
    if (e.line < 1 || e.line > lines) {
      std::fprintf(stderr, "error line %d outside 1..%ld\n", e.line, lines);
      std::abort();
    }
  for (const DfInstruction& ins : df.instructions) {
    if (ins.pos.line < 1 || static_cast<long>(ins.pos.line) > lines || ins.end_line > lines) {
      std::fprintf(stderr, "instruction position outside the input\n");
      std::abort();
    }
    for (size_t off = 0; off < ins.args.size(); off += 7) (void)ins.PosAt(off);
  }
  std::vector<gatehouse::Finding> out;
  (void)CheckDockerfile(df, "Dockerfile", text, nullptr, &out);
  for (const auto& f : out)
    if (f.location.line < 0 || f.location.line > lines) std::abort();
  return 0;
}
