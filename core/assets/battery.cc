#include "core/assets/battery.h"

#include <cmath>

#include "absl/strings/str_format.h"

namespace gridpilot::assets {
namespace {

// Every check is written so that NaN fails it (comparisons with NaN are false).
absl::Status Bad(const char* field, double value, const char* rule) {
  return absl::InvalidArgumentError(
      absl::StrFormat("BatteryParams.%s = %g: %s", field, value, rule));
}

}  // namespace

absl::Status BatteryParams::Validate() const {
  if (!(energy_capacity_mwh > 0) || std::isinf(energy_capacity_mwh)) {
    return Bad("energy_capacity_mwh", energy_capacity_mwh, "must be finite and > 0");
  }
  if (!(max_charge_mw > 0) || std::isinf(max_charge_mw)) {
    return Bad("max_charge_mw", max_charge_mw, "must be finite and > 0");
  }
  if (!(max_discharge_mw > 0) || std::isinf(max_discharge_mw)) {
    return Bad("max_discharge_mw", max_discharge_mw, "must be finite and > 0");
  }
  if (!(charge_efficiency > 0 && charge_efficiency <= 1)) {
    return Bad("charge_efficiency", charge_efficiency, "must be in (0, 1]");
  }
  if (!(discharge_efficiency > 0 && discharge_efficiency <= 1)) {
    return Bad("discharge_efficiency", discharge_efficiency, "must be in (0, 1]");
  }
  if (!(soc_min_mwh >= 0)) return Bad("soc_min_mwh", soc_min_mwh, "must be >= 0");
  if (!(soc_initial_mwh >= soc_min_mwh)) {
    return Bad("soc_initial_mwh", soc_initial_mwh, "must be >= soc_min_mwh");
  }
  if (!(soc_max_mwh >= soc_initial_mwh)) {
    return Bad("soc_max_mwh", soc_max_mwh, "must be >= soc_initial_mwh");
  }
  if (!(soc_max_mwh <= energy_capacity_mwh)) {
    return Bad("soc_max_mwh", soc_max_mwh, "must be <= energy_capacity_mwh");
  }
  if (!(reserve_mwh >= 0)) return Bad("reserve_mwh", reserve_mwh, "must be >= 0");
  if (!(soc_min_mwh + reserve_mwh <= soc_max_mwh)) {
    return Bad("reserve_mwh", reserve_mwh, "soc_min_mwh + reserve_mwh must be <= soc_max_mwh");
  }
  if (!(degradation_gbp_per_mwh >= 0) || std::isinf(degradation_gbp_per_mwh)) {
    return Bad("degradation_gbp_per_mwh", degradation_gbp_per_mwh, "must be finite and >= 0");
  }
  return absl::OkStatus();
}

BatteryInterval StepBattery(const BatteryParams& params, double soc_mwh, double power_mw,
                            absl::Duration duration) {
  const double hours = absl::ToDoubleHours(duration);
  BatteryInterval out;
  out.power_mw = power_mw;
  out.soc_before_mwh = soc_mwh;
  if (power_mw > 0) {
    out.discharge_mwh = power_mw * hours;
  } else if (power_mw < 0) {
    out.charge_mwh = -power_mw * hours;
  }
  out.soc_after_mwh = soc_mwh + out.charge_mwh * params.charge_efficiency -
                      out.discharge_mwh / params.discharge_efficiency;
  return out;
}

}  // namespace gridpilot::assets
