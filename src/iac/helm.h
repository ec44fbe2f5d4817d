// Internal to src/iac: Helm charts analyzed without Helm.
//
// A template is made parseable YAML by neutralizing its template actions
// ({{ ... }}) in place — every byte keeps its line and column — and the
// actions we understand (.Values.x.y, .Chart.*, default, quote, toYaml of a
// values subtree, with-blocks) are resolved against values.yaml/Chart.yaml,
// so findings about a value point into values.yaml. See helm.cc and
// docs/iac.md ("Helm") for the method and its limits.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "gatehouse/finding.h"
#include "gatehouse/iac.h"
#include "iac/k8s.h"

namespace gatehouse::iac {

// One template action found in a template.
struct HelmAction {
  size_t offset = 0;         // of "{{"
  size_t length = 0;         // through "}}"
  int line = 0, column = 0;  // 1-based, of "{{"
  std::string expr;          // the text between the delimiters, trim markers removed
  bool whole_line = false;   // only actions and blanks on its line(s): blanked
};

// Replaces every action with same-length text: blanks when the action's
// lines hold nothing but actions and whitespace (control flow, include |
// nindent), otherwise a plain-scalar placeholder ("H" then "_"s). Newlines
// inside actions are kept, so line numbers never move. `actions` receives
// every action in order. An unterminated "{{" is reported in *error.
std::string NeutralizeTemplate(std::string_view text, std::vector<HelmAction>* actions,
                               std::string* error = nullptr, int* error_line = nullptr,
                               int* error_column = nullptr);

struct HelmChartFiles {
  std::string dir;  // chart directory ("" = root)
  const IacFile* chart_yaml = nullptr;
  const IacFile* values_yaml = nullptr;
  std::vector<const IacFile*> templates;
};

// Neutralizes and parses every template of the chart, resolves values and
// appends one K8sSource per template; parse errors become findings.
void LoadHelmChart(const HelmChartFiles& chart, std::vector<K8sSource>* out,
                   std::vector<Finding>* findings, IacInventory* inventory);

// --helm-render: runs `helm template` on the chart directory (under `root`)
// and splits the output by its "# Source:" comments. Fails when helm is not
// on PATH or the render fails.
Result<std::vector<IacFile>> RenderHelmChart(const std::string& root, const std::string& dir);

}  // namespace gatehouse::iac
