#include "core/alerts/retry_backoff.h"

#include "gtest/gtest.h"

namespace gridpilot::alerts {
namespace {

TEST(RetryBackoffTest, DoublesFromFirstUpToMax) {
  const RetryPolicy policy{5, absl::Milliseconds(200), absl::Seconds(1)};
  EXPECT_EQ(RetryDelay(policy, 0), absl::ZeroDuration());
  EXPECT_EQ(RetryDelay(policy, 1), absl::Milliseconds(200));
  EXPECT_EQ(RetryDelay(policy, 2), absl::Milliseconds(400));
  EXPECT_EQ(RetryDelay(policy, 3), absl::Milliseconds(800));
  EXPECT_EQ(RetryDelay(policy, 4), absl::Seconds(1));
  EXPECT_EQ(RetryDelay(policy, 1000), absl::Seconds(1));
}

TEST(RetryBackoffTest, RejectsPoliciesThatCannotWork) {
  const RetryPolicy no_attempts{0, absl::Milliseconds(200), absl::Seconds(1)};
  EXPECT_EQ(ValidateRetryPolicy(no_attempts, "alerts.webhook").message(),
            "alerts.webhook.max_attempts: must be >= 1");
  const RetryPolicy zero_first{3, absl::ZeroDuration(), absl::Seconds(1)};
  EXPECT_FALSE(ValidateRetryPolicy(zero_first, "x").ok());
  const RetryPolicy max_below_first{3, absl::Seconds(2), absl::Seconds(1)};
  EXPECT_FALSE(ValidateRetryPolicy(max_below_first, "x").ok());
  const RetryPolicy fine{3, absl::Seconds(1), absl::Seconds(1)};
  EXPECT_TRUE(ValidateRetryPolicy(fine, "x").ok());
}

}  // namespace
}  // namespace gridpilot::alerts
