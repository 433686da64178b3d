#include "services/gateway/grid_feed.h"

#include <optional>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "core/base/time_util.h"
#include "core/data/live_feed.h"
#include "core/data/series_replay.h"

namespace gridpilot {
namespace {

std::optional<double> Scaled(std::optional<double> value, double scale) {
  if (!value.has_value()) return std::nullopt;
  return *value * scale;
}

}  // namespace

data::GridInterval ScaleToRegion(const data::GridInterval& gb, double scale) {
  data::GridInterval region = gb;
  region.net_load_mw = Scaled(gb.net_load_mw, scale);
  region.embedded_solar_mw = Scaled(gb.embedded_solar_mw, scale);
  region.embedded_wind_mw = Scaled(gb.embedded_wind_mw, scale);
  return region;
}

absl::Status ValidateReplayWindow(const data::GridSeries& gb_series,
                                  const GatewayRunOptions& options) {
  if (options.replay_to <= options.replay_from) {
    return absl::InvalidArgumentError("replay end must be after its start");
  }
  const std::optional<size_t> first = gb_series.IndexOf(options.replay_from);
  if (!first.has_value() || *first == 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("replay start ", base::FormatUtcTimestamp(options.replay_from),
                     " needs data for the interval before it; the data covers ",
                     base::FormatUtcTimestamp(gb_series.start()), " to ",
                     base::FormatUtcTimestamp(gb_series.end())));
  }
  if (options.replay_to > gb_series.end()) {
    return absl::InvalidArgumentError(
        absl::StrCat("replay end ", base::FormatUtcTimestamp(options.replay_to),
                     " is after the data's end ", base::FormatUtcTimestamp(gb_series.end())));
  }
  const absl::Duration interval = gb_series.interval();
  if (options.step <= absl::ZeroDuration() || options.step > interval ||
      (interval / options.step) * options.step != interval) {
    return absl::InvalidArgumentError(absl::StrCat("step must be > 0 and divide the data's ",
                                                   absl::FormatDuration(interval), " interval"));
  }
  if ((options.replay_to - options.replay_from) % interval != absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        absl::StrCat("the replay must span whole intervals of ", absl::FormatDuration(interval)));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<data::TelemetrySource>> MakeGridFeed(
    const GatewayConfig& config, const data::GridSeries& gb_series,
    const GatewayRunOptions& options) {
  RETURN_IF_ERROR(ValidateReplayWindow(gb_series, options));
  std::vector<data::GridInterval> region_intervals;
  region_intervals.reserve(gb_series.size());
  for (const data::GridInterval& gb : gb_series.intervals()) {
    region_intervals.push_back(ScaleToRegion(gb, config.region.scale));
  }
  ASSIGN_OR_RETURN(data::GridSeries region_series,
                   data::GridSeries::Create(std::move(region_intervals), gb_series.interval()));
  const absl::Time from = options.replay_from - gb_series.interval();
  if (options.step == gb_series.interval()) {
    ASSIGN_OR_RETURN(std::unique_ptr<data::SeriesReplay> replay,
                     data::SeriesReplay::Create(std::move(region_series), from, options.replay_to));
    return replay;
  }
  data::LiveFeedConfig live = config.live;
  live.step = options.step;
  ASSIGN_OR_RETURN(data::LiveFeed feed, data::LiveFeed::Create(std::move(region_series), from,
                                                               options.replay_to, std::move(live)));
  return std::make_unique<data::LiveFeed>(std::move(feed));
}

}  // namespace gridpilot
