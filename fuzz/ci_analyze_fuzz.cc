// Fuzz the whole CI analyzer on one document: any bytes, as a workflow, an
// action or a Dependabot file, must give findings (or notes) and never crash;
// every finding must point inside the file.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "gatehouse/ci.h"
#include "gatehouse/ci_consolidate.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace gatehouse;
  if (size > 64 * 1024 || size == 0) return 0;
  // The first byte picks the kind of file; the rest is its content.
  std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);
  static const char* kPaths[] = {".github/workflows/fuzz.yml", ".github/actions/x/action.yml",
                                 ".github/dependabot.yml"};
  CiOptions o;
  o.check_credentials = false;
  o.threads = 1;
  const char* path = kPaths[data[0] % 3];
  CiResult r = AnalyzeCiFiles({{path, text}}, o);
  int lines = 1;
  for (char c : text) lines += c == '\n';
  for (const Finding& f : r.report.findings)
    if (f.location.line < 0 || f.location.line > lines + 1 || f.fingerprint.size() != 32)
      std::abort();
  // Two copies of a workflow always form a cluster candidate: plan it.
  if (data[0] % 3 == 0) {
    ConsolidateOptions co;
    co.threads = 1;
    ConsolidationPlan p = PlanConsolidationFiles(
        {{".github/workflows/a.yml", text}, {".github/workflows/b.yml", text}}, co);
    (void)RenderPlanJson(p);
  }
  return 0;
}
