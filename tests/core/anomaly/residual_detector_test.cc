#include "core/anomaly/residual_detector.h"

#include <cmath>
#include <random>
#include <vector>

#include "core/anomaly/anomaly_features.h"
#include "core/ml/isolation_forest.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace gridpilot::anomaly {
namespace {

using ::testing::HasSubstr;

constexpr int kPeriods = 48;
constexpr double kPi = 3.14159265358979323846;

// A daily cycle (level 20, amplitude 10) with a random level each day (sd day_sd) and
// noise whose sd is noise_sd, times 3 in periods 24..35 (a noisy afternoon). Fixed seed.
std::vector<double> DailySeries(int days, uint64_t seed, double day_sd = 0.5,
                                double noise_sd = 0.5) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal(0.0, 1.0);
  std::vector<double> v;
  for (int d = 0; d < days; ++d) {
    const double day_level = day_sd * normal(rng);
    for (int p = 0; p < kPeriods; ++p) {
      const double sd = (p >= 24 && p < 36) ? 3 * noise_sd : noise_sd;
      v.push_back(20 + 10 * std::sin(2 * kPi * p / kPeriods) + day_level + sd * normal(rng));
    }
  }
  return v;
}

TEST(SeasonalMedianForecastTest, MedianOfTheSamePeriodOnTheLaggedDays) {
  // 2 periods a day; period 1 on days 0..4: 5, 1, NaN, 3, 9. Lags of 1, 2 and 3 days.
  const double nan = std::nan("");
  const std::vector<double> v = {0, 5, 0, 1, 0, nan, 0, 3, 0, 9};
  const std::vector<int> lags = {1, 2, 3};
  const std::vector<double> f = SeasonalMedianForecast(v, 2, lags);
  EXPECT_TRUE(std::isnan(f[0]) && std::isnan(f[1]));  // day 0 has no history
  EXPECT_EQ(f[3], 5.0);
  EXPECT_EQ(f[5], 3.0);  // median of 1 and 5
  EXPECT_EQ(f[7], 3.0);  // NaN skipped: median of 1 and 5
  EXPECT_EQ(f[9], 2.0);  // median of 3, NaN, 1 -> of 3 and 1
  EXPECT_EQ(f[6], 0.0);
  const std::vector<int> week = {7};
  EXPECT_TRUE(std::isnan(SeasonalMedianForecast(v, 2, week)[9]));
}

TEST(ResidualDetectorTest, ScaleIsPerPeriodOfDay) {
  const std::vector<double> train = DailySeries(60, 1);
  absl::StatusOr<ResidualDetector> detector = ResidualDetector::Fit(train, 0, {});
  ASSERT_TRUE(detector.ok()) << detector.status();
  // Residual sd: the day's level change and noise against a 7-day median; the noisy
  // afternoon periods (3 times the noise, the same day-level changes) must have a clearly
  // larger scale than the night ones (not one scale for the day).
  EXPECT_GT(detector->scale(30) / detector->scale(5), 1.5);
  EXPECT_GT(detector->scale(5), 0.5);
  EXPECT_LT(detector->scale(5), 1.2);
}

TEST(ResidualDetectorTest, FlagsASpikeAndNotTheOrdinaryRows) {
  const std::vector<double> train = DailySeries(40, 2);
  std::vector<double> test = DailySeries(14, 3);
  test[10 * kPeriods + 5] += 8.0;
  absl::StatusOr<ResidualDetector> detector = ResidualDetector::Fit(train, 0, {});
  ASSERT_TRUE(detector.ok());
  const std::vector<ResidualScore> scores = *detector->Score(test, 0);
  EXPECT_TRUE(scores[10 * kPeriods + 5].flagged);
  EXPECT_GT(scores[10 * kPeriods + 5].z, 4.0);
  int flagged = 0;
  for (const ResidualScore& s : scores) flagged += s.flagged;
  EXPECT_LE(flagged, 10);                // the spike and at most 1.5% of 672 ordinary rows
  EXPECT_TRUE(std::isnan(scores[0].z));  // no forecast on the first day
  EXPECT_FALSE(scores[0].flagged);
}

