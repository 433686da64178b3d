#include "core/control/step_response_policy.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_format.h"
#include "core/assets/interlocks.h"

namespace gridpilot::control {
namespace {
constexpr double kDeadbandMw = 0.1;
}  // namespace

StepDecision DecideStepResponse(const StepObservation& obs, const StepPolicyConfig& config) {
  StepDecision decision;
  if (!obs.last_net_load_mw || !obs.reference_after_dispatch_mw ||
      !std::isfinite(*obs.last_net_load_mw) || !std::isfinite(*obs.reference_after_dispatch_mw)) {
    decision.reason = "no proposal: the last reading or the one a window back is missing";
    return decision;
  }
  if (!(config.tolerance_mw > 0) || !(config.margin_mw >= 0) ||
      config.step <= absl::ZeroDuration() || !std::isfinite(obs.battery_soc_mwh) ||
      !std::isfinite(obs.scheduled_battery_mw) || !std::isfinite(obs.peaker_mw) ||
      !obs.battery.Validate().ok()) {
    decision.reason = "no proposal: invalid config or asset state";
    return decision;
  }
  const double w = std::max(0.0, config.tolerance_mw - config.margin_mw);
  const double centre_mw = *obs.last_net_load_mw - *obs.reference_after_dispatch_mw;
  const double low_mw = centre_mw - w;
  const double high_mw = centre_mw + w;
  const double scheduled_mw =
      assets::ClampBatteryPower(obs.battery, obs.battery_soc_mwh, obs.scheduled_battery_mw,
                                obs.battery.soc_min_mwh + obs.battery.reserve_mwh, config.step)
          .power_mw;
  const double scheduled_total_mw = scheduled_mw + obs.peaker_mw;
  if (scheduled_total_mw >= low_mw && scheduled_total_mw <= high_mw) {
    decision.reason = absl::StrFormat(
        "net load %.2f MW; dispatch must lie in [%.2f, %.2f] MW and the scheduled %.2f MW does",
        *obs.last_net_load_mw, low_mw, high_mw, scheduled_total_mw);
    return decision;
  }
  const double target_mw = std::clamp(scheduled_total_mw, low_mw, high_mw);
  const double battery_mw =
      assets::ClampBatteryPower(obs.battery, obs.battery_soc_mwh, target_mw - obs.peaker_mw,
                                obs.battery.soc_min_mwh, config.step)
          .power_mw;
  if (std::abs(battery_mw - scheduled_mw) > kDeadbandMw) decision.battery_mw = battery_mw;
  decision.reason = absl::StrFormat(
      "net load %.2f MW; dispatch must lie in [%.2f, %.2f] MW to keep the change over the "
      "ramp window within %.2f MW; battery %.2f MW instead of %.2f MW scheduled%s",
      *obs.last_net_load_mw, low_mw, high_mw, config.tolerance_mw, battery_mw, scheduled_mw,
      std::abs(battery_mw + obs.peaker_mw - target_mw) > kDeadbandMw
          ? absl::StrFormat(", %.2f MW short at its limits",
                            std::abs(battery_mw + obs.peaker_mw - target_mw))
          : "");
  return decision;
}

}  // namespace gridpilot::control
