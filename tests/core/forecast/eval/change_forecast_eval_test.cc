#include "core/forecast/eval/change_forecast_eval.h"

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <numbers>

#include "absl/time/time.h"
#include "core/base/time_util.h"
#include "gtest/gtest.h"
#include "tests/core/forecast/eval/synthetic_grid.h"

namespace gridpilot::forecast::eval {
namespace {

const absl::Time kFrom = absl::FromUnixSeconds(1672531200);  // 2023-01-01T00:00Z

// A daily cycle plus a weekday effect plus deterministic noise in [-4, 4] MW.
std::vector<data::GridMeasurement> Synthetic(absl::Time start, int days) {
  return synthetic::SyntheticMeasurements(start, days, 12345);
}

ChangeEvalConfig SmallConfig(const std::string& dir_name) {
  ChangeEvalConfig config;
  config.model_dir = ::testing::TempDir() + "/" + dir_name;
  std::filesystem::remove_all(config.model_dir);
  config.params.num_rounds = 20;
  config.params.nthread = 1;
  config.params.eta = 0.3;  // 20 rounds at the default 0.05 would stop far from the fit
  config.training_days = 40;
  return config;
}

TEST(ConformalQuantileTest, UsesTheFiniteSampleRank) {
  std::vector<double> values = {5, 3, 9, 1, 7, 2, 10, 4, 8, 6};
  EXPECT_DOUBLE_EQ(*ConformalQuantile(values, 0.9), 10.0);    // rank ceil(11 * 0.9) = 10
  EXPECT_DOUBLE_EQ(*ConformalQuantile(values, 0.5), 6.0);     // rank ceil(5.5) = 6
  EXPECT_DOUBLE_EQ(*ConformalQuantile({1, 2, 3}, 0.9), 3.0);  // rank 4 > n: the largest
  EXPECT_FALSE(ConformalQuantile({}, 0.9).ok());
  EXPECT_FALSE(ConformalQuantile({1.0}, 1.0).ok());
}

TEST(AbsChangeQuantileTest, SkipsPairsWithAMissingValue) {
  std::vector<data::GridMeasurement> m;
  const std::vector<std::optional<double>> net = {0.0, 10.0, 5.0, 5.0, std::nullopt, 20.0};
  for (size_t i = 0; i < net.size(); ++i)
    m.push_back({kFrom + i * base::kHalfHour, net[i], std::nullopt, std::nullopt, std::nullopt});
  // |changes| = {10, 5, 0}; the pairs around the missing value do not count.
  EXPECT_DOUBLE_EQ(*models::AbsChangeQuantile(m, 0.95), 10.0);
  EXPECT_DOUBLE_EQ(*models::AbsChangeQuantile(m, 0.5), 5.0);
  EXPECT_DOUBLE_EQ(*models::AbsChangeQuantile(m, 0.3), 0.0);
  EXPECT_FALSE(models::AbsChangeQuantile({m[4]}, 0.95).ok());
}

ChangeEvalRow Row(int h, double forecast, std::optional<double> actual,
                  std::optional<double> seasonal, double lower, double upper) {
  ChangeEvalRow row;
  row.horizon_intervals = h;
  row.forecast_mw = forecast;
  row.actual_change_mw = actual;
  row.seasonal_naive_mw = seasonal;
  row.lower_mw = lower;
  row.upper_mw = upper;
  return row;
}

TEST(ScoreHorizonTest, MetricsByHand) {
  const std::vector<ChangeEvalRow> rows = {
      Row(1, 2.0, 4.0, 1.0, 0.0, 3.0),        // errors: model 2, persistence 4, seasonal 3
      Row(1, -1.0, -2.0, -2.0, -3.0, 1.0),    // model 1, persistence 2, seasonal 0; covered
      Row(1, 50.0, 1.0, std::nullopt, 0, 0),  // no seasonal value: skipped for all
      Row(1, 50.0, std::nullopt, 1.0, 0, 0),  // no actual: skipped
      Row(2, 99.0, 0.0, 0.0, 0, 0),           // another horizon
  };
  const HorizonMetrics m = ScoreHorizon(rows, 1);
  EXPECT_EQ(m.rows, 2);
  EXPECT_EQ(m.rows_skipped, 2);
  EXPECT_DOUBLE_EQ(m.model_mae_mw, 1.5);
  EXPECT_DOUBLE_EQ(m.model_rmse_mw, std::sqrt(2.5));
  EXPECT_DOUBLE_EQ(m.persistence_mae_mw, 3.0);
  EXPECT_DOUBLE_EQ(m.persistence_rmse_mw, std::sqrt(10.0));
  EXPECT_DOUBLE_EQ(m.seasonal_mae_mw, 1.5);
  EXPECT_DOUBLE_EQ(m.seasonal_rmse_mw, std::sqrt(4.5));
  EXPECT_DOUBLE_EQ(m.mae_ratio_vs_best_baseline, 1.0);
  EXPECT_DOUBLE_EQ(m.coverage, 0.5);
  EXPECT_EQ(ScoreHorizon(rows, 3).rows, 0);
  EXPECT_TRUE(std::isnan(ScoreHorizon(rows, 3).model_mae_mw));
}

TEST(CountRampsTest, ContingencyTableAndCsi) {
  const std::vector<ChangeEvalRow> rows = {
      Row(1, 12, 15, {}, 0, 0),            // hit
      Row(1, 3, -11, {}, 0, 0),            // miss (sign does not matter)
      Row(1, -11, 2, {}, 0, 0),            // false alarm
      Row(1, 11, 10, {}, 0, 0),            // false alarm: 10 is not above the threshold
      Row(1, 2, 1, {}, 0, 0),              // correct negative
      Row(1, 20, std::nullopt, {}, 0, 0),  // no actual: not counted
      Row(2, 20, 20, {}, 0, 0),            // another horizon
  };
  const RampCounts c = CountRamps(rows, 1, 10.0);
  EXPECT_EQ(c.hits, 1);
  EXPECT_EQ(c.misses, 1);
  EXPECT_EQ(c.false_alarms, 2);
  EXPECT_DOUBLE_EQ(c.csi(), 0.25);
  EXPECT_TRUE(std::isnan(RampCounts{}.csi()));
}

TEST(CountRampAlarmsTest, AnAlarmIsAProbabilityAboveOneHalf) {
  auto with_probability = [](int horizon, std::optional<double> actual, std::optional<double> p) {
    ChangeEvalRow row = Row(horizon, 0, actual, {}, 0, 0);  // forecast 0: never a ramp
    row.ramp_probability = p;
    return row;
  };
  const std::vector<ChangeEvalRow> rows = {
      with_probability(1, 15, 0.9),            // hit
      with_probability(1, -12, 0.5),           // miss: 0.5 is not more likely than not
      with_probability(1, 3, 0.7),             // false alarm
      with_probability(1, 2, 0.1),             // correct negative
      with_probability(1, 15, std::nullopt),   // no alarm model: not counted
      with_probability(1, std::nullopt, 0.9),  // no actual: not counted
      with_probability(2, 15, 0.9),            // another horizon
  };
  const RampCounts c = CountRampAlarms(rows, 10.0);
  EXPECT_EQ(c.hits, 1);
  EXPECT_EQ(c.misses, 1);
  EXPECT_EQ(c.false_alarms, 1);
  EXPECT_EQ(CountRamps(rows, 1, 10.0).hits, 0);  // the regression never forecast one
}

TEST(ReplayChangeForecastsTest, RowsBaselinesAndActualsFollowTheSeries) {
  const std::vector<data::GridMeasurement> data = Synthetic(kFrom - absl::Hours(24 * 40), 42);
  std::vector<data::GridMeasurement> history;
  for (const data::GridMeasurement& m : data) {
    if (m.interval_start < kFrom) history.push_back(m);
  }
  ml::XgboostParams params;
  params.num_rounds = 20;
  absl::StatusOr<models::NetLoadChangeForecaster> model =
      models::NetLoadChangeForecaster::Train(history, {1, 2, 3, 4}, params);
  ASSERT_TRUE(model.ok()) << model.status();
  int skipped = -1;
  absl::StatusOr<std::vector<ChangeEvalRow>> rows =
      ReplayChangeForecasts(*model, data, kFrom, kFrom + absl::Hours(24), {1, 2, 3, 4}, &skipped);
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_EQ(rows->size(), 48u * 4);
  EXPECT_EQ(skipped, 0);
  const size_t i0 = 40 * 48;  // index of the interval starting at kFrom
  for (size_t r = 0; r < rows->size(); ++r) {
    const ChangeEvalRow& row = (*rows)[r];
    const int h = static_cast<int>(r % 4) + 1;
    const size_t issue = r / 4;  // issue time kFrom + issue * 30 min
    EXPECT_EQ(row.issue_time, kFrom + issue * base::kHalfHour);
    EXPECT_EQ(row.horizon_intervals, h);
    EXPECT_EQ(row.target_interval_start, row.issue_time + (h - 1) * base::kHalfHour);
    EXPECT_DOUBLE_EQ(row.upper_mw - row.forecast_mw, h);
    EXPECT_DOUBLE_EQ(row.forecast_mw - row.lower_mw, h);
    const size_t last = i0 + issue - 1, target = i0 + issue + h - 1;
    EXPECT_DOUBLE_EQ(*row.actual_change_mw, *data[target].net_load_mw - *data[last].net_load_mw);
    EXPECT_DOUBLE_EQ(*row.seasonal_naive_mw,
                     *data[target - 336].net_load_mw - *data[last - 336].net_load_mw);
  }
  // Past the end of the data the actual is unknown but the forecast is still issued.
  std::vector<data::GridMeasurement> short_data(data.begin(), data.begin() + i0 + 48);
  rows = ReplayChangeForecasts(*model, short_data, kFrom, kFrom + absl::Hours(24), {0, 0, 0, 0});
  ASSERT_TRUE(rows.ok());
  EXPECT_FALSE(rows->back().actual_change_mw.has_value());  // target after the data
  EXPECT_FALSE(ReplayChangeForecasts(*model, data, kFrom, kFrom + base::kHalfHour, {1.0}).ok());
}

TEST(ReplayChangeForecastsTest, MissingLastNetLoadSkipsTheIssueTime) {
  std::vector<data::GridMeasurement> data = Synthetic(kFrom - absl::Hours(24 * 40), 41);
  std::vector<data::GridMeasurement> history(data.begin(), data.begin() + 40 * 48);
  ml::XgboostParams params;
  params.num_rounds = 5;
  absl::StatusOr<models::NetLoadChangeForecaster> model =
      models::NetLoadChangeForecaster::Train(history, {1}, params);
  ASSERT_TRUE(model.ok());
  data[40 * 48 + 3].net_load_mw = std::nullopt;  // the interval before issue kFrom + 2 h
  int skipped = 0;
  absl::StatusOr<std::vector<ChangeEvalRow>> rows =
      ReplayChangeForecasts(*model, data, kFrom, kFrom + absl::Hours(24), {0}, &skipped);
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(skipped, 1);
  EXPECT_EQ(rows->size(), 47u);
  for (const ChangeEvalRow& row : *rows) EXPECT_NE(row.issue_time, kFrom + absl::Hours(2));
}

TEST(EvaluateChangeForecastsTest, EndToEndOnASyntheticSeries) {
  const std::vector<data::GridMeasurement> data = Synthetic(kFrom - absl::Hours(24 * 40), 48);
  const ChangeEvalConfig config = SmallConfig("eval_e2e");
  absl::StatusOr<ChangeEvalResult> result =
      EvaluateChangeForecasts(data, kFrom, kFrom + absl::Hours(24 * 7), config);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->rows.size(), 7u * 48 * 8);  // horizons 30 min to 4 h
  EXPECT_EQ(result->training_intervals, 40 * 48);
  ASSERT_EQ(result->metrics.size(), 8u);
  ASSERT_EQ(result->half_widths_mw.size(), 8u);
  EXPECT_GT(result->calibration_rows, 370);  // 8 days held out, less the last targets
  for (const HorizonMetrics& m : result->metrics) {
    EXPECT_EQ(m.rows, 7 * 48) << m.horizon_intervals;  // data runs a day past the window
    // The series is a strong daily cycle: the model must beat both baselines clearly.
    EXPECT_LT(m.mae_ratio_vs_best_baseline, 0.8) << m.horizon_intervals;
    // Exchangeable noise: the conformal interval covers near its nominal 90%.
    EXPECT_GT(m.coverage, 0.8) << m.horizon_intervals;
    EXPECT_LT(m.coverage, 0.98) << m.horizon_intervals;
  }
  // Noise of +-4 MW on changes of up to ~10 MW per half-hour: the 95th percentile of
  // |change| lies between the deterministic maximum minus and plus the noise.
  EXPECT_GT(result->ramp_threshold_mw, 6.0);
  EXPECT_LT(result->ramp_threshold_mw, 20.0);
  const RampCounts& ramps = result->ramps;
  EXPECT_EQ(ramps.hits + ramps.misses + ramps.false_alarms > 0, true);

