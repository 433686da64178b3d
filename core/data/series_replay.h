// SeriesReplay: a half-hourly series replayed as a TelemetrySource, one reading per
// settlement interval, as the data has it (the lock-step backtest's feed). Values are
// passed through unchanged, absent ones stay absent; no event is ever injected.
#ifndef GRIDPILOT_CORE_DATA_SERIES_REPLAY_H_
#define GRIDPILOT_CORE_DATA_SERIES_REPLAY_H_

#include <cstddef>
#include <memory>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "core/data/grid_series.h"
#include "core/data/telemetry_source.h"

namespace gridpilot::data {

class SeriesReplay final : public TelemetrySource {
 public:
  // Readings of the intervals of `series` starting in [from, to). InvalidArgument unless
  // `from` and `to` are on the series' half-hour grid with from < to <= series.end().
  static absl::StatusOr<std::unique_ptr<SeriesReplay>> Create(GridSeries series, absl::Time from,
                                                              absl::Time to);

  absl::Duration step() const override;
  absl::StatusOr<FeedReading> Next() override;  // OutOfRange after the interval before `to`

 private:
  SeriesReplay(GridSeries series, size_t next, size_t end)
      : series_(std::move(series)), next_(next), end_(end) {}

  const GridSeries series_;
  size_t next_;       // index of the next interval to read
  const size_t end_;  // one past the last interval read
};

}  // namespace gridpilot::data

#endif  // GRIDPILOT_CORE_DATA_SERIES_REPLAY_H_
