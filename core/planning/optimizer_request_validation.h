// Validation of an exact optimiser request (exact_optimizer.h) before any solving: every
// field in range, and the combinations the solvers do not support refused. Internal to the
// exact optimiser, whose entry point returns this status as its own.
#ifndef GRIDPILOT_CORE_PLANNING_OPTIMIZER_REQUEST_VALIDATION_H_
#define GRIDPILOT_CORE_PLANNING_OPTIMIZER_REQUEST_VALIDATION_H_

#include "absl/status/status.h"
#include "core/planning/exact_optimizer.h"

namespace gridpilot::planning::lp {

// OK, or the first problem found: InvalidArgument naming the field (and index) for a
// non-finite price, a non-positive interval, no battery, a negative or non-finite
// connection limit, an invalid BatteryParams (its Validate() message, prefixed
// "batteries[b].params: "), a NaN, negative or infinite terminal bound, cap or
// discharged_today_mwh, or terminal_soc_min_mwh > terminal_soc_max_mwh; Unimplemented for
// a connection limit together with a cycle cap or a start below the trading floor.
absl::Status ValidateRequest(const BatteryOptimizerRequest& request);

}  // namespace gridpilot::planning::lp

#endif  // GRIDPILOT_CORE_PLANNING_OPTIMIZER_REQUEST_VALIDATION_H_
