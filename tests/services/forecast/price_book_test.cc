// PriceBook: the served price forecast is the trader's profile over the prices observed so
// far, its intervals come only from errors known at issue time, later prices never change
// an earlier forecast, and Get's errors.
#include "services/forecast/price_book.h"

#include <cmath>
#include <map>
#include <optional>
#include <utility>
#include <vector>

#include "core/base/time_util.h"
#include "core/forecast/eval/change_forecast_eval.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace gridpilot {
namespace {

using ::testing::HasSubstr;

const absl::Time kStart = *base::ParseUtcTimestamp("2023-03-06T00:00:00Z");  // a Monday

// A daily price shape with a wiggle that changes from day to day.
double Price(size_t i) {
  return 80.0 + 40.0 * std::sin(2.0 * 3.14159265358979 * static_cast<double>(i % 48) / 48.0) +
         7.0 * std::sin(0.37 * static_cast<double>(i));
}

TEST(PriceBookTest, ServesTheTradersProfileWithIntervalsFromKnownErrors) {
  PriceBook book;
  forecast::ProfileForecaster profile;
  for (size_t i = 0; i < 48 * 10; ++i) {
    const absl::Time start = kStart + i * base::kHalfHour;
    const std::optional<double> price =
        i == 100 ? std::nullopt : std::optional<double>(Price(i));  // one missing price
    ASSERT_TRUE(book.Ingest(start, price).ok());
    profile.Observe(start, price);
  }
  const absl::Time issue = kStart + 48 * 10 * base::kHalfHour;
  absl::StatusOr<IssuedPriceForecast> issued = book.Get(std::nullopt);
  ASSERT_TRUE(issued.ok()) << issued.status();
  EXPECT_EQ(issued->issue_time, issue);
  EXPECT_EQ(issued->price_gbp_per_mwh, profile.Forecast(issue, book.horizon_intervals()));
  ASSERT_EQ(issued->half_width_gbp.size(), 48u);
  // Ten days of forecasts have been scored: every horizon has an interval, wider far out.
  for (const std::optional<double>& w : issued->half_width_gbp) ASSERT_TRUE(w.has_value());
  EXPECT_GT(*issued->half_width_gbp[0], 0.0);

  // A new book: after 20 prices, the 30-min horizon has its 10 scored errors (and more);
  // 24 h ahead nothing has been scored yet, so no interval.
  PriceBook fresh;
  for (size_t i = 0; i < 20; ++i)
    ASSERT_TRUE(fresh.Ingest(kStart + i * base::kHalfHour, Price(i)).ok());
  absl::StatusOr<IssuedPriceForecast> early = fresh.Get(std::nullopt);
  ASSERT_TRUE(early.ok()) << early.status();
  EXPECT_TRUE(early->half_width_gbp[0].has_value());
  EXPECT_FALSE(early->half_width_gbp[47].has_value());
}

// Every issued forecast's intervals, on a series with runs of skipped intervals (so some
// issue times were never issued) and missing prices, against the errors recomputed here from
// the served forecasts: each horizon k's error of the forecast issued k intervals before a
// priced interval, known once that interval ended, the newest kIntervalWindow known at the
// issue time.
TEST(PriceBookTest, IntervalsComeFromTheErrorsOfTheForecastsIssuedBefore) {
  PriceBook book;
  const int horizons = book.horizon_intervals();
  std::map<absl::Time, std::vector<double>> served;
  std::vector<std::vector<std::pair<absl::Time, double>>> errors(horizons);
  size_t checked = 0;
  for (size_t i = 0; i < 48 * 16; ++i) {
    if (i % 97 >= 90 || i % 31 == 7) continue;  // skipped intervals
    const absl::Time start = kStart + i * base::kHalfHour;
    const std::optional<double> price =
        i % 23 == 5 ? std::nullopt : std::optional<double>(Price(i));
    ASSERT_TRUE(book.Ingest(start, price).ok());
    const absl::Time issue = start + base::kHalfHour;
    if (price.has_value()) {
      for (int k = 0; k < horizons; ++k) {
        auto it = served.find(start - k * base::kHalfHour);
        if (it != served.end()) errors[k].push_back({issue, std::abs(it->second[k] - *price)});
      }
    }
    absl::StatusOr<IssuedPriceForecast> issued = book.Get(issue);
    ASSERT_TRUE(issued.ok()) << issued.status();
    served[issue] = issued->price_gbp_per_mwh;
    for (int k = 0; k < horizons; ++k) {
      std::vector<double> known;
      for (auto e = errors[k].rbegin();
           e != errors[k].rend() && known.size() < static_cast<size_t>(PriceBook::kIntervalWindow);
           ++e) {
        known.push_back(e->second);
      }
      std::optional<double> expected;
      if (known.size() >= static_cast<size_t>(PriceBook::kIntervalMinErrors)) {
        expected = forecast::eval::ConformalQuantile(std::move(known), PriceBook::kIntervalCoverage)
                       .value();
      }
      ASSERT_EQ(issued->half_width_gbp[k], expected) << "interval " << i << ", horizon " << k;
      checked += expected.has_value();
    }
  }
  EXPECT_GT(checked, 20000u);
}

TEST(PriceBookTest, LaterPricesNeverChangeAnEarlierForecast) {
  PriceBook a, b;
  const size_t cut = 48 * 6 + 40;
  for (size_t i = 0; i < 48 * 8; ++i) {
    const absl::Time start = kStart + i * base::kHalfHour;
    ASSERT_TRUE(a.Ingest(start, Price(i)).ok());
    ASSERT_TRUE(b.Ingest(start, i < cut ? Price(i) : 500.0 - Price(i)).ok());
  }
  int compared = 0, differ = 0;
  for (size_t i = 48 * 8 - a.issued_kept() + 1; i <= 48 * 8; ++i) {
    const absl::Time issue = kStart + i * base::kHalfHour;
    absl::StatusOr<IssuedPriceForecast> x = a.Get(issue), y = b.Get(issue);
    ASSERT_TRUE(x.ok() && y.ok()) << x.status() << y.status();
    if (i <= cut) {  // issued when only prices before the cut were known
      EXPECT_EQ(x->price_gbp_per_mwh, y->price_gbp_per_mwh) << base::FormatUtcTimestamp(issue);
      EXPECT_EQ(x->half_width_gbp, y->half_width_gbp) << base::FormatUtcTimestamp(issue);
      ++compared;
    } else {
      differ += x->price_gbp_per_mwh != y->price_gbp_per_mwh;
    }
  }
  EXPECT_GT(compared, 20);
  EXPECT_GT(differ, 20);
}

TEST(PriceBookTest, AQuarterHourRegionGetsTwentyFourHoursOfQuarterHours) {
  const absl::Duration quarter = absl::Minutes(15);
  PriceBook book(quarter);
  forecast::ProfileForecaster profile(quarter);
  EXPECT_EQ(book.horizon_intervals(), 96);
  for (size_t i = 0; i < 96 * 10; ++i) {
    const absl::Time start = kStart + i * quarter;
    ASSERT_TRUE(book.Ingest(start, Price(i / 2)).ok());
    profile.Observe(start, Price(i / 2));
  }
  const absl::Time issue = kStart + 96 * 10 * quarter;
  absl::StatusOr<IssuedPriceForecast> issued = book.Get(std::nullopt);
  ASSERT_TRUE(issued.ok()) << issued.status();
  EXPECT_EQ(issued->issue_time, issue);
  EXPECT_EQ(issued->price_gbp_per_mwh, profile.Forecast(issue, 96));
  ASSERT_EQ(issued->half_width_gbp.size(), 96u);
  // Ten days scored: the horizon 24 h out (the 96th quarter-hour) has its interval too.
  EXPECT_TRUE(issued->half_width_gbp[95].has_value());
  EXPECT_EQ(book.issued_kept(), 192u);
  EXPECT_TRUE(book.Get(issue - 191 * quarter).ok());
  EXPECT_FALSE(book.Get(issue - 192 * quarter).ok());  // evicted
}

TEST(PriceBookTest, ErrorsNameTheTimes) {
  PriceBook book;
  EXPECT_EQ(book.Get(std::nullopt).status().code(), absl::StatusCode::kNotFound);
  ASSERT_TRUE(book.Ingest(kStart, 50.0).ok());
  const absl::Status repeated = book.Ingest(kStart, 60.0);
  EXPECT_EQ(repeated.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(repeated.message(), HasSubstr("2023-03-06T00:00:00Z"));
  const absl::StatusOr<IssuedPriceForecast> missing = book.Get(kStart + absl::Hours(5));
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(missing.status().message(), HasSubstr("2023-03-06T05:00:00Z"));
  for (int i = 1; i < 200; ++i) ASSERT_TRUE(book.Ingest(kStart + i * base::kHalfHour, 50.0).ok());
  EXPECT_EQ(book.Get(kStart + base::kHalfHour).status().code(),
            absl::StatusCode::kNotFound);  // evicted
}

}  // namespace
}  // namespace gridpilot
