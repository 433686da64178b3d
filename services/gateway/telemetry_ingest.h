// TelemetryIngest: where live telemetry enters the gateway, whichever path brought it
// (MQTT or gRPC Publish). It hands each decoded sample to the run's PublishedFeed, counts
// the outcome per path and reason for /metrics, and logs rejections rate-limited (at most
// kRejectionLogsPerMinute lines a minute, then one line saying how many were left out), so a
// flood of bad messages cannot flood the log.
#ifndef GRIDPILOT_SERVICES_GATEWAY_TELEMETRY_INGEST_H_
#define GRIDPILOT_SERVICES_GATEWAY_TELEMETRY_INGEST_H_

#include <array>
#include <cstdint>
#include <memory>
#include <string_view>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "core/base/clock.h"
#include "core/data/published_feed.h"
#include "services/common/metric_snapshot.h"
#include "services/gateway/telemetry_sample_recorder.h"

namespace gridpilot {

enum class IngestPath { kMqtt, kGrpc };
inline constexpr int kRejectionLogsPerMinute = 20;

class TelemetryIngest {
 public:
  // `feed`, `wall_clock` and `samples` are not owned and must outlive the ingest;
  // `samples` may be null (accepted samples are then not stored).
  TelemetryIngest(data::PublishedFeed* feed, base::Clock* wall_clock,
                  TelemetrySampleRecorder* samples = nullptr)
      : feed_(feed), wall_clock_(wall_clock), samples_(samples) {}

  // Pushes `sample` into the feed and, when accepted (settled or late), offers it to the
  // sample recorder with the wall time and its late flag. Thread-safe.
  data::PushResult Accept(IngestPath path, const data::TelemetrySample& sample);
  // Counts and logs a message its edge could not decode. Thread-safe.
  void RefuseUndecodable(IngestPath path, const data::TelemetryVerdict& verdict);

  const data::PublishedFeed& feed() const { return *feed_; }
  int64_t received(IngestPath path) const;

 private:
  void CountRejection(IngestPath path, const data::TelemetryVerdict& verdict);

  data::PublishedFeed* const feed_;
  base::Clock* const wall_clock_;
  TelemetrySampleRecorder* const samples_;
  mutable absl::Mutex mu_;
  std::array<int64_t, 2> received_ ABSL_GUARDED_BY(mu_){};
  // Decoding failures (the feed counts the others).
  std::array<int64_t, data::kAllTelemetryRejections.size()> undecodable_ ABSL_GUARDED_BY(mu_){};
  absl::Time log_minute_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  int log_lines_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t log_left_out_ ABSL_GUARDED_BY(mu_) = 0;

  friend std::shared_ptr<SnapshotCollector> MakeTelemetryIngestCollector(
      const TelemetryIngest* ingest);
};

// /metrics: gridpilot_telemetry_received_total{path}, _rejected_total{reason},
// _accepted_total, _settled_total, _late_total, _pending, _silent. `ingest` is not owned
// and must outlive the collector's last scrape.
std::shared_ptr<SnapshotCollector> MakeTelemetryIngestCollector(const TelemetryIngest* ingest);

}  // namespace gridpilot

#endif  // GRIDPILOT_SERVICES_GATEWAY_TELEMETRY_INGEST_H_
