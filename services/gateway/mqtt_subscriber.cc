#include "services/gateway/mqtt_subscriber.h"

#include <mosquitto.h>

#include <mutex>
#include <string_view>
#include <variant>

#include "absl/strings/str_cat.h"
#include "core/base/logging.h"
#include "services/gateway/telemetry_json.h"

namespace gridpilot {

namespace {

constexpr int kKeepaliveSeconds = 10;

void InitLibraryOnce() {
  static std::once_flag once;
  std::call_once(once, [] { mosquitto_lib_init(); });
}

}  // namespace

absl::StatusOr<std::unique_ptr<MqttSubscriber>> MqttSubscriber::Start(const MqttUrl& url,
                                                                      const std::string& client_id,
                                                                      TelemetryIngest* ingest) {
  InitLibraryOnce();
  std::unique_ptr<MqttSubscriber> subscriber(new MqttSubscriber(url, ingest));
  // A persistent session (clean_session false): while the gateway is away the broker
  // keeps its QoS 1 messages for it.
  subscriber->client_ = mosquitto_new(client_id.c_str(), /*clean_session=*/false, subscriber.get());
  if (subscriber->client_ == nullptr) {
    return absl::InternalError("mqtt: libmosquitto could not make a client");
  }
  mosquitto_int_option(subscriber->client_, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V311);
  mosquitto_connect_callback_set(subscriber->client_, &MqttSubscriber::OnConnect);
  mosquitto_disconnect_callback_set(subscriber->client_, &MqttSubscriber::OnDisconnect);
  mosquitto_message_callback_set(subscriber->client_, &MqttSubscriber::OnMessage);
  mosquitto_reconnect_delay_set(subscriber->client_, 1, kMaxReconnectDelaySeconds,
                                /*exponential=*/true);
  const int connected =
      mosquitto_connect_async(subscriber->client_, url.host.c_str(), url.port, kKeepaliveSeconds);
  if (connected != MOSQ_ERR_SUCCESS) {
    base::LogWarning(absl::StrCat("mqtt: ", url.host, ":", url.port, " not reachable yet (",
                                  mosquitto_strerror(connected), "); retrying"));
  }
  const int looping = mosquitto_loop_start(subscriber->client_);
  if (looping != MOSQ_ERR_SUCCESS) {
    mosquitto_destroy(subscriber->client_);
    subscriber->client_ = nullptr;
    return absl::InternalError(
        absl::StrCat("mqtt: cannot start the network thread: ", mosquitto_strerror(looping)));
  }
  return subscriber;
}

MqttSubscriber::~MqttSubscriber() {
  if (client_ == nullptr) return;
  mosquitto_disconnect(client_);
  mosquitto_loop_stop(client_, /*force=*/false);
  mosquitto_destroy(client_);
}

void MqttSubscriber::OnConnect(struct mosquitto* client, void* self, int result) {
  auto* subscriber = static_cast<MqttSubscriber*>(self);
  if (result != 0) {
    base::LogWarning(absl::StrCat("mqtt: connection refused: ", mosquitto_connack_string(result)));
    return;
  }
  const int64_t n = ++subscriber->connections_;
  const int subscribed =
      mosquitto_subscribe(client, nullptr, subscriber->url_.topic.c_str(), /*qos=*/1);
  base::LogInfo(absl::StrCat("mqtt: connected to ", subscriber->url_.host, ":",
                             subscriber->url_.port, " (connection ", n, "), subscribing to ",
                             subscriber->url_.topic, ": ", mosquitto_strerror(subscribed)));
}

void MqttSubscriber::OnDisconnect(struct mosquitto*, void* self, int result) {
  auto* subscriber = static_cast<MqttSubscriber*>(self);
  if (result != 0) {
    base::LogWarning(absl::StrCat("mqtt: lost ", subscriber->url_.host, ":", subscriber->url_.port,
                                  " (", mosquitto_strerror(result), "); reconnecting"));
  }
}

void MqttSubscriber::OnMessage(struct mosquitto*, void* self, const struct mosquitto_message* m) {
  auto* subscriber = static_cast<MqttSubscriber*>(self);
  const std::string_view payload(static_cast<const char*>(m->payload),
                                 static_cast<size_t>(m->payloadlen));
  std::variant<data::TelemetrySample, data::TelemetryVerdict> decoded =
      DecodeTelemetryJson(payload);
  if (auto* sample = std::get_if<data::TelemetrySample>(&decoded)) {
    subscriber->ingest_->Accept(IngestPath::kMqtt, *sample);
  } else {
    subscriber->ingest_->RefuseUndecodable(IngestPath::kMqtt,
                                           std::get<data::TelemetryVerdict>(decoded));
  }
}

}  // namespace gridpilot
