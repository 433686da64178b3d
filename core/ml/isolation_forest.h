// Isolation Forest (Liu, Ting and Zhou, "Isolation Forest", ICDM 2008): an unsupervised
// anomaly score for rows of numeric features. Each tree isolates a random subsample by
// random axis-parallel splits; rows that are isolated in few splits are anomalous. This
// implementation follows the paper: subsample size psi (default 256), height limit
// ceil(log2(psi)), leaves of size n > 1 credited with c(n), the average path length of an
// unsuccessful search in a binary search tree of n keys, and score
// s(x) = 2^(-E[h(x)] / c(psi)) in (0, 1]; s near 1 is anomalous, well below 0.5 normal.
//
// The anomaly feature rows of a time series are built by anomaly_features.h; this file
// knows nothing of time. Trees are stored as one flat array of nodes (no per-node heap
// allocation) and scoring walks them iteratively. Fit is deterministic in the seed: the
// same data and options give bit-identical forests and scores on every run.
#ifndef GRIDPILOT_CORE_ML_ISOLATION_FOREST_H_
#define GRIDPILOT_CORE_ML_ISOLATION_FOREST_H_

#include <cstdint>
#include <span>
#include <vector>

#include "absl/status/statusor.h"

namespace gridpilot::ml {

struct IsolationForestOptions {
  int tree_count = 100;
  // psi: rows drawn without replacement for each tree (all rows if fewer).
  int subsample_size = 256;
  // Height limit of each tree; 0 means the paper's ceil(log2(psi)).
  int max_depth = 0;
  // Expected share of anomalies in the training rows, in (0, 0.5]. Sets threshold():
  // the training score above which that share of the training rows lies.
  double contamination = 0.01;
  uint64_t seed = 42;
};

// Average path length of an unsuccessful binary-search-tree search among n keys, the
// normaliser of the paper: c(n) = 2 H(n-1) - 2 (n-1) / n with H(i) ~ ln(i) + 0.5772156649
// (Euler's constant); c(2) = 1 and c(n) = 0 for n <= 1. Pure.
double AveragePathLength(int64_t n);

class IsolationForest {
 public:
  // Fits on `rows`: row_count x feature_count doubles, row-major
  // (rows[r * feature_count + f]). feature_count must be >= 1 and rows.size() a positive
  // multiple of it. Returns InvalidArgument for bad options (tree_count < 1,
  // subsample_size < 2, max_depth < 0, contamination outside (0, 0.5]) or bad shape, and
  // InvalidArgument "row R, feature F: value is NaN" (0-based) for a non-finite value: the
  // caller decides what a missing value means before it gets here. Then scores every
  // training row to set threshold().
  static absl::StatusOr<IsolationForest> Fit(std::span<const double> rows, int feature_count,
                                             const IsolationForestOptions& options);

  // Anomaly score s in (0, 1] of each row of `rows` (same layout and feature_count as Fit).
  // InvalidArgument on bad shape or a non-finite value (naming the row and feature).
  // Thread-safe (const).
  absl::StatusOr<std::vector<double>> Score(std::span<const double> rows) const;

  // Score of one row (feature_count values, all finite; not checked). Thread-safe.
  double ScoreRow(const double* row) const;

  // Rows with Score >= threshold() are anomalies. Set by Fit from the contamination: the
  // k-th highest training score, k = max(1, round(contamination * training rows)).
  double threshold() const { return threshold_; }
  int feature_count() const { return feature_count_; }
  int tree_count() const { return static_cast<int>(tree_roots_.size()); }
  // psi actually used (min of the option and the training row count).
  int subsample_size() const { return subsample_size_; }
  int64_t node_count() const { return static_cast<int64_t>(nodes_.size()); }

 private:
  // 16 bytes. An inner node splits on `feature`: rows with value < `value` go to
  // `left_child`, the rest to left_child + 1. A leaf has feature 0, value +inf and
  // left_child = its own index, so a walk that reaches it stays there: scoring takes exactly
  // max_depth_ steps per tree with no test for leaves (inputs are finite, so never >= inf).
  struct Node {
    double value = 0.0;
    int32_t feature = 0;
    uint32_t left_child = 0;
  };

  // Sum over trees of the path length of one row.
  double TotalPathLength(const double* row) const;

  std::vector<Node> nodes_;           // all trees, each tree's nodes contiguous
  std::vector<uint32_t> tree_roots_;  // index of each tree's root in nodes_
  // Per node: for a leaf, the path length credited to rows ending there, depth + c(size);
  // unused (0) for inner nodes.
  std::vector<double> leaf_path_length_;
  int max_depth_ = 0;  // deepest leaf of any tree: the number of steps of a walk
  int feature_count_ = 0;
  int subsample_size_ = 0;
  double normaliser_ = 1.0;  // c(psi)
  double threshold_ = 1.0;
};

}  // namespace gridpilot::ml

#endif  // GRIDPILOT_CORE_ML_ISOLATION_FOREST_H_
