// ForecastPipeline: ticks in, books out. Each interval tick gives every book its interval
// (a forecast, a verdict and a price forecast per decision time, a day-ahead forecast per
// midnight); ticks between intervals add nothing; vintages on a tick reach the day-ahead
// forecast issued on that same tick; the one-step check compares a reading with the
// forecast book's 30-min forecast of it; a repeated tick is refused and counted by every book;
// and no look-ahead: ticks after t, however changed, leave every output issued by t as it
// was. Real (small) models trained on a synthetic daily cycle.
#include "services/forecast/forecast_pipeline.h"

#include <cmath>
#include <filesystem>
#include <memory>
#include <numbers>
#include <random>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/base/time_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "prometheus/registry.h"
#include "services/common/proto_time.h"

namespace gridpilot {
namespace {

using ::testing::HasSubstr;

constexpr absl::Duration kDay = absl::Hours(24);
constexpr int kHistoryDays = 40;
constexpr int kReplayTicks = 3 * 48 + 1;  // three days and the fourth day's midnight
const absl::Time kSeriesStart = *base::ParseUtcTimestamp("2023-01-02T00:00:00Z");
const absl::Time kReplayStart = kSeriesStart + kHistoryDays * kDay;
constexpr double kOneStepMultiple = 4.0;

// Region net load, solar, wind and price on a daily cycle with noise; the operator's
// vintage for each day is published at 23:45 the day before.
struct Data {
  std::vector<data::GridMeasurement> measurements;  // from kSeriesStart, every half-hour
  std::vector<data::DayAheadForecastRow> vintages;
};

Data MakeData() {
  std::mt19937 rng(7);
  std::normal_distribution<double> noise(0.0, 2.0), operator_error(0.0, 5.0);
  Data d;
  const int n = (kHistoryDays + 4) * 48;
  for (int i = 0; i < n; ++i) {
    const absl::Time start = kSeriesStart + i * base::kHalfHour;
    const double angle = 2.0 * std::numbers::pi * (i % 48) / 48.0;
    const double net_load = 300.0 - 80.0 * std::cos(angle) + noise(rng);
    d.measurements.push_back(
        {start, net_load, 10.0, 20.0, 60.0 + 25.0 * std::sin(angle) + noise(rng)});
    const absl::Time midnight = kSeriesStart + (i / 48) * kDay;
    d.vintages.push_back({start, midnight - absl::Minutes(15), net_load + operator_error(rng)});
  }
  return d;
}

// Tick k of the replay, at kReplayStart + k half-hours: it measures the interval just
// ended and brings the vintages published in the half-hour before it.
v1::Tick IntervalTick(const Data& d, int k) {
  const absl::Time time = kReplayStart + k * base::kHalfHour;
  const data::GridMeasurement& m = d.measurements[kHistoryDays * 48 - 1 + k];
  v1::Tick tick;
  tick.set_sequence(k);
  *tick.mutable_time() = ToProtoTime(time);
  *tick.mutable_measured_interval_start() = ToProtoTime(m.interval_start);
  tick.set_net_load_mw(*m.net_load_mw);
  tick.set_embedded_solar_mw(*m.embedded_solar_mw);
  tick.set_embedded_wind_mw(*m.embedded_wind_mw);
  tick.set_price_gbp_per_mwh(*m.price_gbp_per_mwh);
  tick.set_interval_boundary(true);
  for (const data::DayAheadForecastRow& v : d.vintages) {
    if (v.published >= time - base::kHalfHour && v.published < time) {
      v1::DayAheadDemandForecast* f = tick.add_day_ahead_forecasts();
      *f->mutable_target_start() = ToProtoTime(v.target_start);
      *f->mutable_published() = ToProtoTime(v.published);
      f->set_demand_mw(*v.net_load_mw);
    }
  }
  return tick;
}

// A tick between intervals, as the live simulator sends: the interval fields repeat.
v1::Tick BetweenTick(const v1::Tick& interval_tick) {
  v1::Tick tick = interval_tick;
  *tick.mutable_time() = ToProtoTime(FromProtoTime(interval_tick.time()) + absl::Minutes(10));
  tick.set_interval_boundary(false);
  tick.clear_day_ahead_forecasts();
  return tick;
}

double IngestErrors(prometheus::Registry& registry, const std::string& stage) {
  for (const prometheus::MetricFamily& family : registry.Collect()) {
    if (family.name != "gridpilot_ingest_errors_total") continue;
    for (const prometheus::ClientMetric& metric : family.metric) {
      for (const prometheus::ClientMetric::Label& label : metric.label) {
        if (label.name == "stage" && label.value == stage) return metric.counter.value;
      }
    }
  }
  return 0.0;
}

// The gauge `name` with horizon_minutes = `minutes`; NaN if there is none.
double HorizonGauge(prometheus::Registry& registry, const std::string& name,
                    const std::string& minutes) {
  for (const prometheus::MetricFamily& family : registry.Collect()) {
    if (family.name != name) continue;
    for (const prometheus::ClientMetric& metric : family.metric) {
      for (const prometheus::ClientMetric::Label& label : metric.label) {
        if (label.name == "horizon_minutes" && label.value == minutes) return metric.gauge.value;
      }
    }
  }
  return std::nan("");
}

// Equal element by element, a missing (NaN) feature equal to a missing one.
bool SameValues(const std::vector<float>& a, const std::vector<float>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (!(a[i] == b[i] || (std::isnan(a[i]) && std::isnan(b[i])))) return false;
  }
  return true;
}

// Fresh books, metrics and a pipeline over them, as main.cc sets them up.
struct Stack {
  prometheus::Registry registry;
  ForecastMetrics metrics{&registry};
  std::unique_ptr<AnomalyBook> anomalies;
  std::unique_ptr<ForecastBook> forecasts;
  PriceBook prices;
  std::unique_ptr<DayAheadBook> day_ahead;
  AdviceBook advice;
  std::unique_ptr<ForecastPipeline> pipeline;
};

class ForecastPipelineTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    data_ = new Data(MakeData());
    history_ = new std::vector<data::GridMeasurement>(
        data_->measurements.begin(), data_->measurements.begin() + kHistoryDays * 48 - 1);
    known_ = new std::vector<data::DayAheadForecastRow>();
    for (const data::DayAheadForecastRow& v : data_->vintages) {
      if (v.published < kReplayStart) known_->push_back(v);
    }
    ml::XgboostParams params;
    params.num_rounds = 20;
    params.nthread = 1;
    absl::StatusOr<forecast::models::NetLoadChangeForecaster> forecaster =
        forecast::models::NetLoadChangeForecaster::Train(*history_, {1, 2}, params, *known_);
    ASSERT_TRUE(forecaster.ok()) << forecaster.status();
    forecaster_ = new forecast::models::NetLoadChangeForecaster(*std::move(forecaster));
    absl::StatusOr<anomaly::SeriesAnomalyDetector> detector =
        FitNetLoadAnomalyDetector(*history_, anomaly::SeriesAnomalyOptions{});
    ASSERT_TRUE(detector.ok()) << detector.status();
    detector_ = new anomaly::SeriesAnomalyDetector(*std::move(detector));
    forecast::eval::DayAheadEvalConfig config;
    config.model_dir =
        (std::filesystem::path(::testing::TempDir()) / "forecast_pipeline_models").string();
    config.params.num_rounds = 30;
    config.params.nthread = 1;
    absl::StatusOr<std::unique_ptr<DayAheadBook>> day_ahead =
        DayAheadBook::Train(*history_, *known_, kReplayStart, config);
    ASSERT_TRUE(day_ahead.ok()) << day_ahead.status();
    day_ahead_ = new forecast::eval::TrainedDayAheadDemand((*day_ahead)->trained());
  }
  static void TearDownTestSuite() {
    delete day_ahead_;
    delete detector_;
    delete forecaster_;
    delete known_;
    delete history_;
    delete data_;
  }

  static std::unique_ptr<Stack> MakeStack() {
    auto stack = std::make_unique<Stack>();
    stack->anomalies = std::make_unique<AnomalyBook>(*detector_, *history_, kOneStepMultiple);
    stack->forecasts = std::make_unique<ForecastBook>(*forecaster_, *history_, *known_);
    for (const data::GridMeasurement& m : *history_) {
      EXPECT_TRUE(stack->prices.Ingest(m.interval_start, m.price_gbp_per_mwh).ok());
      EXPECT_TRUE(stack->advice.Ingest(m).ok());
    }
    stack->day_ahead = std::make_unique<DayAheadBook>(*day_ahead_, *history_, *known_);
    stack->pipeline = std::make_unique<ForecastPipeline>(
        ForecastBooks{stack->anomalies.get(), stack->forecasts.get(), &stack->prices,
                      stack->day_ahead.get(), &stack->advice},
        &stack->metrics);
    return stack;
  }

  static Data* data_;
  static std::vector<data::GridMeasurement>* history_;
  static std::vector<data::DayAheadForecastRow>* known_;
  static forecast::models::NetLoadChangeForecaster* forecaster_;
  static anomaly::SeriesAnomalyDetector* detector_;
  static forecast::eval::TrainedDayAheadDemand* day_ahead_;
};

