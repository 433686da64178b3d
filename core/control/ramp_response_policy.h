// The response agent's dispatch policy: from one observation (ramp_observation.h),
// the battery setpoint and peaker request that keep the change of the region's
// after-dispatch net load within the grid's ramp limit while disturbing the trader's
// battery schedule as little as possible. A pure function, so the agent's cycle is
// read -> DecideResponse -> propose, and the gateway's interlocks have the last word.
//
// The policy, for interval t (starting at obs.decision_time), w = max(0, limit - margin):
//  (a) Prediction: L^_t = L_{t-1} + C_1 with a forecast; in degraded mode (no forecast, or
//      a non-finite value in it) L_{t-1} + (L_{t-1} - L_{t-2}), the last change persisting,
//      or L_{t-1} if L_{t-2} is missing (assumed flat). Without L_{t-1} nothing is proposed.
//  (b) Expected peaker output in t: its last output if on (it keeps running unless
//      stopped); min stable load if starting and online by decision_time; else 0.
//  (c) Band: the total dispatch in t must lie in [L^_t - N_{t-1} - w, L^_t - N_{t-1} + w],
//      N_{t-1} = L_{t-1} - D_{t-1}. The "scheduled" battery power is the trader's setpoint
//      as the gateway would apply it (clamped with the trading floor soc_min + reserve).
//      If scheduled battery + peaker is in the band, the battery is left alone. Otherwise
//      the target total is the band edge nearest it, and the battery setpoint is
//      target - peaker, clamped by ClampBatteryPower with the resilience floor soc_min,
//      and then to the most it can give and still walk back to 0 MW in steps of the
//      band's half-width w with the energy it has (or the room below soc_max when
//      charging). The grid sees the rest now instead of a cliff later, when the battery
//      runs dry mid-ramp and drops its whole output at once. It never moves past the
//      schedule the other way.
//  (d) Peaker, using the predicted changes of the intervals after t (C_{k+1} - C_k; in
//      degraded mode the last change, once; none with a one-step forecast), each band
//      computed as if the interval before had delivered what the battery could (t: the
//      plan), and the battery's discharge capability from the energy left, interval by
//      interval, with the peaker off from t+1:
//      - off: if the dispatch needed in t+1 exceeds what the battery can deliver by more
//        than 1 MW, a forecast is present, min_down_time has passed, and the penalty on
//        the shortfalls of all predicted intervals (each up to capacity) covers the start
//        cost plus fuel at max(min_stable_load, shortfall) in each of them (and at
//        min_stable_load for the rest of min_up_time), request a start now at t+1's
//        need clamped to [min_stable_load, capacity]. A start is assumed to produce
//        nothing in t (start_up_time > 0).
//      - on or starting: if, with the peaker stopped (on: 0 MW, or min stable load while
//        min_up_time has not passed, which the gateway enforces), the battery covers t
//        and t+1 within 1 MW, request 0 and plan the battery for the stopped peaker.
//        Otherwise, if the unit is on and the battery misses t's target by more than
//        1 MW (either way), request its output moved by that amount, clamped to
//        [min_stable_load, capacity].
//  (e) A battery setpoint is proposed only if it differs from the scheduled power by more
//      than 0.1 MW.
//  (f) events come from DetectRamps; reason is one sentence with the numbers.
// The decision never fails: invalid inputs or config produce no proposal and say why.
#ifndef GRIDPILOT_CORE_CONTROL_RAMP_RESPONSE_POLICY_H_
#define GRIDPILOT_CORE_CONTROL_RAMP_RESPONSE_POLICY_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "core/control/ramp_detector.h"
#include "core/control/ramp_observation.h"

namespace gridpilot::control {

// How far ahead the response reads forecasts, at any resolution.
inline constexpr absl::Duration kResponseLookahead = absl::Hours(2);

struct ResponsePolicyConfig {
  double ramp_limit_mw = 15.0;  // tolerated |N_t - N_{t-1}|, > 0
  double margin_mw = 1.0;       // kept in hand for forecast error, >= 0
  // GBP per MW of ramp excess per interval. A peaker start is requested only when the
  // penalty it avoids over the predicted intervals covers its start and fuel costs (d).
  double instability_penalty_gbp_per_mw = 150.0;
  absl::Duration interval = absl::Minutes(30);
  // Forecast horizons the response reads (2 h): its peaker starts within one interval,
  // and the start gate's penalty sum was tuned over these. The service forecasts 4 h
  // (why not all of it: docs/decisions.md, "Ramp response lookahead").
  int lookahead_intervals = 4;
};

struct ResponseDecision {
  std::optional<double> battery_mw;  // resilience setpoint for t (> 0 discharge);
                                     // nullopt = leave the battery to the trader
  std::optional<double> peaker_mw;   // > 0 start / run at that level, 0 = stop,
                                     // nullopt = no request
  std::vector<RampEvent> events;
  std::string reason;
  bool degraded = false;  // true if no forecast was used
};

// Applies the policy above. Any battery setpoint is a fixed point of ClampBatteryPower
// with floor soc_min over config.interval (within power limits, stored energy stays in
// [soc_min, soc_max]); a peaker request is 0 or within [min_stable_load, capacity].
// Pure; thread-safe.
ResponseDecision DecideResponse(const RampObservation& obs, const ResponsePolicyConfig& config);

}  // namespace gridpilot::control

#endif  // GRIDPILOT_CORE_CONTROL_RAMP_RESPONSE_POLICY_H_
