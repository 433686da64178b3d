#include "core/forecast/conformal_band.h"

#include <algorithm>
#include <cmath>
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
        std::vector<double>& sorted = sorted_errors_[horizon];
        const double error = std::fabs(value - it->second);
        errors.push_back(error);
        sorted.insert(std::upper_bound(sorted.begin(), sorted.end(), error), error);
        while (static_cast<int>(errors.size()) > window_) {
          sorted.erase(std::lower_bound(sorted.begin(), sorted.end(), errors.front()));
          errors.pop_front();
        }
      }
      it = by_target.erase(it);
    }
  }
}

std::optional<double> ConformalBand::HalfWidth(absl::Duration horizon) const {
  auto it = sorted_errors_.find(horizon);
  if (it == sorted_errors_.end() || static_cast<int>(it->second.size()) < min_errors_) {
    return std::nullopt;
  }
  const std::vector<double>& sorted = it->second;
  const double n = static_cast<double>(sorted.size());
  const size_t rank = static_cast<size_t>(std::ceil((n + 1.0) * coverage_));
  return sorted[std::min(rank, sorted.size()) - 1];
}

int ConformalBand::ErrorCount(absl::Duration horizon) const {
  auto it = errors_.find(horizon);
  return it == errors_.end() ? 0 : static_cast<int>(it->second.size());
}

}  // namespace gridpilot::forecast
