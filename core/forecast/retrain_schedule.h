// When a running stack retrains its net-load change models (docs/decisions.md, "Scheduled
// walk-forward retraining"). A schedule names a cadence ("none", "day" or "month"), a
// UTC time of day and the days of history each training uses. Its cut-offs are the
// instants the models are retrained for: every UTC day at `at`, or the first day of
// every month at `at`. A model retrained for cut-off C is trained only on intervals that
// end by C and serves the forecasts issued from C on.
#ifndef GRIDPILOT_CORE_FORECAST_RETRAIN_SCHEDULE_H_
#define GRIDPILOT_CORE_FORECAST_RETRAIN_SCHEDULE_H_

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace gridpilot::forecast {

enum class RetrainCadence { kNone, kDay, kMonth };

struct RetrainSchedule {
  RetrainCadence cadence = RetrainCadence::kNone;
  absl::Duration at = absl::ZeroDuration();  // time of day, UTC, in [0, 24 h)
  int training_days = 365;                   // history before each cut-off, days
};

inline constexpr int kMinRetrainTrainingDays = 35;  // a week of feature warm-up, 4 weeks of rows
inline constexpr int kMaxRetrainTrainingDays = 3660;

// Parses the config's fields: `every` is "none", "day" or "month"; `at` is "HH:MM" (UTC,
// 00:00..23:59); `training_days` a whole number in [kMinRetrainTrainingDays,
// kMaxRetrainTrainingDays]. InvalidArgument naming `where` and the field otherwise.
absl::StatusOr<RetrainSchedule> ParseRetrainSchedule(const std::string& every,
                                                     const std::string& at, int training_days,
                                                     const std::string& where);

// "none", "day" or "month".
std::string CadenceName(RetrainCadence cadence);

// The first cut-off strictly after `after`; nullopt for kNone (or a time beyond
// absl's civil range).
std::optional<absl::Time> NextRetrainCutoff(const RetrainSchedule& schedule, absl::Time after);

}  // namespace gridpilot::forecast

#endif  // GRIDPILOT_CORE_FORECAST_RETRAIN_SCHEDULE_H_
