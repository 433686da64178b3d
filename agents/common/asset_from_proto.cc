#include "agents/common/asset_from_proto.h"

#include "services/common/proto_time.h"

namespace gridpilot {

assets::BatteryParams BatteryParamsFromProto(const v1::Asset& asset) {
  const v1::BatteryState& b = asset.battery();
  assets::BatteryParams p;
  p.id = asset.id();
  p.energy_capacity_mwh = b.energy_capacity_mwh();
  p.max_charge_mw = b.max_charge_mw();
  p.max_discharge_mw = b.max_discharge_mw();
  p.charge_efficiency = b.charge_efficiency();
  p.discharge_efficiency = b.discharge_efficiency();
  p.soc_min_mwh = b.soc_min_mwh();
  p.soc_max_mwh = b.soc_max_mwh();
  p.soc_initial_mwh = b.soc_mwh();
  p.reserve_mwh = b.reserve_mwh();
  p.degradation_gbp_per_mwh = b.degradation_gbp_per_mwh();
  return p;
}

assets::PeakerParams PeakerParamsFromProto(const v1::Asset& asset) {
  const v1::PeakerState& s = asset.peaker();
  assets::PeakerParams p;
  p.id = asset.id();
  p.capacity_mw = s.capacity_mw();
  p.min_stable_load_mw = s.min_stable_load_mw();
  p.start_up_time = FromProtoDuration(s.start_up_time());
  p.min_up_time = FromProtoDuration(s.min_up_time());
  p.min_down_time = FromProtoDuration(s.min_down_time());
  p.ramp_rate_mw_per_min = s.ramp_rate_mw_per_min();
  p.fuel_gbp_per_mwh = s.fuel_gbp_per_mwh();
  p.start_cost_gbp = s.start_cost_gbp();
  return p;
}

assets::PeakerState PeakerStateFromProto(const v1::Asset& asset) {
  const v1::PeakerState& s = asset.peaker();
  assets::PeakerState state;
  state.output_mw = s.output_mw();
  state.status_since =
      s.has_status_since() ? FromProtoTime(s.status_since()) : absl::InfinitePast();
  switch (s.status()) {
    case v1::PEAKER_STATUS_STARTING: state.status = assets::PeakerStatus::kStarting; break;
    case v1::PEAKER_STATUS_ON: state.status = assets::PeakerStatus::kOn; break;
    default: state.status = assets::PeakerStatus::kOff; break;
  }
  return state;
}

const v1::Asset* FindAsset(const v1::Tick& tick, v1::AssetKind kind) {
  for (const v1::Asset& asset : tick.assets()) {
    if (asset.kind() == kind) return &asset;
  }
  return nullptr;
}

}  // namespace gridpilot
