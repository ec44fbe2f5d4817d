// Heuristics over `run:` scripts: what a shell step does, read the way a
// reviewer reads it. No shell is executed and no full shell grammar is
// parsed; scripts are split into logical lines (backslash continuations
// joined, comments dropped) and commands (on `&&`, `||`, `;`, `|` outside
// quotes), which is enough to tell "echo TODO" from work, `trivy ... || true`
// from a gate, and `npm test || npm test` from a test run. Every function is
// pure and returns offsets into the script so findings point at the text.
#include <algorithm>
#include <array>
#include <cctype>

#include "ci/scripts.h"
#include "gatehouse/base.h"

namespace gatehouse::ci {

namespace {

bool WordChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
}

bool Space(char c) { return c == ' ' || c == '\t'; }

std::string_view TrimView(std::string_view s) {
  while (!s.empty() && (Space(s.front()) || s.front() == '\r' || s.front() == '\n'))
    s.remove_prefix(1);
  while (!s.empty() && (Space(s.back()) || s.back() == '\r' || s.back() == '\n'))
    s.remove_suffix(1);
  return s;
}

}  // namespace

std::vector<ScriptLine> LogicalLines(std::string_view run) {
  std::vector<ScriptLine> out;
  size_t i = 0;
  ScriptLine cur;
  bool have = false;
  while (i <= run.size()) {
    size_t e = run.find('\n', i);
    if (e == std::string_view::npos) e = run.size();
    std::string_view raw = run.substr(i, e - i);
    if (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);
    // Drop a comment: '#' at the start of a word, outside quotes.
    char quote = 0;
    size_t cut = raw.size();
    for (size_t k = 0; k < raw.size(); ++k) {
      char c = raw[k];
      if (quote) {
        if (c == quote)
          quote = 0;
        else if (c == '\\' && quote == '"')
          ++k;
        continue;
      }
      if (c == '\'' || c == '"')
        quote = c;
      else if (c == '\\')
        ++k;
      else if (c == '#' && (k == 0 || Space(raw[k - 1]))) {
        cut = k;
        break;
      }
    }
    std::string_view body = raw.substr(0, cut);
    bool cont = !body.empty() && body.back() == '\\' && cut == raw.size();
    if (cont) body.remove_suffix(1);
    if (!have) {
      cur = ScriptLine{};
      cur.offset = i;
      have = true;
    }
    cur.text += std::string(body);
    if (cont) {
      cur.text += ' ';
    } else {
      if (!TrimView(cur.text).empty()) out.push_back(std::move(cur));
      have = false;
    }
    if (e == run.size()) break;
    i = e + 1;
  }
  if (have && !TrimView(cur.text).empty()) out.push_back(std::move(cur));
  return out;
}

std::vector<ScriptCommand> SplitCommands(std::string_view line) {
  std::vector<ScriptCommand> out;
  char quote = 0;
  int paren = 0;
  size_t start = 0;
  std::string_view op_before;
  auto flush = [&](size_t end, std::string_view op) {
    std::string_view raw = line.substr(start, end - start);
    size_t lead = 0;
    while (lead < raw.size() && Space(raw[lead])) ++lead;
    ScriptCommand c;
    c.text = TrimView(raw);
    c.offset = start + lead;
    c.op_before = op_before;
    c.op_after = op;
    if (!c.text.empty()) out.push_back(c);
    op_before = op;
  };
  for (size_t k = 0; k < line.size(); ++k) {
    char c = line[k];
    if (quote) {
      if (c == quote)
        quote = 0;
      else if (c == '\\' && quote == '"')
        ++k;
      continue;
    }
    if (c == '\'' || c == '"' || c == '`') {
      quote = c;
      continue;
    }
    if (c == '\\') {
      ++k;
      continue;
    }
    if (c == '$' && k + 1 < line.size() && line[k + 1] == '(') {
      ++paren;
      ++k;
      continue;
    }
    if (c == '(' && paren > 0) {
      ++paren;
      continue;
    }
    if (c == ')' && paren > 0) {
      --paren;
      continue;
    }
    if (paren > 0) continue;
    if ((c == '&' || c == '|') && k + 1 < line.size() && line[k + 1] == c) {
      flush(k, line.substr(k, 2));
      start = k + 2;
      ++k;
    } else if (c == ';' || c == '|') {
      flush(k, line.substr(k, 1));
      start = k + 1;
    }
  }
  flush(line.size(), "");
  return out;
}

