#include "services/cli/publish_command.h"

#include <mosquitto.h>

#include <atomic>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "core/base/time_util.h"
#include "core/data/grid_data_loader.h"
#include "core/data/telemetry_sample.h"
#include "gridpilot/v1/telemetry.grpc.pb.h"
#include "nlohmann/json.hpp"
#include "services/cli/shipped_data.h"
#include "services/common/proto_time.h"
#include "services/common/server_runner.h"
#include "services/gateway/mqtt_url.h"
#include "services/gateway/telemetry_json.h"
#include "services/security/transport_credentials.h"

namespace gridpilot {

namespace {

constexpr absl::Duration kRetryPeriod = absl::Milliseconds(100);
constexpr absl::Duration kGiveUpAfter = absl::Seconds(60);
// Messages sent but not yet acknowledged by the broker, at most: libmosquitto walks its whole
// list of them on every acknowledgement (docs/decisions.md, "MQTT ingest: where the CPU goes").
constexpr int64_t kMaxUnacknowledged = 256;
constexpr int64_t kMaxSamples = 50'000'000;

std::string Option(const std::map<std::string, std::string>& o, const std::string& key,
                   const std::string& fallback) {
  auto it = o.find(key);
  return it == o.end() ? fallback : it->second;
}

absl::StatusOr<absl::Time> ParseStart(const std::string& text) {
  absl::StatusOr<absl::Time> day = base::ParseUtcDate(text);
  if (day.ok()) return day;
  return base::ParseUtcTimestamp(text);
}

struct InjectedStep {
  absl::Time at;
  double mw = 0.0;
  absl::Duration duration;
};

// The samples to send, in order.
class SampleSource {
 public:
  SampleSource(std::vector<data::GridMeasurement> region, absl::Time from, absl::Time until,
               absl::Duration every, std::string source, int64_t first_seq,
               std::optional<InjectedStep> step)
      : region_(std::move(region)),
        next_(from),
        until_(until),
        every_(every),
        source_(std::move(source)),
        seq_(first_seq),
        step_(step) {}

  // The next sample, or nullopt at the end (or where the data ends).
  std::optional<data::TelemetrySample> Next() {
    while (next_ < until_) {
      const absl::Time t = next_;
      next_ += every_;
      while (index_ < region_.size() && region_[index_].interval_start + base::kHalfHour <= t) {
        ++index_;
      }
      if (index_ >= region_.size()) return std::nullopt;
      const data::GridMeasurement& m = region_[index_];
      if (m.interval_start > t) continue;
      data::TelemetrySample sample;
      sample.timestamp = t;
      sample.source = source_;
      sample.sequence = seq_++;
      sample.net_load_mw = m.net_load_mw;
      if (sample.net_load_mw && step_ && t >= step_->at && t < step_->at + step_->duration) {
        *sample.net_load_mw += step_->mw;
      }
      sample.solar_mw = m.embedded_solar_mw;
      sample.wind_mw = m.embedded_wind_mw;
      sample.price_gbp_per_mwh = m.price_gbp_per_mwh;
      return sample;
    }
    return std::nullopt;
  }

 private:
  const std::vector<data::GridMeasurement> region_;
  size_t index_ = 0;
  absl::Time next_;
  const absl::Time until_;
  const absl::Duration every_;
  const std::string source_;
  int64_t seq_;
  const std::optional<InjectedStep> step_;
};

// Sleeps until data time `t` is due on the wall clock (no sleep for speed "max").
class Pacer {
 public:
  Pacer(absl::Time data_from, double speed) : data_from_(data_from), speed_(speed) {}
  void WaitFor(absl::Time t) {
    if (speed_ <= 0) return;
    const absl::Time due = wall_from_ + (t - data_from_) / speed_;
    const absl::Duration wait = due - absl::Now();
    if (wait > absl::ZeroDuration()) absl::SleepFor(wait);
  }

