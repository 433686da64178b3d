#include "services/gateway/telemetry_ingest.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/base/logging.h"

namespace gridpilot {

namespace {

const char* PathName(IngestPath path) { return path == IngestPath::kMqtt ? "mqtt" : "grpc"; }

}  // namespace

data::PushResult TelemetryIngest::Accept(IngestPath path, const data::TelemetrySample& sample) {
  {
    absl::MutexLock lock(&mu_);
    ++received_[static_cast<size_t>(path)];
  }
  data::PushResult result = feed_->Push(sample);
  if (result.outcome == data::PushOutcome::kRejected) {
    CountRejection(path, result.verdict);
  } else if (samples_ != nullptr) {
    StoredTelemetrySample stored;
    stored.sample = sample;
    stored.received_at = wall_clock_->Now();
    stored.late = result.outcome == data::PushOutcome::kLate;
    samples_->Offer(std::move(stored));
  }
  return result;
}

void TelemetryIngest::RefuseUndecodable(IngestPath path, const data::TelemetryVerdict& verdict) {
  {
    absl::MutexLock lock(&mu_);
    ++received_[static_cast<size_t>(path)];
    ++undecodable_[static_cast<size_t>(*verdict.rejection)];
  }
  CountRejection(path, verdict);
}

void TelemetryIngest::CountRejection(IngestPath path, const data::TelemetryVerdict& verdict) {
  const absl::Time now = wall_clock_->Now();
  std::string line;
  {
    absl::MutexLock lock(&mu_);
    if (now - log_minute_ >= absl::Minutes(1)) {
      if (log_left_out_ > 0) {
        line = absl::StrCat("telemetry: ", log_left_out_,
                            " more rejected messages not logged in the last minute; ");
      }
      log_minute_ = now;
      log_lines_ = 0;
      log_left_out_ = 0;
    }
    if (log_lines_ >= kRejectionLogsPerMinute) {
      ++log_left_out_;
      return;
    }
    ++log_lines_;
  }
  base::LogWarning(absl::StrCat(line, "telemetry rejected (", PathName(path), ", ",
                                std::string(data::TelemetryRejectionName(*verdict.rejection)),
                                "): ", verdict.detail));
}

int64_t TelemetryIngest::received(IngestPath path) const {
  absl::MutexLock lock(&mu_);
  return received_[static_cast<size_t>(path)];
}

std::shared_ptr<SnapshotCollector> MakeTelemetryIngestCollector(const TelemetryIngest* ingest) {
  return std::make_shared<SnapshotCollector>([ingest] {
    const data::PublishedFeedCounts counts = ingest->feed_->Counts();
    std::array<int64_t, 2> received{};
    std::array<int64_t, data::kAllTelemetryRejections.size()> undecodable{};
    {
      absl::MutexLock lock(&ingest->mu_);
      received = ingest->received_;
      undecodable = ingest->undecodable_;
    }
    std::vector<prometheus::MetricFamily> out;
    SnapshotFamily by_path = SnapshotFamily::Counter("gridpilot_telemetry_received_total",
                                                     "Live telemetry messages received, by path");
    by_path.Add({{"path", "mqtt"}}, static_cast<double>(received[0]));
    by_path.Add({{"path", "grpc"}}, static_cast<double>(received[1]));
    out.push_back(by_path.Take());
    SnapshotFamily rejected = SnapshotFamily::Counter("gridpilot_telemetry_rejected_total",
                                                      "Live telemetry messages refused, by reason");
    for (data::TelemetryRejection reason : data::kAllTelemetryRejections) {
      const size_t i = static_cast<size_t>(reason);
      rejected.Add({{"reason", std::string(data::TelemetryRejectionName(reason))}},
                   static_cast<double>(counts.rejected[i] + undecodable[i]));
    }
    out.push_back(rejected.Take());
    out.push_back(SnapshotFamily::Counter("gridpilot_telemetry_accepted_total",
                                          "Live telemetry samples accepted")
                      .Add(static_cast<double>(counts.accepted))
                      .Take());
    out.push_back(SnapshotFamily::Counter("gridpilot_telemetry_settled_total",
                                          "Accepted samples inside settled steps")
                      .Add(static_cast<double>(counts.settled))
                      .Take());
    out.push_back(SnapshotFamily::Counter("gridpilot_telemetry_late_total",
                                          "Accepted samples too late to settle")
                      .Add(static_cast<double>(counts.late))
                      .Take());
    out.push_back(SnapshotFamily::Gauge("gridpilot_telemetry_pending",
                                        "Accepted samples waiting for their step to settle")
                      .Add(static_cast<double>(counts.pending))
                      .Take());
    out.push_back(SnapshotFamily::Counter("gridpilot_telemetry_steps_settled_silent_total",
                                          "Steps settled by the silence timeout")
                      .Add(static_cast<double>(counts.steps_settled_silent))
                      .Take());
    out.push_back(SnapshotFamily::Gauge("gridpilot_telemetry_silent",
                                        "1 while no telemetry has been accepted for the "
                                        "silence timeout (the region is degraded)")
                      .Add(ingest->feed_->Silent() ? 1.0 : 0.0)
                      .Take());
    return out;
  });
}

}  // namespace gridpilot
