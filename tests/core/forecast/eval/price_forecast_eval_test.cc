// EvaluatePriceForecasts on a synthetic price series: row layout, the baselines' values,
// the walk-forward XGBoost model against them, rolling conformal intervals, and no
// look-ahead (changing prices after T leaves every forecast and interval issued at or
// before T unchanged, models retrained after T included).
#include "core/forecast/eval/price_forecast_eval.h"

#include <cmath>
#include <vector>

#include "core/base/time_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace gridpilot::forecast::eval {
namespace {

const absl::Time kDataStart = *base::ParseUtcTimestamp("2023-01-02T00:00:00Z");  // a Monday

// `days` of half-hourly prices: a daily shape with day-to-day noise.
std::vector<data::GridMeasurement> Series(int days) {
  std::vector<data::GridMeasurement> out;
  for (int i = 0; i < days * 48; ++i) {
    data::GridMeasurement m;
    m.interval_start = kDataStart + i * base::kHalfHour;
    const int period = i % 48, day = i / 48;
    m.price_gbp_per_mwh =
        80.0 + 40.0 * std::sin(period * 2 * M_PI / 48) + 10.0 * std::sin(day * 1.7 + period * 0.3);
    out.push_back(m);
  }
  return out;
}

TEST(PriceForecastEvalTest, RowsCarryTheBaselinesAndBracketTheForecast) {
  const std::vector<data::GridMeasurement> prices = Series(90);
  const absl::Time from = kDataStart + absl::Hours(24 * 70), to = from + absl::Hours(24);
  absl::StatusOr<PriceEvalResult> result = EvaluatePriceForecasts(prices, from, to, {});
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_EQ(result->rows.size(), 48u * 48);
  auto price = [&](absl::Time t) {
    absl::Duration remainder;
    return *prices[absl::IDivDuration(t - kDataStart, base::kHalfHour, &remainder)]
                .price_gbp_per_mwh;
  };
  for (const PriceEvalRow& r : result->rows) {
    EXPECT_EQ(r.target_start, r.issue_time + (r.horizon_intervals - 1) * base::kHalfHour);
    ASSERT_TRUE(r.actual && r.persistence && r.yesterday && r.seasonal_naive);
    EXPECT_EQ(*r.actual, price(r.target_start));
    EXPECT_EQ(*r.persistence, price(r.issue_time - base::kHalfHour));
    EXPECT_EQ(*r.yesterday, price(r.target_start - absl::Hours(24)));
    EXPECT_EQ(*r.seasonal_naive, price(r.target_start - absl::Hours(24 * 7)));
    EXPECT_TRUE(std::isfinite(r.profile_gbp_per_mwh));
    EXPECT_LT(r.lower_gbp_per_mwh, r.forecast_gbp_per_mwh);
    EXPECT_GT(r.upper_gbp_per_mwh, r.forecast_gbp_per_mwh);
  }
  EXPECT_EQ(result->all.rows_compared, 48 * 48);
  EXPECT_EQ(result->first_interval.rows_compared, 48);
  // The daily shape repeats, so the profile beats persistence by far, and the model, which
  // starts from the profile, is no worse than it by much.
  EXPECT_LT(result->all.profile.mae_mw, result->all.persistence.mae_mw);
  EXPECT_LT(result->all.model.mae_mw, result->all.persistence.mae_mw);
  EXPECT_LT(result->all.model.mae_mw, 1.2 * result->all.profile.mae_mw);
  // Trained before the period (28 days ahead of it) and at the start of March.
  EXPECT_EQ(result->trainings, 2);
  EXPECT_GT(result->all.coverage, 0.6);
}

TEST(PriceForecastEvalTest, ChangingLaterPricesLeavesEarlierForecastsEqual) {
  // The period crosses 2023-04-01, so a model is retrained after T on the changed prices.
  const std::vector<data::GridMeasurement> prices = Series(95);
  const absl::Time from = *base::ParseUtcTimestamp("2023-03-30T00:00:00Z"),
                   to = from + absl::Hours(72);
  const absl::Time t = from + absl::Hours(30);  // T
  std::vector<data::GridMeasurement> changed = prices;
  for (data::GridMeasurement& m : changed) {
    if (m.interval_start >= t) m.price_gbp_per_mwh = -500.0;
  }
  absl::StatusOr<PriceEvalResult> a = EvaluatePriceForecasts(prices, from, to, {});
  absl::StatusOr<PriceEvalResult> b = EvaluatePriceForecasts(changed, from, to, {});
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_EQ(a->rows.size(), b->rows.size());
  int compared = 0, differing_later = 0;
  for (size_t i = 0; i < a->rows.size(); ++i) {
    if (a->rows[i].issue_time <= t) {
      EXPECT_EQ(a->rows[i].forecast_gbp_per_mwh, b->rows[i].forecast_gbp_per_mwh);
      EXPECT_EQ(a->rows[i].lower_gbp_per_mwh, b->rows[i].lower_gbp_per_mwh);
      EXPECT_EQ(a->rows[i].upper_gbp_per_mwh, b->rows[i].upper_gbp_per_mwh);
      ++compared;
    } else if (a->rows[i].forecast_gbp_per_mwh != b->rows[i].forecast_gbp_per_mwh) {
      ++differing_later;
    }
  }
  EXPECT_GT(compared, 0);
  EXPECT_GT(differing_later, 0);  // the change is visible to later forecasts
}

TEST(PriceForecastEvalTest, TooLittleHistoryIsRefused) {
  const std::vector<data::GridMeasurement> prices = Series(90);
  absl::StatusOr<PriceEvalResult> r = EvaluatePriceForecasts(
      prices, kDataStart + absl::Hours(24 * 10), kDataStart + absl::Hours(24 * 11), {});
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(r.status().message(), ::testing::HasSubstr("the prices start at 2023-01-02"));
}

}  // namespace
}  // namespace gridpilot::forecast::eval
