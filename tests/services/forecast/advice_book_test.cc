#include "services/forecast/advice_book.h"

#include "gtest/gtest.h"

namespace gridpilot {
namespace {

const absl::Time kDay0 = absl::FromCivil(absl::CivilDay(2023, 1, 2), absl::UTCTimeZone());
constexpr absl::Duration kHalfHour = absl::Minutes(30);

// 20 GW all day and 30 GW from 17:00 to 19:00; £50/MWh, £150/MWh in the evening.
data::GridMeasurement Measured(int half_hour_index) {
  const int i = half_hour_index % 48;
  const bool evening = i >= 34 && i < 38;
  data::GridMeasurement m;
  m.interval_start = kDay0 + kHalfHour * half_hour_index;
  m.net_load_mw = evening ? 30000.0 : 20000.0;
  m.price_gbp_per_mwh = evening ? 150.0 : 50.0;
  return m;
}

advice::AdviceOptions RegionOptions() {
  advice::AdviceOptions options;
  options.unit = advice::PowerUnit::kMegawatt;
  options.flexible_share = 0.1;
  options.peak_limit = 28000.0;
  return options;
}

TEST(AdviceBookTest, AdvisesTomorrowFromWhatItHolds) {
  AdviceBook book;
  for (int k = 0; k < 30 * 48; ++k) ASSERT_TRUE(book.Ingest(Measured(k)).ok());
  const absl::StatusOr<BookAdvice> a = book.Advise(std::nullopt, RegionOptions());
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->advice.day_start, kDay0 + absl::Hours(24 * 30));
  EXPECT_EQ(a->data_until, kDay0 + kHalfHour * (30 * 48 - 1));
  // 2 GW above the limit for 2 h, within the 3 GW flexible share: 4000 MWh.
  EXPECT_EQ(a->advice.sentence, "move 4000 MWh of flexible load from 17:00-19:00 to 00:00-00:30");
  EXPECT_NEAR(a->advice.forecast_outcome.peak_after, 28000.0, 1e-6);
}

TEST(AdviceBookTest, ThePastDaysAdviceIgnoresWhatCameAfterIt) {
  AdviceBook until_day;
  AdviceBook later;
  for (int k = 0; k < 30 * 48; ++k) ASSERT_TRUE(until_day.Ingest(Measured(k)).ok());
  for (int k = 0; k < 31 * 48; ++k) {
    data::GridMeasurement m = Measured(k);
    if (k >= 30 * 48) {  // the advised day itself, very different
      m.net_load_mw = 5000.0 + k % 7 * 1000;
      m.price_gbp_per_mwh = -100.0;
    }
    ASSERT_TRUE(later.Ingest(m).ok());
  }
  const absl::Time day = kDay0 + absl::Hours(24 * 30);
  const BookAdvice a = *until_day.Advise(day, RegionOptions());
  const BookAdvice b = *later.Advise(day, RegionOptions());
  EXPECT_EQ(a.advice.forecast_load, b.advice.forecast_load);
  EXPECT_EQ(a.advice.price_gbp_per_mwh, b.advice.price_gbp_per_mwh);
  EXPECT_EQ(a.advice.shift.out, b.advice.shift.out);
  EXPECT_EQ(a.advice.shift.in, b.advice.shift.in);
  EXPECT_EQ(b.data_until, day - kHalfHour);
}

TEST(AdviceBookTest, RefusesOutOfOrderIntervalsAndFarDays) {
  AdviceBook book;
  EXPECT_EQ(book.Advise(std::nullopt, RegionOptions()).status().code(),
            absl::StatusCode::kFailedPrecondition);
  ASSERT_TRUE(book.Ingest(Measured(10)).ok());
  EXPECT_EQ(book.Ingest(Measured(10)).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(book.Advise(kDay0 + absl::Hours(48), RegionOptions()).status().code(),
            absl::StatusCode::kInvalidArgument);
  advice::AdviceOptions kw = RegionOptions();
  kw.unit = advice::PowerUnit::kKilowatt;
  EXPECT_EQ(book.Advise(std::nullopt, kw).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(AdviceBookTest, KeepsOnlyTheLastDays) {
  AdviceBook book;
  for (int k = 0; k < 40 * 48; ++k) ASSERT_TRUE(book.Ingest(Measured(k)).ok());
  // Day 10 needs the 28 days before it, which are no longer kept.
  EXPECT_EQ(book.Advise(kDay0 + absl::Hours(24 * 10), RegionOptions()).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(book.Advise(kDay0 + absl::Hours(24 * 40), RegionOptions()).ok());
}

}  // namespace
}  // namespace gridpilot
