// The forecast's served models (ForecastService.GetModels) as the console, the launcher and
// the CLI report them: the console's models card, the backtest report's "retraining" key and
// `gridpilot models --json`, and
// the table `gridpilot models` prints.
#ifndef GRIDPILOT_SERVICES_CONSOLE_SERVED_MODELS_REPORT_H_
#define GRIDPILOT_SERVICES_CONSOLE_SERVED_MODELS_REPORT_H_

#include <nlohmann/json.hpp>
#include <string>

#include "gridpilot/v1/forecast.pb.h"

namespace gridpilot {

// {every, at, training_days, latest_issue_time, cutoffs: [C...] (the retrained ones, in
// order), models: [{source, model, cutoff, first_issue_time, age_seconds,
// training_wall_seconds, waited_wall_seconds, training_intervals}]}. Times are UTC
// ISO-8601; age_seconds = latest_issue_time - cutoff (null before the first tick),
// first_issue_time null when not known.
nlohmann::json ServedModelsJson(const v1::GetModelsResponse& models);

// One line per model, oldest first, the serving one marked, then the schedule.
std::string ServedModelsTable(const v1::GetModelsResponse& models);

}  // namespace gridpilot

#endif  // GRIDPILOT_SERVICES_CONSOLE_SERVED_MODELS_REPORT_H_
