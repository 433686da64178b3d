#include "core/advice/day_advice.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace gridpilot::advice {
namespace {

const absl::Time kDay0 = absl::FromCivil(absl::CivilDay(2023, 1, 2), absl::UTCTimeZone());

// 1 kW all day, 3 kW from 17:00 to 19:00, for `days` days from kDay0.
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
  options.unit = PowerUnit::kKilowatt;
  options.flexible_share = 0.5;
  options.peak_limit = 2.0;
  return options;
}

TEST(DayAdviceTest, MovesTheEveningPeakToTheCheapNight) {
  const HalfHourSeries load = EveningPeakLoad(35);
  const TimeOfUseTariff tariff = NightTariff();
  const absl::StatusOr<DayAdvice> a =
      AdviseDay(load, {nullptr, &tariff}, kDay0 + absl::Hours(24 * 30), SiteOptions());
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->sentence, "move 2.00 kWh of flexible load from 17:00-19:00 to 00:00-02:00");
  EXPECT_DOUBLE_EQ(a->forecast_outcome.peak_before, 3.0);
  EXPECT_DOUBLE_EQ(a->forecast_outcome.peak_after, 2.0);
  // 2 kWh from 30 p to 10 p.
  EXPECT_NEAR(a->forecast_outcome.saved_gbp(), 2 * (0.30 - 0.10), 1e-9);
  EXPECT_FALSE(a->prices_forecast);
}

TEST(DayAdviceTest, ThePercentileSetsTheLimitWhenNoneIsGiven) {
  const HalfHourSeries load = EveningPeakLoad(35);
  const TimeOfUseTariff tariff = NightTariff();
  AdviceOptions options = SiteOptions();
  options.peak_limit.reset();
  // 44 half-hours of 1 kW and 4 of 3 kW: rank 0.925 * 47 = 43.475 lies between them.
  options.peak_percentile = 92.5;
  const DayAdvice a = *AdviseDay(load, {nullptr, &tariff}, kDay0 + absl::Hours(24 * 30), options);
  EXPECT_NEAR(a.shift.peak_limit, 1.95, 1e-12);
  EXPECT_NEAR(a.shift.out[34], 3 - 1.95, 1e-12);  // down to the limit, within the 1.5 flexible
}

TEST(DayAdviceTest, ChangingTheAdvisedDayOrLaterDoesNotChangeTheAdvice) {
  const absl::Time day = kDay0 + absl::Hours(24 * 30);
  HalfHourSeries load = EveningPeakLoad(35);
  HalfHourSeries prices = EveningPeakLoad(35);
  for (auto& v : prices.values) v = *v * 40.0;  // £/MWh, dear in the evening
  AdviceOptions options = SiteOptions();
  options.battery = SiteBatteryOptions{4.0, 2.0, 0.9, 0.0};
  const DayAdvice before = *AdviseDay(load, {&prices, nullptr}, day, options);
  EXPECT_TRUE(before.prices_forecast);

  HalfHourSeries changed_load = load;
  HalfHourSeries changed_prices = prices;
  for (size_t i = 30 * 48; i < load.values.size(); ++i) {
    changed_load.values[i] = 50.0 + static_cast<double>(i % 7);
    changed_prices.values[i] = -500.0 + static_cast<double>(i % 11) * 100;
  }
  const DayAdvice after = *AdviseDay(changed_load, {&changed_prices, nullptr}, day, options);
  EXPECT_EQ(after.forecast_load, before.forecast_load);
  EXPECT_EQ(after.price_gbp_per_mwh, before.price_gbp_per_mwh);
  EXPECT_EQ(after.shift.out, before.shift.out);
  EXPECT_EQ(after.shift.in, before.shift.in);
  EXPECT_EQ(after.battery->charge, before.battery->charge);
  EXPECT_EQ(after.battery->discharge, before.battery->discharge);

  // The test can fail: the day before the advised day does change it.
  HalfHourSeries changed_past = load;
  changed_past.values[29 * 48 + 36] = 10.0;
  const DayAdvice past = *AdviseDay(changed_past, {&prices, nullptr}, day, options);
  EXPECT_NE(past.forecast_load, before.forecast_load);
}

TEST(DayAdviceTest, TheBatteryBuysCheapAndUsesDear) {
  const HalfHourSeries load = EveningPeakLoad(35);
  const TimeOfUseTariff tariff = NightTariff();
  AdviceOptions options = SiteOptions();
  options.battery = SiteBatteryOptions{4.0, 2.0, 1.0, 0.0};
  const DayAdvice a = *AdviseDay(load, {nullptr, &tariff}, kDay0 + absl::Hours(24 * 30), options);
  ASSERT_TRUE(a.battery.has_value());
  double charged_at_night = 0.0;
  double used_by_day = 0.0;
  for (int i = 0; i < 48; ++i) {
    (i < 14 ? charged_at_night : used_by_day) +=
        (i < 14 ? a.battery->charge[i] : a.battery->discharge[i]) * 0.5;
  }
  EXPECT_NEAR(charged_at_night, 4.0, 1e-9);
  EXPECT_NEAR(used_by_day, 4.0, 1e-9);
  EXPECT_NEAR(a.battery->return_gbp, 4.0 * (0.30 - 0.10), 1e-9);
}

TEST(DayAdviceTest, NeedsHistoryAndOnePriceSource) {
  const HalfHourSeries load = EveningPeakLoad(3);
  const TimeOfUseTariff tariff = NightTariff();
  EXPECT_EQ(AdviseDay(load, {nullptr, &tariff}, kDay0, SiteOptions()).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(
      AdviseDay(load, {nullptr, nullptr}, kDay0 + absl::Hours(48), SiteOptions()).status().code(),
      absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(
      AdviseDay(load, {&load, &tariff}, kDay0 + absl::Hours(48), SiteOptions()).status().code(),
      absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace gridpilot::advice
