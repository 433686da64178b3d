// Out-of-sample evaluation of the net-load-change forecaster, as `gridpilot forecast-eval
// --target change` runs it. Models are trained on the window just before the evaluation
// period; the period is then replayed through ONE FeatureStore exactly as the forecast
// service feeds it (push an interval, forecast at its end, push the next), so a forecast
// issued at t sees only intervals that ended by t. Each forecast is compared with two
// naive baselines computed here from the same store, and gets a prediction interval.
//
// Prediction intervals are the forecast service's (ConformalBand): per horizon, +/- the
// conformal quantile of the absolute errors of the last 500 forecasts whose target had
// been measured by the issue time. The band is warmed with a calibration model's
// forecasts: a second set of models trained on the first 80% of the training window only,
// replayed over the held-out last 20% (never seen by it); their errors roll out of the
// window during the first days of the period. The calibration quantile per horizon
// (half_widths_mw) serves only while a band has fewer than 10 errors.
#ifndef GRIDPILOT_CORE_FORECAST_EVAL_CHANGE_FORECAST_EVAL_H_
#define GRIDPILOT_CORE_FORECAST_EVAL_CHANGE_FORECAST_EVAL_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "core/data/grid_measurement.h"
#include "core/forecast/models/net_load_change_forecaster.h"
#include "core/ml/xgboost_model.h"