std::vector<std::string_view> Words(std::string_view s) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && Space(s[i])) ++i;
    size_t b = i;
    char quote = 0;
    while (i < s.size() && (quote || !Space(s[i]))) {
      if (quote) {
        if (s[i] == quote) quote = 0;
      } else if (s[i] == '\'' || s[i] == '"') {
        quote = s[i];
      } else if (s[i] == '$' && s.substr(i, 3) == "${{") {
        size_t close = s.find("}}", i + 3);
        if (close != std::string_view::npos) {
          i = close + 2;
          continue;
        }
      }
      ++i;
    }
    if (i > b) out.push_back(s.substr(b, i - b));
  }
  return out;
}

size_t FindWord(std::string_view text, std::string_view word, size_t from) {
  if (word.empty()) return std::string_view::npos;
  size_t p = text.find(word, from);
  while (p != std::string_view::npos) {
    bool left = p == 0 || !(WordChar(text[p - 1]) || text[p - 1] == '/');
    // "./trivy" and "/usr/bin/trivy" still name trivy.
    if (p > 0 && text[p - 1] == '/') left = true;
    size_t e = p + word.size();
    bool right = e >= text.size() || !WordChar(text[e]) || text[e] == '.';
    if (e < text.size() && text[e] == '.' && e + 1 < text.size() &&
        std::isalnum(static_cast<unsigned char>(text[e + 1])))
      right = false;
    if (left && right) return p;
    p = text.find(word, p + 1);
  }
  return std::string_view::npos;
}

size_t FindCommand(std::string_view text, std::span<const std::string_view> words, size_t from) {
  auto it = words.begin();
  if (it == words.end()) return std::string_view::npos;
  while (true) {
    size_t p = FindWord(text, *it, from);
    if (p == std::string_view::npos) return p;
    size_t q = p + it->size();
    bool ok = true;
    for (auto w = std::next(it); w != words.end() && ok; ++w) {
      size_t s = q;
      while (s < text.size() && Space(text[s])) ++s;
      // Allow flags between the tool and its subcommand: "npm --prefix x audit".
      size_t found = FindWord(text.substr(0, std::min(text.size(), s + 80)), *w, s);
      size_t nl = text.find('\n', s);
      if (found == std::string_view::npos || (nl != std::string_view::npos && found > nl) ||
          (s == q && s < text.size())) {
        ok = false;
        break;
      }
      // Only flags and their values may sit between ("npm --prefix web audit").
      bool after_flag = false;
      for (std::string_view between : Words(text.substr(s, found - s))) {
        bool flag = !between.empty() && between[0] == '-';
        if (!flag && !after_flag) ok = false;
        after_flag = flag && between.find('=') == std::string_view::npos;
      }
      q = found + w->size();
    }
    if (ok) return p;
    from = p + 1;
  }
}

// ---- placeholders -------------------------------------------------------------

