// Monthly walk-forward evaluation of the net-load change forecaster (`gridpilot
// forecast-eval --target change --walk_forward monthly`): the window [from, to) is cut at
// every UTC month start (monthly_periods.h) and each period is a whole
// EvaluateChangeForecasts of its own, so its models (final and calibration) and its ramp
// threshold are trained on the training_days before the period's start only, and its
// interval band is warmed from that window. Costly: two XGBoost sets per period (cached
// in model_dir under their fingerprint).
#ifndef GRIDPILOT_CORE_FORECAST_EVAL_CHANGE_WALK_FORWARD_H_
#define GRIDPILOT_CORE_FORECAST_EVAL_CHANGE_WALK_FORWARD_H_

#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "core/data/grid_data_loader.h"
#include "core/data/grid_measurement.h"
#include "core/forecast/eval/change_forecast_eval.h"
#include "core/forecast/eval/monthly_periods.h"

namespace gridpilot::forecast::eval {

struct ChangeMonth {
  WalkForwardPeriod period;
  std::vector<HorizonMetrics> metrics;  // one per horizon, config order
  double ramp_threshold_mw = 0.0;       // the period's training window's
  RampCounts ramps;                     // horizon 1, |forecast| > threshold
  RampCounts ramp_alarms;               // horizon 1, ramp probability > 0.5
  int skipped_issue_times = 0;
};

struct ChangeWalkForwardResult {
  std::vector<ChangeEvalRow> rows;  // every period's, by issue time
  std::vector<ChangeMonth> months;
  std::vector<HorizonMetrics> total;  // over every row, per horizon
  RampCounts ramps;                   // the months' counts summed (thresholds differ)
  RampCounts ramp_alarms;
};

// Errors: those of MonthlyPeriods and of EvaluateChangeForecasts for any period.
absl::StatusOr<ChangeWalkForwardResult> WalkForwardChange(
    const std::vector<data::GridMeasurement>& measurements, absl::Time from, absl::Time to,
    const ChangeEvalConfig& config, const std::vector<data::DayAheadForecastRow>& day_ahead = {});

}  // namespace gridpilot::forecast::eval

#endif  // GRIDPILOT_CORE_FORECAST_EVAL_CHANGE_WALK_FORWARD_H_
