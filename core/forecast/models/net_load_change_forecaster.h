// Forecasts how much the region's net load will change over the next few half-hours,
// one XGBoost model per horizon, from the FeatureStore's features. The same FeatureStore
// code builds the training rows offline and the serving rows online, so the two agree by
// construction. Training results are cached on disk under a fingerprint of the training
// data, horizons and parameters, so a service restart reloads instead of retraining.
#ifndef GRIDPILOT_CORE_FORECAST_MODELS_NET_LOAD_CHANGE_FORECASTER_H_
#define GRIDPILOT_CORE_FORECAST_MODELS_NET_LOAD_CHANGE_FORECASTER_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "core/data/grid_measurement.h"
#include "core/forecast/feature_store.h"
#include "core/ml/xgboost_model.h"

namespace gridpilot::forecast::models {

// One forecast for one horizon. Horizon h (1-based) targets the interval starting at
// decision_time + (h - 1) * 30 min; h = 1 is "the next 30-minute change".
struct ChangeForecast {
  int horizon_intervals;
  absl::Time target_interval_start;
  // Predicted net load of the target interval minus the net load of the last measured
  // interval (region MW; > 0 = net load rises).
  double change_mw;
  // Horizon 1 only: the ramp-alarm model's probability that |change| exceeds the
  // forecaster's ramp_threshold_mw(). A ramp is expected when it is above 0.5.
  std::optional<double> ramp_probability;
};

// Feature rows and per-horizon targets for training or evaluation.
struct TrainingSet {
  std::vector<float> features;  // rows x cols, row-major, NaN = missing
  size_t rows = 0;
  size_t cols = 0;
  // targets[j][r]: change for horizons[j] at row r (target interval net load minus lag-1
  // net load); NaN where either is unknown.
  std::vector<std::vector<float>> targets;
  std::vector<absl::Time> decision_times;  // one per row
};

// The horizons the forecast service serves and `gridpilot train` publishes: every
// half-hour from 30 minutes to 4 hours ahead (lead time for a peaker's start).
inline const std::vector<int>& ServedChangeHorizons() {
  static const std::vector<int>* const kHorizons = new std::vector<int>{1, 2, 3, 4, 5, 6, 7, 8};
  return *kHorizons;
}

// Nearest-rank quantile q in (0, 1] of |net load(i) - net load(i - 1)| over consecutive
// intervals of `measurements` (both 30 min apart and present). InvalidArgument if there
// is no such pair or q is out of range.
absl::StatusOr<double> AbsChangeQuantile(const std::vector<data::GridMeasurement>& measurements,
                                         double q, absl::Duration interval = absl::Minutes(30));

// The quantile of |30-min change| of the training history that defines a ramp event for
// the ramp-alarm model (the 95th percentile, as the evaluation defines ramp events).
inline constexpr double kRampEventQuantile = 0.95;

// Intervals a FeatureStore must hold before a row is emitted: lag 337 must exist.
inline constexpr size_t kChangeWarmUpIntervals = 336 + 2;
// The same at any resolution: a week of intervals plus 2.
inline size_t ChangeWarmUpIntervals(absl::Duration interval) {
  return static_cast<size_t>(absl::Hours(24 * 7) / interval) + 2;
}

// Pushes `history` (sorted; gaps allowed and treated as missing) through one FeatureStore
// and emits one row per measurement once the store holds kChangeWarmUpIntervals
// intervals: the features at the decision time just after that measurement, and its
// targets. Before each row the store gets the `day_ahead` vintages (region MW, any
// order) published before that decision time, as the forecast service gets them; with
// none, the operator-forecast features are NaN. The holiday feature reads `holidays`.
// InvalidArgument if a horizon is < 1 or
// the history is not strictly increasing on the half-hour grid (the FeatureStore's error).
absl::StatusOr<TrainingSet> BuildChangeTrainingSet(
    const std::vector<data::GridMeasurement>& history, const std::vector<int>& horizons,
    const std::vector<data::DayAheadForecastRow>& day_ahead = {},
    const base::HolidayCalendar& holidays = base::HolidayCalendar::Uk(),
    absl::Duration interval = absl::Minutes(30));

// 64-bit FNV-1a over every time and value of `history` and `day_ahead` (missing
// distinguished from any number), the horizons, the params, the feature names and the
// holiday calendar (HolidayCalendar::AddToFingerprint: nothing for uk): equal inputs, equal key.
uint64_t ChangeModelFingerprint(const std::vector<data::GridMeasurement>& history,
                                const std::vector<int>& horizons, const ml::XgboostParams& params,
                                const std::vector<data::DayAheadForecastRow>& day_ahead = {},
                                const base::HolidayCalendar& holidays = base::HolidayCalendar::Uk(),
                                absl::Duration interval = absl::Minutes(30));

// Copyable and movable (copies share the immutable models). Forecast is thread-safe.
class NetLoadChangeForecaster {
 public:
  // Trains one model per horizon on BuildChangeTrainingSet(history, horizons, day_ahead),
  // dropping rows whose target is unknown. With horizon 1 it also trains the ramp alarm:
  // an XGBoost classifier (binary:logistic) of |30-min change| > the history's
  // kRampEventQuantile of |change|. A classifier of the event, rather than the
  // regression's mean beyond the threshold, because the mean of a large change is shrunk
  // towards zero (docs/decisions.md, "Net-load change forecaster").
  // InvalidArgument if horizons is empty or has a value < 1 or a repeat, or if any
  // horizon has fewer than 1000 usable rows; Internal on an XGBoost failure.
  static absl::StatusOr<NetLoadChangeForecaster> Train(
      const std::vector<data::GridMeasurement>& history, const std::vector<int>& horizons,
      const ml::XgboostParams& params, const std::vector<data::DayAheadForecastRow>& day_ahead = {},
      const base::HolidayCalendar& holidays = base::HolidayCalendar::Uk(),
      absl::Duration interval = absl::Minutes(30));

