// Rendering and exit codes shared by the commands.
#include "cli/output.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>

namespace gatehouse::cli {

bool WriteReport(Report& report, const OutputArgs& out) {
  RenderOptions ro;
  ro.verbose = out.verbose;
  bool to_terminal = (out.output.empty() || out.output == "-") && isatty(STDOUT_FILENO);
  ro.color =
      out.color == "always" || (out.color == "auto" && to_terminal && !std::getenv("NO_COLOR"));
  // Timings make output non-deterministic; only the human format shows them.
  if (out.format != ReportFormat::kText) report.stats.seconds = 0;
  std::string text = Render(report, out.format, ro);
  if (out.output.empty() || out.output == "-") {
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fflush(stdout);
    return true;
  }
  std::ofstream f(out.output, std::ios::binary | std::ios::trunc);
  f.write(text.data(), static_cast<std::streamsize>(text.size()));
  f.close();
  if (!f) {
    std::fprintf(stderr, "gatehouse: error: cannot write %s\n", out.output.c_str());
    return false;
  }
  return true;
}

int Fail(const Error& e) {
  std::fprintf(stderr, "gatehouse: error: %s\n", e.ToString().c_str());
  return 2;
}

int FindingsExitCode(const Report& report, Severity fail_on, bool never_fail) {
  if (never_fail) return 0;
  for (const auto& f : report.findings)
    if (f.severity >= fail_on) return 1;
  return 0;
}

bool ParseFailOn(const std::string& text, Severity* fail_on, bool* never_fail) {
  if (text.empty()) return true;
  if (text == "none") {
    *never_fail = true;
    return true;
  }
  if (auto s = ParseSeverity(text)) {
    *fail_on = *s;
    return true;
  }
  std::fprintf(stderr,
               "gatehouse: error: bad --fail-on '%s' (critical, high, medium, low, info, none)\n",
               text.c_str());
  return false;
}

}  // namespace gatehouse::cli
