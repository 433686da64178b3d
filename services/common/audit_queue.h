// AuditQueue: the bounded queue between a server's handlers (which report an audit event
// and must never wait) and the thread that sends events to the gateway's AuditService.
// Pushing onto a full queue drops the event and counts it; the count rides on the next
// event taken, so the audit log says how many went missing. Pure: no gRPC, no clock.
// docs/decisions.md, "Audit of every act".
#ifndef GRIDPILOT_SERVICES_COMMON_AUDIT_QUEUE_H_
#define GRIDPILOT_SERVICES_COMMON_AUDIT_QUEUE_H_

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "gridpilot/v1/audit.pb.h"

namespace gridpilot {

class AuditQueue {
 public:
  // `capacity` > 0: the most events held at once.
  explicit AuditQueue(size_t capacity) : capacity_(capacity) {}

  // Queues `event` (its dropped_before is overwritten when taken), or drops and counts it
  // when the queue is full or closed. Never blocks beyond the queue's own mutex.
  // Thread-safe.
  void Push(v1::RecordAuditEventRequest event);

  // Counts `event`, taken earlier, as lost (its send failed): it and the drops it carried
  // ride on the next event taken. Thread-safe.
  void CountFailedSend(const v1::RecordAuditEventRequest& event);

  // The oldest event, with dropped_before = the events dropped since the last one taken;
  // waits up to `timeout` for one. nullopt on timeout or once closed and empty.
  // Thread-safe.
  std::optional<v1::RecordAuditEventRequest> Take(absl::Duration timeout);

  // Refuses later pushes (counted as dropped) and wakes a waiting Take. Thread-safe.
  void Close();

  // Events dropped since the start (full queue, closed queue, failed sends). Thread-safe.
  int64_t dropped_total() const;
  // Whether Close() was called. Thread-safe.
  bool closed() const;
  // Events not yet taken. Thread-safe.
  size_t size() const;

 private:
  bool ReadyLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const size_t capacity_;
  mutable absl::Mutex mu_;
  std::deque<v1::RecordAuditEventRequest> events_ ABSL_GUARDED_BY(mu_);
  int64_t dropped_since_taken_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t dropped_total_ ABSL_GUARDED_BY(mu_) = 0;
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace gridpilot

#endif  // GRIDPILOT_SERVICES_COMMON_AUDIT_QUEUE_H_
