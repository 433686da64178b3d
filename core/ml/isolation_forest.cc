#include "core/ml/isolation_forest.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace gridpilot::ml {
namespace {

constexpr double kEulerGamma = 0.5772156649015329;
// Rows scored together: their walks of one tree are independent, so the CPU overlaps them,
// and the block's features stay in cache while every tree passes over them.
constexpr size_t kScoreBlockRows = 256;
constexpr size_t kLanes = 16;

// Uniform draws from the raw 64-bit output, so results do not depend on how a standard
// library implements its distributions.
double UniformUnit(std::mt19937_64& rng) {  // [0, 1)
  return static_cast<double>(rng() >> 11) * 0x1.0p-53;
}
uint64_t UniformBelow(std::mt19937_64& rng, uint64_t n) {  // [0, n), n > 0
  return static_cast<uint64_t>((static_cast<unsigned __int128>(rng()) * n) >> 64);
}

absl::Status CheckShape(std::span<const double> rows, int feature_count) {
  if (feature_count < 1) return absl::InvalidArgumentError("feature_count must be >= 1");
  if (rows.empty() || rows.size() % static_cast<size_t>(feature_count) != 0) {
    return absl::InvalidArgumentError(absl::StrCat("expected a positive multiple of ",
                                                   feature_count, " values, got ", rows.size()));
  }
  return absl::OkStatus();
}

absl::Status CheckFinite(std::span<const double> rows, int feature_count) {
  for (size_t i = 0; i < rows.size(); ++i) {
    if (!std::isfinite(rows[i])) {
      return absl::InvalidArgumentError(absl::StrCat("row ", i / feature_count, ", feature ",
                                                     i % feature_count, ": value is ",
                                                     std::isnan(rows[i]) ? "NaN" : "infinite"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

double AveragePathLength(int64_t n) {
  if (n <= 1) return 0.0;
  if (n == 2) return 1.0;
  const double m = static_cast<double>(n - 1);
  return 2.0 * (std::log(m) + kEulerGamma) - 2.0 * m / static_cast<double>(n);
}

absl::StatusOr<IsolationForest> IsolationForest::Fit(std::span<const double> rows,
                                                     int feature_count,
                                                     const IsolationForestOptions& options) {
  if (options.tree_count < 1) return absl::InvalidArgumentError("tree_count must be >= 1");
  if (options.subsample_size < 2) {
    return absl::InvalidArgumentError("subsample_size must be >= 2");
  }
  if (options.max_depth < 0) return absl::InvalidArgumentError("max_depth must be >= 0");
  if (!(options.contamination > 0.0 && options.contamination <= 0.5)) {
    return absl::InvalidArgumentError(
        absl::StrCat("contamination must be in (0, 0.5], got ", options.contamination));
  }
  if (absl::Status s = CheckShape(rows, feature_count); !s.ok()) return s;
  if (absl::Status s = CheckFinite(rows, feature_count); !s.ok()) return s;

  const size_t d = static_cast<size_t>(feature_count);
  const size_t row_count = rows.size() / d;
  IsolationForest forest;
  forest.feature_count_ = feature_count;
  forest.subsample_size_ =
      static_cast<int>(std::min<size_t>(row_count, static_cast<size_t>(options.subsample_size)));
  const size_t psi = static_cast<size_t>(forest.subsample_size_);
  forest.normaliser_ = std::max(AveragePathLength(forest.subsample_size_), 1.0);
  const int depth_limit =
      options.max_depth > 0
          ? options.max_depth
          : static_cast<int>(std::ceil(std::log2(static_cast<double>(std::max<size_t>(psi, 2)))));

  std::mt19937_64 rng(options.seed);
  // A permutation of all rows; a partial Fisher-Yates shuffle of its first psi places draws
  // each tree's subsample. Starting from the previous tree's order does not bias the draw.
  std::vector<uint32_t> permutation(row_count);
  for (size_t i = 0; i < row_count; ++i) permutation[i] = static_cast<uint32_t>(i);
  std::vector<double> sample(psi * d);  // the subsample's rows, contiguous
  std::vector<uint32_t> order(psi);     // sample rows, partitioned in place as the tree grows
  std::vector<double> low(d), high(d);
  std::vector<int> splittable;
  splittable.reserve(d);
  struct Pending {
    uint32_t node;
    uint32_t begin, end;
    int depth;
  };
  std::vector<Pending> stack;
  // A full binary tree of height limit L has at most 2^(L+1) - 1 nodes, and never more
  // than 2 psi - 1 (every split separates at least one row).
  const size_t max_nodes_per_tree = 2 * psi - 1;
  forest.nodes_.reserve(max_nodes_per_tree * static_cast<size_t>(options.tree_count));
  forest.leaf_path_length_.reserve(forest.nodes_.capacity());

  for (int tree = 0; tree < options.tree_count; ++tree) {
    for (size_t i = 0; i < psi; ++i) {
      const size_t j = i + UniformBelow(rng, row_count - i);
      std::swap(permutation[i], permutation[j]);
      std::copy_n(rows.data() + static_cast<size_t>(permutation[i]) * d, d, &sample[i * d]);
      order[i] = static_cast<uint32_t>(i);
    }
    const uint32_t root = static_cast<uint32_t>(forest.nodes_.size());
    forest.tree_roots_.push_back(root);
    forest.nodes_.emplace_back();
    forest.leaf_path_length_.push_back(0.0);
    stack.push_back({root, 0, static_cast<uint32_t>(psi), 0});
    while (!stack.empty()) {
      const Pending task = stack.back();
      stack.pop_back();
      const uint32_t size = task.end - task.begin;
      splittable.clear();
      if (task.depth < depth_limit && size > 1) {
        std::fill(low.begin(), low.end(), std::numeric_limits<double>::infinity());
        std::fill(high.begin(), high.end(), -std::numeric_limits<double>::infinity());
        for (uint32_t k = task.begin; k < task.end; ++k) {
          const double* x = &sample[static_cast<size_t>(order[k]) * d];
          for (size_t f = 0; f < d; ++f) {
            low[f] = std::min(low[f], x[f]);
            high[f] = std::max(high[f], x[f]);
          }
        }
        for (size_t f = 0; f < d; ++f) {
          if (high[f] > low[f]) splittable.push_back(static_cast<int>(f));
        }
      }
      Node& node = forest.nodes_[task.node];
      if (splittable.empty()) {  // leaf: height limit, one row, or identical rows
        node.feature = 0;
        node.value = std::numeric_limits<double>::infinity();
        node.left_child = task.node;
        forest.leaf_path_length_[task.node] = task.depth + AveragePathLength(size);
        forest.max_depth_ = std::max(forest.max_depth_, task.depth);
        continue;
      }
      const int feature = splittable[UniformBelow(rng, splittable.size())];
      double split = low[feature] + UniformUnit(rng) * (high[feature] - low[feature]);
      // Keep both sides non-empty: the minimum goes left, the maximum right.
      if (split <= low[feature]) split = std::nextafter(low[feature], high[feature]);
      const uint32_t* middle = std::partition(
          order.data() + task.begin, order.data() + task.end,
          [&](uint32_t r) { return sample[static_cast<size_t>(r) * d + feature] < split; });
      const uint32_t mid = static_cast<uint32_t>(middle - order.data());
      const uint32_t left = static_cast<uint32_t>(forest.nodes_.size());
      node.feature = feature;
      node.value = split;
      node.left_child = left;  // `node` is not used after the pushes below reallocate
      forest.nodes_.emplace_back();
      forest.nodes_.emplace_back();
      forest.leaf_path_length_.push_back(0.0);
      forest.leaf_path_length_.push_back(0.0);
      stack.push_back({left + 1, mid, task.end, task.depth + 1});
      stack.push_back({left, task.begin, mid, task.depth + 1});
    }
  }

  absl::StatusOr<std::vector<double>> training_scores = forest.Score(rows);
  if (!training_scores.ok()) return training_scores.status();
  std::vector<double>& scores = *training_scores;
  const size_t k = std::clamp<size_t>(
      static_cast<size_t>(std::llround(options.contamination * static_cast<double>(row_count))), 1,
      row_count);
  std::nth_element(scores.begin(), scores.begin() + (k - 1), scores.end(), std::greater<>());
  forest.threshold_ = scores[k - 1];
  return forest;
}

double IsolationForest::TotalPathLength(const double* row) const {
  // kLanes trees walk side by side, their chains of loads overlapping; the path lengths
  // are still added in tree order, so the total is the same double as a tree-by-tree walk.
  const Node* const nodes = nodes_.data();
  const size_t num_trees = tree_roots_.size();
  double total = 0.0;
  size_t t = 0;
  for (; t + kLanes <= num_trees; t += kLanes) {
    uint32_t at[kLanes];
    for (size_t j = 0; j < kLanes; ++j) at[j] = tree_roots_[t + j];
    for (int step = 0; step < max_depth_; ++step) {
      for (size_t j = 0; j < kLanes; ++j) {
        const Node& n = nodes[at[j]];
        at[j] = n.left_child + (row[n.feature] >= n.value ? 1u : 0u);
      }
    }
    for (size_t j = 0; j < kLanes; ++j) total += leaf_path_length_[at[j]];
  }
  for (; t < num_trees; ++t) {
    uint32_t i = tree_roots_[t];
    for (int step = 0; step < max_depth_; ++step) {
      const Node& n = nodes[i];
      i = n.left_child + (row[n.feature] >= n.value ? 1u : 0u);
    }
    total += leaf_path_length_[i];
  }
  return total;
}

double IsolationForest::ScoreRow(const double* row) const {
  const double mean_path = TotalPathLength(row) / static_cast<double>(tree_roots_.size());
  return std::exp2(-mean_path / normaliser_);
}

absl::StatusOr<std::vector<double>> IsolationForest::Score(std::span<const double> rows) const {
  if (absl::Status s = CheckShape(rows, feature_count_); !s.ok()) return s;
  if (absl::Status s = CheckFinite(rows, feature_count_); !s.ok()) return s;
  const size_t d = static_cast<size_t>(feature_count_);
  const size_t row_count = rows.size() / d;
  std::vector<double> scores(row_count, 0.0);  // first the summed path lengths
  const Node* nodes = nodes_.data();
  for (size_t begin = 0; begin < row_count; begin += kScoreBlockRows) {
    const size_t end = std::min(row_count, begin + kScoreBlockRows);
    for (const uint32_t root : tree_roots_) {
      size_t r = begin;
      // kLanes rows walk the tree in lock-step: their loads are independent, so they
      // overlap instead of waiting on one row's chain of node -> feature -> child loads.
      for (; r + kLanes <= end; r += kLanes) {
        uint32_t at[kLanes];
        for (size_t j = 0; j < kLanes; ++j) at[j] = root;
        const double* x = rows.data() + r * d;
        for (int step = 0; step < max_depth_; ++step) {
          for (size_t j = 0; j < kLanes; ++j) {
            const Node& n = nodes[at[j]];
            at[j] = n.left_child + (x[j * d + n.feature] >= n.value ? 1u : 0u);
          }
        }
        for (size_t j = 0; j < kLanes; ++j) scores[r + j] += leaf_path_length_[at[j]];
      }
      for (; r < end; ++r) {
        const double* x = rows.data() + r * d;
        uint32_t i = root;
        for (int step = 0; step < max_depth_; ++step) {
          const Node& n = nodes[i];
          i = n.left_child + (x[n.feature] >= n.value ? 1u : 0u);
        }
        scores[r] += leaf_path_length_[i];
      }
    }
  }
  const double trees = static_cast<double>(tree_roots_.size());
  for (double& s : scores) s = std::exp2(-(s / trees) / normaliser_);
  return scores;
}

}  // namespace gridpilot::ml
