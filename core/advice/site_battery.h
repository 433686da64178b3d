// When a site's (or a region's) battery should buy and store and when it should use the
// energy: one day's charge and discharge plan against a day of prices, from the exact
// optimiser in core/planning (exact_optimizer.h), which already solves this LP to its
// optimum in microseconds. The battery starts the day empty and may end it anywhere (an
// optimal plan ends empty: stored energy has no value after the day).
//
// Value. The £ return is sum price * (discharge - charge) * 0.5 h: energy discharged is
// worth the price of the half-hour it is used in, as when it covers the site's own load
// (or is exported at the same price). Units as in load_shift.h: power in the caller's unit
// (kW or MW), energy in unit-hours, `mwh_per_unit_hour` converting to MWh.
#ifndef GRIDPILOT_CORE_ADVICE_SITE_BATTERY_H_
#define GRIDPILOT_CORE_ADVICE_SITE_BATTERY_H_

#include <vector>

#include "absl/status/statusor.h"

namespace gridpilot::advice {

struct SiteBatteryOptions {
  double capacity = 0.0;               // usable energy, unit-hours, > 0
  double power = 0.0;                  // charge and discharge limit, unit, > 0
  double round_trip_efficiency = 0.9;  // (0, 1]; split evenly between charge and discharge
  double wear_gbp_per_mwh = 0.0;       // cost per MWh of throughput (charge + discharge)
};

struct SiteBatteryPlan {
  std::vector<double> charge;     // per half-hour, mean power bought into the battery, >= 0
  std::vector<double> discharge;  // per half-hour, mean power used from the battery, >= 0
  std::vector<double> stored;     // unit-hours stored at the end of each half-hour
  double return_gbp = 0.0;        // the plan's £ return at the prices it was made on,
                                  // net of wear
};

// Plans the battery on `price_gbp_per_mwh` (one per half-hour). InvalidArgument naming the
// field for a non-positive capacity or power, an efficiency outside (0, 1], a negative
// wear cost, or a non-finite price.
absl::StatusOr<SiteBatteryPlan> PlanSiteBattery(const std::vector<double>& price_gbp_per_mwh,
                                                const SiteBatteryOptions& options,
                                                double mwh_per_unit_hour);

// The £ return of following `plan` at other prices (the day that happened), net of wear.
// InvalidArgument when the sizes differ.
absl::StatusOr<double> BatteryReturnGbp(const SiteBatteryPlan& plan,
                                        const std::vector<double>& price_gbp_per_mwh,
                                        const SiteBatteryOptions& options,
                                        double mwh_per_unit_hour);

}  // namespace gridpilot::advice

#endif  // GRIDPILOT_CORE_ADVICE_SITE_BATTERY_H_
