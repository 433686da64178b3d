// StackAddresses: where the stack's tools (the console, the alerter, the MCP server, the
// CLI's operator commands) find a running gridpilot stack. The launcher
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

// Whether a tool needs the two agents. The console and the alerter follow all four
// processes; the MCP server also serves a stack started without an agent (that agent's
// tools answer Unavailable), so for it an agent with no address is left empty.
enum class AgentAddresses { kRequired, kOptional };

// Reads each process's address from DIR/sock/<process>.sock when that is a socket, else from
// DIR/<process>.port (gateway, forecast, response, trader). NotFound names a missing port
// file (with kOptional, an agent with neither is left empty); InvalidArgument a file that
// does not hold a port in 1..65535.
absl::StatusOr<StackAddresses> ReadStackAddresses(
    const std::string& run_dir, AgentAddresses agents = AgentAddresses::kRequired);

// Replaces each address in `addresses` by the matching non-empty override; then every
// address must be set (with kOptional, an agent's may be empty), as host:port or unix:PATH
// (InvalidArgument naming the process otherwise).
absl::StatusOr<StackAddresses> ApplyAddressOverrides(
    StackAddresses addresses, const StackAddresses& overrides,
    AgentAddresses agents = AgentAddresses::kRequired);

// What a process of the stack's tools calls: the addresses in RUN_DIR (ReadStackAddresses)
// when `run_dir` is not empty, each then replaced by its non-empty override
// (ApplyAddressOverrides). The errors are theirs.
absl::StatusOr<StackAddresses> ResolveStackAddresses(
    const std::string& run_dir, const StackAddresses& overrides,
    AgentAddresses agents = AgentAddresses::kRequired);

}  // namespace gridpilot

#endif  // GRIDPILOT_SERVICES_CONSOLE_STACK_ADDRESSES_H_
