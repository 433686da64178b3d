#include "core/forecast/feature_store.h"

#include <cmath>
#include <numbers>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "core/base/time_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace gridpilot::forecast {
namespace {

using ::testing::HasSubstr;
using ::testing::NanSensitiveFloatEq;
using ::testing::Pointwise;

constexpr double kTwoPi = 2.0 * std::numbers::pi;

absl::Time At(const char* text) { return base::ParseUtcTimestamp(text).value(); }

data::GridMeasurement Measurement(absl::Time start, std::optional<double> net_mw,
                                  std::optional<double> solar_mw = 10.0,
                                  std::optional<double> wind_mw = 20.0) {
  return data::GridMeasurement{start, net_mw, solar_mw, wind_mw, 50.0};
}

float Feature(const FeatureStore& store, const std::string& name) {
  const std::vector<std::string>& names = FeatureStore::FeatureNames();
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i] == name) return store.Features()[i];
  }
  ADD_FAILURE() << "no feature named " << name;
  return 0.0f;
}

// Pushes net loads at consecutive half-hours from `first_start`.
FeatureStore PushSeries(absl::Time first_start, const std::vector<double>& net_mw) {
  FeatureStore store;
  for (size_t i = 0; i < net_mw.size(); ++i) {
    EXPECT_TRUE(store.Push(Measurement(first_start + i * base::kHalfHour, net_mw[i])).ok());
  }
  return store;
}

// A series with distinct, irregular steps, so every lag is distinguishable.
double Wiggly(size_t i) { return 300.0 + 0.5 * i + 25.0 * std::sin(0.7 * i); }

TEST(FeatureStoreTest, NamesMatchFeatureCount) {
  FeatureStore store;
  EXPECT_EQ(store.Features().size(), FeatureStore::FeatureNames().size());
  EXPECT_EQ(FeatureStore::FeatureNames().size(), 47u);
  EXPECT_TRUE(store.Push(Measurement(At("2023-01-01T00:00:00Z"), 1.0)).ok());
  EXPECT_EQ(store.Features().size(), FeatureStore::FeatureNames().size());
}

TEST(FeatureStoreTest, EmptyStoreKnowsNothing) {
  FeatureStore store;
  EXPECT_EQ(store.decision_time(), absl::InfinitePast());
  EXPECT_EQ(store.size(), 0u);
  EXPECT_FALSE(store.last_net_load_mw().has_value());
  EXPECT_FALSE(store.NetLoadAt(At("2023-01-01T00:00:00Z")).has_value());
  for (float v : store.Features()) EXPECT_TRUE(std::isnan(v));
}

