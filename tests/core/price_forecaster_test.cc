#include "core/price_forecaster.h"

#include <cmath>
#include <optional>
#include <vector>

#include "absl/time/civil_time.h"
#include "core/time_util.h"
#include "gtest/gtest.h"

namespace gridpilot {
namespace {

constexpr double kPi = 3.14159265358979323846;

const absl::Time kDay0 = absl::FromCivil(absl::CivilDay(2023, 1, 2), absl::UTCTimeZone());

absl::Time Period(int day, int period) { return kDay0 + (day * 48 + period) * kHalfHour; }

// A daily price shape: 50 +- 30 £/MWh, negative-free, peaking mid-morning.
double Sine(int period) { return 50.0 + 30.0 * std::sin(2.0 * kPi * period / 48.0); }

// Observes days [0, days) of Sine plus day_offset(day).
template <typename Offset>
void ObserveDays(PriceForecaster& f, int days, Offset day_offset) {
  for (int d = 0; d < days; ++d) {
    for (int p = 0; p < 48; ++p) f.Observe(Period(d, p), Sine(p) + day_offset(d));
  }
}

TEST(PriceForecasterTest, RepeatsAStationaryDailySine) {
  PriceForecaster f;
  ObserveDays(f, 8, [](int) { return 0.0; });
  const std::vector<double> forecast = f.Forecast(Period(8, 0), 96);
  ASSERT_EQ(forecast.size(), 96u);
  for (int i = 0; i < 96; ++i) EXPECT_NEAR(forecast[i], Sine(i % 48), 1e-9) << i;
}

TEST(PriceForecasterTest, BlendsDailyAndWeeklyAndCorrectsLevel) {
  // Yesterday (day 7) ran 10 £/MWh above every earlier day. Day 8 targets: daily anchor
  // day 7 (+10), weekly anchor day 1 (+0): blend +6; level correction 0.5 * 10 = +5.
  // Day 9 targets: daily anchor still day 7 (2 days back), weekly anchor day 2: same.
  PriceForecaster f;
  ObserveDays(f, 8, [](int d) { return d == 7 ? 10.0 : 0.0; });
  const std::vector<double> forecast = f.Forecast(Period(8, 0), 96);
  for (int i = 0; i < 96; ++i) EXPECT_NEAR(forecast[i], Sine(i % 48) + 11.0, 1e-9) << i;
}

TEST(PriceForecasterTest, WeeklyAnchorComesFromSevenDaysBefore) {
  // Day 1 (a week before day 8) ran 20 above; the last day matches the day before, so
  // there is no level correction. Day 8: 0.6 * 0 + 0.4 * 20 = +8. Day 9 uses day 2: +0.
  PriceForecaster f;
  ObserveDays(f, 8, [](int d) { return d == 1 ? 20.0 : 0.0; });
  const std::vector<double> forecast = f.Forecast(Period(8, 0), 96);
  for (int i = 0; i < 48; ++i) EXPECT_NEAR(forecast[i], Sine(i) + 8.0, 1e-9) << i;
  for (int i = 48; i < 96; ++i) EXPECT_NEAR(forecast[i], Sine(i - 48), 1e-9) << i;

  // A week ahead the weekly anchor is two weeks back: day 15 uses day 1 again (+8), with
  // its daily anchor on day 7, eight days back.
  const std::vector<double> far = f.Forecast(Period(8, 0), 8 * 48);
  for (int i = 7 * 48; i < 8 * 48; ++i) EXPECT_NEAR(far[i], Sine(i % 48) + 8.0, 1e-9) << i;
}

TEST(PriceForecasterTest, SkipsMissingValues) {
  PriceForecaster f;
  ObserveDays(f, 8, [](int d) { return d == 7 ? 10.0 : 0.0; });
  f.Observe(Period(7, 10), std::nullopt);  // erases the value observed above
  f.Observe(Period(1, 20), std::nullopt);
  f.Observe(Period(7, 30), std::nullopt);
  f.Observe(Period(1, 30), std::nullopt);
  // An outlier in the last period whose day-earlier partner is missing: it is a daily
  // anchor but must not enter the level correction.
  f.Observe(Period(7, 47), Sine(47) + 40.0);
  f.Observe(Period(6, 47), std::nullopt);

  const std::vector<double> forecast = f.Forecast(Period(8, 0), 48);
  // Daily missing: falls back to day 6 (+0); weekly day 1 (+0); correction +5.
  EXPECT_NEAR(forecast[10], Sine(10) + 5.0, 1e-9);
  // Weekly missing: daily alone (+10) plus correction.
  EXPECT_NEAR(forecast[20], Sine(20) + 15.0, 1e-9);
  // Both yesterday and last week missing: day 6 alone.
  EXPECT_NEAR(forecast[30], Sine(30) + 5.0, 1e-9);
  EXPECT_NEAR(forecast[47], Sine(47) + 0.6 * 40.0 + 5.0, 1e-9);
  EXPECT_NEAR(forecast[0], Sine(0) + 11.0, 1e-9);
}

TEST(PriceForecasterTest, FallsBackToLastKnownPriceThenZero) {
  PriceForecaster empty;
  EXPECT_EQ(empty.Forecast(Period(0, 0), 3), std::vector<double>({0.0, 0.0, 0.0}));
  EXPECT_TRUE(empty.Forecast(Period(0, 0), 0).empty());

  // Half a day of history: no target has an anchor a whole day back.
  PriceForecaster f;
  for (int p = 0; p < 24; ++p) f.Observe(Period(0, p), 40.0 + p);
  f.Observe(Period(0, 24), -12.5);
  f.Observe(Period(0, 25), std::nullopt);
  EXPECT_EQ(f.Forecast(Period(0, 26), 4), std::vector<double>(4, -12.5));

  // Targets a day after the history have daily anchors; the rest fall back.
  const std::vector<double> mixed = f.Forecast(Period(0, 26), 48);
  EXPECT_DOUBLE_EQ(mixed[21], -12.5);  // target period 47: nothing a day earlier
  EXPECT_DOUBLE_EQ(mixed[22], 40.0);   // target day 1 period 0: daily anchor only
}

TEST(PriceForecasterTest, NeverReadsAtOrAfterTheForecastStart) {
  // Irregular prices so that every value matters.
  auto price = [](int d, int p) { return Sine(p) + 7.0 * std::sin(0.37 * (d * 48 + p)) + d; };
  const absl::Time start = Period(8, 24);
  PriceForecaster honest;
  PriceForecaster leaky;
  for (int d = 0; d < 10; ++d) {
    for (int p = 0; p < 48; ++p) {
      if (Period(d, p) < start) honest.Observe(Period(d, p), price(d, p));
      // The leaky forecaster has also seen the next 30 half-hours.
      if (Period(d, p) < start + 30 * kHalfHour) leaky.Observe(Period(d, p), price(d, p));
    }
  }
  const std::vector<double> expected = honest.Forecast(start, 96);
  EXPECT_EQ(leaky.Forecast(start, 96), expected);

  // Rewriting the leaked values, including making some missing, changes nothing.
  for (int i = 0; i < 30; ++i) {
    leaky.Observe(start + i * kHalfHour,
                  i % 3 == 0 ? std::nullopt : std::optional<double>(1000.0 + i));
  }
  EXPECT_EQ(leaky.Forecast(start, 96), expected);
  // Sanity: the leaked data would have changed a forecast that was allowed to see it.
  EXPECT_NE(leaky.Forecast(start + 30 * kHalfHour, 48)[0],
            honest.Forecast(start + 30 * kHalfHour, 48)[0]);
}

TEST(PriceForecasterTest, DropsHistoryOlderThanEightDays) {
  // Day 0 ran 100 above; once day 8 is observed it is forgotten, so a day-8 target whose
  // later anchors are all missing falls back to the last known price instead.
  PriceForecaster f;
  ObserveDays(f, 1, [](int) { return 100.0; });
  for (int d = 1; d < 9; ++d) {
    for (int p = 0; p < 48; ++p) {
      if (p != 5) f.Observe(Period(d, p), Sine(p));
    }
  }
  // Target day 9 period 5: days 1..8 period 5 are missing and day 0 is gone.
  const std::vector<double> forecast = f.Forecast(Period(9, 0), 6);
  EXPECT_DOUBLE_EQ(forecast[5], Sine(47));
}

}  // namespace
}  // namespace gridpilot
