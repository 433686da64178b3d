// The address of an MQTT topic on a broker: mqtt://HOST[:PORT]/TOPIC, as the gateway's
// --telemetry and `gridpilot publish --to` take it. The port defaults to 1883; the topic
// is the rest of the path and may hold MQTT wildcards (+, #) where subscribing.
#ifndef GRIDPILOT_SERVICES_GATEWAY_MQTT_URL_H_
#define GRIDPILOT_SERVICES_GATEWAY_MQTT_URL_H_

#include <string>
#include "absl/strings/string_view.h"

#include "absl/status/statusor.h"

namespace gridpilot {

struct MqttUrl {
  std::string host;
  int port = 1883;
  std::string topic;
};

// InvalidArgument naming the part that is wrong (scheme, host, port, topic).
absl::StatusOr<MqttUrl> ParseMqttUrl(absl::string_view url);

}  // namespace gridpilot

#endif  // GRIDPILOT_SERVICES_GATEWAY_MQTT_URL_H_
