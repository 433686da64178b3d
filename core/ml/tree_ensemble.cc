#include "core/ml/tree_ensemble.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "core/base/status_macros.h"

namespace gridpilot::ml {
namespace {

using Json = nlohmann::json;

absl::Status Bad(absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("XGBoost model JSON: ", what));
}

// The value at a dotted path of object keys under `root`, e.g. "learner.objective.name".
absl::StatusOr<const Json*> Find(const Json& root, absl::string_view path) {
  const Json* node = &root;
  for (absl::string_view key : absl::StrSplit(path, '.')) {
    if (!node->is_object())
      return Bad(absl::StrCat(path, ": parent of ", key, " is not an object"));
    const auto it = node->find(std::string(key));
    if (it == node->end()) return Bad(absl::StrCat(path, " is missing"));
    node = &*it;
  }
  return node;
}

absl::StatusOr<std::string> FindString(const Json& root, absl::string_view path) {
  ASSIGN_OR_RETURN(const Json* node, Find(root, path));
  if (!node->is_string()) return Bad(absl::StrCat(path, " is not a string"));
  return node->get<std::string>();
}

// XGBoost writes its model parameters as numbers inside strings ("5E-1", "30"). Parsed
// straight to float, as XGBoost reads base_score, so no double rounding creeps in.
absl::StatusOr<float> FindFloatInString(const Json& root, absl::string_view path) {
  ASSIGN_OR_RETURN(const std::string text, FindString(root, path));
  float value = 0.0f;
  if (!absl::SimpleAtof(text, &value) || !std::isfinite(value)) {
    return Bad(absl::StrCat(path, " is \"", text, "\", not a finite number"));
  }
  return value;
}

// tree[key] as numbers (booleans read as 0/1, as older XGBoost wrote default_left).
// `where` names the tree ("trees[3]") for messages.
absl::StatusOr<std::vector<double>> NumberArray(const Json& tree, absl::string_view where,
                                                const char* key) {
  const auto it = tree.find(key);
  if (it == tree.end() || !it->is_array()) {
    return Bad(absl::StrCat(where, ".", key, " is missing or not an array"));
  }
  std::vector<double> values;
  values.reserve(it->size());
  for (const Json& v : *it) {
    if (v.is_number()) {
      values.push_back(v.get<double>());
    } else if (v.is_boolean()) {
      values.push_back(v.get<bool>() ? 1.0 : 0.0);
    } else {
      return Bad(absl::StrCat(where, ".", key, "[", values.size(), "] is not a number"));
    }
  }
  return values;
}

// True if v is an integer in [0, limit).
bool IsIndex(double v, double limit) { return v >= 0 && v < limit && v == std::floor(v); }

}  // namespace