TEST(FeatureStoreTest, LagsDiffsRollingStatsAndCyclicalTime) {
  // 13 intervals, the last starting 05:30 on Monday 2023-01-02: decision time 06:00.
  const std::vector<double> net = {100, 103, 101, 110, 108, 115, 120, 118, 125, 130, 128, 135, 140};
  const FeatureStore store = PushSeries(At("2023-01-01T23:30:00Z"), net);
  ASSERT_EQ(store.decision_time(), At("2023-01-02T06:00:00Z"));

  EXPECT_FLOAT_EQ(Feature(store, "net_load_lag1_mw"), 140);
  EXPECT_FLOAT_EQ(Feature(store, "net_load_diff_lag1_lag2_mw"), 140 - 135);
  EXPECT_FLOAT_EQ(Feature(store, "net_load_diff_lag2_lag3_mw"), 135 - 128);
  EXPECT_FLOAT_EQ(Feature(store, "net_load_diff_lag3_lag4_mw"), 128 - 130);
  EXPECT_FLOAT_EQ(Feature(store, "net_load_diff_lag10_lag11_mw"), 110 - 101);
  EXPECT_FLOAT_EQ(Feature(store, "net_load_diff_lag11_lag12_mw"), 101 - 103);

  EXPECT_FLOAT_EQ(Feature(store, "net_load_mean_4_mw"), 133.25);
  EXPECT_NEAR(Feature(store, "net_load_std_4_mw"), 4.656984, 1e-4);
  EXPECT_NEAR(Feature(store, "net_load_mean_12_mw"), 1433.0 / 12, 1e-4);
  EXPECT_NEAR(Feature(store, "net_load_std_12_mw"), 12.017060, 1e-4);
  // Only 13 of the 48 intervals exist: the statistics use those present.
  EXPECT_NEAR(Feature(store, "net_load_mean_48_mw"), 1533.0 / 13, 1e-4);
  EXPECT_NEAR(Feature(store, "net_load_std_48_mw"), 12.651917, 1e-4);
  EXPECT_NEAR(Feature(store, "net_load_gradient_mw"), (140.0 - 130.0) / 3, 1e-5);

  // Day-ago and week-ago lags are beyond the history.
  EXPECT_TRUE(std::isnan(Feature(store, "net_load_change_yesterday_mw")));
  EXPECT_TRUE(std::isnan(Feature(store, "net_load_change2_last_week_mw")));

  // 06:00 is a quarter of the day; Monday is weekday 0; 2 January is day 2.
  EXPECT_NEAR(Feature(store, "hour_of_day_sin"), 1.0, 1e-6);
  EXPECT_NEAR(Feature(store, "hour_of_day_cos"), 0.0, 1e-6);
  EXPECT_NEAR(Feature(store, "day_of_week_sin"), 0.0, 1e-6);
  EXPECT_NEAR(Feature(store, "day_of_week_cos"), 1.0, 1e-6);
  EXPECT_NEAR(Feature(store, "day_of_year_sin"), std::sin(kTwoPi / 365.25), 1e-6);
  EXPECT_NEAR(Feature(store, "day_of_year_cos"), std::cos(kTwoPi / 365.25), 1e-6);
}

TEST(FeatureStoreTest, CyclicalTimeOnAThursdayEvening) {
  FeatureStore store;
  // Decision at 18:00 on Thursday 2023-06-01, day of year 152.
  ASSERT_TRUE(store.Push(Measurement(At("2023-06-01T17:30:00Z"), 200.0)).ok());
  EXPECT_NEAR(Feature(store, "hour_of_day_sin"), -1.0, 1e-6);
  EXPECT_NEAR(Feature(store, "hour_of_day_cos"), 0.0, 1e-6);
  EXPECT_NEAR(Feature(store, "day_of_week_sin"), std::sin(kTwoPi * 3 / 7), 1e-6);
  EXPECT_NEAR(Feature(store, "day_of_week_cos"), std::cos(kTwoPi * 3 / 7), 1e-6);
  EXPECT_NEAR(Feature(store, "day_of_year_sin"), std::sin(kTwoPi * 151 / 365.25), 1e-6);
  EXPECT_NEAR(Feature(store, "day_of_year_cos"), std::cos(kTwoPi * 151 / 365.25), 1e-6);
}

TEST(FeatureStoreTest, RenewablesAndPenetration) {
  FeatureStore store;
  const absl::Time t0 = At("2023-06-01T11:00:00Z");
  ASSERT_TRUE(store.Push(Measurement(t0, 150.0, 25.0, 35.0)).ok());
  ASSERT_TRUE(store.Push(Measurement(t0 + base::kHalfHour, 140.0, 20.0, 40.0)).ok());
  EXPECT_FLOAT_EQ(Feature(store, "embedded_solar_lag1_mw"), 20.0);
  EXPECT_FLOAT_EQ(Feature(store, "embedded_wind_lag1_mw"), 40.0);
  EXPECT_FLOAT_EQ(Feature(store, "embedded_solar_diff_lag1_lag2_mw"), -5.0);
  EXPECT_FLOAT_EQ(Feature(store, "embedded_wind_diff_lag1_lag2_mw"), 5.0);
  // (20 + 40) / (140 + 20 + 40)
  EXPECT_FLOAT_EQ(Feature(store, "renewable_penetration"), 0.3f);

  ASSERT_TRUE(store.Push(Measurement(t0 + 2 * base::kHalfHour, 140.0, std::nullopt, 40.0)).ok());
  EXPECT_TRUE(std::isnan(Feature(store, "embedded_solar_lag1_mw")));
  EXPECT_TRUE(std::isnan(Feature(store, "renewable_penetration")));
  EXPECT_FLOAT_EQ(Feature(store, "embedded_wind_diff_lag1_lag2_mw"), 0.0);
}

