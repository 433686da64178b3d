// The response agent's duty across several batteries. The ramp response policy
// (ramp_response_policy.h, step_response_policy.h) decides one battery setpoint; with more
// than one battery it decides for the fleet seen as one battery (FleetAsOneBattery), and
// SplitDuty shares the change it asks for among the batteries:
//  * the change is delta = total - sum of the scheduled powers (> 0: more discharge);
//  * each battery's headroom in delta's direction is how far it can move from its
//    scheduled power within its power limits and, over the interval, its SoC bounds
//    (soc_min and soc_max: resilience may use the reserve, as the gateway's interlocks
//    allow it at resilience priority);
//  * when the fleet's headroom covers delta, each battery takes delta times its headroom
//    over the fleet's, so all reach the same share of their headroom and none is asked for
//    more than it can do;
//  * otherwise each takes its whole headroom and the rest is shared pro rata to the power
//    ratings in that direction (the gateway clamps it; the shortfall is the fleet's);
//  * behind a shared connection (DutyConnection) the fleet's headroom is also at most the
//    connection's given the scheduled powers (export limit - their sum for more discharge,
//    import limit + their sum for more charge): the change beyond it is not asked for, as
//    the gateway would clamp it (core/region/connection_limit.h).
// With one battery the fleet is that battery and it takes the whole setpoint: exactly the
// single-battery agent's. Pure functions.
#ifndef GRIDPILOT_CORE_CONTROL_BATTERY_DUTY_SPLIT_H_
#define GRIDPILOT_CORE_CONTROL_BATTERY_DUTY_SPLIT_H_

#include <optional>
#include <vector>

#include "absl/time/time.h"
#include "core/assets/battery.h"

namespace gridpilot::control {

struct DutyBattery {
  assets::BatteryParams params;
  double soc_mwh = 0.0;       // stored energy now
  double scheduled_mw = 0.0;  // power scheduled for the interval being decided, > 0 discharge
};

// The batteries' shared grid connection, MW, as the gateway holds it; unset = none.
struct DutyConnection {
  std::optional<double> export_limit_mw;  // net discharge of all batteries
  std::optional<double> import_limit_mw;  // net charge of all batteries
};

// The fleet as one battery, for the response policy: energies, SoC bounds, reserve and
// power limits summed (the power limits then capped by `connection`'s, to at least 1e-9
// MW); efficiencies weighted by energy capacity, degradation by power rating; id "fleet".
// One battery: its own params (capped likewise). `batteries` must not be empty.
struct FleetBattery {
  assets::BatteryParams params;
  double soc_mwh = 0.0;
  double scheduled_mw = 0.0;
};
FleetBattery FleetAsOneBattery(const std::vector<DutyBattery>& batteries,
                               const DutyConnection& connection = {});

// Each battery's setpoint (in `batteries` order) for a fleet setpoint of `total_mw` held
// for `interval`, by the rule in the file comment. Their sum is total_mw, or, when the
// connection's headroom is smaller than the change, the scheduled sum moved by that headroom.
std::vector<double> SplitDuty(const std::vector<DutyBattery>& batteries, double total_mw,
                              absl::Duration interval, const DutyConnection& connection = {});

}  // namespace gridpilot::control

#endif  // GRIDPILOT_CORE_CONTROL_BATTERY_DUTY_SPLIT_H_
