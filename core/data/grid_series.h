// The typed half-hourly GB series that the gateway replays: one GridInterval per
// settlement period, regular and sorted, with missing values kept missing.
#ifndef GRIDPILOT_CORE_DATA_GRID_SERIES_H_
#define GRIDPILOT_CORE_DATA_GRID_SERIES_H_

#include <cstddef>
#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace gridpilot::data {

// One half-hour of GB data. All power values are GB-wide averages over the interval (MW).
// A value absent from the source stays std::nullopt; it is never replaced by zero.
struct GridInterval {
  absl::Time start;                         // interval start, UTC
  std::optional<double> net_load_mw;        // NESO ND: demand net of embedded solar+wind
  std::optional<double> embedded_solar_mw;  // NESO estimate, >= 0
  std::optional<double> embedded_wind_mw;   // NESO estimate, >= 0
  std::optional<double> price_gbp_per_mwh;  // Market Index Price, may be negative
};

// A regular half-hourly series. Invariant: intervals()[i].start == start() + i * 30 min.
class GridSeries {
 public:
  GridSeries() = default;

  // Fails with InvalidArgument if the intervals are not consecutive half-hours.
  static absl::StatusOr<GridSeries> Create(std::vector<GridInterval> intervals);

  bool empty() const { return intervals_.empty(); }
  size_t size() const { return intervals_.size(); }
  absl::Time start() const;  // first interval start; UnixEpoch if empty
  absl::Time end() const;    // end of the last interval (exclusive)
  const GridInterval& at(size_t i) const { return intervals_[i]; }
  const std::vector<GridInterval>& intervals() const { return intervals_; }

  // Index of the interval starting exactly at `start`, or nullopt if outside the series
  // or not on the half-hour grid.
  std::optional<size_t> IndexOf(absl::Time start) const;

 private:
  explicit GridSeries(std::vector<GridInterval> intervals) : intervals_(std::move(intervals)) {}
  std::vector<GridInterval> intervals_;
};

}  // namespace gridpilot::data

#endif  // GRIDPILOT_CORE_DATA_GRID_SERIES_H_
