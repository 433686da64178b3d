// MqttSubscriber: the gateway's MQTT edge. It subscribes to a topic with QoS 1 through
// libmosquitto's own network thread, decodes each message (services/gateway/
// telemetry_json.h) and hands it to the TelemetryIngest. When the broker goes away it
// reconnects with exponential backoff from 1 s, capped at kMaxReconnectDelay, and
// subscribes again; samples the broker redelivers are refused as duplicates by their
// sequence numbers, so none counts twice.
#ifndef GRIDPILOT_SERVICES_GATEWAY_MQTT_SUBSCRIBER_H_
#define GRIDPILOT_SERVICES_GATEWAY_MQTT_SUBSCRIBER_H_

#include <atomic>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "services/gateway/mqtt_url.h"
#include "services/gateway/telemetry_ingest.h"

struct mosquitto;
struct mosquitto_message;

namespace gridpilot {

inline constexpr int kMaxReconnectDelaySeconds = 8;

class MqttSubscriber {
 public:
  // Connects to `url` (retrying in the background if the broker is not up yet) and
  // subscribes. `ingest` is not owned and must outlive the subscriber. Errors: Internal
  // when libmosquitto cannot make a client.
  static absl::StatusOr<std::unique_ptr<MqttSubscriber>> Start(const MqttUrl& url,
                                                               const std::string& client_id,
                                                               TelemetryIngest* ingest);
  // Disconnects and stops the network thread; no message is delivered after it returns.
  ~MqttSubscriber();

  int64_t connections() const { return connections_.load(); }

 private:
  MqttSubscriber(MqttUrl url, TelemetryIngest* ingest) : url_(std::move(url)), ingest_(ingest) {}
  static void OnConnect(struct ::mosquitto* client, void* self, int result);
  static void OnDisconnect(struct ::mosquitto* client, void* self, int result);
  static void OnMessage(struct ::mosquitto* client, void* self,
                        const struct ::mosquitto_message* m);

  const MqttUrl url_;
  TelemetryIngest* const ingest_;
  struct ::mosquitto* client_ = nullptr;
  std::atomic<int64_t> connections_{0};
};

}  // namespace gridpilot

#endif  // GRIDPILOT_SERVICES_GATEWAY_MQTT_SUBSCRIBER_H_
