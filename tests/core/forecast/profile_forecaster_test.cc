#include "core/forecast/profile_forecaster.h"

#include <cmath>
#include <cstdint>
#include <map>
#include <optional>
#include <random>
#include <vector>

#include "absl/time/civil_time.h"
#include "core/base/time_util.h"
#include "gtest/gtest.h"

namespace gridpilot::forecast {
namespace {

constexpr double kPi = 3.14159265358979323846;

// A Monday: day 0 and every 7th day after it are Mondays, days 5 and 6 the weekend.
const absl::Time kDay0 = absl::FromCivil(absl::CivilDay(2023, 1, 2), absl::UTCTimeZone());

absl::Time Period(int day, int period, absl::Time day0 = kDay0) {
  return day0 + (day * 48 + period) * base::kHalfHour;
}

// A daily price shape: 50 +- 30 £/MWh, negative-free, peaking mid-morning.
double Sine(int period) { return 50.0 + 30.0 * std::sin(2.0 * kPi * period / 48.0); }

// Observes days [0, days) of Sine plus day_offset(day).
template <typename Offset>
void ObserveDays(ProfileForecaster& f, int days, Offset day_offset, absl::Time day0 = kDay0) {
  for (int d = 0; d < days; ++d) {
    for (int p = 0; p < 48; ++p) f.Observe(Period(d, p, day0), Sine(p) + day_offset(d));
  }
}

TEST(ProfileForecasterTest, RepeatsAStationaryDailySine) {
  ProfileForecaster f;
  ObserveDays(f, 30, [](int) { return 0.0; });
  const std::vector<double> forecast = f.Forecast(Period(30, 0), 96);
  ASSERT_EQ(forecast.size(), 96u);
  for (int i = 0; i < 96; ++i) EXPECT_NEAR(forecast[i], Sine(i % 48), 1e-9) << i;
}

TEST(ProfileForecasterTest, WeightsEarlierDaysDownByTheDecay) {
  // Monday +0, Tuesday +10, Wednesday +20. Thursday: (20 + 0.9 * 10 + 0.81 * 0) / 2.71.
  // Friday's candidates are the same three days (Thursday is not known at the start).
  ProfileForecaster f;
  ObserveDays(f, 3, [](int d) { return 10.0 * d; });
  const std::vector<double> forecast = f.Forecast(Period(3, 0), 96);
  for (int i = 0; i < 96; ++i) EXPECT_NEAR(forecast[i], Sine(i % 48) + 29.0 / 2.71, 1e-9) << i;
}

TEST(ProfileForecasterTest, UsesTheMostRecentKnownPartOfToday) {
  // Start at noon on day 1 (Tuesday): afternoon targets have only day 0 (+0) behind them,
  // but tomorrow morning's targets also have today's morning (+30), at full weight.
  ProfileForecaster f;
  ObserveDays(f, 1, [](int) { return 0.0; });
  for (int p = 0; p < 24; ++p) f.Observe(Period(1, p), Sine(p) + 30.0);
  const std::vector<double> forecast = f.Forecast(Period(1, 24), 48);
  for (int i = 0; i < 24; ++i) EXPECT_NEAR(forecast[i], Sine(24 + i), 1e-9) << i;
  for (int i = 24; i < 48; ++i) EXPECT_NEAR(forecast[i], Sine(i - 24) + 30.0 / 1.9, 1e-9) << i;
}

TEST(ProfileForecasterTest, WeekendsAndWeekdaysEachUseTheirOwnKind) {
  // Two weeks less a day: Saturday (day 5) +40, Sunday (day 6) +60, weekdays +0, and the
  // second week's weekdays +7. Forecast from Saturday day 12 over three days.
  ProfileForecaster f;
  ObserveDays(f, 12, [](int d) { return d == 5 ? 40.0 : d == 6 ? 60.0 : d >= 7 ? 7.0 : 0.0; });
  const std::vector<double> forecast = f.Forecast(Period(12, 0), 144);
  // Saturday and Sunday: the last Sunday, then the last Saturday.
  const double weekend = (60.0 + 0.9 * 40.0) / 1.9;
  for (int i = 0; i < 96; ++i) EXPECT_NEAR(forecast[i], Sine(i % 48) + weekend, 1e-9) << i;
  // Monday: the ten weekdays, the five of the second week (+7) most recent.
  double sum = 0.0, weights = 0.0, w = 1.0;
  for (int n = 0; n < 10; ++n, w *= 0.9) {
    sum += w * (n < 5 ? 7.0 : 0.0);
    weights += w;
  }
  for (int i = 96; i < 144; ++i) EXPECT_NEAR(forecast[i], Sine(i % 48) + sum / weights, 1e-9) << i;
}

TEST(ProfileForecasterTest, SkipsMissingValuesAndTheNextKnownDayTakesTheirWeight) {
  ProfileForecaster f;
  ObserveDays(f, 3, [](int d) { return 10.0 * d; });
  f.Observe(Period(2, 10), std::nullopt);  // erases the value observed above
  f.Observe(Period(2, 20), std::nullopt);
  f.Observe(Period(1, 20), std::nullopt);
  const std::vector<double> forecast = f.Forecast(Period(3, 0), 48);
  EXPECT_NEAR(forecast[10], Sine(10) + 10.0 / 1.9, 1e-9);  // days 1 (+10) and 0 (+0)
  EXPECT_NEAR(forecast[20], Sine(20), 1e-9);               // day 0 alone
  EXPECT_NEAR(forecast[0], Sine(0) + 29.0 / 2.71, 1e-9);
}

TEST(ProfileForecasterTest, FallsBackToOtherDaysThenLastKnownPriceThenZero) {
  ProfileForecaster empty;
  EXPECT_EQ(empty.Forecast(Period(0, 0), 3), std::vector<double>({0.0, 0.0, 0.0}));
  EXPECT_TRUE(empty.Forecast(Period(0, 0), 0).empty());
  EXPECT_TRUE(empty.Forecast(Period(0, 0), -1).empty());

  // Half a day of history: no target has a value a whole day back.
  ProfileForecaster f;
  for (int p = 0; p < 24; ++p) f.Observe(Period(0, p), 40.0 + p);
  f.Observe(Period(0, 24), -12.5);
  f.Observe(Period(0, 25), std::nullopt);
  EXPECT_EQ(f.Forecast(Period(0, 26), 4), std::vector<double>(4, -12.5));
  EXPECT_EQ(f.Forecast(Period(0, 40), 2), std::vector<double>(2, -12.5));  // hours later
  const std::vector<double> mixed = f.Forecast(Period(0, 26), 48);
  EXPECT_DOUBLE_EQ(mixed[21], -12.5);  // target period 47: nothing a day earlier
  EXPECT_DOUBLE_EQ(mixed[22], 40.0);   // target day 1 period 0: day 0's value

  // Only weekdays known: a Saturday is forecast from them rather than from the fallback.
  ProfileForecaster weekdays;
  ObserveDays(weekdays, 5, [](int d) { return 10.0 * d; });  // Monday +0 .. Friday +40
  const std::vector<double> saturday = weekdays.Forecast(Period(5, 0), 48);
  const double expected =
      (40.0 + 0.9 * 30.0 + 0.81 * 20.0 + 0.729 * 10.0) / (1.0 + 0.9 + 0.81 + 0.729 + 0.6561);
  for (int i = 0; i < 48; ++i) EXPECT_NEAR(saturday[i], Sine(i) + expected, 1e-9) << i;
}

TEST(ProfileForecasterTest, NeverReadsAtOrAfterTheForecastStart) {
  // Irregular prices so that every value matters.
  auto price = [](int d, int p) { return Sine(p) + 7.0 * std::sin(0.37 * (d * 48 + p)) + d; };
  const absl::Time start = Period(16, 24);  // a Wednesday
  ProfileForecaster honest;
  ProfileForecaster leaky;
  for (int d = 0; d < 18; ++d) {
    for (int p = 0; p < 48; ++p) {
      if (Period(d, p) < start) honest.Observe(Period(d, p), price(d, p));
      // The leaky forecaster has also seen the next 30 half-hours.
      if (Period(d, p) < start + 30 * base::kHalfHour) leaky.Observe(Period(d, p), price(d, p));
    }
  }
  const std::vector<double> expected = honest.Forecast(start, 96);
  EXPECT_EQ(leaky.Forecast(start, 96), expected);

  // Rewriting the leaked values, including making some missing, changes nothing.
  for (int i = 0; i < 30; ++i) {
    leaky.Observe(start + i * base::kHalfHour,
                  i % 3 == 0 ? std::nullopt : std::optional<double>(1000.0 + i));
  }
  EXPECT_EQ(leaky.Forecast(start, 96), expected);
  // Sanity: the leaked data would have changed a forecast that was allowed to see it
  // (Thursday's period 25 follows Wednesday's, leaked).
  EXPECT_NE(leaky.Forecast(start + 30 * base::kHalfHour, 48)[48 - 30 + 1],
            honest.Forecast(start + 30 * base::kHalfHour, 48)[48 - 30 + 1]);
}

TEST(ProfileForecasterTest, KeepsOnlyTheLastTwentyEightDays) {
  // Day 0 (a Monday) ran 100 above. A forecast from day 28 (also a Monday) reaches back
  // exactly to day 0, but only while day 0 is still kept.
  ProfileForecaster f;
  ObserveDays(f, 28, [](int d) { return d == 0 ? 100.0 : 0.0; });
  EXPECT_GT(f.Forecast(Period(28, 0), 1)[0], Sine(0) + 1.0);

  // Observing day 28's last half-hour (after the start, so never read) pushes all of
  // day 0 out of the history, although only one of its values has been overwritten.
  f.Observe(Period(28, 47), 500.0);
  const std::vector<double> monday = f.Forecast(Period(28, 0), 48);
  for (int i = 0; i < 48; ++i) EXPECT_NEAR(monday[i], Sine(i), 1e-9) << i;

  // With day 28 complete (+500), a late observation for day 0 is ignored rather than
  // evicting day 28's value in the same place of the history.
  for (int p = 0; p < 47; ++p) f.Observe(Period(28, p), Sine(p) + 500.0);
  const std::vector<double> tuesday = f.Forecast(Period(29, 0), 48);
  EXPECT_GT(tuesday[3], Sine(3) + 50.0);
  f.Observe(Period(0, 3), 1000.0);
  EXPECT_EQ(f.Forecast(Period(29, 0), 48), tuesday);
  EXPECT_EQ(f.Forecast(Period(28, 0), 48), monday);
}

TEST(ProfileForecasterTest, HalfHoursNeverObservedAreUnknown) {
  // Day 28's first ten half-hours are skipped, not even reported missing. They must not
  // read as the values four weeks earlier (day 0, +100) that the history held there.
  ProfileForecaster f;
  ObserveDays(f, 28, [](int d) { return d == 0 ? 100.0 : 0.0; });
  for (int p = 10; p < 48; ++p) f.Observe(Period(28, p), Sine(p));
  const std::vector<double> forecast = f.Forecast(Period(29, 0), 48);
  for (int i = 0; i < 48; ++i) EXPECT_NEAR(forecast[i], Sine(i), 1e-9) << i;
}

TEST(ProfileForecasterTest, WorksTheSameBefore1970) {
  // The same week pattern observed from a Monday in 1969 and from a Monday in 2023
  // (weekday arithmetic and the ring buffer on negative half-hour indices).
  const absl::Time monday_1969 = absl::FromCivil(absl::CivilDay(1969, 12, 22), absl::UTCTimeZone());
  auto offset = [](int d) { return 3.0 * d * d - 20.0 * (d % 7 >= 5); };
  ProfileForecaster before;
  ProfileForecaster after;
  ObserveDays(before, 20, offset, monday_1969);
  ObserveDays(after, 20, offset);
  before.Observe(Period(19, 30, monday_1969), std::nullopt);
  after.Observe(Period(19, 30), std::nullopt);
  const std::vector<double> expected = after.Forecast(Period(19, 40), 96);
  const std::vector<double> got = before.Forecast(Period(19, 40, monday_1969), 96);
  ASSERT_EQ(got.size(), expected.size());
  for (size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], expected[i], 1e-9) << i;
  // Day 19 is a Saturday: Sunday 13, Saturday 12, Sunday 6, Saturday 5.
  const double weekend = (487.0 + 0.9 * 412.0 + 0.81 * 88.0 + 0.729 * 55.0) / 3.439;
  EXPECT_NEAR(expected[0], Sine(40) + weekend, 1e-9);
}

// The method as the header states it, read from a plain map of everything kept, with the
// weekday from absl's civil calendar: the oracle for the ring buffer's index arithmetic.
std::vector<double> DirectForecast(const std::map<int64_t, std::optional<double>>& kept,
                                   int64_t newest, int64_t start, int intervals) {
  auto known = [&](int64_t p) -> std::optional<double> {
    if (p >= start || p > newest || p <= newest - ProfileForecaster::kHistoryDays * 48) {
      return std::nullopt;
    }
    auto it = kept.find(p);
    return it == kept.end() ? std::nullopt : it->second;
  };
  auto weekend = [](int64_t p) {
    const absl::Weekday day = absl::GetWeekday(absl::CivilDay(
        absl::ToCivilDay(absl::UnixEpoch() + p * base::kHalfHour, absl::UTCTimeZone())));
    return day == absl::Weekday::saturday || day == absl::Weekday::sunday;
  };
  double last_known = 0.0;
  for (int64_t p = std::min(start - 1, newest); p > newest - 28 * 48; --p) {
    if (std::optional<double> v = known(p)) {
      last_known = *v;
      break;
    }
  }
  std::vector<double> out;
  for (int64_t target = start; target < start + intervals; ++target) {
    double same_sum = 0.0, same_weights = 0.0, same_next = 1.0;
    double all_sum = 0.0, all_weights = 0.0, all_next = 1.0;
    for (int d = 1; d <= ProfileForecaster::kLookbackDays; ++d) {
      const int64_t p = target - d * 48;
      std::optional<double> v = known(p);
      if (!v.has_value()) continue;
      all_sum += all_next * *v;
      all_weights += all_next;
      all_next *= ProfileForecaster::kDayDecay;
      if (weekend(p) == weekend(target)) {
        same_sum += same_next * *v;
        same_weights += same_next;
        same_next *= ProfileForecaster::kDayDecay;
      }
    }
    out.push_back(same_weights > 0.0  ? same_sum / same_weights
                  : all_weights > 0.0 ? all_sum / all_weights
                                      : last_known);
  }
  return out;
}

TEST(ProfileForecasterTest, EqualsTheDirectMethodBitForBitOnRandomHistories) {
  std::mt19937_64 rng(20);
  std::uniform_real_distribution<double> price(-50.0, 400.0);
  std::uniform_int_distribution<int> roll(0, 99);
  int compared = 0;
  for (int history = 0; history < 40; ++history) {
    // Half-hour indices since the epoch: some histories start in 1969, most in 2023.
    const int64_t first = history % 5 == 0 ? -700 - 13 * history : 935000 + 37 * history;
    ProfileForecaster f;
    std::map<int64_t, std::optional<double>> kept;
    int64_t newest = first;
    int64_t p = first;
    for (int n = 0; n < 2400; ++n) {
      const int r = roll(rng);
      if (r < 3) p += 1 + roll(rng);  // a gap never observed
      const int64_t observed = r == 5 && p - first > 200 ? p - 1 - roll(rng) * 2 : p;
      std::optional<double> value = r < 12 ? std::nullopt : std::optional<double>(price(rng));
      f.Observe(absl::UnixEpoch() + observed * base::kHalfHour, value);
      if (observed > newest - 28 * 48) kept[observed] = value;
      newest = std::max(newest, observed);
      if (observed == p) ++p;
      if (n % 97 == 0 || n == 2399) {
        // Starts after the newest half-hour and inside the kept history.
        for (const int64_t start : {newest + 1, newest + 1 + roll(rng), newest - roll(rng) * 5}) {
          const std::vector<double> got =
              f.Forecast(absl::UnixEpoch() + start * base::kHalfHour, 96);
          const std::vector<double> want = DirectForecast(kept, newest, start, 96);
          ASSERT_EQ(got.size(), want.size());
          for (size_t i = 0; i < got.size(); ++i) {
            ASSERT_EQ(got[i], want[i]) << "history " << history << " start " << start << " +" << i;
          }
          ++compared;
        }
      }
    }
  }
  EXPECT_EQ(compared, 40 * 26 * 3);
}

}  // namespace
}  // namespace gridpilot::forecast
