// The exact solver of the uncapped single-battery LP (battery_lp.h): a backward dynamic
// programme on the value of stored energy, whose slope sequence is kept in SlopeSegments
// (slope_segments.h), then a forward pass that recovers the plan. Exact to rounding and
// O(T log T) in the number of intervals T. The cycle cap (cycle_cap.h) and the fleet
// (fleet_optimizer.h) call it once per column generation round, with prices adjusted by
// their shadow prices. Internal to the exact optimiser.
#ifndef GRIDPILOT_CORE_PLANNING_BATTERY_LP_SOLVER_H_
#define GRIDPILOT_CORE_PLANNING_BATTERY_LP_SOLVER_H_

#include <vector>

#include "core/planning/battery_lp.h"

namespace gridpilot::planning::lp {

// Best plan for the LP with each day's discharge charged an extra lambda[day] £/MWh and
// no cap (with all lambdas zero: the LP optimum when there is no cap).
//
// Backward pass: V_t(s), the best value from SoC s after interval t, is concave and
// piecewise linear. V_T is 0 on [terminal_lo, terminal_hi]. One interval adds a stored
// change x whose best reward is concave in x with two pieces: charging at marginal cost
// charge_slope = (price + degradation) / charge_efficiency per stored MWh (length
// stored_up) and discharging at marginal value discharge_slope = (price - degradation -
// lambda) * discharge_efficiency (length stored_down); when discharge_slope exceeds
// charge_slope the cheapest stored change is charge and discharge at once. The new value
// function is the sup-convolution, i.e. both segments merged into V's slope sequence, and
// then its domain is cut to [lower, upper]. Recording, before each merge, the SoC at
// which V's slope falls below each of the two slopes is enough for the forward pass.
// `lambda` has one entry per p.day_cap, £ per grid-side MWh, and p.day_cap is ignored.
// `p` must be feasible (the relaxations of BuildProblem keep it so). Deterministic: ties
// between equal slopes are broken by interval order. Thread-safe.
Plan SolveWithMultipliers(const Problem& p, const std::vector<double>& lambda);

}  // namespace gridpilot::planning::lp

#endif  // GRIDPILOT_CORE_PLANNING_BATTERY_LP_SOLVER_H_
