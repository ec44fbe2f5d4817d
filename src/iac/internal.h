// Internal to src/iac: what the Kubernetes, Helm and Dockerfile halves of
// the IaC analyzer share — the rule table, building a Finding with a stable
// fingerprint, and the secret-name heuristic. Not a public API.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "gatehouse/finding.h"
#include "gatehouse/iac.h"

namespace gatehouse {
class SecretScanner;
}

namespace gatehouse::iac {

// The K8s, Helm and Dockerfile rules plus iac/parse-error (Terraform rules
// come from TerraformRuleInfos()). Sorted by id.
const std::vector<RuleInfo>& NativeRuleInfos();
const RuleInfo* FindNativeRule(std::string_view id);

// A finding for rule `id` at path:line:column. The fingerprint hashes rule,
// path and `key` (the offending content, never the line number), so it
// survives edits elsewhere in the file. `end_column` 0 = unknown.
Finding MakeFinding(std::string_view id, std::string path, int line, int column,
                    std::string message, std::string_view key, int end_column = 0);

// Names that suggest a credential (PASSWORD, DB_PASS, API_KEY, SECRET_KEY,
// AUTH_TOKEN, PRIVATE_KEY, CREDENTIALS, ...), case-insensitive.
bool LooksLikeSecretName(std::string_view name);
// A literal worth reporting under a secret-looking name: non-empty, not a
// variable/command reference ($X, ${X}, $(x), {{ }}), not a boolean/number,
// not an obvious file path or placeholder like "<password>".
bool LooksLikeLiteralSecret(std::string_view value);
// "ab…yz (N chars)"-style redaction used in messages and evidence.
std::string Redact(std::string_view secret);

// The line `line` (1-based) of text, without the newline; "" past the end.
std::string_view LineOf(std::string_view text, int line);

// Scans `content` with the secret engine (when `scanner` is set) and returns
// the hits whose line is in `lines` (1-based); evidence is redacted.
std::vector<Finding> SecretHitsOnLines(const SecretScanner* scanner, std::string_view path,
                                       std::string_view content, const std::vector<int>& lines);

}  // namespace gatehouse::iac
