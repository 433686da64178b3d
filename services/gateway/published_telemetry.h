// The gateway on live telemetry (--telemetry): builds the PublishedFeed that replaces the
// shipped series as the run's TelemetrySource, the TelemetryIngest both paths feed, and,
// for an mqtt:// address, the MqttSubscriber. The gRPC path (TelemetryService.Publish)
// is served whenever the ingest exists.
#ifndef GRIDPILOT_SERVICES_GATEWAY_PUBLISHED_TELEMETRY_H_
#define GRIDPILOT_SERVICES_GATEWAY_PUBLISHED_TELEMETRY_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/base/clock.h"
#include "core/data/published_feed.h"
#include "services/gateway/gateway_run.h"
#include "services/gateway/mqtt_subscriber.h"
#include "services/gateway/store.h"
#include "services/gateway/telemetry_ingest.h"
#include "services/gateway/telemetry_sample_recorder.h"

namespace gridpilot {

struct PublishedTelemetryOptions {
  std::string telemetry;  // "" = the shipped data; "grpc"; or mqtt://HOST[:PORT]/TOPIC
  std::vector<std::string> sources{"gridpilot-publish"};
  absl::Duration late_window = absl::ZeroDuration();
  absl::Duration silence_timeout = absl::Seconds(30);
  absl::Duration max_ahead = absl::Minutes(30);
  // The region's settlement interval (the data's resolution_minutes).
  absl::Duration interval = absl::Minutes(30);
  std::string mqtt_client_id = "gridpilot-gateway";
  // Where accepted samples are written (not owned; a run begun); null: not stored.
  Store* sample_store = nullptr;
  TelemetrySampleRecorderOptions samples{};
};

struct PublishedTelemetry {
  // Null unless samples are stored. Declared first: destroyed after what feeds it.
  std::unique_ptr<TelemetrySampleRecorder> samples;
  std::unique_ptr<data::TelemetrySource> feed;  // for GatewayRun; null for the shipped data
  std::unique_ptr<TelemetryIngest> ingest;      // null for the shipped data
  // Destroy before the run (it pushes into the run's feed).
  std::unique_ptr<MqttSubscriber> mqtt;
};

// Nothing for the shipped data. InvalidArgument for a bad address or setting, or unless
// the run is live (lock-step runs replay files). `wall_clock` must outlive the result.
absl::StatusOr<PublishedTelemetry> StartPublishedTelemetry(const PublishedTelemetryOptions& live,
                                                           const GatewayRunOptions& run,
                                                           base::Clock* wall_clock);

}  // namespace gridpilot

#endif  // GRIDPILOT_SERVICES_GATEWAY_PUBLISHED_TELEMETRY_H_
