// A compiled evaluator for a trained XGBoost gradient-boosted tree regressor. XGBoost's
// own single-row prediction parses a JSON config and builds a proxy DMatrix on every
// call (25-35 us a row), which put the forecasts on the critical path of a backtest.
// TreeEnsemble reads the trees once from the model's JSON (XGBoosterSaveModelToBuffer
// with {"format":"json"}) into one flat node array and then walks them with no
// allocation, no lock and no data-dependent branch (about 2 us a row for 300 trees of
// depth 6 with AVX-512, 3 us without; docs/decisions.md "Tree ensemble layout and the
// forecast tick's allocations"). It reproduces XGBoost's arithmetic, so the two agree to
// the bit: float accumulation in tree order, "go left iff value < threshold", NaN takes
// the default branch. XgboostRegressor builds one for every model it trains or loads.
#ifndef GRIDPILOT_CORE_ML_TREE_ENSEMBLE_H_
#define GRIDPILOT_CORE_ML_TREE_ENSEMBLE_H_

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace gridpilot::ml {

// Immutable once built: Predict may be called from any number of threads at once.
// Copyable and movable.
class TreeEnsemble {
 public:
  // Builds the evaluator from an XGBoost (1.x) JSON model. Supported: booster "gbtree"
  // with objective "reg:squarederror" or "binary:logistic", one output, numeric splits only.
  // InvalidArgument naming the offending field (e.g. "learner.objective.name",
  // "trees[3].left_children") if the text is not JSON, a field is missing or has the wrong type or
  // length, the objective or booster is another one, a split is categorical, a split feature is
  // outside [0, num_feature), or a tree's child links do not form a tree rooted at node 0;
  // also if num_feature is 32767 or more or a tree has more than 65535 reachable nodes (the
  // compact node layout's bounds; XGBoost's depth-6 trees have at most 127).
  static absl::StatusOr<TreeEnsemble> FromXgboostJson(std::string_view json);

  // The model's prediction for one row of `cols` features (NaN = missing): base_score
  // plus the leaf value of every tree, summed in float in tree order as XGBoost does;
  // for binary:logistic, the sigmoid of that sum from the base margin (a probability).
  // cols should equal num_features(); a feature index >= cols is treated as missing, so
  // a short row is never read past its end. No allocation, no lock.
  // On a CPU with AVX-512 the walk takes sixteen trees per vector (gathers), four vectors
  // at a time; elsewhere, eight scalar walks side by side. Both add the leaves in tree
  // order, so the result does not depend on the path.
  double Predict(const float* row, size_t cols) const;

  // Predict without the AVX-512 path, whatever the CPU: for tests that compare the two.
  double PredictPortable(const float* row, size_t cols) const;

  // Number of features the model was trained on (learner_model_param.num_feature).
  size_t num_features() const { return num_features_; }
  size_t num_trees() const { return tree_roots_.size(); }

 private:
  // One tree node in 8 bytes, so a model of 300 depth-6 trees (about 235 KB) stays in
  // the L2 cache next to the other models a forecast tick walks. The children of a split
  // are adjacent (right = left + 1), so a step is `self + left_offset + !go_left`, with no
  // branch to mispredict. A leaf steps to itself: its feature is kLeafFeature, which every
  // row lacks (>= num_features()), and its default branch is left, with left_offset 0. So
  // Predict walks each tree a fixed number of steps, its depth, and reads the leaf's value
  // from the node it stopped at.
  struct Node {
    float value;           // split: go left iff x < value; leaf: the leaf value
    uint16_t left_offset;  // index of the left child minus this node's; 0 for a leaf
    uint16_t feature;      // bits 0-14: split feature (kLeafFeature for a leaf); bit 15:
                           // default_left, the branch taken when the feature is missing
  };
  static constexpr uint16_t kLeafFeature = 0x7fff;
  static constexpr uint16_t kDefaultLeftBit = 0x8000;
  // Bounds the packing imposes, checked when a model is read: features below kLeafFeature,
  // and a tree's reachable nodes (hence any left_offset) at most kMaxTreeNodes.
  static constexpr size_t kMaxTreeNodes = 0xffff;

  TreeEnsemble() = default;

  // `sum` plus the leaves of every tree, added in tree order, walked by the portable path;
  // `limit` as in Predict.
  float AddLeaves(const float* row, size_t limit, float sum) const;
  // The prediction from the summed margin: the sum, or its sigmoid for binary:logistic.
  double Finish(float sum) const;

  std::vector<Node> nodes_;           // every tree, each stored breadth-first from its root
  std::vector<int32_t> tree_roots_;   // index into nodes_ of each tree's root, tree order
  std::vector<int32_t> tree_depths_;  // per tree: steps from the root to its deepest leaf
  float base_score_ = 0.0f;           // the margin the sum starts from
  bool logistic_ = false;             // binary:logistic: Predict returns sigmoid(sum)
  size_t num_features_ = 0;
};

}  // namespace gridpilot::ml

#endif  // GRIDPILOT_CORE_ML_TREE_ENSEMBLE_H_
