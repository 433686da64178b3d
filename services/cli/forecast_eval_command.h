// `gridpilot forecast-eval --target change`: the out-of-sample evaluation of the
// net-load-change forecaster over a window of the shipped (or given) data, written as one
// CSV row per issue time and horizon, with a printed report of the model against the
// persistence and seasonal-naive baselines, interval coverage and 30-min ramp skill.
// Other tools read the CSV: keep the option and column names. The logic lives in
// core/change_forecast_eval.h; this file parses, loads, calls it and writes.
#ifndef GRIDPILOT_SERVICES_CLI_FORECAST_EVAL_COMMAND_H_
#define GRIDPILOT_SERVICES_CLI_FORECAST_EVAL_COMMAND_H_

#include <map>
#include <string>

namespace gridpilot {

// Options: target (only "change" is available), from, to (inclusive UTC dates), out
// (required); model_dir, demand_csv, price_csv (optional; data defaults to
// <dir of the binary>/../../data). Returns the exit code: 0 done, 1 on a data, training
// or I/O error, 2 on bad arguments (including an unavailable target).
int RunForecastEvalCommand(const std::map<std::string, std::string>& options);

}  // namespace gridpilot

#endif  // GRIDPILOT_SERVICES_CLI_FORECAST_EVAL_COMMAND_H_
