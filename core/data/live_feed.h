// LiveFeed: the live simulator's grid. It turns the half-hourly region series into a
// reading every few seconds, so the response agent is exercised at its real
// timescale:
//  - net load, embedded solar and wind are interpolated linearly between the centres of
//    the half-hours (a half-hour's value is its mean, so it belongs at its middle);
//  - AR(1) noise is added to the net load (stationary standard deviation noise_sd_mw,
//    correlation time noise_correlation);
//  - injected events disturb it: a generator trip is a step up of the net load that holds
//    and then recovers over 5 minutes; a cloud front takes solar away over 2 minutes,
//    holds, and gives it back over 10 minutes (it can take no more solar than there is,
//    so at night it does nothing and says so).
// The price of a step is that of the settlement interval containing it. A reading is
// a FeedReading (core/data/telemetry_source.h).
//
// The feed is the simulated world, not an agent: the reading of a step in interval j is
// built from the data of j-1, j and j+1. Agents only ever see readings of steps that have
// ended. Deterministic for a given config and seed (one platform's standard library).
#ifndef GRIDPILOT_CORE_DATA_LIVE_FEED_H_
#define GRIDPILOT_CORE_DATA_LIVE_FEED_H_

#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "core/data/grid_series.h"
#include "core/data/telemetry_source.h"

namespace gridpilot::data {

enum class FeedEventKind { kGeneratorTrip, kCloudFront };
std::string FeedEventKindName(FeedEventKind kind);  // "generator_trip", "cloud_front"

struct FeedEvent {
  FeedEventKind kind = FeedEventKind::kGeneratorTrip;
  absl::Time at{};                              // onset
  double magnitude_mw = 10.0;                   // trip: net load lost; cloud front: solar lost, > 0
  absl::Duration duration = absl::Minutes(15);  // held this long after onset, then recovers
};

struct LiveFeedConfig {
  absl::Duration step = absl::Seconds(5);  // one reading per step; divides 30 min
  double noise_sd_mw = 0.15;               // region MW, >= 0
  absl::Duration noise_correlation = absl::Seconds(60);
  std::vector<FeedEvent> events;  // scheduled events
  // Poisson rate of random events, drawn from the seed over the feed's span: half trips
  // (5-15 MW, held 10-30 min), half cloud fronts (10-30 MW, held 10-40 min).
  double random_events_per_hour = 1.0;
  uint64_t seed = 1;

  absl::Status Validate() const;  // InvalidArgument naming the field
};

// The live simulator as a TelemetrySource: a reading's values are taken at the middle of
// its step. Not thread-safe (one consumer, as the TelemetrySource contract says).
class LiveFeed final : public TelemetrySource {
 public:
  // `region_series` is already scaled to the region. Readings start at `from` (on the
  // half-hour grid, inside the series) and end before `to`. Random events are drawn here.
  static absl::StatusOr<LiveFeed> Create(GridSeries region_series, absl::Time from, absl::Time to,
                                         LiveFeedConfig config);

  absl::Duration step() const override { return config_.step; }
  // The reading of the next step; steps come in order from `from`. OutOfRange once Done().
  absl::StatusOr<FeedReading> Next() override;
  bool Done() const { return next_start_ >= to_; }
  absl::Time next_start() const { return next_start_; }
  // Every event of the run, scheduled and random, by onset.
  const std::vector<FeedEvent>& events() const { return events_; }

 private:
  LiveFeed(GridSeries series, absl::Time from, absl::Time to, LiveFeedConfig config,
           std::vector<FeedEvent> events);

  GridSeries series_;
  absl::Time to_;
  LiveFeedConfig config_;
  std::vector<FeedEvent> events_;
  absl::Time next_start_;
  std::mt19937_64 rng_;
  double noise_mw_ = 0.0;  // AR(1) state
};

}  // namespace gridpilot::data

#endif  // GRIDPILOT_CORE_DATA_LIVE_FEED_H_
