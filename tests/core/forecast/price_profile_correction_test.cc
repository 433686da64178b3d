// PriceProfileCorrection fed as the trader feeds it: at each step the price of the
// half-hour that has just ended is observed, then a forecast is issued from the next
// half-hour. What it learns per horizon, when it starts correcting, and that a forecast
// never depends on a price observed after it was issued.
#include "core/forecast/price_profile_correction.h"

#include <cmath>
#include <functional>
#include <optional>
#include <vector>

#include "core/base/time_util.h"
#include "gtest/gtest.h"

namespace gridpilot::forecast {
namespace {

const absl::Time kT0 = absl::FromCivil(absl::CivilDay(2023, 3, 6), absl::UTCTimeZone());
constexpr int kHorizon = 6;

absl::Time Interval(int k) { return kT0 + k * base::kHalfHour; }

// The inputs at step k (forecast from interval k + 1) and the realised price of interval k.
struct World {
  std::function<double(int k)> anomaly;                  // price anomaly known at step k
  std::function<double(int k, int h)> demand_deviation;  // for interval k + 1 + h
  std::function<std::optional<double>(int k)> price;     // realised price of interval k
  double profile = 50.0;                                 // flat profile, £/MWh
};

// Runs steps [0, steps): observe interval k - 1, then forecast from interval k + 1.
// Returns every forecast issued.
std::vector<std::vector<double>> RunSteps(PriceProfileCorrection& c, const World& w, int steps) {
  std::vector<std::vector<double>> forecasts;
  for (int k = 0; k < steps; ++k) {
    if (k > 0) c.Observe(Interval(k - 1), w.price(k - 1));
    std::vector<double> deviation(kHorizon);
    for (int h = 0; h < kHorizon; ++h) deviation[h] = w.demand_deviation(k, h);
    forecasts.push_back(c.Forecast(Interval(k + 1), std::vector<double>(kHorizon, w.profile),
                                   w.anomaly(k), deviation));
  }
  return forecasts;
}

// A deterministic sequence in [-1, 1) with next to no correlation from one k to the next.
double Wobble(int k) {
  const double x = std::sin(12.9898 * k) * 43758.5453;
  return 2.0 * (x - std::floor(x)) - 1.0;
}

TEST(PriceProfileCorrectionTest, ReturnsTheProfileUntilAHorizonHasEnoughSamples) {
  // The price runs 10 above the profile. Horizon h has k - 1 - h samples at step k (the
  // forecast of step j learns when interval j + 1 + h has ended, at step j + 2 + h). With
  // forgetting, n samples weigh (1 - 0.9995^n) / 0.0005: 200 from the 211th.
  World w;
  w.anomaly = [](int) { return 0.0; };
  w.demand_deviation = [](int, int) { return 0.0; };
  w.price = [](int) { return std::optional<double>(60.0); };
  PriceProfileCorrection c(kHorizon);
  const std::vector<std::vector<double>> f = RunSteps(c, w, 260);
  EXPECT_EQ(f[211][0], 50.0);         // horizon 0: 210 samples
  EXPECT_NEAR(f[212][0], 60.0, 0.1);  // 211 samples
  EXPECT_EQ(f[216][kHorizon - 1], 50.0);
  EXPECT_NEAR(f[217][kHorizon - 1], 60.0, 0.1);
}

TEST(PriceProfileCorrectionTest, LearnsHowFarEachHorizonFollowsThePriceAnomaly) {
  // Each interval's anomaly decays from the one before, a(k) = 0.8 a(k - 1) + noise, and
  // price(k) = 50 + a(k), so nearer horizons follow the last known anomaly more.
  std::vector<double> a(3000);
  for (int k = 1; k < 3000; ++k) a[k] = 0.8 * a[k - 1] + 20.0 * Wobble(k);
  World w;
  // At step k the last known price is interval k - 1's: its anomaly is a(k - 1).
  w.anomaly = [&](int k) { return k > 0 ? a[k - 1] : 0.0; };
  w.demand_deviation = [](int, int) { return 0.0; };
  w.price = [&](int k) { return std::optional<double>(50.0 + a[k]); };
  PriceProfileCorrection c(kHorizon);
  RunSteps(c, w, 2999);
  // A last known anomaly of 30 (interval 2999's): interval 3001 + h is expected
  // 0.8^(h+2) x 30 above the profile.
  std::vector<double> deviation(kHorizon, 0.0);
  const std::vector<double> f =
      c.Forecast(Interval(3000), std::vector<double>(kHorizon, 50.0), 30.0, deviation);
  for (int h = 0; h < kHorizon; ++h) {
    EXPECT_NEAR(f[h], 50.0 + 30.0 * std::pow(0.8, h + 2), 3.0) << h;
  }
  EXPECT_GT(f[0] - 50.0, f[kHorizon - 1] - 50.0 + 10.0);
}

TEST(PriceProfileCorrectionTest, LearnsThePriceOfADemandDeviation) {
  // Each target's price runs 0.5 £/MWh per MW of its demand deviation above the profile.
  auto deviation_of = [](int interval) { return 40.0 * Wobble(interval); };
  World w;
  w.anomaly = [](int) { return 0.0; };
  w.demand_deviation = [&](int k, int h) { return deviation_of(k + 1 + h); };
  w.price = [&](int k) { return std::optional<double>(50.0 + 0.5 * deviation_of(k)); };
  PriceProfileCorrection c(kHorizon);
  RunSteps(c, w, 600);
  const std::vector<double> f = c.Forecast(Interval(601), std::vector<double>(kHorizon, 50.0), 0.0,
                                           {20.0, -20.0, 0.0, 10.0, 40.0, -40.0});
  const std::vector<double> expected = {60.0, 40.0, 50.0, 55.0, 70.0, 30.0};
  for (int h = 0; h < kHorizon; ++h) EXPECT_NEAR(f[h], expected[h], 0.5) << h;
}

TEST(PriceProfileCorrectionTest, MissingPricesTeachNothingAndLongForecastsKeepTheProfile) {
  World w;
  w.anomaly = [](int) { return 0.0; };
  w.demand_deviation = [](int, int) { return 0.0; };
  w.price = [](int) { return std::optional<double>(); };
  PriceProfileCorrection c(kHorizon);
  RunSteps(c, w, 400);
  const std::vector<double> f =
      c.Forecast(Interval(401), std::vector<double>(kHorizon, 50.0), 5.0, {});
  EXPECT_EQ(f, std::vector<double>(kHorizon, 50.0));

  // With prices 10 above: beyond the horizon the profile stays as it is.
  w.price = [](int) { return std::optional<double>(60.0); };
  PriceProfileCorrection learned(kHorizon);
  RunSteps(learned, w, 400);
  const std::vector<double> longer =
      learned.Forecast(Interval(401), std::vector<double>(kHorizon + 2, 50.0), 0.0, {});
  ASSERT_EQ(longer.size(), kHorizon + 2u);
  EXPECT_NEAR(longer[kHorizon - 1], 60.0, 0.1);
  EXPECT_EQ(longer[kHorizon], 50.0);
  EXPECT_EQ(longer[kHorizon + 1], 50.0);
}

TEST(PriceProfileCorrectionTest, AForecastNeverDependsOnPricesObservedAfterIt) {
  // Two worlds with the same inputs and the same prices up to interval 449; from there
  // the second's prices run 80 higher. Every forecast issued before interval 450's price
  // is observed (steps up to 450) must be the same; the next must not.
  constexpr int kChange = 450;
  auto make = [](bool altered) {
    World w;
    w.anomaly = [](int k) { return 10.0 * Wobble(k); };
    w.demand_deviation = [](int k, int h) { return 30.0 * Wobble(5000 + k + h); };
    w.price = [altered](int k) {
      return std::optional<double>(50.0 + 10.0 * Wobble(9000 + k) +
                                   (altered && k >= kChange ? 80.0 : 0.0));
    };
    return w;
  };
  PriceProfileCorrection honest(kHorizon);
  PriceProfileCorrection altered(kHorizon);
  const std::vector<std::vector<double>> a = RunSteps(honest, make(false), 600);
  const std::vector<std::vector<double>> b = RunSteps(altered, make(true), 600);
  for (int k = 0; k <= kChange; ++k) EXPECT_EQ(a[k], b[k]) << k;
  EXPECT_NE(a[kChange + 1], b[kChange + 1]);
}

}  // namespace
}  // namespace gridpilot::forecast
