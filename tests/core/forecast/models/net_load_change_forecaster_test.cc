#include "core/forecast/models/net_load_change_forecaster.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "core/base/time_util.h"
#include "core/data/grid_data_loader.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/core/forecast/models/synthetic_history.h"

namespace gridpilot::forecast::models {
namespace {

using ::testing::HasSubstr;
using ::testing::NanSensitiveFloatEq;
using ::testing::Pointwise;

absl::Time At(const char* text) { return base::ParseUtcTimestamp(text).value(); }

// A region-sized series with a daily and a weekly cycle, embedded renewables and noise.
std::vector<data::GridMeasurement> SyntheticHistory(size_t n, uint32_t seed,
                                                    absl::Time start = At("2023-01-02T00:00:00Z")) {
  return SyntheticRegionHistory(n, seed, start);
}

ml::XgboostParams SmallParams() {
  ml::XgboostParams p;
  p.num_rounds = 40;
  p.eta = 0.2;
  p.nthread = 1;  // see RealDataParams
  return p;
}

TEST(BuildChangeTrainingSetTest, OfflineRowsEqualOnlineFeatures) {
  std::vector<data::GridMeasurement> history = SyntheticHistory(1200, 1);
  history[500].net_load_mw = std::nullopt;  // a missing value
  history[900].embedded_solar_mw = std::nullopt;
  history.erase(history.begin() + 700, history.begin() + 703);  // a 3-interval gap
  const std::vector<int> horizons = {1, 3};

  absl::StatusOr<TrainingSet> set = BuildChangeTrainingSet(history, horizons);
  ASSERT_TRUE(set.ok()) << set.status();
  EXPECT_EQ(set->cols, FeatureStore::FeatureNames().size());
  // One row per pushed measurement from the 338th interval on.
  EXPECT_EQ(set->rows, history.size() - (kChangeWarmUpIntervals - 1));
  ASSERT_EQ(set->features.size(), set->rows * set->cols);
  ASSERT_EQ(set->decision_times.size(), set->rows);
  ASSERT_EQ(set->targets.size(), 2u);

  FeatureStore online;
  size_t row = 0;
  for (const data::GridMeasurement& m : history) {
    ASSERT_TRUE(online.Push(m).ok());
    if (online.decision_time() <=
        history.front().interval_start + (kChangeWarmUpIntervals - 1) * base::kHalfHour) {
      continue;
    }
    ASSERT_LT(row, set->rows);
    ASSERT_EQ(set->decision_times[row], online.decision_time());
    const std::vector<float> offline(set->features.begin() + row * set->cols,
                                     set->features.begin() + (row + 1) * set->cols);
    EXPECT_THAT(offline, Pointwise(NanSensitiveFloatEq(), online.Features())) << "row " << row;
    ++row;
  }
  EXPECT_EQ(row, set->rows);

  // Targets: net load of the target interval minus net load of the last interval.
  auto net_at = [&history](absl::Time t) -> double {
    for (const data::GridMeasurement& m : history) {
      if (m.interval_start == t && m.net_load_mw.has_value()) return *m.net_load_mw;
    }
    return std::numeric_limits<double>::quiet_NaN();
  };
  int nan_targets = 0;
  for (size_t r = 0; r < set->rows; ++r) {
    const absl::Time t = set->decision_times[r];
    for (size_t j = 0; j < horizons.size(); ++j) {
      const double expected =
          net_at(t + (horizons[j] - 1) * base::kHalfHour) - net_at(t - base::kHalfHour);
      EXPECT_THAT(set->targets[j][r], NanSensitiveFloatEq(static_cast<float>(expected)))
          << "row " << r << " horizon " << horizons[j];
      nan_targets += std::isnan(set->targets[j][r]);
    }
  }
  // The missing value, the gap and the end of the history all leave unknown targets.
  EXPECT_GT(nan_targets, 4);
  EXPECT_TRUE(std::isnan(set->targets[0].back()));
  EXPECT_FALSE(std::isnan(set->targets[0][set->rows - 2]));
  EXPECT_TRUE(std::isnan(set->targets[1][set->rows - 3]));
  EXPECT_FALSE(std::isnan(set->targets[1][set->rows - 4]));
}

// Operator forecasts of `history` as NESO publishes them: at 23:45 the day before for
// every half-hour of a UTC day, and a second vintage at 09:00 for that afternoon.
std::vector<data::DayAheadForecastRow> SyntheticVintages(
    const std::vector<data::GridMeasurement>& history, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> error(0.0, 4.0);
  std::vector<data::DayAheadForecastRow> rows;
  for (const data::GridMeasurement& m : history) {
    const absl::Time day =
        absl::FromUnixSeconds(absl::ToUnixSeconds(m.interval_start) / 86400 * 86400);
    rows.push_back({m.interval_start, day - absl::Minutes(15), *m.net_load_mw + error(rng)});
    if (m.interval_start >= day + absl::Hours(12)) {
      rows.push_back({m.interval_start, day + absl::Hours(9), *m.net_load_mw + error(rng)});
    }
  }
  std::shuffle(rows.begin(), rows.end(), rng);  // any order is accepted
  return rows;
}

TEST(BuildChangeTrainingSetTest, OfflineRowsEqualOnlineFeaturesWithOperatorForecasts) {
  const std::vector<data::GridMeasurement> history = SyntheticHistory(900, 5);
  const std::vector<data::DayAheadForecastRow> vintages = SyntheticVintages(history, 6);
  absl::StatusOr<TrainingSet> set = BuildChangeTrainingSet(history, {1, 2}, vintages);
  ASSERT_TRUE(set.ok()) << set.status();

  // Online, as the forecast service gets them: each tick at t brings the vintages
  // published in [t - 30 min, t), after the measurement that ends at t.
  FeatureStore online;
  DayAheadForecastFeed feed;
  size_t row = 0, rows_with_operator_forecast = 0;
  const size_t h1 = std::find(FeatureStore::FeatureNames().begin(),
                              FeatureStore::FeatureNames().end(), "day_ahead_change_h1_mw") -
                    FeatureStore::FeatureNames().begin();
  for (const data::GridMeasurement& m : history) {
    ASSERT_TRUE(online.Push(m).ok());
    const absl::Time t = online.decision_time();
    std::vector<data::DayAheadForecastRow> published;
    for (const data::DayAheadForecastRow& v : vintages) {
      if (v.published >= t - base::kHalfHour && v.published < t) published.push_back(v);
    }
    feed.Add(published);
    ASSERT_TRUE(feed.PushPublishedBefore(online).ok());
    if (t <= history.front().interval_start + (kChangeWarmUpIntervals - 1) * base::kHalfHour)
      continue;
    ASSERT_LT(row, set->rows);
    const std::vector<float> offline(set->features.begin() + row * set->cols,
                                     set->features.begin() + (row + 1) * set->cols);
    EXPECT_THAT(offline, Pointwise(NanSensitiveFloatEq(), online.Features())) << "row " << row;
    rows_with_operator_forecast += !std::isnan(offline[h1]);
    ++row;
  }
  EXPECT_EQ(row, set->rows);
  EXPECT_GT(rows_with_operator_forecast, set->rows * 9 / 10);
}

TEST(BuildChangeTrainingSetTest, FeaturesIgnoreOperatorForecastsPublishedLater) {
  const std::vector<data::GridMeasurement> history = SyntheticHistory(900, 7);
  const std::vector<data::DayAheadForecastRow> original = SyntheticVintages(history, 8);
  const absl::Time t = history[700].interval_start;
  // Every vintage published at or after t is changed, and a new one is published at t
  // for the very next interval.
  std::vector<data::DayAheadForecastRow> altered = original;
  for (data::DayAheadForecastRow& v : altered) {
    if (v.published >= t) v.net_load_mw = *v.net_load_mw + 50.0;
  }
  altered.push_back({t, t, 1000.0});
  auto a = BuildChangeTrainingSet(history, {1}, original);
  auto b = BuildChangeTrainingSet(history, {1}, altered);
  ASSERT_TRUE(a.ok() && b.ok());
  size_t compared = 0;
  bool later_rows_differ = false;
  for (size_t r = 0; r < a->rows; ++r) {
    const std::vector<float> fa(a->features.begin() + r * a->cols,
                                a->features.begin() + (r + 1) * a->cols);
    const std::vector<float> fb(b->features.begin() + r * b->cols,
                                b->features.begin() + (r + 1) * b->cols);
    if (a->decision_times[r] <= t) {
      EXPECT_THAT(fa, Pointwise(NanSensitiveFloatEq(), fb)) << "row " << r;
      ++compared;
    } else if (fa != fb) {
      later_rows_differ = true;
    }
  }
  EXPECT_EQ(compared, 700 - kChangeWarmUpIntervals + 1);  // decision times up to t
  EXPECT_TRUE(later_rows_differ);
  // The model cache key follows the vintages a training row can see, and only those.
  std::vector<data::GridMeasurement> before_t(history.begin(), history.begin() + 699);
  EXPECT_EQ(ChangeModelFingerprint(before_t, {1}, SmallParams(), original),
            ChangeModelFingerprint(before_t, {1}, SmallParams(), altered));
  EXPECT_NE(ChangeModelFingerprint(history, {1}, SmallParams(), original),
            ChangeModelFingerprint(history, {1}, SmallParams(), altered));
  EXPECT_NE(ChangeModelFingerprint(history, {1}, SmallParams(), original),
            ChangeModelFingerprint(history, {1}, SmallParams()));
}

TEST(BuildChangeTrainingSetTest, FeaturesIgnoreTheFuture) {
  const std::vector<data::GridMeasurement> original = SyntheticHistory(1000, 2);
  std::vector<data::GridMeasurement> altered = original;
  const size_t cut = 800;
  for (size_t i = cut; i < altered.size(); ++i) {
    altered[i].net_load_mw = -*altered[i].net_load_mw;
    altered[i].embedded_wind_mw = std::nullopt;
  }
  const absl::Time t = original[cut].interval_start;
  auto a = BuildChangeTrainingSet(original, {1});
  auto b = BuildChangeTrainingSet(altered, {1});
  ASSERT_TRUE(a.ok() && b.ok());
  size_t compared = 0;
  for (size_t r = 0; r < a->rows; ++r) {
    if (a->decision_times[r] > t) break;
    const std::vector<float> fa(a->features.begin() + r * a->cols,
                                a->features.begin() + (r + 1) * a->cols);
    const std::vector<float> fb(b->features.begin() + r * b->cols,
                                b->features.begin() + (r + 1) * b->cols);
    EXPECT_THAT(fa, Pointwise(NanSensitiveFloatEq(), fb)) << "row " << r;
    ++compared;
  }
  EXPECT_EQ(compared, cut - (kChangeWarmUpIntervals - 1));
  // The target of the row at t is the first one to see the alteration.
  EXPECT_NE(a->targets[0][compared - 1], b->targets[0][compared - 1]);
  EXPECT_EQ(a->targets[0][compared - 2], b->targets[0][compared - 2]);
}

TEST(BuildChangeTrainingSetTest, Errors) {
  std::vector<data::GridMeasurement> history = SyntheticHistory(10, 3);
  EXPECT_EQ(BuildChangeTrainingSet(history, {0}).status().code(),
            absl::StatusCode::kInvalidArgument);
  std::swap(history[4], history[5]);
  EXPECT_EQ(BuildChangeTrainingSet(history, {1}).status().code(),
            absl::StatusCode::kInvalidArgument);
  auto empty = BuildChangeTrainingSet({}, {1, 2});
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->rows, 0u);
  EXPECT_EQ(empty->targets.size(), 2u);
}

TEST(NetLoadChangeForecasterTest, NeedsAThousandRows) {
  // 1000 rows, but the last row's 1-step target is unknown: 999 usable.
  const std::vector<data::GridMeasurement> history =
      SyntheticHistory(kChangeWarmUpIntervals - 1 + 1000, 4);
  auto too_few = NetLoadChangeForecaster::Train(history, {1}, SmallParams());
  EXPECT_EQ(too_few.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(too_few.status().message(), HasSubstr("only 999 rows"));

  const std::vector<data::GridMeasurement> longer =
      SyntheticHistory(kChangeWarmUpIntervals + 1000, 4);
  EXPECT_TRUE(NetLoadChangeForecaster::Train(longer, {1}, SmallParams()).ok());
  EXPECT_EQ(NetLoadChangeForecaster::Train(longer, {}, SmallParams()).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(NetLoadChangeForecaster::Train(longer, {1, 1}, SmallParams()).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(NetLoadChangeForecasterTest, ForecastShapeAndTargets) {
  const std::vector<data::GridMeasurement> history = SyntheticHistory(3000, 5);
  auto forecaster = NetLoadChangeForecaster::Train(history, {1, 2, 4}, SmallParams());
  ASSERT_TRUE(forecaster.ok()) << forecaster.status();
  EXPECT_THAT(forecaster->horizons(), ::testing::ElementsAre(1, 2, 4));

  FeatureStore empty;
  EXPECT_EQ(forecaster->Forecast(empty).status().code(), absl::StatusCode::kFailedPrecondition);

  FeatureStore store;
  for (const data::GridMeasurement& m : history) ASSERT_TRUE(store.Push(m).ok());
  auto forecasts = forecaster->Forecast(store);
  ASSERT_TRUE(forecasts.ok()) << forecasts.status();
  ASSERT_EQ(forecasts->size(), 3u);
  const absl::Time t = history.back().interval_start + base::kHalfHour;
  EXPECT_EQ((*forecasts)[0].horizon_intervals, 1);
  EXPECT_EQ((*forecasts)[0].target_interval_start, t);
  EXPECT_EQ((*forecasts)[1].target_interval_start, t + base::kHalfHour);
  EXPECT_EQ((*forecasts)[2].horizon_intervals, 4);
  EXPECT_EQ((*forecasts)[2].target_interval_start, t + 3 * base::kHalfHour);
  // The synthetic daily swing is +-80 MW: one step changes by at most ~11 MW plus noise.
  EXPECT_LT(std::abs((*forecasts)[0].change_mw), 30.0);
  // The ramp alarm answers for horizon 1 only, with its threshold from the history.
  ASSERT_TRUE((*forecasts)[0].ramp_probability.has_value());
  EXPECT_GE(*(*forecasts)[0].ramp_probability, 0.0);
  EXPECT_LE(*(*forecasts)[0].ramp_probability, 1.0);
  EXPECT_FALSE((*forecasts)[1].ramp_probability.has_value());
  EXPECT_EQ(forecaster->ramp_threshold_mw(), *AbsChangeQuantile(history, kRampEventQuantile));
  auto without_h1 = NetLoadChangeForecaster::Train(history, {2}, SmallParams());
  ASSERT_TRUE(without_h1.ok()) << without_h1.status();
  EXPECT_FALSE(without_h1->ramp_threshold_mw().has_value());
  EXPECT_FALSE((*without_h1->Forecast(store))[0].ramp_probability.has_value());
}

TEST(NetLoadChangeForecasterTest, RampAlarmFollowsTheDailyRamps) {
  // The synthetic net load swings +-80 MW a day: events (the top 5% of |change|) happen
  // only on its steep flanks, where noise pushes a ~10 MW step over the threshold, never
  // at its flat tops and troughs. The alarm's probability must follow that.
  const std::vector<data::GridMeasurement> history = SyntheticHistory(4000, 9);
  auto forecaster = NetLoadChangeForecaster::Train(history, {1}, SmallParams());
  ASSERT_TRUE(forecaster.ok()) << forecaster.status();
  FeatureStore store;
  double steep_sum = 0, flat_sum = 0;
  int steep = 0, flat = 0;
  for (const data::GridMeasurement& m : SyntheticHistory(4000 + 480, 9)) {
    ASSERT_TRUE(store.Push(m).ok());
    if (m.interval_start < history.back().interval_start) continue;
    const int slot =
        static_cast<int>((store.decision_time() - absl::UnixEpoch()) / base::kHalfHour % 48);
    const double p = *(*forecaster->Forecast(store))[0].ramp_probability;
    // -80 cos(day): steepest at slots 12 and 36, flat at 0 and 24.
    if (slot == 12 || slot == 36) steep_sum += p, ++steep;
    if (slot == 0 || slot == 24) flat_sum += p, ++flat;
  }
  ASSERT_GT(steep, 10);
  ASSERT_GT(flat, 10);
  EXPECT_GT(steep_sum / steep, 0.05) << "flat " << flat_sum / flat;
  EXPECT_LT(flat_sum / flat, 0.01);
  EXPECT_GT(steep_sum / steep, 10 * flat_sum / flat);
}

TEST(NetLoadChangeForecasterTest, LoadOrTrainReusesTheCacheOnlyForTheSameData) {
  const std::string dir = (std::filesystem::path(testing::TempDir()) /
                           absl::StrCat("change_models_cache_test_", getpid()))
                              .string();
  std::filesystem::remove_all(dir);
  const std::vector<data::GridMeasurement> history = SyntheticHistory(2000, 6);
  const std::vector<int> horizons = {1, 2};
  auto count_files = [&dir] {
    return std::distance(std::filesystem::directory_iterator(dir),
                         std::filesystem::directory_iterator());
  };

  auto first = NetLoadChangeForecaster::LoadOrTrain(dir, history, horizons, SmallParams());
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_EQ(count_files(), 3);  // change_h1, change_h2 and the ramp alarm
  const std::string h1_path =
      dir + absl::StrFormat("/change_h1_%016x.json",
                            ChangeModelFingerprint(history, horizons, SmallParams()));
  ASSERT_TRUE(std::filesystem::exists(h1_path)) << h1_path;
  const auto written_at = std::filesystem::last_write_time(h1_path);

  auto second = NetLoadChangeForecaster::LoadOrTrain(dir, history, horizons, SmallParams());
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(count_files(), 3);
  EXPECT_EQ(std::filesystem::last_write_time(h1_path), written_at);  // loaded, not rewritten

  FeatureStore store;
  for (const data::GridMeasurement& m : SyntheticHistory(600, 7)) ASSERT_TRUE(store.Push(m).ok());
  auto a = first->Forecast(store);
  auto b = second->Forecast(store);
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_EQ(a->size(), b->size());
  for (size_t j = 0; j < a->size(); ++j) {
    EXPECT_EQ((*a)[j].change_mw, (*b)[j].change_mw);
    EXPECT_EQ((*a)[j].target_interval_start, (*b)[j].target_interval_start);
    EXPECT_EQ((*a)[j].ramp_probability, (*b)[j].ramp_probability);
  }
  EXPECT_EQ(first->ramp_threshold_mw(), second->ramp_threshold_mw());

  // One changed value is different training data: a new fingerprint, new files.
  std::vector<data::GridMeasurement> changed = history;
  *changed[1234].net_load_mw += 0.5;
  EXPECT_NE(ChangeModelFingerprint(changed, horizons, SmallParams()),
            ChangeModelFingerprint(history, horizons, SmallParams()));
  ml::XgboostParams other_params = SmallParams();
  other_params.max_depth = 4;
  EXPECT_NE(ChangeModelFingerprint(history, horizons, other_params),
            ChangeModelFingerprint(history, horizons, SmallParams()));
  EXPECT_NE(ChangeModelFingerprint(history, {1, 3}, SmallParams()),
            ChangeModelFingerprint(history, horizons, SmallParams()));
  ASSERT_TRUE(NetLoadChangeForecaster::LoadOrTrain(dir, changed, horizons, SmallParams()).ok());
  EXPECT_EQ(count_files(), 6);
  std::filesystem::remove_all(dir);
}

std::string ShippedDataPath(const std::string& name) {
  const char* source_dir = std::getenv("GRIDPILOT_SOURCE_DIR");
  return (source_dir != nullptr ? std::string(source_dir) + "/data/" : "../data/") + name;
}

// The default parameters on one thread: on a loaded 2-core machine libgomp's spinning
// barriers make two threads many times slower, and the model does not depend on it.
ml::XgboostParams RealDataParams() {
  ml::XgboostParams p;
  p.nthread = 1;
  return p;
}

std::optional<double> Scaled(std::optional<double> gb_mw, double factor) {
  if (!gb_mw.has_value()) return std::nullopt;
  return *gb_mw * factor;
}

TEST(NetLoadChangeForecasterRealDataTest, BeatsSeasonalNaiveAndPersistenceInQ1_2023) {
  absl::StatusOr<data::GridSeries> series =
      data::LoadGridSeries(ShippedDataPath("gb_demand_2022_2023.csv"),
                           ShippedDataPath("gb_price_mid_2022-10_2023-12.csv"));
  ASSERT_TRUE(series.ok()) << series.status();
  constexpr double kRegionFactor = 0.01;
  const absl::Time train_end = At("2023-01-01T00:00:00Z");
  const absl::Time eval_end = At("2023-04-01T00:00:00Z");
  std::vector<data::GridMeasurement> train, all;
  for (const data::GridInterval& g : series->intervals()) {
    if (g.start >= eval_end) break;
    const data::GridMeasurement m{g.start, Scaled(g.net_load_mw, kRegionFactor),
                                  Scaled(g.embedded_solar_mw, kRegionFactor),
                                  Scaled(g.embedded_wind_mw, kRegionFactor), g.price_gbp_per_mwh};
    all.push_back(m);
    if (g.start < train_end) train.push_back(m);
  }
  ASSERT_EQ(train.size(), 17520u);

  const auto started = std::chrono::steady_clock::now();
  auto forecaster = NetLoadChangeForecaster::Train(train, {1}, RealDataParams());
  const double train_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  ASSERT_TRUE(forecaster.ok()) << forecaster.status();

  // Serve online over 2022 (warm-up only) and Q1 2023; score every 30-minute change
  // whose target interval lies in Q1 2023.
  FeatureStore store;
  double model_abs = 0.0, seasonal_abs = 0.0, persistence_abs = 0.0;
  int scored = 0;
  for (size_t i = 0; i + 1 < all.size(); ++i) {
    ASSERT_TRUE(store.Push(all[i]).ok());
    const absl::Time t = store.decision_time();
    if (t < train_end) continue;
    const std::optional<double> last = store.NetLoadAt(t - base::kHalfHour);
    const std::optional<double> before_last = store.NetLoadAt(t - 2 * base::kHalfHour);
    const std::optional<double> week_ago = store.NetLoadAt(t - 336 * base::kHalfHour);
    const std::optional<double> week_ago_before = store.NetLoadAt(t - 337 * base::kHalfHour);
    ASSERT_TRUE(last && before_last && week_ago && week_ago_before && all[i + 1].net_load_mw);
    ASSERT_EQ(all[i + 1].interval_start, t);
    const double actual = *all[i + 1].net_load_mw - *last;

    auto forecast = forecaster->Forecast(store);
    ASSERT_TRUE(forecast.ok()) << forecast.status();
    model_abs += std::abs((*forecast)[0].change_mw - actual);
    seasonal_abs += std::abs((*week_ago - *week_ago_before) - actual);
    persistence_abs += std::abs((*last - *before_last) - actual);
    ++scored;
  }
  EXPECT_EQ(scored, 90 * 48);  // every half-hour of Q1 2023 is a target
  const double model_mae = model_abs / scored;
  const double seasonal_mae = seasonal_abs / scored;
  const double persistence_mae = persistence_abs / scored;
  std::printf(
      "Q1 2023 30-min net-load change MAE (region MW, %d decisions): model %.3f, "
      "same change as last week %.3f, persistence of last change %.3f; training on 2022 "
      "took %.2f s\n",
      scored, model_mae, seasonal_mae, persistence_mae, train_s);
  EXPECT_LT(model_mae, seasonal_mae);
  EXPECT_LT(model_mae, persistence_mae);
}

}  // namespace
}  // namespace gridpilot::forecast::models
