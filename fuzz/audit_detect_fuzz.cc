// Fuzz the audit's evidence detectors on one file: any bytes, under any of
// the paths the detectors treat specially (workflows, rule files, CODEOWNERS,
// Dockerfiles, Terraform, package.json, .gitignore, runbooks), must give
// artifacts and findings that point inside the file, and never crash. Every
// few inputs the whole pipeline (scoring and all renderers) runs on the file
// too.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "audit/internal.h"
#include "gatehouse/audit.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace gatehouse;
  if (size > 64 * 1024 || size == 0) return 0;
  static const char* kPaths[] = {".github/workflows/ci.yml",
                                 "deploy/prometheus/alerts.yml",
                                 ".github/CODEOWNERS",
                                 "services/a/Dockerfile",
                                 "infra/main.tf",
                                 "services/a/package.json",
                                 ".gitignore",
                                 "docs/runbooks/rollback.md",
                                 "deploy/k8s/rollout.yaml",
                                 "dashboards/a.json",
                                 "services/a/tests/test_a.py",
                                 ".env"};
  constexpr size_t kN = sizeof(kPaths) / sizeof(kPaths[0]);
  std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);
  const char* path = kPaths[data[0] % kN];
  audit::FileEvidence fe = audit::DetectFile(path, text);
  int lines = 1;
  for (char c : text) lines += c == '\n';
  for (const auto& a : fe.artifacts)
    if (a.location.line < 0 || a.location.line > lines + 1) std::abort();
  for (const auto& f : fe.findings)
    if (f.location.line < 0 || f.location.line > lines + 1 || f.fingerprint.size() != 32)
      std::abort();
  if (data[0] >= 0xF0) {
    AuditOptions o;
    o.threads = 1;
    o.consolidate = false;
    AuditResult r = AuditFiles({{path, text}, {"README.md", "# x\n"}}, o);
    if (r.areas.size() != 9) std::abort();
    for (auto fmt : {AuditFormat::kMarkdown, AuditFormat::kHtml, AuditFormat::kJson})
      (void)RenderAudit(r, fmt);
  }
  return 0;
}
