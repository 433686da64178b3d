#include "services/common/audit_queue.h"

#include <utility>

namespace gridpilot {

void AuditQueue::Push(v1::RecordAuditEventRequest event) {
  absl::MutexLock lock(&mu_);
  if (closed_ || events_.size() >= capacity_) {
    ++dropped_since_taken_;
    ++dropped_total_;
    return;
  }
  events_.push_back(std::move(event));
}

void AuditQueue::CountFailedSend(const v1::RecordAuditEventRequest& event) {
  absl::MutexLock lock(&mu_);
  dropped_since_taken_ += 1 + event.dropped_before();
  ++dropped_total_;
}

std::optional<v1::RecordAuditEventRequest> AuditQueue::Take(absl::Duration timeout) {
  absl::MutexLock lock(&mu_);
  mu_.AwaitWithTimeout(absl::Condition(this, &AuditQueue::ReadyLocked), timeout);
  if (events_.empty()) return std::nullopt;
  v1::RecordAuditEventRequest event = std::move(events_.front());
  events_.pop_front();
  event.set_dropped_before(dropped_since_taken_);
  dropped_since_taken_ = 0;
  return event;
}

bool AuditQueue::ReadyLocked() const { return closed_ || !events_.empty(); }

void AuditQueue::Close() {
  absl::MutexLock lock(&mu_);
  closed_ = true;
}

int64_t AuditQueue::dropped_total() const {
  absl::MutexLock lock(&mu_);
  return dropped_total_;
}

bool AuditQueue::closed() const {
  absl::MutexLock lock(&mu_);
  return closed_;
}

size_t AuditQueue::size() const {
  absl::MutexLock lock(&mu_);
  return events_.size();
}

}  // namespace gridpilot
