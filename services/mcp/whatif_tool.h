// The what-if backtest tool: `whatif_backtest` replays a past window twice with the stack's
// own config, once as it is (the baseline) and once with a few bounded overrides, each a
// `gridpilot backtest` child process (BacktestChild) in a scratch run dir, and reports both
// runs' figures and their difference. Long-running: progress notifications per 5% of the
// ticks, cancellable (the children are stopped and their run dirs removed), bounded by a
// maximum window and a maximum number of what-ifs at once. It does not touch the live grid.
// docs/decisions.md, "MCP what-if backtest and audit of MCP calls".
#ifndef GRIDPILOT_SERVICES_MCP_WHATIF_TOOL_H_
#define GRIDPILOT_SERVICES_MCP_WHATIF_TOOL_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/mcp/tool_table.h"

namespace gridpilot::mcp {

struct WhatifSettings {
  std::string launcher;     // the `gridpilot` binary
  std::string scratch_dir;  // each what-if's run dirs go under here (created, then removed)
  std::string base_config;  // the stack's gateway config file; empty = the defaults
  // Launcher flags both runs get as they are (--model_dir=..., --demand_csv=..., ...).
  std::vector<std::string> backtest_flags;
  int max_days = 31;                         // longest window, days (1..366)
  int max_concurrent = 1;                    // what-ifs running at once (1..4)
  absl::Duration grace = absl::Seconds(10);  // a cancelled launcher's time to stop its stack
};

// The roles that may run a what-if (it costs two backtests of CPU): operator, ai-agent,
// admin; and "" (a stack without credentials has no roles).
bool MayRunWhatif(const std::string& role);

// The stack's simulated time now, asked as `caller` (a what-if's window must end before
// its day: no look-ahead past what the stack has replayed).
using StackNow = std::function<absl::StatusOr<absl::Time>(const McpCaller& caller)>;

// Adds `whatif_backtest` to `table`. `settings` is copied.
void AddWhatifTool(const WhatifSettings& settings, StackNow stack_now, ToolTable* table);

}  // namespace gridpilot::mcp

#endif  // GRIDPILOT_SERVICES_MCP_WHATIF_TOOL_H_
