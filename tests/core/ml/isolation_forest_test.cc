#include "core/ml/isolation_forest.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace gridpilot::ml {
namespace {

using ::testing::HasSubstr;

// n rows of 2 features from a standard normal, fixed seed.
std::vector<double> NormalCloud(int n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal(0.0, 1.0);
  std::vector<double> rows;
  for (int i = 0; i < 2 * n; ++i) rows.push_back(normal(rng));
  return rows;
}

TEST(AveragePathLengthTest, MatchesThePapersFormula) {
  EXPECT_EQ(AveragePathLength(0), 0.0);
  EXPECT_EQ(AveragePathLength(1), 0.0);
  EXPECT_EQ(AveragePathLength(2), 1.0);
  // 2 (ln(n-1) + 0.5772156649) - 2 (n-1)/n, computed independently.
  EXPECT_NEAR(AveragePathLength(3), 1.207392357589623, 1e-12);
  EXPECT_NEAR(AveragePathLength(256), 10.244770920119917, 1e-12);
  EXPECT_NEAR(AveragePathLength(100000), 22.180282259643523, 1e-12);
}

TEST(IsolationForestTest, SameSeedGivesIdenticalScoresAndAnotherSeedDoesNot) {
  const std::vector<double> rows = NormalCloud(2000, 7);
  IsolationForestOptions options;
  options.seed = 123;
  absl::StatusOr<IsolationForest> a = IsolationForest::Fit(rows, 2, options);
  absl::StatusOr<IsolationForest> b = IsolationForest::Fit(rows, 2, options);
  options.seed = 124;
  absl::StatusOr<IsolationForest> c = IsolationForest::Fit(rows, 2, options);
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  const std::vector<double> sa = *a->Score(rows), sb = *b->Score(rows), sc = *c->Score(rows);
  EXPECT_EQ(sa, sb);  // bit-identical
  EXPECT_EQ(a->threshold(), b->threshold());
  EXPECT_NE(sa, sc);
  // ScoreRow is the same computation, one row at a time.
  for (size_t r = 0; r < 50; ++r) EXPECT_DOUBLE_EQ(a->ScoreRow(&rows[2 * r]), sa[r]);
}

TEST(IsolationForestTest, ScoreRowEqualsScoreToTheBitForAnyTreeCount) {
  // ScoreRow walks several trees side by side and Score several rows; both add the path
  // lengths in tree order, so they agree exactly, including the trees left over when the
  // count is not a multiple of the lanes.
  const std::vector<double> rows = NormalCloud(1000, 9);
  for (int tree_count : {1, 7, 16, 37, 100}) {
    IsolationForestOptions options;
    options.tree_count = tree_count;
    absl::StatusOr<IsolationForest> forest = IsolationForest::Fit(rows, 2, options);
    ASSERT_TRUE(forest.ok()) << forest.status();
    const std::vector<double> scores = *forest->Score(rows);
    for (size_t r = 0; r < scores.size(); ++r) {
      ASSERT_EQ(forest->ScoreRow(&rows[2 * r]), scores[r]) << tree_count << " trees, row " << r;
    }
  }
}

TEST(IsolationForestTest, OutliersScoreAboveEveryInlierPercentile) {
  std::vector<double> rows = NormalCloud(3000, 11);
  // Far out in both coordinates: axis-parallel splits isolate a point that is extreme in one
  // coordinate only, like (-7, 0), hardly faster than the cloud's own edge (about the 99th
  // percentile here, in sklearn's forest as in ours).
  const std::vector<std::pair<double, double>> outliers = {{8, 8}, {-7, -7}, {-6, 7}, {6, -6}};
  for (auto [x, y] : outliers) {
    rows.push_back(x);
    rows.push_back(y);
  }
  absl::StatusOr<IsolationForest> forest = IsolationForest::Fit(rows, 2, {});
  ASSERT_TRUE(forest.ok()) << forest.status();
  const std::vector<double> scores = *forest->Score(rows);
  std::vector<double> inliers(scores.begin(), scores.end() - outliers.size());
  std::sort(inliers.begin(), inliers.end());
  const double inlier_p99 = inliers[inliers.size() * 99 / 100];
  const double inlier_median = inliers[inliers.size() / 2];
  EXPECT_LT(inlier_median, 0.5);
  for (size_t k = 0; k < outliers.size(); ++k) {
    const double s = scores[scores.size() - outliers.size() + k];
    EXPECT_GT(s, inlier_p99) << "outlier " << k;
    EXPECT_GT(s, 0.6) << "outlier " << k;
    EXPECT_LE(s, 1.0);
  }
  for (double s : scores) EXPECT_GT(s, 0.0);
}

TEST(IsolationForestTest, ContaminationSetsTheShareOfTrainingRowsFlagged) {
  const std::vector<double> rows = NormalCloud(5000, 3);
  for (const double contamination : {0.01, 0.05, 0.2}) {
    IsolationForestOptions options;
    options.contamination = contamination;
    absl::StatusOr<IsolationForest> forest = IsolationForest::Fit(rows, 2, options);
    ASSERT_TRUE(forest.ok());
    const std::vector<double> scores = *forest->Score(rows);
    const auto flagged = std::count_if(scores.begin(), scores.end(),
                                       [&](double s) { return s >= forest->threshold(); });
    // Continuous data: no ties, so exactly round(contamination * rows).
    EXPECT_EQ(flagged, std::lround(contamination * 5000)) << contamination;
  }
}

TEST(IsolationForestTest, IdenticalRowsAreUnsplittableAndScoreExactlyOneHalf) {
  // Every tree is one leaf of psi rows credited c(psi): E[h] = c(psi), s = 2^-1.
  const std::vector<double> rows(3 * 500, 4.25);
  absl::StatusOr<IsolationForest> forest = IsolationForest::Fit(rows, 3, {});
  ASSERT_TRUE(forest.ok());
  EXPECT_EQ(forest->node_count(), 100);
  EXPECT_NEAR(forest->ScoreRow(rows.data()), 0.5, 1e-12);
}

TEST(IsolationForestTest, TreesRespectTheSubsampleAndHeightLimit) {
  const std::vector<double> rows = NormalCloud(10000, 5);
  IsolationForestOptions options;
  options.tree_count = 10;
  absl::StatusOr<IsolationForest> forest = IsolationForest::Fit(rows, 2, options);
  ASSERT_TRUE(forest.ok());
  EXPECT_EQ(forest->subsample_size(), 256);
  EXPECT_EQ(forest->tree_count(), 10);
  // Height limit 8: at most 2^9 - 1 nodes a tree, and at most 2 * 256 - 1.
  EXPECT_LE(forest->node_count(), 10 * 511);
  // Fewer rows than psi: psi shrinks to the row count.
  absl::StatusOr<IsolationForest> small =
      IsolationForest::Fit(std::vector<double>(rows.begin(), rows.begin() + 2 * 40), 2, options);
  ASSERT_TRUE(small.ok());
  EXPECT_EQ(small->subsample_size(), 40);
}

TEST(IsolationForestTest, BadOptionsAreInvalidArgument) {
  const std::vector<double> rows = NormalCloud(100, 1);
  auto fit = [&](IsolationForestOptions o) { return IsolationForest::Fit(rows, 2, o).status(); };
  IsolationForestOptions o;
  o.tree_count = 0;
  EXPECT_TRUE(absl::IsInvalidArgument(fit(o)));
  o = {};
  o.subsample_size = 1;
  EXPECT_TRUE(absl::IsInvalidArgument(fit(o)));
  o = {};
  o.contamination = 0.0;
  EXPECT_TRUE(absl::IsInvalidArgument(fit(o)));
  o.contamination = 0.6;
  EXPECT_THAT(fit(o).message(), HasSubstr("contamination"));
  o = {};
  o.max_depth = -1;
  EXPECT_TRUE(absl::IsInvalidArgument(fit(o)));
  EXPECT_TRUE(absl::IsInvalidArgument(IsolationForest::Fit(rows, 3, {}).status()));  // 200 % 3
  EXPECT_TRUE(absl::IsInvalidArgument(IsolationForest::Fit({}, 2, {}).status()));
}

TEST(IsolationForestTest, NanIsAnErrorNamingRowAndFeature) {
  std::vector<double> rows = NormalCloud(100, 1);
  rows[2 * 37 + 1] = std::nan("");
  absl::Status fit = IsolationForest::Fit(rows, 2, {}).status();
  EXPECT_TRUE(absl::IsInvalidArgument(fit));
  EXPECT_THAT(fit.message(), HasSubstr("row 37, feature 1: value is NaN"));

  absl::StatusOr<IsolationForest> forest = IsolationForest::Fit(NormalCloud(100, 2), 2, {});
  ASSERT_TRUE(forest.ok());
  absl::Status score = forest->Score(rows).status();
  EXPECT_THAT(score.message(), HasSubstr("row 37, feature 1"));
}

}  // namespace
}  // namespace gridpilot::ml
