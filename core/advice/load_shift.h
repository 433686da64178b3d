// Load shifting for one day: which half-hours are the peak, how much flexible load to move
// out of them and where to put it. Pure arithmetic on 48 half-hourly values.
//
// Units. Load is a mean power over each half-hour in the caller's unit (kW for a site, MW
// for a region); energies are that unit times hours (kWh, MWh). `mwh_per_unit_hour`
// converts one unit-hour to MWh (0.001 for kW, 1 for MW) so that a price in £/MWh gives £.
//
// Rule. A half-hour is a peak when its load exceeds the peak limit. From each peak
// half-hour the plan moves out min(flexible_share * load, load - limit): at most the
// flexible part, and no more than brings it down to the limit. The energy goes to the
// cheapest half-hours of the same day (ties: the lower load, then the earlier), each filled
// up to the limit and never beyond, so the plan makes no new peak. When the day has less
// room below the limit than the peaks would send, every peak's move is scaled down by the
// same factor. Moving to a dearer half-hour is allowed: the aim is the peak; the £ figure
// says what it costs or saves.
#ifndef GRIDPILOT_CORE_ADVICE_LOAD_SHIFT_H_
#define GRIDPILOT_CORE_ADVICE_LOAD_SHIFT_H_

#include <optional>
#include <vector>

#include "absl/status/statusor.h"

namespace gridpilot::advice {

struct LoadShiftPlan {
  double peak_limit = 0.0;      // unit (kW or MW)
  std::vector<double> out;      // per half-hour, mean power moved out, unit, >= 0
  std::vector<double> in;       // per half-hour, mean power moved in, unit, >= 0
  double shifted_energy = 0.0;  // unit-hours moved (sum of out * 0.5 h)
};

// The figures of a load path with and without a shift, against one price path.
struct ShiftOutcome {
  double peak_before = 0.0;  // unit
  double peak_after = 0.0;   // unit
  double peak_reduction() const { return peak_before - peak_after; }
  double shifted_energy = 0.0;  // unit-hours actually moved
  double cost_before_gbp = 0.0;
  double cost_after_gbp = 0.0;
  double saved_gbp() const { return cost_before_gbp - cost_after_gbp; }
  std::vector<double> load_after;  // unit, per half-hour
};

// The q-th percentile (q in [0, 100], linear interpolation) of the values.
// InvalidArgument for an empty vector or q outside [0, 100].
absl::StatusOr<double> Percentile(std::vector<double> values, double q);

// Plans the shift by the rule above. load and price_gbp_per_mwh have the same size (48
// for a day); flexible_share in [0, 1]; peak_limit >= 0. InvalidArgument naming the
// argument otherwise (also for a NaN or negative load).
absl::StatusOr<LoadShiftPlan> PlanLoadShift(const std::vector<double>& load,
                                            const std::vector<double>& price_gbp_per_mwh,
                                            double flexible_share, double peak_limit);

// Applies a plan to a load path (the forecast it was made on, or the day that happened):
// each half-hour gives up min(plan.out, flexible_share * load), what exists to move, and
// the destinations receive plan.in scaled by (energy given up) / (energy planned).
// Costs use price_gbp_per_mwh and mwh_per_unit_hour. Sizes must match the plan's
// (InvalidArgument otherwise).
absl::StatusOr<ShiftOutcome> ApplyLoadShift(const LoadShiftPlan& plan,
                                            const std::vector<double>& load,
                                            const std::vector<double>& price_gbp_per_mwh,
                                            double flexible_share, double mwh_per_unit_hour);

}  // namespace gridpilot::advice

#endif  // GRIDPILOT_CORE_ADVICE_LOAD_SHIFT_H_
