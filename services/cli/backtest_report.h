// The backtest report: the JSON other tools read (keep the key names) and the summary
// printed for a person.
#ifndef GRIDPILOT_SERVICES_CLI_BACKTEST_REPORT_H_
#define GRIDPILOT_SERVICES_CLI_BACKTEST_REPORT_H_

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "services/cli/stack.h"

namespace gridpilot {

struct ProcessInfo {
  std::string name;
  int pid = 0;
};

// Keys: from, to, ticks, wall_seconds, ledger_gbp {arbitrage_sold, arbitrage_bought,
// peaker_fuel, peaker_starts, battery_degradation, instability_penalty, net},
// region {name, ramp_limit_mw, instability_penalty_gbp_per_mw},
// baseline_instability_penalty_gbp, ramp_events, ramp_events_by_kind {measured, forecast},
// events (the same counts by kind), resilience_dispatch_cost_gbp, response_net_benefit_gbp,
// dispatches {asset_id: {count, mwh}; a peaker's also starts and runs [{start_command,
// online, stopped}] (UTC, null if not reached; the first 1000)}, battery_cycles,
// forecast_change_30min_mae_mw, forecast_change_30min_persistence_mae_mw, trader_pnl_gbp,
// perfect_foresight_pnl_gbp, trader_capture_ratio, yesterday_plan_pnl_gbp,
// yesterday_plan_capture_ratio, missed_answers, processes [{name, pid}]; with scheduled
// retraining also retraining (served_models_report.h: the cut-offs used and when each was
// swapped in). Money is signed (income > 0, cost < 0); MW are region MW.
nlohmann::json BacktestReportJson(const std::string& from, const std::string& to,
                                  double wall_seconds, const StackFigures& figures,
                                  const std::vector<ProcessInfo>& processes);

// A few readable lines from the report.
std::string BacktestSummary(const nlohmann::json& report);

}  // namespace gridpilot

#endif  // GRIDPILOT_SERVICES_CLI_BACKTEST_REPORT_H_
