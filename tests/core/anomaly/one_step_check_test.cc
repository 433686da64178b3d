#include "core/anomaly/one_step_check.h"

#include <cmath>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace gridpilot::anomaly {
namespace {

using ::testing::HasSubstr;

ScoredReading Reading(double value) {
  ScoredReading r;
  r.value = value;
  return r;
}

TEST(OneStepCheckTest, ResidualInHalfWidths) {
  EXPECT_DOUBLE_EQ(OneStepResidual(230.0, {200.0, 5.0}), 6.0);
  EXPECT_DOUBLE_EQ(OneStepResidual(190.0, {200.0, 5.0}), 2.0);
  EXPECT_TRUE(std::isnan(OneStepResidual(std::nan(""), {200.0, 5.0})));
  EXPECT_TRUE(std::isnan(OneStepResidual(230.0, {200.0, 0.0})));
}

TEST(OneStepCheckTest, AFarReadingBecomesSuspectFalseData) {
  ScoredReading r = Reading(230.0);
  ApplyOneStepCheck({200.0, 5.0}, 4.0, &r);
  EXPECT_TRUE(r.suspect);
  EXPECT_EQ(r.label.kind, AnomalyKind::kFalseData);
  EXPECT_THAT(r.label.cause, HasSubstr("+30.0 MW off the 30-min forecast 200"));
  EXPECT_THAT(r.label.cause, HasSubstr("6.0 times its 90% interval"));
  EXPECT_THAT(r.label.cause, ::testing::Not(HasSubstr(",")));
}

TEST(OneStepCheckTest, KeepsAnEarlierKindAndAddsTheCause) {
  ScoredReading r = Reading(150.0);
  r.label = {AnomalyKind::kDrop, "isolation score 0.700"};
  ApplyOneStepCheck({200.0, 5.0}, 4.0, &r);
  EXPECT_TRUE(r.suspect);
  EXPECT_EQ(r.label.kind, AnomalyKind::kDrop);
  EXPECT_THAT(r.label.cause, HasSubstr("isolation score 0.700; -50.0 MW off"));
}

TEST(OneStepCheckTest, CloseOrMissingReadingsAreLeftAlone) {
  ScoredReading close = Reading(215.0);  // 3 half-widths
  ApplyOneStepCheck({200.0, 5.0}, 4.0, &close);
  EXPECT_FALSE(close.suspect);
  EXPECT_EQ(close.label.kind, AnomalyKind::kNone);
  ScoredReading missing = Reading(std::nan(""));
  ApplyOneStepCheck({200.0, 5.0}, 4.0, &missing);
  EXPECT_FALSE(missing.suspect);
  // An earlier suspect verdict is never cleared.
  ScoredReading seasonal = Reading(201.0);
  seasonal.suspect = true;
  ApplyOneStepCheck({200.0, 5.0}, 4.0, &seasonal);
  EXPECT_TRUE(seasonal.suspect);
}

}  // namespace
}  // namespace gridpilot::anomaly
