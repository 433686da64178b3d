// False-data injection, for exercising the anomaly guard: an attacker's ramp added to the
// region's reported net load (the telemetry agents see), never to the grid's physics or its
// settlement. Over [from, from + duration) the reported value of the interval starting at
// t is the true one plus ramp_mw_per_hour x (t - from) in hours: it starts as nothing and
// grows slowly, so that no single reading jumps.
#ifndef GRIDPILOT_CORE_DATA_FALSE_DATA_INJECTION_H_
#define GRIDPILOT_CORE_DATA_FALSE_DATA_INJECTION_H_

#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace gridpilot::data {

struct FalseDataInjection {
  absl::Time from;
  absl::Duration duration;
  double ramp_mw_per_hour = 0.0;
  // InvalidArgument for a non-positive or infinite duration or a non-finite ramp.
  absl::Status Validate() const;
};

// The sum of the injections' offsets for the interval starting at `interval_start`, MW.
double FalseDataOffsetMw(const std::vector<FalseDataInjection>& injections,
                         absl::Time interval_start);

}  // namespace gridpilot::data

#endif  // GRIDPILOT_CORE_DATA_FALSE_DATA_INJECTION_H_
