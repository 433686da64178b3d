// Safety interlocks: what the gateway does to a requested setpoint before any asset sees
// it, and the checks that prove an applied interval respected every limit.
#ifndef GRIDPILOT_CORE_ASSETS_INTERLOCKS_H_
#define GRIDPILOT_CORE_ASSETS_INTERLOCKS_H_

#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "core/assets/battery.h"

namespace gridpilot::assets {

struct ClampedSetpoint {
  double power_mw = 0.0;  // what may be applied (battery: > 0 discharge)
  std::string reason;     // empty when the request passed unchanged, else why it changed
};

// Clamps a battery request to its power limits and so that, applied for `duration`,
// stored energy stays within [soc_floor_mwh, soc_max_mwh]. Trading requests pass
// soc_floor = soc_min + reserve; resilience requests pass soc_floor = soc_min. If the
// battery already sits below the floor, discharge is clamped to 0 (never forced charge).
// A non-finite request is clamped to 0.
ClampedSetpoint ClampBatteryPower(const BatteryParams& params, double soc_mwh, double requested_mw,
                                  double soc_floor_mwh, absl::Duration duration);

// Checks an applied interval against the hard limits (power limits, soc_min/soc_max,
// energy balance soc_after = soc_before + charge*eta_c - discharge/eta_d within
// `tolerance_mwh`). FailedPrecondition describing the first violation.
absl::Status CheckBatteryInterval(const BatteryParams& params, const BatteryInterval& interval,
                                  double tolerance_mwh = 1e-6);

}  // namespace gridpilot::assets

#endif  // GRIDPILOT_CORE_ASSETS_INTERLOCKS_H_
