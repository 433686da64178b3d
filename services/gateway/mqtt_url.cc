#include "services/gateway/mqtt_url.h"

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace gridpilot {

absl::StatusOr<MqttUrl> ParseMqttUrl(absl::string_view url) {
  constexpr absl::string_view kScheme = "mqtt://";
  if (url.substr(0, kScheme.size()) != kScheme) {
    return absl::InvalidArgumentError(
        absl::StrCat("\"", url, "\": an MQTT address is mqtt://HOST[:PORT]/TOPIC"));
  }
  absl::string_view rest = url.substr(kScheme.size());
  const size_t slash = rest.find('/');
  if (slash == absl::string_view::npos || slash + 1 == rest.size()) {
    return absl::InvalidArgumentError(absl::StrCat("\"", url, "\": no topic after the host"));
  }
  MqttUrl parsed;
  parsed.topic = std::string(rest.substr(slash + 1));
  if (parsed.topic.size() > 256) {
    return absl::InvalidArgumentError(absl::StrCat("\"", url, "\": topic over 256 bytes"));
  }
  absl::string_view authority = rest.substr(0, slash);
  const size_t colon = authority.rfind(':');
  if (colon != absl::string_view::npos) {
    int port = 0;
    if (!absl::SimpleAtoi(authority.substr(colon + 1), &port) || port < 1 || port > 65535) {
      return absl::InvalidArgumentError(
          absl::StrCat("\"", url, "\": port must be a number from 1 to 65535"));
    }
    parsed.port = port;
    authority = authority.substr(0, colon);
  }
  if (authority.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("\"", url, "\": no host"));
  }
  parsed.host = std::string(authority);
  return parsed;
}

}  // namespace gridpilot
