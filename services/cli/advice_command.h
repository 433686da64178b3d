// `gridpilot advice`: asks a running stack's forecast process for its flexibility advice
// (AdviceService.Advise, proto/gridpilot/v1/advice.proto) on the region's own series up to
// the stack's clock, and prints it (JSON with --json). An operator command: the stack is
// found through --run_dir or --forecast HOST:PORT (operator_commands.h).
#ifndef GRIDPILOT_SERVICES_CLI_ADVICE_COMMAND_H_
#define GRIDPILOT_SERVICES_CLI_ADVICE_COMMAND_H_

#include <map>
#include <string>

namespace gridpilot {

// Options besides the address ones: date (YYYY-MM-DD, default the day after the latest
// interval), flexible_share, peak_limit_mw, peak_percentile, battery_capacity_mwh,
// battery_power_mw, json. Returns 0 done, 1 the stack could not answer, 2 bad arguments.
int RunAdviceCommand(const std::map<std::string, std::string>& options);

}  // namespace gridpilot

#endif  // GRIDPILOT_SERVICES_CLI_ADVICE_COMMAND_H_
