// Subcommand registration. Each subcommand lives in its own file and adds
// itself to the CLI11 app; its run function returns the process exit code.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>

namespace gatehouse::cli {

// Exit codes shared by every command (docs/exit-codes in docs/cli.md).
inline constexpr int kExitOk = 0;
inline constexpr int kExitFindings = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitInconclusive = 3;

// Each registers one subcommand; sets *run to its runner when it is chosen.
void AddSecretsCommand(CLI::App& app, std::function<int()>* run);  // cmd_secrets.cc
void AddLedgerCommand(CLI::App& app, std::function<int()>* run);   // cmd_ledger.cc
void AddCiCommand(CLI::App& app, std::function<int()>* run);       // cmd_ci.cc
void AddHookCommand(CLI::App& app, std::function<int()>* run);     // cmd_hook.cc
void AddIacCommand(CLI::App& app, std::function<int()>* run);      // cmd_iac.cc
void AddAuditCommand(CLI::App& app, std::function<int()>* run);    // cmd_audit.cc
void AddPolicyCommand(CLI::App& app, std::function<int()>* run);   // cmd_policy.cc
// `policy test` (conftest-compatible); registered by AddPolicyCommand on
// the `policy` subcommand.
void AddPolicyTestCommand(CLI::App& policy, std::function<int()>* run);  // cmd_policy_test.cc

}  // namespace gatehouse::cli
