#include "core/ml/forecast_explanation.h"

#include <cmath>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace gridpilot::ml {
namespace {

TEST(ExplainContributionsTest, KeepsTheLargestByMagnitudeAndSumsTheRest) {
  const std::vector<std::string> names = {"lag_1", "hour_sin", "gradient", "wind"};
  const std::vector<float> values = {310.0f, 0.5f, std::nanf(""), 12.0f};
  const std::vector<double> contributions = {1.5, -4.0, 0.25, 3.0, /*bias=*/0.75};
  absl::StatusOr<Explanation> e = ExplainContributions(names, values, contributions, 2);
  ASSERT_TRUE(e.ok()) << e.status();
  ASSERT_EQ(e->top.size(), 2u);
  EXPECT_EQ(e->top[0].feature, "hour_sin");
  EXPECT_EQ(e->top[0].contribution, -4.0);
  EXPECT_EQ(e->top[0].value, 0.5f);
  EXPECT_EQ(e->top[1].feature, "wind");
  EXPECT_DOUBLE_EQ(e->others, 1.75);
  EXPECT_DOUBLE_EQ(e->bias, 0.75);
  EXPECT_DOUBLE_EQ(e->forecast, 1.5);  // bias + all
  EXPECT_DOUBLE_EQ(e->bias + e->top[0].contribution + e->top[1].contribution + e->others,
                   e->forecast);
}

TEST(ExplainContributionsTest, TopKLargerThanTheFeaturesKeepsThemAll) {
  absl::StatusOr<Explanation> e = ExplainContributions({"a"}, {1.0f}, {2.0, 1.0}, 5);
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->top.size(), 1u);
  EXPECT_EQ(e->others, 0.0);
}

TEST(ExplainContributionsTest, RejectsMismatchedSizes) {
  EXPECT_EQ(ExplainContributions({"a", "b"}, {1.0f, 2.0f}, {1.0, 2.0}, 1).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ExplainContributions({"a"}, {1.0f}, {1.0, 2.0}, 0).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace gridpilot::ml
