// ClassifyAnomaly's rules in order, the causes an operator reads, and the combined score.
#include "core/anomaly/anomaly.h"

#include <cmath>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace gridpilot::anomaly {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

AnomalyEvidence Normal() {
  AnomalyEvidence e;
  e.value = 300.0;
  e.recent_level = 298.0;
  e.run_length = 1;
  e.forest_score = 0.45;
  e.top_features = "value +1.2; diff_prev +0.8";
  e.residual.forecast = 297.0;
  e.residual.z = 0.7;
  return e;
}

TEST(ClassifyAnomalyTest, NothingFlaggedIsNone) {
  const AnomalyLabel label = ClassifyAnomaly(Normal(), AnomalyRules{});
  EXPECT_EQ(label.kind, AnomalyKind::kNone);
  EXPECT_EQ(label.cause, "");
}

TEST(ClassifyAnomalyTest, MissingComesFirst) {
  AnomalyEvidence e = Normal();
  e.value = std::nan("");
  e.forest_flagged = true;
  e.residual.flagged = true;
  EXPECT_EQ(ClassifyAnomaly(e, AnomalyRules{}).kind, AnomalyKind::kMissing);
}

TEST(ClassifyAnomalyTest, LongRunOfOneValueIsAStuckMeter) {
  AnomalyEvidence e = Normal();
  e.run_length = 60;
  e.forest_flagged = true;
  const AnomalyLabel label = ClassifyAnomaly(e, AnomalyRules{.flat_line_min_rows = 60});
  EXPECT_EQ(label.kind, AnomalyKind::kFlatLine);
  EXPECT_THAT(label.cause, HasSubstr("repeated for 60 rows"));
  e.run_length = 59;
  EXPECT_EQ(ClassifyAnomaly(e, AnomalyRules{.flat_line_min_rows = 60}).kind, AnomalyKind::kSpike);
}

TEST(ClassifyAnomalyTest, ForestFlagsSpikeOrDropByTheRecentLevel) {
  AnomalyEvidence e = Normal();
  e.forest_flagged = true;
  e.forest_score = 0.71;
  AnomalyLabel label = ClassifyAnomaly(e, AnomalyRules{});
  EXPECT_EQ(label.kind, AnomalyKind::kSpike);
  EXPECT_THAT(label.cause, HasSubstr("isolation score 0.710"));
  EXPECT_THAT(label.cause, HasSubstr("value +1.2"));
  EXPECT_THAT(label.cause, Not(HasSubstr("residual")));
  e.value = 250.0;
  EXPECT_EQ(ClassifyAnomaly(e, AnomalyRules{}).kind, AnomalyKind::kDrop);
}

TEST(ClassifyAnomalyTest, BothDetectorsNameTheResidualToo) {
  // What makes a reading suspect is its residual: the cause must say so even when the
  // forest flagged it first.
  AnomalyEvidence e = Normal();
  e.forest_flagged = true;
  e.residual.flagged = true;
  e.residual.z = 8.26;
  e.residual.forecast = 180.0;
  const AnomalyLabel label = ClassifyAnomaly(e, AnomalyRules{});
  EXPECT_EQ(label.kind, AnomalyKind::kSpike);
  EXPECT_THAT(label.cause, HasSubstr("isolation score"));
  EXPECT_THAT(label.cause, HasSubstr("residual +8.3 robust sigma from the seasonal forecast 180"));
  EXPECT_THAT(label.cause, Not(HasSubstr(",")));  // it goes into a CSV field
}

TEST(ClassifyAnomalyTest, ResidualAloneIsFalseData) {
  AnomalyEvidence e = Normal();
  e.residual.flagged = true;
  e.residual.z = -6.5;
  e.residual.forecast = 420.0;
  const AnomalyLabel label = ClassifyAnomaly(e, AnomalyRules{});
  EXPECT_EQ(label.kind, AnomalyKind::kFalseData);
  EXPECT_THAT(label.cause, HasSubstr("residual -6.5 robust sigma from the seasonal forecast 420"));
}

TEST(CombinedAnomalyScoreTest, EqualsTheForestThresholdAtTheResidualThreshold) {
  EXPECT_NEAR(CombinedAnomalyScore(0.3, 0.6, 4.0, 4.0), 0.6, 1e-12);
  EXPECT_NEAR(CombinedAnomalyScore(0.3, 0.6, -4.0, 4.0), 0.6, 1e-12);
  EXPECT_GT(CombinedAnomalyScore(0.3, 0.6, 8.0, 4.0), 0.6);
  EXPECT_LT(CombinedAnomalyScore(0.3, 0.6, 2.0, 4.0), 0.6);
  EXPECT_DOUBLE_EQ(CombinedAnomalyScore(0.7, 0.6, 1.0, 4.0), 0.7);  // forest dominates
  EXPECT_DOUBLE_EQ(CombinedAnomalyScore(0.3, 0.6, std::nan(""), 4.0), 0.3);
}

TEST(FlatLineScoreTest, ReachesTheThresholdAtTheMinimumRun) {
  EXPECT_NEAR(FlatLineScore(60, 60, 0.6), 0.6, 1e-12);
  EXPECT_LT(FlatLineScore(30, 60, 0.6), 0.6);
  EXPECT_GT(FlatLineScore(120, 60, 0.6), 0.6);
  EXPECT_EQ(FlatLineScore(0, 60, 0.6), 0.0);
}

}  // namespace
}  // namespace gridpilot::anomaly
