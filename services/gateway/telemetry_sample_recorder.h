// TelemetrySampleRecorder: writes the live telemetry samples the gateway accepted (settled
// or late) to the store's telemetry_samples table, in batches, on its own thread, so the
// MQTT network thread and the gRPC Publish handlers never wait for the database. Between
// them sits a bounded queue: when it is full a sample is dropped and counted (with a log
// line at most once a minute) rather than blocking ingest, which would stall the broker's
// QoS 1 acknowledgements and, with them, every publisher. docs/decisions.md, "Raw telemetry
// samples stored".
#ifndef GRIDPILOT_SERVICES_GATEWAY_TELEMETRY_SAMPLE_RECORDER_H_
#define GRIDPILOT_SERVICES_GATEWAY_TELEMETRY_SAMPLE_RECORDER_H_

#include <cstdint>
#include <deque>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "core/base/clock.h"
#include "services/gateway/store.h"

namespace gridpilot {

struct TelemetrySampleRecorderOptions {
  // Samples waiting for the writer, at most (memory: about 150 bytes each). 1..10,000,000.
  int64_t max_queued_samples = 200'000;
  // Samples per RecordTelemetrySamples call, at most. 1..100,000. A call holds the store
  // (and the tick loop's next record) for about 2 ms on SQLite, 9 ms on PostgreSQL at 1,000.
  int64_t max_batch_samples = 1'000;
  // Once a sample is queued, how long (real time) the writer waits for a full batch before
  // writing what it has: fewer, larger store calls and fewer wake-ups of the writer at a
  // high rate. 0 to 1 s; 0 writes at once.
  absl::Duration max_batch_wait = absl::Milliseconds(5);
};

// Counts since creation: every offered sample is in exactly one of written, dropped,
// failed or queued.
struct TelemetrySampleRecorderCounts {
  int64_t offered = 0;
  int64_t written = 0;  // accepted by the store (durable at its next commit point)
  int64_t dropped = 0;  // refused because the queue was full
  int64_t failed = 0;   // in a batch the store refused
  int64_t queued = 0;
  int64_t batches = 0;  // store calls that returned OK
};

class TelemetrySampleRecorder {
 public:
  // Starts the writer thread. `store` and `wall_clock` are not owned and must outlive the
  // recorder; the store must have a run begun. Options out of bounds are clamped.
  TelemetrySampleRecorder(Store* store, base::Clock* wall_clock,
                          TelemetrySampleRecorderOptions options = {});
  // Writes what is still queued, then stops the thread.
  ~TelemetrySampleRecorder();
  TelemetrySampleRecorder(const TelemetrySampleRecorder&) = delete;
  TelemetrySampleRecorder& operator=(const TelemetrySampleRecorder&) = delete;

  // Queues `sample` for the store; never waits for the store. False when the queue is full
  // (the sample is dropped and counted). Thread-safe.
  bool Offer(StoredTelemetrySample sample);
  // Blocks until every sample offered before the call is written or failed. Thread-safe.
  void WaitUntilWritten();
  TelemetrySampleRecorderCounts Counts() const;

 private:
  void WriteLoop();

  Store* const store_;
  base::Clock* const wall_clock_;
  const TelemetrySampleRecorderOptions options_;
  mutable absl::Mutex mu_;
  std::deque<StoredTelemetrySample> queue_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  TelemetrySampleRecorderCounts counts_ ABSL_GUARDED_BY(mu_);
  absl::Time drop_log_minute_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  int64_t dropped_since_log_ ABSL_GUARDED_BY(mu_) = 0;
  absl::Time failure_log_minute_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  std::thread writer_;
};

}  // namespace gridpilot

#endif  // GRIDPILOT_SERVICES_GATEWAY_TELEMETRY_SAMPLE_RECORDER_H_
