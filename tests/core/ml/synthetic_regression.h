// Test helper: seeded synthetic regression sets (a feature matrix and a target per row)
// for the tests of the tree models, trained through XgboostRegressor. Header-only; each
// test file defines the function its rows and targets follow.
#ifndef GRIDPILOT_TESTS_CORE_ML_SYNTHETIC_REGRESSION_H_
#define GRIDPILOT_TESTS_CORE_ML_SYNTHETIC_REGRESSION_H_

#include <cstdint>
#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/ml/xgboost_model.h"
#include "gtest/gtest.h"

namespace gridpilot::ml {

struct Synthetic {
  std::vector<float> features;  // row-major, rows x cols
  std::vector<float> targets;   // one per row
  size_t rows = 0;
  size_t cols = 0;

  // The features of row `r`.
  std::vector<float> Row(size_t r) const {
    return {features.begin() + r * cols, features.begin() + (r + 1) * cols};
  }
};

// `rows` rows of `cols` features from a generator seeded with `seed`: draw(rng, row) fills
// the `cols` floats at `row` and returns the row's target, drawing from `rng` in a fixed
// order so a seed always gives the same set.
template <typename Draw>
Synthetic MakeSynthetic(size_t rows, size_t cols, uint32_t seed, Draw draw) {
  std::mt19937 rng(seed);
  Synthetic s;
  s.rows = rows;
  s.cols = cols;
  std::vector<float> row(cols);
  for (size_t r = 0; r < rows; ++r) {
    s.targets.push_back(draw(rng, row.data()));
    s.features.insert(s.features.end(), row.begin(), row.end());
  }
  return s;
}

// An XGBoost regressor trained with `params` on all of `data`.
inline absl::StatusOr<std::unique_ptr<XgboostRegressor>> TrainOn(const Synthetic& data,
                                                                 const XgboostParams& params) {
  return XgboostRegressor::Train(data.features, data.rows, data.cols, data.targets, params);
}

// `name` in GoogleTest's temp dir.
inline std::string TempPath(const std::string& name) {
  return (std::filesystem::path(::testing::TempDir()) / name).string();
}

}  // namespace gridpilot::ml

#endif  // GRIDPILOT_TESTS_CORE_ML_SYNTHETIC_REGRESSION_H_
