// The operator CLI: commands that talk to a running stack over gRPC and print what they
// read, human-readable by default and as JSON with --json (the protos' JSON mapping with
// their field names, for scripts):
//   status     clock, agents and their answer latency, response and trader state
//   assets     the asset registry with SoC, output and what is scheduled
//   events     ramp events and episodes from the response agent
//   forecast   the net-load change forecast issued at the latest interval boundary
//   advice     the forecast process's flexibility advice for a day (advice_command.h)
//   anomalies  the anomaly detectors' flagged readings
//   pnl        the ledger by cause and the trader's P&L against perfect foresight
//   models     the forecast's models with their cut-offs and ages, and the retraining schedule
//   audit      the audit log's newest rows: refusals on every server, threshold changes,
//              model reloads (--kind, --since, --limit)
//   dispatch   submits one operator proposal through the gateway's arbiter, after the
//              operator confirms it (typing "yes"), or at once with --yes
//   approvals  the proposals held for an operator because they were beyond their
//              caller's limits
//   approve, reject  decide one of them (ID), with an optional --reason
// The stack is found through --run_dir DIR (the port files `gridpilot up` writes there);
// --gateway, --forecast, --response and --trader (host:port) override them.
// Each command returns the process exit code: 0 done, 1 the stack could not answer or
// the operator declined, 2 bad arguments (the caller prints the usage).
#ifndef GRIDPILOT_SERVICES_CLI_OPERATOR_COMMANDS_H_
#define GRIDPILOT_SERVICES_CLI_OPERATOR_COMMANDS_H_

#include <map>
#include <string>
#include <vector>

namespace gridpilot {

struct OperatorCommand {
  const char* name;
  std::vector<std::string> options;  // besides the address options, --json and --yes
  int (*run)(const std::map<std::string, std::string>& options);
};

// Every operator command, for the CLI's dispatch table.
const std::vector<OperatorCommand>& OperatorCommands();

// Options every operator command accepts, taking a value.
std::vector<std::string> OperatorAddressOptions();

}  // namespace gridpilot

#endif  // GRIDPILOT_SERVICES_CLI_OPERATOR_COMMANDS_H_
