// Measures the forecast process's per-tick CPU cost and what the compiled TreeEnsemble
// saves over XGBoost's own prediction. Trains one model like the forecaster's (300
// rounds, depth 6, 30 features, 17,000 synthetic rows, one thread), then times in the
// same run: one row through XGBoosterPredictFromDense vs TreeEnsemble::Predict, a
// 10,000-row batch (XGBoost in one call vs a TreeEnsemble row loop), FeatureStore
// Push + Features per tick, and NetLoadChangeForecaster::Forecast (8 horizons and the ramp
// alarm, trained on a synthetic year) per tick; TreeEnsemble's single row also without its
// AVX-512 path. Prints a table; takes no flags. Times are this thread's CPU time, medians
// of repeated runs, so neighbours on a shared machine move the figures less than wall time.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <limits>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "core/base/time_util.h"
#include "core/data/grid_measurement.h"
#include "core/forecast/feature_store.h"
#include "core/forecast/models/net_load_change_forecaster.h"
#include "core/ml/tree_ensemble.h"
#include "core/ml/xgboost_model.h"
#include "tests/core/forecast/models/synthetic_history.h"

namespace gridpilot {
namespace {

constexpr size_t kCols = 30;
constexpr size_t kTrainRows = 17000;
constexpr size_t kBatchRows = 10000;
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

// Keeps the compiler from discarding predictions whose values nobody reads.
double sink = 0.0;

double Median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

// This thread's CPU time, in microseconds.
double ThreadCpuMicros() {
  timespec now{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return now.tv_sec * 1e6 + now.tv_nsec / 1e3;
}

// Median over `reps` runs of body(), in microseconds of this thread's CPU per run.
template <typename Body>
double MedianMicros(int reps, Body body) {
  std::vector<double> micros;
  for (int i = 0; i < reps; ++i) {
    const double start = ThreadCpuMicros();
    body();
    micros.push_back(ThreadCpuMicros() - start);
  }
  return Median(std::move(micros));
}

// Row-major rows of kCols features in [-3, 3], 3% missing, and a nonlinear target so
// the trees grow to full depth.
std::vector<float> RandomRows(size_t rows, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> x(-3.0f, 3.0f);
  std::bernoulli_distribution missing(0.03);
  std::vector<float> out(rows * kCols);
  for (float& v : out) v = missing(rng) ? kNaN : x(rng);
  return out;
}

std::vector<float> Targets(const std::vector<float>& rows) {
  std::mt19937 rng(99);
  std::normal_distribution<float> noise(0.0f, 0.3f);
  std::vector<float> targets;
  for (size_t r = 0; r < rows.size() / kCols; ++r) {
    const float* v = &rows[r * kCols];
    auto at = [v](size_t k) { return std::isnan(v[k]) ? 0.0f : v[k]; };
    float y = at(0) * at(1) + (at(2) > 0.5f ? 3.0f : 0.0f) + noise(rng);
    for (size_t k = 3; k < kCols; ++k) y += std::sin(at(k) * (1.0f + k % 4)) / (1.0f + k % 5);
    targets.push_back(y);
  }
  return targets;
}

// A region net-load series with daily and weekly cycles, embedded renewables and noise:
// the change-forecaster tests' series.
std::vector<data::GridMeasurement> SyntheticHistory(size_t n) {
  return forecast::SyntheticRegionHistory(n, 5,
                                          base::ParseUtcTimestamp("2022-01-03T00:00:00Z").value());
}

void PrintRow(const char* what, double xgboost, double ensemble, const char* unit) {
  std::printf("%-44s %14.2f %14.2f %9.1fx  %s\n", what, xgboost, ensemble,
              unit[0] == 'r' ? ensemble / xgboost : xgboost / ensemble, unit);
}

int Run() {
  std::printf("training: %zu rows x %zu features, 300 rounds, depth 6, 1 thread...\n", kTrainRows,
              kCols);
  const std::vector<float> train = RandomRows(kTrainRows, 1);
  ml::XgboostParams params;  // the forecaster's defaults: 300 rounds, depth 6
  params.nthread = 1;
  auto model = ml::XgboostRegressor::Train(train, kTrainRows, kCols, Targets(train), params);
  if (!model.ok()) {
    std::fprintf(stderr, "training failed: %s\n", std::string(model.status().message()).c_str());
    return 1;
  }
  auto ensemble = ml::TreeEnsemble::FromXgboostJson((*model)->ModelJson().value());
  if (!ensemble.ok()) {
    std::fprintf(stderr, "%s\n", std::string(ensemble.status().message()).c_str());
    return 1;
  }

  // Evaluation rows: unseen, with missing values.
  const std::vector<float> batch = RandomRows(kBatchRows, 2);
  std::vector<std::vector<float>> rows;
  for (size_t r = 0; r < kBatchRows; ++r) {
    rows.emplace_back(batch.begin() + r * kCols, batch.begin() + (r + 1) * kCols);
  }

  // Agreement first: a fast evaluator that disagrees is worthless.
  const std::vector<double> reference =
      (*model)->PredictBatchWithXgboost(batch, kBatchRows).value();
  double max_abs_diff = 0.0;
  for (size_t r = 0; r < kBatchRows; ++r) {
    max_abs_diff =
        std::max(max_abs_diff, std::abs(ensemble->Predict(rows[r].data(), kCols) - reference[r]));
    max_abs_diff = std::max(
        max_abs_diff, std::abs(ensemble->PredictPortable(rows[r].data(), kCols) - reference[r]));
  }

  // Single rows: 200 (XGBoost) or 2000 (ensemble) different rows per run, 31 runs.
  constexpr int kReps = 31;
  const double xgb_single_us = MedianMicros(kReps,
                                            [&] {
                                              for (size_t r = 0; r < 200; ++r)
                                                sink +=
                                                    (*model)->PredictWithXgboost(rows[r]).value();
                                            }) /
                               200;
  const double ens_single_us = MedianMicros(kReps,
                                            [&] {
                                              for (size_t r = 0; r < 2000; ++r)
                                                sink += ensemble->Predict(rows[r].data(), kCols);
                                            }) /
                               2000;
  const double portable_single_us =
      MedianMicros(kReps,
                   [&] {
                     for (size_t r = 0; r < 2000; ++r)
                       sink += ensemble->PredictPortable(rows[r].data(), kCols);
                   }) /
      2000;
  const double wrapped_single_us = MedianMicros(kReps,
                                                [&] {
                                                  for (size_t r = 0; r < 2000; ++r)
                                                    sink += (*model)->Predict(rows[r]).value();
                                                }) /
                                   2000;

  // Batches of 10,000 rows.
  const double xgb_batch_us = MedianMicros(
      7, [&] { sink += (*model)->PredictBatchWithXgboost(batch, kBatchRows).value()[0]; });
  const double ens_batch_us = MedianMicros(7, [&] {
    for (size_t r = 0; r < kBatchRows; ++r) sink += ensemble->Predict(&batch[r * kCols], kCols);
  });

  // The forecaster as the forecast service runs it: a year of history, every served horizon.
  const std::vector<int>& horizons = forecast::models::ServedChangeHorizons();
  std::printf("training the net-load change forecaster: a synthetic year, %zu horizons...\n",
              horizons.size());
  constexpr size_t kTrainIntervals = 17520;
  constexpr size_t kTicks = 4000;
  const std::vector<data::GridMeasurement> history = SyntheticHistory(kTrainIntervals + kTicks);
  const std::vector<data::GridMeasurement> train_history(history.begin(),
                                                         history.begin() + kTrainIntervals);
  auto forecaster =
      forecast::models::NetLoadChangeForecaster::Train(train_history, horizons, params);
  if (!forecaster.ok()) {
    std::fprintf(stderr, "%s\n", std::string(forecaster.status().message()).c_str());
    return 1;
  }
  // Both loops run the ticks after the training year, in blocks of 100, on stores that
  // were warmed up with the 400 intervals before them.
  auto warm_store = [&] {
    forecast::FeatureStore store;
    for (size_t i = kTrainIntervals - 400; i < kTrainIntervals; ++i) {
      if (!store.Push(history[i]).ok()) std::abort();
    }
    return store;
  };
  forecast::FeatureStore store = warm_store();
  size_t next = kTrainIntervals;
  const double feature_tick_us = MedianMicros(kTicks / 100,
                                              [&] {
                                                for (int i = 0; i < 100; ++i) {
                                                  if (!store.Push(history[next++]).ok())
                                                    std::abort();
                                                  sink += store.Features()[6];
                                                }
                                              }) /
                                 100;
  store = warm_store();
  next = kTrainIntervals;
  const double forecast_tick_us =
      MedianMicros(kTicks / 100,
                   [&] {
                     for (int i = 0; i < 100; ++i) {
                       if (!store.Push(history[next++]).ok()) std::abort();
                       sink += forecaster->Forecast(store).value().back().change_mw;
                     }
                   }) /
      100;

  // The same ticks one at a time, each after the caches were filled with other data (a
  // 16 MB buffer written), as in the stack where four processes share two cores' caches,
  // and each after a 1 ms pause (a core idle between ticks).
  std::vector<char> evict(16 << 20);
  auto per_tick_median = [&](auto between) {
    store = warm_store();
    next = kTrainIntervals;
    std::vector<double> micros;
    for (size_t i = 0; i < 1000; ++i) {
      between();
      const double start = ThreadCpuMicros();
      if (!store.Push(history[next++]).ok()) std::abort();
      sink += forecaster->Forecast(store).value().back().change_mw;
      micros.push_back(ThreadCpuMicros() - start);
    }
    return Median(std::move(micros));
  };
  const double hot_tick_us = per_tick_median([] {});
  const double cold_tick_us = per_tick_median([&] {
    for (size_t i = 0; i < evict.size(); i += 64) evict[i] = static_cast<char>(evict[i] + i);
  });
  const double idle_tick_us = per_tick_median([] { absl::SleepFor(absl::Milliseconds(1)); });
  std::printf("\nagreement: max |TreeEnsemble (both paths) - XGBoost| over %zu rows = %g\n",
              kBatchRows, max_abs_diff);
  std::printf("model: %zu trees, %zu features\n\n", ensemble->num_trees(),
              ensemble->num_features());
  std::printf("%-44s %14s %14s %10s\n", "", "XGBoost C API", "TreeEnsemble", "speed-up");
  PrintRow("single row (us/row)", xgb_single_us, ens_single_us, "us/row");
  PrintRow("single row, portable path (us/row)", xgb_single_us, portable_single_us, "us/row");
  PrintRow("single row via XgboostRegressor (us/row)", xgb_single_us, wrapped_single_us, "us/row");
  PrintRow("batch of 10,000 rows (rows/s)", kBatchRows / xgb_batch_us * 1e6,
           kBatchRows / ens_batch_us * 1e6, "rows/s");
  std::printf("\nper tick (us):\n");
  std::printf("  FeatureStore Push + Features            %10.2f\n", feature_tick_us);
  std::printf("  Push + Forecast, %zu horizons + ramp alarm %8.2f\n", horizons.size(),
              forecast_tick_us);
  std::printf("  one tick at a time, caches warm         %10.2f\n", hot_tick_us);
  std::printf("  one tick at a time, caches evicted      %10.2f\n", cold_tick_us);
  std::printf("  one tick at a time, 1 ms pause before   %10.2f\n", idle_tick_us);
  std::printf("  same with XGBoost single-row (estimate) %10.2f  = Push+Features + %zu x %.2f\n",
              feature_tick_us + horizons.size() * xgb_single_us, horizons.size(), xgb_single_us);
  std::printf("\n(checksum %g)\n", sink);
  return 0;
}

}  // namespace
}  // namespace gridpilot

int main() { return gridpilot::Run(); }
