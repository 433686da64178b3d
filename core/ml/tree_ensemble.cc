#include "core/ml/tree_ensemble.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>

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
  if (!absl::SimpleAtoi(num_features_text, &num_features) || num_features < 1) {
    return Bad(absl::StrCat("learner.learner_model_param.num_feature is \"", num_features_text,
                            "\"; expected a positive integer"));
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
      const int32_t self = root_index + static_cast<int32_t>(k);
      if (left[i] == -1) {
        if (right[i] != -1) {
          return Bad(absl::StrCat(where, ": node ", i, " has right child ", right[i],
                                  " but no left child"));
        }
        ensemble.nodes_.push_back({std::numeric_limits<float>::quiet_NaN(), 0, self - 1, false});
        ensemble.leaf_values_.push_back(static_cast<float>(condition[i]));
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
      ensemble.nodes_.push_back({static_cast<float>(condition[i]), static_cast<int32_t>(feature[i]),
                                 root_index + static_cast<int32_t>(order.size()) - 2,
                                 default_left[i] != 0});
      ensemble.leaf_values_.push_back(0.0f);
    }
    ensemble.tree_roots_.push_back(root_index);
    ensemble.tree_depths_.push_back(tree_depth);
  }
  return ensemble;
}

double TreeEnsemble::Predict(const float* row, size_t cols) const {
  const Node* const nodes = nodes_.data();
  // One step down from node i; a leaf steps to itself.
  auto step = [nodes, row, cols](int32_t i) {
    const Node& node = nodes[i];
    const size_t f = static_cast<size_t>(node.feature);
    const float value = f < cols ? row[f] : std::numeric_limits<float>::quiet_NaN();
    const bool go_left = std::isnan(value) ? node.default_left : value < node.threshold;
    return node.left + !go_left;
  };
  // XGBoost starts from base_score and adds each tree's leaf in float, in tree order;
  // doing the same gives bit-identical results. Eight trees walk side by side because a
  // walk is a chain of dependent loads: interleaving lets the CPU overlap eight of them.
  constexpr size_t kLanes = 8;
  float sum = base_score_;
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
    for (size_t k = 0; k < kLanes; ++k) sum += leaf_values_[at[k]];
  }
  for (; t < num_trees; ++t) {
    int32_t a = tree_roots_[t];
    for (int32_t s = 0; s < tree_depths_[t]; ++s) a = step(a);
    sum += leaf_values_[a];
  }
  if (logistic_) return 1.0f / (1.0f + std::exp(-sum));  // XGBoost's float sigmoid
  return sum;
}

}  // namespace gridpilot::ml
