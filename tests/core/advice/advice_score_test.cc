#include "core/advice/advice_score.h"

#include <string>

#include "gtest/gtest.h"

namespace gridpilot::advice {
namespace {

const absl::Time kDay0 = absl::FromCivil(absl::CivilDay(2023, 1, 2), absl::UTCTimeZone());
constexpr absl::Duration kDay = absl::Hours(24);

HalfHourSeries EveningPeakLoad(int days) {
  HalfHourSeries s;
  s.start = kDay0;
  for (int d = 0; d < days; ++d) {
    for (int i = 0; i < 48; ++i) s.values.push_back(i >= 34 && i < 38 ? 3.0 : 1.0);
  }
  return s;
}

TimeOfUseTariff NightTariff() {
  TimeOfUseTariff tariff;
  for (int i = 0; i < 48; ++i) tariff.pence_per_kwh[i] = i < 14 ? 10.0 : 30.0;
  return tariff;
}

AdviceOptions SiteOptions() {
  AdviceOptions options;
  options.flexible_share = 0.5;
  options.peak_limit = 2.0;
  return options;
}

TEST(AdviceScoreTest, APredictableDayScoresAsHindsight) {
  const HalfHourSeries load = EveningPeakLoad(40);
  const TimeOfUseTariff tariff = NightTariff();
  const AdviceScore score =
      *ScoreAdvice(load, {nullptr, &tariff}, kDay0 + 30 * kDay, kDay0 + 34 * kDay, SiteOptions());
  ASSERT_EQ(score.days.size(), 5u);
  EXPECT_TRUE(score.skipped.empty());
  EXPECT_NEAR(score.advised_mean_peak_reduction, 1.0, 1e-9);
  EXPECT_NEAR(score.hindsight_mean_peak_reduction, 1.0, 1e-9);
  EXPECT_NEAR(score.advised_saved_gbp, 5 * 2 * 0.20, 1e-9);
  EXPECT_NEAR(score.hindsight_saved_gbp, score.advised_saved_gbp, 1e-9);
  EXPECT_DOUBLE_EQ(score.mean_actual_peak, 3.0);
}

TEST(AdviceScoreTest, MeasuresOnTheActualDayNotTheForecast) {
  HalfHourSeries load = EveningPeakLoad(40);
  // Day 31 has no evening peak: the advice (made from the peaky days before) still moves
  // load into the night, so the night gets a new peak and the day's peak grows.
  for (int i = 34; i < 38; ++i) load.values[31 * 48 + i] = 1.0;
  const TimeOfUseTariff tariff = NightTariff();
  const AdviceScore score =
      *ScoreAdvice(load, {nullptr, &tariff}, kDay0 + 31 * kDay, kDay0 + 31 * kDay, SiteOptions());
  ASSERT_EQ(score.days.size(), 1u);
  const DayScore& d = score.days[0];
  EXPECT_DOUBLE_EQ(d.forecast_peak, 3.0);
  EXPECT_DOUBLE_EQ(d.advised.peak_before, 1.0);
  EXPECT_NEAR(d.advised.peak_after, 1.5, 1e-9);  // 0.5 kW flexible moved into 1 kW nights
  EXPECT_NEAR(d.advised.peak_reduction(), -0.5, 1e-9);
  EXPECT_NEAR(d.hindsight.peak_reduction(), 0.0, 1e-12);  // hindsight moves nothing
}

TEST(AdviceScoreTest, SkipsIncompleteDaysWithTheReason) {
  HalfHourSeries load = EveningPeakLoad(40);
  load.values[32 * 48 + 3].reset();
  const TimeOfUseTariff tariff = NightTariff();
  const AdviceScore score =
      *ScoreAdvice(load, {nullptr, &tariff}, kDay0 + 31 * kDay, kDay0 + 33 * kDay, SiteOptions());
  EXPECT_EQ(score.days.size(), 2u);
  ASSERT_EQ(score.skipped.size(), 1u);
  EXPECT_EQ(score.skipped[0], "2023-02-03: 1 half-hours of load missing");
}

TEST(AdviceScoreTest, ScoresTheBatteryOnActualPrices) {
  const HalfHourSeries load = EveningPeakLoad(40);
  HalfHourSeries prices = EveningPeakLoad(40);
  for (auto& v : prices.values) v = *v * 40.0;
  // The last scored day's evening prices collapse: the advised battery loses there.
  for (int i = 34; i < 38; ++i) prices.values[33 * 48 + i] = 0.0;
  AdviceOptions options = SiteOptions();
  options.battery = SiteBatteryOptions{2.0, 1.0, 1.0, 0.0};
  const AdviceScore score =
      *ScoreAdvice(load, {&prices, nullptr}, kDay0 + 32 * kDay, kDay0 + 33 * kDay, options);
  ASSERT_EQ(score.days.size(), 2u);
  EXPECT_NEAR(*score.days[0].battery_advised_gbp, 2.0 * 0.001 * (120 - 40), 1e-9);
  EXPECT_LT(*score.days[1].battery_advised_gbp, 0.0);
  // Hindsight buys in the free evening and sells at £40/MWh after it.
  EXPECT_NEAR(*score.days[1].battery_hindsight_gbp, 2.0 * 0.001 * 40, 1e-9);
}

TEST(AdviceScoreTest, RejectsABackwardRange) {
  const HalfHourSeries load = EveningPeakLoad(3);
  const TimeOfUseTariff tariff = NightTariff();
  EXPECT_EQ(
      ScoreAdvice(load, {nullptr, &tariff}, kDay0 + kDay, kDay0, SiteOptions()).status().code(),
      absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace gridpilot::advice