Data* ForecastPipelineTest::data_ = nullptr;
std::vector<data::GridMeasurement>* ForecastPipelineTest::history_ = nullptr;
std::vector<data::DayAheadForecastRow>* ForecastPipelineTest::known_ = nullptr;
forecast::models::NetLoadChangeForecaster* ForecastPipelineTest::forecaster_ = nullptr;
anomaly::SeriesAnomalyDetector* ForecastPipelineTest::detector_ = nullptr;
forecast::eval::TrainedDayAheadDemand* ForecastPipelineTest::day_ahead_ = nullptr;

TEST_F(ForecastPipelineTest, EachIntervalTickFillsEveryBookAndTicksBetweenAddNothing) {
  std::unique_ptr<Stack> stack = MakeStack();
  for (int k = 0; k < kReplayTicks; ++k) {
    const v1::Tick tick = IntervalTick(*data_, k);
    stack->pipeline->OnTick(tick);
    stack->pipeline->OnTick(BetweenTick(tick));
  }
  for (const char* stage : {"anomaly", "forecast", "price", "day_ahead", "advice"}) {
    EXPECT_EQ(IngestErrors(stack->registry, stage), 0.0) << stage;
  }
  EXPECT_EQ(stack->anomalies->intervals_scored(), kReplayTicks);
  for (int k = 0; k < kReplayTicks; ++k) {
    SCOPED_TRACE(k);
    const v1::Tick tick = IntervalTick(*data_, k);
    const absl::Time t = FromProtoTime(tick.time());
    const absl::Time measured = FromProtoTime(tick.measured_interval_start());
    absl::StatusOr<IssuedForecast> forecast = stack->forecasts->Get(t, absl::ZeroDuration());
    ASSERT_TRUE(forecast.ok()) << forecast.status();
    EXPECT_EQ(forecast->issue_time, t);
    EXPECT_EQ(forecast->last_net_load_mw, tick.net_load_mw());
    EXPECT_EQ(forecast->forecasts.size(), 2u);
    absl::StatusOr<IntervalVerdict> verdict = stack->anomalies->Get(measured, absl::ZeroDuration());
    ASSERT_TRUE(verdict.ok()) << verdict.status();
    EXPECT_EQ(verdict->reading.value, tick.net_load_mw());
    // The price book keeps its newest issued_kept() forecasts.
    if (k >= kReplayTicks - static_cast<int>(stack->prices.issued_kept())) {
      absl::StatusOr<IssuedPriceForecast> prices = stack->prices.Get(t);
      ASSERT_TRUE(prices.ok()) << prices.status();
      EXPECT_EQ(prices->price_gbp_per_mwh.size(),
                static_cast<size_t>(stack->prices.horizon_intervals()));
    }
    EXPECT_FALSE(stack->forecasts->Get(t + absl::Minutes(10), absl::ZeroDuration()).ok());
  }
  EXPECT_EQ(stack->forecasts->LatestIssueTime(),
            kReplayStart + (kReplayTicks - 1) * base::kHalfHour);
  // The advice book holds every measured interval: tomorrow's advice reads up to the last.
  advice::AdviceOptions region;
  region.unit = advice::PowerUnit::kMegawatt;
  absl::StatusOr<BookAdvice> advised = stack->advice.Advise(std::nullopt, region);
  ASSERT_TRUE(advised.ok()) << advised.status();
  EXPECT_EQ(advised->data_until,
            FromProtoTime(IntervalTick(*data_, kReplayTicks - 1).measured_interval_start()));
  for (int day = 0; day <= 3; ++day) {
    const absl::Time midnight = kReplayStart + day * kDay;
    SCOPED_TRACE(base::FormatUtcTimestamp(midnight));
    absl::StatusOr<std::vector<forecast::eval::DayAheadEvalRow>> rows =
        stack->day_ahead->Get(midnight);
    ASSERT_TRUE(rows.ok()) << rows.status();
    ASSERT_EQ(rows->size(), 48u);
    EXPECT_EQ(rows->front().issue_time, midnight - absl::Minutes(15));
  }
}

