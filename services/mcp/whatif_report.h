// The what-if backtest's report: the figures of one backtest's JSON report that a what-if
// compares (GBP by cause, instability, the trader's P&L, dispatch counts), and the
// comparison of the what-if run against its baseline (both runs' figures and what-if minus
// baseline for each). Pure. docs/decisions.md, "MCP what-if backtest and audit of MCP calls".
#ifndef GRIDPILOT_SERVICES_MCP_WHATIF_REPORT_H_
#define GRIDPILOT_SERVICES_MCP_WHATIF_REPORT_H_

#include <nlohmann/json.hpp>

#include "absl/status/statusor.h"

namespace gridpilot::mcp {

// The compared figures of `report` (`gridpilot backtest --json`'s document):
// {ledger_gbp: {cause: GBP}, instability: {penalty_gbp, ramp_events, episodes_countered,
// episodes_not_countered}, trader_pnl_gbp, trader_capture_ratio, battery_cycles,
// dispatches: {asset: {count, mwh}}, ticks}. InvalidArgument naming the first missing or
// non-numeric field.
absl::StatusOr<nlohmann::json> WhatifFigures(const nlohmann::json& report);

// What-if minus baseline for every number present in both, recursively (same shape as the
// figures; a key in only one of them is left out).
nlohmann::json WhatifDifference(const nlohmann::json& baseline, const nlohmann::json& whatif);

// The JSON Schema of WhatifFigures' result (for the tool's output schema).
nlohmann::json WhatifFiguresSchema();

}  // namespace gridpilot::mcp

#endif  // GRIDPILOT_SERVICES_MCP_WHATIF_REPORT_H_
