// Why a forecast says what it says: the model's SHAP contributions (one per feature plus
// a bias, summing to the forecast) reduced to the few features an operator should read.
#ifndef GRIDPILOT_CORE_ML_FORECAST_EXPLANATION_H_
#define GRIDPILOT_CORE_ML_FORECAST_EXPLANATION_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace gridpilot::ml {

struct FeatureContribution {
  std::string feature;
  float value = 0.0f;         // the feature's value in the forecast's row (NaN = missing)
  double contribution = 0.0;  // in the forecast's unit, signed
};

struct Explanation {
  double forecast = 0.0;                 // bias + every contribution
  double bias = 0.0;                     // the model's expected value over its training rows
  std::vector<FeatureContribution> top;  // largest |contribution| first
  double others = 0.0;                   // the sum of the contributions not in `top`
};

// The `top_k` largest contributions by magnitude (ties: feature order), the rest summed.
// `contributions` holds one value per feature and then the bias. InvalidArgument if the
// sizes disagree (names and values one per feature) or top_k < 1. Pure.
absl::StatusOr<Explanation> ExplainContributions(const std::vector<std::string>& names,
                                                 const std::vector<float>& values,
                                                 const std::vector<double>& contributions,
                                                 int top_k);

}  // namespace gridpilot::ml

#endif  // GRIDPILOT_CORE_ML_FORECAST_EXPLANATION_H_