absl::StatusOr<TreeEnsemble> TreeEnsemble::FromXgboostJson(std::string_view json) {
  Json root;
  try {
    root = Json::parse(json);
  } catch (const Json::parse_error& e) {
    return Bad(absl::StrCat("not valid JSON: ", e.what()));
  }

  ASSIGN_OR_RETURN(const std::string objective, FindString(root, "learner.objective.name"));
  if (objective != "reg:squarederror" && objective != "binary:logistic") {
    return Bad(absl::StrCat("learner.objective.name is \"", objective,
                            "\"; only reg:squarederror and binary:logistic are supported"));
  }
  ASSIGN_OR_RETURN(const std::string booster, FindString(root, "learner.gradient_booster.name"));
  if (booster != "gbtree") {
    return Bad(absl::StrCat("learner.gradient_booster.name is \"", booster,
                            "\"; only gbtree is supported"));
  }
  ASSIGN_OR_RETURN(const float base_score,
                   FindFloatInString(root, "learner.learner_model_param.base_score"));
  ASSIGN_OR_RETURN(const std::string num_features_text,
                   FindString(root, "learner.learner_model_param.num_feature"));
  int32_t num_features = 0;
  if (!absl::SimpleAtoi(num_features_text, &num_features) || num_features < 1 ||
      num_features >= kLeafFeature) {
    return Bad(absl::StrCat("learner.learner_model_param.num_feature is \"", num_features_text,
                            "\"; expected an integer in [1, ", kLeafFeature, ")"));
  }
  ASSIGN_OR_RETURN(const Json* trees, Find(root, "learner.gradient_booster.model.trees"));
  ASSIGN_OR_RETURN(const Json* tree_info, Find(root, "learner.gradient_booster.model.tree_info"));
  if (!trees->is_array() || !tree_info->is_array() || trees->size() != tree_info->size()) {
    return Bad(
        "learner.gradient_booster.model.trees and .tree_info must be arrays of equal "
        "length");
  }
  // tree_info holds each tree's output group; anything but 0 is a multi-output model.
  for (size_t t = 0; t < tree_info->size(); ++t) {
    if ((*tree_info)[t] != 0) {
      return Bad(absl::StrCat("learner.gradient_booster.model.tree_info[", t, "] is ",
                              (*tree_info)[t].dump(), "; only single-output models are supported"));
    }
  }

  TreeEnsemble ensemble;
  ensemble.logistic_ = objective == "binary:logistic";
  // A logistic model's base_score is a probability; its sum starts from the margin, as
  // XGBoost's ProbToMargin computes it (in float).
  if (ensemble.logistic_ && !(base_score > 0.0f && base_score < 1.0f)) {
    return Bad(absl::StrCat("learner.learner_model_param.base_score is ", base_score,
                            "; a binary:logistic model needs one in (0, 1)"));
  }
  ensemble.base_score_ = ensemble.logistic_ ? -std::log(1.0f / base_score - 1.0f) : base_score;
  ensemble.num_features_ = static_cast<size_t>(num_features);
  for (size_t t = 0; t < trees->size(); ++t) {
    const Json& tree = (*trees)[t];
    const std::string where = absl::StrCat("trees[", t, "]");
    if (!tree.is_object()) return Bad(absl::StrCat(where, " is not an object"));
    ASSIGN_OR_RETURN(const std::vector<double> left, NumberArray(tree, where, "left_children"));
    ASSIGN_OR_RETURN(const std::vector<double> right, NumberArray(tree, where, "right_children"));
    ASSIGN_OR_RETURN(const std::vector<double> feature, NumberArray(tree, where, "split_indices"));
    ASSIGN_OR_RETURN(const std::vector<double> condition,
                     NumberArray(tree, where, "split_conditions"));
    ASSIGN_OR_RETURN(const std::vector<double> default_left,
                     NumberArray(tree, where, "default_left"));
    const size_t n = left.size();
    if (n == 0) return Bad(absl::StrCat(where, ".left_children is empty"));
    for (const auto& [name, values] :
         {std::pair{"right_children", &right}, std::pair{"split_indices", &feature},
          std::pair{"split_conditions", &condition}, std::pair{"default_left", &default_left}}) {
      if (values->size() != n) {
        return Bad(absl::StrCat(where, ".", name, " has ", values->size(),
                                " entries, left_children has ", n));
      }
    }
    // split_type is 1 for a categorical split, which compares differently.
    if (tree.contains("split_type")) {
      ASSIGN_OR_RETURN(const std::vector<double> split_type,
                       NumberArray(tree, where, "split_type"));
      for (size_t i = 0; i < split_type.size(); ++i) {
        if (split_type[i] != 0) {
          return Bad(absl::StrCat(where, ".split_type[", i,
                                  "] is categorical; only numeric splits are supported"));
        }
      }
    }

    // Breadth-first from node 0, renumbering into nodes_: the node at order[k] lands at
    // root + k, so the two children of a node land next to each other. Visiting only
    // reachable nodes skips the slots XGBoost's pruner deleted; refusing a node reached
    // twice guarantees the walk is a tree.
    const int32_t root_index = static_cast<int32_t>(ensemble.nodes_.size());
    std::vector<size_t> order = {0};
    std::vector<int32_t> depth = {0};
    std::vector<bool> seen(n, false);
    seen[0] = true;
    int32_t tree_depth = 0;
    for (size_t k = 0; k < order.size(); ++k) {
      const size_t i = order[k];
      if (order.size() > kMaxTreeNodes) {
        return Bad(absl::StrCat(where, " has more than ", kMaxTreeNodes, " reachable nodes"));
      }
      if (left[i] == -1) {
        if (right[i] != -1) {
          return Bad(absl::StrCat(where, ": node ", i, " has right child ", right[i],
                                  " but no left child"));
        }
        const Node leaf = {static_cast<float>(condition[i]), 0,
                           static_cast<uint16_t>(kLeafFeature | kDefaultLeftBit)};
        ensemble.nodes_.push_back(leaf);
        tree_depth = std::max(tree_depth, depth[k]);
        continue;
      }
      for (double child : {left[i], right[i]}) {
        if (!IsIndex(child, static_cast<double>(n)) || seen[static_cast<size_t>(child)]) {
          return Bad(absl::StrCat(where, ": node ", i, " has child ", child,
                                  ", which is out of range or already has a parent"));
        }
        seen[static_cast<size_t>(child)] = true;
        order.push_back(static_cast<size_t>(child));
        depth.push_back(depth[k] + 1);
      }
      if (!IsIndex(feature[i], num_features)) {
        return Bad(absl::StrCat(where, ".split_indices[", i, "] is ", feature[i],
                                "; the model has ", num_features, " features"));
      }
      // The left child is order[order.size() - 2], at root_index + order.size() - 2.
      const size_t left_offset = order.size() - 2 - k;
      if (left_offset > kMaxTreeNodes) {
        return Bad(absl::StrCat(where, " has more than ", kMaxTreeNodes, " reachable nodes"));
      }
      const Node split = {
          static_cast<float>(condition[i]), static_cast<uint16_t>(left_offset),
          static_cast<uint16_t>(static_cast<uint16_t>(feature[i]) |
                                (default_left[i] != 0 ? kDefaultLeftBit : uint16_t{0}))};
      ensemble.nodes_.push_back(split);
    }
    ensemble.tree_roots_.push_back(root_index);
    ensemble.tree_depths_.push_back(tree_depth);
  }
  return ensemble;
}

