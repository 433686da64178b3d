#include "core/data/series_replay.h"

#include "absl/strings/str_cat.h"
#include "core/base/time_util.h"

namespace gridpilot::data {

absl::StatusOr<std::unique_ptr<SeriesReplay>> SeriesReplay::Create(GridSeries series,
                                                                   absl::Time from, absl::Time to) {
  const std::optional<size_t> first = series.IndexOf(from);
  const std::optional<size_t> last =
      to == series.end() ? std::optional<size_t>(series.size()) : series.IndexOf(to);
  if (!first.has_value() || !last.has_value() || *last <= *first) {
    return absl::InvalidArgumentError(absl::StrCat(
        "replay span ", base::FormatUtcTimestamp(from), " to ", base::FormatUtcTimestamp(to),
        " is not on the data's ", absl::FormatDuration(series.interval()),
        " grid inside the data (", base::FormatUtcTimestamp(series.start()), " to ",
        base::FormatUtcTimestamp(series.end()), ")"));
  }
  return std::unique_ptr<SeriesReplay>(new SeriesReplay(std::move(series), *first, *last));
}

absl::Duration SeriesReplay::step() const { return series_.interval(); }

absl::StatusOr<FeedReading> SeriesReplay::Next() {
  if (next_ >= end_) {
    return absl::OutOfRangeError(absl::StrCat(
        "replay: no interval after ", base::FormatUtcTimestamp(series_.at(end_ - 1).start)));
  }
  const GridInterval& interval = series_.at(next_++);
  return FeedReading{.start = interval.start,
                     .net_load_mw = interval.net_load_mw,
                     .embedded_solar_mw = interval.embedded_solar_mw,
                     .embedded_wind_mw = interval.embedded_wind_mw,
                     .price_gbp_per_mwh = interval.price_gbp_per_mwh};
}

}  // namespace gridpilot::data