 private:
  const absl::Time data_from_;
  const absl::Time wall_from_ = absl::Now();
  const double speed_;  // <= 0: no pacing
};

struct MqttCounts {
  std::atomic<int64_t> acknowledged{0};
  std::atomic<int64_t> connections{0};
};

int PublishMqtt(const MqttUrl& url, SampleSource* samples, Pacer* pacer) {
  mosquitto_lib_init();
  MqttCounts counts;
  struct mosquitto* client = mosquitto_new(nullptr, /*clean_session=*/true, &counts);
  if (client == nullptr) {
    std::fprintf(stderr, "gridpilot publish: libmosquitto could not make a client\n");
    return 1;
  }
  mosquitto_int_option(client, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V311);
  mosquitto_max_inflight_messages_set(client, 0);  // unbounded: the retry loop bounds it
  mosquitto_connect_callback_set(client, [](struct mosquitto*, void* c, int rc) {
    if (rc == 0) ++static_cast<MqttCounts*>(c)->connections;
  });
  mosquitto_publish_callback_set(
      client, [](struct mosquitto*, void* c, int) { ++static_cast<MqttCounts*>(c)->acknowledged; });
  mosquitto_reconnect_delay_set(client, 1, 4, /*exponential=*/true);
  int rc = mosquitto_connect(client, url.host.c_str(), url.port, /*keepalive=*/10);
  if (rc != MOSQ_ERR_SUCCESS) {
    std::fprintf(stderr, "gridpilot publish: cannot connect to %s:%d: %s\n", url.host.c_str(),
                 url.port, mosquitto_strerror(rc));
    mosquitto_destroy(client);
    return 1;
  }
  mosquitto_loop_start(client);
  int64_t sent = 0;
  int64_t retries = 0;
  int exit_code = 0;
  while (std::optional<data::TelemetrySample> sample = samples->Next()) {
    pacer->WaitFor(sample->timestamp);
    const std::string payload = EncodeTelemetryJson(*sample);
    const absl::Time give_up = absl::Now() + kGiveUpAfter;
    // A broker away longer than kGiveUpAfter ends the wait; the publish below then fails.
    while (sent - counts.acknowledged.load() >= kMaxUnacknowledged && absl::Now() < give_up) {
      absl::SleepFor(absl::Microseconds(200));
    }
    while ((rc = mosquitto_publish(client, nullptr, url.topic.c_str(),
                                   static_cast<int>(payload.size()), payload.data(), /*qos=*/1,
                                   /*retain=*/false)) != MOSQ_ERR_SUCCESS) {
      if (absl::Now() > give_up) break;
      ++retries;
      absl::SleepFor(kRetryPeriod);
    }
    if (rc != MOSQ_ERR_SUCCESS) {
      std::fprintf(stderr, "gridpilot publish: gave up on sample %lld: %s\n",
                   static_cast<long long>(sample->sequence), mosquitto_strerror(rc));
      exit_code = 1;
      break;
    }
    ++sent;
  }
  // Wait (bounded) for the broker to acknowledge what was sent.
  const absl::Time give_up = absl::Now() + absl::Seconds(30);
  while (counts.acknowledged.load() < sent && absl::Now() < give_up) {
    absl::SleepFor(absl::Milliseconds(20));
  }
  mosquitto_disconnect(client);
  mosquitto_loop_stop(client, /*force=*/false);
  mosquitto_destroy(client);
  mosquitto_lib_cleanup();
  const nlohmann::json summary = {{"path", "mqtt"},
                                  {"sent", sent},
                                  {"acknowledged", counts.acknowledged.load()},
                                  {"retries", retries},
                                  {"connections", counts.connections.load()}};
  std::printf("%s\n", summary.dump().c_str());
  return exit_code;
}

int PublishGrpc(const std::string& address, SampleSource* samples, Pacer* pacer) {
  auto stub = v1::TelemetryService::NewStub(MakeChannel(address));
  grpc::ClientContext context;
  v1::PublishResponse response;
  std::unique_ptr<grpc::ClientWriter<v1::PublishRequest>> writer =
      stub->Publish(&context, &response);
  int64_t sent = 0;
  v1::PublishRequest request;
  while (std::optional<data::TelemetrySample> sample = samples->Next()) {
    pacer->WaitFor(sample->timestamp);
    v1::TelemetryReading& r = *request.mutable_reading();
    r.Clear();
    *r.mutable_timestamp() = ToProtoTime(sample->timestamp);
    r.set_source(sample->source);
    r.set_sequence(sample->sequence);
    if (sample->net_load_mw) r.set_net_load_mw(*sample->net_load_mw);
    if (sample->solar_mw) r.set_solar_mw(*sample->solar_mw);
    if (sample->wind_mw) r.set_wind_mw(*sample->wind_mw);
    if (sample->price_gbp_per_mwh) r.set_price_gbp_per_mwh(*sample->price_gbp_per_mwh);
    if (!writer->Write(request)) break;
    ++sent;
  }
  writer->WritesDone();
  const grpc::Status status = writer->Finish();
  if (!status.ok()) {
    std::fprintf(stderr, "gridpilot publish: %s: %s\n", address.c_str(),
                 status.error_message().c_str());
    return 1;
  }
  const nlohmann::json summary = {{"path", "grpc"},
                                  {"sent", sent},
                                  {"received", response.received()},
                                  {"settles", response.settles()},
                                  {"late", response.late()},
                                  {"rejected", response.rejected()}};
  std::printf("%s\n", summary.dump().c_str());
  return 0;
}

}  // namespace

int RunPublishCommand(const std::map<std::string, std::string>& o) {
  const std::string to = Option(o, "to", "");
  if (to.empty() || !o.contains("from")) {
    std::fprintf(stderr, "gridpilot publish: --to and --from are required\n");
    return 2;
  }
  absl::StatusOr<absl::Time> from = ParseStart(o.at("from"));
  if (!from.ok()) {
    std::fprintf(stderr, "gridpilot publish: --from: %s\n",
                 std::string(from.status().message()).c_str());
    return 2;
  }
  absl::Time until = *from + absl::Hours(24);
  if (o.contains("until")) {
    absl::StatusOr<absl::Time> day = base::ParseUtcDate(o.at("until"));
    absl::StatusOr<absl::Time> end = day.ok() ? absl::StatusOr<absl::Time>(*day + absl::Hours(24))
                                              : base::ParseUtcTimestamp(o.at("until"));
    if (!end.ok() || *end <= *from) {
      std::fprintf(stderr,
                   "gridpilot publish: --until: must be a date or timestamp after --from\n");
      return 2;
    }
    until = *end;
  }
  double speed = 60.0;
  const std::string speed_text = Option(o, "speed", "60x");
  if (speed_text == "max") {
    speed = 0.0;
  } else if (speed_text.empty() || speed_text.back() != 'x' ||
             !absl::SimpleAtod(speed_text.substr(0, speed_text.size() - 1), &speed) ||
             !(speed > 0) || speed > 1e6) {
    std::fprintf(stderr, "gridpilot publish: --speed: \"%s\" is not e.g. 60x or max\n",
                 speed_text.c_str());
    return 2;
  }
  int sample_seconds = 60;
  if (o.contains("sample_seconds") && (!absl::SimpleAtoi(o.at("sample_seconds"), &sample_seconds) ||
                                       sample_seconds <= 0 || 1800 % sample_seconds != 0)) {
    std::fprintf(stderr, "gridpilot publish: --sample_seconds: must divide 1800\n");
    return 2;
  }
  int64_t first_seq = 1;
  if (o.contains("first_seq") && !absl::SimpleAtoi(o.at("first_seq"), &first_seq)) {
    std::fprintf(stderr, "gridpilot publish: --first_seq: not an integer\n");
    return 2;
  }
  if ((until - *from) / absl::Seconds(sample_seconds) > kMaxSamples) {
    std::fprintf(stderr, "gridpilot publish: over %lld samples; shorten --until\n",
                 static_cast<long long>(kMaxSamples));
    return 2;
  }
  std::optional<InjectedStep> step;
  if (o.contains("inject_step")) {
    const std::vector<std::string> parts = absl::StrSplit(o.at("inject_step"), ',');
    InjectedStep s;
    double minutes = 0;
    absl::StatusOr<absl::Time> at =
        parts.size() == 3 ? base::ParseUtcTimestamp(parts[0]) : absl::InvalidArgumentError("");
    if (!at.ok() || !absl::SimpleAtod(parts[1], &s.mw) || !absl::SimpleAtod(parts[2], &minutes) ||
        !(minutes > 0) || minutes > 24 * 60 || !(std::abs(s.mw) <= 1e5)) {
      std::fprintf(stderr,
                   "gridpilot publish: --inject_step: expected TIMESTAMP,MW,MINUTES "
                   "(|MW| <= 100000, 0 < MINUTES <= 1440)\n");
      return 2;
    }
    s.at = *at;
    s.duration = absl::Minutes(minutes);
    step = s;
  }
  absl::StatusOr<data::GridSeries> gb = data::LoadGridSeries(DemandCsv(o), PriceCsv(o));
  if (!gb.ok()) {
    std::fprintf(stderr, "gridpilot publish: %s\n", std::string(gb.status().message()).c_str());
    return 1;
  }
  SampleSource samples(RegionMeasurements(*gb), *from, until, absl::Seconds(sample_seconds),
                       Option(o, "source", "gridpilot-publish"), first_seq, step);
  Pacer pacer(*from, speed);
  if (to.rfind("grpc://", 0) == 0) {
    const std::string credentials =
        security::ResolveCredentialsDir(Option(o, "credentials", ""), Option(o, "run_dir", ""));
    if (!credentials.empty()) {
      const absl::Status secured =
          security::InstallClientToken(credentials, Option(o, "role", "telemetry"));
      if (!secured.ok()) {
        std::fprintf(stderr, "gridpilot publish: credentials: %s\n",
                     std::string(secured.message()).c_str());
        return 2;
      }
    }
    return PublishGrpc(to.substr(7), &samples, &pacer);
  }
  absl::StatusOr<MqttUrl> url = ParseMqttUrl(to);
  if (!url.ok()) {
    std::fprintf(stderr, "gridpilot publish: --to: %s\n",
                 std::string(url.status().message()).c_str());
    return 2;
  }
  return PublishMqtt(*url, &samples, &pacer);
}

}  // namespace gridpilot
