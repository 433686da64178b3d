// What SoC a battery can reach: the fastest paths of the single-battery LP (battery_lp.h)
// under its power limits, bounds and daily discharge caps, and from them the terminal range
// some plan can end in. The exact optimiser uses them to relax an unreachable terminal
// range to the closest reachable SoC, and the cycle cap (cycle_cap.h) to start column
// generation from a plan that meets every cap. Internal to the exact optimiser.
#ifndef GRIDPILOT_CORE_PLANNING_REACHABLE_SOC_H_
#define GRIDPILOT_CORE_PLANNING_REACHABLE_SOC_H_

#include "core/planning/battery_lp.h"

namespace gridpilot::planning::lp {

// Moves the SoC into [band_lo, band_hi] (clipped to each interval's bounds) as fast as
// the power limits and the days' discharge caps allow, then holds. With band (-inf, -inf)
// this is the lowest reachable path, with (+inf, +inf) the highest: discharging as early
// as possible minimises every s_t at once, and so does charging for the highest path.
// Band bounds are MWh (infinite allowed); p.terminal_lo and p.terminal_hi are not read.
Plan GreedyPlan(const Problem& p, double band_lo, double band_hi);

// Clips the terminal range of `p` to what some plan reaches from its start. Returns false
// (and sets the range to the closest reachable SoC) when none of it is reachable;
// `reach_lo` and `reach_hi` receive the reachable range.
// Wanted bounds are MWh, -kInf / kInf where unset; the range is written to p.terminal_lo
// and p.terminal_hi.
bool ClipTerminal(Problem& p, double wanted_lo, double wanted_hi, double& reach_lo,
                  double& reach_hi);

}  // namespace gridpilot::planning::lp

#endif  // GRIDPILOT_CORE_PLANNING_REACHABLE_SOC_H_