  // Too little data before the window.
  EXPECT_EQ(EvaluateChangeForecasts(data, kFrom - absl::Hours(24), kFrom + absl::Hours(24), config)
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_FALSE(EvaluateChangeForecasts(data, kFrom, kFrom, config).ok());
}

TEST(EvaluateChangeForecastsTest, NoLookAhead) {
  const std::vector<data::GridMeasurement> data = Synthetic(kFrom - absl::Hours(24 * 40), 45);
  const absl::Time cut = kFrom + absl::Hours(24 * 2) + absl::Hours(7);  // T
  std::vector<data::GridMeasurement> changed = data;
  for (data::GridMeasurement& m : changed) {
    if (m.interval_start >= cut) {  // intervals ending after T
      m.net_load_mw = *m.net_load_mw * 1.7 + 40.0;
      m.embedded_wind_mw = 90.0;
    }
  }
  const ChangeEvalConfig config = SmallConfig("eval_lookahead");
  const absl::Time to = kFrom + absl::Hours(24 * 4);
  absl::StatusOr<ChangeEvalResult> a = EvaluateChangeForecasts(data, kFrom, to, config);
  absl::StatusOr<ChangeEvalResult> b = EvaluateChangeForecasts(changed, kFrom, to, config);
  ASSERT_TRUE(a.ok()) << a.status();
  ASSERT_TRUE(b.ok()) << b.status();
  ASSERT_EQ(a->rows.size(), b->rows.size());
  int unchanged = 0, differ_after = 0;
  for (size_t i = 0; i < a->rows.size(); ++i) {
    const ChangeEvalRow& x = a->rows[i];
    const ChangeEvalRow& y = b->rows[i];
    ASSERT_EQ(x.issue_time, y.issue_time);
    if (x.issue_time <= cut) {  // issued at T or earlier: saw only intervals ended by T
      EXPECT_EQ(x.forecast_mw, y.forecast_mw) << base::FormatUtcTimestamp(x.issue_time);
      EXPECT_EQ(x.lower_mw, y.lower_mw);
      EXPECT_EQ(x.upper_mw, y.upper_mw);
      EXPECT_EQ(x.seasonal_naive_mw, y.seasonal_naive_mw);
      ++unchanged;
    } else if (x.forecast_mw != y.forecast_mw) {
      ++differ_after;
    }
  }
  EXPECT_EQ(unchanged, (2 * 48 + 14 + 1) * 8);
  EXPECT_GT(differ_after, 0);  // the change is visible once it is in the past
}

}  // namespace
}  // namespace gridpilot::forecast::eval
