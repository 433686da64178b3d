// The response agent's policy at the live simulator's timescale (a step of a few
// seconds). The grid tolerates |N_k - R_k| <= tolerance_mw, where N = L - D is the
// after-dispatch net load and R_k the mean of N over the n steps of the ramp window before
// k (region_engine.h). Only the battery acts
// at this timescale; the peaker, which needs minutes to start, stays with the half-hourly
// forecast-led policy (ramp_response_policy.h).
//
// For step k (starting at decision_time), w = max(0, tolerance - margin):
//  - prediction L^_k = L_{k-1}: over a few seconds the last reading is the best guess;
//  - band for the dispatch in k: [L^_k - R_k - w, L^_k - R_k + w];
//  - the trader's scheduled battery power (clamped to its trading floor) plus the peaker's
//    output is left alone if inside the band; otherwise the battery is set to reach the
//    nearest edge, clamped by ClampBatteryPower with the resilience floor soc_min. Once the
//    disturbance is absorbed, the band moves with the window, so the battery is handed back
//    to the trader no faster than the grid tolerates.
//  - a setpoint within 0.1 MW of the schedule is not proposed.
// Pure; never fails: without the readings it needs it proposes nothing and says why.
#ifndef GRIDPILOT_CORE_CONTROL_STEP_RESPONSE_POLICY_H_
#define GRIDPILOT_CORE_CONTROL_STEP_RESPONSE_POLICY_H_

#include <optional>
#include <string>

#include "absl/time/time.h"
#include "core/assets/battery.h"

namespace gridpilot::control {

struct StepObservation {
  absl::Time decision_time;                           // start of step k
  std::optional<double> last_net_load_mw;             // L_{k-1}
  std::optional<double> reference_after_dispatch_mw;  // R_k: mean N over steps k-n .. k-1
  double scheduled_battery_mw = 0.0;                  // the trader's setpoint for step k
  double peaker_mw = 0.0;                             // the peaker's output in k-1 (kept in k)
  double battery_soc_mwh = 0.0;
  assets::BatteryParams battery;
};

struct StepPolicyConfig {
  double tolerance_mw = 1.27;  // tolerated |N_k - R_k|, > 0
  double margin_mw = 0.04;     // kept for prediction error, >= 0
  absl::Duration step = absl::Seconds(5);
};

struct StepDecision {
  std::optional<double> battery_mw;  // resilience setpoint for step k; nullopt = trader's
  std::string reason;
};

StepDecision DecideStepResponse(const StepObservation& obs, const StepPolicyConfig& config);

}  // namespace gridpilot::control

#endif  // GRIDPILOT_CORE_CONTROL_STEP_RESPONSE_POLICY_H_
