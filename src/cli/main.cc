// gatehouse: the command-line entry point. Parses the command line, runs
// the chosen subcommand, and turns anything thrown into exit code 2.
#include <cstdio>
#include <exception>

#include "cli/commands.h"

int main(int argc, char** argv) {
  using namespace gatehouse::cli;
  CLI::App app{"Gatehouse: release-safety audits and gates for delivery platforms", "gatehouse"};
  app.set_version_flag("--version", std::string("gatehouse ") + GATEHOUSE_VERSION);
  app.require_subcommand(1);
  std::function<int()> run;
  AddSecretsCommand(app, &run);
  AddLedgerCommand(app, &run);
  AddCiCommand(app, &run);
  AddHookCommand(app, &run);
  AddIacCommand(app, &run);
  AddAuditCommand(app, &run);
  AddPolicyCommand(app, &run);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return kExitUsage;
  }
  try {
    return run ? run() : kExitUsage;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "gatehouse: internal error: %s\n", e.what());
    return kExitUsage;
  }
}
