// `gridpilot forecast-eval --walk_forward monthly`: the monthly walk-forward evaluation of
// a forecast (refitted at every UTC month start on data before it), printed as a table per
// month with the total, every forecast written to --out in forecast-eval's CSV format and,
// with --months_out FILE, the monthly table as CSV. Cores:
// core/forecast/eval/day_ahead_walk_forward.h, change_walk_forward.h, and the price
// evaluation (already retrained at each month start) scored by month (monthly_scores.h).
#ifndef GRIDPILOT_SERVICES_CLI_FORECAST_WALK_FORWARD_H_
#define GRIDPILOT_SERVICES_CLI_FORECAST_WALK_FORWARD_H_

#include <map>
#include <string>

#include "absl/time/time.h"
#include "core/data/grid_series.h"

namespace gridpilot {

// `options` as RunForecastEvalCommand's, already checked; from/to the window [from, to).
// Adds: walk_forward (must be "monthly"), correction (day-ahead: whole, rolling or gated;
// default whole), rolling_months (1..24, default 3), months_out. Returns the exit code.
int RunForecastWalkForward(const std::map<std::string, std::string>& options,
                           const data::GridSeries& series, absl::Time from, absl::Time to);

}  // namespace gridpilot

#endif  // GRIDPILOT_SERVICES_CLI_FORECAST_WALK_FORWARD_H_
