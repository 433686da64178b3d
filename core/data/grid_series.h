// The typed series that the gateway replays: one GridInterval per settlement interval
// (30 minutes for GB; a region's resolution_minutes otherwise), regular and sorted, with
// missing values kept missing.
#ifndef GRIDPILOT_CORE_DATA_GRID_SERIES_H_
#define GRIDPILOT_CORE_DATA_GRID_SERIES_H_

#include <cstddef>
#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace gridpilot::data {

// One interval of the region's data. All power values are GB-wide averages over the interval (MW).
// A value absent from the source stays std::nullopt; it is never replaced by zero.
struct GridInterval {
  absl::Time start;                         // interval start, UTC
  std::optional<double> net_load_mw;        // NESO ND: demand net of embedded solar+wind
  std::optional<double> embedded_solar_mw;  // NESO estimate, >= 0
  std::optional<double> embedded_wind_mw;   // NESO estimate, >= 0
  std::optional<double> price_gbp_per_mwh;  // Market Index Price, may be negative
};

// A regular series. Invariant: intervals()[i].start == start() + i * interval().
class GridSeries {
 public:
  GridSeries() = default;

  // Fails with InvalidArgument if the intervals are not consecutive, `interval` apart, or
  // `interval` is not 5, 15, 30 or 60 minutes.
  static absl::StatusOr<GridSeries> Create(std::vector<GridInterval> intervals,
                                           absl::Duration interval = absl::Minutes(30));

  bool empty() const { return intervals_.empty(); }
  size_t size() const { return intervals_.size(); }
  absl::Time start() const;  // first interval start; UnixEpoch if empty
  absl::Time end() const;    // end of the last interval (exclusive)
  const GridInterval& at(size_t i) const { return intervals_[i]; }
  const std::vector<GridInterval>& intervals() const { return intervals_; }
  absl::Duration interval() const { return interval_; }  // each interval's length

  // Index of the interval starting exactly at `start`, or nullopt if outside the series
  // or not on the series' grid.
  std::optional<size_t> IndexOf(absl::Time start) const;

 private:
  GridSeries(std::vector<GridInterval> intervals, absl::Duration interval)
      : intervals_(std::move(intervals)), interval_(interval) {}
  std::vector<GridInterval> intervals_;
  absl::Duration interval_ = absl::Minutes(30);
};

}  // namespace gridpilot::data

#endif  // GRIDPILOT_CORE_DATA_GRID_SERIES_H_