  // Loads model_dir/change_h{h}_{fingerprint as 16 hex digits}.json for every horizon
  // when all exist (and load); otherwise trains as Train does and saves them. Creates
  // model_dir if needed. Different history, horizons or params give a different
  // fingerprint (day_ahead and the holiday calendar included), so a stale model is never reused.
  // Errors as Train, plus Internal when model_dir cannot be created or a model cannot be saved.
  static absl::StatusOr<NetLoadChangeForecaster> LoadOrTrain(
      const std::string& model_dir, const std::vector<data::GridMeasurement>& history,
      const std::vector<int>& horizons, const ml::XgboostParams& params,
      const std::vector<data::DayAheadForecastRow>& day_ahead = {},
      const base::HolidayCalendar& holidays = base::HolidayCalendar::Uk(),
      absl::Duration interval = absl::Minutes(30));

  // Writes one XGBoost JSON model per horizon to dir/change_h{h}{suffix}.json and the
  // ramp alarm (if any) to dir/ramp_h1{suffix}.json with its threshold as the attribute
  // "event_threshold_mw" (creating dir), each atomically. Internal on an I/O or XGBoost
  // failure.
  absl::Status Save(const std::string& dir, const std::string& suffix = "") const;
  // Loads what Save wrote for `horizons` (the ramp alarm too when 1 is one of them).
  // NotFound if a file is missing; InvalidArgument
  // for bad horizons or a model that does not read FeatureStore's features; Internal if
  // XGBoost cannot read a file.
  static absl::StatusOr<NetLoadChangeForecaster> Load(const std::string& dir,
                                                      const std::vector<int>& horizons,
                                                      const std::string& suffix = "");
  // One forecast per horizon, in horizons() order, for a decision at
  // store.decision_time(). FailedPrecondition if the store is empty.
  absl::StatusOr<std::vector<ChangeForecast>> Forecast(const FeatureStore& store) const;
  // The same from `features`, which must be store.Features(): for a caller that keeps
  // the row too.
  absl::StatusOr<std::vector<ChangeForecast>> Forecast(const FeatureStore& store,
                                                       const std::vector<float>& features) const;

  // SHAP contributions of each horizon's model for a feature row of FeatureStore
  // (store.Features()): per horizon in horizons() order, one value per FeatureNames()
  // entry, then the bias; each sums to that horizon's forecast. Through XGBoost (tens of
  // microseconds per horizon): for explanations. Errors as XgboostRegressor::Contributions.
  absl::StatusOr<std::vector<std::vector<double>>> Contributions(
      const std::vector<float>& features) const;
  const std::vector<int>& horizons() const { return horizons_; }
  // The |30-min change| beyond which the ramp alarm counts an event, MW; nullopt without
  // horizon 1 (no ramp alarm).
  std::optional<double> ramp_threshold_mw() const;

 private:
  static std::string ModelFileName(int horizon, const std::string& suffix);
  static std::string RampModelFileName(const std::string& suffix);
  NetLoadChangeForecaster(std::vector<int> horizons,
                          std::vector<std::shared_ptr<const ml::XgboostRegressor>> models,
                          std::shared_ptr<const ml::XgboostRegressor> ramp_model,
                          double ramp_threshold_mw)
      : horizons_(std::move(horizons)),
        models_(std::move(models)),
        ramp_model_(std::move(ramp_model)),
        ramp_threshold_mw_(ramp_threshold_mw) {}

  std::vector<int> horizons_;
  std::vector<std::shared_ptr<const ml::XgboostRegressor>> models_;  // one per horizon
  std::shared_ptr<const ml::XgboostRegressor> ramp_model_;           // null without horizon 1
  double ramp_threshold_mw_ = 0.0;
};

}  // namespace gridpilot::forecast::models

#endif  // GRIDPILOT_CORE_FORECAST_MODELS_NET_LOAD_CHANGE_FORECASTER_H_
