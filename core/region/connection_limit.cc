#include "core/region/connection_limit.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace gridpilot::region {

absl::Status ConnectionLimit::Validate(const std::string& where) const {
  for (const auto& [name, value] : {std::pair{"export_limit_mw", export_limit_mw},
                                    std::pair{"import_limit_mw", import_limit_mw}}) {
    if (!value.has_value()) continue;
    if (!std::isfinite(*value) || *value < 0.0 || *value > kMaxConnectionLimitMw) {
      return absl::InvalidArgumentError(absl::StrCat(
          where, ".", name, ": ", *value, " is outside [0, ", kMaxConnectionLimitMw, "] MW"));
    }
  }
  return absl::OkStatus();
}

ConnectionClamped ClampToConnection(const std::vector<ConnectionSetpoint>& setpoints,
                                    const ConnectionLimit& limit) {
  ConnectionClamped out;
  out.reason.assign(setpoints.size(), "");
  double net_mw = 0.0;
  for (const ConnectionSetpoint& s : setpoints) {
    out.power_mw.push_back(s.power_mw);
    net_mw += s.power_mw;
  }
  double sign = 0.0;  // +1: too much export, -1: too much import
  double limit_mw = 0.0;
  if (limit.export_limit_mw.has_value() && net_mw > *limit.export_limit_mw) {
    sign = 1.0;
    limit_mw = *limit.export_limit_mw;
  } else if (limit.import_limit_mw.has_value() && -net_mw > *limit.import_limit_mw) {
    sign = -1.0;
    limit_mw = *limit.import_limit_mw;
  }
  if (sign == 0.0) return out;
  double excess_mw = sign * net_mw - limit_mw;
  // Trading (and idle) setpoints give way first, then resilience ones.
  for (const bool resilience : {false, true}) {
    double in_direction_mw = 0.0;
    for (const ConnectionSetpoint& s : setpoints) {
      const bool is_resilience = s.priority == DispatchPriority::kResilience;
      if (is_resilience == resilience && sign * s.power_mw > 0.0) {
        in_direction_mw += sign * s.power_mw;
      }
    }
    if (in_direction_mw <= 0.0) continue;
    const double cut_share = std::min(1.0, excess_mw / in_direction_mw);
    for (size_t i = 0; i < setpoints.size(); ++i) {
      const ConnectionSetpoint& s = setpoints[i];
      const bool is_resilience = s.priority == DispatchPriority::kResilience;
      if (is_resilience != resilience || !(sign * s.power_mw > 0.0)) continue;
      out.power_mw[i] = cut_share >= 1.0 ? 0.0 : s.power_mw * (1.0 - cut_share);
      out.reason[i] = absl::StrFormat(
          "clamped %.2f -> %.2f MW: the batteries' shared connection (%s limit %.2f MW, "
          "fleet %.2f MW)",
          s.power_mw, out.power_mw[i], sign > 0 ? "export" : "import", limit_mw, sign * net_mw);
    }
    excess_mw -= std::min(excess_mw, in_direction_mw);
    if (excess_mw <= 0.0) break;
  }
  return out;
}

}  // namespace gridpilot::region
