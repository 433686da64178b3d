// The XGBoost price model: the price of a half-hour up to 24 hours ahead, from what is
// known when the forecast is issued. Its features start from the trader's own profile
// (ProfileForecaster) and add what the profile leaves out: the last known price and how far
// it sits from the same time yesterday, the same half-hour one and seven days earlier,
// the horizon, the target's time of day and whether it falls on a weekend. One model
// serves every horizon (the horizon is a feature). Pure apart from XGBoost's training.
#ifndef GRIDPILOT_CORE_FORECAST_MODELS_PRICE_MODEL_H_
#define GRIDPILOT_CORE_FORECAST_MODELS_PRICE_MODEL_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "core/ml/xgboost_model.h"

namespace gridpilot::forecast::models {

struct PriceFeatureInputs {
  absl::Time target;                 // start of the forecast half-hour
  int horizon_index = 0;             // 0 = the half-hour starting at issue time
  double profile_gbp_per_mwh = 0.0;  // ProfileForecaster's forecast of the target
  std::optional<double> last_known;  // the half-hour that ended at issue time
  std::optional<double> last_known_a_day_earlier;
  std::optional<double> target_a_day_earlier;  // known when horizon_index < 48
  std::optional<double> target_a_week_earlier;
};

// Names of PriceFeatureRow's values, in order.
const std::vector<std::string>& PriceFeatureNames();

// The feature row (NaN = unknown).
std::vector<float> PriceFeatureRow(const PriceFeatureInputs& inputs);

// Training parameters of the price model (200 rounds, depth 6, eta 0.05, one thread).
ml::XgboostParams PriceModelParams();

}  // namespace gridpilot::forecast::models

#endif  // GRIDPILOT_CORE_FORECAST_MODELS_PRICE_MODEL_H_
