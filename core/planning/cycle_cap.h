// The cycle cap of the exact optimiser: most grid-side discharge per UTC day, which couples
// the intervals of a day. It is priced out (a £/MWh charge on each day's discharge, which
// SolveWithMultipliers solves exactly) and the prices are found by Dantzig-Wolfe column
// generation: a small LP (on a SimplexTableau) mixes the plans found so far within the
// caps, its shadow prices give the next plan, until the Lagrangian bound meets the mix.
// That is exact up to 8 days; longer horizons would take too many rounds and are solved in
// receding windows, feasibly but approximately. Internal to the exact optimiser.
// Accuracy and timings: docs/decisions.md, "Exact optimiser".
#ifndef GRIDPILOT_CORE_PLANNING_CYCLE_CAP_H_
#define GRIDPILOT_CORE_PLANNING_CYCLE_CAP_H_

#include <vector>

#include "core/planning/battery_lp.h"

namespace gridpilot::planning::lp {

struct CapSolution {
  Plan plan;
  double objective = 0.0;
  double gap = 0.0;               // Lagrangian bound - objective
  std::vector<double> cap_price;  // the caps' final shadow prices, £ per grid MWh
};

// The best plan for `p` with its day caps (p.day_cap, kInf = none), whose start meets the
// caps and whose terminal range is reachable (ClipTerminal). Up to 8 days exactly over the
// whole horizon; beyond, in receding 4-day windows keeping the first day of each: always
// feasible. `gap` bounds the shortfall from the LP optimum: rounding-small when column
// generation converged, larger in receding windows or when it stopped at its work budget.
// Deterministic; thread-safe.
CapSolution SolveWithCaps(const Problem& p);

}  // namespace gridpilot::planning::lp

#endif  // GRIDPILOT_CORE_PLANNING_CYCLE_CAP_H_
