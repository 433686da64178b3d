// What the response agent knows at one decision time: the last measured net loads,
// what the region's assets did and are scheduled to do, the forecast of the net-load
// change and the state of the battery and the peaker. It is the input of both
// DetectRamps (ramp_detector.h) and DecideResponse (ramp_response_policy.h), so it lives
// in its own file rather than in either of them.
//
// Conventions: net load L = demand - solar - wind (MW), one mean value per interval.
// Interval t is the one that starts at decision_time; t-1 is the last measured one.
// Dispatch D (MW) is what the region's own assets supply: battery power (> 0 discharge,
// < 0 charge) plus peaker output (>= 0). The grid sees the after-dispatch net load
// N = L - D, and tolerates |N_t - N_{t-1}| up to a ramp limit.
#ifndef GRIDPILOT_CORE_CONTROL_RAMP_OBSERVATION_H_
#define GRIDPILOT_CORE_CONTROL_RAMP_OBSERVATION_H_

#include <optional>
#include <vector>

#include "absl/time/time.h"
#include "core/assets/battery.h"
#include "core/assets/peaker.h"

namespace gridpilot::control {

struct RampObservation {
  absl::Time decision_time;                    // start of interval t
  std::optional<double> last_net_load_mw;      // L_{t-1}; nullopt if not measured
  std::optional<double> previous_net_load_mw;  // L_{t-2}; nullopt if not measured
  double last_dispatch_mw = 0.0;               // D_{t-1}: battery + peaker output in t-1
  double scheduled_battery_mw = 0.0;           // trader's battery setpoint for t, 0 if none
  std::vector<double> forecast_change_mw;      // C_h = predicted L_{t+h-1} - L_{t-1} for
                                               // h = 1..H; empty = no forecast (degraded)
  double battery_soc_mwh = 0.0;                // stored energy at decision_time
  assets::BatteryParams battery;
  assets::PeakerState peaker;  // output_mw = output in t-1
  assets::PeakerParams peaker_params;
};

}  // namespace gridpilot::control

#endif  // GRIDPILOT_CORE_CONTROL_RAMP_OBSERVATION_H_
