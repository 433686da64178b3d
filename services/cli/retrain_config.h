// The config file's "retrain" section, read by the launcher for gridpilot-forecast
// (README.md, "Scheduled retraining"):
//   "retrain": {"every": "month", "at": "00:30", "training_days": 365}
// every: none (the default), day or month; at: UTC "HH:MM" (default "00:00");
// training_days: 35..3660 (default 365). The gateway only accepts the key.
#ifndef GRIDPILOT_SERVICES_CLI_RETRAIN_CONFIG_H_
#define GRIDPILOT_SERVICES_CLI_RETRAIN_CONFIG_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/forecast/retrain_schedule.h"

namespace gridpilot {

// The schedule in the config file at `path` (cadence none when the file is empty, or
// has no "retrain"). InvalidArgument naming the file and the field for a bad section or
// an unknown key in it; NotFound if the file cannot be read (other sections are the
// gateway's to check).
absl::StatusOr<forecast::RetrainSchedule> ReadRetrainConfig(const std::string& path);

// gridpilot-forecast's flags for `schedule`: none for cadence none. A lock-step
// backtest swaps at each cut-off (deterministic); a live stack when the models are ready.
std::vector<std::string> RetrainForecastFlags(const forecast::RetrainSchedule& schedule,
                                              bool lock_step);

}  // namespace gridpilot

#endif  // GRIDPILOT_SERVICES_CLI_RETRAIN_CONFIG_H_
