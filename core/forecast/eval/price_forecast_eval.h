// Out-of-sample evaluation of the price forecasts, as `gridpilot forecast-eval --target
// price` runs it. At every half-hour boundary s of the period the forecasters have seen
// exactly the prices of the intervals that ended by s (pushed one by one, as the trader
// receives them) and forecast the 48 half-hours starting at s.
//   model            the XGBoost price model (core/forecast/models/price_model.h), trained
//   walk-forward:
//                    first `calibration_days` before the period, then at the start of
//                    every calendar month, each time on every (issue, horizon) example
//                    whose price was known by then (one issue time in four);
//   trader's profile ProfileForecaster, what the trader plans on;
//   persistence      the last known price (the interval starting at s - 30 min);
//   yesterday        the same half-hour one day earlier (what the yesterday's-price plan
//                    trades on);
//   seasonal naive   the same half-hour one week earlier.
// All are compared over the same rows. Prediction intervals (the model's) are conformal on
// a rolling window: each midnight, per horizon, the half-width is the conformal quantile of
// the model's absolute errors on the forecasts issued in the previous `calibration_days`
// whose target had ended by then. No forecast or interval uses a price it could not have
// known. MAPE is not reported: GB prices cross zero, so percentage errors are meaningless.
#ifndef GRIDPILOT_CORE_FORECAST_EVAL_PRICE_FORECAST_EVAL_H_
#define GRIDPILOT_CORE_FORECAST_EVAL_PRICE_FORECAST_EVAL_H_

#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "core/data/grid_measurement.h"
#include "core/forecast/eval/day_ahead_demand_eval.h"

namespace gridpilot::forecast::eval {

struct PriceEvalRow {
  absl::Time issue_time;      // s
  int horizon_intervals = 0;  // 1-based: the target starts at s + (h - 1) * 30 min
  absl::Time target_start;
  double forecast_gbp_per_mwh = 0.0;
  double lower_gbp_per_mwh = 0.0;
  double upper_gbp_per_mwh = 0.0;
  std::optional<double> actual;       // the target's price, if recorded
  double profile_gbp_per_mwh = 0.0;   // the trader's profile (a baseline here)
  std::optional<double> persistence;  // baselines, when their price is recorded
  std::optional<double> yesterday;
  std::optional<double> seasonal_naive;
};

struct PriceEvalConfig {
  int horizon_intervals = 48;
  double coverage = 0.9;      // nominal interval coverage
  int calibration_days = 28;  // rolling window of matured errors for the intervals
  // Prices needed before the model's first training (calibration_days before `from`).
  int min_training_days = 28;
};

// Error figures (GBP/MWh; the *_mw names of ErrorMetrics are shared with the demand
// evaluations) of the model and each baseline over exactly the same rows: those with the
// actual and every baseline recorded.
struct PriceMetrics {
  int rows_compared = 0;
  ErrorMetrics model, profile, persistence, yesterday, seasonal_naive;
  double coverage = 0.0;  // share of compared rows with lower <= actual <= upper
};

struct PriceEvalResult {
  std::vector<PriceEvalRow> rows;        // by issue time, then horizon
  PriceMetrics all;                      // every horizon
  PriceMetrics first_interval;           // horizon 1 only
  PriceMetrics day_ahead_part;           // horizons 17..48 (8 to 24 hours ahead)
  std::vector<double> last_half_widths;  // per horizon, at the last midnight of the period
  int trainings = 0;                     // walk-forward trainings of the model
  int last_training_examples = 0;
};

// Metrics over the rows whose horizon is in [first_horizon, last_horizon].
PriceMetrics ScorePriceRows(const std::vector<PriceEvalRow>& rows, int first_horizon,
                            int last_horizon);

// The evaluation of issue times [from, to) (from on the half-hour grid). `measurements`
// is the whole series, sorted on the half-hour grid; prices before `from` train the model
// and warm the forecasters and the intervals. InvalidArgument if the first recorded price
// is later than calibration_days + min_training_days + 1 days before `from`, from >= to,
// or the series is not on the grid; Internal if XGBoost fails.
absl::StatusOr<PriceEvalResult> EvaluatePriceForecasts(
    const std::vector<data::GridMeasurement>& measurements, absl::Time from, absl::Time to,
    const PriceEvalConfig& config);

}  // namespace gridpilot::forecast::eval

#endif  // GRIDPILOT_CORE_FORECAST_EVAL_PRICE_FORECAST_EVAL_H_
