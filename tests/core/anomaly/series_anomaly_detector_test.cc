#include "core/anomaly/series_anomaly_detector.h"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>
#include <vector>

#include "core/anomaly/anomaly_features.h"
#include "core/anomaly/residual_detector.h"
#include "gtest/gtest.h"

namespace gridpilot::anomaly {
namespace {

constexpr int kPeriods = 48;

// Equal bit for bit (so NaN equals the same NaN, and 0 differs from -0).
bool SameBits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

// A daily cycle with noise, then (from `start_anomalies` on) missing readings, a stuck
// meter, spikes and a slow false-data ramp: every branch of the features and the
// residual. Fixed seed.
std::vector<double> Series(int days, bool anomalies, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal(0.0, 1.0);
  std::vector<double> v;
  for (int i = 0; i < days * kPeriods; ++i) {
    v.push_back(20.0 + 10.0 * std::sin(6.283185 * (i % kPeriods) / kPeriods) + normal(rng));
  }
  if (anomalies) {
    const size_t n = v.size();
    for (size_t i = n - 400; i < n - 395; ++i) v[i] = std::nan("");
    for (size_t i = n - 300; i < n - 220; ++i) v[i] = 17.25;  // stuck
    v[n - 150] += 40.0;
    v[n - 149] = std::nan("");
    for (size_t i = n - 100; i < n - 40; ++i) v[i] += 0.3 * static_cast<double>(i - (n - 100));
    v[n - 10] = v[n - 11];
  }
  return v;
}

// ScoreLast scores the newest reading of a window exactly as ScoreAll scores the whole
// window's last row, and the two parts it uses (the last feature row and the last
// residual) equal their whole-series versions: on windows ending on ordinary readings,
// missing ones, a stuck meter, a spike and a ramp, and windows shorter than the history.
TEST(SeriesAnomalyDetectorTest, ScoreLastEqualsTheLastRowOfScoreAllBitForBit) {
  SeriesAnomalyOptions options;
  options.residual.periods_per_day = kPeriods;
  const std::vector<double> training = Series(28, false, 1);
  absl::StatusOr<SeriesAnomalyDetector> detector = SeriesAnomalyDetector::Fit(training, 0, options);
  ASSERT_TRUE(detector.ok()) << detector.status();
  const std::vector<double> live = Series(21, true, 2);
  const size_t history = static_cast<size_t>(detector->HistoryRows());
  int flagged = 0, missing = 0;
  // Windows of the history ScoreLast needs, and short ones that can start inside a run.
  for (size_t end = 1, step = 0; end <= live.size();
       end += (end < 50 || end > live.size() - 450) ? 1 : 7, ++step) {
    const size_t length = step % 3 == 2 ? 30 : history + 1;
    const size_t begin = end > length ? end - length : 0;
    const std::span<const double> window(live.data() + begin, end - begin);
    const int first_period = static_cast<int>(begin % kPeriods);
    SCOPED_TRACE(testing::Message() << "rows " << begin << ".." << end);
    absl::StatusOr<ScoredReading> last = detector->ScoreLast(window, first_period);
    absl::StatusOr<std::vector<ScoredReading>> all = detector->ScoreAll(window, first_period);
    ASSERT_TRUE(last.ok()) << last.status();
    ASSERT_TRUE(all.ok()) << all.status();
    const ScoredReading& want = all->back();
    EXPECT_TRUE(SameBits(last->value, want.value));
    EXPECT_TRUE(SameBits(last->score, want.score));
    EXPECT_TRUE(SameBits(last->residual.forecast, want.residual.forecast));
    EXPECT_TRUE(SameBits(last->residual.residual, want.residual.residual));
    EXPECT_TRUE(SameBits(last->residual.z, want.residual.z));
    EXPECT_EQ(last->residual.flagged, want.residual.flagged);
    EXPECT_EQ(last->label.kind, want.label.kind);
    EXPECT_EQ(last->label.cause, want.label.cause);
    EXPECT_EQ(last->suspect, want.suspect);
    flagged += want.label.kind != AnomalyKind::kNone ? 1 : 0;
    missing += std::isnan(want.value) ? 1 : 0;

    absl::StatusOr<AnomalyFeatureMatrix> row = AnomalyFeaturesOfLastRow(window, options.features);
    absl::StatusOr<AnomalyFeatureMatrix> rows = AnomalyFeatures(window, options.features);
    ASSERT_TRUE(row.ok() && rows.ok());
    ASSERT_EQ(row->row_count, 1u);
    EXPECT_EQ(row->names, rows->names);
    for (int f = 0; f < row->feature_count; ++f) {
      EXPECT_TRUE(SameBits(row->row(0)[f], rows->row(rows->row_count - 1)[f])) << f;
    }
  }
  // The windows reached the anomalies, not only ordinary readings.
  EXPECT_GT(flagged, 20);
  EXPECT_GT(missing, 5);
}

TEST(SeriesAnomalyDetectorTest, ScoreLastRefusesWhatScoreAllRefuses) {
  SeriesAnomalyOptions options;
  options.residual.periods_per_day = kPeriods;
  absl::StatusOr<SeriesAnomalyDetector> detector =
      SeriesAnomalyDetector::Fit(Series(28, false, 3), 0, options);
  ASSERT_TRUE(detector.ok()) << detector.status();
  std::vector<double> window = Series(8, false, 4);
  EXPECT_EQ(detector->ScoreLast(window, kPeriods).status().code(),
            absl::StatusCode::kInvalidArgument);
  window[5] = INFINITY;
  EXPECT_EQ(detector->ScoreLast(window, 0).status().message(),
            detector->ScoreAll(window, 0).status().message());
  EXPECT_FALSE(detector->ScoreLast({}, 0).ok());
}

}  // namespace
}  // namespace gridpilot::anomaly
