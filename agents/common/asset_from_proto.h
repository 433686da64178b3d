// Converts the assets carried in a tick (proto) into the core's asset types, so agents can
// run the same physics and interlock checks the gateway runs.
#ifndef GRIDPILOT_AGENTS_COMMON_ASSET_FROM_PROTO_H_
#define GRIDPILOT_AGENTS_COMMON_ASSET_FROM_PROTO_H_

#include "core/assets/battery.h"
#include "core/assets/peaker.h"
#include "gridpilot/v1/types.pb.h"

namespace gridpilot {

// The battery's parameters; soc_initial_mwh is set to the current stored energy.
// `asset` must be of kind BATTERY.
assets::BatteryParams BatteryParamsFromProto(const v1::Asset& asset);

// The peaker's parameters and state. `asset` must be of kind PEAKER.
assets::PeakerParams PeakerParamsFromProto(const v1::Asset& asset);
assets::PeakerState PeakerStateFromProto(const v1::Asset& asset);

// The first asset of `kind` in the tick, or nullptr.
const v1::Asset* FindAsset(const v1::Tick& tick, v1::AssetKind kind);

}  // namespace gridpilot

#endif  // GRIDPILOT_AGENTS_COMMON_ASSET_FROM_PROTO_H_
