// DeliveryQueue: hands alerts to one sink on a thread of its own, so that a slow or dead
// receiver never holds the alerter (nor the stack it follows). The queue is bounded: when
// it is full the oldest waiting alert is dropped (and counted), so a dead receiver cannot
// grow memory. Each alert is tried up to the policy's max_attempts, pausing between
// attempts as core/alerts/retry_backoff.h says; a failure a retry cannot mend ends it at
// once. Every failure is logged and counted; none stops the queue.
#ifndef GRIDPILOT_SERVICES_ALERTS_DELIVERY_QUEUE_H_
#define GRIDPILOT_SERVICES_ALERTS_DELIVERY_QUEUE_H_

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "core/alerts/alert_notice.h"
#include "core/alerts/retry_backoff.h"
#include "services/alerts/alert_sink.h"

namespace gridpilot {

struct DeliveryCounts {
  int64_t queued = 0;     // alerts accepted by Enqueue
  int64_t delivered = 0;  // alerts the receiver accepted
  int64_t failed = 0;     // alerts given up (attempts exhausted, or a permanent failure)
  int64_t retries = 0;    // attempts after a first failed one
  int64_t dropped = 0;    // alerts pushed out of a full queue, never tried
};

class DeliveryQueue {
 public:
  // Starts the delivery thread. `capacity` >= 1 alerts may wait.
  DeliveryQueue(std::unique_ptr<AlertSink> sink, alerts::RetryPolicy retry, int capacity);
  ~DeliveryQueue();  // Stop(absl::ZeroDuration())

  DeliveryQueue(const DeliveryQueue&) = delete;
  DeliveryQueue& operator=(const DeliveryQueue&) = delete;

  // Queues `notice` and returns at once. Thread-safe.
  void Enqueue(alerts::AlertNotice notice);

  // Lets the queue work until `stop_by` (wall time) to deliver what waits, retries
  // included, and refuses new alerts; returns at once. The first call sets the deadline.
  void RequestStop(absl::Time stop_by);

  // RequestStop(now + drain), then waits for the thread; an alert still waiting or between
  // retries at the deadline is counted failed. Idempotent.
  void Stop(absl::Duration drain);

  DeliveryCounts counts() const;
  const std::string& sink_name() const { return sink_name_; }

 private:
  void Run();
  // Sleeps up to `d`; false if the queue is stopping (and its drain time is over).
  bool Pause(absl::Duration d);

  const std::unique_ptr<AlertSink> sink_;
  const std::string sink_name_;
  const alerts::RetryPolicy retry_;
  const size_t capacity_;

  mutable absl::Mutex mu_;
  std::deque<alerts::AlertNotice> waiting_ ABSL_GUARDED_BY(mu_);
  absl::CondVar changed_;  // signalled on Enqueue, after each alert, and on Stop
  std::optional<absl::Time> stop_at_ ABSL_GUARDED_BY(mu_);  // wall time to stop by
  DeliveryCounts counts_ ABSL_GUARDED_BY(mu_);
  std::thread thread_;
};

}  // namespace gridpilot

#endif  // GRIDPILOT_SERVICES_ALERTS_DELIVERY_QUEUE_H_
