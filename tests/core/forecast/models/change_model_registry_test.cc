// The walk-forward model registry: publish sets for two cut-offs, load the newest at or
// before a time (never a later one), identical forecasts after the round trip, no
// overwriting a published set, damaged sets skipped.
#include "core/forecast/models/change_model_registry.h"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <numbers>
#include <random>

#include "core/base/time_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace gridpilot::forecast::models {
namespace {

const absl::Time kStart = *base::ParseUtcTimestamp("2023-01-02T00:00:00Z");

// A daily cycle of `amplitude` MW around 300 MW.
std::vector<data::GridMeasurement> Series(size_t n, double amplitude) {
  std::mt19937 rng(5);
  std::normal_distribution<double> noise(0.0, 2.0);
  std::vector<data::GridMeasurement> out;
  for (size_t i = 0; i < n; ++i) {
    const double angle = 2.0 * std::numbers::pi * static_cast<double>(i % 48) / 48.0;
    out.push_back({kStart + i * base::kHalfHour, 300.0 + amplitude * std::sin(angle) + noise(rng),
                   10.0, 20.0, 70.0});
  }
  return out;
}

NetLoadChangeForecaster Trained(double amplitude) {
  ml::XgboostParams params;
  params.num_rounds = 10;
  absl::StatusOr<NetLoadChangeForecaster> f =
      NetLoadChangeForecaster::Train(Series(1500, amplitude), {1, 2}, params);
  EXPECT_TRUE(f.ok()) << f.status();
  return *std::move(f);
}

std::vector<double> ForecastAfter(const NetLoadChangeForecaster& f,
                                  const std::vector<data::GridMeasurement>& history) {
  FeatureStore store;
  for (const data::GridMeasurement& m : history) EXPECT_TRUE(store.Push(m).ok());
  std::vector<double> out;
  // Held in a variable: a range-for over *f.Forecast(store) would read the vector after
  // the temporary StatusOr holding it is gone.
  const absl::StatusOr<std::vector<ChangeForecast>> forecasts = f.Forecast(store);
  if (!forecasts.ok()) {
    ADD_FAILURE() << forecasts.status();
    return out;
  }
  for (const ChangeForecast& c : *forecasts) out.push_back(c.change_mw);
  return out;
}

class ChangeModelRegistryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = std::string(::testing::TempDir()) + "/registry-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::filesystem::remove_all(root_);
  }
  std::string root_;
  const absl::Time c1_ = *base::ParseUtcTimestamp("2023-03-01T00:00:00Z");
  const absl::Time c2_ = *base::ParseUtcTimestamp("2023-04-01T00:00:00Z");
};

TEST_F(ChangeModelRegistryTest, LoadsTheNewestSetAtOrBeforeTheTime) {
  const NetLoadChangeForecaster first = Trained(40.0), second = Trained(120.0);
  ASSERT_TRUE(PublishChangeModelSet(root_, first, c1_, {{"training_intervals", 1500}}).ok());
  ASSERT_TRUE(PublishChangeModelSet(root_, second, c2_, {}).ok());

  EXPECT_EQ(LoadNewestChangeModelSet(root_, c1_ - absl::Seconds(1)).status().code(),
            absl::StatusCode::kNotFound);
  absl::StatusOr<ChangeModelSet> at_c1 = LoadNewestChangeModelSet(root_, c1_);
  ASSERT_TRUE(at_c1.ok()) << at_c1.status();
  EXPECT_EQ(at_c1->cutoff, c1_);
  EXPECT_EQ(at_c1->metadata["training_intervals"], 1500);
  EXPECT_EQ(at_c1->metadata["target"], "change");
  EXPECT_EQ(at_c1->metadata["features"].size(), FeatureStore::FeatureNames().size());
  absl::StatusOr<ChangeModelSet> between = LoadNewestChangeModelSet(root_, c2_ - absl::Hours(1));
  ASSERT_TRUE(between.ok());
  EXPECT_EQ(between->cutoff, c1_);
  absl::StatusOr<ChangeModelSet> later = LoadNewestChangeModelSet(root_, c2_ + absl::Hours(24));
  ASSERT_TRUE(later.ok());
  EXPECT_EQ(later->cutoff, c2_);

  // The round trip forecasts exactly as the published models do.
  const std::vector<data::GridMeasurement> history = Series(400, 80.0);
  EXPECT_EQ(ForecastAfter(at_c1->forecaster, history), ForecastAfter(first, history));
  EXPECT_EQ(ForecastAfter(later->forecaster, history), ForecastAfter(second, history));
  EXPECT_NE(ForecastAfter(first, history), ForecastAfter(second, history));
}

TEST_F(ChangeModelRegistryTest, APublishedSetIsNeverOverwritten) {
  const NetLoadChangeForecaster f = Trained(40.0);
  EXPECT_FALSE(ChangeModelSetPublished(root_, c1_));
  ASSERT_TRUE(PublishChangeModelSet(root_, f, c1_, {}).ok());
  EXPECT_TRUE(ChangeModelSetPublished(root_, c1_));
  EXPECT_EQ(PublishChangeModelSet(root_, f, c1_, {}).code(), absl::StatusCode::kAlreadyExists);
}

TEST_F(ChangeModelRegistryTest, DamagedSetsAreSkipped) {
  const NetLoadChangeForecaster f = Trained(40.0);
  ASSERT_TRUE(PublishChangeModelSet(root_, f, c1_, {}).ok());
  // A later set whose metadata is not JSON, and one from a build with other features.
  std::filesystem::create_directories(root_ + "/change_20230501T000000Z");
  std::ofstream(root_ + "/change_20230501T000000Z/metadata.json") << "{not json";
  std::filesystem::create_directories(root_ + "/change_20230601T000000Z");
  std::ofstream(root_ + "/change_20230601T000000Z/metadata.json")
      << R"({"cutoff": "2023-06-01T00:00:00Z", "horizons": [1], "features": ["x"]})";
  absl::StatusOr<ChangeModelSet> loaded =
      LoadNewestChangeModelSet(root_, *base::ParseUtcTimestamp("2023-12-01T00:00:00Z"));
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ(loaded->cutoff, c1_);
  EXPECT_EQ(LoadNewestChangeModelSet(root_ + "/nowhere", c1_).status().code(),
            absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace gridpilot::forecast::models