namespace {

bool HasMarker(std::string_view s, std::string* marker) {
  static constexpr std::array<std::string_view, 11> kMarkers = {
      "todo",      "fixme",       "placeholder", "not implemented", "not yet implemented",
      "tbd",       "coming soon", "replace me",  "replace this",    "stub",
      "to be done"};
  std::string low = AsciiLower(s);
  for (std::string_view m : kMarkers) {
    size_t p = FindWord(low, m);
    if (p != std::string::npos) {
      *marker = std::string(s.substr(p, m.size()));
      return true;
    }
  }
  return false;
}

// A command that does nothing observable: echo/printf without redirection
// or command substitution, true, :, exit 0, sleep.
bool NoopCommand(const ScriptCommand& c, bool* echoes) {
  std::vector<std::string_view> w = Words(c.text);
  if (w.empty()) return true;
  std::string first = AsciiLower(w[0]);
  if (c.op_after == "|" || c.op_before == "|") return false;  // feeds or reads a pipe
  if (first == "true" || first == ":") return w.size() == 1;
  if (first == "exit") return w.size() == 1 || w[1] == "0";
  if (first == "sleep") return w.size() <= 2;
  if (first == "echo" || first == "printf" || first == "write-host" || first == "write-output") {
    if (c.text.find('>') != std::string_view::npos) return false;   // writes a file/output
    if (c.text.find("::") != std::string_view::npos) return false;  // a workflow command
    if (c.text.find("$(") != std::string_view::npos || c.text.find('`') != std::string_view::npos)
      return false;
    *echoes = true;
    return true;
  }
  return false;
}

bool NamePromisesWork(std::string_view name) {
  static constexpr std::array<std::string_view, 26> kWork = {
      "test",     "tests",    "build",     "deploy",  "lint",    "scan",    "publish",
      "release",  "migrate",  "verify",    "check",   "install", "compile", "package",
      "e2e",      "security", "audit",     "sign",    "upload",  "push",    "integration",
      "coverage", "validate", "provision", "rollout", "smoke"};
  std::string low = AsciiLower(name);
  for (std::string_view w : kWork) {
    size_t p = low.find(w);
    if (p != std::string::npos && (p == 0 || !std::isalpha(static_cast<unsigned char>(low[p - 1]))))
      return true;
  }
  return false;
}

bool NameIsInformational(std::string_view name) {
  static constexpr std::array<std::string_view, 14> kInfo = {
      "print",   "log",    "show", "info",    "debug",   "summary", "echo",
      "display", "notify", "dump", "context", "version", "banner",  "message"};
  std::string low = AsciiLower(name);
  for (std::string_view w : kInfo)
    if (low.find(w) != std::string::npos) return true;
  return false;
}

}  // namespace

std::optional<Placeholder> DetectPlaceholder(std::string_view run, std::string_view step_name,
                                             std::string_view job_name) {
  std::vector<ScriptLine> lines = LogicalLines(run);
  if (lines.empty()) return std::nullopt;
  bool echoes = false;
  size_t commands = 0;
  for (const ScriptLine& l : lines) {
    std::string_view text = TrimView(l.text);
    // Shell control structures do work (loops, conditionals).
    for (std::string_view kw : {"if ", "for ", "while ", "case ", "function ", "then", "do"})
      if (StartsWithView(text, kw)) return std::nullopt;
    for (const ScriptCommand& c : SplitCommands(l.text)) {
      ++commands;
      if (!NoopCommand(c, &echoes)) return std::nullopt;
    }
  }
  if (commands == 0) return std::nullopt;
  Placeholder p;
  std::string marker;
  const bool has_marker = HasMarker(run, &marker);
  if (NameIsInformational(step_name) && !has_marker) return std::nullopt;
  // An unnamed echo that prints variables is a log line, not a placeholder.
  const bool prints_values =
      run.find("${{") != std::string_view::npos || run.find('$') != std::string_view::npos;
  const bool promises = NamePromisesWork(step_name);
  (void)job_name;
  if (!has_marker && !promises && prints_values) return std::nullopt;
  if (has_marker) {
    p.why = "it only prints '" + marker + "'";
    p.confidence_high = true;
  } else if (echoes) {
    p.why = "it only echoes text";
    p.confidence_high = promises;
  } else {
    p.why = "it only runs no-op commands (true, :, exit 0, sleep)";
    p.confidence_high = promises;
  }
  if (!echoes && !has_marker && !promises && step_name.empty()) p.confidence_high = false;
  p.offset = lines.front().offset;
  return p;
}

