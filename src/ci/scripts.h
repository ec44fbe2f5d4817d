// Internal to src/ci: heuristics over `run:` scripts (scripts.cc). Pure
// functions over text; offsets are byte offsets into the script given.
#pragma once

#include <cstddef>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace gatehouse::ci {

// A logical line: continuation lines joined, comments removed.
struct ScriptLine {
  std::string text;
  size_t offset = 0;  // of the first physical line in the script
};
std::vector<ScriptLine> LogicalLines(std::string_view run);

// One command of a logical line and the operators around it.
struct ScriptCommand {
  std::string_view text;                 // trimmed
  size_t offset = 0;                     // in the logical line
  std::string_view op_before, op_after;  // "&&", "||", ";", "|" or ""
};
std::vector<ScriptCommand> SplitCommands(std::string_view line);
// Whitespace-separated words (quotes keep spaces inside a word).
std::vector<std::string_view> Words(std::string_view s);
// `word` with word boundaries ("trivy" in "./trivy image", not in "trivyx").
size_t FindWord(std::string_view text, std::string_view word, size_t from = 0);
// A command: words in order, only flags between them ("npm --x audit").
size_t FindCommand(std::string_view text, std::span<const std::string_view> words, size_t from = 0);
inline size_t FindCommand(std::string_view text, std::initializer_list<std::string_view> words) {
  return FindCommand(text, std::span<const std::string_view>(words.begin(), words.size()));
}
bool StartsWithView(std::string_view s, std::string_view p);

struct ScriptHit {
  size_t offset = 0;
  std::string what;
};

struct Placeholder {
  size_t offset = 0;
  std::string why;
  bool confidence_high = false;
};
// A script that does no work: only echo/printf/true/:/exit 0/sleep, or that
// prints TODO/FIXME/placeholder text instead of the work the name promises.
std::optional<Placeholder> DetectPlaceholder(std::string_view run, std::string_view step_name,
                                             std::string_view job_name);

bool IsTestCommand(std::string_view command);
// `npm test || npm test`, --reruns, retry loops around tests.
std::optional<ScriptHit> DetectRetry(std::string_view run);
// `cmd || true`, `|| exit 0`, `|| :`, `|| echo ...` (in [from, to) when given).
std::optional<ScriptHit> DetectIgnoredFailure(std::string_view run, size_t from, size_t to);

enum class ScannerKind {
  kScan,          // fails the job on findings when configured to
  kCodeScanning,  // results go to code scanning (CodeQL, Scorecard)
  kSupplyChain,   // SBOM, signing, attestation: produces evidence
};
struct ScannerHit {
  std::string name;
  ScannerKind kind = ScannerKind::kScan;
  size_t offset = 0;  // in the script (run steps)
};
std::optional<ScannerHit> ScannerForAction(std::string_view name_without_ref);
std::vector<ScannerHit> ScannersInRun(std::string_view run);
// `|| true`, `--exit-code 0`, `--soft-fail`, `set +e` ... around the scanner.
std::optional<ScriptHit> NeuteredScannerRun(std::string_view run, const ScannerHit& hit);
// A CLI that exits 0 on findings by default (trivy without --exit-code,
// grype without --fail-on, semgrep without --error, trufflehog without --fail).
bool ReportOnlyByDefault(std::string_view run, const ScannerHit& hit);

// ::set-output / ::save-state (deprecated), ::set-env / ::add-path (disabled).
std::vector<ScriptHit> DeprecatedCommands(std::string_view run, bool* disabled);

// "" when valid, else what is wrong (GitHub's 5-field POSIX cron).
std::string CronProblem(std::string_view cron);

// A run script with whitespace, comments, paths, variables, expressions,
// numbers and quoted strings normalized: the consolidation signature.
std::string NormalizeRun(std::string_view run);

}  // namespace gatehouse::ci
