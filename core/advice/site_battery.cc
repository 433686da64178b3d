#include "core/advice/site_battery.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "core/planning/exact_optimizer.h"

namespace gridpilot::advice {
namespace {

constexpr double kHours = 0.5;

}  // namespace

absl::StatusOr<SiteBatteryPlan> PlanSiteBattery(const std::vector<double>& price_gbp_per_mwh,
                                                const SiteBatteryOptions& options,
                                                double mwh_per_unit_hour) {
  if (!(options.capacity > 0) || std::isinf(options.capacity)) {
    return absl::InvalidArgumentError(
        absl::StrCat("battery capacity ", options.capacity, " must be finite and > 0"));
  }
  if (!(options.power > 0) || std::isinf(options.power)) {
    return absl::InvalidArgumentError(
        absl::StrCat("battery power ", options.power, " must be finite and > 0"));
  }
  if (!(options.round_trip_efficiency > 0 && options.round_trip_efficiency <= 1)) {
    return absl::InvalidArgumentError(
        absl::StrCat("battery efficiency ", options.round_trip_efficiency, " is outside (0, 1]"));
  }
  if (!(options.wear_gbp_per_mwh >= 0) || std::isinf(options.wear_gbp_per_mwh)) {
    return absl::InvalidArgumentError(
        absl::StrCat("battery wear ", options.wear_gbp_per_mwh, " must be finite and >= 0"));
  }
  const double one_way = std::sqrt(options.round_trip_efficiency);
  planning::OptimizerBatterySpec spec;
  spec.params.id = "site-battery";
  spec.params.energy_capacity_mwh = options.capacity * mwh_per_unit_hour;
  spec.params.max_charge_mw = options.power * mwh_per_unit_hour;
  spec.params.max_discharge_mw = options.power * mwh_per_unit_hour;
  spec.params.charge_efficiency = one_way;
  spec.params.discharge_efficiency = one_way;
  spec.params.soc_min_mwh = 0.0;
  spec.params.soc_max_mwh = spec.params.energy_capacity_mwh;
  spec.params.soc_initial_mwh = 0.0;
  spec.params.reserve_mwh = 0.0;
  spec.params.degradation_gbp_per_mwh = options.wear_gbp_per_mwh;
  planning::BatteryOptimizerRequest request;
  request.interval = absl::Minutes(30);
  request.price_gbp_per_mwh = price_gbp_per_mwh;
  request.batteries.push_back(spec);
  ASSIGN_OR_RETURN(const planning::BatteryOptimizerResult result,
                   planning::OptimizeBatterySchedule(request));
  const planning::OptimizerBatteryPlan& battery = result.batteries.front();
  SiteBatteryPlan plan;
  for (size_t i = 0; i < price_gbp_per_mwh.size(); ++i) {
    plan.charge.push_back(battery.charge_mw[i] / mwh_per_unit_hour);
    plan.discharge.push_back(battery.discharge_mw[i] / mwh_per_unit_hour);
    plan.stored.push_back(battery.soc_after_mwh[i] / mwh_per_unit_hour);
  }
  plan.return_gbp = result.objective_gbp;
  return plan;
}

absl::StatusOr<double> BatteryReturnGbp(const SiteBatteryPlan& plan,
                                        const std::vector<double>& price_gbp_per_mwh,
                                        const SiteBatteryOptions& options,
                                        double mwh_per_unit_hour) {
  if (plan.charge.size() != price_gbp_per_mwh.size() ||
      plan.discharge.size() != price_gbp_per_mwh.size()) {
    return absl::InvalidArgumentError(absl::StrCat("the battery plan has ", plan.charge.size(),
                                                   " half-hours but the prices ",
                                                   price_gbp_per_mwh.size()));
  }
  double total = 0.0;
  for (size_t i = 0; i < price_gbp_per_mwh.size(); ++i) {
    const double mwh_in = plan.charge[i] * kHours * mwh_per_unit_hour;
    const double mwh_out = plan.discharge[i] * kHours * mwh_per_unit_hour;
    total +=
        price_gbp_per_mwh[i] * (mwh_out - mwh_in) - options.wear_gbp_per_mwh * (mwh_in + mwh_out);
  }
  return total;
}

}  // namespace gridpilot::advice