#if defined(__x86_64__)
namespace {

bool HasAvx512() {
  static const bool has_avx512 = __builtin_cpu_supports("avx512f");
  return has_avx512;
}

// One step of sixteen walks, lane by lane as TreeEnsemble's scalar `step` (the node layout
// is the header's Node: word 0 the value, word 1 left_offset in its low and feature |
// default_left in its high 16 bits). GCC 12 warns that the unmasked gathers and shifts read
// an undefined register: the masked forms with every lane set and a zero source are the
// same instructions.
__attribute__((target("avx512f"), always_inline)) inline __m512i StepAvx512(__m512i at,
                                                                            const char* words,
                                                                            const float* row,
                                                                            __m512i limit) {
  const __mmask16 all = 0xffff;
  const __m512 threshold = _mm512_mask_i32gather_ps(_mm512_setzero_ps(), all, at, words, 8);
  const __m512i meta = _mm512_mask_i32gather_epi32(_mm512_setzero_si512(), all, at, words + 4, 8);
  const __m512i feature =
      _mm512_and_si512(_mm512_maskz_srli_epi32(all, meta, 16), _mm512_set1_epi32(0x7fff));
  const __mmask16 present = _mm512_cmplt_epi32_mask(feature, limit);
  const __m512 value = _mm512_mask_i32gather_ps(
      _mm512_set1_ps(std::numeric_limits<float>::quiet_NaN()), present, feature, row, 4);
  const __mmask16 is_nan = _mm512_cmp_ps_mask(value, value, _CMP_UNORD_Q);
  const __mmask16 below = _mm512_cmp_ps_mask(value, threshold, _CMP_LT_OQ);
  const __mmask16 default_left =
      _mm512_test_epi32_mask(meta, _mm512_set1_epi32(static_cast<int32_t>(0x80000000u)));
  const __mmask16 go_left = static_cast<__mmask16>((is_nan & default_left) | below);
  const __m512i left = _mm512_add_epi32(at, _mm512_and_si512(meta, _mm512_set1_epi32(0xffff)));
  return _mm512_mask_add_epi32(left, static_cast<__mmask16>(~go_left), left, _mm512_set1_epi32(1));
}

// Adds to `sum` the leaves the sixteen walks `at` stopped at, in lane (tree) order.
__attribute__((target("avx512f"), always_inline)) inline float AddLanesAvx512(__m512i at,
                                                                              const char* words,
                                                                              float sum) {
  alignas(64) float leaves[16];
  _mm512_store_ps(leaves, _mm512_mask_i32gather_ps(_mm512_setzero_ps(), 0xffff, at, words, 8));
  for (float leaf : leaves) sum += leaf;
  return sum;
}

// The AVX-512 walk of every tree: four vectors of sixteen trees step together, so the
// gathers of one overlap the others'. Returns `sum` plus the leaves in tree order.
__attribute__((target("avx512f"))) float AddLeavesAvx512(const void* nodes, const int32_t* roots,
                                                         const int32_t* depths, size_t num_trees,
                                                         const float* row, size_t limit,
                                                         float sum) {
  constexpr size_t kLanes = 16;
  const char* const words = static_cast<const char*>(nodes);
  const __m512i limit_v = _mm512_set1_epi32(static_cast<int32_t>(std::min<size_t>(limit, 0x7fff)));
  size_t t = 0;
  constexpr size_t kVectors = 4;
  for (; t + kVectors * kLanes <= num_trees; t += kVectors * kLanes) {
    __m512i at[kVectors];
    for (size_t v = 0; v < kVectors; ++v) at[v] = _mm512_loadu_si512(roots + t + v * kLanes);
    const int32_t steps = *std::max_element(depths + t, depths + t + kVectors * kLanes);
    for (int32_t s = 0; s < steps; ++s) {
      for (size_t v = 0; v < kVectors; ++v) at[v] = StepAvx512(at[v], words, row, limit_v);
    }
    for (size_t v = 0; v < kVectors; ++v) sum = AddLanesAvx512(at[v], words, sum);
  }
  // The rest, up to sixteen at a time; lanes past the last tree walk tree 0 and are not
  // added.
  for (; t < num_trees; t += kLanes) {
    const size_t lanes = std::min(kLanes, num_trees - t);
    const __mmask16 active = static_cast<__mmask16>((1u << lanes) - 1);
    __m512i at = _mm512_mask_loadu_epi32(_mm512_set1_epi32(roots[0]), active, roots + t);
    const int32_t steps = *std::max_element(depths + t, depths + t + lanes);
    for (int32_t s = 0; s < steps; ++s) at = StepAvx512(at, words, row, limit_v);
    alignas(64) float leaves[kLanes];
    _mm512_store_ps(leaves, _mm512_mask_i32gather_ps(_mm512_setzero_ps(), 0xffff, at, words, 8));
    for (size_t k = 0; k < lanes; ++k) sum += leaves[k];
  }
  return sum;
}

}  // namespace
#endif

