// The gridpilot CLI's usage: the overview `gridpilot --help` prints and one text per
// command that `gridpilot COMMAND --help` prints (what it does, its options and their
// defaults). main.cc and the operator commands print these; nothing else reads them.
#ifndef GRIDPILOT_SERVICES_CLI_CLI_USAGE_H_
#define GRIDPILOT_SERVICES_CLI_CLI_USAGE_H_

#include <string>

#include "absl/strings/string_view.h"

namespace gridpilot {

// Every command in one screen, for `gridpilot --help` and usage errors.
std::string CliUsage();

// The usage of one command (e.g. "backtest", "dispatch"); empty for an unknown command.
std::string CommandUsage(absl::string_view command);

// True if an argument after the command (argv[2] on) is --help or -h.
bool WantsHelp(int argc, char** argv);

}  // namespace gridpilot

#endif  // GRIDPILOT_SERVICES_CLI_CLI_USAGE_H_
