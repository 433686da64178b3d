#include "core/forecast/eval/day_ahead_walk_forward.h"

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <limits>
#include <numbers>
#include <string>

#include "absl/time/time.h"
#include "core/base/time_util.h"
#include "core/forecast/day_ahead_demand_features.h"
#include "gtest/gtest.h"
#include "tests/core/forecast/eval/synthetic_grid.h"

namespace gridpilot::forecast::eval {
namespace {

constexpr absl::Duration kDay = absl::Hours(24);

absl::Time Utc(const char* text) { return *base::ParseUtcTimestamp(text); }

using SyntheticData = synthetic::SyntheticDayAheadData;

// ND from `start` for `days` days. NESO's vintage of day D is published at D-1 23:45 (that
// of every fifth day a minute late, so those days take the XGBoost fallback), with an error
// that drifts from day to day.
SyntheticData Synthetic(absl::Time start, int days) {
  double drift = 0.0;
  return synthetic::SyntheticDayAhead(start, days, 777,
                                      [&drift](int i, double nd_mw, synthetic::Noise& noise) {
                                        if (i % 48 == 0) drift = 0.7 * drift + 200 * noise.Next();
                                        return nd_mw + drift + 200 * noise.Next();
                                      });
}

ml::XgboostParams SmallParams() {
  ml::XgboostParams params;
  params.num_rounds = 20;
  params.eta = 0.3;
  return params;
}

absl::StatusOr<DayAheadWalkForwardResult> WalkForward(const SyntheticData& data, absl::Time from,
                                                      absl::Time to, DayAheadCorrection correction,
                                                      const std::string& model_dir) {
  DayAheadWalkForwardConfig config;
  config.eval.model_dir = model_dir;
  config.eval.params = SmallParams();
  config.correction = correction;
  config.rolling_months = 1;
  return WalkForwardDayAhead(data.series, data.neso, from, to, config);
}

// Every row of `result` with a target in [first, end).
std::vector<DayAheadEvalRow> RowsIn(const DayAheadWalkForwardResult& result, absl::Time first,
                                    absl::Time end) {
  std::vector<DayAheadEvalRow> out;
  for (const DayAheadEvalRow& row : result.rows) {
    if (row.target_start >= first && row.target_start < end) out.push_back(row);
  }
  return out;
}

// 2022-10-30: 94 days before 2023-02-01, so 2023-02-01's vintage is late and its forecasts
// come from the refitted XGBoost fallback, not only from the NESO correction.
const absl::Time kStart = absl::FromUnixSeconds(1667088000);  // 2022-10-30T00:00Z

TEST(DayAheadWalkForwardTest, RefitAtAMonthStartIgnoresDataAfterItsCutoff) {
  ASSERT_EQ(base::FormatUtcTimestamp(kStart), "2022-10-30T00:00:00Z");
  const SyntheticData data = Synthetic(kStart, 123);
  const absl::Time from = Utc("2023-01-01T00:00:00Z");
  const absl::Time feb = Utc("2023-02-01T00:00:00Z");
  const absl::Time to = Utc("2023-03-01T00:00:00Z");
  const absl::Time cutoff = DayAheadCutoff(feb);  // the first issue time of February

  // Everything unknown at February's cut-off changes: outturn of the half-hours that had not
  // ended by it, and vintages published after it.
  std::vector<data::GridInterval> later = data.series.intervals();
  for (data::GridInterval& g : later) {
    if (g.start + base::kHalfHour > cutoff) g.net_load_mw = *g.net_load_mw * 1.2 + 1500;
  }
  SyntheticData changed_later{*data::GridSeries::Create(later), data.neso};
  for (data::DayAheadForecastRow& row : changed_later.neso) {
    if (row.published > cutoff) row.net_load_mw = *row.net_load_mw - 2500;
  }
  // A control: a change before the cut-off (mid-January outturn) must reach February.
  std::vector<data::GridInterval> earlier = data.series.intervals();
  for (data::GridInterval& g : earlier) {
    if (g.start >= Utc("2023-01-10T00:00:00Z") && g.start < Utc("2023-01-25T00:00:00Z")) {
      g.net_load_mw = *g.net_load_mw + 3000;
    }
  }
  const SyntheticData changed_earlier{*data::GridSeries::Create(earlier), data.neso};

  for (DayAheadCorrection correction : {DayAheadCorrection::kWholeWindow,
                                        DayAheadCorrection::kRolling, DayAheadCorrection::kGated}) {
    SCOPED_TRACE(DayAheadCorrectionName(correction));
    const std::string dir = ::testing::TempDir() + "/wf_" + DayAheadCorrectionName(correction);
    std::filesystem::remove_all(dir);
    absl::StatusOr<DayAheadWalkForwardResult> base =
        WalkForward(data, from, to, correction, dir + "/base");
    absl::StatusOr<DayAheadWalkForwardResult> after =
        WalkForward(changed_later, from, to, correction, dir + "/later");
    absl::StatusOr<DayAheadWalkForwardResult> control =
        WalkForward(changed_earlier, from, to, correction, dir + "/earlier");
    ASSERT_TRUE(base.ok()) << base.status();
    ASSERT_TRUE(after.ok()) << after.status();
    ASSERT_TRUE(control.ok()) << control.status();
    ASSERT_EQ(base->months.size(), 2u);
    EXPECT_EQ(base->months[1].training_end, Utc("2023-01-31T00:00:00Z"));

    // The fit at February's start: the same slopes and training window.
    EXPECT_EQ(after->months[1].betas, base->months[1].betas);
    EXPECT_EQ(after->months[1].training_days, base->months[1].training_days);
    // The forecasts issued at or before the cut-off (January and February 1st), with their
    // intervals; those issued later do see the change.
    const std::vector<DayAheadEvalRow> b = RowsIn(*base, from, feb + kDay);
    const std::vector<DayAheadEvalRow> a = RowsIn(*after, from, feb + kDay);
    ASSERT_EQ(a.size(), b.size());
    ASSERT_EQ(b.size(), 32u * 48);
    int fallback_rows = 0;
    for (size_t i = 0; i < b.size(); ++i) {
      ASSERT_EQ(a[i].target_start, b[i].target_start);
      ASSERT_LE(b[i].issue_time, cutoff);
      EXPECT_EQ(a[i].forecast_mw, b[i].forecast_mw) << base::FormatUtcTimestamp(b[i].target_start);
      EXPECT_EQ(a[i].lower_mw, b[i].lower_mw);
      EXPECT_EQ(a[i].upper_mw, b[i].upper_mw);
      if (b[i].target_start >= feb && !b[i].has_neso) ++fallback_rows;
    }
    EXPECT_EQ(fallback_rows, 48);  // February 1st came from the refitted XGBoost model
    const std::vector<DayAheadEvalRow> b_later = RowsIn(*base, feb + kDay, to);
    const std::vector<DayAheadEvalRow> a_later = RowsIn(*after, feb + kDay, to);
    ASSERT_EQ(a_later.size(), b_later.size());
    int differ_later = 0;
    for (size_t i = 0; i < b_later.size(); ++i) {
      if (a_later[i].forecast_mw != b_later[i].forecast_mw) ++differ_later;
    }
    EXPECT_GT(differ_later, 0);

    // The control: mid-January data is before the cut-off, and February 1st moves with it.
    const std::vector<DayAheadEvalRow> c = RowsIn(*control, feb, feb + kDay);
    const std::vector<DayAheadEvalRow> b_feb1 = RowsIn(*base, feb, feb + kDay);
    ASSERT_EQ(c.size(), b_feb1.size());
    int differ = 0;
    for (size_t i = 0; i < c.size(); ++i) {
      if (c[i].forecast_mw != b_feb1[i].forecast_mw) ++differ;
    }
    EXPECT_GT(differ, 0);
  }
}

TEST(DayAheadWalkForwardTest, MonthsAreScoredOnTheirOwnRows) {
  const SyntheticData data = Synthetic(kStart, 123);
  const std::string dir = ::testing::TempDir() + "/wf_months";
  std::filesystem::remove_all(dir);
  const absl::Time from = Utc("2023-01-16T00:00:00Z");
  const absl::Time to = Utc("2023-02-10T00:00:00Z");
  absl::StatusOr<DayAheadWalkForwardResult> result =
      WalkForward(data, from, to, DayAheadCorrection::kWholeWindow, dir);
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_EQ(result->months.size(), 2u);
  EXPECT_EQ(result->months[0].period.start, from);
  EXPECT_EQ(result->months[0].period.end, Utc("2023-02-01T00:00:00Z"));
  EXPECT_EQ(result->months[1].period.end, to);
  ASSERT_EQ(result->rows.size(), 25u * 48);
  // January's 16 days and February's 9, each scored alone; the total over all of them.
  EXPECT_EQ(result->months[0].metrics.rows_with_actual, 16 * 48);
  EXPECT_EQ(result->months[1].metrics.rows_with_actual, 9 * 48);
  EXPECT_EQ(result->total.rows_with_actual, 25 * 48);
  EXPECT_EQ(result->months[0].metrics.rows_compared + result->months[1].metrics.rows_compared,
            result->total.rows_compared);
  const std::vector<DayAheadEvalRow> jan = RowsIn(*result, from, Utc("2023-02-01T00:00:00Z"));
  const DayAheadMetrics by_hand = ScoreDayAhead(jan);
  EXPECT_EQ(result->months[0].metrics.model.mae_mw, by_hand.model.mae_mw);
  EXPECT_EQ(result->months[0].metrics.neso.mape_percent, by_hand.neso.mape_percent);
  EXPECT_GT(result->months[0].metrics.rows_compared, 0);
}

TEST(DayAheadWalkForwardTest, BadInputsAreErrors) {
  const SyntheticData data = Synthetic(kStart, 60);
  const std::string dir = ::testing::TempDir() + "/wf_errors";
  // Too few training days before the first period's training end.
  EXPECT_FALSE(WalkForward(data, Utc("2022-11-15T00:00:00Z"), Utc("2022-12-01T00:00:00Z"),
                           DayAheadCorrection::kWholeWindow, dir)
                   .ok());
  // Not UTC midnights; empty.
  EXPECT_FALSE(WalkForward(data, Utc("2022-12-15T12:00:00Z"), Utc("2022-12-20T00:00:00Z"),
                           DayAheadCorrection::kWholeWindow, dir)
                   .ok());
  EXPECT_FALSE(WalkForward(data, Utc("2022-12-20T00:00:00Z"), Utc("2022-12-20T00:00:00Z"),
                           DayAheadCorrection::kWholeWindow, dir)
                   .ok());
  EXPECT_FALSE(ParseDayAheadCorrection("shrink").ok());
  EXPECT_EQ(*ParseDayAheadCorrection("gated"), DayAheadCorrection::kGated);
}

// A hand-built training set: one row per day at `hour` UTC (lead `lead_hours`), with NESO's
// last known error `error(day)` and outturn - NESO = slope(day) x that error.
struct HandRow {
  double lead_hours;
  std::function<double(absl::Time)> slope;
};

models::DayAheadTrainingSet HandSet(absl::Time first_day, absl::Time end_day,
                                    const std::vector<HandRow>& kinds) {
  const std::vector<std::string>& names = DayAheadDemandFeatures::FeatureNames();
  auto col = [&](const std::string& name) {
    return static_cast<size_t>(std::find(names.begin(), names.end(), name) - names.begin());
  };
  const float nan = std::numeric_limits<float>::quiet_NaN();
  models::DayAheadTrainingSet set;
  set.cols = names.size();
  int i = 0;
  for (absl::Time day = first_day; day < end_day; day += kDay) {
    for (const HandRow& kind : kinds) {
      const double error = 100.0 + 15.0 * (i++ % 7);
      const double neso = 30000.0;
      std::vector<float> row(set.cols, nan);
      row[col("neso_lead_hours")] = static_cast<float>(kind.lead_hours);
      row[col("neso_error_last_known_mw")] = static_cast<float>(error);
      const absl::Time target = day + absl::Hours(12);
      set.features.insert(set.features.end(), row.begin(), row.end());
      set.neso_mw.push_back(static_cast<float>(neso));
      set.actuals_mw.push_back(static_cast<float>(neso + kind.slope(target) * error));
      set.seasonal_naive_mw.push_back(nan);
      set.target_starts.push_back(target);
    }
  }
  set.rows = set.actuals_mw.size();
  return set;
}

TEST(DayAheadCorrectionTest, RollingFitsOnlyTheLastMonths) {
  const absl::Time first = Utc("2022-10-01T00:00:00Z");
  const absl::Time dec = Utc("2022-12-01T00:00:00Z");
  const absl::Time end = Utc("2022-12-31T00:00:00Z");
  // Lead 12.25 h (band 2): slope 1 until December, 0.5 in December.
  const models::DayAheadTrainingSet set =
      HandSet(first, end, {{12.25, [&](absl::Time t) { return t < dec ? 1.0 : 0.5; }}});
  DayAheadWalkForwardConfig config;
  config.correction = DayAheadCorrection::kRolling;
  config.rolling_months = 1;
  absl::StatusOr<std::vector<double>> rolling = CorrectionBetas(set, first, end, config);
  ASSERT_TRUE(rolling.ok()) << rolling.status();
  EXPECT_NEAR((*rolling)[2], 0.5, 1e-6);  // December's rows only
  config.correction = DayAheadCorrection::kWholeWindow;
  absl::StatusOr<std::vector<double>> whole = CorrectionBetas(set, first, end, config);
  ASSERT_TRUE(whole.ok()) << whole.status();
  EXPECT_GT((*whole)[2], 0.8);
  EXPECT_LT((*whole)[2], 0.95);
  EXPECT_EQ((*whole)[0], 0.0);  // no rows in band 0
  config.rolling_months = 0;
  EXPECT_FALSE(CorrectionBetas(set, first, end, config).ok());
}

TEST(DayAheadCorrectionTest, GateKeepsOnlyBandsWhoseRecordBeatNeso) {
  const absl::Time first = Utc("2022-10-01T00:00:00Z");
  const absl::Time nov = Utc("2022-11-01T00:00:00Z");
  const absl::Time end = Utc("2022-12-31T00:00:00Z");
  // Band 0 (lead 3 h): outturn - NESO = +1 x NESO's last error throughout: the correction
  // is right every month. Band 2 (lead 12.25 h): +1 in October, -1 after: fitted on the
  // months before, it is wrong in November and December.
  const models::DayAheadTrainingSet set =
      HandSet(first, end, {{3.0, [](absl::Time) { return 1.0; }}, {12.25, [&](absl::Time t) {
                                                                     return t < nov ? 1.0 : -1.0;
                                                                   }}});
  const std::vector<BandRecord> record = NesoCorrectionRecord(set, first, end);
  ASSERT_EQ(record.size(), static_cast<size_t>(models::kNesoLeadBands));
  // November (30 days) and December up to the 31st (30 days) are scored; October is not
  // (nothing before it to fit on).
  EXPECT_EQ(record[0].rows, 60);
  EXPECT_EQ(record[2].rows, 60);
  EXPECT_EQ(record[1].rows, 0);
  EXPECT_NEAR(record[0].corrected_abs_error_sum_mw, 0.0, 1.0);
  EXPECT_GT(record[0].neso_abs_error_sum_mw, 60 * 100.0);
  EXPECT_GT(record[2].corrected_abs_error_sum_mw, record[2].neso_abs_error_sum_mw);

  DayAheadWalkForwardConfig config;
  config.correction = DayAheadCorrection::kGated;
  absl::StatusOr<std::vector<double>> gated = CorrectionBetas(set, first, end, config);
  config.correction = DayAheadCorrection::kWholeWindow;
  absl::StatusOr<std::vector<double>> whole = CorrectionBetas(set, first, end, config);
  ASSERT_TRUE(gated.ok() && whole.ok());
  EXPECT_NEAR((*gated)[0], 1.0, 1e-6);
  EXPECT_EQ((*gated)[0], (*whole)[0]);
  EXPECT_NE((*whole)[2], 0.0);
  EXPECT_EQ((*gated)[2], 0.0);  // its record lost to NESO: NESO's forecast unchanged
  EXPECT_EQ((*gated)[1], 0.0);  // no record at all
}

}  // namespace
}  // namespace gridpilot::forecast::eval
