// The JSON form of a live telemetry message, as MQTT carries it:
//   {"timestamp": "2023-06-01T12:00:05Z", "source": "meter-1", "seq": 42,
//    "values": {"net_load_mw": 512.3, "solar_mw": 40.1, "wind_mw": 12.0,
//               "price_gbp_per_mwh": 71.5}}
// Units are part of each value's name (core/data/telemetry_validator.h, ClassifyValueName);
// any value may be left out. Decoding checks shape and types only; the validator judges
// the content.
#ifndef GRIDPILOT_SERVICES_GATEWAY_TELEMETRY_JSON_H_
#define GRIDPILOT_SERVICES_GATEWAY_TELEMETRY_JSON_H_

#include <string>
#include <string_view>
#include <variant>

#include "core/data/telemetry_sample.h"
#include "core/data/telemetry_validator.h"

namespace gridpilot {

// Largest payload decoded; a longer one is refused as malformed unread.
inline constexpr size_t kMaxTelemetryPayloadBytes = 4096;

// The sample, or why the payload is not one (kMalformed or kWrongUnits, with detail). The
// plain form is decoded without a JSON document (services/gateway/telemetry_json_plain.h);
// everything else by DecodeTelemetryJsonDocument.
std::variant<data::TelemetrySample, data::TelemetryVerdict> DecodeTelemetryJson(
    std::string_view payload);

// The same through a parsed JSON document (nlohmann::json), for any payload.
std::variant<data::TelemetrySample, data::TelemetryVerdict> DecodeTelemetryJsonDocument(
    std::string_view payload);

// The JSON form of `sample` (the inverse of DecodeTelemetryJson).
std::string EncodeTelemetryJson(const data::TelemetrySample& sample);

}  // namespace gridpilot

#endif  // GRIDPILOT_SERVICES_GATEWAY_TELEMETRY_JSON_H_
