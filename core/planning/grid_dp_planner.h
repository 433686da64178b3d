// The arbitrage trader's optimiser: given a price path, when should the battery charge and
// discharge? PlanBatterySchedule solves this exactly on a grid of stored-energy levels by
// dynamic programming, backward over the intervals. It is pure and cheap (a 48-interval,
// 100 MWh plan at 1 MWh resolution takes well under a millisecond; with every step
// limited, which adds the previous power as a state, a trading plan takes about 65 us of
// CPU: docs/decisions.md, "The trader's re-plan: where its CPU goes, and the same plans
// for less"), so the trader can re-plan every interval as prices become known.
//
// Model. In each interval of h hours the battery moves from stored level a to level b:
//   charging (b > a):    grid_in  = (b - a) / charge_efficiency,     grid_in  <= max_charge_mw * h
//   discharging (b < a): grid_out = (a - b) * discharge_efficiency,  grid_out <= max_discharge_mw *
//   h reward = price * grid_out - charge_price * grid_in - degradation * (grid_in + grid_out)
// (charge_price = price unless the request gives charge prices)
// and the final stored energy is worth terminal_value per MWh. Levels are soc_floor +
// k * soc_step_mwh within [soc_floor, soc_max], plus the true start soc as one extra level
// when it is off the grid, so the first action is exact and feasible from where the battery
// really is. Trading never takes the battery below the floor (soc_min + reserve) or above
// soc_max; a battery that starts outside that band may only move towards it (charge or
// hold below the floor, discharge or hold above soc_max), through grid levels between the
// start and the band.
// Sign convention: power > 0 discharges to the grid, < 0 charges.
#ifndef GRIDPILOT_CORE_PLANNING_GRID_DP_PLANNER_H_
#define GRIDPILOT_CORE_PLANNING_GRID_DP_PLANNER_H_

#include <cstddef>
#include <limits>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "core/assets/battery.h"