bool StartsWithView(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

// ---- tests and retries -----------------------------------------------------------

bool IsTestCommand(std::string_view command) {
  static constexpr std::array<std::string_view, 14> kRunners = {
      "pytest", "jest",  "mocha", "vitest",   "rspec", "phpunit", "tox",
      "nox",    "karma", "ctest", "unittest", "ava",   "cypress", "behave"};
  std::vector<std::string_view> w = Words(command);
  for (size_t i = 0; i < w.size(); ++i) {
    std::string tok = AsciiLower(w[i]);
    size_t slash = tok.rfind('/');
    if (slash != std::string::npos) tok = tok.substr(slash + 1);
    for (std::string_view r : kRunners)
      if (tok == r) return true;
    if (i > 0 && (StartsWithView(tok, "test") || tok == "check" || tok == "e2e" ||
                  tok == "verify" || tok == "spec"))
      return true;
  }
  return false;
}

namespace {

std::string NormalizeForCompare(std::string_view s) {
  std::string out;
  for (std::string_view w : Words(s)) {
    if (!out.empty()) out += ' ';
    out += std::string(w);
  }
  return out;
}

}  // namespace

std::optional<ScriptHit> DetectRetry(std::string_view run) {
  for (const ScriptLine& l : LogicalLines(run)) {
    std::vector<ScriptCommand> cmds = SplitCommands(l.text);
    for (size_t i = 0; i + 1 < cmds.size(); ++i) {
      if (cmds[i].op_after != "||") continue;
      if (!IsTestCommand(cmds[i].text)) continue;
      if (NormalizeForCompare(cmds[i].text) == NormalizeForCompare(cmds[i + 1].text))
        return ScriptHit{l.offset + cmds[i + 1].offset,
                         "the test command is run again when it fails ('" +
                             std::string(cmds[i].text) + " || " + std::string(cmds[i + 1].text) +
                             "')"};
    }
    // Re-run flags of common runners.
    for (std::string_view flag :
         {"--reruns", "--rerun-fails", "--flake-attempts", "--flaky-test-attempts",
          "--only-failures-retry", "--retry-failed"}) {
      size_t p = l.text.find(flag);
      if (p != std::string::npos && IsTestCommand(l.text))
        return ScriptHit{l.offset + p,
                         "the test runner re-runs failing tests (" + std::string(flag) + ")"};
    }
  }
  // for i in 1 2 3; do <test> && break; done
  size_t loop = run.find("for ");
  while (loop != std::string_view::npos) {
    size_t done = run.find("done", loop);
    if (done == std::string_view::npos) break;
    std::string_view body = run.substr(loop, done - loop);
    size_t brk = body.find("&& break");
    if (brk != std::string_view::npos) {
      bool test = false;
      for (const ScriptLine& l : LogicalLines(body))
        for (const ScriptCommand& c : SplitCommands(l.text)) test = test || IsTestCommand(c.text);
      if (test) return ScriptHit{loop, "a retry loop re-runs the tests until they pass"};
    }
    loop = run.find("for ", done);
  }
  return std::nullopt;
}

std::optional<ScriptHit> DetectIgnoredFailure(std::string_view run, size_t from, size_t to) {
  for (const ScriptLine& l : LogicalLines(run)) {
    std::vector<ScriptCommand> cmds = SplitCommands(l.text);
    for (size_t i = 0; i + 1 < cmds.size(); ++i) {
      size_t abs = l.offset + cmds[i].offset;
      if (to != std::string_view::npos && (abs < from || abs >= to) &&
          !(l.offset <= from && from < l.offset + l.text.size()))
        continue;
      if (cmds[i].op_after != "||") continue;
      std::vector<std::string_view> w = Words(cmds[i + 1].text);
      if (w.empty()) continue;
      std::string first = AsciiLower(w[0]);
      if (first == "true" || first == ":" || (first == "exit" && w.size() > 1 && w[1] == "0") ||
          first == "echo" || first == "printf")
        return ScriptHit{l.offset + cmds[i + 1].offset - (cmds[i].op_after.size() + 1),
                         "'|| " + std::string(cmds[i + 1].text) + "' ignores its exit code"};
    }
  }
  return std::nullopt;
}

// ---- security scanners --------------------------------------------------------------

namespace {

struct ScannerDef {
  std::string_view name;
  std::vector<std::string_view> actions;  // prefixes of uses without ref
  std::vector<std::vector<std::string_view>> commands;
  ScannerKind kind;
  // For CLIs that exit 0 on findings unless told otherwise: the flags that
  // make them fail (any of them present = gating).
  std::vector<std::string_view> fail_flags;
};

const std::vector<ScannerDef>& Scanners() {
  static const std::vector<ScannerDef> kDefs = {
      {"trivy", {"aquasecurity/trivy-action"}, {{"trivy"}}, ScannerKind::kScan, {"--exit-code"}},
      {"grype", {"anchore/scan-action"}, {{"grype"}}, ScannerKind::kScan, {"--fail-on", "-f"}},
      {"gitleaks",
       {"gitleaks/gitleaks-action", "zricethezav/gitleaks-action"},
       {{"gitleaks", "detect"}, {"gitleaks", "protect"}, {"gitleaks", "git"}, {"gitleaks", "dir"}},
       ScannerKind::kScan,
       {}},
      {"trufflehog",
       {"trufflesecurity/trufflehog"},
       {{"trufflehog"}},
       ScannerKind::kScan,
       {"--fail"}},
      {"codeql", {"github/codeql-action/analyze"}, {}, ScannerKind::kCodeScanning, {}},
      {"semgrep",
       {"returntocorp/semgrep-action", "semgrep/semgrep-action"},
       {{"semgrep"}},
       ScannerKind::kScan,
       {"--error", "ci"}},
      {"snyk",
       {"snyk/actions"},
       {{"snyk", "test"}, {"snyk", "code"}, {"snyk", "container"}, {"snyk", "iac"}},
       ScannerKind::kScan,
       {}},
      {"checkov", {"bridgecrewio/checkov-action"}, {{"checkov"}}, ScannerKind::kScan, {}},
      {"tfsec",
       {"aquasecurity/tfsec-action", "aquasecurity/tfsec-sarif-action", "tfsec/tfsec-sarif-action"},
       {{"tfsec"}},
       ScannerKind::kScan,
       {}},
      {"kics", {"checkmarx/kics-github-action"}, {{"kics", "scan"}}, ScannerKind::kScan, {}},
      {"npm-audit",
       {},
       {{"npm", "audit"}, {"yarn", "audit"}, {"pnpm", "audit"}},
       ScannerKind::kScan,
       {}},
      {"pip-audit", {"pypa/gh-action-pip-audit"}, {{"pip-audit"}}, ScannerKind::kScan, {}},
      {"safety",
       {"pyupio/safety"},
       {{"safety", "check"}, {"safety", "scan"}},
       ScannerKind::kScan,
       {}},
      {"bandit", {}, {{"bandit"}}, ScannerKind::kScan, {}},
      {"gosec", {"securego/gosec"}, {{"gosec"}}, ScannerKind::kScan, {}},
      {"govulncheck", {"golang/govulncheck-action"}, {{"govulncheck"}}, ScannerKind::kScan, {}},
      {"osv-scanner", {"google/osv-scanner-action"}, {{"osv-scanner"}}, ScannerKind::kScan, {}},
      {"dependency-review", {"actions/dependency-review-action"}, {}, ScannerKind::kScan, {}},
      {"dependency-check",
       {"dependency-check/dependency-check_action"},
       {{"dependency-check"}, {"dependency-check.sh"}},
       ScannerKind::kScan,
       {"--failoncvss"}},
      {"cargo-audit",
       {"rustsec/audit-check", "embarkstudios/cargo-deny-action"},
       {{"cargo", "audit"}, {"cargo", "deny"}},
       ScannerKind::kScan,
       {}},
      {"bundler-audit",
       {},
       {{"bundle-audit"}, {"bundler-audit"}, {"bundle", "audit"}},
       ScannerKind::kScan,
       {}},
      {"hadolint", {"hadolint/hadolint-action"}, {{"hadolint"}}, ScannerKind::kScan, {}},
      {"scorecard", {"ossf/scorecard-action"}, {}, ScannerKind::kCodeScanning, {}},
      {"zap", {"zaproxy/action-"}, {}, ScannerKind::kScan, {}},
      {"docker-scout",
       {"docker/scout-action"},
       {{"docker", "scout", "cves"}},
       ScannerKind::kScan,
       {}},
      {"cosign",
       {},
       {{"cosign", "verify"}, {"cosign", "verify-attestation"}},
       ScannerKind::kScan,
       {}},
      {"cosign-sign",
       {},
       {{"cosign", "sign"}, {"cosign", "attest"}},
       ScannerKind::kSupplyChain,
       {}},
      {"sbom",
       {"anchore/sbom-action"},
       {{"syft"}, {"cyclonedx-npm"}, {"cdxgen"}},
       ScannerKind::kSupplyChain,
       {}},
      {"attest",
       {"actions/attest-build-provenance", "actions/attest-sbom", "actions/attest"},
       {},
       ScannerKind::kSupplyChain,
       {}},
  };
  return kDefs;
}

}  // namespace

std::optional<ScannerHit> ScannerForAction(std::string_view name_without_ref) {
  std::string low = AsciiLower(name_without_ref);
  for (const ScannerDef& d : Scanners())
    for (std::string_view a : d.actions)  // written in lower case
      if (StartsWithView(low, a) &&
          (low.size() == a.size() || low[a.size()] == '/' || a.back() == '-' || a.back() == '/'))
        return ScannerHit{std::string(d.name), d.kind, 0};
  return std::nullopt;
}

std::vector<ScannerHit> ScannersInRun(std::string_view run) {
  std::vector<ScannerHit> out;
  std::string low = AsciiLower(run);
  for (const ScannerDef& d : Scanners()) {
    // An install step ("pip install bandit", "brew install trivy", "curl
    // .../trivy.sh") is not a scan: take the first occurrence on another line.
    auto installs = [&](size_t at) {
      size_t ls = low.rfind('\n', at);
      ls = ls == std::string::npos ? 0 : ls + 1;
      std::string_view line = std::string_view(low).substr(ls, low.find('\n', at) - ls);
      return line.find("install") != std::string_view::npos ||
             line.find("curl ") != std::string_view::npos ||
             line.find("wget ") != std::string_view::npos ||
             line.find("--version") != std::string_view::npos;
    };
    size_t best = std::string::npos;
    for (const auto& cmd : d.commands) {
      size_t p = FindCommand(low, std::span<const std::string_view>(cmd), 0);
      while (p != std::string::npos && installs(p))
        p = FindCommand(low, std::span<const std::string_view>(cmd), p + 1);
      if (p < best) best = p;
    }
    if (best == std::string::npos) continue;
    out.push_back(ScannerHit{std::string(d.name), d.kind, best});
  }
  std::sort(out.begin(), out.end(),
            [](const ScannerHit& a, const ScannerHit& b) { return a.offset < b.offset; });
  return out;
}

std::optional<ScriptHit> NeuteredScannerRun(std::string_view run, const ScannerHit& hit) {
  // The logical line holding the scanner.
  for (const ScriptLine& l : LogicalLines(run)) {
    if (hit.offset < l.offset || hit.offset > l.offset + l.text.size() + 256) continue;
    std::string low = AsciiLower(l.text);
    for (std::string_view flag : {"--exit-code 0", "--exit-code=0", "--soft-fail", "--exit-zero",
                                  "--no-fail", "--ignore-on-exit all", "--ignore-on-exit=all",
                                  "--ignore-on-exit results", "--ignore-on-exit=results"}) {
      size_t p = low.find(flag);
      if (p != std::string::npos)
        return ScriptHit{l.offset + p, "'" + std::string(flag) + "' makes it exit 0 on findings"};
    }
    if (auto ignored = DetectIgnoredFailure(l.text, 0, std::string_view::npos))
      return ScriptHit{l.offset + ignored->offset, ignored->what};
    break;
  }
  // set +e before the scanner, and the scanner is not the script's last command.
  size_t plus_e = run.find("set +e");
  if (plus_e != std::string_view::npos && plus_e < hit.offset) {
    size_t minus_e = run.find("set -e", plus_e);
    std::vector<ScriptLine> lines = LogicalLines(run);
    bool last = !lines.empty() && hit.offset >= lines.back().offset;
    if ((minus_e == std::string_view::npos || minus_e > hit.offset) && !last)
      return ScriptHit{plus_e, "'set +e' before it discards its exit code"};
  }
  return std::nullopt;
}

bool ReportOnlyByDefault(std::string_view run, const ScannerHit& hit) {
  for (const ScannerDef& d : Scanners()) {
    if (d.name != hit.name || d.fail_flags.empty()) continue;
    std::string low = AsciiLower(run);
    size_t ls = low.rfind('\n', hit.offset);
    ls = ls == std::string::npos ? 0 : ls + 1;
    size_t le = low.find('\n', hit.offset);
    // Include continuation lines.
    while (le != std::string::npos && le > 0 && low[le - 1] == '\\') le = low.find('\n', le + 1);
    std::string_view line =
        std::string_view(low).substr(ls, le == std::string::npos ? low.npos : le - ls);
    for (std::string_view flag : d.fail_flags) {
      if (flag == "ci") {
        if (FindCommand(line, {"semgrep", "ci"}) != std::string::npos) return false;
        continue;
      }
      size_t p = FindWord(line, flag);
      if (p == std::string_view::npos) continue;
      if (flag == "--exit-code") {
        // --exit-code 0 is handled as neutering; anything else gates.
        std::string_view rest = line.substr(p + flag.size());
        while (!rest.empty() && (rest[0] == ' ' || rest[0] == '=')) rest.remove_prefix(1);
        if (!rest.empty() && rest[0] == '0') continue;
      }
      return false;
    }
    return true;
  }
  return false;
}

// ---- workflow commands -----------------------------------------------------------------

std::vector<ScriptHit> DeprecatedCommands(std::string_view run, bool* disabled) {
  std::vector<ScriptHit> out;
  *disabled = false;
  for (std::string_view cmd : {"::set-output ", "::save-state ", "::set-env ", "::add-path::"}) {
    for (size_t p = run.find(cmd); p != std::string_view::npos; p = run.find(cmd, p + 1)) {
      std::string name(cmd.substr(2, cmd.find_first_of(" :", 2) - 2));
      bool off = name == "set-env" || name == "add-path";
      if (off) *disabled = true;
      out.push_back(ScriptHit{p, name});
    }
  }
  std::sort(out.begin(), out.end(),
            [](const ScriptHit& a, const ScriptHit& b) { return a.offset < b.offset; });
  return out;
}

// ---- cron ----------------------------------------------------------------------------------

namespace {

std::optional<int> CronValue(std::string_view s, int field) {
  static constexpr std::array<std::string_view, 12> kMonths = {
      "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"};
  static constexpr std::array<std::string_view, 7> kDays = {"sun", "mon", "tue", "wed",
                                                            "thu", "fri", "sat"};
  std::string low = AsciiLower(s);
  if (field == 3)
    for (size_t i = 0; i < kMonths.size(); ++i)
      if (low == kMonths[i]) return static_cast<int>(i) + 1;
  if (field == 4)
    for (size_t i = 0; i < kDays.size(); ++i)
      if (low == kDays[i]) return static_cast<int>(i);
  if (s.empty() || s.size() > 3) return std::nullopt;
  int v = 0;
  for (char c : s) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return v;
}

}  // namespace

std::string CronProblem(std::string_view cron) {
  static constexpr std::array<std::string_view, 5> kNames = {"minute", "hour", "day of month",
                                                             "month", "day of week"};
  static constexpr int kMin[] = {0, 0, 1, 1, 0};
  static constexpr int kMax[] = {59, 23, 31, 12, 6};
  std::vector<std::string_view> fields = Words(cron);
  if (fields.size() != 5)
    return "cron needs 5 fields (minute hour day-of-month month day-of-week), got " +
           std::to_string(fields.size());
  for (int f = 0; f < 5; ++f) {
    std::string_view field = fields[static_cast<size_t>(f)];
    size_t b = 0;
    while (b <= field.size()) {
      size_t e = field.find(',', b);
      if (e == std::string_view::npos) e = field.size();
      std::string_view item = field.substr(b, e - b);
      std::string name(kNames[static_cast<size_t>(f)]);
      if (item.empty()) return "empty list item in the " + name + " field";
      std::string_view range = item, step;
      size_t slash = item.find('/');
      if (slash != std::string_view::npos) {
        range = item.substr(0, slash);
        step = item.substr(slash + 1);
        auto st = CronValue(step, -1);
        if (!st || *st == 0)
          return "invalid step '" + std::string(step) + "' in the " + name + " field";
      }
      if (range != "*") {
        size_t dash = range.find('-');
        std::string_view lo = dash == std::string_view::npos ? range : range.substr(0, dash);
        auto a = CronValue(lo, f);
        if (!a) return "invalid value '" + std::string(lo) + "' in the " + name + " field";
        if (*a < kMin[f] || *a > kMax[f])
          return "'" + std::string(lo) + "' is out of range for the " + name + " field (" +
                 std::to_string(kMin[f]) + "-" + std::to_string(kMax[f]) + ")";
        if (dash != std::string_view::npos) {
          std::string_view hi_s = range.substr(dash + 1);
          auto hi = CronValue(hi_s, f);
          if (!hi) return "invalid value '" + std::string(hi_s) + "' in the " + name + " field";
          if (*hi < kMin[f] || *hi > kMax[f])
            return "'" + std::string(hi_s) + "' is out of range for the " + name + " field (" +
                   std::to_string(kMin[f]) + "-" + std::to_string(kMax[f]) + ")";
          if (*hi < *a)
            return "range " + std::string(range) + " is backwards in the " + name + " field";
        }
      }
      if (e == field.size()) break;
      b = e + 1;
    }
  }
  return "";
}

// ---- normalization (consolidation signatures) -------------------------------------------------

std::string NormalizeRun(std::string_view run) {
  std::string out;
  for (const ScriptLine& l : LogicalLines(run)) {
    std::string line;
    for (std::string_view w : Words(l.text)) {
      std::string tok;
      std::string_view rest = w;
      // Split --flag=value so the value is normalized on its own.
      size_t eq = w.find('=');
      if (eq != std::string_view::npos && eq > 0 && w[0] == '-') {
        tok = std::string(w.substr(0, eq + 1));
        rest = w.substr(eq + 1);
      }
      if (rest.empty()) {
      } else if (rest[0] == '\'' || rest[0] == '"') {
        tok += "<str>";
      } else if (rest.find('$') != std::string_view::npos) {
        tok += "$V";  // a variable or ${{ expression }} inside the word
      } else if (rest.find('/') != std::string_view::npos ||
                 (rest.find('.') != std::string_view::npos &&
                  std::isalpha(static_cast<unsigned char>(rest.back())) && rest[0] != '-')) {
        tok += "<path>";
      } else if (std::isdigit(static_cast<unsigned char>(rest[0])) ||
                 (rest.size() > 1 && (rest[0] == 'v' || rest[0] == 'V') &&
                  std::isdigit(static_cast<unsigned char>(rest[1])))) {
        tok += "<n>";
      } else {
        tok += std::string(rest);
      }
      if (!line.empty()) line += ' ';
      line += tok;
    }
    if (line.empty()) continue;
    if (!out.empty()) out += " ; ";
    out += line;
  }
  return out;
}

}  // namespace gatehouse::ci
