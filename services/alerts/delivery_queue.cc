#include "services/alerts/delivery_queue.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "core/base/logging.h"

namespace gridpilot {
namespace {

bool Retryable(const absl::Status& status) {
  return absl::IsUnavailable(status) || absl::IsDeadlineExceeded(status);
}

}  // namespace

DeliveryQueue::DeliveryQueue(std::unique_ptr<AlertSink> sink, alerts::RetryPolicy retry,
                             int capacity)
    : sink_(std::move(sink)),
      sink_name_(sink_->name()),
      retry_(retry),
      capacity_(capacity < 1 ? 1 : static_cast<size_t>(capacity)) {
  thread_ = std::thread([this] { Run(); });
}

DeliveryQueue::~DeliveryQueue() { Stop(absl::ZeroDuration()); }

void DeliveryQueue::Enqueue(alerts::AlertNotice notice) {
  absl::MutexLock lock(&mu_);
  if (stop_at_) return;
  ++counts_.queued;
  if (waiting_.size() >= capacity_) {
    ++counts_.dropped;
    base::LogWarning(absl::StrCat("alerts: ", sink_name_, ": queue full (", capacity_,
                                  "): dropped the oldest alert, rule ", waiting_.front().rule, " (",
                                  waiting_.front().key, ")"));
    waiting_.pop_front();
  }
  waiting_.push_back(std::move(notice));
  changed_.SignalAll();
}

bool DeliveryQueue::Pause(absl::Duration d) {
  const absl::Time until = absl::Now() + d;
  absl::MutexLock lock(&mu_);
  while (true) {
    const absl::Time now = absl::Now();
    if (stop_at_ && now >= *stop_at_) return false;
    if (now >= until) return true;
    absl::Time wake = until;
    if (stop_at_ && *stop_at_ < wake) wake = *stop_at_;
    changed_.WaitWithDeadline(&mu_, wake);
  }
}

void DeliveryQueue::Run() {
  while (true) {
    alerts::AlertNotice notice;
    {
      absl::MutexLock lock(&mu_);
      while (waiting_.empty() && !stop_at_) changed_.Wait(&mu_);
      if (waiting_.empty() || (stop_at_ && absl::Now() >= *stop_at_)) {
        counts_.failed += static_cast<int64_t>(waiting_.size());
        waiting_.clear();
        return;
      }
      notice = std::move(waiting_.front());
      waiting_.pop_front();
    }
    bool delivered = false;
    for (int attempt = 1; attempt <= retry_.max_attempts; ++attempt) {
      const absl::Status status = sink_->Deliver(notice);
      if (status.ok()) {
        delivered = true;
        break;
      }
      const bool last = attempt == retry_.max_attempts || !Retryable(status);
      base::LogWarning(absl::StrCat("alerts: ", sink_name_, ": rule ", notice.rule, " (",
                                    notice.key, "), attempt ", attempt, " of ", retry_.max_attempts,
                                    " failed: ", status.message(),
                                    last ? "; giving up" : "; retrying"));
      if (last || !Pause(alerts::RetryDelay(retry_, attempt))) break;
      absl::MutexLock lock(&mu_);
      ++counts_.retries;
    }
    absl::MutexLock lock(&mu_);
    if (delivered) {
      ++counts_.delivered;
    } else {
      ++counts_.failed;
    }
    changed_.SignalAll();
  }
}

void DeliveryQueue::RequestStop(absl::Time stop_by) {
  absl::MutexLock lock(&mu_);
  if (!stop_at_) stop_at_ = stop_by;
  changed_.SignalAll();
}

void DeliveryQueue::Stop(absl::Duration drain) {
  RequestStop(absl::Now() + drain);
  if (thread_.joinable()) thread_.join();
}

DeliveryCounts DeliveryQueue::counts() const {
  absl::MutexLock lock(&mu_);
  return counts_;
}

}  // namespace gridpilot
