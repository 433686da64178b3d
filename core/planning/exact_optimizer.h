// The exact schedule optimiser: for one battery over a horizon of intervals with known
// prices, the charge and discharge plan that maximises revenue minus degradation cost.
// Unlike PlanBatterySchedule (grid_dp_planner.h), which searches a grid of SoC levels,
// this solves the linear programme below to its optimum, fast enough to re-plan a day in
// microseconds and to give the perfect-foresight benchmark over a year in milliseconds.
//
// The LP. Interval t lasts h hours; c_t >= 0 is grid-side charge (MW), d_t >= 0 grid-side
// discharge (MW), s_t stored energy (MWh) after interval t, s_0 the start SoC:
//   max  sum_t price_t * (d_t - c_t) * h  -  degradation * (c_t + d_t) * h
//   s.t. s_t = s_{t-1} + charge_efficiency * c_t * h - d_t * h / discharge_efficiency
//        0 <= c_t <= max_charge_mw,  0 <= d_t <= max_discharge_mw
//        floor <= s_t <= soc_max for t = 1..T, where floor = soc_min + reserve (the energy
//          held back for the response agent; trading never uses it)
//        terminal_soc_min <= s_T <= terminal_soc_max            (each optional)
//        sum of d_t * h over the intervals starting in one UTC day <= the discharge cap
//          (optional; grid-side discharge throughput, the usual "cycles per day" limit).
// Charging and discharging in the same interval is allowed, as in the LP, and is optimal
// when the price is low enough that burning energy through the round-trip losses earns
// money: price < -degradation * (1 + eta) / (1 - eta), eta = charge * discharge
// efficiency. Such intervals report both charge_mw > 0 and discharge_mw > 0. Otherwise
// at most one of the two is non-zero.
//
// Method. A backward dynamic programme on the value of stored energy: V_t(s) is concave
// and piecewise linear, the best one interval can earn for a stored change x is concave
// with two pieces (slopes (price + degradation) / charge_efficiency and
// (price - degradation) * discharge_efficiency), so each step is a merge of slope
// sequences followed by cutting the domain to [floor, soc_max]; a forward pass recovers
// the plan. Exact (to rounding) and O(T log T) (battery_lp_solver.h).
// The cycle cap couples the intervals of a day. It is priced out (a £/MWh charge on each
// day's discharge, which the same programme solves exactly) and the prices are found by
// column generation (Dantzig-Wolfe): a small LP mixes the plans found so far within the
// caps, its shadow prices give the next plan, until the Lagrangian bound meets the mix.
// That is exact (kOptimal) up to 8 days. Longer horizons would take too many rounds, so
// beyond 8 days the horizon is solved in receding 4-day windows, keeping the first day of
// each: always feasible, but kApproximate, with optimality_gap_gbp a loose bound on the
// shortfall (cycle_cap.h).
// Timings and accuracy against GLPK: docs/decisions.md, "Exact optimiser".
//
// Never "infeasible" for a valid start state. What cannot be met is relaxed to the
// closest plan that can, and the result says so:
//  * start SoC below the floor: the floor is lowered to what full-power charging from the
//    start can reach (min(floor, s_0 + t * charge_efficiency * max_charge_mw * h)), so the
//    plan climbs back to the floor as fast as the battery can and never goes lower;
//  * a terminal SoC range that no plan reaches (under the floor, soc_max, power limits
//    and caps) becomes the reachable SoC closest to it.
//
// Several batteries. Without a connection limit each is solved alone (they share only the
// prices). Behind one grid connection, the fleet LP adds, for every interval,
//   sum_b (d_bt - c_bt) <= grid_export_limit_mw,   sum_b (c_bt - d_bt) <= grid_import_limit_mw
// and is solved exactly by Dantzig-Wolfe column generation: each battery is priced by the
// programme above at p_t minus the export row's shadow price plus the import row's, and a
// small master LP mixes, per battery, the plans found so far within the limits (a mix of
// one battery's plans is a plan of that battery; fleet_optimizer.h). Not supported yet
// with a connection limit (Unimplemented): a cycle cap, or a battery starting below its
// floor. Every battery starts where holding is feasible, so a plan always exists; when no
// plan meets a battery's terminal range within the limits, part of its plan holds instead
// and the result says so (terminal_soc_relaxed).
// Sign convention: c and d are both >= 0; the gridpilot power setpoint is d - c (> 0
// discharges to the grid).
#ifndef GRIDPILOT_CORE_PLANNING_EXACT_OPTIMIZER_H_
#define GRIDPILOT_CORE_PLANNING_EXACT_OPTIMIZER_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "core/assets/battery.h"

