// `gridpilot optimize`: the perfect-foresight battery schedule over a window of a price
// file, written as CSV (and optionally JSON with every parameter used) so anyone can check
// it with their own solver. Other tools read both outputs: keep the names.
#ifndef GRIDPILOT_SERVICES_CLI_OPTIMIZE_COMMAND_H_
#define GRIDPILOT_SERVICES_CLI_OPTIMIZE_COMMAND_H_

#include <map>
#include <string>

namespace gridpilot {

// Options: prices, from, to, out (required); config, json, soc_terminal_mwh (optional).
// Prints the objective and writes the files. Returns the exit code: 0 done, 1 on a data
// or I/O error (the message names file and line where there is one), 2 on bad arguments.
int RunOptimizeCommand(const std::map<std::string, std::string>& options);

}  // namespace gridpilot

#endif  // GRIDPILOT_SERVICES_CLI_OPTIMIZE_COMMAND_H_
