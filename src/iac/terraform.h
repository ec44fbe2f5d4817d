// Internal to src/iac: the Terraform half of the IaC analyzer (owned by the
// Terraform/HCL2 work; called by the orchestrator in src/iac/iac.cc).
//
// AnalyzeTerraform() receives every Terraform file of the tree at once
// (`*.tf`, `*.tf.json`, and JSON plans from `terraform show -json`), groups
// them into modules by directory, parses each once with the HCL2 parser in
// src/hcl/, evaluates what it can (variable defaults, locals, inputs of
// local modules) and appends findings and inventory counts.
#pragma once

#include <string_view>
#include <vector>

#include "gatehouse/finding.h"
#include "gatehouse/iac.h"

namespace gatehouse::iac {

// True for files AnalyzeTerraform wants: *.tf, *.tf.json, and *.json whose
// content looks like a `terraform show -json` plan (format_version +
// planned_values / resource_changes).
bool IsTerraformPath(std::string_view path);
bool LooksLikeTerraformPlan(std::string_view path, std::string_view content);

void AnalyzeTerraform(const std::vector<const IacFile*>& files, const IacOptions& options,
                      std::vector<Finding>* findings, std::vector<Diagnostic>* diagnostics,
                      IacInventory* inventory);

// Every Terraform rule (ids "tf/..."), sorted by id.
const std::vector<RuleInfo>& TerraformRuleInfos();

}  // namespace gatehouse::iac