namespace gridpilot::planning {

struct ScheduleRequest {
  assets::BatteryParams battery;
  double soc_start_mwh = 0.0;
  double soc_floor_mwh = 0.0;             // trading floor = soc_min + reserve
  std::vector<double> price_gbp_per_mwh;  // one per interval, can be negative
  // Optional: the price of charging in each interval, one per price and each at or above
  // that interval's price, which then prices discharging only. Risk settings use it to
  // value a trade at the unfavourable side of each price's interval (TradingPrices).
  // Empty: charging and discharging both at price_gbp_per_mwh.
  std::vector<double> charge_price_gbp_per_mwh;
  absl::Duration interval = absl::Minutes(30);
  double terminal_value_gbp_per_mwh = 0.0;  // value of each MWh stored at the end
                                            // (stored energy, not grid energy)
  double soc_step_mwh = 1.0;                // grid resolution
  // Ramp awareness (optional, 0 = off): the largest change of grid power between
  // consecutive intervals, MW. When set, (a) the first interval's power stays within
  // max_power_step_mw of initial_power_mw where a grid level allows it together with (b)
  // (otherwise the nearest level is kept and the caller clamps), and (b) no interval runs
  // at a power the battery could not ramp back to zero from in steps of max_power_step_mw
  // without crossing [floor, soc_max] ("soft landing"), so the plan never has to stop dead
  // at a bound. Later steps are limited only with limit_every_step.
  double max_power_step_mw = 0.0;
  double initial_power_mw = 0.0;  // grid power in the interval before the first
  // With max_power_step_mw > 0: EVERY step of the plan (the first from initial_power_mw,
  // then between consecutive intervals) stays within max_power_step_mw, and the plan ends
  // at a power it can ramp down to zero from within [floor, soc_max]. The plan is then
  // optimal over a grid of levels start + k * soc_step_mwh (k integer) within the band,
  // with the previous interval's power as a second state: a plan that cannot chase
  // peaks the ramp limit cannot reach. If no such plan exists from the start state (the
  // battery already runs too hard towards a bound), the first-step-only plan above is
  // returned and `note` says so. A limit of max_charge_mw + max_discharge_mw or more limits
  // nothing and plans as without. Costs O(levels x moves x log(moves in a step window))
  // per interval and keeps levels x moves values per interval (a grid where that times
  // (intervals + 2) exceeds 6.25 million is refused like an infeasible one, as above):
  // for the default battery at 1 MWh and a 15 MW step, about 65 us of CPU for 48
  // intervals with coarse_from_interval 12 on a busy 2-core machine.
  bool limit_every_step = false;
  // With limit_every_step: from this interval on (0-based), the plan moves only between
  // levels start + 2k * soc_step_mwh, in whole multiples of 2 * soc_step_mwh, which
  // quarters the cost of those intervals. Only the near intervals are executed before the
  // next re-plan, so the far ones can be coarse. The default keeps every interval fine.
  size_t coarse_from_interval = std::numeric_limits<size_t>::max();
  // Optional, with max_power_step_mw > 0: one value per interval, MW, each within
  // +-(max_charge_mw + max_discharge_mw). Interval i's change of power from the interval
  // before (from initial_power_mw for i = 0) must then lie in StepWindowFor(centre_i,
  // step) rather than [-step, step], where step is max_power_step_mw: [centre_i - step,
  // centre_i + step] while |centre_i| <= step, and beyond that the window still reaches
  // centre_i + step in the centre's direction but stops at 0 on the other side. So a plan
  // can lean its steps the way that offsets an expected change of load, and can always
  // hold its power. Later intervals use it only with limit_every_step; the soft landing
  // ignores it.
  std::vector<double> step_centre_mw;
  // Optional (0 = off, else > 0), with step_centre_mw: from interval follow_from_interval
  // on (0-based; later intervals only with limit_every_step), where |centre_i| >
  // follow_beyond_mw the plan must follow the centre: the change must lie in
  // [centre_i - follow_beyond_mw, centre_i + step] for a positive centre, mirrored for a
  // negative one, so holding is not allowed there. A plan that cannot follow from some
  // state is worth nothing from it, so the plan keeps the stored energy (or the charging
  // to give up) that an expected ramp of load will need: energy the response agent
  // would otherwise take at whatever the price is then. If no plan from the start state
  // can follow, the first-step-only plan is returned (see limit_every_step).
  double follow_beyond_mw = 0.0;
  size_t follow_from_interval = 0;
};

struct BatterySchedule {
  std::vector<double> power_mw;       // one per interval, > 0 discharge
  std::vector<double> soc_after_mwh;  // stored energy at the end of each interval
  double objective_gbp = 0;           // revenue - degradation + terminal value, at the
                                      // request's prices (charging at its charge prices)
  std::string note;                   // what was relaxed or refused; empty when nothing
};

// The changes of power, MW, a step centred on `centre_mw` may make with a step limit of
// `max_power_step_mw` (>= 0): [min(0, centre - step), max(0, centre + step)]. It always
// contains 0 (holding), and equals [centre - step, centre + step] when |centre| <= step.
struct StepWindow {
  double lower_mw = 0.0;  // the most negative change allowed (towards charging)
  double upper_mw = 0.0;  // the most positive change allowed (towards discharging)
};
StepWindow StepWindowFor(double centre_mw, double max_power_step_mw);

// Plans the schedule that maximises the objective over the level grid described above.
// The floor used is max(soc_floor_mwh, battery.soc_min_mwh). Never fails: an invalid
// request (non-positive step or interval, limits or efficiencies out of range, non-finite
// values, floor above soc_max, more than 100000 levels) yields the hold-everything plan
// with the reason in `note`. With no prices the plan is empty and the objective is the
// terminal value of the start soc. Thread-safe: nothing is shared between threads; each
// thread keeps its every-step-limited value tables (up to 4 MB) and up to 1,024 step
// windows' move ranges between calls, which never change a plan.
BatterySchedule PlanBatterySchedule(const ScheduleRequest& request);

// Intervals of a trading plan planned on the fine grid; later ones are coarse (see
// coarse_from_interval). Why 12: docs/decisions.md, "Grid DP planner".
inline constexpr size_t kTradingFineIntervals = 12;

// The request a trading plan makes: above the trading floor (soc_min + reserve), with the
// given step limit on every step (limit_every_step, coarse from kTradingFineIntervals on;
// none when max_power_step_mw is 0) from `initial_power_mw`, and each MWh still stored at
// the horizon's end valued at what it would sell for at the horizon's mean price (price x
// discharge efficiency - degradation, at least 0), so the plan neither hoards nor dumps at
// the cut-off. `prices` must not be empty.
ScheduleRequest TradingScheduleRequest(const assets::BatteryParams& battery, double soc_start_mwh,
                                       double initial_power_mw, std::vector<double> prices,
                                       absl::Duration interval, double max_power_step_mw);

}  // namespace gridpilot::planning

#endif  // GRIDPILOT_CORE_PLANNING_GRID_DP_PLANNER_H_
