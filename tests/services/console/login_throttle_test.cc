// LoginThrottle: failures per address in a sliding window, other addresses unaffected,
// the wait it reports, and the bound on remembered addresses.
#include "services/console/login_throttle.h"

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace gridpilot {
namespace {

const absl::Time kT0 = absl::FromUnixSeconds(1780000000);

TEST(LoginThrottleTest, BlocksAnAddressAfterTooManyFailuresUntilTheOldestLeavesTheWindow) {
  LoginThrottle throttle({/*max_failures=*/3, absl::Minutes(1), /*max_addresses=*/16});
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(throttle.WaitBeforeAttempt("10.0.0.1", kT0 + absl::Seconds(i)), absl::ZeroDuration());
    throttle.Failed("10.0.0.1", kT0 + absl::Seconds(i));
  }
  EXPECT_EQ(throttle.WaitBeforeAttempt("10.0.0.1", kT0 + absl::Seconds(10)), absl::Seconds(50));
  EXPECT_EQ(throttle.WaitBeforeAttempt("10.0.0.2", kT0 + absl::Seconds(10)), absl::ZeroDuration());
  EXPECT_EQ(throttle.WaitBeforeAttempt("10.0.0.1", kT0 + absl::Seconds(60)), absl::ZeroDuration());
  // The failures at 1 s and 2 s are still in the window: one more blocks again, until 61 s.
  throttle.Failed("10.0.0.1", kT0 + absl::Seconds(60));
  EXPECT_EQ(throttle.WaitBeforeAttempt("10.0.0.1", kT0 + absl::Seconds(60)), absl::Seconds(1));
}

TEST(LoginThrottleTest, RemembersABoundedNumberOfAddresses) {
  LoginThrottle throttle({/*max_failures=*/1, absl::Minutes(1), /*max_addresses=*/4});
  for (int i = 0; i < 100; ++i) {
    throttle.Failed(absl::StrCat("10.0.0.", i), kT0 + absl::Milliseconds(i));
  }
  EXPECT_EQ(throttle.addresses(), 4);
  // The newest are the ones remembered.
  EXPECT_GT(throttle.WaitBeforeAttempt("10.0.0.99", kT0 + absl::Seconds(1)), absl::ZeroDuration());
  EXPECT_EQ(throttle.WaitBeforeAttempt("10.0.0.0", kT0 + absl::Seconds(1)), absl::ZeroDuration());
}

}  // namespace
}  // namespace gridpilot
