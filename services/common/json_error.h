// JsonParseError: turns an exception of nlohmann's JSON parser into a Status naming the key
// the parser stopped at ("region.ramp_limit_mw", "alerts.rules[2].hold_s"), so that a
// config loader can report "FILE: KEY: ..." for text that does not even parse (a number too
// large for a double such as 1e999, a truncated file). Shared by the config loaders
// (services/gateway/gateway_config.cc, services/alerts/alert_config.cc).
#ifndef GRIDPILOT_SERVICES_COMMON_JSON_ERROR_H_
#define GRIDPILOT_SERVICES_COMMON_JSON_ERROR_H_

#include <nlohmann/json.hpp>
#include <string>

#include "absl/status/status.h"

namespace gridpilot {

// InvalidArgument for `text`, which nlohmann failed to parse with `e`: "KEY: TOKEN is not
// a finite number (...)" for a number out of a double's range, else "not valid JSON: KEY:
// <nlohmann's message with the byte offset>". KEY is left out at the top level.
absl::Status JsonParseError(const std::string& text, const nlohmann::json::exception& e);

}  // namespace gridpilot

#endif  // GRIDPILOT_SERVICES_COMMON_JSON_ERROR_H_
