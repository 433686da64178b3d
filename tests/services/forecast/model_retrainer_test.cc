// ModelRetrainer: scheduled retraining inside the forecast process. With kAtCutoff the
// forecast issued at each cut-off is the first the new models issue, and those models are
// the ones trained on the intervals that ended by the cut-off (checked against a training
// done here on that slice); no look-ahead across a retraining: data changed after a cut-off
// plus the longest horizon leaves every forecast issued before the change as it was; with
// kWhenReady the ticks do not wait and the new models serve once trained; a published set
// reaches the registry. Real (small) models trained on a synthetic daily cycle.
#include "services/forecast/model_retrainer.h"

#include <cmath>
#include <filesystem>
#include <memory>
#include <numbers>
#include <random>
#include <vector>

#include "absl/synchronization/notification.h"
#include "core/base/time_util.h"
#include "core/forecast/models/change_model_registry.h"
#include "gtest/gtest.h"

namespace gridpilot {
namespace {

constexpr absl::Duration kDay = absl::Hours(24);
constexpr int kHistoryDays = 40;
constexpr int kReplayTicks = 2 * 48;
const absl::Time kSeriesStart = *base::ParseUtcTimestamp("2023-01-02T00:00:00Z");
const absl::Time kReplayStart = kSeriesStart + kHistoryDays * kDay;  // 2023-02-11
const std::vector<int> kHorizons = {1, 2};

struct Data {
  std::vector<data::GridMeasurement> measurements;  // from kSeriesStart, every half-hour
  std::vector<data::DayAheadForecastRow> vintages;  // each day's, published at 23:45 before
};

Data MakeData() {
  std::mt19937 rng(11);
  std::normal_distribution<double> noise(0.0, 2.0), operator_error(0.0, 5.0);
  Data d;
  for (int i = 0; i < (kHistoryDays + 3) * 48; ++i) {
    const absl::Time start = kSeriesStart + i * base::kHalfHour;
    const double angle = 2.0 * std::numbers::pi * (i % 48) / 48.0;
    const double net_load = 300.0 - 80.0 * std::cos(angle) + noise(rng);
    d.measurements.push_back({start, net_load, 10.0, 20.0, 60.0 + noise(rng)});
    const absl::Time midnight = kSeriesStart + (i / 48) * kDay;
    d.vintages.push_back({start, midnight - absl::Minutes(15), net_load + operator_error(rng)});
  }
  return d;
}

ml::XgboostParams SmallParams() {
  ml::XgboostParams params;
  params.num_rounds = 20;
  return params;
}

RetrainOptions DailyAt0600(RetrainSwap swap) {
  RetrainOptions options;
  options.schedule = *forecast::ParseRetrainSchedule("day", "06:00", 35, "retrain");
  options.swap = swap;
  options.horizons = kHorizons;
  options.params = SmallParams();
  return options;
}

// A forecast book and a retrainer over it, fed as ForecastPipeline feeds them.
class RetrainedBook {
 public:
  RetrainedBook(const Data& d, const forecast::models::NetLoadChangeForecaster& startup,
                RetrainOptions options,
                std::function<void(const ServedModel&)> on_swapped = nullptr)
      : data_(d) {
    history_.assign(d.measurements.begin(), d.measurements.begin() + kHistoryDays * 48 - 1);
    for (const data::DayAheadForecastRow& v : d.vintages) {
      if (v.published < kReplayStart) known_.push_back(v);
    }
    book_ = std::make_unique<ForecastBook>(startup, history_, known_);
    retrainer_ =
        std::make_unique<ModelRetrainer>(std::move(options), history_, known_, kReplayStart,
                                         book_.get(), &models_, std::move(on_swapped));
  }

  // Tick k: the interval ending at kReplayStart + k half-hours, from `d` (this run's data).
  void Feed(const Data& d, int k) {
    const absl::Time issue = kReplayStart + k * base::kHalfHour;
    std::vector<data::DayAheadForecastRow> published;
    for (const data::DayAheadForecastRow& v : d.vintages) {
      if (v.published >= issue - base::kHalfHour && v.published < issue) published.push_back(v);
    }
    book_->AddDayAheadForecasts(published);
    retrainer_->AddDayAheadForecasts(published);
    const data::GridMeasurement& m = d.measurements[kHistoryDays * 48 - 1 + k];
    retrainer_->BeforeIssue(m);
    ASSERT_TRUE(book_->Ingest(m).ok());
  }
  void FeedAll() {
    for (int k = 0; k < kReplayTicks; ++k) Feed(data_, k);
  }

  IssuedForecast At(absl::Time issue) const {
    absl::StatusOr<IssuedForecast> issued = book_->Get(issue, absl::ZeroDuration());
    EXPECT_TRUE(issued.ok()) << issued.status();
    return issued.ok() ? *issued : IssuedForecast{};
  }
  ModelHistory& models() { return models_; }
  ModelRetrainer& retrainer() { return *retrainer_; }
  const std::vector<data::DayAheadForecastRow>& known() const { return known_; }

