#include "core/forecast/eval/monthly_scores.h"

#include "absl/time/time.h"
#include "core/base/time_util.h"
#include "core/forecast/eval/monthly_periods.h"
#include "gtest/gtest.h"

namespace gridpilot::forecast::eval {
namespace {

absl::Time Utc(const char* text) { return *base::ParseUtcTimestamp(text); }

TEST(MonthlyPeriodsTest, CutAtEveryUtcMonthStartInside) {
  absl::StatusOr<std::vector<WalkForwardPeriod>> periods =
      MonthlyPeriods(Utc("2023-01-15T00:00:00Z"), Utc("2023-03-10T00:00:00Z"));
  ASSERT_TRUE(periods.ok()) << periods.status();
  ASSERT_EQ(periods->size(), 3u);
  EXPECT_EQ((*periods)[0].start, Utc("2023-01-15T00:00:00Z"));
  EXPECT_EQ((*periods)[0].end, Utc("2023-02-01T00:00:00Z"));
  EXPECT_EQ((*periods)[1].start, Utc("2023-02-01T00:00:00Z"));
  EXPECT_EQ((*periods)[1].end, Utc("2023-03-01T00:00:00Z"));
  EXPECT_EQ((*periods)[2].end, Utc("2023-03-10T00:00:00Z"));
  EXPECT_EQ(PeriodLabel((*periods)[0]), "2023-01");
  EXPECT_EQ(PeriodLabel((*periods)[2]), "2023-03");
  EXPECT_EQ(PeriodIndexOf(*periods, Utc("2023-01-31T23:30:00Z")), 0);
  EXPECT_EQ(PeriodIndexOf(*periods, Utc("2023-02-01T00:00:00Z")), 1);
  EXPECT_EQ(PeriodIndexOf(*periods, Utc("2023-03-10T00:00:00Z")), -1);
  EXPECT_EQ(PeriodIndexOf(*periods, Utc("2023-01-14T23:30:00Z")), -1);

  // A whole year: twelve months.
  EXPECT_EQ(MonthlyPeriods(Utc("2023-01-01T00:00:00Z"), Utc("2024-01-01T00:00:00Z"))->size(), 12u);
  EXPECT_FALSE(MonthlyPeriods(Utc("2023-02-01T00:00:00Z"), Utc("2023-02-01T00:00:00Z")).ok());
  EXPECT_FALSE(MonthlyPeriods(Utc("2023-01-01T00:00:00Z"), Utc("2033-02-01T00:00:00Z")).ok());
  EXPECT_TRUE(MonthlyPeriods(Utc("2023-01-01T00:00:00Z"), Utc("2033-01-01T00:00:00Z")).ok());
}

// A day-ahead row for `target`, issued at the day's cut-off, `error` MW off an outturn of
// 20,000 MW, with NESO `neso_error` MW off and every baseline known.
DayAheadEvalRow DayAheadRow(absl::Time target, double error, double neso_error) {
  DayAheadEvalRow row;
  const absl::CivilDay day = absl::ToCivilDay(target, absl::UTCTimeZone());
  row.issue_time = absl::FromCivil(day, absl::UTCTimeZone()) - absl::Minutes(15);
  row.target_start = target;
  row.actual_mw = 20000.0;
  row.forecast_mw = 20000.0 + error;
  row.lower_mw = row.forecast_mw - 50;
  row.upper_mw = row.forecast_mw + 50;
  row.neso_mw = 20000.0 + neso_error;
  row.has_neso = true;
  row.persistence_mw = 21000.0;
  row.seasonal_naive_mw = 19000.0;
  return row;
}

TEST(MonthlyScoresTest, DayAheadRowsGoToTheMonthOfTheirTarget) {
  const std::vector<WalkForwardPeriod> periods =
      *MonthlyPeriods(Utc("2023-01-01T00:00:00Z"), Utc("2023-03-01T00:00:00Z"));
  std::vector<DayAheadEvalRow> rows = {
      // January: model 100 MW off, NESO 200 MW off. The last half-hour of January is one.
      DayAheadRow(Utc("2023-01-01T00:00:00Z"), 100, -200),
      DayAheadRow(Utc("2023-01-31T23:30:00Z"), -100, 200),
      // February 1st's first half-hour was issued on January 31st at 23:45, but forecasts
      // February: model 400 MW off (interval misses), NESO 100.
      DayAheadRow(Utc("2023-02-01T00:00:00Z"), 400, 100),
      DayAheadRow(Utc("2023-02-20T12:00:00Z"), -400, -100),
      // Outside both months: dropped.
      DayAheadRow(Utc("2023-03-01T00:00:00Z"), 5000, 0),
  };
  DayAheadEvalRow no_neso = DayAheadRow(Utc("2023-02-03T00:00:00Z"), 1000, 0);
  no_neso.neso_mw.reset();
  no_neso.has_neso = false;
  rows.push_back(no_neso);  // February, outturn known, not compared

  const std::vector<DayAheadMetrics> m = ScoreDayAheadByPeriod(rows, periods);
  ASSERT_EQ(m.size(), 2u);
  EXPECT_EQ(m[0].rows_compared, 2);
  EXPECT_EQ(m[0].rows_with_actual, 2);
  EXPECT_DOUBLE_EQ(m[0].model.mae_mw, 100.0);
  EXPECT_DOUBLE_EQ(m[0].neso.mae_mw, 200.0);
  EXPECT_DOUBLE_EQ(m[0].model.mape_percent, 0.5);
  EXPECT_DOUBLE_EQ(m[0].coverage, 0.0);
  EXPECT_EQ(m[1].rows_compared, 2);
  EXPECT_EQ(m[1].rows_with_actual, 3);
  EXPECT_DOUBLE_EQ(m[1].model.mae_mw, 400.0);
  EXPECT_DOUBLE_EQ(m[1].neso.mae_mw, 100.0);
  EXPECT_DOUBLE_EQ(m[1].model_all.mae_mw, 600.0);  // (400 + 400 + 1000) / 3
  EXPECT_DOUBLE_EQ(m[1].persistence.mae_mw, 1000.0);
}

PriceEvalRow PriceRow(absl::Time issue, int horizon, double error) {
  PriceEvalRow row;
  row.issue_time = issue;
  row.horizon_intervals = horizon;
  row.target_start = issue + (horizon - 1) * base::kHalfHour;
  row.actual = 80.0;
  row.forecast_gbp_per_mwh = 80.0 + error;
  row.lower_gbp_per_mwh = row.forecast_gbp_per_mwh - 1;
  row.upper_gbp_per_mwh = row.forecast_gbp_per_mwh + 1;
  row.profile_gbp_per_mwh = 90.0;
  row.persistence = 70.0;
  row.yesterday = 85.0;
  row.seasonal_naive = 60.0;
  return row;
}

TEST(MonthlyScoresTest, PriceRowsGoToTheMonthOfTheirIssue) {
  const std::vector<WalkForwardPeriod> periods =
      *MonthlyPeriods(Utc("2023-01-01T00:00:00Z"), Utc("2023-03-01T00:00:00Z"));
  const std::vector<PriceEvalRow> rows = {
      PriceRow(Utc("2023-01-10T00:00:00Z"), 1, 2.0),
      // Issued in January by January's model, its target in February: January's.
      PriceRow(Utc("2023-01-31T23:30:00Z"), 3, 4.0), PriceRow(Utc("2023-02-01T00:00:00Z"), 1, 10.0),
      PriceRow(Utc("2023-02-01T00:00:00Z"), 30, 20.0),  // outside horizons 1..24
  };
  const std::vector<PriceMetrics> m = ScorePriceRowsByPeriod(rows, periods, 1, 24);
  ASSERT_EQ(m.size(), 2u);
  EXPECT_EQ(m[0].rows_compared, 2);
  EXPECT_DOUBLE_EQ(m[0].model.mae_mw, 3.0);
  EXPECT_DOUBLE_EQ(m[0].profile.mae_mw, 10.0);
  EXPECT_DOUBLE_EQ(m[0].seasonal_naive.mae_mw, 20.0);
  EXPECT_EQ(m[1].rows_compared, 1);
  EXPECT_DOUBLE_EQ(m[1].model.mae_mw, 10.0);
}

}  // namespace
}  // namespace gridpilot::forecast::eval
