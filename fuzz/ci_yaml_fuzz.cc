// Differential fuzzing of the CI analyzer's fast YAML parser against
// yaml-cpp: whenever the fast parser accepts a document, yaml-cpp must accept
// it too and produce the same tree (kinds, tags, scalars, positions).
// Inputs deep enough to threaten yaml-cpp's recursion are left out of the
// comparison (ParseYaml rejects them before yaml-cpp sees them).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "ci/yaml.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace gatehouse::ci;
  if (size > 64 * 1024) return 0;
  std::string text(reinterpret_cast<const char*>(data), size);
  YamlParse full = ParseYaml(text);  // must never crash, whatever the path
  if (full.doc) (void)DebugString(full.root);
  Doc doc;
  if (ParseYamlFast(text, &doc) != FastResult::kOk) return 0;
  std::string fast = DebugString(doc.Root());
  YamlParse ref = ParseYamlWithYamlCpp(text);
  if (!ref.doc) {
    std::fprintf(stderr, "fast parser accepted, yaml-cpp rejected: %s\n", ref.error.c_str());
    std::abort();
  }
  std::string want = DebugString(ref.root);
  if (fast != want) {
    std::fprintf(stderr, "trees differ\n--- fast\n%s--- yaml-cpp\n%s", fast.c_str(), want.c_str());
    std::abort();
  }
  return 0;
}
