// Deterministic synthetic grid data for the forecast evaluation tests: a half-hourly net
// load with a daily cycle, a weekly effect and seeded noise, and NESO day-ahead vintages
// published at the day-ahead cut-off (every fifth day's a minute late). Each test chooses
// its seed and its vintage error, so its numbers stay its own.
#ifndef GRIDPILOT_TESTS_CORE_FORECAST_EVAL_SYNTHETIC_GRID_H_
#define GRIDPILOT_TESTS_CORE_FORECAST_EVAL_SYNTHETIC_GRID_H_

#include <cmath>
#include <cstdint>
#include <functional>
#include <numbers>
#include <optional>
#include <vector>

#include "absl/time/time.h"
#include "core/base/time_util.h"
#include "core/data/day_ahead_forecast_row.h"
#include "core/data/grid_measurement.h"
#include "core/data/grid_series.h"
#include "core/forecast/day_ahead_demand_features.h"

namespace gridpilot::forecast::eval::synthetic {

// Deterministic noise in [-1, 1] from a 64-bit linear congruential generator.
class Noise {
 public:
  explicit Noise(uint64_t seed) : state_(seed) {}
  double Next() {
    state_ = state_ * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<double>(state_ >> 40) / (1ULL << 24) * 2.0 - 1.0;
  }

 private:
  uint64_t state_;
};

// `days` days of half-hourly measurements from `start`: net load 300 MW + an 80 MW daily
// sine + 20 MW on every sixth day of the week + noise in [-4, 4] MW; solar 10, wind 20 MW.
inline std::vector<data::GridMeasurement> SyntheticMeasurements(absl::Time start, int days,
                                                                uint64_t seed) {
  std::vector<data::GridMeasurement> out;
  Noise noise(seed);
  for (int i = 0; i < days * 48; ++i) {
    const double noise_mw = noise.Next() * 4.0;
    const double day_angle = 2 * std::numbers::pi * (i % 48) / 48.0;
    const double net = 300 + 80 * std::sin(day_angle) + 20 * ((i / 48) % 7 == 5) + noise_mw;
    out.push_back({start + i * base::kHalfHour, net, 10.0, 20.0, std::nullopt});
  }
  return out;
}

struct SyntheticDayAheadData {
  data::GridSeries series;
  std::vector<data::DayAheadForecastRow> neso;
};

// `days` days of ND from `start`: 25,000 MW + a 5,000 MW daily sine - 2,000 MW on the
// 6th and 7th day of each week + 400 MW x noise; solar 100, wind 200 MW. Then each
// half-hour's NESO vintage: published at DayAheadCutoff of its day (a minute later on
// every fifth day, so too late), valued `neso_mw(half_hour_index, nd_mw, noise)`, which
// draws on the same generator after the series has used it.
inline SyntheticDayAheadData SyntheticDayAhead(
    absl::Time start, int days, uint64_t seed,
    const std::function<double(int half_hour_index, double nd_mw, Noise& noise)>& neso_mw) {
  Noise noise(seed);
  std::vector<data::GridInterval> intervals;
  for (int i = 0; i < days * 48; ++i) {
    const double angle = 2 * std::numbers::pi * (i % 48) / 48.0;
    const bool weekend = ((i / 48) % 7) >= 5;
    data::GridInterval g;
    g.start = start + i * base::kHalfHour;
    g.net_load_mw = 25000 + 5000 * std::sin(angle) - 2000 * weekend + 400 * noise.Next();
    g.embedded_solar_mw = 100.0;
    g.embedded_wind_mw = 200.0;
    intervals.push_back(g);
  }
  SyntheticDayAheadData data{*data::GridSeries::Create(intervals), {}};
  for (int i = 0; i < days * 48; ++i) {
    const int day = i / 48;
    const absl::Time published = DayAheadCutoff(start + day * absl::Hours(24)) +
                                 (day % 5 == 4 ? absl::Minutes(1) : absl::ZeroDuration());
    data.neso.push_back(
        {intervals[i].start, published, neso_mw(i, *intervals[i].net_load_mw, noise)});
  }
  return data;
}

}  // namespace gridpilot::forecast::eval::synthetic

#endif  // GRIDPILOT_TESTS_CORE_FORECAST_EVAL_SYNTHETIC_GRID_H_
