// Reporters: pure functions from a Report to bytes. None of them reads
// files or reaches back into scanning. All output is deterministic for a
// given Report (findings are sorted; no timestamps).
//
// Formats: text (human; colors only when asked), json (versioned schema,
// docs/formats.md), sarif (2.1.0, accepted by GitHub code scanning), junit,
// github (workflow command annotations), markdown.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "gatehouse/finding.h"

namespace gatehouse {

enum class ReportFormat { kText, kJson, kSarif, kJunit, kGithub, kMarkdown };
std::optional<ReportFormat> ParseReportFormat(std::string_view name);
std::string_view ReportFormatName(ReportFormat f);

struct RenderOptions {
  bool color = false;    // ANSI colors (text only); the CLI sets it on a TTY
  bool verbose = false;  // text: also list diagnostics one by one
};

// JSON schema version written as "schema_version" in json output.
inline constexpr int kJsonSchemaVersion = 1;

std::string Render(const Report& report, ReportFormat format, const RenderOptions& options = {});

}  // namespace gatehouse
