// Gas peaker (OCGT) physics: a unit-commitment state machine (off, starting, on) with
// start-up time, minimum up and down times, minimum stable load, ramp rate and costs.
// Output is >= 0 MW (generation into the region).
#ifndef GRIDPILOT_CORE_ASSETS_PEAKER_H_
#define GRIDPILOT_CORE_ASSETS_PEAKER_H_

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace gridpilot::assets {

// Defaults: a 60 MW open-cycle gas turbine.
struct PeakerParams {
  std::string id = "peaker-1";
  double capacity_mw = 60.0;                         // maximum output
  double min_stable_load_mw = 20.0;                  // lowest output while on
  absl::Duration start_up_time = absl::Minutes(20);  // from start command to online
  absl::Duration min_up_time = absl::Hours(1);       // once online, stays on this long
  absl::Duration min_down_time = absl::Hours(1);     // once off, stays off this long
  double ramp_rate_mw_per_min = 8.0;                 // max output change while on
  double fuel_gbp_per_mwh = 160.0;                   // fuel + carbon per MWh generated
  double start_cost_gbp = 2500.0;                    // per start

  // InvalidArgument naming the first bad field (0 <= min_stable <= capacity, capacity > 0,
  // durations >= 0, ramp > 0, costs >= 0, no NaN).
  absl::Status Validate() const;
};

enum class PeakerStatus { kOff, kStarting, kOn };
std::string_view PeakerStatusName(PeakerStatus status);  // "off", "starting", "on"

struct PeakerState {
  PeakerStatus status = PeakerStatus::kOff;
  double output_mw = 0.0;                          // output in the last interval
  absl::Time status_since = absl::InfinitePast();  // when the current status began
                                                   // (for kOn: the moment it came online)
};

// The result of one interval.
struct PeakerInterval {
  PeakerState next;        // state at the end of the interval
  double output_mw = 0.0;  // average output over the interval (MW, >= 0)
  bool started = false;    // a start was initiated in this interval (start cost due)
  std::string note;        // why the output differs from the request; empty if it does not
};

// Applies a requested output (MW; 0 means stop, > 0 means run at that level) over
// [interval_start, interval_start + duration) from `state`.
// Rules (conservative: a partial interval online produces nothing):
//  - off, request > 0: starts if min_down_time has passed since status_since, else stays
//    off. A started unit is online at interval_start + start_up_time and produces only
//    in intervals that start at or after that moment.
//  - starting, request == 0: the start is aborted (off from interval_start).
//  - on, request == 0: stops if min_up_time has passed since it came online, else holds
//    min_stable_load.
//  - on, request > 0: output is clamped to [min_stable_load, capacity] and to within
//    ramp_rate * duration of the previous output (from min_stable_load when just online).
// `requested_mw` must be finite and >= 0 (validated upstream by the arbiter).
PeakerInterval StepPeaker(const PeakerParams& params, const PeakerState& state, double requested_mw,
                          absl::Time interval_start, absl::Duration duration);

}  // namespace gridpilot::assets

#endif  // GRIDPILOT_CORE_ASSETS_PEAKER_H_