namespace gridpilot::planning {

// One battery of an optimiser request.
struct OptimizerBatterySpec {
  // Limits, efficiencies, SoC bounds, reserve and degradation cost. soc_initial_mwh is the
  // stored energy at the start of the first interval; the trading floor is
  // soc_min_mwh + reserve_mwh.
  assets::BatteryParams params;
  // Stored energy required at the end of the horizon, MWh; set both for an exact target.
  std::optional<double> terminal_soc_min_mwh;
  std::optional<double> terminal_soc_max_mwh;
  // Cycle cap: most grid-side discharge (MWh) in the intervals that start in one UTC day.
  std::optional<double> discharge_cap_mwh_per_day;
  // Grid-side MWh already discharged earlier in the first UTC day (before the horizon),
  // counted against that day's cap so that re-planning during a day keeps to it.
  double discharged_today_mwh = 0.0;
};

struct BatteryOptimizerRequest {
  absl::Time start = absl::UnixEpoch();         // start of the first interval, UTC
  absl::Duration interval = absl::Minutes(30);  // length of every interval, > 0
  std::vector<double> price_gbp_per_mwh;        // one per interval, may be negative
  std::vector<OptimizerBatterySpec> batteries;  // at least one
  // Shared grid connection: most net import / net export of all batteries together in any
  // interval, MW (finite, >= 0); unset = none.
  std::optional<double> grid_import_limit_mw;
  std::optional<double> grid_export_limit_mw;
};

enum class OptimizerTermination {
  kOptimal,      // the LP optimum (after the relaxations the plan lists), to rounding
  kApproximate,  // cycle cap over more than 8 days, or a fleet that ran out of rounds:
                 // feasible, at most optimality_gap_gbp below the optimum
};

// The plan of one battery. Per-interval vectors have one entry per price.
struct OptimizerBatteryPlan {
  std::string battery_id;
  std::vector<double> charge_mw;      // grid-side charge, >= 0
  std::vector<double> discharge_mw;   // grid-side discharge, >= 0
  std::vector<double> soc_after_mwh;  // stored energy at the end of each interval
  double revenue_gbp = 0.0;           // sum price * (discharge - charge) MWh
  double degradation_gbp = 0.0;       // degradation * (charge + discharge) MWh
  double objective_gbp = 0.0;         // revenue - degradation
  double soc_floor_mwh = 0.0;         // trading floor used: soc_min + reserve
  // Relaxations (see the file comment); the note gives the figures.
  bool start_below_floor = false;     // the plan charges back up to the floor first
  bool terminal_soc_relaxed = false;  // the terminal range was unreachable
  int simultaneous_intervals = 0;     // intervals with both charge and discharge > 0
};

struct BatteryOptimizerResult {
  OptimizerTermination termination = OptimizerTermination::kOptimal;
  std::vector<OptimizerBatteryPlan> batteries;  // in request order
  double revenue_gbp = 0.0;                     // sums over batteries
  double degradation_gbp = 0.0;
  double objective_gbp = 0.0;
  // Upper bound on (LP optimum - objective_gbp); 0 unless kApproximate.
  double optimality_gap_gbp = 0.0;
  // Human-readable: what was relaxed and by how much, approximation, simultaneous
  // charge/discharge. Empty when there is nothing to say.
  std::string note;

  bool relaxed() const;  // any battery has a relaxation flag set
};

// Solves the LP described in the file comment. Deterministic; thread-safe (no shared
// state). Errors: InvalidArgument naming the field (and index) for a non-finite price
// ("price_gbp_per_mwh[17] is NaN"), a non-positive interval, an invalid BatteryParams
// (its Validate() message, prefixed "batteries[0].params: "), a NaN or negative terminal
// bound or cap, terminal_soc_min_mwh > terminal_soc_max_mwh, no battery, or a negative or
// non-finite connection limit; Unimplemented for a connection limit together with a cycle
// cap or a start below the floor. An empty price vector gives an empty plan.
absl::StatusOr<BatteryOptimizerResult> OptimizeBatterySchedule(
    const BatteryOptimizerRequest& request);

}  // namespace gridpilot::planning

#endif  // GRIDPILOT_CORE_PLANNING_EXACT_OPTIMIZER_H_
