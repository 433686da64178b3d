// StackAddresses: where the console finds a running gridpilot stack. The launcher
// (`gridpilot up|backtest --run_dir DIR`) writes DIR/<process>.port, each holding the
// port that process bound on 127.0.0.1, and its processes listen on DIR/sock/<process>.sock
// too (used first when present); explicit host:port or unix:PATH flags override them.
#ifndef GRIDPILOT_SERVICES_CONSOLE_STACK_ADDRESSES_H_
#define GRIDPILOT_SERVICES_CONSOLE_STACK_ADDRESSES_H_

#include <string>

#include "absl/status/statusor.h"

namespace gridpilot {

struct StackAddresses {
  std::string gateway;   // "127.0.0.1:port": telemetry, assets (audit log), ledger
  std::string forecast;  // forecasts and anomalies
  std::string response;  // ramp events
  std::string trader;    // the trader's schedule
};

// Reads DIR/gateway.port, forecast.port, response.port and trader.port. NotFound names a
// missing file; InvalidArgument a file that does not hold a port in 1..65535.
absl::StatusOr<StackAddresses> ReadStackAddresses(const std::string& run_dir);

// Replaces each address in `addresses` by the matching non-empty override; then every
// address must be set, as host:port (InvalidArgument naming the process otherwise).
absl::StatusOr<StackAddresses> ApplyAddressOverrides(StackAddresses addresses,
                                                     const StackAddresses& overrides);

// What a process of the stack's tools calls: the addresses in RUN_DIR (ReadStackAddresses)
// when `run_dir` is not empty, each then replaced by its non-empty override
// (ApplyAddressOverrides). The errors are theirs.
absl::StatusOr<StackAddresses> ResolveStackAddresses(const std::string& run_dir,
                                                     const StackAddresses& overrides);

}  // namespace gridpilot

#endif  // GRIDPILOT_SERVICES_CONSOLE_STACK_ADDRESSES_H_
