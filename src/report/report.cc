// Reporters. (Being written.)
#include "gatehouse/report.h"

namespace gatehouse {

std::optional<ReportFormat> ParseReportFormat(std::string_view name) {
  if (name == "text") return ReportFormat::kText;
  if (name == "json") return ReportFormat::kJson;
  if (name == "sarif") return ReportFormat::kSarif;
  if (name == "junit") return ReportFormat::kJunit;
  if (name == "github") return ReportFormat::kGithub;
  if (name == "markdown") return ReportFormat::kMarkdown;
  return std::nullopt;
}

std::string_view ReportFormatName(ReportFormat f) {
  switch (f) {
    case ReportFormat::kText: return "text";
    case ReportFormat::kJson: return "json";
    case ReportFormat::kSarif: return "sarif";
    case ReportFormat::kJunit: return "junit";
    case ReportFormat::kGithub: return "github";
    case ReportFormat::kMarkdown: return "markdown";
  }
  return "text";
}

std::string Render(const Report&, ReportFormat, const RenderOptions&) { return {}; }

}  // namespace gatehouse