// The required result: a slow false-data ramp (readings pushed up by up to 6 units over 18
// hours, 0.17 a step where the daily cycle alone moves up to 1.3, always inside the normal
// range of values) is caught by the residual detector and missed by an Isolation Forest on
// the same series' features.
TEST(ResidualDetectorTest, CatchesASlowFalseDataRampThatTheIsolationForestMisses) {
  const int train_days = 40;
  std::vector<double> series = DailySeries(train_days + 14, 4);
  // From 18:00 over the quiet night periods (not the noisy afternoon).
  const size_t ramp_start = (train_days + 7) * kPeriods + 36;
  const int ramp_rows = 36;
  for (int k = 0; k < ramp_rows; ++k) series[ramp_start + k] += 6.0 * (k + 1) / ramp_rows;
  const std::vector<double> train(series.begin(), series.begin() + train_days * kPeriods);

  absl::StatusOr<ResidualDetector> residual = ResidualDetector::Fit(train, 0, {});
  ASSERT_TRUE(residual.ok());
  const std::vector<ResidualScore> residual_scores = *residual->Score(series, 0);

  AnomalyFeatureOptions feature_options;
  feature_options.periods_per_day = kPeriods;
  const AnomalyFeatureMatrix features = *AnomalyFeatures(series, feature_options);
  const std::vector<double> train_rows(
      features.values.begin(), features.values.begin() + train.size() * features.feature_count);
  ml::IsolationForestOptions forest_options;
  forest_options.contamination = 0.01;
  absl::StatusOr<ml::IsolationForest> forest =
      ml::IsolationForest::Fit(train_rows, features.feature_count, forest_options);
  ASSERT_TRUE(forest.ok());
  const std::vector<double> forest_scores = *forest->Score(features.values);

  // The ramp's second half (18 rows): offsets of 3.2 to 6 units, 4.4 to 8.3 residual sigma
  // (less or more as the day's own level moves). Caught 8 of 18 when written.
  int residual_caught = 0, forest_caught = 0;
  for (int k = ramp_rows / 2; k < ramp_rows; ++k) {
    residual_caught += residual_scores[ramp_start + k].flagged;
    forest_caught += forest_scores[ramp_start + k] >= forest->threshold();
  }
  EXPECT_GE(residual_caught, ramp_rows / 6) << "residual detector";
  EXPECT_LE(forest_caught, 2) << "isolation forest";
}

TEST(TrailingMeanTest, MeansThePresentValuesOfTheWindow) {
  const double nan = std::nan("");
  const std::vector<double> v = {1, 3, nan, 5, 7};
  const std::vector<double> m = TrailingMean(v, 2);
  EXPECT_EQ(m[0], 1.0);
  EXPECT_EQ(m[1], 2.0);
  EXPECT_TRUE(std::isnan(m[2]));  // a missing reading stays missing
  EXPECT_EQ(m[3], 5.0);           // window {NaN, 5}
  EXPECT_EQ(m[4], 6.0);
}

TEST(ResidualDetectorTest, ThresholdRisesWhenFourWouldFlagTooManyTrainingRows) {
  // Heavy tails: 5% of readings jump by a lot (appliances), the rest are well behaved.
  std::vector<double> series = DailySeries(40, 6);
  std::mt19937_64 rng(8);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  for (double& x : series) {
    if (unit(rng) < 0.05) x += 10.0 * unit(rng);
  }
  ResidualDetectorOptions options;
  options.max_training_flag_share = 0.01;
  absl::StatusOr<ResidualDetector> detector = ResidualDetector::Fit(series, 0, options);
  ASSERT_TRUE(detector.ok());
  EXPECT_GT(detector->threshold(), 4.0);
  const std::vector<ResidualScore> scores = *detector->Score(series, 0);
  int flagged = 0, scored = 0;
  for (const ResidualScore& s : scores) {
    flagged += s.flagged;
    scored += !std::isnan(s.z);
  }
  EXPECT_LE(flagged, scored / 100 + 1);
  EXPECT_GE(flagged, scored / 100 - 1);
  // Well-behaved data keeps the configured 4.
  absl::StatusOr<ResidualDetector> calm = ResidualDetector::Fit(DailySeries(40, 6), 0, options);
  ASSERT_TRUE(calm.ok());
  EXPECT_EQ(calm->threshold(), 4.0);
}

TEST(ResidualDetectorTest, BadInputIsInvalidArgument) {
  const std::vector<double> train = DailySeries(10, 5);
  ResidualDetectorOptions o;
  o.forecast_lag_days = {};
  EXPECT_TRUE(absl::IsInvalidArgument(ResidualDetector::Fit(train, 0, o).status()));
  o.forecast_lag_days = {1, 0};
  EXPECT_TRUE(absl::IsInvalidArgument(ResidualDetector::Fit(train, 0, o).status()));
  o = {};
  o.threshold_z = 0;
  EXPECT_TRUE(absl::IsInvalidArgument(ResidualDetector::Fit(train, 0, o).status()));
  EXPECT_TRUE(absl::IsInvalidArgument(ResidualDetector::Fit(train, 48, {}).status()));
  // One day only: no forecast, no residuals.
  const std::vector<double> one_day(train.begin(), train.begin() + kPeriods);
  EXPECT_THAT(ResidualDetector::Fit(one_day, 0, {}).status().message(),
              HasSubstr("forecast residuals"));
  // A constant series has no spread.
  EXPECT_THAT(ResidualDetector::Fit(std::vector<double>(500, 3.0), 0, {}).status().message(),
              HasSubstr("no spread"));
}

}  // namespace
}  // namespace gridpilot::anomaly
