// TelemetrySource: where the gateway's grid readings come from, one reading per step of
// simulated time. Implementations: SeriesReplay (the replay of a half-hourly series, for
// lock-step backtests) and LiveFeed (the live simulator); sources fed by meters or
// programs (MQTT, gRPC Publish) fit the same contract, their Next returning when the
// step has ended on the wall clock.
//
// Contract:
//  - Steps are consecutive and in order: reading k starts at first + k * step(). A step
//    with no data is still a reading, with its values absent (std::nullopt); a source
//    never skips a step and never waits for data that has not come.
//  - Next returns the next step's reading once it is complete: at once for a replay or
//    the simulator; for a source fed on the wall clock, as soon as the step has ended.
//  - End of data is absl::OutOfRange from Next, then on every later call.
//  - Thread-safety: one consumer; Next is not called from two threads at once. step() is
//    safe from any thread.
//  - Ownership: the consumer owns the source (the gateway holds it by unique_ptr);
//    readings are returned by value.
#ifndef GRIDPILOT_CORE_DATA_TELEMETRY_SOURCE_H_
#define GRIDPILOT_CORE_DATA_TELEMETRY_SOURCE_H_

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace gridpilot::data {

// One step's reading (region MW; means over the step).
struct FeedReading {
  absl::Time start;                         // step start, UTC
  std::optional<double> net_load_mw;        // absent where the data is
  std::optional<double> embedded_solar_mw;  // >= 0
  std::optional<double> embedded_wind_mw;   // >= 0
  std::optional<double> price_gbp_per_mwh;  // of the settlement interval; may be negative
  std::string event{};                      // injected events acting now; empty if none
  bool source_silent = false;  // settled by the source's silence timeout: the region is degraded
};

class TelemetrySource {
 public:
  virtual ~TelemetrySource() = default;

  // The length of every step: > 0 and divides 30 minutes. Constant.
  virtual absl::Duration step() const = 0;

  // The reading of the next step (see the contract above). OutOfRange at the end of the
  // data; any other error means the source has failed and will give no more readings.
  virtual absl::StatusOr<FeedReading> Next() = 0;
};

}  // namespace gridpilot::data

#endif  // GRIDPILOT_CORE_DATA_TELEMETRY_SOURCE_H_
