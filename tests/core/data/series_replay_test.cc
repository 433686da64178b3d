// SeriesReplay: one reading per interval of the span, values as the data has them (absent
// ones absent), then OutOfRange for good; spans off the grid or outside the data refused.
#include "core/data/series_replay.h"

#include <vector>

#include "core/base/time_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace gridpilot::data {
namespace {

using ::testing::HasSubstr;

const absl::Time kT0 = *base::ParseUtcTimestamp("2023-06-01T00:00:00Z");

// Four half-hours; interval 2 has no net load.
GridSeries Series() {
  std::vector<GridInterval> intervals;
  for (int i = 0; i < 4; ++i) {
    intervals.push_back(
        GridInterval{.start = kT0 + i * base::kHalfHour,
                     .net_load_mw = i == 2 ? std::nullopt : std::optional<double>(100.0 + i),
                     .embedded_solar_mw = 10.0 * i,
                     .embedded_wind_mw = 5.0,
                     .price_gbp_per_mwh = -20.0 + i});
  }
  return *GridSeries::Create(std::move(intervals));
}

TEST(SeriesReplayTest, ReadsEachIntervalOfTheSpanThenEnds) {
  absl::StatusOr<std::unique_ptr<SeriesReplay>> replay =
      SeriesReplay::Create(Series(), kT0 + base::kHalfHour, kT0 + 4 * base::kHalfHour);
  ASSERT_TRUE(replay.ok()) << replay.status();
  EXPECT_EQ((*replay)->step(), base::kHalfHour);
  for (int i = 1; i < 4; ++i) {
    SCOPED_TRACE(i);
    absl::StatusOr<FeedReading> r = (*replay)->Next();
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->start, kT0 + i * base::kHalfHour);
    if (i == 2) {
      EXPECT_FALSE(r->net_load_mw.has_value());
    } else {
      EXPECT_DOUBLE_EQ(*r->net_load_mw, 100.0 + i);
    }
    EXPECT_DOUBLE_EQ(*r->embedded_solar_mw, 10.0 * i);
    EXPECT_DOUBLE_EQ(*r->embedded_wind_mw, 5.0);
    EXPECT_DOUBLE_EQ(*r->price_gbp_per_mwh, -20.0 + i);
    EXPECT_EQ(r->event, "");
  }
  EXPECT_EQ((*replay)->Next().status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ((*replay)->Next().status().code(), absl::StatusCode::kOutOfRange);
}

TEST(SeriesReplayTest, RefusesASpanOffTheGridOrOutsideTheData) {
  struct Case {
    const char* name;
    absl::Time from;
    absl::Time to;
  };
  const absl::Time end = kT0 + 4 * base::kHalfHour;
  for (const Case& c : std::vector<Case>{
           {"before the data", kT0 - base::kHalfHour, end},
           {"after the data", kT0, end + base::kHalfHour},
           {"off the grid", kT0 + absl::Minutes(10), end},
           {"empty", kT0 + base::kHalfHour, kT0 + base::kHalfHour},
       }) {
    SCOPED_TRACE(c.name);
    absl::StatusOr<std::unique_ptr<SeriesReplay>> replay =
        SeriesReplay::Create(Series(), c.from, c.to);
    ASSERT_FALSE(replay.ok());
    EXPECT_EQ(replay.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(replay.status().message()), HasSubstr("30m grid inside the data"));
  }
}

}  // namespace
}  // namespace gridpilot::data
