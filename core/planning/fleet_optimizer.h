// Several batteries behind one grid connection, for the exact optimiser: the fleet LP adds
// to each battery's LP (battery_lp.h), for every interval,
//   sum_b (d_bt - c_bt) <= export limit,   sum_b (c_bt - d_bt) <= import limit
// and is solved exactly by Dantzig-Wolfe column generation. Each battery is priced by
// SolveWithMultipliers at the market price minus the export row's shadow price plus the
// import row's, and a small master LP (on a SimplexTableau) mixes, per battery, the plans
// found so far within the limits (a mix of one battery's plans is a plan of that battery).
// Internal to the exact optimiser. Accuracy and timings: docs/decisions.md,
// "Exact optimiser".
#ifndef GRIDPILOT_CORE_PLANNING_FLEET_OPTIMIZER_H_
#define GRIDPILOT_CORE_PLANNING_FLEET_OPTIMIZER_H_

#include <optional>
#include <vector>

#include "core/planning/battery_lp.h"

namespace gridpilot::planning::lp {

struct FleetSolution {
  std::vector<Plan> plans;            // one per battery
  std::vector<bool> terminal_missed;  // the battery had to hold where no plan met its terminal
  double gap = 0.0;                   // Lagrangian bound - objective
};

// Several batteries behind one connection, exactly: when the batteries' own optima together
// meet the limits, those (SolveFleetIfUnbound); otherwise by Dantzig-Wolfe column generation
// (SolveFleetCoupled).
// Pricing each coupling row at its shadow price y >= 0 separates the batteries: each
// solves its own problem (SolveWithMultipliers) at the price p_t - y_export_t +
// y_import_t, whose value, summed, plus sum_r y_r limit_r bounds the fleet optimum from
// above. The master mixes the plans found so far within the limits; mixing plans of one
// battery gives a plan of that battery (its feasible set is convex). Every battery must
// start within [floor, soc_max], so that holding is feasible for it; holding is worth
// `-penalty` where it misses the battery's terminal range, so it is used only when no mix
// of plans can meet both the limits and that range.
// `problems`: at least one, all of the same length; their day caps are ignored (the request
// validation refuses caps with a connection limit). The limits are grid-side MWh per
// interval, unset = none, at least one set. `gap` bounds the shortfall from the fleet
// optimum: rounding-small when column generation converged, larger if it ran out of
// rounds. Deterministic; thread-safe.
// First SolveFleetIfUnbound, then, when a limit binds, SolveFleetCoupled.
FleetSolution SolveFleet(const std::vector<Problem>& problems,
                         std::optional<double> export_limit_mwh,
                         std::optional<double> import_limit_mwh);

// Each battery alone (SolveWithMultipliers at the market price); when their plans together
// meet every limit (to the plans' rounding), those plans: the relaxation of the fleet LP
// without the coupling rows has a feasible optimum, so it is the fleet optimum (gap 0).
// nullopt when a limit binds. About one single-battery solve per battery.
std::optional<FleetSolution> SolveFleetIfUnbound(const std::vector<Problem>& problems,
                                                 std::optional<double> export_limit_mwh,
                                                 std::optional<double> import_limit_mwh);

// The column generation above, whether or not a limit binds.
FleetSolution SolveFleetCoupled(const std::vector<Problem>& problems,
                                std::optional<double> export_limit_mwh,
                                std::optional<double> import_limit_mwh);

}  // namespace gridpilot::planning::lp

#endif  // GRIDPILOT_CORE_PLANNING_FLEET_OPTIMIZER_H_
