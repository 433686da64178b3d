// PublishedFeed: a TelemetrySource fed by messages that meters and programs publish (the
// gateway's MQTT subscriber and its gRPC TelemetryService.Publish push into it). Each
// accepted sample is added to the step its stamp falls in; a step's reading is the mean
// of its samples, per quantity (a quantity with no sample in the step stays absent).
//
// When a step is settled (handed to the consumer by Next):
//  - once a sample stamped at or after step end + late_window has been accepted (the
//    data has moved on; late samples within the window still count), or
//  - once no sample has been accepted for silence_timeout of wall time: the step is
//    settled with what it has (often nothing), and the feed reports itself silent.
// A sample stamped in a step already settled is accepted but not settled ("late"); one
// stamped more than max_ahead past the step being assembled is refused, which bounds the
// steps held in memory. docs/decisions.md, "Live telemetry in".
//
// Thread-safety: Push from any thread; Next from one consumer thread (TelemetrySource).
#ifndef GRIDPILOT_CORE_DATA_PUBLISHED_FEED_H_
#define GRIDPILOT_CORE_DATA_PUBLISHED_FEED_H_

#include <array>
#include <cstdint>
#include <map>
#include <memory>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "core/base/clock.h"
#include "core/data/telemetry_rejection.h"
#include "core/data/telemetry_sample.h"
#include "core/data/telemetry_source.h"
#include "core/data/telemetry_validator.h"

namespace gridpilot::data {

struct PublishedFeedConfig {
  absl::Time first_step_start{};                       // start of the first reading, UTC
  absl::Time end{};                                    // no reading starts at or after it
  absl::Duration step = absl::Minutes(30);             // > 0, divides 30 minutes
  absl::Duration late_window = absl::ZeroDuration();   // 0 to 1 hour
  absl::Duration silence_timeout = absl::Seconds(30);  // wall time; 10 ms to 1 hour
  TelemetryValidatorConfig validator{};                // its max_ahead bounds memory

  absl::Status Validate() const;  // InvalidArgument naming the field
};

enum class PushOutcome { kSettles, kLate, kRejected };

struct PushResult {
  PushOutcome outcome = PushOutcome::kRejected;
  TelemetryVerdict verdict;  // the rejection when kRejected
};

// Counts since creation; every accepted sample is in exactly one of settled, late or
// pending (held for a step not settled yet).
struct PublishedFeedCounts {
  int64_t accepted = 0;
  int64_t settled = 0;  // samples inside settled steps
  int64_t late = 0;     // accepted, stored, not settled
  int64_t pending = 0;
  int64_t steps_settled = 0;
  int64_t steps_settled_silent = 0;                                // settled by the silence timeout
  std::array<int64_t, kAllTelemetryRejections.size()> rejected{};  // by TelemetryRejection
};

class PublishedFeed final : public TelemetrySource {
 public:
  // `wall_clock` (not owned) times the silence; it must outlive the feed.
  static absl::StatusOr<std::unique_ptr<PublishedFeed>> Create(PublishedFeedConfig config,
                                                               base::Clock* wall_clock);

  // Validates `sample` and, if accepted, adds it to its step. Thread-safe.
  PushResult Push(const TelemetrySample& sample);

  absl::Duration step() const override { return config_.step; }
  // Blocks until the next step is settled (see above); OutOfRange past `end`.
  absl::StatusOr<FeedReading> Next() override;

  PublishedFeedCounts Counts() const;
  // True while no sample has been accepted for silence_timeout.
  bool Silent() const;

 private:
  struct StepSums {
    std::array<double, 4> sum{};
    std::array<int64_t, 4> count{};
    int64_t samples = 0;
  };
  PublishedFeed(PublishedFeedConfig config, base::Clock* wall_clock);
  bool SettleableLocked(absl::Time now) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const PublishedFeedConfig config_;
  base::Clock* const wall_clock_;
  mutable absl::Mutex mu_;
  TelemetryValidator validator_ ABSL_GUARDED_BY(mu_);
  absl::Time next_start_ ABSL_GUARDED_BY(mu_);    // start of the step being assembled
  absl::Time newest_stamp_ ABSL_GUARDED_BY(mu_);  // latest accepted stamp
  absl::Time last_accepted_wall_ ABSL_GUARDED_BY(mu_);
  std::map<int64_t, StepSums> steps_ ABSL_GUARDED_BY(mu_);  // by step index, unsettled
  PublishedFeedCounts counts_ ABSL_GUARDED_BY(mu_);
};

}  // namespace gridpilot::data

#endif  // GRIDPILOT_CORE_DATA_PUBLISHED_FEED_H_
