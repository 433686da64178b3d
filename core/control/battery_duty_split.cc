#include "core/control/battery_duty_split.h"

#include <algorithm>
#include <cmath>

#include "core/assets/interlocks.h"

namespace gridpilot::control {

namespace {

void CapByConnection(const DutyConnection& connection, assets::BatteryParams* params) {
  constexpr double kLeastMw = 1e-9;  // keeps the params valid behind a 0 MW limit
  if (connection.export_limit_mw.has_value()) {
    params->max_discharge_mw =
        std::min(params->max_discharge_mw, std::max(kLeastMw, *connection.export_limit_mw));
  }
  if (connection.import_limit_mw.has_value()) {
    params->max_charge_mw =
        std::min(params->max_charge_mw, std::max(kLeastMw, *connection.import_limit_mw));
  }
}

}  // namespace

FleetBattery FleetAsOneBattery(const std::vector<DutyBattery>& batteries,
                               const DutyConnection& connection) {
  FleetBattery fleet;
  if (batteries.size() == 1) {
    fleet.params = batteries[0].params;
    fleet.soc_mwh = batteries[0].soc_mwh;
    fleet.scheduled_mw = batteries[0].scheduled_mw;
    CapByConnection(connection, &fleet.params);
    return fleet;
  }
  assets::BatteryParams& p = fleet.params;
  p.id = "fleet";
  p.energy_capacity_mwh = p.max_charge_mw = p.max_discharge_mw = 0.0;
  p.soc_min_mwh = p.soc_max_mwh = p.soc_initial_mwh = p.reserve_mwh = 0.0;
  double charge_eff_weighted = 0.0, discharge_eff_weighted = 0.0, degradation_weighted = 0.0;
  double rating_mw = 0.0;
  for (const DutyBattery& b : batteries) {
    const assets::BatteryParams& q = b.params;
    p.energy_capacity_mwh += q.energy_capacity_mwh;
    p.max_charge_mw += q.max_charge_mw;
    p.max_discharge_mw += q.max_discharge_mw;
    p.soc_min_mwh += q.soc_min_mwh;
    p.soc_max_mwh += q.soc_max_mwh;
    p.soc_initial_mwh += q.soc_initial_mwh;
    p.reserve_mwh += q.reserve_mwh;
    charge_eff_weighted += q.charge_efficiency * q.energy_capacity_mwh;
    discharge_eff_weighted += q.discharge_efficiency * q.energy_capacity_mwh;
    const double rating = std::max(q.max_charge_mw, q.max_discharge_mw);
    degradation_weighted += q.degradation_gbp_per_mwh * rating;
    rating_mw += rating;
    fleet.soc_mwh += b.soc_mwh;
    fleet.scheduled_mw += b.scheduled_mw;
  }
  p.charge_efficiency = charge_eff_weighted / p.energy_capacity_mwh;
  p.discharge_efficiency = discharge_eff_weighted / p.energy_capacity_mwh;
  p.degradation_gbp_per_mwh = degradation_weighted / rating_mw;
  CapByConnection(connection, &p);
  return fleet;
}

std::vector<double> SplitDuty(const std::vector<DutyBattery>& batteries, double total_mw,
                              absl::Duration interval, const DutyConnection& connection) {
  std::vector<double> setpoints_mw;
  double scheduled_mw = 0.0;
  for (const DutyBattery& b : batteries) {
    setpoints_mw.push_back(b.scheduled_mw);
    scheduled_mw += b.scheduled_mw;
  }
  const double delta_mw = total_mw - scheduled_mw;
  if (batteries.empty() || delta_mw == 0.0) return setpoints_mw;
  const bool up = delta_mw > 0.0;  // more discharge
  std::vector<double> headroom_mw;
  std::vector<double> rating_mw;
  double fleet_headroom_mw = 0.0, fleet_rating_mw = 0.0;
  for (const DutyBattery& b : batteries) {
    const double limit_mw = up ? b.params.max_discharge_mw : -b.params.max_charge_mw;
    const double reachable_mw =
        assets::ClampBatteryPower(b.params, b.soc_mwh, limit_mw, b.params.soc_min_mwh, interval)
            .power_mw;
    headroom_mw.push_back(
        std::max(0.0, up ? reachable_mw - b.scheduled_mw : b.scheduled_mw - reachable_mw));
    rating_mw.push_back(std::abs(limit_mw));
    fleet_headroom_mw += headroom_mw.back();
    fleet_rating_mw += rating_mw.back();
  }
  double needed_mw = std::abs(delta_mw);
  const std::optional<double>& connection_limit_mw =
      up ? connection.export_limit_mw : connection.import_limit_mw;
  bool connection_bound = false;
  if (connection_limit_mw.has_value()) {
    const double connection_headroom_mw =
        std::max(0.0, *connection_limit_mw - (up ? scheduled_mw : -scheduled_mw));
    if (connection_headroom_mw < needed_mw) {
      needed_mw = connection_headroom_mw;
      connection_bound = true;
    }
  }
  if (needed_mw == 0.0) return setpoints_mw;
  const double sign = up ? 1.0 : -1.0;
  for (size_t i = 0; i < batteries.size(); ++i) {
    double share_mw;
    if (needed_mw <= fleet_headroom_mw) {
      share_mw = needed_mw * headroom_mw[i] / fleet_headroom_mw;
    } else {
      share_mw = headroom_mw[i] + (needed_mw - fleet_headroom_mw) * rating_mw[i] / fleet_rating_mw;
    }
    setpoints_mw[i] += sign * share_mw;
  }
  // One battery takes the whole setpoint, to the bit.
  if (batteries.size() == 1 && !connection_bound) setpoints_mw[0] = total_mw;
  return setpoints_mw;
}

}  // namespace gridpilot::control