 private:
  const Data& data_;
  std::vector<data::GridMeasurement> history_;
  std::vector<data::DayAheadForecastRow> known_;
  std::unique_ptr<ForecastBook> book_;
  ModelHistory models_;
  std::unique_ptr<ModelRetrainer> retrainer_;
};

class ModelRetrainerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    data_ = new Data(MakeData());
    std::vector<data::GridMeasurement> history(data_->measurements.begin(),
                                               data_->measurements.begin() + kHistoryDays * 48 - 1);
    absl::StatusOr<forecast::models::NetLoadChangeForecaster> trained =
        forecast::models::NetLoadChangeForecaster::Train(history, kHorizons, SmallParams(), {});
    ASSERT_TRUE(trained.ok()) << trained.status();
    startup_ = new forecast::models::NetLoadChangeForecaster(*std::move(trained));
  }
  static void TearDownTestSuite() {
    delete startup_;
    delete data_;
  }
  static Data* data_;
  static forecast::models::NetLoadChangeForecaster* startup_;
};

Data* ModelRetrainerTest::data_ = nullptr;
forecast::models::NetLoadChangeForecaster* ModelRetrainerTest::startup_ = nullptr;

// The forecast of `model` on the feature row `issued` was made from, per horizon (SHAP
// contributions sum to it).
std::vector<double> ForecastOf(const forecast::models::NetLoadChangeForecaster& model,
                               const IssuedForecast& issued) {
  absl::StatusOr<std::vector<std::vector<double>>> contributions =
      model.Contributions(issued.features);
  EXPECT_TRUE(contributions.ok()) << contributions.status();
  std::vector<double> out;
  if (!contributions.ok()) return out;
  for (const std::vector<double>& horizon : *contributions) {
    double sum = 0.0;
    for (double c : horizon) sum += c;
    out.push_back(sum);
  }
  return out;
}

TEST_F(ModelRetrainerTest, AtCutoffTheForecastAtEachCutoffIsTheFirstOfModelsTrainedBeforeIt) {
  RetrainedBook run(*data_, *startup_, DailyAt0600(RetrainSwap::kAtCutoff));
  const absl::Time first_cutoff = kReplayStart + absl::Hours(6);
  ASSERT_EQ(run.retrainer().next_cutoff(), first_cutoff);
  run.FeedAll();

  const std::vector<ServedModel> models = run.models().All();
  ASSERT_EQ(models.size(), 2u);
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(models[i].source, "retrain");
    EXPECT_EQ(models[i].cutoff, first_cutoff + i * kDay);
    EXPECT_EQ(models[i].first_issue, first_cutoff + i * kDay);
    EXPECT_EQ(models[i].training_intervals, 35 * 48);
    EXPECT_GT(models[i].training_wall_seconds, 0.0);
  }
  EXPECT_EQ(run.retrainer().next_cutoff(), first_cutoff + 2 * kDay);

  // Before the cut-off the startup models; from it the new ones, until the next cut-off.
  const IssuedForecast before = run.At(first_cutoff - base::kHalfHour);
  const IssuedForecast at = run.At(first_cutoff);
  const IssuedForecast later = run.At(first_cutoff + kDay - base::kHalfHour);
  const IssuedForecast next = run.At(first_cutoff + kDay);
  EXPECT_NE(before.model, at.model);
  EXPECT_EQ(at.model, later.model);
  EXPECT_NE(later.model, next.model);

  // The new models are those trained on the 35 days of intervals that ended by the
  // cut-off, with the vintages published before it.
  std::vector<data::GridMeasurement> slice;
  for (const data::GridMeasurement& m : data_->measurements) {
    if (m.interval_start >= first_cutoff - 35 * kDay &&
        m.interval_start + base::kHalfHour <= first_cutoff) {
      slice.push_back(m);
    }
  }
  std::vector<data::DayAheadForecastRow> vintages;
  for (const data::DayAheadForecastRow& v : data_->vintages) {
    if (v.published < first_cutoff) vintages.push_back(v);
  }
  absl::StatusOr<forecast::models::NetLoadChangeForecaster> direct =
      forecast::models::NetLoadChangeForecaster::Train(slice, kHorizons, SmallParams(), vintages);
  ASSERT_TRUE(direct.ok()) << direct.status();
  const std::vector<double> expected = ForecastOf(*direct, at);
  ASSERT_EQ(expected.size(), at.forecasts.size());
  for (size_t h = 0; h < expected.size(); ++h) {
    EXPECT_NEAR(at.forecasts[h].change_mw, expected[h], 1e-3) << h;
  }
}

