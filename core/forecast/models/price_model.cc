#include "core/forecast/models/price_model.h"

#include <cmath>
#include <limits>
#include <numbers>

#include "absl/time/civil_time.h"

namespace gridpilot::forecast::models {

const std::vector<std::string>& PriceFeatureNames() {
  static const std::vector<std::string>* const kNames =
      new std::vector<std::string>{"profile_gbp_per_mwh",
                                   "last_known_gbp_per_mwh",
                                   "target_a_day_earlier_gbp_per_mwh",
                                   "target_a_week_earlier_gbp_per_mwh",
                                   "last_known_day_over_day_gbp_per_mwh",
                                   "last_known_minus_profile_gbp_per_mwh",
                                   "horizon_index",
                                   "target_hour_sin",
                                   "target_hour_cos",
                                   "target_weekend"};
  return *kNames;
}

std::vector<float> PriceFeatureRow(const PriceFeatureInputs& in) {
  constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
  auto value = [](const std::optional<double>& v) {
    return v.has_value() ? static_cast<float>(*v) : kNaN;
  };
  const absl::CivilSecond civil = absl::ToCivilSecond(in.target, absl::UTCTimeZone());
  const double day_fraction = (civil.hour() * 60 + civil.minute()) / 1440.0;
  const absl::Weekday weekday = absl::GetWeekday(absl::CivilDay(civil));
  const bool weekend = weekday == absl::Weekday::saturday || weekday == absl::Weekday::sunday;
  return {static_cast<float>(in.profile_gbp_per_mwh),
          value(in.last_known),
          value(in.target_a_day_earlier),
          value(in.target_a_week_earlier),
          value(in.last_known) - value(in.last_known_a_day_earlier),  // NaN propagates
          value(in.last_known) - static_cast<float>(in.profile_gbp_per_mwh),
          static_cast<float>(in.horizon_index),
          static_cast<float>(std::sin(2 * std::numbers::pi * day_fraction)),
          static_cast<float>(std::cos(2 * std::numbers::pi * day_fraction)),
          weekend ? 1.0f : 0.0f};
}

ml::XgboostParams PriceModelParams() {
  ml::XgboostParams params;
  params.num_rounds = 200;
  params.max_depth = 6;
  params.eta = 0.05;
  params.nthread = 1;
  return params;
}

}  // namespace gridpilot::forecast::models
