// Protobuf messages as MCP sees them: a message as a JSON object (proto3's JSON mapping
// with the .proto field names, which carry the units: power_mw, soc_mwh) and the JSON
// Schema of a message type, derived from its descriptor so that a tool's outputSchema can
// never drift from what the stack returns. Pure.
#ifndef GRIDPILOT_SERVICES_MCP_PROTO_JSON_H_
#define GRIDPILOT_SERVICES_MCP_PROTO_JSON_H_

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>

#include <nlohmann/json.hpp>

#include "absl/status/statusor.h"

namespace gridpilot::mcp {

// `message` in proto3 JSON with every field printed (defaults included) and the .proto
// field names. Internal if the conversion fails (it does not for gridpilot's protos).
absl::StatusOr<nlohmann::json> ProtoToJson(const google::protobuf::Message& message);

// The JSON Schema of what ProtoToJson prints for `descriptor`: objects with every field,
// Timestamps as RFC 3339 strings, Durations as "1.5s" strings, enums as their names, 64-bit
// integers as strings or integers, doubles as numbers or the strings "NaN"/"Infinity".
nlohmann::json SchemaOfMessage(const google::protobuf::Descriptor* descriptor);

}  // namespace gridpilot::mcp

#endif  // GRIDPILOT_SERVICES_MCP_PROTO_JSON_H_
