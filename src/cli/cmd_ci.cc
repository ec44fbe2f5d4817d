// `gatehouse ci ...`: GitHub Actions analysis. (Being written.)
#include "cli/commands.h"

namespace gatehouse::cli {

void AddCiCommand(CLI::App&, std::function<int()>*) {}

}  // namespace gatehouse::cli