float TreeEnsemble::AddLeaves(const float* row, size_t limit, float sum) const {
  const Node* const nodes = nodes_.data();
  // One step down from node i; a leaf steps to itself.
  auto step = [nodes, row, limit](int32_t i) {
    const Node& node = nodes[i];
    const size_t f = node.feature & kLeafFeature;
    const float value = f < limit ? row[f] : std::numeric_limits<float>::quiet_NaN();
    const bool go_left =
        std::isnan(value) ? (node.feature & kDefaultLeftBit) != 0 : value < node.value;
    return i + static_cast<int32_t>(node.left_offset) + !go_left;
  };
  // Eight trees walk side by side because a walk is a chain of dependent loads:
  // interleaving lets the CPU overlap eight of them.
  constexpr size_t kLanes = 8;
  const size_t num_trees = tree_roots_.size();
  size_t t = 0;
  for (; t + kLanes <= num_trees; t += kLanes) {
    int32_t at[kLanes];
    int32_t steps = 0;
    for (size_t k = 0; k < kLanes; ++k) {
      at[k] = tree_roots_[t + k];
      steps = std::max(steps, tree_depths_[t + k]);
    }
    for (int32_t s = 0; s < steps; ++s) {
      for (size_t k = 0; k < kLanes; ++k) at[k] = step(at[k]);
    }
    for (size_t k = 0; k < kLanes; ++k) sum += nodes[at[k]].value;
  }
  for (; t < num_trees; ++t) {
    int32_t a = tree_roots_[t];
    for (int32_t s = 0; s < tree_depths_[t]; ++s) a = step(a);
    sum += nodes[a].value;
  }
  return sum;
}

double TreeEnsemble::Finish(float sum) const {
  if (logistic_) return 1.0f / (1.0f + std::exp(-sum));  // XGBoost's float sigmoid
  return sum;
}

// XGBoost starts from base_score and adds each tree's leaf in float, in tree order; doing
// the same gives bit-identical results. Every split feature is below num_features_ and a
// leaf's is kLeafFeature, above it, so one comparison with `limit` both keeps a short row
// from being read past its end and makes a leaf's feature missing.
double TreeEnsemble::Predict(const float* row, size_t cols) const {
  const size_t limit = std::min(cols, num_features_);
#if defined(__x86_64__)
  static_assert(sizeof(Node) == 8 && offsetof(Node, value) == 0 &&
                offsetof(Node, left_offset) == 4 && offsetof(Node, feature) == 6);
  if (HasAvx512()) {
    return Finish(AddLeavesAvx512(nodes_.data(), tree_roots_.data(), tree_depths_.data(),
                                  tree_roots_.size(), row, limit, base_score_));
  }
#endif
  return Finish(AddLeaves(row, limit, base_score_));
}

double TreeEnsemble::PredictPortable(const float* row, size_t cols) const {
  return Finish(AddLeaves(row, std::min(cols, num_features_), base_score_));
}

}  // namespace gridpilot::ml