namespace gridpilot::forecast::eval {

// One forecast for one horizon, with what actually happened (when known).
struct ChangeEvalRow {
  absl::Time issue_time;             // decision time t
  int horizon_intervals = 0;         // 1-based
  absl::Time target_interval_start;  // t + (h - 1) * 30 min
  double forecast_mw = 0.0;          // predicted change vs the last measured interval
  double lower_mw = 0.0;             // prediction interval
  double upper_mw = 0.0;
  // Net load of the target interval minus that of the last measured interval (starting
  // at t - 30 min); nullopt when either is missing or outside the data.
  std::optional<double> actual_change_mw;
  // Seasonal naive: the same change one week (336 intervals) earlier; nullopt when either
  // of those values is missing. Persistence (change 0) needs no column.
  std::optional<double> seasonal_naive_mw;
  std::optional<double> ramp_probability;  // horizon 1: the ramp alarm's (ChangeForecast)
};

// Error figures of the model and the baselines over the same rows of one horizon: those
// with a known actual and a known seasonal-naive value.
struct HorizonMetrics {
  int horizon_intervals = 0;
  int rows = 0;          // rows scored
  int rows_skipped = 0;  // rows of this horizon left out (actual or baseline unknown)
  double model_mae_mw = 0.0, model_rmse_mw = 0.0;
  double persistence_mae_mw = 0.0, persistence_rmse_mw = 0.0;
  double seasonal_mae_mw = 0.0, seasonal_rmse_mw = 0.0;
  // model MAE / min(persistence MAE, seasonal MAE); NaN if that minimum is 0.
  double mae_ratio_vs_best_baseline = 0.0;
  double coverage = 0.0;            // fraction of scored rows with lower <= actual <= upper
  double mean_half_width_mw = 0.0;  // mean of (upper - lower) / 2 over the scored rows
};

// Ramp-event contingency table: an event is |change| > threshold.
struct RampCounts {
  int hits = 0;          // actual event and forecast event
  int misses = 0;        // actual event, no forecast event
  int false_alarms = 0;  // forecast event, no actual event
  // hits / (hits + misses + false_alarms); NaN when that sum is 0.
  double csi() const;
};

struct ChangeEvalConfig {
  std::string model_dir;  // LoadOrTrain's cache
  std::vector<int> horizons = models::ServedChangeHorizons();
  ml::XgboostParams params;
  int training_days = 365;            // window just before `from`
  double calibration_fraction = 0.2;  // last part of the window held out
  double coverage = 0.9;              // nominal interval coverage
  double ramp_quantile = 0.95;        // of |30-min change| in the training window
  base::HolidayCalendar holidays;     // the features' holiday flag (default: uk)
};

struct ChangeEvalResult {
  std::vector<ChangeEvalRow> rows;      // by issue time, then horizon (config order)
  std::vector<HorizonMetrics> metrics;  // one per horizon, config order
  std::vector<double> half_widths_mw;   // calibration quantile per horizon (the fallback)
  int calibration_rows = 0;             // scored rows per horizon in the calibration set (min)
  int skipped_issue_times = 0;          // last measured net load missing: no forecast
  int training_intervals = 0;
  double ramp_threshold_mw = 0.0;
  RampCounts ramps;        // horizon 1, alarm = |forecast| > threshold
  RampCounts ramp_alarms;  // horizon 1, alarm = ramp probability > 0.5
};

// The smallest value v among `values` such that at least ceil((n + 1) * coverage) of
// them are <= v (the split-conformal quantile); the largest value when that rank exceeds
// n. InvalidArgument if values is empty or coverage is not in (0, 1).
absl::StatusOr<double> ConformalQuantile(std::vector<double> values, double coverage);

// Pushes every measurement of `measurements` (sorted, on the half-hour grid) into one
// FeatureStore; after the push of the interval starting at t - 30 min, if t is in
// [first_issue, end_issue) and that interval's net load is known, issues the forecasts
// for decision time t with interval [forecast - w, forecast + w], w = half_widths_mw[j]
// (one per horizon). Actuals come from `measurements` (any interval, so the caller
// decides how far they reach). Stops pushing once t reaches end_issue. *skipped counts
// issue times without a known last net load. The store gets the `day_ahead` vintages
// (region MW) published before each decision time, as the forecast service gets them, and
// reads `holidays`. InvalidArgument if half_widths_mw does not match the horizons or the
// measurements are not on the grid.
absl::StatusOr<std::vector<ChangeEvalRow>> ReplayChangeForecasts(
    const models::NetLoadChangeForecaster& forecaster,
    const std::vector<data::GridMeasurement>& measurements, absl::Time first_issue,
    absl::Time end_issue, const std::vector<double>& half_widths_mw, int* skipped = nullptr,
    const std::vector<data::DayAheadForecastRow>& day_ahead = {},
    const base::HolidayCalendar& holidays = base::HolidayCalendar::Uk());

// Metrics of one horizon over `rows` (other horizons ignored).
HorizonMetrics ScoreHorizon(const std::vector<ChangeEvalRow>& rows, int horizon_intervals);

// Ramp events of one horizon over the rows with a known actual: an event is |actual| >
// threshold_mw, a forecast event |forecast| > threshold_mw.
RampCounts CountRamps(const std::vector<ChangeEvalRow>& rows, int horizon_intervals,
                      double threshold_mw);

// The same events against the ramp alarm of horizon-1 rows: a forecast event is a ramp
// probability above 0.5 (more likely than not). Rows without a probability are skipped.
RampCounts CountRampAlarms(const std::vector<ChangeEvalRow>& rows, double threshold_mw);

// The whole evaluation of issue times [from, to) (from on the half-hour grid). The
// training window is the measurements starting in [from - training_days, from); actuals
// may use measurements at or after `to`. Trains (or loads) the final and the calibration
// models with LoadOrTrain. `day_ahead` (the operator's vintages, region MW) feeds training
// and replay alike, each row seeing only vintages published before its decision time.
// InvalidArgument if the window is not fully covered by `measurements`, from >= to, or a
// forecaster error (e.g. too few rows).
absl::StatusOr<ChangeEvalResult> EvaluateChangeForecasts(
    const std::vector<data::GridMeasurement>& measurements, absl::Time from, absl::Time to,
    const ChangeEvalConfig& config, const std::vector<data::DayAheadForecastRow>& day_ahead = {});

}  // namespace gridpilot::forecast::eval

#endif  // GRIDPILOT_CORE_FORECAST_EVAL_CHANGE_FORECAST_EVAL_H_
