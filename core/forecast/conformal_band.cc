#include "core/forecast/conformal_band.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <vector>

namespace gridpilot::forecast {

ConformalBand::ConformalBand(double coverage, int window, int min_errors)
    : coverage_(coverage), window_(std::max(1, window)), min_errors_(std::max(1, min_errors)) {}

void ConformalBand::AddForecast(absl::Duration horizon, absl::Time target, double value) {
  if (!std::isfinite(value)) return;
  pending_[horizon][target] = value;
}

void ConformalBand::AddMeasurement(absl::Time interval_start, double value) {
  for (auto& [horizon, by_target] : pending_) {
    auto it = by_target.begin();
    while (it != by_target.end() && it->first <= interval_start) {
      if (it->first == interval_start && std::isfinite(value)) {
        std::deque<double>& errors = errors_[horizon];
        errors.push_back(std::fabs(value - it->second));
        while (static_cast<int>(errors.size()) > window_) errors.pop_front();
      }
      it = by_target.erase(it);
    }
  }
}

std::optional<double> ConformalBand::HalfWidth(absl::Duration horizon) const {
  auto it = errors_.find(horizon);
  if (it == errors_.end() || static_cast<int>(it->second.size()) < min_errors_) {
    return std::nullopt;
  }
  // The rank-th smallest is a selection, not a sort (it runs for every horizon of every
  // issued forecast).
  std::vector<double> errors(it->second.begin(), it->second.end());
  const double n = static_cast<double>(errors.size());
  const size_t rank = static_cast<size_t>(std::ceil((n + 1.0) * coverage_));
  const auto nth = errors.begin() + static_cast<std::ptrdiff_t>(std::min(rank, errors.size()) - 1);
  std::nth_element(errors.begin(), nth, errors.end());
  return *nth;
}

int ConformalBand::ErrorCount(absl::Duration horizon) const {
  auto it = errors_.find(horizon);
  return it == errors_.end() ? 0 : static_cast<int>(it->second.size());
}

}  // namespace gridpilot::forecast
