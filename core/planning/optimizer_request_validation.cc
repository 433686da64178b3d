#include "core/planning/optimizer_request_validation.h"

#include <cmath>
#include <cstddef>
#include <limits>
#include <optional>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"

namespace gridpilot::planning::lp {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

}  // namespace

absl::Status ValidateRequest(const BatteryOptimizerRequest& request) {
  for (size_t t = 0; t < request.price_gbp_per_mwh.size(); ++t) {
    const double price = request.price_gbp_per_mwh[t];
    if (std::isnan(price)) {
      return absl::InvalidArgumentError(absl::StrCat("price_gbp_per_mwh[", t, "] is NaN"));
    }
    if (std::isinf(price)) {
      return absl::InvalidArgumentError(
          absl::StrCat("price_gbp_per_mwh[", t, "] is infinite (", price, ")"));
    }
  }
  if (request.interval <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        absl::StrCat("interval must be > 0, got ", absl::FormatDuration(request.interval)));
  }
  if (request.batteries.empty()) {
    return absl::InvalidArgumentError("batteries is empty: one battery is required");
  }
  for (const auto& [field, value] :
       {std::pair{"grid_import_limit_mw", request.grid_import_limit_mw},
        std::pair{"grid_export_limit_mw", request.grid_export_limit_mw}}) {
    if (value && !(*value >= 0 && *value < kInf)) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, " = ", *value, ": must be finite and >= 0"));
    }
  }
  const bool shared_connection = request.grid_import_limit_mw || request.grid_export_limit_mw;
  for (size_t b = 0; b < request.batteries.size(); ++b) {
    const OptimizerBatterySpec& spec = request.batteries[b];
    const std::string where = absl::StrCat("batteries[", b, "].");
    const absl::Status params = spec.params.Validate();
    if (!params.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(where, "params: ", params.message()));
    }
    auto check = [&](const char* field, std::optional<double> value) -> absl::Status {
      if (value && !(*value >= 0 && *value < kInf)) {
        return absl::InvalidArgumentError(
            absl::StrCat(where, field, " = ", *value, ": must be finite and >= 0"));
      }
      return absl::OkStatus();
    };
    for (const absl::Status& status :
         {check("terminal_soc_min_mwh", spec.terminal_soc_min_mwh),
          check("terminal_soc_max_mwh", spec.terminal_soc_max_mwh),
          check("discharge_cap_mwh_per_day", spec.discharge_cap_mwh_per_day),
          check("discharged_today_mwh", spec.discharged_today_mwh)}) {
      if (!status.ok()) return status;
    }
    if (spec.terminal_soc_min_mwh && spec.terminal_soc_max_mwh &&
        *spec.terminal_soc_min_mwh > *spec.terminal_soc_max_mwh) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, "terminal_soc_min_mwh (", *spec.terminal_soc_min_mwh,
                       ") > terminal_soc_max_mwh (", *spec.terminal_soc_max_mwh, ")"));
    }
    if (shared_connection && spec.discharge_cap_mwh_per_day) {
      return absl::UnimplementedError(
          absl::StrCat(where,
                       "discharge_cap_mwh_per_day: a cycle cap together with a shared "
                       "grid connection limit is not supported yet"));
    }
    const double floor = spec.params.soc_min_mwh + spec.params.reserve_mwh;
    if (shared_connection && spec.params.soc_initial_mwh < floor) {
      return absl::UnimplementedError(
          absl::StrCat(where, "params.soc_initial_mwh (", spec.params.soc_initial_mwh,
                       ") is below the trading floor (", floor,
                       "): with a shared grid connection limit that is not supported yet"));
    }
  }
  return absl::OkStatus();
}

}  // namespace gridpilot::planning::lp
