// ConformalBand: the online conformal band from scored forecasts.
#include "core/forecast/conformal_band.h"

#include <algorithm>
#include <cmath>
#include <deque>
#include <optional>
#include <random>
#include <vector>

#include "gtest/gtest.h"

namespace gridpilot::forecast {
namespace {

const absl::Time kT0 = absl::FromUnixSeconds(1678233600);
const absl::Duration kH1 = absl::Minutes(30);

TEST(ConformalBandTest, NoBandBeforeEnoughErrors) {
  ConformalBand band(0.9, 100, 3);
  band.AddForecast(kH1, kT0, 100.0);
  band.AddMeasurement(kT0, 104.0);
  EXPECT_EQ(band.ErrorCount(kH1), 1);
  EXPECT_FALSE(band.HalfWidth(kH1).has_value());
}

TEST(ConformalBandTest, ConformalQuantileOfAbsoluteErrors) {
  ConformalBand band(0.9, 100, 1);
  // Errors 1..10 MW, alternating sign.
  for (int i = 1; i <= 10; ++i) {
    const absl::Time t = kT0 + kH1 * i;
    band.AddForecast(kH1, t, 100.0);
    band.AddMeasurement(t, 100.0 + (i % 2 ? i : -i));
  }
  // ceil(11 * 0.9) = 10th smallest of 1..10.
  EXPECT_DOUBLE_EQ(*band.HalfWidth(kH1), 10.0);
  ConformalBand half(0.5, 100, 1);
  for (int i = 1; i <= 10; ++i) {
    const absl::Time t = kT0 + kH1 * i;
    half.AddForecast(kH1, t, 0.0);
    half.AddMeasurement(t, i);
  }
  EXPECT_DOUBLE_EQ(*half.HalfWidth(kH1), 6.0);  // ceil(5.5) = 6th
}

TEST(ConformalBandTest, WindowForgetsOldErrorsAndHorizonsAreSeparate) {
  ConformalBand band(0.9, 2, 1);
  for (int i = 1; i <= 3; ++i) {
    const absl::Time t = kT0 + kH1 * i;
    band.AddForecast(kH1, t, 0.0);
    band.AddForecast(absl::Minutes(60), t, 0.0);
    band.AddMeasurement(t, i == 1 ? 50.0 : 1.0);
  }
  EXPECT_EQ(band.ErrorCount(kH1), 2);
  EXPECT_DOUBLE_EQ(*band.HalfWidth(kH1), 1.0);  // the 50 MW error left the window
  EXPECT_EQ(band.ErrorCount(absl::Minutes(60)), 2);
  EXPECT_FALSE(band.HalfWidth(absl::Minutes(90)).has_value());
}

TEST(ConformalBandTest, UnmeasuredTargetsAreDropped) {
  ConformalBand band(0.9, 10, 1);
  band.AddForecast(kH1, kT0, 100.0);  // never measured
  band.AddForecast(kH1, kT0 + kH1, 100.0);
  band.AddMeasurement(kT0 + kH1, 103.0);
  EXPECT_EQ(band.ErrorCount(kH1), 1);
  band.AddMeasurement(kT0, 0.0);  // late: its forecast is gone
  EXPECT_EQ(band.ErrorCount(kH1), 1);
  EXPECT_DOUBLE_EQ(*band.HalfWidth(kH1), 3.0);
}

// Over a long stream with many equal errors and a short window, every half-width is the
// ceil((n + 1) * coverage)-th smallest of the last `window` errors, as sorting them gives.
TEST(ConformalBandTest, HalfWidthIsTheRankedErrorOfTheWindowThroughout) {
  std::mt19937 rng(11);
  std::uniform_int_distribution<int> error_tenths(0, 30);
  ConformalBand band(0.8, 7, 3);
  const absl::Duration horizon = absl::Minutes(30);
  const absl::Time t0 = absl::FromUnixSeconds(1700000000);
  std::deque<double> window;
  for (int i = 0; i < 300; ++i) {
    const absl::Time target = t0 + i * horizon;
    const double error = 0.1 * error_tenths(rng);
    band.AddForecast(horizon, target, 100.0);
    band.AddMeasurement(target, 100.0 + (i % 2 == 0 ? error : -error));
    window.push_back(std::fabs((100.0 + (i % 2 == 0 ? error : -error)) - 100.0));
    if (window.size() > 7) window.pop_front();
    std::vector<double> sorted(window.begin(), window.end());
    std::sort(sorted.begin(), sorted.end());
    const size_t rank = static_cast<size_t>(std::ceil((sorted.size() + 1.0) * 0.8));
    const std::optional<double> half_width = band.HalfWidth(horizon);
    if (sorted.size() < 3) {
      EXPECT_FALSE(half_width.has_value()) << i;
    } else {
      ASSERT_TRUE(half_width.has_value()) << i;
      EXPECT_EQ(*half_width, sorted[std::min(rank, sorted.size()) - 1]) << i;
    }
  }
}

}  // namespace
}  // namespace gridpilot::forecast