TEST(FeatureStoreTest, ShortHistoryIsNaN) {
  FeatureStore store;
  ASSERT_TRUE(store.Push(Measurement(At("2023-03-01T00:00:00Z"), 222.0)).ok());
  EXPECT_FLOAT_EQ(Feature(store, "net_load_lag1_mw"), 222.0);
  EXPECT_FLOAT_EQ(Feature(store, "net_load_mean_4_mw"), 222.0);
  EXPECT_TRUE(std::isnan(Feature(store, "net_load_std_4_mw")));
  EXPECT_TRUE(std::isnan(Feature(store, "net_load_diff_lag1_lag2_mw")));
  EXPECT_TRUE(std::isnan(Feature(store, "net_load_gradient_mw")));
  EXPECT_TRUE(std::isnan(Feature(store, "embedded_wind_diff_lag1_lag2_mw")));
}

TEST(FeatureStoreTest, SeasonalChangesAppearWhenTheHistoryReachesThem) {
  const absl::Time start = At("2023-02-01T00:00:00Z");
  std::vector<double> net;
  for (size_t i = 0; i < 336; ++i) net.push_back(Wiggly(i));
  FeatureStore store = PushSeries(start, net);
  // n = 336 intervals held: lag k is net[n - k].
  EXPECT_FLOAT_EQ(Feature(store, "net_load_change_yesterday_mw"),
                  static_cast<float>(net[336 - 48] - net[336 - 49]));
  EXPECT_FLOAT_EQ(Feature(store, "net_load_change2_yesterday_mw"),
                  static_cast<float>(net[336 - 47] - net[336 - 49]));
  EXPECT_TRUE(std::isnan(Feature(store, "net_load_change_last_week_mw")));
  EXPECT_TRUE(std::isnan(Feature(store, "net_load_change2_last_week_mw")));

  // Past the ring's capacity, so the seasonal lags are read across the wrap-around.
  for (size_t i = 336; i < 1000; ++i) {
    net.push_back(Wiggly(i));
    ASSERT_TRUE(store.Push(Measurement(start + i * base::kHalfHour, net[i])).ok());
  }
  const size_t n = net.size();
  EXPECT_EQ(store.size(), FeatureStore::kCapacityIntervals);
  EXPECT_FLOAT_EQ(Feature(store, "net_load_change_last_week_mw"),
                  static_cast<float>(net[n - 336] - net[n - 337]));
  EXPECT_FLOAT_EQ(Feature(store, "net_load_change2_last_week_mw"),
                  static_cast<float>(net[n - 335] - net[n - 337]));
  EXPECT_FLOAT_EQ(Feature(store, "net_load_change_yesterday_mw"),
                  static_cast<float>(net[n - 48] - net[n - 49]));
  EXPECT_FLOAT_EQ(Feature(store, "net_load_lag1_mw"), static_cast<float>(net[n - 1]));

  // The oldest interval held is 384 back; the one before it has been dropped.
  EXPECT_EQ(store.NetLoadAt(start + (n - 384) * base::kHalfHour), net[n - 384]);
  EXPECT_FALSE(store.NetLoadAt(start + (n - 385) * base::kHalfHour).has_value());
}

// At another resolution the same features mean the same stretches of time, counted in
// that resolution's intervals: yesterday is a day of intervals back, last week seven days,
// the windows 2, 6 and 24 hours; a push off the grid is refused; no look-ahead.
class FeatureStoreResolutionTest : public ::testing::TestWithParam<int> {};

