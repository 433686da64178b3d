#include "core/data/grid_series.h"

#include <vector>

#include "absl/status/status.h"
#include "core/base/time_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace gridpilot::data {
namespace {

using ::testing::HasSubstr;

const absl::Time kStart =
    absl::FromCivil(absl::CivilMinute(2023, 3, 26, 0, 0), absl::UTCTimeZone());

std::vector<GridInterval> Consecutive(int count) {
  std::vector<GridInterval> intervals(count);
  for (int i = 0; i < count; ++i) {
    intervals[i].start = kStart + i * base::kHalfHour;
    intervals[i].net_load_mw = 20000.0 + i;
  }
  return intervals;
}

TEST(GridSeriesTest, CreateKeepsValuesAndMissingOnes) {
  std::vector<GridInterval> intervals = Consecutive(4);
  intervals[2].price_gbp_per_mwh = -5.25;
  intervals[3].net_load_mw = std::nullopt;
  absl::StatusOr<GridSeries> series = GridSeries::Create(intervals);
  ASSERT_TRUE(series.ok()) << series.status();
  EXPECT_FALSE(series->empty());
  EXPECT_EQ(series->size(), 4u);
  EXPECT_EQ(series->start(), kStart);
  EXPECT_EQ(series->end(), kStart + absl::Hours(2));
  EXPECT_EQ(series->at(1).net_load_mw, 20001.0);
  EXPECT_EQ(series->at(2).price_gbp_per_mwh, -5.25);
  EXPECT_EQ(series->at(1).price_gbp_per_mwh, std::nullopt);
  EXPECT_EQ(series->at(3).net_load_mw, std::nullopt);
  EXPECT_EQ(series->intervals().back().start, kStart + absl::Minutes(90));
}

TEST(GridSeriesTest, GapIsRejected) {
  std::vector<GridInterval> intervals = Consecutive(4);
  intervals[3].start += base::kHalfHour;
  absl::StatusOr<GridSeries> series = GridSeries::Create(intervals);
  EXPECT_EQ(series.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(series.status().message(), HasSubstr("interval 3 starts at 2023-03-26T02:00:00Z"));
  EXPECT_THAT(series.status().message(), HasSubstr("expected 2023-03-26T01:30:00Z"));
}

TEST(GridSeriesTest, DuplicateAndUnsortedAreRejected) {
  std::vector<GridInterval> duplicate = Consecutive(3);
  duplicate[2].start = duplicate[1].start;
  EXPECT_EQ(GridSeries::Create(duplicate).status().code(), absl::StatusCode::kInvalidArgument);
  std::vector<GridInterval> reversed = Consecutive(2);
  std::swap(reversed[0], reversed[1]);
  EXPECT_EQ(GridSeries::Create(reversed).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(GridSeriesTest, EmptySeries) {
  absl::StatusOr<GridSeries> series = GridSeries::Create({});
  ASSERT_TRUE(series.ok());
  EXPECT_TRUE(series->empty());
  EXPECT_EQ(series->start(), absl::UnixEpoch());
  EXPECT_EQ(series->end(), absl::UnixEpoch());
  EXPECT_EQ(series->IndexOf(absl::UnixEpoch()), std::nullopt);
  EXPECT_TRUE(GridSeries().empty());
}

TEST(GridSeriesTest, IndexOf) {
  const GridSeries series = GridSeries::Create(Consecutive(48)).value();
  EXPECT_EQ(series.IndexOf(kStart), 0u);
  EXPECT_EQ(series.IndexOf(kStart + absl::Hours(5)), 10u);
  EXPECT_EQ(series.IndexOf(kStart + 47 * base::kHalfHour), 47u);
  EXPECT_EQ(series.IndexOf(series.end()), std::nullopt);
  EXPECT_EQ(series.IndexOf(kStart - base::kHalfHour), std::nullopt);
  EXPECT_EQ(series.IndexOf(kStart + absl::Minutes(45)), std::nullopt);
  EXPECT_EQ(series.IndexOf(kStart + absl::Seconds(1)), std::nullopt);
}

}  // namespace
}  // namespace gridpilot::data
