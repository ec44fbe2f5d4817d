// `gatehouse hook pre-commit|pre-push|pre-receive|install`: push protection.
//
// pre-commit scans the staged changes; pre-push and pre-receive read git's
// ref-update lines on stdin and scan only the commits that are new. Any
// finding refuses the commit or the whole push (exit 1) with a redacted list
// and what to do next. Bad input fails closed: a malformed stdin line
// refuses the push.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <set>

#include "cli/commands.h"
#include "cli/output.h"
#include "gatehouse/git_scan.h"
#include "gatehouse/secrets_scan.h"

namespace gatehouse::cli {

namespace {

struct HookArgs {
  std::string kind;  // pre-commit | pre-push | pre-receive
  std::string path = ".";
  std::string config;
  std::string baseline;
  unsigned threads = 0;
  // install
  bool install_pre_commit = false;
  bool install_pre_push = false;
  bool install_pre_receive = false;
  bool force = false;
};

// Prints the refusal: every finding (redacted), then what to do.
void PrintRefusal(const Report& report, const std::string& what, bool server) {
  std::fprintf(stderr, "\ngatehouse: %s refused: %zu secret finding(s)\n\n", what.c_str(),
               report.findings.size());
  for (const auto& f : report.findings) {
    auto commit = f.properties.find("commit");
    std::string where = f.location.path;
    if (f.location.line > 0) where += ":" + std::to_string(f.location.line);
    std::fprintf(stderr, "  %-8s %-32s %s\n", std::string(SeverityName(f.severity)).c_str(),
                 f.rule_id.c_str(), where.c_str());
    if (commit != f.properties.end())
      std::fprintf(stderr, "           commit %s\n", commit->second.substr(0, 12).c_str());
    if (!f.evidence.empty()) std::fprintf(stderr, "           %s\n", f.evidence.c_str());
    std::fprintf(stderr, "           fingerprint %s\n", f.fingerprint.c_str());
  }
  std::fprintf(stderr,
               "\nWhat to do:\n"
               "  - A real secret: remove it, rotate it at its issuer now (it may already be\n"
               "    exposed), and rewrite the commits that added it (git rebase -i / git commit\n"
               "    --amend) so no commit carries it.\n"
               "  - A false positive: add `gatehouse:allow` in a comment on that line, or add\n"
               "    the fingerprint above to .gitleaksignore, in a new commit.\n");
  if (server) {
    std::fprintf(stderr,
                 "  - An emergency: ask a repository administrator for a bypass ticket; push\n"
                 "    again with: git push -o gatehouse.bypass=<ticket>  (see docs/git.md)\n\n");
  } else {
    std::fprintf(stderr, "  - To skip this local check once: git commit/push --no-verify\n\n");
  }
}

Result<std::unique_ptr<SecretScanner>> MakeScanner(const HookArgs& a, const std::string& root) {
  SecretsOptions opt;
  opt.config_path = a.config;
  opt.baseline_path = a.baseline;
  opt.threads = a.threads;
  opt.redact = true;
  return SecretScanner::Create(root, opt);
}

// Push options (git push -o k=v) reach pre-receive as GIT_PUSH_OPTION_<n>.
std::string PushOption(const std::string& key) {
  const char* count = std::getenv("GIT_PUSH_OPTION_COUNT");
  int n = count ? std::atoi(count) : 0;
  for (int i = 0; i < n; ++i) {
    const char* v = std::getenv(("GIT_PUSH_OPTION_" + std::to_string(i)).c_str());
    if (!v) continue;
    std::string opt = v;
    if (opt.rfind(key + "=", 0) == 0) return opt.substr(key.size() + 1);
  }
  return {};
}

int RunPreCommit(const HookArgs& a) {
  auto wt = WorkTree(a.path);
  if (!wt.ok()) return Fail(wt.error());
  auto scanner = MakeScanner(a, wt->empty() ? a.path : *wt);
  if (!scanner.ok()) return Fail(scanner.error());
  auto report = ScanStaged(**scanner, a.path);
  if (!report.ok()) return Fail(report.error());
  (*scanner)->Finish(&*report);
  if (report->findings.empty()) return kExitOk;
  PrintRefusal(*report, "commit", false);
  return kExitFindings;
}

int RunPush(const HookArgs& a, bool pre_push) {
  std::string input((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
  auto updates = ParseRefUpdates(input, pre_push);
  if (!updates.ok()) {
    // Fail closed: what we cannot read, we cannot check.
    std::fprintf(stderr, "gatehouse: push refused: %s\n", updates.error().ToString().c_str());
    return kExitFindings;
  }
  std::string root = a.path;
  if (pre_push) {
    auto wt = WorkTree(a.path);
    if (wt.ok() && !wt->empty()) root = *wt;
  }
  auto scanner = MakeScanner(a, root);
  if (!scanner.ok()) {
    std::fprintf(stderr, "gatehouse: push refused: %s\n", scanner.error().ToString().c_str());
    return kExitFindings;  // a broken configuration must not open the gate
  }
  auto report = ScanPushedCommits(**scanner, a.path, *updates, pre_push, !pre_push, a.threads);
  if (!report.ok()) {
    std::fprintf(stderr, "gatehouse: push refused: %s\n", report.error().ToString().c_str());
    return kExitFindings;
  }
  (*scanner)->Finish(&*report);
  if (report->findings.empty()) return kExitOk;
  if (!pre_push) {
    std::string ticket = PushOption("gatehouse.bypass");
    if (!ticket.empty()) {
      auto allowed = GitConfigValues(a.path, "gatehouse.bypassTicket", true);
      if (std::find(allowed.begin(), allowed.end(), ticket) != allowed.end()) {
        std::fprintf(stderr,
                     "gatehouse: BYPASS ticket %s accepted for %zu finding(s); this push is "
                     "recorded as an emergency bypass.\n",
                     ticket.c_str(), report->findings.size());
        for (const auto& f : report->findings)
          std::fprintf(stdout, "gatehouse-bypass ticket=%s rule=%s path=%s fingerprint=%s\n",
                       ticket.c_str(), f.rule_id.c_str(), f.location.path.c_str(),
                       f.fingerprint.c_str());
        return kExitOk;
      }
      std::fprintf(stderr, "gatehouse: bypass ticket '%s' is not approved for this repository\n",
                   ticket.c_str());
    }
  }
  PrintRefusal(*report, "push", !pre_push);
  return kExitFindings;
}

int RunInstall(const HookArgs& a) {
  std::vector<std::string> kinds;
  if (a.install_pre_commit) kinds.push_back("pre-commit");
  if (a.install_pre_push) kinds.push_back("pre-push");
  if (a.install_pre_receive) kinds.push_back("pre-receive");
  if (kinds.empty()) kinds.push_back("pre-commit");
  auto dir = HooksDir(a.path);
  if (!dir.ok()) return Fail(dir.error());
  std::error_code ec;
  std::string self = std::filesystem::read_symlink("/proc/self/exe", ec).string();
  if (ec || self.empty()) self = "gatehouse";
  std::filesystem::create_directories(*dir, ec);
  for (const auto& kind : kinds) {
    std::string path = *dir + "/" + kind;
    if (std::filesystem::exists(path) && !a.force) {
      std::ifstream in(path);
      std::string existing((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      if (existing.find("Installed by gatehouse hook install") == std::string::npos) {
        std::fprintf(stderr,
                     "gatehouse: error: %s already exists and was not installed by gatehouse; "
                     "use --force to replace it\n",
                     path.c_str());
        return kExitUsage;
      }
    }
    std::string config = a.config.empty() ? "" : " --config '" + a.config + "'";
    std::ofstream out(path, std::ios::trunc);
    out << "#!/bin/sh\n# Installed by gatehouse hook install. Blocks secrets; see docs/git.md.\n"
        << "exec '" << self << "' hook " << kind << config << "\n";
    out.close();
    if (!out) return Fail(MakeError(ErrorCode::kIo, "cannot write hook", path));
    std::filesystem::permissions(
        path,
        std::filesystem::perms::owner_all | std::filesystem::perms::group_read |
            std::filesystem::perms::group_exec | std::filesystem::perms::others_read |
            std::filesystem::perms::others_exec,
        ec);
    std::printf("installed %s hook: %s\n", kind.c_str(), path.c_str());
  }
  return kExitOk;
}

}  // namespace

void AddHookCommand(CLI::App& app, std::function<int()>* run) {
  auto args = std::make_shared<HookArgs>();
  CLI::App* cmd = app.add_subcommand("hook", "Git hooks that block secrets (push protection)");
  cmd->require_subcommand(1);
  auto common = [&](CLI::App* sub) {
    sub->add_option("-c,--config", args->config,
                    "Configuration: a .gatehouse.yaml or a gitleaks TOML file");
    sub->add_option("--baseline", args->baseline, "Suppress findings in this JSON report");
    sub->add_option("-j,--threads", args->threads, "Worker threads (default: all cores)");
  };
  CLI::App* pc = cmd->add_subcommand("pre-commit", "Scan staged changes; exit 1 blocks the commit");
  pc->add_option("path", args->path, "Repository (default: .)");
  common(pc);
  pc->callback([run, args] { *run = [args] { return RunPreCommit(*args); }; });
  CLI::App* pp = cmd->add_subcommand(
      "pre-push", "Scan commits being pushed (git's pre-push stdin); exit 1 blocks the push");
  pp->add_option("remote", args->path, "ignored (git passes the remote name and URL)");
  pp->allow_extras();
  common(pp);
  pp->callback([run, args] {
    args->path = ".";
    *run = [args] { return RunPush(*args, true); };
  });
  CLI::App* pr = cmd->add_subcommand(
      "pre-receive", "Server side: scan pushed commits new to the repository; exit 1 rejects");
  common(pr);
  pr->callback([run, args] { *run = [args] { return RunPush(*args, false); }; });
  CLI::App* in = cmd->add_subcommand("install", "Write hook scripts into the repository");
  in->add_option("path", args->path, "Repository (default: .)");
  in->add_flag("--pre-commit", args->install_pre_commit, "Install the pre-commit hook (default)");
  in->add_flag("--pre-push", args->install_pre_push, "Install the pre-push hook");
  in->add_flag("--pre-receive", args->install_pre_receive,
               "Install the pre-receive hook (in a bare server repository)");
  in->add_flag("--force", args->force, "Replace an existing hook not written by gatehouse");
  in->add_option("-c,--config", args->config, "Configuration the hook passes to gatehouse");
  in->callback([run, args] { *run = [args] { return RunInstall(*args); }; });
}

}  // namespace gatehouse::cli
