#include "core/planning/slope_segments.h"

#include <algorithm>

namespace gridpilot::planning::lp {

void SlopeSegments::Cut(double length, bool steep) {
  while (length > 0 && count_ > 0) {
    const int rank = RankOfNth(steep ? 1 : count_);
    const double take = std::min(length, length_[rank]);
    length -= take;
    if (take == length_[rank]) {
      UpdateLength(rank, -length_[rank]);
      length_[rank] = 0.0;
      UpdateCount(rank, -1);
    } else {
      length_[rank] -= take;
      UpdateLength(rank, -take);
    }
  }
}

int SlopeSegments::RankOfNth(int n) const {
  const int size = static_cast<int>(tree_count_.size()) - 1;
  int position = 0;
  int step = 1;
  while (step * 2 <= size) step *= 2;
  for (; step > 0; step /= 2) {
    if (position + step <= size && tree_count_[position + step] < n) {
      position += step;
      n -= tree_count_[position];
    }
  }
  return position;  // tree index position + 1 holds rank `position`
}

}  // namespace gridpilot::planning::lp