TEST_F(ForecastPipelineTest, HorizonGaugesHoldTheNewestIssuedForecast) {
  std::unique_ptr<Stack> stack = MakeStack();
  for (int k = 0; k < kReplayTicks; ++k) {
    const v1::Tick tick = IntervalTick(*data_, k);
    stack->pipeline->OnTick(tick);
    absl::StatusOr<IssuedForecast> issued =
        stack->forecasts->Get(FromProtoTime(tick.time()), absl::ZeroDuration());
    ASSERT_TRUE(issued.ok()) << issued.status();
    for (const forecast::models::ChangeForecast& f : issued->forecasts) {
      const std::string minutes = absl::StrCat(30 * f.horizon_intervals);
      SCOPED_TRACE(absl::StrCat("tick ", k, ", horizon ", minutes, " min"));
      EXPECT_EQ(HorizonGauge(stack->registry, "gridpilot_forecast_change_mw", minutes),
                f.change_mw);
      EXPECT_EQ(HorizonGauge(stack->registry, "gridpilot_forecast_net_load_mw", minutes),
                issued->last_net_load_mw + f.change_mw);
    }
  }
}

TEST_F(ForecastPipelineTest, AVintageOnATickReachesTheDayAheadForecastIssuedOnIt) {
  // Day 1's vintage, published at 23:45, comes on the midnight tick that issues day 1.
  std::unique_ptr<Stack> stack = MakeStack();
  for (int k = 0; k <= 48; ++k) stack->pipeline->OnTick(IntervalTick(*data_, k));
  const absl::Time day = kReplayStart + kDay;
  absl::StatusOr<std::vector<forecast::eval::DayAheadEvalRow>> rows = stack->day_ahead->Get(day);
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_EQ(rows->size(), 48u);
  for (const forecast::eval::DayAheadEvalRow& row : *rows) {
    SCOPED_TRACE(base::FormatUtcTimestamp(row.target_start));
    ASSERT_TRUE(row.has_neso);
    const size_t i = static_cast<size_t>((row.target_start - kSeriesStart) / base::kHalfHour);
    EXPECT_EQ(row.neso_mw, data_->vintages[i].net_load_mw);
  }
}

