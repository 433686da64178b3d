// DayAheadBook: the served day-ahead demand forecast is the evaluation's (the same model,
// widths and ForecastDayAheadDays) on what the process received by each cut-off: issued at
// each UTC midnight tick, from intervals and vintages fed online, equal to the offline
// forecast on the whole series; and Get's errors.
#include "services/forecast/day_ahead_book.h"

#include <cmath>
#include <filesystem>
#include <random>
#include <vector>

#include "core/base/time_util.h"
#include "core/forecast/day_ahead_demand_features.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace gridpilot {
namespace {

using ::testing::HasSubstr;

const absl::Time kStart = *base::ParseUtcTimestamp("2023-01-02T00:00:00Z");
constexpr absl::Duration kDay = absl::Hours(24);
constexpr int kTrainingDays = 60;
constexpr int kDays = kTrainingDays + 4;

// Region demand: a daily cycle, a weekly one and noise; the operator's forecast of each
// day, published at 23:45 the day before, is the demand plus its own error.
struct Data {
  std::vector<data::GridMeasurement> measurements;
  std::vector<data::DayAheadForecastRow> vintages;
};

Data MakeData() {
  std::mt19937 rng(5);
  std::normal_distribution<double> noise(0.0, 3.0), operator_error(0.0, 5.0);
  Data d;
  for (int i = 0; i < kDays * 48; ++i) {
    const absl::Time start = kStart + i * base::kHalfHour;
    const double day = 2 * 3.14159265358979 * (i % 48) / 48.0;
    const double demand =
        300 - 80 * std::cos(day) + 20 * std::sin(2 * 3.14159265358979 * i / 336.0) + noise(rng);
    d.measurements.push_back({start, demand, 5.0, 10.0, 60.0});
    const absl::Time midnight = kStart + (i / 48) * kDay;
    d.vintages.push_back({start, midnight - absl::Minutes(15), demand + operator_error(rng)});
  }
  return d;
}

data::GridSeries SeriesOf(const std::vector<data::GridMeasurement>& ms) {
  std::vector<data::GridInterval> intervals;
  for (const data::GridMeasurement& m : ms) {
    intervals.push_back({m.interval_start, m.net_load_mw, m.embedded_solar_mw, m.embedded_wind_mw,
                         m.price_gbp_per_mwh});
  }
  return *data::GridSeries::Create(std::move(intervals));
}

TEST(DayAheadBookTest, ServesTheEvaluationsForecastFromWhatArrivedByTheCutOff) {
  const Data data = MakeData();
  const absl::Time first_served = kStart + kTrainingDays * kDay;
  const std::vector<data::GridMeasurement> history(data.measurements.begin(),
                                                   data.measurements.begin() + kTrainingDays * 48);
  std::vector<data::DayAheadForecastRow> known, later;
  for (const data::DayAheadForecastRow& v : data.vintages) {
    (v.published < first_served ? known : later).push_back(v);
  }
  forecast::eval::DayAheadEvalConfig config;
  config.model_dir =
      (std::filesystem::path(::testing::TempDir()) / "day_ahead_book_models").string();
  config.params.num_rounds = 30;
  config.params.nthread = 1;
  absl::StatusOr<forecast::eval::TrainedDayAheadDemand> trained =
      forecast::eval::TrainDayAheadDemand(SeriesOf(history), known, first_served, config);
  ASSERT_TRUE(trained.ok()) << trained.status();

  DayAheadBook book(*trained, history, known);
  EXPECT_THAT(book.Get(first_served).status().message(), HasSubstr("none issued yet"));
  // Online: each interval after the history, as a tick at its end brings it, with the
  // vintages published since the previous tick.
  size_t next_vintage = 0;
  for (size_t i = history.size(); i < data.measurements.size(); ++i) {
    const absl::Time tick = data.measurements[i].interval_start + base::kHalfHour;
    std::vector<data::DayAheadForecastRow> published;
    while (next_vintage < later.size() && later[next_vintage].published < tick) {
      published.push_back(later[next_vintage++]);
    }
    book.AddDayAheadForecasts(published);
    ASSERT_TRUE(book.Ingest(data.measurements[i]).ok()) << i;
  }

  // Offline: the evaluation's forecast on the whole series and every vintage.
  const data::GridSeries all = SeriesOf(data.measurements);
  const forecast::DayAheadDemandFeatures features(&all, &data.vintages);
  for (int d = 1; d < 4; ++d) {
    const absl::Time day = first_served + d * kDay;
    SCOPED_TRACE(base::FormatUtcTimestamp(day));
    absl::StatusOr<std::vector<forecast::eval::DayAheadEvalRow>> served = book.Get(day);
    ASSERT_TRUE(served.ok()) << served.status();
    absl::StatusOr<std::vector<forecast::eval::DayAheadEvalRow>> offline =
        forecast::eval::ForecastDayAheadDays(trained->forecaster, features, day, day + kDay,
                                             trained->half_widths);
    ASSERT_TRUE(offline.ok()) << offline.status();
    ASSERT_EQ(served->size(), 48u);
    ASSERT_EQ(offline->size(), 48u);
    for (size_t k = 0; k < 48; ++k) {
      EXPECT_EQ((*served)[k].target_start, day + k * base::kHalfHour);
      EXPECT_EQ((*served)[k].issue_time, forecast::DayAheadCutoff(day));
      // To the bit, although the book keeps only DayAheadBook::kOutturnKept of outturn.
      EXPECT_EQ((*served)[k].forecast_mw, (*offline)[k].forecast_mw) << k;
      EXPECT_EQ((*served)[k].upper_mw, (*offline)[k].upper_mw) << k;
      EXPECT_EQ((*served)[k].persistence_mw, (*offline)[k].persistence_mw) << k;
      EXPECT_EQ((*served)[k].seasonal_naive_mw, (*offline)[k].seasonal_naive_mw) << k;
      EXPECT_TRUE((*served)[k].has_neso);
    }
  }
  // Later data never reaches an issued day: the last day was issued before its own data.
  EXPECT_FALSE((*book.Get(first_served + 3 * kDay))[0].actual_mw.has_value());

  EXPECT_EQ(book.Ingest(data.measurements[5]).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(book.Get(first_served + 9 * kDay).status().message(), HasSubstr("kept: "));
}

}  // namespace
}  // namespace gridpilot
