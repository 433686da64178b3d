// MakeRegularSeries: packs a regular series with its step and first period, and refuses
// gaps, duplicates, bad steps and out-of-range values naming the reading.
#include "core/anomaly/regular_series.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace gridpilot::anomaly {
namespace {

using ::testing::HasSubstr;

std::vector<LocatedReading> Series(absl::Time start, absl::Duration step, int rows) {
  std::vector<LocatedReading> out;
  for (int i = 0; i < rows; ++i) {
    out.push_back({absl::StrCat("f:", i + 2), start + step * i, 1.0 + i});
  }
  return out;
}

const absl::Time kStart =
    absl::FromCivil(absl::CivilSecond(2024, 3, 1, 1, 30, 0), absl::UTCTimeZone());

TEST(RegularSeriesTest, PacksStepAndFirstPeriod) {
  absl::StatusOr<RegularSeries> s = MakeRegularSeries(Series(kStart, absl::Minutes(30), 5), 10);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->step, absl::Minutes(30));
  EXPECT_EQ(s->periods_per_day, 48);
  EXPECT_EQ(s->first_period, 3);  // 01:30
  EXPECT_EQ(s->values.size(), 5u);
}

TEST(RegularSeriesTest, FirstPeriodBefore1970IsInTheDay) {
  const absl::Time t =
      absl::FromCivil(absl::CivilSecond(1950, 6, 1, 23, 0, 0), absl::UTCTimeZone());
  absl::StatusOr<RegularSeries> s = MakeRegularSeries(Series(t, absl::Hours(1), 3), 10);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->first_period, 23);
}

TEST(RegularSeriesTest, RefusesNamingTheReading) {
  std::vector<LocatedReading> gap = Series(kStart, absl::Minutes(30), 6);
  gap[4].time += absl::Minutes(30);
  std::vector<LocatedReading> duplicate = Series(kStart, absl::Minutes(30), 6);
  duplicate[3].time = duplicate[2].time;
  std::vector<LocatedReading> huge = Series(kStart, absl::Minutes(30), 6);
  huge[2].value = 2 * kMaxAbsReadingValue;
  std::vector<LocatedReading> missing = Series(kStart, absl::Minutes(30), 3);
  for (LocatedReading& r : missing) r.value = std::nan("");
  const struct {
    std::vector<LocatedReading> readings;
    size_t max_rows;
    std::string message;
  } cases[] = {
      {Series(kStart, absl::Minutes(30), 1), 10, "at least 2"},
      {Series(kStart, absl::Minutes(30), 11), 10, "more than the limit of 10"},
      {Series(kStart, absl::Minutes(7), 3), 10, "f:3: time: step 7m"},
      {Series(kStart, -absl::Minutes(30), 3), 10, "f:3: time: step -30m"},
      {Series(kStart, absl::Milliseconds(500), 3), 10, "f:3: time: step 500ms"},
      {gap, 10, "f:6: time:"},
      {duplicate, 10, "f:5: time:"},
      {huge, 10, "f:4: value"},
      {missing, 10, "no values"},
  };
  for (const auto& c : cases) {
    absl::StatusOr<RegularSeries> s = MakeRegularSeries(c.readings, c.max_rows);
    ASSERT_FALSE(s.ok()) << c.message;
    EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(s.status().message(), HasSubstr(c.message));
  }
}

}  // namespace
}  // namespace gridpilot::anomaly
