// Out-of-sample evaluation of the day-ahead national demand forecast, as `gridpilot
// forecast-eval --target day-ahead` runs it. For each UTC day D of the evaluation window
// the forecast is issued at D-1 23:45 UTC for the 48 half-hours of D; the model is
// trained only on days before the window. Each forecast sits next to three baselines
// over the same rows: persistence (same half-hour on the latest earlier day that had
// ended by the cut-off), seasonal naive (same half-hour a week earlier) and NESO's own
// day-ahead forecast (latest vintage published by the cut-off).
//
// Prediction intervals are split-conformal, as for the change model
// (change_forecast_eval.h): a calibration model trained on the first 80% of the training
// days gives absolute errors on the held-out last 20%, and their conformal quantile at the
// nominal coverage is the half-width. The two forecast paths (with and without a NESO
// vintage) differ a lot in error, so each gets its own quantile (Mondrian conformal): the
// NESO path from the held-out rows that had a vintage, the fallback path from its own
// forecasts on every held-out row. With fewer than 100 rows that had a vintage, the NESO
// path uses the fallback's width.
#ifndef GRIDPILOT_CORE_FORECAST_EVAL_DAY_AHEAD_DEMAND_EVAL_H_
#define GRIDPILOT_CORE_FORECAST_EVAL_DAY_AHEAD_DEMAND_EVAL_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "core/data/grid_data_loader.h"
#include "core/data/grid_series.h"
#include "core/forecast/day_ahead_demand_features.h"
#include "core/forecast/models/day_ahead_demand_forecaster.h"
#include "core/ml/xgboost_model.h"

namespace gridpilot::forecast::eval {

// One forecast of one half-hour, with the baselines and the outturn (GB MW).
struct DayAheadEvalRow {
  absl::Time issue_time;    // the cut-off, D-1 23:45 UTC
  absl::Time target_start;  // a half-hour of day D
  double forecast_mw = 0.0;
  double lower_mw = 0.0;  // prediction interval
  double upper_mw = 0.0;
  bool has_neso = false;            // a NESO vintage was known at the cut-off
  std::optional<double> actual_mw;  // outturn ND; nullopt if unknown
  std::optional<double> persistence_mw;
  std::optional<double> seasonal_naive_mw;
  std::optional<double> neso_mw;
};

// Error figures of one forecast over a set of rows.
struct ErrorMetrics {
  int rows = 0;
  double mae_mw = 0.0;
  double rmse_mw = 0.0;
  double mape_percent = 0.0;  // mean of |error| / |actual| x 100
};

// Accumulates (forecast, actual) pairs; rows with actual == 0 count toward MAE and RMSE
// but not MAPE (the shipped ND never is 0). Empty: every figure NaN, rows 0.
class ErrorAccumulator {
 public:
  void Add(double forecast_mw, double actual_mw);
  ErrorMetrics Metrics() const;

 private:
  int rows_ = 0;
  int mape_rows_ = 0;
  double abs_sum_ = 0.0, sq_sum_ = 0.0, ape_sum_ = 0.0;
};

struct DayAheadMetrics {
  // Rows with a known outturn and all three baselines known: every figure below except
  // model_all is over exactly these rows.
  int rows_compared = 0;
  int rows_with_actual = 0;  // rows with a known outturn
  ErrorMetrics model, persistence, seasonal_naive, neso;
  double coverage = 0.0;   // share of compared rows with lower <= actual <= upper
  ErrorMetrics model_all;  // the model over every row with a known outturn
  double coverage_all = 0.0;
};

DayAheadMetrics ScoreDayAhead(const std::vector<DayAheadEvalRow>& rows);

// Conformal half-widths (GB MW) by kind of row.
struct DayAheadIntervalWidths {
  double with_neso_mw = 0.0;
  double without_neso_mw = 0.0;
};

// Issues the forecasts of every UTC day in [first_day, end_day) at its cut-off, with
// interval forecast -/+ the width for the row's kind. Half-hours without an anchor get no
// row; *skipped (if not null) counts them. Actuals come from `features` with no gate
// (nullopt past the data). Errors: InvalidArgument for days that are not UTC midnights;
// Internal from the model.
absl::StatusOr<std::vector<DayAheadEvalRow>> ForecastDayAheadDays(
    const models::DayAheadDemandForecaster& forecaster, const DayAheadDemandFeatures& features,
    absl::Time first_day, absl::Time end_day, const DayAheadIntervalWidths& widths,
    int* skipped = nullptr);

struct DayAheadEvalConfig {
  std::string model_dir;  // LoadOrTrain's cache
  ml::XgboostParams params;
  int max_training_days = 365;        // at most this many days before `from`
  int min_training_days = 28;         // fewer available in the data is an error
  double calibration_fraction = 0.2;  // last part of the training days held out
  double coverage = 0.9;              // nominal interval coverage
  base::HolidayCalendar holidays;     // the features' holiday flags (default: uk)
};

struct DayAheadEvalResult {
  std::vector<DayAheadEvalRow> rows;  // by day, then half-hour
  DayAheadMetrics metrics;
  DayAheadIntervalWidths half_widths;
  int calibration_rows_with_neso = 0;     // NESO path's calibration residuals
  int calibration_rows_without_neso = 0;  // fallback path's (every held-out row)
  int skipped_targets = 0;                // no anchor: no forecast
  absl::Time training_first_day;
  int training_days = 0;
  int training_rows = 0;
};

// The model and interval widths for forecasting from `from` (a UTC midnight) on, trained
// as the evaluation trains them: on the days before `from` (the last max_training_days,
// none before the series' first full UTC day), widths from a calibration model that did
// not see the last calibration_fraction of them. Errors as EvaluateDayAheadDemand.
struct TrainedDayAheadDemand {
  models::DayAheadDemandForecaster forecaster;
  DayAheadIntervalWidths half_widths;
  int calibration_rows_with_neso = 0;
  int calibration_rows_without_neso = 0;
  absl::Time training_first_day;
  int training_days = 0;
  int training_rows = 0;
  base::HolidayCalendar holidays;  // the calendar it was trained with: forecast with it too
};
absl::StatusOr<TrainedDayAheadDemand> TrainDayAheadDemand(
    const data::GridSeries& series, const std::vector<data::DayAheadForecastRow>& neso,
    absl::Time from, const DayAheadEvalConfig& config);

// The whole evaluation of days [from, to) (UTC midnights). Trains on the days before
// `from`: the last max_training_days of them, but none before the series' first full UTC
// day. InvalidArgument if from >= to, either is not a UTC midnight, or fewer than
// min_training_days days precede `from` in the series; errors of the forecaster otherwise.
absl::StatusOr<DayAheadEvalResult> EvaluateDayAheadDemand(
    const data::GridSeries& series, const std::vector<data::DayAheadForecastRow>& neso,
    absl::Time from, absl::Time to, const DayAheadEvalConfig& config);

}  // namespace gridpilot::forecast::eval

#endif  // GRIDPILOT_CORE_FORECAST_EVAL_DAY_AHEAD_DEMAND_EVAL_H_
