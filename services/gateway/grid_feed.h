// The grid feed a run's options call for, built from the GB-wide series the gateway
// loads and scaled to the region: the replay of the series (data::SeriesReplay) when the
// run steps by the settlement interval, the live simulator (data::LiveFeed, shaped by the
// config's "live" section) when it steps faster. GatewayRun takes any TelemetrySource;
// this is where the gateway process chooses which.
#ifndef GRIDPILOT_SERVICES_GATEWAY_GRID_FEED_H_
#define GRIDPILOT_SERVICES_GATEWAY_GRID_FEED_H_

#include <memory>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/data/grid_series.h"
#include "core/data/telemetry_source.h"
#include "services/gateway/gateway_config.h"
#include "services/gateway/gateway_run.h"

namespace gridpilot {

// `gb` with its power values multiplied by `scale` (prices are not scaled).
data::GridInterval ScaleToRegion(const data::GridInterval& gb, double scale);

// InvalidArgument unless the replay of `options` fits `gb_series`: whole half-hours on
// the data's grid, with the interval before replay_from in the data, and a step that
// divides 30 minutes. The message says what is wrong and what the data covers.
absl::Status ValidateReplayWindow(const data::GridSeries& gb_series,
                                  const GatewayRunOptions& options);

// The feed for a run of `options` over `gb_series`, scaled by config.region.scale. Its
// first reading is of a step starting one settlement interval before replay_from (the
// simulator's noise warms up over that interval), its last of the step ending at
// replay_to. Errors: those of ValidateReplayWindow, and InvalidArgument for a bad
// config.live.
absl::StatusOr<std::unique_ptr<data::TelemetrySource>> MakeGridFeed(
    const GatewayConfig& config, const data::GridSeries& gb_series,
    const GatewayRunOptions& options);

}  // namespace gridpilot

#endif  // GRIDPILOT_SERVICES_GATEWAY_GRID_FEED_H_
