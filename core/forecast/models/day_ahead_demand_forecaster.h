// The day-ahead national demand model. For each half-hour of day D it forecasts outturn
// ND from what DayAheadDemandFeatures lets through at the cut-off, in one of two ways:
//   - with a NESO vintage published by the cut-off: NESO's forecast plus an error-
//     persistence correction, beta(lead) x NESO's error on the last half-hour that had
//     ended by the cut-off (outturn minus what NESO had forecast for it). beta is one
//     least-squares coefficient per 6-hour band of lead time (target start - publication),
//     fitted on the training window's rows that had a vintage.
//   - without: an XGBoost model of outturn minus the same half-hour a week earlier,
//     trained on every training row with the features derived from NESO's forecast
//     (names starting "neso") hidden, so it never leans on what it will not have.
// Why not XGBoost for the NESO rows too: NESO's file starts in October 2022, so a model
// trained on 2022 sees under 3 months of vintages, and tuned on 2022 alone, tree
// corrections of NESO's forecast did worse than NESO itself and than the linear correction
// (docs/decisions.md, "Day-ahead demand forecaster").
// Training rows and forecasts use the same DayAheadDemandFeatures code at the same
// cut-off, so they agree by construction. The XGBoost model is cached on disk under a
// fingerprint of the training set and parameters.
#ifndef GRIDPILOT_CORE_FORECAST_MODELS_DAY_AHEAD_DEMAND_FORECASTER_H_
#define GRIDPILOT_CORE_FORECAST_MODELS_DAY_AHEAD_DEMAND_FORECASTER_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "core/forecast/day_ahead_demand_features.h"
#include "core/ml/xgboost_model.h"

namespace gridpilot::forecast::models {

// Training rows: one per half-hour of each day in the window with a known outturn and a
// known NESO forecast or seasonal naive value.
struct DayAheadTrainingSet {
  std::vector<float> features;  // rows x cols, row-major, NaN = missing
  size_t rows = 0;
  size_t cols = 0;
  std::vector<float> actuals_mw;          // outturn ND (GB MW), one per row
  std::vector<float> neso_mw;             // NESO's forecast at the cut-off; NaN if none
  std::vector<float> seasonal_naive_mw;   // ND a week earlier; NaN if unknown
  std::vector<absl::Time> target_starts;  // one per row
};

// Rows for the 48 half-hours of every UTC day starting in [first_day, end_day) (UTC
// midnights), each as seen at that day's cut-off. Targets use outturn ND, so every
// target must lie before whatever the caller treats as the future: end_day <= the first
// evaluated day. InvalidArgument unless both are UTC midnights and first_day < end_day.
absl::StatusOr<DayAheadTrainingSet> BuildDayAheadTrainingSet(const DayAheadDemandFeatures& features,
                                                             absl::Time first_day,
                                                             absl::Time end_day);

// 64-bit FNV-1a over the feature names, the training set (features, targets, times) and
// the params: equal inputs, equal key.
uint64_t DayAheadModelFingerprint(const DayAheadTrainingSet& set, const ml::XgboostParams& params);

// Lead-time bands of the NESO correction: [0, 6), [6, 12), [12, 18), [18, 24) and 24+ h.
inline constexpr int kNesoLeadBands = 5;
int NesoLeadBand(double lead_hours);

// Least-squares slopes through the origin of (outturn - NESO) on NESO's last known error,
// one per lead band, over the set's rows with a vintage and a known last error; 0 for a
// band with none.
std::vector<double> FitNesoErrorBetas(const DayAheadTrainingSet& set);

// The same fit over the set's rows whose target starts in [first_target, end_target) only.
std::vector<double> FitNesoErrorBetas(const DayAheadTrainingSet& set, absl::Time first_target,
                                      absl::Time end_target);

// The fallback model's view of a feature row: every "neso*" feature set to NaN.
std::vector<float> WithoutNesoFeatures(std::vector<float> row);

// Copyable (copies share the immutable models). Forecast is thread-safe.
class DayAheadDemandForecaster {
 public:
  // Fits the NESO correction and trains the fallback model on `set`. InvalidArgument if
  // the fallback has fewer than 500 rows or the set is inconsistent; Internal on an
  // XGBoost failure. A lead band with no training row that had both a vintage and a known
  // last error gets beta 0 (NESO's forecast unchanged).
  static absl::StatusOr<DayAheadDemandForecaster> Train(const DayAheadTrainingSet& set,
                                                        const ml::XgboostParams& params);

  // Fits the NESO correction (cheap, closed form) and loads
  // model_dir/day_ahead_demand_fallback_{fingerprint as 16 hex digits}.json if it exists
  // and loads, otherwise trains as Train does and saves it (creating model_dir). Errors as
  // Train, plus Internal if model_dir cannot be created or the model cannot be saved.
  static absl::StatusOr<DayAheadDemandForecaster> LoadOrTrain(const std::string& model_dir,
                                                              const DayAheadTrainingSet& set,
                                                              const ml::XgboostParams& params);

  // The NESO correction's slopes, one per lead band (dimensionless).
  // What Forecast returns when no NESO vintage is known, whether or not one is: the
  // fallback path alone, so it can be calibrated on every row. nullopt without the
  // week-old ND. Errors as Forecast.
  absl::StatusOr<std::optional<double>> FallbackForecast(const DayAheadDemandFeatures& features,
                                                         absl::Time target_start,
                                                         absl::Time cutoff) const;

  const std::vector<double>& neso_error_betas() const { return neso_error_betas_; }

  // A copy that corrects NESO's forecast with `betas` (one per lead band) instead, sharing
  // the fallback model. InvalidArgument unless there are kNesoLeadBands finite betas.
  absl::StatusOr<DayAheadDemandForecaster> WithNesoErrorBetas(std::vector<double> betas) const;

  // Forecast ND (GB MW) of the half-hour starting at target_start as seen at `cutoff`:
  // NESO + correction, or week-old ND + the fallback model's change. nullopt when neither
  // NESO's forecast nor the week-old ND is known (no forecast issued).
  // Internal only if the model rejects the row (a width mismatch: a stale model).
  absl::StatusOr<std::optional<double>> Forecast(const DayAheadDemandFeatures& features,
                                                 absl::Time target_start, absl::Time cutoff) const;

 private:
  DayAheadDemandForecaster(std::vector<double> neso_error_betas,
                           std::shared_ptr<const ml::XgboostRegressor> fallback_model)
      : neso_error_betas_(std::move(neso_error_betas)),
        fallback_model_(std::move(fallback_model)) {}

  // The fallback path on a full feature row.
  absl::StatusOr<std::optional<double>> FallbackFromRow(const std::vector<float>& row) const;

  std::vector<double> neso_error_betas_;                        // one per lead band (NesoLeadBand)
  std::shared_ptr<const ml::XgboostRegressor> fallback_model_;  // target: ND - ND a week earlier
};

}  // namespace gridpilot::forecast::models

#endif  // GRIDPILOT_CORE_FORECAST_MODELS_DAY_AHEAD_DEMAND_FORECASTER_H_
