// The compiled tree walk (ml::TreeEnsemble, both its AVX-512 and its portable path) must
// give the change model's predictions to the bit, as XGBoost computes them, on the feature
// rows the forecast service really sees: every half-hour of the shipped 2022-2023 GB data,
// scaled to the region, with the gaps, missing operator forecasts and exact-threshold values
// that real rows have. Synthetic rows (tests/core/ml/tree_ensemble_test.cc) cover the edge
// cases; these cover the distribution the backtest's decisions come from.
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/base/time_util.h"
#include "core/data/grid_data_loader.h"
#include "core/forecast/models/net_load_change_forecaster.h"
#include "core/ml/tree_ensemble.h"
#include "core/ml/xgboost_model.h"
#include "gtest/gtest.h"

namespace gridpilot::forecast::models {
namespace {

std::string ShippedDataPath(const std::string& name) {
  const char* source_dir = std::getenv("GRIDPILOT_SOURCE_DIR");
  return (source_dir != nullptr ? std::string(source_dir) + "/data/" : "../data/") + name;
}

std::optional<double> Scaled(std::optional<double> gb_mw, double factor) {
  if (!gb_mw.has_value()) return std::nullopt;
  return *gb_mw * factor;
}

uint64_t Bits(double v) {
  uint64_t bits = 0;
  std::memcpy(&bits, &v, sizeof(bits));
  return bits;
}

TEST(ChangeModelPredictTest, CompiledTreesEqualXgboostOnEveryRealFeatureRow) {
  absl::StatusOr<data::GridSeries> series =
      data::LoadGridSeries(ShippedDataPath("gb_demand_2022_2023.csv"),
                           ShippedDataPath("gb_price_mid_2022-10_2023-12.csv"));
  ASSERT_TRUE(series.ok()) << series.status();
  constexpr double kRegionFactor = 0.01;
  std::vector<data::GridMeasurement> all;
  for (const data::GridInterval& g : series->intervals()) {
    all.push_back({g.start, Scaled(g.net_load_mw, kRegionFactor),
                   Scaled(g.embedded_solar_mw, kRegionFactor),
                   Scaled(g.embedded_wind_mw, kRegionFactor), g.price_gbp_per_mwh});
  }
  absl::StatusOr<TrainingSet> set = BuildChangeTrainingSet(all, {4});
  ASSERT_TRUE(set.ok()) << set.status();
  ASSERT_GT(set->rows, 30000u);

  // The served models' shape (300 rounds, depth 6), trained on 2022's rows; one thread,
  // as a loaded 2-core machine needs.
  const absl::Time train_end = base::ParseUtcTimestamp("2023-01-01T00:00:00Z").value();
  std::vector<float> train_features, train_targets;
  for (size_t r = 0; r < set->rows && set->decision_times[r] < train_end; ++r) {
    if (std::isnan(set->targets[0][r])) continue;
    train_features.insert(train_features.end(), set->features.begin() + r * set->cols,
                          set->features.begin() + (r + 1) * set->cols);
    train_targets.push_back(set->targets[0][r]);
  }
  ml::XgboostParams params;
  params.nthread = 1;
  absl::StatusOr<std::unique_ptr<ml::XgboostRegressor>> model = ml::XgboostRegressor::Train(
      train_features, train_targets.size(), set->cols, train_targets, params);
  ASSERT_TRUE(model.ok()) << model.status();
  absl::StatusOr<ml::TreeEnsemble> ensemble =
      ml::TreeEnsemble::FromXgboostJson((*model)->ModelJson().value());
  ASSERT_TRUE(ensemble.ok()) << ensemble.status();
  ASSERT_EQ(ensemble->num_trees(), 300u);

  // Every row of both years, the 2023 ones unseen in training.
  absl::StatusOr<std::vector<double>> expected =
      (*model)->PredictBatchWithXgboost(set->features, set->rows);
  ASSERT_TRUE(expected.ok()) << expected.status();
  size_t rows_with_missing = 0, mismatches = 0;
  for (size_t r = 0; r < set->rows; ++r) {
    const float* row = &set->features[r * set->cols];
    bool missing = false;
    for (size_t c = 0; c < set->cols; ++c) missing = missing || std::isnan(row[c]);
    rows_with_missing += missing;
    const double fast = ensemble->Predict(row, set->cols);
    const double portable = ensemble->PredictPortable(row, set->cols);
    if (Bits(fast) != Bits((*expected)[r]) || Bits(portable) != Bits((*expected)[r])) {
      if (++mismatches <= 5) {
        ADD_FAILURE() << "row " << r << " (" << base::FormatUtcTimestamp(set->decision_times[r])
                      << "): XGBoost " << (*expected)[r] << ", Predict " << fast
                      << ", PredictPortable " << portable;
      }
    }
  }
  EXPECT_EQ(mismatches, 0u) << "of " << set->rows << " rows";
  // The rows exercise the missing-value branches, not only the comparisons.
  EXPECT_GT(rows_with_missing, 1000u);
}

}  // namespace
}  // namespace gridpilot::forecast::models