TEST_P(FeatureStoreResolutionTest, LagsAndWindowsAreInTheResolutionsIntervals) {
  const absl::Duration interval = absl::Minutes(GetParam());
  const size_t per_day = static_cast<size_t>(absl::Hours(24) / interval);
  const absl::Time start = At("2023-02-01T00:00:00Z");
  FeatureStore store(base::HolidayCalendar::Uk(), interval);
  EXPECT_EQ(store.capacity(), 8 * per_day);
  std::vector<double> net;
  const size_t n = 9 * per_day;  // past the ring's capacity
  for (size_t i = 0; i < n; ++i) {
    net.push_back(Wiggly(i));
    ASSERT_TRUE(store.Push(Measurement(start + i * interval, net[i])).ok());
  }
  EXPECT_EQ(store.decision_time(), start + n * interval);
  EXPECT_FLOAT_EQ(Feature(store, "net_load_lag1_mw"), static_cast<float>(net[n - 1]));
  EXPECT_FLOAT_EQ(Feature(store, "net_load_diff_lag1_lag2_mw"),
                  static_cast<float>(net[n - 1] - net[n - 2]));
  EXPECT_FLOAT_EQ(Feature(store, "net_load_change_yesterday_mw"),
                  static_cast<float>(net[n - per_day] - net[n - per_day - 1]));
  EXPECT_FLOAT_EQ(Feature(store, "net_load_change2_last_week_mw"),
                  static_cast<float>(net[n - 7 * per_day + 1] - net[n - 7 * per_day - 1]));
  // The 2-hour window ("4" half-hours): 2 h of this resolution's intervals.
  const size_t two_hours = per_day / 12;
  double sum = 0.0;
  for (size_t k = 1; k <= two_hours; ++k) sum += net[n - k];
  EXPECT_FLOAT_EQ(Feature(store, "net_load_mean_4_mw"), static_cast<float>(sum / two_hours));
  EXPECT_EQ(store.NetLoadAt(start + (n - 8 * per_day) * interval), net[n - 8 * per_day]);
  EXPECT_FALSE(store.NetLoadAt(start + (n - 8 * per_day - 1) * interval).has_value());

  // Off this resolution's grid: refused, naming the grid.
  const absl::Status off = store.Push(Measurement(store.decision_time() + absl::Minutes(1), 1.0));
  EXPECT_EQ(off.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(off.message(), HasSubstr(absl::FormatDuration(interval) + " grid"));
}

TEST_P(FeatureStoreResolutionTest, NoLookAhead) {
  const absl::Duration interval = absl::Minutes(GetParam());
  const size_t per_day = static_cast<size_t>(absl::Hours(24) / interval);
  const absl::Time start = At("2023-03-01T00:00:00Z");
  const size_t n = 9 * per_day;
  const size_t cut = 8 * per_day + 3;
  FeatureStore a(base::HolidayCalendar::Uk(), interval), b(base::HolidayCalendar::Uk(), interval);
  size_t compared = 0;
  bool later_differ = false;
  for (size_t i = 0; i < n; ++i) {
    data::GridMeasurement m = Measurement(start + i * interval, Wiggly(i));
    ASSERT_TRUE(a.Push(m).ok());
    if (i >= cut) m.net_load_mw = *m.net_load_mw * 3 + 17;
    ASSERT_TRUE(b.Push(m).ok());
    if (a.decision_time() <= start + cut * interval) {
      EXPECT_THAT(a.Features(), Pointwise(NanSensitiveFloatEq(), b.Features()));
      ++compared;
    } else if (a.Features() != b.Features()) {
      later_differ = true;
    }
  }
  EXPECT_EQ(compared, cut);
  EXPECT_TRUE(later_differ);
}

INSTANTIATE_TEST_SUITE_P(FiveFifteenAndSixtyMinutes, FeatureStoreResolutionTest,
                         ::testing::Values(5, 15, 60));

TEST(FeatureStoreTest, NetLoadAtAndLastNetLoad) {
  const absl::Time start = At("2023-02-01T00:00:00Z");
  FeatureStore store = PushSeries(start, {100, 110, 120});
  EXPECT_EQ(store.last_net_load_mw(), 120.0);
  EXPECT_EQ(store.NetLoadAt(start), 100.0);
  EXPECT_EQ(store.NetLoadAt(start + base::kHalfHour), 110.0);
  EXPECT_FALSE(store.NetLoadAt(start + 3 * base::kHalfHour).has_value());  // not yet measured
  EXPECT_FALSE(store.NetLoadAt(start - base::kHalfHour).has_value());      // before the start
  EXPECT_FALSE(store.NetLoadAt(start + absl::Minutes(10)).has_value());    // off-grid

  ASSERT_TRUE(store.Push(Measurement(start + 3 * base::kHalfHour, std::nullopt)).ok());
  EXPECT_FALSE(store.last_net_load_mw().has_value());
  EXPECT_FALSE(store.NetLoadAt(start + 3 * base::kHalfHour).has_value());
  EXPECT_TRUE(std::isnan(Feature(store, "net_load_lag1_mw")));
  EXPECT_FLOAT_EQ(Feature(store, "net_load_diff_lag2_lag3_mw"), 10.0);
}

TEST(FeatureStoreTest, GapIsFilledWithMissingIntervals) {
  const absl::Time t0 = At("2023-02-01T00:00:00Z");
  FeatureStore store;
  ASSERT_TRUE(store.Push(Measurement(t0, 100.0)).ok());
  ASSERT_TRUE(store.Push(Measurement(t0 + 3 * base::kHalfHour, 160.0)).ok());
  EXPECT_EQ(store.size(), 4u);
  EXPECT_EQ(store.decision_time(), t0 + 4 * base::kHalfHour);
  EXPECT_EQ(store.NetLoadAt(t0), 100.0);
  EXPECT_FALSE(store.NetLoadAt(t0 + base::kHalfHour).has_value());
  EXPECT_FALSE(store.NetLoadAt(t0 + 2 * base::kHalfHour).has_value());
  EXPECT_EQ(store.NetLoadAt(t0 + 3 * base::kHalfHour), 160.0);
  EXPECT_TRUE(std::isnan(Feature(store, "net_load_diff_lag1_lag2_mw")));
  EXPECT_FLOAT_EQ(Feature(store, "net_load_mean_4_mw"), 130.0);
  EXPECT_FLOAT_EQ(Feature(store, "net_load_gradient_mw"), 20.0);  // (160 - 100) / 3

  // A gap longer than the ring leaves only the new interval.
  ASSERT_TRUE(store.Push(Measurement(t0 + 2000 * base::kHalfHour, 170.0)).ok());
  EXPECT_EQ(store.size(), FeatureStore::kCapacityIntervals);
  EXPECT_EQ(store.decision_time(), t0 + 2001 * base::kHalfHour);
  EXPECT_EQ(store.last_net_load_mw(), 170.0);
  EXPECT_FLOAT_EQ(Feature(store, "net_load_mean_48_mw"), 170.0);
  EXPECT_TRUE(std::isnan(Feature(store, "net_load_std_48_mw")));
}

TEST(FeatureStoreTest, RejectsBackwardsRepeatedAndOffGridTimes) {
  const absl::Time t0 = At("2023-02-01T10:00:00Z");
  FeatureStore store;
  ASSERT_TRUE(store.Push(Measurement(t0, 100.0)).ok());
  ASSERT_TRUE(store.Push(Measurement(t0 + base::kHalfHour, 110.0)).ok());

  absl::Status backwards = store.Push(Measurement(t0, 120.0));
  EXPECT_EQ(backwards.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(backwards.message(), HasSubstr("2023-02-01T10:00:00Z"));
  EXPECT_THAT(backwards.message(), HasSubstr("2023-02-01T10:30:00Z"));

  absl::Status repeated = store.Push(Measurement(t0 + base::kHalfHour, 120.0));
  EXPECT_EQ(repeated.code(), absl::StatusCode::kInvalidArgument);

  absl::Status off_grid = store.Push(Measurement(t0 + absl::Minutes(45), 120.0));
  EXPECT_EQ(off_grid.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(off_grid.message(), HasSubstr("10:45"));
  EXPECT_THAT(off_grid.message(), HasSubstr("2023-02-01T10:30:00Z"));

  // Rejected pushes change nothing.
  EXPECT_EQ(store.decision_time(), t0 + 2 * base::kHalfHour);
  EXPECT_EQ(store.last_net_load_mw(), 110.0);
  EXPECT_EQ(store.size(), 2u);

  FeatureStore fresh;
  EXPECT_EQ(fresh.Push(Measurement(t0 + absl::Minutes(5), 1.0)).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(fresh.size(), 0u);
}

TEST(FeatureStoreTest, NoLookAhead) {
  // Features at decision time t must not change when every interval starting at or after
  // t is altered.
  const absl::Time start = At("2023-03-01T00:00:00Z");
  const size_t n = 900;
  const size_t cut = 700;  // t = start + cut * 30 min
  std::vector<data::GridMeasurement> original, altered;
  for (size_t i = 0; i < n; ++i) {
    data::GridMeasurement m =
        Measurement(start + i * base::kHalfHour, Wiggly(i), 5.0 + i % 7, 9.0 + i % 5);
    original.push_back(m);
    if (i >= cut) {
      m.net_load_mw = *m.net_load_mw * 3 + 17;
      m.embedded_solar_mw = 1.0;
      m.embedded_wind_mw = std::nullopt;
    }
    altered.push_back(m);
  }
  FeatureStore a, b;
  size_t rows_compared = 0;
  bool later_rows_differ = false;
  for (size_t i = 0; i < n; ++i) {
    ASSERT_TRUE(a.Push(original[i]).ok());
    ASSERT_TRUE(b.Push(altered[i]).ok());
    ASSERT_EQ(a.decision_time(), b.decision_time());
    if (a.decision_time() <= start + cut * base::kHalfHour) {
      EXPECT_THAT(a.Features(), Pointwise(NanSensitiveFloatEq(), b.Features()))
          << "decision time " << base::FormatUtcTimestamp(a.decision_time());
      ++rows_compared;
    } else if (a.Features() != b.Features()) {
      later_rows_differ = true;
    }
  }
  EXPECT_EQ(rows_compared, cut);
  EXPECT_TRUE(later_rows_differ);  // the alteration is visible once it is in the past
}

TEST(FeatureStoreTest, LocalTimeAndBankHoliday) {
  FeatureStore summer;
  // Decision at 12:00 UTC on 2023-07-03 = 13:00 BST, a working Monday.
  ASSERT_TRUE(summer.Push(Measurement(At("2023-07-03T11:30:00Z"), 200.0)).ok());
  EXPECT_NEAR(Feature(summer, "local_hour_of_day_sin"), std::sin(kTwoPi * 13 / 24), 1e-6);
  EXPECT_NEAR(Feature(summer, "local_hour_of_day_cos"), std::cos(kTwoPi * 13 / 24), 1e-6);
  EXPECT_NEAR(Feature(summer, "hour_of_day_sin"), 0.0, 1e-6);  // UTC noon
  EXPECT_EQ(Feature(summer, "bank_holiday"), 0.0f);

  FeatureStore christmas;
  // Decision at 09:00 UTC = 09:00 GMT on Monday 2023-12-25.
  ASSERT_TRUE(christmas.Push(Measurement(At("2023-12-25T08:30:00Z"), 200.0)).ok());
  EXPECT_NEAR(Feature(christmas, "local_hour_of_day_sin"), std::sin(kTwoPi * 9 / 24), 1e-6);
  EXPECT_EQ(Feature(christmas, "bank_holiday"), 1.0f);
}

// A region in Tokyo whose dates file flags 2023-05-03: the decisions of that Tokyo day
// (2023-05-02T15:00Z to 2023-05-03T15:00Z) are holidays, not those of the UTC or UK day.
TEST(FeatureStoreTest, BankHolidayAndLocalHourFollowTheRegionsZone) {
  absl::TimeZone tokyo;
  ASSERT_TRUE(absl::LoadTimeZone("Asia/Tokyo", &tokyo));
  const base::HolidayCalendar calendar =
      base::HolidayCalendar::Dates({absl::CivilDay(2023, 5, 3)}, "jp.txt")
          .InZone(tokyo, "Asia/Tokyo");
  FeatureStore store(calendar);
  const absl::Time first = At("2023-05-01T00:00:00Z");
  int holidays = 0;
  for (int i = 0; i < 4 * 48; ++i) {
    ASSERT_TRUE(store.Push(Measurement(first + i * base::kHalfHour, 200.0)).ok());
    const absl::Time t = store.decision_time();
    const bool tokyo_may_3 = t >= At("2023-05-02T15:00:00Z") && t < At("2023-05-03T15:00:00Z");
    EXPECT_EQ(Feature(store, "bank_holiday"), tokyo_may_3 ? 1.0f : 0.0f)
        << base::FormatUtcTimestamp(t);
    holidays += Feature(store, "bank_holiday") == 1.0f ? 1 : 0;
    if (t == At("2023-05-03T12:00:00Z")) {  // 21:00 in Tokyo (no daylight saving)
      EXPECT_NEAR(Feature(store, "local_hour_of_day_sin"), std::sin(kTwoPi * 21 / 24), 1e-6);
      EXPECT_NEAR(Feature(store, "local_hour_of_day_cos"), std::cos(kTwoPi * 21 / 24), 1e-6);
    }
  }
  EXPECT_EQ(holidays, 48);
  // The same dates on the UK clock (no zone): the UK day, 2023-05-02T23:00Z to 05-03T23:00Z.
  FeatureStore uk(base::HolidayCalendar::Dates({absl::CivilDay(2023, 5, 3)}, "jp.txt"));
  ASSERT_TRUE(uk.Push(Measurement(At("2023-05-03T19:30:00Z"), 200.0)).ok());
  EXPECT_EQ(Feature(uk, "bank_holiday"), 1.0f);  // 21:00 BST on the 3rd; 05:00 on the 4th in Tokyo
}

data::DayAheadForecastRow Vintage(const char* target, const char* published,
                                  std::optional<double> demand_mw) {
  return {At(target), At(published), demand_mw};
}

TEST(FeatureStoreTest, DayAheadForecastFeatures) {
  // Decision time 10:00; lag 1 is 09:30 (net 210), lag 2 is 09:00 (net 200).
  FeatureStore store = PushSeries(At("2023-03-01T08:30:00Z"), {190.0, 200.0, 210.0});
  for (const char* name :
       {"day_ahead_change_h1_mw", "day_ahead_error_lag1_mw", "day_ahead_error_diff_mw"}) {
    EXPECT_TRUE(std::isnan(Feature(store, name))) << name << " without a vintage";
  }
  const char* published = "2023-02-28T23:45:00Z";
  for (auto [target, mw] :
       std::vector<std::pair<const char*, double>>{{"2023-03-01T09:00:00Z", 195.0},
                                                   {"2023-03-01T09:30:00Z", 204.0},
                                                   {"2023-03-01T10:00:00Z", 214.0},
                                                   {"2023-03-01T10:30:00Z", 225.0},
                                                   {"2023-03-01T11:00:00Z", 230.0}}) {
    ASSERT_TRUE(store.PushDayAheadForecast(Vintage(target, published, mw)).ok());
  }
  // h4 (11:30) has no value in this vintage, and a missing value adds nothing.
  ASSERT_TRUE(
      store.PushDayAheadForecast(Vintage("2023-03-01T11:30:00Z", published, std::nullopt)).ok());
  EXPECT_FLOAT_EQ(Feature(store, "day_ahead_change_h1_mw"), 214.0 - 204.0);
  EXPECT_FLOAT_EQ(Feature(store, "day_ahead_change_h2_mw"), 225.0 - 204.0);
  EXPECT_FLOAT_EQ(Feature(store, "day_ahead_change_h3_mw"), 230.0 - 204.0);
  EXPECT_TRUE(std::isnan(Feature(store, "day_ahead_change_h4_mw")));
  EXPECT_FLOAT_EQ(Feature(store, "day_ahead_error_lag1_mw"), 210.0 - 204.0);
  EXPECT_FLOAT_EQ(Feature(store, "day_ahead_error_diff_mw"), (210.0 - 204.0) - (200.0 - 195.0));

  // A newer vintage replaces a value; an older one pushed later does not.
  ASSERT_TRUE(
      store.PushDayAheadForecast(Vintage("2023-03-01T10:00:00Z", "2023-03-01T09:15:00Z", 218.0))
          .ok());
  ASSERT_TRUE(
      store.PushDayAheadForecast(Vintage("2023-03-01T10:00:00Z", "2023-02-27T23:45:00Z", 100.0))
          .ok());
  EXPECT_FLOAT_EQ(Feature(store, "day_ahead_change_h1_mw"), 218.0 - 204.0);

  // A vintage published at or after the decision time is refused and changes nothing.
  const std::vector<float> before = store.Features();
  absl::Status refused =
      store.PushDayAheadForecast(Vintage("2023-03-01T10:00:00Z", "2023-03-01T10:00:00Z", 999.0));
  EXPECT_EQ(refused.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(refused.message(), HasSubstr("not before the decision time 2023-03-01T10:00:00Z"));
  EXPECT_THAT(store.Features(), Pointwise(NanSensitiveFloatEq(), before));
  FeatureStore empty;
  EXPECT_EQ(empty.PushDayAheadForecast(Vintage("2023-03-01T10:00:00Z", published, 1.0)).code(),
            absl::StatusCode::kInvalidArgument);

  // Values of intervals more than an hour old are dropped as the store moves on.
  ASSERT_TRUE(store.Push(Measurement(At("2023-03-01T10:00:00Z"), 220.0)).ok());
  ASSERT_TRUE(store.Push(Measurement(At("2023-03-01T10:30:00Z"), 226.0)).ok());
  // Decision 11:00: lag 1 = 10:30 (forecast 225), lag 2 = 10:00 (forecast 218).
  EXPECT_FLOAT_EQ(Feature(store, "day_ahead_change_h1_mw"), 230.0 - 225.0);
  EXPECT_FLOAT_EQ(Feature(store, "day_ahead_error_diff_mw"), (226.0 - 225.0) - (220.0 - 218.0));
}

TEST(FeatureStoreTest, DayAheadFeedPushesOnlyWhatWasPublishedBeforeTheDecision) {
  DayAheadForecastFeed feed({Vintage("2023-03-01T12:00:00Z", "2023-03-01T10:45:00Z", 250.0),
                             Vintage("2023-03-01T10:00:00Z", "2023-02-28T23:45:00Z", 214.0),
                             Vintage("2023-03-01T10:00:00Z", "2023-03-01T09:59:00Z", 216.0),
                             Vintage("2023-03-01T10:00:00Z", "2023-03-01T10:00:00Z", 900.0)});
  FeatureStore store = PushSeries(At("2023-03-01T08:30:00Z"), {190.0, 200.0, 210.0});
  ASSERT_TRUE(feed.PushPublishedBefore(store).ok());  // decision time 10:00
  EXPECT_EQ(feed.queued(), 2u);
  EXPECT_FALSE(std::isnan(Feature(store, "hour_of_day_sin")));
  // Only the two vintages published before 10:00 are in; the newer of them wins.
  FeatureStore check = PushSeries(At("2023-03-01T08:30:00Z"), {190.0, 200.0, 210.0});
  ASSERT_TRUE(
      check.PushDayAheadForecast(Vintage("2023-03-01T10:00:00Z", "2023-03-01T09:59:00Z", 216.0))
          .ok());
  EXPECT_THAT(store.Features(), Pointwise(NanSensitiveFloatEq(), check.Features()));

  // Decision time 11:00: the rest, and one added since, were all published before it.
  feed.Add({Vintage("2023-03-01T10:30:00Z", "2023-03-01T09:00:00Z", 225.0)});
  ASSERT_TRUE(store.Push(Measurement(At("2023-03-01T10:00:00Z"), 220.0)).ok());
  ASSERT_TRUE(store.Push(Measurement(At("2023-03-01T10:30:00Z"), 226.0)).ok());
  ASSERT_TRUE(feed.PushPublishedBefore(store).ok());
  EXPECT_EQ(feed.queued(), 0u);
  EXPECT_FLOAT_EQ(Feature(store, "day_ahead_error_lag1_mw"), 226.0 - 225.0);
  // The vintage published at 10:00 is now the newest for 10:00.
  EXPECT_FLOAT_EQ(Feature(store, "day_ahead_error_diff_mw"), (226.0 - 225.0) - (220.0 - 900.0));
  EXPECT_FLOAT_EQ(Feature(store, "day_ahead_change_h3_mw"), 250.0 - 225.0);
}

}  // namespace
}  // namespace gridpilot::forecast
