// Test helper: a seeded synthetic region net-load history (daily and weekly cycles,
// embedded solar and wind, noise) for the change-forecaster tests and the prediction
// benchmark, so both train on the same kind of series. Header-only.
#ifndef GRIDPILOT_TESTS_CORE_FORECAST_MODELS_SYNTHETIC_HISTORY_H_
#define GRIDPILOT_TESTS_CORE_FORECAST_MODELS_SYNTHETIC_HISTORY_H_

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numbers>
#include <random>
#include <vector>

#include "absl/time/time.h"
#include "core/base/time_util.h"
#include "core/data/grid_measurement.h"

namespace gridpilot::forecast {

// `n` consecutive half-hours from `start`: net load about 300 MW, +-80 MW over the day and
// +-20 MW over the week, less half the solar (0..40 MW by day), wind 10..40 MW, N(0, 3 MW)
// noise drawn from a generator seeded with `seed`; the price is 80 GBP/MWh throughout.
inline std::vector<data::GridMeasurement> SyntheticRegionHistory(size_t n, uint32_t seed,
                                                                 absl::Time start) {
  constexpr double kTwoPi = 2.0 * std::numbers::pi;
  std::mt19937 rng(seed);
  std::normal_distribution<double> noise(0.0, 3.0);
  std::vector<data::GridMeasurement> history;
  for (size_t i = 0; i < n; ++i) {
    const double day = kTwoPi * (i % 48) / 48.0;
    const double week = kTwoPi * (i % 336) / 336.0;
    const double solar = std::max(0.0, 40.0 * -std::cos(day));
    const double wind = 25.0 + 15.0 * std::sin(i / 60.0);
    history.push_back(data::GridMeasurement{
        start + i * base::kHalfHour,
        300.0 - 80.0 * std::cos(day) + 20.0 * std::sin(week) - 0.5 * solar + noise(rng), solar,
        wind, 80.0});
  }
  return history;
}

}  // namespace gridpilot::forecast

#endif  // GRIDPILOT_TESTS_CORE_FORECAST_MODELS_SYNTHETIC_HISTORY_H_
