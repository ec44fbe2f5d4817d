// Rendering a report and choosing the exit code, shared by the commands.
#pragma once

#include <string>

#include "gatehouse/finding.h"
#include "gatehouse/report.h"
#include "gatehouse/result.h"

namespace gatehouse::cli {

struct OutputArgs {
  ReportFormat format = ReportFormat::kText;
  std::string output;  // "" or "-" = stdout
  std::string color = "auto";
  bool verbose = false;
};

// Renders to stdout or the output file; returns false (after printing an
// error) if the file cannot be written.
bool WriteReport(Report& report, const OutputArgs& out);

// Exit code for the findings: 1 if any is at or above `fail_on`.
int FindingsExitCode(const Report& report, Severity fail_on, bool never_fail);

// Prints "gatehouse: error: FILE:LINE:COL: message" and returns exit code 2.
int Fail(const Error& e);

// Parses --fail-on ("none" = never fail). Prints an error and returns false
// when the value is bad.
bool ParseFailOn(const std::string& text, Severity* fail_on, bool* never_fail);

}  // namespace gatehouse::cli
