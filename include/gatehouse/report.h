// Reporters: pure functions from a Report to bytes. None of them reads
// files or reaches back into scanning. All output is deterministic for a
// given Report (findings are sorted; no timestamps).
//
// Formats: text (human; colors only when asked), json (versioned schema,
// docs/formats.md), sarif (2.1.0, accepted by GitHub code scanning), junit,
// github (workflow command annotations), markdown.
#pragma once

#include <cstddef>
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
  // sarif: tool.driver.informationUri (the tool's home page); omitted when
  // empty. Must be an absolute URI.
  std::string information_uri;
  // markdown: at most this many rows in the findings table (a PR comment
  // holds 65,536 characters); the rest are counted, not listed. 0 = all.
  size_t markdown_max_findings = 200;
};

// JSON schema version written as "schema_version" in json output. Bumped only
// for incompatible changes (a field removed, renamed or retyped); adding a
// field keeps the version. See docs/formats.md.
inline constexpr int kJsonSchemaVersion = 1;

// GitHub code scanning rejects a run with more results than this; sarif
// output keeps the most severe ones and says how many it dropped.
inline constexpr size_t kSarifMaxResults = 25000;

std::string Render(const Report& report, ReportFormat format, const RenderOptions& options = {});

}  // namespace gatehouse
