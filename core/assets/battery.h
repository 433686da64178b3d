// Battery physics: parameters and one interval of charge or discharge.
// Sign convention (everywhere in gridpilot): power > 0 discharges to the grid, < 0 charges.
#ifndef GRIDPILOT_CORE_ASSETS_BATTERY_H_
#define GRIDPILOT_CORE_ASSETS_BATTERY_H_

#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace gridpilot::assets {

// Defaults: a 50 MW / 100 MWh lithium-ion battery, sized for a region of 1% of GB.
struct BatteryParams {
  std::string id = "battery-1";
  double energy_capacity_mwh = 100.0;    // nameplate energy
  double max_charge_mw = 50.0;           // grid-side charge limit, > 0
  double max_discharge_mw = 50.0;        // grid-side discharge limit, > 0
  double charge_efficiency = 0.95;       // stored MWh = grid MWh in * charge_efficiency
  double discharge_efficiency = 0.95;    // grid MWh out = stored MWh out * discharge_efficiency
  double soc_min_mwh = 5.0;              // hard lower bound on stored energy
  double soc_max_mwh = 95.0;             // hard upper bound on stored energy
  double soc_initial_mwh = 50.0;         // stored energy at the start of a run
  double reserve_mwh = 20.0;             // energy above soc_min held for resilience:
                                         // trading may not discharge below soc_min + reserve
  double degradation_gbp_per_mwh = 5.0;  // wear cost per MWh of grid-side throughput
                                         // (charge MWh + discharge MWh)

  // InvalidArgument naming the first field out of range (non-positive limits,
  // efficiencies outside (0, 1], soc bounds not 0 <= min <= initial <= max <= capacity,
  // reserve < 0 or min + reserve > max, negative degradation, any NaN).
  absl::Status Validate() const;
};

// What one interval did to the battery. Energies are grid-side and non-negative.
struct BatteryInterval {
  double power_mw = 0.0;  // applied power, > 0 discharge
  double soc_before_mwh = 0.0;
  double soc_after_mwh = 0.0;
  double charge_mwh = 0.0;     // grid energy taken in (>= 0)
  double discharge_mwh = 0.0;  // grid energy delivered (>= 0)
};

// Applies `power_mw` for `duration` from `soc_mwh`. The caller has already clamped the
// power with ClampBatteryPower (interlocks.h); this function does no clamping.
// soc_after = soc_before + charge_mwh * charge_efficiency - discharge_mwh / discharge_efficiency.
BatteryInterval StepBattery(const BatteryParams& params, double soc_mwh, double power_mw,
                            absl::Duration duration);

}  // namespace gridpilot::assets

#endif  // GRIDPILOT_CORE_ASSETS_BATTERY_H_
