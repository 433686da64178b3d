// `gridpilot forecast-eval`: out-of-sample evaluation of a forecaster over a window of the
// shipped (or given) data, written as one CSV row per forecast
// (issue_time_utc,target_time_utc,forecast,lower,upper) with a printed report of the
// model against its baselines. Targets:
//   change     the net-load-change forecaster (region MW, 30 min to 4 h ahead) against
//              persistence and seasonal naive, with 30-min ramp skill
//              (core/forecast/eval/change_forecast_eval.h);
//   day-ahead  national demand ND (GB MW) of the 48 half-hours of each day, issued at
//              D-1 23:45 UTC, against persistence, seasonal naive and NESO's own day-ahead
//              forecast, with MAE, RMSE and MAPE side by side
//              (core/forecast/eval/day_ahead_demand_eval.h).
// With --walk_forward monthly, each is refitted at every month start and reported month by
// month (services/cli/forecast_walk_forward.h).
// Other tools read the CSV: keep the option and column names. This file parses, loads,
// calls the core and writes.
#ifndef GRIDPILOT_SERVICES_CLI_FORECAST_EVAL_COMMAND_H_
#define GRIDPILOT_SERVICES_CLI_FORECAST_EVAL_COMMAND_H_

#include <map>
#include <string>

namespace gridpilot {

// Options: target ("change" or "day-ahead"), from, to (inclusive UTC dates), out
// (required); model_dir, demand_csv, price_csv (optional; data defaults to
// <dir of the binary>/../../data). day-ahead reads NESO's forecast file
// gb_demand_forecast_dayahead_2022-10_2023-12.csv from the directory of the demand file. Returns
// the exit code: 0 done, 1 on a data, training or I/O error, 2 on bad arguments (including an
// unavailable target).
int RunForecastEvalCommand(const std::map<std::string, std::string>& options);

}  // namespace gridpilot

#endif  // GRIDPILOT_SERVICES_CLI_FORECAST_EVAL_COMMAND_H_
