// A fast decoder for the plain form of a telemetry message, the form meters and
// `gridpilot publish` send (services/gateway/telemetry_json.h): one JSON object with the
// keys "timestamp", "source", "seq" and "values" once each, strings without escapes and
// ASCII only, "seq" an integer, "values" an object of known value names once each with
// numbers. It builds no JSON document. Anything else (another key, an escape, a duplicate,
// a number out of range, any syntax error) is not decided here: the caller hands it to the
// general decoder, which then accepts or refuses it with its reason. For every payload it
// decodes, the sample equals the general decoder's (telemetry_json_test compares them).
#ifndef GRIDPILOT_SERVICES_GATEWAY_TELEMETRY_JSON_PLAIN_H_
#define GRIDPILOT_SERVICES_GATEWAY_TELEMETRY_JSON_PLAIN_H_

#include <optional>
#include <string_view>

#include "core/data/telemetry_sample.h"

namespace gridpilot {

// The sample, or nullopt when `payload` is not in the plain form (including when it is
// no sample at all).
std::optional<data::TelemetrySample> DecodePlainTelemetryJson(std::string_view payload);

}  // namespace gridpilot

#endif  // GRIDPILOT_SERVICES_GATEWAY_TELEMETRY_JSON_PLAIN_H_
