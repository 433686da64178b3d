#include "core/forecast/eval/day_ahead_demand_eval.h"

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <numbers>

#include "absl/time/time.h"
#include "core/base/time_util.h"
#include "core/base/uk_calendar.h"
#include "core/forecast/day_ahead_demand_features.h"
#include "core/forecast/models/day_ahead_demand_forecaster.h"
#include "gtest/gtest.h"
#include "tests/core/forecast/eval/synthetic_grid.h"

namespace gridpilot::forecast::eval {
namespace {

constexpr absl::Duration kDay = absl::Hours(24);
const absl::Time kStart = absl::FromUnixSeconds(1667260800);  // 2022-11-01T00:00Z

absl::Time Utc(const char* text) { return *base::ParseUtcTimestamp(text); }

using SyntheticData = synthetic::SyntheticDayAheadData;

// `days` days of ND from kStart; NESO's vintage for day D published at D-1 23:45 (the one
// of every fifth day at 23:46 instead, so too late), ND + 150 MW + up to 300 MW of noise.
SyntheticData Synthetic(int days) {
  return synthetic::SyntheticDayAhead(
      kStart, days, 12345,
      [](int, double nd_mw, synthetic::Noise& noise) { return nd_mw + 150 + 300 * noise.Next(); });
}

TEST(UkCalendarTest, SummerTimeAndBankHolidays) {
  EXPECT_EQ(base::UkUtcOffset(Utc("2023-03-26T00:59:00Z")), absl::ZeroDuration());
  EXPECT_EQ(base::UkUtcOffset(Utc("2023-03-26T01:00:00Z")), absl::Hours(1));
  EXPECT_EQ(base::UkUtcOffset(Utc("2023-10-29T00:59:00Z")), absl::Hours(1));
  EXPECT_EQ(base::UkUtcOffset(Utc("2023-10-29T01:00:00Z")), absl::ZeroDuration());
  EXPECT_EQ(base::UkLocalTime(Utc("2023-07-01T23:30:00Z")),
            absl::CivilSecond(2023, 7, 2, 0, 30, 0));
  EXPECT_TRUE(base::IsEnglandWalesBankHoliday(absl::CivilDay(2022, 9, 19)));    // state funeral
  EXPECT_TRUE(base::IsEnglandWalesBankHoliday(absl::CivilDay(2023, 5, 8)));     // coronation
  EXPECT_TRUE(base::IsEnglandWalesBankHoliday(absl::CivilDay(2022, 12, 27)));   // substitute
  EXPECT_FALSE(base::IsEnglandWalesBankHoliday(absl::CivilDay(2022, 12, 25)));  // a Sunday
  EXPECT_FALSE(base::IsEnglandWalesBankHoliday(absl::CivilDay(2023, 6, 5)));
}

TEST(ErrorAccumulatorTest, MetricsByHand) {
  ErrorAccumulator acc;
  acc.Add(110, 100);  // error 10, 10%
  acc.Add(180, 200);  // error -20, 10%
  acc.Add(50, 0);     // error 50: MAE and RMSE only
  const ErrorMetrics m = acc.Metrics();
  EXPECT_EQ(m.rows, 3);
  EXPECT_DOUBLE_EQ(m.mae_mw, 80.0 / 3);
  EXPECT_DOUBLE_EQ(m.rmse_mw, std::sqrt((100.0 + 400 + 2500) / 3));
  EXPECT_DOUBLE_EQ(m.mape_percent, 10.0);
  EXPECT_TRUE(std::isnan(ErrorAccumulator().Metrics().mape_percent));
}

TEST(ScoreDayAheadTest, ComparesOnlyRowsWhereEveryBaselineIsKnown) {
  auto row = [](double forecast, std::optional<double> actual, std::optional<double> neso) {
    DayAheadEvalRow r;
    r.forecast_mw = forecast;
    r.lower_mw = forecast - 15;
    r.upper_mw = forecast + 15;
    r.actual_mw = actual;
    r.persistence_mw = 90.0;
    r.seasonal_naive_mw = 120.0;
    r.neso_mw = neso;
    return r;
  };
  const std::vector<DayAheadEvalRow> rows = {
      row(110, 100, 105),           // model 10% (covered), NESO 5%
      row(100, 200, 210),           // model 50% (not covered), NESO 5%
      row(300, 100, std::nullopt),  // no NESO: only in the all-rows figures
      row(999, std::nullopt, 100),  // no outturn: nowhere
  };
  const DayAheadMetrics m = ScoreDayAhead(rows);
  EXPECT_EQ(m.rows_compared, 2);
  EXPECT_EQ(m.rows_with_actual, 3);
  EXPECT_DOUBLE_EQ(m.model.mape_percent, 30.0);
  EXPECT_DOUBLE_EQ(m.model.mae_mw, 55.0);
  EXPECT_DOUBLE_EQ(m.neso.mape_percent, 5.0);
  EXPECT_DOUBLE_EQ(m.persistence.mae_mw, (10.0 + 110) / 2);
  EXPECT_DOUBLE_EQ(m.seasonal_naive.mae_mw, (20.0 + 80) / 2);
  EXPECT_DOUBLE_EQ(m.coverage, 0.5);
  EXPECT_EQ(m.model_all.rows, 3);
  EXPECT_DOUBLE_EQ(m.model_all.mae_mw, (10.0 + 100 + 200) / 3);
  EXPECT_DOUBLE_EQ(m.coverage_all, 1.0 / 3);
}

TEST(DayAheadDemandFeaturesTest, OutturnKnownOnlyOnceItsHalfHourHasEnded) {
  const SyntheticData data = Synthetic(10);
  const DayAheadDemandFeatures f(&data.series, &data.neso);
  const absl::Time day = kStart + 9 * kDay;
  const absl::Time cutoff = DayAheadCutoff(day);
  EXPECT_EQ(cutoff, day - absl::Minutes(15));
  // At 23:45 the half-hour from 23:00 has ended, the one from 23:30 has not.
  EXPECT_TRUE(f.KnownNationalDemandMw(day - absl::Minutes(60), cutoff).has_value());
  EXPECT_FALSE(f.KnownNationalDemandMw(day - absl::Minutes(30), cutoff).has_value());
  EXPECT_FALSE(f.KnownNationalDemandMw(day, cutoff).has_value());
  // Persistence: D-1 for 00:00..23:00, D-2 for 23:30; seasonal naive: D-7.
  EXPECT_EQ(f.PersistenceMw(day + absl::Hours(23), cutoff),
            f.ActualNationalDemandMw(day - absl::Hours(1)));
  EXPECT_EQ(f.PersistenceMw(day + absl::Minutes(23 * 60 + 30), cutoff),
            f.ActualNationalDemandMw(day - kDay - absl::Minutes(30)));
  EXPECT_EQ(f.SeasonalNaiveMw(day + absl::Hours(5), cutoff),
            f.ActualNationalDemandMw(day - 7 * kDay + absl::Hours(5)));
  EXPECT_EQ(f.Features(day, cutoff).size(), DayAheadDemandFeatures::FeatureNames().size());
}

TEST(DayAheadDemandFeaturesTest, NesoVintagesFilteredByPublicationTime) {
  const absl::Time target = Utc("2023-01-02T12:00:00Z");
  const absl::Time cutoff = DayAheadCutoff(Utc("2023-01-02T00:00:00Z"));
  std::vector<data::DayAheadForecastRow> neso = {
      {target, Utc("2022-12-31T23:45:00Z"), 1000.0},  // two days old
      {target, Utc("2023-01-01T23:45:00Z"), 2000.0},  // exactly at the cut-off: known
      {target, Utc("2023-01-01T23:46:00Z"), 3000.0},  // after the cut-off: not known
  };
  const data::GridSeries empty;
  DayAheadDemandFeatures f(&empty, &neso);
  absl::Time published;
  EXPECT_EQ(f.NesoForecastMw(target, cutoff, &published), 2000.0);
  EXPECT_EQ(published, Utc("2023-01-01T23:45:00Z"));
  EXPECT_EQ(f.NesoForecastMw(target, cutoff - absl::Minutes(1)), 1000.0);
  EXPECT_EQ(f.NesoForecastMw(target, cutoff + absl::Minutes(1)), 3000.0);
  EXPECT_FALSE(f.NesoForecastMw(target, Utc("2022-12-31T23:44:00Z")).has_value());
  EXPECT_FALSE(f.NesoForecastMw(target + base::kHalfHour, cutoff).has_value());
  // The latest admissible vintage has no value: the older one with a value stands.
  neso[1].net_load_mw = std::nullopt;
  EXPECT_EQ(f.NesoForecastMw(target, cutoff), 1000.0);
}

// Equal element by element, NaN equal to NaN (a missing feature must stay missing).
bool SameFeatures(const std::vector<float>& a, const std::vector<float>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (!(a[i] == b[i] || (std::isnan(a[i]) && std::isnan(b[i])))) return false;
  }
  return true;
}

ml::XgboostParams SmallParams() {
  ml::XgboostParams params;
  params.num_rounds = 20;
  params.eta = 0.3;  // 20 rounds at the default 0.05 would stop far from the fit
  return params;
}

TEST(DayAheadDemandEvalTest, ForecastsOfDaysUpToDIgnoreDataAfterItsCutoff) {
  const SyntheticData data = Synthetic(40);
  const DayAheadDemandFeatures features(&data.series, &data.neso);
  const absl::Time eval_from = kStart + 30 * kDay;
  absl::StatusOr<models::DayAheadTrainingSet> set =
      models::BuildDayAheadTrainingSet(features, kStart, eval_from);
  ASSERT_TRUE(set.ok()) << set.status();
  absl::StatusOr<models::DayAheadDemandForecaster> model =
      models::DayAheadDemandForecaster::Train(*set, SmallParams());
  ASSERT_TRUE(model.ok()) << model.status();
  const DayAheadIntervalWidths widths{100, 200};
  absl::StatusOr<std::vector<DayAheadEvalRow>> before =
      ForecastDayAheadDays(*model, features, eval_from, eval_from + 4 * kDay, widths);
  ASSERT_TRUE(before.ok()) << before.status();
  ASSERT_EQ(before->size(), 4u * 48);

  // Change everything that was unknown at the cut-off of day D = eval_from + 2 days:
  // outturn of half-hours not ended by then, and vintages published after it.
  const absl::Time day_d = eval_from + 2 * kDay;
  const absl::Time cutoff = DayAheadCutoff(day_d);
  std::vector<data::GridInterval> changed = data.series.intervals();
  for (data::GridInterval& g : changed) {
    if (g.start + base::kHalfHour > cutoff) g.net_load_mw = *g.net_load_mw + 3000;
  }
  std::vector<data::DayAheadForecastRow> changed_neso = data.neso;
  for (data::DayAheadForecastRow& row : changed_neso) {
    if (row.published > cutoff) row.net_load_mw = *row.net_load_mw - 2500;
  }
  const data::GridSeries changed_series = *data::GridSeries::Create(changed);
  const DayAheadDemandFeatures changed_features(&changed_series, &changed_neso);
  absl::StatusOr<std::vector<DayAheadEvalRow>> after =
      ForecastDayAheadDays(*model, changed_features, eval_from, eval_from + 4 * kDay, widths);
  ASSERT_TRUE(after.ok()) << after.status();
  ASSERT_EQ(after->size(), before->size());
  int changed_later = 0;
  for (size_t i = 0; i < before->size(); ++i) {
    const DayAheadEvalRow& b = (*before)[i];
    const DayAheadEvalRow& a = (*after)[i];
    ASSERT_EQ(a.target_start, b.target_start);
    if (b.target_start < day_d + kDay) {
      EXPECT_EQ(a.forecast_mw, b.forecast_mw) << base::FormatUtcTimestamp(b.target_start);
      // Every feature, not only the ones the forecast path happened to read.
      EXPECT_TRUE(SameFeatures(features.Features(b.target_start, b.issue_time),
                               changed_features.Features(b.target_start, b.issue_time)))
          << base::FormatUtcTimestamp(b.target_start);
      EXPECT_EQ(a.neso_mw, b.neso_mw);
      EXPECT_EQ(a.persistence_mw, b.persistence_mw);
      EXPECT_EQ(a.seasonal_naive_mw, b.seasonal_naive_mw);
    } else if (a.forecast_mw != b.forecast_mw) {
      ++changed_later;
    }
  }
  // The change does reach the forecasts issued after the cut-off, so the check above
  // could have failed.
  EXPECT_EQ(changed_later, 48);
}

TEST(DayAheadDemandEvalTest, RowsIssueTimesIntervalsAndBaselines) {
  const SyntheticData data = Synthetic(40);
  DayAheadEvalConfig config;
  config.model_dir = ::testing::TempDir() + "/day_ahead_eval_models";
  std::filesystem::remove_all(config.model_dir);
  config.params = SmallParams();
  const absl::Time from = kStart + 35 * kDay, to = kStart + 40 * kDay;
  absl::StatusOr<DayAheadEvalResult> result =
      EvaluateDayAheadDemand(data.series, data.neso, from, to, config);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->training_days, 35);
  EXPECT_EQ(result->training_first_day, kStart);
  ASSERT_EQ(result->rows.size(), 5u * 48);
  EXPECT_GT(result->half_widths.with_neso_mw, 0);
  EXPECT_GT(result->half_widths.without_neso_mw, 0);
  const DayAheadDemandFeatures features(&data.series, &data.neso);
  for (size_t i = 0; i < result->rows.size(); ++i) {
    const DayAheadEvalRow& row = result->rows[i];
    const absl::Time day = from + static_cast<int64_t>(i / 48) * kDay;
    EXPECT_EQ(row.issue_time, day - absl::Minutes(15));
    EXPECT_EQ(row.target_start, day + static_cast<int64_t>(i % 48) * base::kHalfHour);
    // The 23:46 vintage of every fifth day is too late: those days have no NESO value.
    const bool late_vintage = ((day - kStart) / kDay) % 5 == 4;
    EXPECT_EQ(row.has_neso, !late_vintage);
    const double width =
        row.has_neso ? result->half_widths.with_neso_mw : result->half_widths.without_neso_mw;
    EXPECT_DOUBLE_EQ(row.upper_mw - row.forecast_mw, width);
    EXPECT_DOUBLE_EQ(row.forecast_mw - row.lower_mw, width);
    EXPECT_EQ(row.actual_mw, data.series.at(*data.series.IndexOf(row.target_start)).net_load_mw);
    EXPECT_EQ(row.seasonal_naive_mw, features.ActualNationalDemandMw(row.target_start - 7 * kDay));
  }
  EXPECT_EQ(result->metrics.rows_compared, 4 * 48);
  // NESO's synthetic forecast is biased by +150 MW; the model corrects toward outturn.
  EXPECT_LT(result->metrics.model.mae_mw, result->metrics.seasonal_naive.mae_mw);
  // A second run loads the cached model and gives the same forecasts.
  absl::StatusOr<DayAheadEvalResult> again =
      EvaluateDayAheadDemand(data.series, data.neso, from, to, config);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->rows.back().forecast_mw, result->rows.back().forecast_mw);
}

TEST(DayAheadDemandEvalTest, BadWindowsAreErrors) {
  const SyntheticData data = Synthetic(40);
  DayAheadEvalConfig config;
  config.model_dir = ::testing::TempDir() + "/day_ahead_eval_models_err";
  config.params = SmallParams();
  // Too few training days before `from`.
  absl::StatusOr<DayAheadEvalResult> r = EvaluateDayAheadDemand(
      data.series, data.neso, kStart + 10 * kDay, kStart + 12 * kDay, config);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  // Empty or off-midnight windows.
  r = EvaluateDayAheadDemand(data.series, data.neso, kStart + 35 * kDay, kStart + 35 * kDay,
                             config);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  r = EvaluateDayAheadDemand(data.series, data.neso, kStart + 35 * kDay + base::kHalfHour,
                             kStart + 37 * kDay, config);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace gridpilot::forecast::eval