TEST_F(ForecastPipelineTest, TheOneStepCheckUsesTheForecastOfTheReading) {
  std::unique_ptr<Stack> stack = MakeStack();
  constexpr int kFaked = 40;  // by now horizon 1 has an interval
  for (int k = 0; k < kFaked; ++k) stack->pipeline->OnTick(IntervalTick(*data_, k));
  v1::Tick faked = IntervalTick(*data_, kFaked);
  const absl::Time measured = FromProtoTime(faked.measured_interval_start());
  absl::StatusOr<IssuedForecast> before = stack->forecasts->Get(measured, absl::ZeroDuration());
  ASSERT_TRUE(before.ok()) << before.status();
  ASSERT_TRUE(before->half_width_mw[0].has_value());
  const double expected_mw = before->last_net_load_mw + before->forecasts[0].change_mw;
  faked.set_net_load_mw(expected_mw + 2 * kOneStepMultiple * *before->half_width_mw[0]);
  stack->pipeline->OnTick(faked);

  absl::StatusOr<IntervalVerdict> verdict = stack->anomalies->Get(measured, absl::ZeroDuration());
  ASSERT_TRUE(verdict.ok()) << verdict.status();
  EXPECT_TRUE(verdict->reading.suspect);
  EXPECT_THAT(
      verdict->reading.label.cause,
      HasSubstr(absl::StrFormat("off the 30-min forecast %.6g made before it", expected_mw)));
  // The suspect reading is still the forecasts' base: the pipeline does not hold it back.
  absl::StatusOr<IssuedForecast> after =
      stack->forecasts->Get(FromProtoTime(faked.time()), absl::ZeroDuration());
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_EQ(after->last_net_load_mw, faked.net_load_mw());
}

