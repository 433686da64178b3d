// TelemetrySample: one message of live telemetry as a meter, an IoT gateway or a SCADA
// bridge sends it (over MQTT as JSON, over gRPC as a proto), decoded but not yet checked.
// The edges (services/gateway) decode into this; core/data/telemetry_validator.h judges it.
// Units are part of the field names (docs/decisions.md, "Live telemetry in").
#ifndef GRIDPILOT_CORE_DATA_TELEMETRY_SAMPLE_H_
#define GRIDPILOT_CORE_DATA_TELEMETRY_SAMPLE_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/time/time.h"

namespace gridpilot::data {

// A sample's values are instantaneous region readings at `timestamp`; any may be absent.
// Sign conventions: net load = demand - solar - wind; solar and wind >= 0.
struct TelemetrySample {
  absl::Time timestamp{};  // when measured, UTC
  std::string source{};    // the sending meter's id; must be configured
  int64_t sequence = 0;    // per source, each number once (in any order)
  std::optional<double> net_load_mw{};
  std::optional<double> solar_mw{};
  std::optional<double> wind_mw{};
  std::optional<double> price_gbp_per_mwh{};  // may be negative
};

}  // namespace gridpilot::data

#endif  // GRIDPILOT_CORE_DATA_TELEMETRY_SAMPLE_H_
