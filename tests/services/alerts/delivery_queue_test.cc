// The delivery queue with a fake sink: retries with backoff until delivered, no retry of a
// failure a retry cannot mend, and a bounded queue behind a receiver that hangs. Pauses
// between tries are the policy's (1 ms here); nothing waits on a wall-clock amount.
#include "services/alerts/delivery_queue.h"

#include <memory>
#include <vector>

#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"

namespace gridpilot {
namespace {

// Answers each Deliver with the next status of a script (OK once the script is used up),
// optionally waiting for `release` first; records what it was asked to deliver.
class FakeSink final : public AlertSink {
 public:
  struct Shared {
    absl::Mutex mu;
    std::vector<absl::Status> script ABSL_GUARDED_BY(mu);
    std::vector<std::string> attempts ABSL_GUARDED_BY(mu);
    absl::Notification* release = nullptr;
    absl::Notification entered;
  };
  explicit FakeSink(Shared* shared) : shared_(shared) {}
  std::string name() const override { return "fake"; }
  absl::Status Deliver(const alerts::AlertNotice& notice) override {
    if (!shared_->entered.HasBeenNotified()) shared_->entered.Notify();
    if (shared_->release != nullptr) shared_->release->WaitForNotification();
    absl::MutexLock lock(&shared_->mu);
    shared_->attempts.push_back(notice.key);
    if (shared_->script.empty()) return absl::OkStatus();
    absl::Status next = shared_->script.front();
    shared_->script.erase(shared_->script.begin());
    return next;
  }

 private:
  Shared* shared_;
};

alerts::AlertNotice Notice(std::string key) {
  const std::string rule_name = "test-rule";
  alerts::AlertNotice notice{rule_name,         alerts::AlertRuleKind::kDegraded,
                             std::move(key),    alerts::AlertStatus::kFiring,
                             absl::UnixEpoch(), rule_name};
  return notice;
}

const alerts::RetryPolicy kFast{4, absl::Milliseconds(1), absl::Milliseconds(4)};
constexpr absl::Duration kDrain = absl::Seconds(30);  // a hang detector

TEST(DeliveryQueueTest, RetriesTransientFailuresUntilDelivered) {
  FakeSink::Shared shared;
  {
    absl::MutexLock lock(&shared.mu);
    shared.script = {absl::UnavailableError("HTTP 503"), absl::DeadlineExceededError("timeout")};
  }
  DeliveryQueue queue(std::make_unique<FakeSink>(&shared), kFast, 8);
  queue.Enqueue(Notice("a"));
  queue.Enqueue(Notice("b"));
  queue.Stop(kDrain);
  const DeliveryCounts counts = queue.counts();
  EXPECT_EQ(counts.queued, 2);
  EXPECT_EQ(counts.delivered, 2);
  EXPECT_EQ(counts.retries, 2);
  EXPECT_EQ(counts.failed, 0);
  absl::MutexLock lock(&shared.mu);
  EXPECT_EQ(shared.attempts, (std::vector<std::string>{"a", "a", "a", "b"}));
}

TEST(DeliveryQueueTest, GivesUpAfterMaxAttemptsAndOnPermanentFailures) {
  FakeSink::Shared shared;
  {
    absl::MutexLock lock(&shared.mu);
    shared.script = {absl::UnavailableError("down"), absl::UnavailableError("down"),
                     absl::UnavailableError("down"), absl::UnavailableError("down"),
                     absl::FailedPreconditionError("HTTP 400")};
  }
  DeliveryQueue queue(std::make_unique<FakeSink>(&shared), kFast, 8);
  queue.Enqueue(Notice("a"));  // four attempts, all fail
  queue.Enqueue(Notice("b"));  // 400: not retried
  queue.Enqueue(Notice("c"));
  queue.Stop(kDrain);
  const DeliveryCounts counts = queue.counts();
  EXPECT_EQ(counts.failed, 2);
  EXPECT_EQ(counts.retries, 3);
  EXPECT_EQ(counts.delivered, 1);
  absl::MutexLock lock(&shared.mu);
  EXPECT_EQ(shared.attempts, (std::vector<std::string>{"a", "a", "a", "a", "b", "c"}));
}

TEST(DeliveryQueueTest, AHangingReceiverCannotGrowTheQueue) {
  FakeSink::Shared shared;
  absl::Notification release;
  shared.release = &release;
  DeliveryQueue queue(std::make_unique<FakeSink>(&shared), kFast, 2);
  queue.Enqueue(Notice("first"));
  shared.entered.WaitForNotification();  // "first" is being tried and hangs
  for (const char* key : {"1", "2", "3", "4", "5"}) queue.Enqueue(Notice(key));
  EXPECT_EQ(queue.counts().dropped, 3);  // the oldest three waiting; "4" and "5" wait
  release.Notify();
  queue.Stop(kDrain);
  const DeliveryCounts counts = queue.counts();
  EXPECT_EQ(counts.queued, 6);
  EXPECT_EQ(counts.delivered, 3);
  absl::MutexLock lock(&shared.mu);
  EXPECT_EQ(shared.attempts, (std::vector<std::string>{"first", "4", "5"}));
}

TEST(DeliveryQueueTest, StopWithoutDrainCountsWhatWaitsAsFailed) {
  FakeSink::Shared shared;
  absl::Notification release;
  shared.release = &release;
  DeliveryQueue queue(std::make_unique<FakeSink>(&shared), kFast, 8);
  queue.Enqueue(Notice("first"));
  shared.entered.WaitForNotification();
  queue.Enqueue(Notice("second"));
  release.Notify();
  queue.Stop(absl::ZeroDuration());
  const DeliveryCounts counts = queue.counts();
  EXPECT_EQ(counts.delivered + counts.failed, 2);
  queue.Enqueue(Notice("after stop"));  // ignored
  EXPECT_EQ(queue.counts().queued, 2);
}

}  // namespace
}  // namespace gridpilot
