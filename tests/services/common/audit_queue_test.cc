// AuditQueue: bounded, never blocking a pusher, and every dropped event counted onto the
// next one taken.
#include "services/common/audit_queue.h"

#include "gtest/gtest.h"

namespace gridpilot {
namespace {

v1::RecordAuditEventRequest Event(const std::string& identity) {
  v1::RecordAuditEventRequest e;
  e.set_kind(v1::AUDIT_EVENT_KIND_REFUSAL);
  e.set_identity(identity);
  return e;
}

TEST(AuditQueueTest, AFullQueueDropsAndTheNextTakenCarriesTheCount) {
  AuditQueue queue(2);
  queue.Push(Event("a"));
  queue.Push(Event("b"));
  queue.Push(Event("c"));  // dropped
  queue.Push(Event("d"));  // dropped
  EXPECT_EQ(queue.size(), 2u);
  EXPECT_EQ(queue.dropped_total(), 2);
  std::optional<v1::RecordAuditEventRequest> first = queue.Take(absl::ZeroDuration());
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->identity(), "a");
  EXPECT_EQ(first->dropped_before(), 2);
  std::optional<v1::RecordAuditEventRequest> second = queue.Take(absl::ZeroDuration());
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(second->identity(), "b");
  EXPECT_EQ(second->dropped_before(), 0);
  EXPECT_FALSE(queue.Take(absl::Milliseconds(1)).has_value());
}

TEST(AuditQueueTest, AFailedSendIsCountedOntoTheNextEvent) {
  AuditQueue queue(1);
  queue.Push(Event("a"));
  queue.Push(Event("dropped"));
  std::optional<v1::RecordAuditEventRequest> lost = queue.Take(absl::ZeroDuration());
  ASSERT_TRUE(lost.has_value());
  EXPECT_EQ(lost->dropped_before(), 1);
  queue.Push(Event("b"));
  queue.CountFailedSend(*lost);  // its send failed: it and the one it carried ride on
  std::optional<v1::RecordAuditEventRequest> next = queue.Take(absl::ZeroDuration());
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(next->identity(), "b");
  EXPECT_EQ(next->dropped_before(), 2);
  EXPECT_EQ(queue.dropped_total(), 2);  // each lost event counted once
}

TEST(AuditQueueTest, CloseRefusesLaterPushesAndWakesATake) {
  AuditQueue queue(4);
  queue.Close();
  EXPECT_TRUE(queue.closed());
  queue.Push(Event("late"));
  EXPECT_EQ(queue.dropped_total(), 1);
  // Returns at once although the timeout is long: nothing can arrive any more.
  EXPECT_FALSE(queue.Take(absl::Hours(1)).has_value());
}

}  // namespace
}  // namespace gridpilot
