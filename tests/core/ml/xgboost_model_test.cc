#include "core/ml/xgboost_model.h"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/core/ml/synthetic_regression.h"

namespace gridpilot::ml {
namespace {

using ::testing::HasSubstr;

constexpr size_t kCols = 3;

// y = 3*x0 - 2*x1 + noise; x2 is pure noise the model should learn to ignore.
Synthetic MakeSynthetic(size_t rows, uint32_t seed) {
  std::uniform_real_distribution<float> x(-5.0f, 5.0f);
  std::normal_distribution<float> noise(0.0f, 0.1f);
  return ml::MakeSynthetic(rows, kCols, seed, [&](std::mt19937& rng, float* v) {
    for (size_t c = 0; c < kCols; ++c) v[c] = x(rng);
    return 3 * v[0] - 2 * v[1] + noise(rng);
  });
}

XgboostParams FastParams() {
  XgboostParams p;
  p.num_rounds = 200;
  p.eta = 0.2;
  p.min_child_weight = 1;
  // One thread: on a loaded 2-core machine libgomp's spinning barriers make two threads
  // many times slower, and the result does not depend on the thread count.
  p.nthread = 1;
  return p;
}

TEST(XgboostRegressorTest, LearnsALinearFunction) {
  const Synthetic train = MakeSynthetic(3000, 1);
  auto model = TrainOn(train, FastParams());
  ASSERT_TRUE(model.ok()) << model.status();
  EXPECT_EQ((*model)->num_features(), kCols);

  const Synthetic test = MakeSynthetic(500, 2);
  double abs_error = 0.0;
  for (size_t r = 0; r < test.rows; ++r) {
    const std::vector<float> row = test.Row(r);
    auto y = (*model)->Predict(row);
    ASSERT_TRUE(y.ok()) << y.status();
    abs_error += std::abs(*y - test.targets[r]);
  }
  // y spans about -25..25; trees approximate the plane to within a few tenths.
  EXPECT_LT(abs_error / test.rows, 0.6);

  auto at_origin = (*model)->Predict({0.0f, 0.0f, 4.0f});
  ASSERT_TRUE(at_origin.ok());
  EXPECT_NEAR(*at_origin, 0.0, 0.7);
  auto high = (*model)->Predict({4.0f, -4.0f, 0.0f});
  ASSERT_TRUE(high.ok());
  EXPECT_NEAR(*high, 20.0, 1.5);
}

// SHAP contributions: they add up to the prediction, and they name the features that
// matter (x0 and x1), not the noise feature x2.
TEST(XgboostRegressorTest, ContributionsSumToThePredictionAndRankTheFeatures) {
  const Synthetic train = MakeSynthetic(3000, 1);
  auto model = TrainOn(train, FastParams());
  ASSERT_TRUE(model.ok()) << model.status();
  const std::vector<float> row = {4.0f, -3.0f, 2.0f};
  auto contributions = (*model)->Contributions(row);
  ASSERT_TRUE(contributions.ok()) << contributions.status();
  ASSERT_EQ(contributions->size(), kCols + 1);  // features, then the bias
  double sum = 0.0;
  for (double c : *contributions) sum += c;
  EXPECT_NEAR(sum, *(*model)->Predict(row), 1e-3);
  // y = 3 x0 - 2 x1: x0 = 4 adds about +12 against the mean, x1 = -3 about +6.
  EXPECT_NEAR((*contributions)[0], 12.0, 1.5);
  EXPECT_NEAR((*contributions)[1], 6.0, 1.5);
  EXPECT_LT(std::abs((*contributions)[2]), 0.5);
  EXPECT_EQ((*model)->Contributions({1.0f}).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(XgboostRegressorTest, AcceptsMissingFeatures) {
  const Synthetic train = MakeSynthetic(2000, 3);
  auto model = TrainOn(train, FastParams());
  ASSERT_TRUE(model.ok()) << model.status();
  auto y = (*model)->Predict({std::numeric_limits<float>::quiet_NaN(), 1.0f, 1.0f});
  ASSERT_TRUE(y.ok()) << y.status();
  EXPECT_TRUE(std::isfinite(*y));
}

TEST(XgboostRegressorTest, SaveLoadRoundTripGivesIdenticalPredictions) {
  const Synthetic train = MakeSynthetic(2000, 4);
  auto model = TrainOn(train, FastParams());
  ASSERT_TRUE(model.ok()) << model.status();
  const std::string path = TempPath("xgboost_round_trip.json");
  ASSERT_TRUE((*model)->SaveJson(path).ok());
  EXPECT_TRUE(std::filesystem::exists(path));
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));

  auto loaded = XgboostRegressor::LoadJson(path);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ((*loaded)->num_features(), kCols);
  const Synthetic test = MakeSynthetic(200, 5);
  for (size_t r = 0; r < test.rows; ++r) {
    const std::vector<float> row = test.Row(r);
    EXPECT_EQ((*model)->Predict(row).value(), (*loaded)->Predict(row).value()) << "row " << r;
  }
}

TEST(XgboostRegressorTest, TrainingIsDeterministic) {
  const Synthetic train = MakeSynthetic(1500, 6);
  auto a = TrainOn(train, FastParams());
  auto b = TrainOn(train, FastParams());
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ((*a)->Predict({1.0f, 2.0f, 3.0f}).value(), (*b)->Predict({1.0f, 2.0f, 3.0f}).value());
}

TEST(XgboostRegressorTest, LogisticModelGivesXgboostsProbabilities) {
  // The event y > 0 of the synthetic linear function: a classifier of it.
  const Synthetic train = MakeSynthetic(3000, 11);
  std::vector<float> events;
  for (float y : train.targets) events.push_back(y > 0.0f ? 1.0f : 0.0f);
  XgboostParams params = FastParams();
  params.objective = "binary:logistic";
  auto model = XgboostRegressor::Train(train.features, train.rows, kCols, events, params);
  ASSERT_TRUE(model.ok()) << model.status();
  const Synthetic test = MakeSynthetic(500, 12);
  int right = 0;
  for (size_t r = 0; r < test.rows; ++r) {
    const std::vector<float> row = test.Row(r);
    const double p = *(*model)->Predict(row);
    EXPECT_GT(p, 0.0);
    EXPECT_LT(p, 1.0);
    EXPECT_NEAR(p, *(*model)->PredictWithXgboost(row), 1e-6) << "row " << r;
    right += (p > 0.5) == (test.targets[r] > 0.0f);
  }
  EXPECT_GT(right, 475);  // > 95% right on a clean linear boundary

  // An attribute travels with the saved model.
  ASSERT_TRUE((*model)->SetAttribute("event_threshold_mw", "18.5").ok());
  const std::string path = TempPath("logistic.json");
  ASSERT_TRUE((*model)->SaveJson(path).ok());
  auto loaded = XgboostRegressor::LoadJson(path);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ(*(*loaded)->Attribute("event_threshold_mw"), std::optional<std::string>("18.5"));
  EXPECT_EQ(*(*loaded)->Attribute("no_such_attribute"), std::nullopt);
  const std::vector<float> row = test.Row(0);
  EXPECT_EQ(*(*loaded)->Predict(row), *(*model)->Predict(row));

  // Labels must be 0 or 1, and only the two objectives are known.
  events[7] = 0.5f;
  EXPECT_THAT(
      XgboostRegressor::Train(train.features, train.rows, kCols, events, params).status().message(),
      HasSubstr("binary:logistic needs 0 or 1"));
  params.objective = "reg:pseudohubererror";
  EXPECT_EQ(TrainOn(train, params).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(XgboostRegressorTest, RejectsNaNTarget) {
  Synthetic train = MakeSynthetic(100, 7);
  train.targets[42] = std::numeric_limits<float>::quiet_NaN();
  auto model = TrainOn(train, FastParams());
  EXPECT_EQ(model.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(model.status().message(), HasSubstr("row 42"));
}

TEST(XgboostRegressorTest, RejectsInconsistentSizes) {
  const Synthetic train = MakeSynthetic(100, 8);
  EXPECT_EQ(
      XgboostRegressor::Train(train.features, train.rows, kCols + 1, train.targets, FastParams())
          .status()
          .code(),
      absl::StatusCode::kInvalidArgument);
  std::vector<float> short_targets(train.targets.begin(), train.targets.end() - 1);
  EXPECT_EQ(XgboostRegressor::Train(train.features, train.rows, kCols, short_targets, FastParams())
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(XgboostRegressor::Train({}, 0, kCols, {}, FastParams()).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(XgboostRegressorTest, WrongRowLengthIsInvalidArgument) {
  const Synthetic train = MakeSynthetic(500, 9);
  auto model = TrainOn(train, FastParams());
  ASSERT_TRUE(model.ok()) << model.status();
  auto too_short = (*model)->Predict({1.0f, 2.0f});
  EXPECT_EQ(too_short.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(too_short.status().message(), HasSubstr("2 features"));
  EXPECT_EQ((*model)->Predict({1.0f, 2.0f, 3.0f, 4.0f}).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(XgboostRegressorTest, LoadErrors) {
  EXPECT_EQ(XgboostRegressor::LoadJson(TempPath("no_such_model.json")).status().code(),
            absl::StatusCode::kNotFound);
  const std::string garbage = TempPath("garbage_model.json");
  {
    std::ofstream out(garbage);
    out << "{\"not\": \"a model\"";
  }
  EXPECT_FALSE(XgboostRegressor::LoadJson(garbage).ok());
}

}  // namespace
}  // namespace gridpilot::ml
