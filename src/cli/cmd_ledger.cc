// `gatehouse ledger ...`: the tamper-evident audit ledger. (Being written.)
#include "cli/commands.h"

namespace gatehouse::cli {

void AddLedgerCommand(CLI::App&, std::function<int()>*) {}

}  // namespace gatehouse::cli
