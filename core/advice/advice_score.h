// Honest scoring of the advice: for each day, the advice is made with data before the day
// (AdviseDay), then applied to the day that actually happened (ApplyLoadShift and
// BatteryReturnGbp on the actual load and prices). The figures are measured against doing
// nothing on that day, next to what perfect foresight of the day would have achieved
// (AdviseWithHindsight applied to the same day).
#ifndef GRIDPILOT_CORE_ADVICE_ADVICE_SCORE_H_
#define GRIDPILOT_CORE_ADVICE_ADVICE_SCORE_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "core/advice/day_advice.h"

namespace gridpilot::advice {

inline constexpr int kMaxScoredDays = 3660;

struct DayScore {
  absl::Time day_start;
  double peak_limit = 0.0;                      // unit, as advised
  double forecast_peak = 0.0;                   // unit, the advice's forecast of the day's peak
  ShiftOutcome advised;                         // the advice applied to the actual day
  ShiftOutcome hindsight;                       // the hindsight plan applied to the actual day
  std::optional<double> battery_advised_gbp;    // the advised plan at the actual prices
  std::optional<double> battery_hindsight_gbp;  // the plan made on the actual prices
};

struct AdviceScore {
  std::vector<DayScore> days;
  // Days in [from, to] left out, each with the reason ("2007-03-25: 4 half-hours of load
  // missing").
  std::vector<std::string> skipped;
  // Sums and means over the scored days.
  double advised_saved_gbp = 0.0;
  double hindsight_saved_gbp = 0.0;
  double advised_mean_peak_reduction = 0.0;    // unit
  double hindsight_mean_peak_reduction = 0.0;  // unit
  double mean_actual_peak = 0.0;               // unit, doing nothing
  double advised_shifted_energy = 0.0;         // unit-hours
  std::optional<double> battery_advised_gbp;
  std::optional<double> battery_hindsight_gbp;
};

// Scores every day from `from` to `to` (both floored to the day, inclusive). A day whose
// actual load or prices (from a price series) miss any half-hour, or for which no advice
// can be made, is skipped with its reason. InvalidArgument for to < from or more than
// kMaxScoredDays days, and for bad options.
absl::StatusOr<AdviceScore> ScoreAdvice(const HalfHourSeries& load, const PriceSource& prices,
                                        absl::Time from, absl::Time to,
                                        const AdviceOptions& options);

}  // namespace gridpilot::advice

#endif  // GRIDPILOT_CORE_ADVICE_ADVICE_SCORE_H_
