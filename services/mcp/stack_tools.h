// The gridpilot tools: read-only views of the stack (grid state, forecasts and their
// explanation, day-ahead demand, prices, anomalies, ramp events, P&L, the trader's
// schedule, the audit log, assets and thresholds) and the acting tools (submit and cancel
// a dispatch proposal, set the response agent's thresholds, reload the forecast models).
// Each handler converts arguments to one or two gRPC requests made through a StackCaller
// with the MCP caller's token, and the responses back to JSON. Acting tools need an
// idempotency key and a reason; the stack decides, under the caller's role, what happens.
#ifndef GRIDPILOT_SERVICES_MCP_STACK_TOOLS_H_
#define GRIDPILOT_SERVICES_MCP_STACK_TOOLS_H_

#include "absl/time/time.h"
#include "services/mcp/idempotency_memory.h"
#include "services/mcp/live_state_board.h"
#include "services/mcp/stack_caller.h"
#include "services/mcp/tool_table.h"

namespace gridpilot::mcp {

// Largest |power| a submitted proposal may carry, MW: a bound on what enters, far above
// any asset (the gateway clamps to the asset's own limits).
inline constexpr double kMaxProposalPowerMw = 10000.0;
// Longest lease a proposal may ask for (the gateway applies its own limits too).
inline constexpr absl::Duration kMaxLease = absl::Hours(24 * 7);

// Adds the tools to `table`. `stack`, `board` and `memory` must outlive it.
void AddStackTools(StackCaller* stack, const LiveStateBoard* board, IdempotencyMemory* memory,
                   absl::Duration call_timeout, ToolTable* table);

}  // namespace gridpilot::mcp

#endif  // GRIDPILOT_SERVICES_MCP_STACK_TOOLS_H_