TEST_F(ModelRetrainerTest, DataChangedAfterACutoffAndHorizonLeavesEveryEarlierForecastEqual) {
  // From two hours after the first cut-off (its longest horizon is one hour) the changed
  // run sees other net load and other vintages.
  const absl::Time first_cutoff = kReplayStart + absl::Hours(6);
  const absl::Time change_from = first_cutoff + absl::Hours(2);
  Data changed = *data_;
  for (data::GridMeasurement& m : changed.measurements) {
    if (m.interval_start >= change_from)
      *m.net_load_mw += 40.0 + 0.5 * (m.interval_start - change_from) / base::kHalfHour;
  }
  for (data::DayAheadForecastRow& v : changed.vintages) {
    if (v.published >= change_from) *v.net_load_mw += 150.0;
  }
  RetrainedBook same(*data_, *startup_, DailyAt0600(RetrainSwap::kAtCutoff));
  RetrainedBook other(changed, *startup_, DailyAt0600(RetrainSwap::kAtCutoff));
  for (int k = 0; k < kReplayTicks; ++k) {
    same.Feed(*data_, k);
    other.Feed(changed, k);
  }
  // Every forecast issued before the change: equal, across the retraining at the cut-off.
  int compared = 0;
  for (absl::Time t = kReplayStart; t <= change_from; t += base::kHalfHour) {
    SCOPED_TRACE(base::FormatUtcTimestamp(t));
    const IssuedForecast a = same.At(t);
    const IssuedForecast b = other.At(t);
    ASSERT_EQ(a.forecasts.size(), b.forecasts.size());
    for (size_t h = 0; h < a.forecasts.size(); ++h) {
      EXPECT_EQ(a.forecasts[h].change_mw, b.forecasts[h].change_mw) << h;
    }
    EXPECT_EQ(a.half_width_mw, b.half_width_mw);
    ++compared;
  }
  EXPECT_EQ(compared, 17);
  // The change did reach the later forecasts and the next day's retraining.
  const IssuedForecast a = same.At(first_cutoff + kDay);
  const IssuedForecast b = other.At(first_cutoff + kDay);
  EXPECT_NE(a.forecasts[0].change_mw, b.forecasts[0].change_mw);
  EXPECT_NE(ForecastOf(*a.model, a), ForecastOf(*b.model, a));
}

TEST_F(ModelRetrainerTest, WhenReadyTheOldModelsServeUntilTheNewAreTrained) {
  absl::Notification swapped;
  RetrainedBook run(*data_, *startup_, DailyAt0600(RetrainSwap::kWhenReady),
                    [&swapped](const ServedModel&) { swapped.Notify(); });
  const absl::Time first_cutoff = kReplayStart + absl::Hours(6);
  int k = 0;
  for (; kReplayStart + k * base::kHalfHour <= first_cutoff; ++k) run.Feed(*data_, k);
  // The tick at the cut-off did not wait: it started the training and went on.
  ASSERT_TRUE(swapped.WaitForNotificationWithTimeout(absl::Seconds(120)));
  const std::vector<ServedModel> models = run.models().All();
  ASSERT_EQ(models.size(), 1u);
  EXPECT_EQ(models[0].cutoff, first_cutoff);
  EXPECT_EQ(models[0].waited_wall_seconds, 0.0);
  EXPECT_EQ(models[0].first_issue, first_cutoff + base::kHalfHour);
  run.Feed(*data_, k);
  const IssuedForecast before = run.At(first_cutoff - base::kHalfHour);
  const IssuedForecast after = run.At(first_cutoff + base::kHalfHour);
  EXPECT_NE(before.model, after.model);
}

TEST_F(ModelRetrainerTest, EachRetrainedSetIsPublishedToTheRegistry) {
  const std::string registry =
      (std::filesystem::path(::testing::TempDir()) / "model_retrainer_registry").string();
  std::filesystem::remove_all(registry);
  RetrainOptions options = DailyAt0600(RetrainSwap::kAtCutoff);
  options.registry_dir = registry;
  options.horizons = forecast::models::ServedChangeHorizons();
  options.params.num_rounds = 5;
  absl::StatusOr<forecast::models::NetLoadChangeForecaster> startup =
      forecast::models::NetLoadChangeForecaster::Train(
          std::vector<data::GridMeasurement>(data_->measurements.begin(),
                                             data_->measurements.begin() + kHistoryDays * 48 - 1),
          options.horizons, options.params, {});
  ASSERT_TRUE(startup.ok()) << startup.status();
  RetrainedBook run(*data_, *startup, options);
  const absl::Time first_cutoff = kReplayStart + absl::Hours(6);
  for (int k = 0; kReplayStart + k * base::kHalfHour <= first_cutoff; ++k) run.Feed(*data_, k);
  absl::StatusOr<forecast::models::ChangeModelSet> set =
      forecast::models::LoadNewestChangeModelSet(registry, first_cutoff);
  ASSERT_TRUE(set.ok()) << set.status();
  EXPECT_EQ(set->cutoff, first_cutoff);
  EXPECT_EQ(set->metadata.value("training_intervals", 0), 35 * 48);
  EXPECT_FALSE(
      forecast::models::LoadNewestChangeModelSet(registry, first_cutoff - absl::Seconds(1)).ok());
}

}  // namespace
}  // namespace gridpilot
