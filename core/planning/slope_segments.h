// The slope sequence of a concave piecewise-linear function, the data structure behind the
// exact optimiser's dynamic programme (battery_lp_solver.h): the value of stored energy is
// concave and piecewise linear, each interval merges two segments into it and the SoC
// bounds cut it at either end. Lengths are MWh of stored energy; which slopes the ranks
// stand for is the caller's business. Not thread-safe; internal to the exact optimiser.
#ifndef GRIDPILOT_CORE_PLANNING_SLOPE_SEGMENTS_H_
#define GRIDPILOT_CORE_PLANNING_SLOPE_SEGMENTS_H_

#include <vector>

namespace gridpilot::planning::lp {

// The segments of a concave piecewise-linear function, kept by slope rank (rank 0 =
// steepest). Every slope that can occur is known before the pass, so ranks are fixed and
// two Fenwick trees give, in O(log n), the length of all segments steeper than a rank
// and the first or last non-empty rank. Counts are integers so that "empty" is exact.
class SlopeSegments {
 public:
  // `ranks` (> 0) slope ranks, 0 .. ranks - 1, all empty.
  explicit SlopeSegments(int ranks)
      : length_(ranks, 0.0), tree_length_(ranks + 1, 0.0), tree_count_(ranks + 1, 0) {}

  // Lengthens the segment of slope rank `rank` by `length`; nothing unless length > 0.
  void Add(int rank, double length) {
    if (!(length > 0)) return;
    if (length_[rank] == 0) UpdateCount(rank, 1);
    length_[rank] += length;
    UpdateLength(rank, length);
  }

  // Total length of segments with rank < `rank`.
  double LengthBefore(int rank) const {
    double sum = 0.0;
    for (int i = rank; i > 0; i -= i & -i) sum += tree_length_[i];
    return sum;
  }

  // Removes `length` from the steep end (left of the domain) or the shallow end (right);
  // all of them when `length` exceeds the total.
  void CutSteep(double length) { Cut(length, /*steep=*/true); }
  void CutShallow(double length) { Cut(length, /*steep=*/false); }

 private:
  void Cut(double length, bool steep);

  void UpdateLength(int rank, double delta) {
    for (int i = rank + 1; i < static_cast<int>(tree_length_.size()); i += i & -i) {
      tree_length_[i] += delta;
    }
  }

  void UpdateCount(int rank, int delta) {
    count_ += delta;
    for (int i = rank + 1; i < static_cast<int>(tree_count_.size()); i += i & -i) {
      tree_count_[i] += delta;
    }
  }

  // The rank of the n-th non-empty rank (1-based), by binary lifting on the count tree.
  int RankOfNth(int n) const;

  std::vector<double> length_;
  std::vector<double> tree_length_;
  std::vector<int> tree_count_;
  int count_ = 0;
};

}  // namespace gridpilot::planning::lp

#endif  // GRIDPILOT_CORE_PLANNING_SLOPE_SEGMENTS_H_
