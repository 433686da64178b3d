#include "services/gateway/published_telemetry.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "core/base/time_util.h"

namespace gridpilot {

absl::StatusOr<PublishedTelemetry> StartPublishedTelemetry(const PublishedTelemetryOptions& live,
                                                           const GatewayRunOptions& run,
                                                           base::Clock* wall_clock) {
  PublishedTelemetry out;
  if (live.telemetry.empty()) return out;
  std::optional<MqttUrl> mqtt;
  if (live.telemetry != "grpc") {
    absl::StatusOr<MqttUrl> url = ParseMqttUrl(live.telemetry);
    if (!url.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("--telemetry: ", url.status().message()));
    }
    mqtt = *std::move(url);
  }
  if (run.mode != v1::CLOCK_MODE_LIVE) {
    return absl::InvalidArgumentError("--telemetry: published telemetry needs --mode live");
  }
  data::PublishedFeedConfig config;
  // As the shipped feed: the first reading is one settlement interval before the replay.
  config.first_step_start = run.replay_from - live.interval;
  config.end = run.replay_to;
  config.step = run.step;
  config.late_window = live.late_window;
  config.silence_timeout = live.silence_timeout;
  config.validator.sources = live.sources;
  config.validator.max_ahead = live.max_ahead;
  absl::StatusOr<std::unique_ptr<data::PublishedFeed>> feed =
      data::PublishedFeed::Create(std::move(config), wall_clock);
  if (!feed.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("--telemetry: ", feed.status().message()));
  }
  if (live.sample_store != nullptr) {
    out.samples =
        std::make_unique<TelemetrySampleRecorder>(live.sample_store, wall_clock, live.samples);
  }
  out.ingest = std::make_unique<TelemetryIngest>(feed->get(), wall_clock, out.samples.get());
  out.feed = *std::move(feed);
  if (mqtt) {
    absl::StatusOr<std::unique_ptr<MqttSubscriber>> subscriber =
        MqttSubscriber::Start(*mqtt, live.mqtt_client_id, out.ingest.get());
    if (!subscriber.ok()) return subscriber.status();
    out.mqtt = *std::move(subscriber);
  }
  return out;
}

}  // namespace gridpilot
