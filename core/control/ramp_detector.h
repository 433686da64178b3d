// Ramp detection: finds the intervals whose net-load change, measured or forecast,
// exceeds the grid's ramp limit. It reports; it does not decide. The response policy
// (ramp_response_policy.h) turns the same observation into dispatch, and attaches these
// events to its decision so operators see what triggered it.
#ifndef GRIDPILOT_CORE_CONTROL_RAMP_DETECTOR_H_
#define GRIDPILOT_CORE_CONTROL_RAMP_DETECTOR_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/time/time.h"
#include "core/base/time_util.h"
#include "core/control/ramp_observation.h"

namespace gridpilot::control {

// One interval whose net-load change (before the region's own dispatch) is larger in
// magnitude than the limit.
struct RampEvent {
  enum class Kind { kMeasured, kForecast };
  Kind kind = Kind::kMeasured;
  absl::Time interval_start;  // the interval whose change exceeds the limit
  double change_mw = 0.0;     // L of that interval minus L of the one before (signed)
  double limit_mw = 0.0;      // the limit it was compared with (> 0)
  std::string reason;         // e.g. "forecast ramp +23.4 MW in 2023-01-05T07:00:00Z
                              // interval exceeds 15.0 MW limit by 8.4 MW"
};

// "measured" or "forecast".
std::string_view RampEventKindName(RampEvent::Kind kind);

// Returns, in this order:
//  - a kMeasured event for interval t-1 (starting decision_time - interval) when both
//    L_{t-1} and L_{t-2} are present and finite and |L_{t-1} - L_{t-2}| > ramp_limit_mw;
//  - a kForecast event for each horizon h = 1..H (interval starting
//    decision_time + (h-1) * interval) whose implied change, C_1 for h = 1 and
//    C_h - C_{h-1} after, has magnitude > ramp_limit_mw. Changes involving a non-finite
//    forecast value are skipped.
// A change exactly at the limit is tolerated and reported as nothing. ramp_limit_mw must be
// finite and >= 0. Pure; thread-safe.
std::vector<RampEvent> DetectRamps(const RampObservation& obs, double ramp_limit_mw,
                                   absl::Duration interval = base::kHalfHour);

}  // namespace gridpilot::control

#endif  // GRIDPILOT_CORE_CONTROL_RAMP_DETECTOR_H_