TEST_F(ForecastPipelineTest, ARepeatedTickIsRefusedCountedPerBookAndChangesNoOutput) {
  std::unique_ptr<Stack> stack = MakeStack();
  for (int k = 0; k < 10; ++k) stack->pipeline->OnTick(IntervalTick(*data_, k));
  const absl::Time t = kReplayStart + 9 * base::kHalfHour;
  absl::StatusOr<IssuedForecast> first = stack->forecasts->Get(t, absl::ZeroDuration());
  ASSERT_TRUE(first.ok()) << first.status();
  v1::Tick repeated = IntervalTick(*data_, 9);
  repeated.set_net_load_mw(repeated.net_load_mw() + 50.0);
  stack->pipeline->OnTick(repeated);
  for (const char* stage : {"anomaly", "forecast", "price", "day_ahead"}) {
    EXPECT_EQ(IngestErrors(stack->registry, stage), 1.0) << stage;
  }
  EXPECT_EQ(stack->anomalies->intervals_scored(), 10);
  absl::StatusOr<IssuedForecast> again = stack->forecasts->Get(t, absl::ZeroDuration());
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->last_net_load_mw, first->last_net_load_mw);
  // The next tick goes in as if the repeat had not come.
  stack->pipeline->OnTick(IntervalTick(*data_, 10));
  EXPECT_TRUE(stack->forecasts->Get(t + base::kHalfHour, absl::ZeroDuration()).ok());
  EXPECT_EQ(IngestErrors(stack->registry, "forecast"), 1.0);
}

