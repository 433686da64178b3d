#include "core/forecast/eval/change_walk_forward.h"

#include "core/base/status_macros.h"

namespace gridpilot::forecast::eval {
namespace {

void AddCounts(const RampCounts& from, RampCounts* to) {
  to->hits += from.hits;
  to->misses += from.misses;
  to->false_alarms += from.false_alarms;
}

}  // namespace

absl::StatusOr<ChangeWalkForwardResult> WalkForwardChange(
    const std::vector<data::GridMeasurement>& measurements, absl::Time from, absl::Time to,
    const ChangeEvalConfig& config, const std::vector<data::DayAheadForecastRow>& day_ahead) {
  ASSIGN_OR_RETURN(const std::vector<WalkForwardPeriod> periods, MonthlyPeriods(from, to));
  ChangeWalkForwardResult result;
  for (const WalkForwardPeriod& period : periods) {
    ASSIGN_OR_RETURN(
        ChangeEvalResult month_result,
        EvaluateChangeForecasts(measurements, period.start, period.end, config, day_ahead));
    ChangeMonth month;
    month.period = period;
    month.metrics = month_result.metrics;
    month.ramp_threshold_mw = month_result.ramp_threshold_mw;
    month.ramps = month_result.ramps;
    month.ramp_alarms = month_result.ramp_alarms;
    month.skipped_issue_times = month_result.skipped_issue_times;
    AddCounts(month.ramps, &result.ramps);
    AddCounts(month.ramp_alarms, &result.ramp_alarms);
    result.rows.insert(result.rows.end(), month_result.rows.begin(), month_result.rows.end());
    result.months.push_back(std::move(month));
  }
  for (int h : config.horizons) result.total.push_back(ScoreHorizon(result.rows, h));
  return result;
}

}  // namespace gridpilot::forecast::eval
