#include "core/assets/interlocks.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"

namespace gridpilot::assets {

ClampedSetpoint ClampBatteryPower(const BatteryParams& params, double soc_mwh, double requested_mw,
                                  double soc_floor_mwh, absl::Duration duration) {
  if (!std::isfinite(requested_mw)) {
    return {0.0, absl::StrFormat("request %g MW is not finite: clamped to 0", requested_mw)};
  }
  std::vector<std::string> reasons;
  double power_mw = requested_mw;
  if (power_mw > params.max_discharge_mw) {
    power_mw = params.max_discharge_mw;
    reasons.push_back(absl::StrFormat("max discharge %.1f MW", params.max_discharge_mw));
  } else if (power_mw < -params.max_charge_mw) {
    power_mw = -params.max_charge_mw;
    reasons.push_back(absl::StrFormat("max charge %.1f MW", params.max_charge_mw));
  }

  const double hours = absl::ToDoubleHours(duration);
  if (power_mw > 0) {
    // Stored energy leaving = grid energy / discharge_efficiency, so the grid may take
    // headroom * discharge_efficiency over the interval. max(0, .) absorbs a soc that
    // already sits (or, by rounding, barely sits) below the floor.
    const double headroom_mwh = std::max(0.0, soc_mwh - soc_floor_mwh);
    const double limit_mw =
        hours > 0 ? headroom_mwh * params.discharge_efficiency / hours : power_mw;
    if (power_mw > limit_mw) {
      power_mw = limit_mw;
      reasons.push_back(headroom_mwh == 0
                            ? absl::StrFormat("stored %.3f MWh at or below floor %.3f MWh: "
                                              "no discharge",
                                              soc_mwh, soc_floor_mwh)
                            : absl::StrFormat("floor %.3f MWh limits discharge to %.3f MW",
                                              soc_floor_mwh, limit_mw));
    }
  } else if (power_mw < 0) {
    const double room_mwh = std::max(0.0, params.soc_max_mwh - soc_mwh);
    const double limit_mw = hours > 0 ? room_mwh / params.charge_efficiency / hours : -power_mw;
    if (-power_mw > limit_mw) {
      power_mw = -limit_mw;
      reasons.push_back(absl::StrFormat("soc max %.3f MWh limits charge to %.3f MW",
                                        params.soc_max_mwh, limit_mw));
    }
  }
  if (power_mw == 0) power_mw = 0.0;  // no -0.0 in reports
  if (reasons.empty()) return {power_mw, ""};
  return {power_mw, absl::StrFormat("requested %.3f MW, applied %.3f MW: %s", requested_mw,
                                    power_mw, absl::StrJoin(reasons, "; "))};
}

absl::Status CheckBatteryInterval(const BatteryParams& params, const BatteryInterval& interval,
                                  double tolerance_mwh) {
  // Power limits allow only floating-point noise; energy checks allow tolerance_mwh.
  constexpr double kPowerSlackMw = 1e-9;
  const auto fail = [&](const std::string& what) {
    return absl::FailedPreconditionError(absl::StrFormat("battery %s: %s", params.id, what));
  };
  if (!(interval.power_mw <= params.max_discharge_mw + kPowerSlackMw)) {
    return fail(absl::StrFormat("power %g MW exceeds max discharge %g MW", interval.power_mw,
                                params.max_discharge_mw));
  }
  if (!(interval.power_mw >= -params.max_charge_mw - kPowerSlackMw)) {
    return fail(absl::StrFormat("power %g MW exceeds max charge %g MW", interval.power_mw,
                                params.max_charge_mw));
  }
  if (!(interval.charge_mwh >= 0 && interval.discharge_mwh >= 0)) {
    return fail(absl::StrFormat("negative energy: charge %g MWh, discharge %g MWh",
                                interval.charge_mwh, interval.discharge_mwh));
  }
  // Only soc_after is a result of this interval; soc_before was checked when it was made.
  if (!(interval.soc_after_mwh >= params.soc_min_mwh - tolerance_mwh)) {
    return fail(absl::StrFormat("soc after %.9g MWh is below soc_min %g MWh",
                                interval.soc_after_mwh, params.soc_min_mwh));
  }
  if (!(interval.soc_after_mwh <= params.soc_max_mwh + tolerance_mwh)) {
    return fail(absl::StrFormat("soc after %.9g MWh is above soc_max %g MWh",
                                interval.soc_after_mwh, params.soc_max_mwh));
  }
  const double expected_mwh = interval.soc_before_mwh +
                              interval.charge_mwh * params.charge_efficiency -
                              interval.discharge_mwh / params.discharge_efficiency;
  if (!(std::abs(interval.soc_after_mwh - expected_mwh) <= tolerance_mwh)) {
    return fail(absl::StrFormat("energy balance broken: soc after %.9g MWh, expected %.9g MWh",
                                interval.soc_after_mwh, expected_mwh));
  }
  return absl::OkStatus();
}

}  // namespace gridpilot::assets