TEST_F(ForecastPipelineTest, TicksAfterTLeaveEveryOutputIssuedByTUnchanged) {
  constexpr int kCut = 100;  // the last tick both stacks share
  std::unique_ptr<Stack> same = MakeStack();
  std::unique_ptr<Stack> changed = MakeStack();
  for (int k = 0; k < kReplayTicks; ++k) {
    const v1::Tick tick = IntervalTick(*data_, k);
    same->pipeline->OnTick(tick);
    if (k <= kCut) {
      changed->pipeline->OnTick(tick);
      continue;
    }
    // After t: other net load (a fake ramp), prices and vintages.
    v1::Tick other = tick;
    other.set_net_load_mw(tick.net_load_mw() + 5.0 * (k - kCut));
    other.set_price_gbp_per_mwh(3.0 * tick.price_gbp_per_mwh() + 40.0);
    for (v1::DayAheadDemandForecast& f : *other.mutable_day_ahead_forecasts()) {
      f.set_demand_mw(f.demand_mw() + 150.0);
    }
    changed->pipeline->OnTick(other);
  }

  int prices_compared = 0;
  for (int k = 0; k <= kCut; ++k) {
    SCOPED_TRACE(k);
    const absl::Time t = kReplayStart + k * base::kHalfHour;
    absl::StatusOr<IssuedForecast> a = same->forecasts->Get(t, absl::ZeroDuration());
    absl::StatusOr<IssuedForecast> b = changed->forecasts->Get(t, absl::ZeroDuration());
    ASSERT_TRUE(a.ok() && b.ok()) << a.status() << " " << b.status();
    EXPECT_EQ(a->last_net_load_mw, b->last_net_load_mw);
    EXPECT_TRUE(SameValues(a->features, b->features));
    EXPECT_EQ(a->half_width_mw, b->half_width_mw);
    for (size_t h = 0; h < a->forecasts.size(); ++h) {
      EXPECT_EQ(a->forecasts[h].change_mw, b->forecasts[h].change_mw) << h;
    }
    absl::StatusOr<IntervalVerdict> va =
        same->anomalies->Get(t - base::kHalfHour, absl::ZeroDuration());
    absl::StatusOr<IntervalVerdict> vb =
        changed->anomalies->Get(t - base::kHalfHour, absl::ZeroDuration());
    ASSERT_TRUE(va.ok() && vb.ok()) << va.status() << " " << vb.status();
    EXPECT_EQ(va->reading.value, vb->reading.value);
    EXPECT_EQ(va->reading.score, vb->reading.score);
    EXPECT_EQ(va->reading.suspect, vb->reading.suspect);
    EXPECT_EQ(va->reading.label.cause, vb->reading.label.cause);
    absl::StatusOr<IssuedPriceForecast> pa = same->prices.Get(t);
    if (!pa.ok()) continue;  // no longer kept
    absl::StatusOr<IssuedPriceForecast> pb = changed->prices.Get(t);
    ASSERT_TRUE(pb.ok()) << pb.status();
    EXPECT_EQ(pa->price_gbp_per_mwh, pb->price_gbp_per_mwh);
    EXPECT_EQ(pa->half_width_gbp, pb->half_width_gbp);
    ++prices_compared;
  }
  EXPECT_GT(prices_compared, 40);
  for (int day = 0; day <= 2; ++day) {  // issued at ticks 0, 48 and 96, all by t
    const absl::Time midnight = kReplayStart + day * kDay;
    SCOPED_TRACE(base::FormatUtcTimestamp(midnight));
    absl::StatusOr<std::vector<forecast::eval::DayAheadEvalRow>> a = same->day_ahead->Get(midnight);
    absl::StatusOr<std::vector<forecast::eval::DayAheadEvalRow>> b =
        changed->day_ahead->Get(midnight);
    ASSERT_TRUE(a.ok() && b.ok()) << a.status() << " " << b.status();
    ASSERT_EQ(a->size(), b->size());
    for (size_t i = 0; i < a->size(); ++i) {
      EXPECT_EQ((*a)[i].forecast_mw, (*b)[i].forecast_mw) << i;
      EXPECT_EQ((*a)[i].lower_mw, (*b)[i].lower_mw) << i;
      EXPECT_EQ((*a)[i].upper_mw, (*b)[i].upper_mw) << i;
      EXPECT_EQ((*a)[i].neso_mw, (*b)[i].neso_mw) << i;
    }
  }

  // The changes did reach the outputs after t: the comparison above could have failed.
  const absl::Time after = kReplayStart + (kCut + 5) * base::kHalfHour;
  EXPECT_NE(same->forecasts->Get(after, absl::ZeroDuration())->last_net_load_mw,
            changed->forecasts->Get(after, absl::ZeroDuration())->last_net_load_mw);
  EXPECT_NE(same->prices.Get(after)->price_gbp_per_mwh,
            changed->prices.Get(after)->price_gbp_per_mwh);
  const absl::Time day3 = kReplayStart + 3 * kDay;
  EXPECT_NE(same->day_ahead->Get(day3)->front().neso_mw,
            changed->day_ahead->Get(day3)->front().neso_mw);
}

}  // namespace
}  // namespace gridpilot
