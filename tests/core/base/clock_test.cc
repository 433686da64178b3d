// FakeClock: a sleeper wakes exactly when the clock is moved to its deadline, and a test
// can see that something sleeps on it and until when.
#include "core/base/clock.h"

#include <atomic>
#include <optional>
#include <thread>

#include "gtest/gtest.h"

namespace gridpilot::base {
namespace {

constexpr absl::Duration kHang = absl::Seconds(60);  // only a hang reaches it
const absl::Time kT0 = absl::FromUnixSeconds(1'700'000'000);

TEST(FakeClockTest, SleepUntilANowOrPastDeadlineReturnsAtOnce) {
  FakeClock clock(kT0);
  clock.SleepUntil(kT0);
  clock.SleepUntil(kT0 - absl::Hours(1));
  EXPECT_EQ(clock.Now(), kT0);
}

TEST(FakeClockTest, ASleeperWakesOnlyWhenTheClockReachesItsDeadline) {
  FakeClock clock(kT0);
  std::atomic<bool> woke{false};
  std::thread sleeper([&] {
    clock.SleepUntil(kT0 + absl::Minutes(10));
    woke = true;
  });
  std::optional<absl::Time> deadline = clock.AwaitSleeper(kHang);
  ASSERT_TRUE(deadline.has_value());
  EXPECT_EQ(*deadline, kT0 + absl::Minutes(10));

  clock.Advance(absl::Minutes(9));
  // Still asleep: AwaitSleeper sees the same deadline, which is still ahead of the clock.
  deadline = clock.AwaitSleeper(kHang);
  ASSERT_TRUE(deadline.has_value());
  EXPECT_EQ(*deadline, kT0 + absl::Minutes(10));
  EXPECT_FALSE(woke);

  clock.Set(*deadline);
  sleeper.join();
  EXPECT_TRUE(woke);
  EXPECT_EQ(clock.Now(), kT0 + absl::Minutes(10));
  EXPECT_EQ(clock.AwaitSleeper(absl::ZeroDuration()), std::nullopt);
}

TEST(FakeClockTest, AwaitSleeperReturnsTheEarliestDeadlineStillAhead) {
  FakeClock clock(kT0);
  std::thread late([&] { clock.SleepUntil(kT0 + absl::Hours(2)); });
  std::thread early([&] { clock.SleepUntil(kT0 + absl::Hours(1)); });
  // Both asleep once the earliest deadline is the early one's (the late one may come first).
  while (clock.AwaitSleeper(kHang) != kT0 + absl::Hours(1)) std::this_thread::yield();
  clock.Advance(absl::Hours(1));
  early.join();
  EXPECT_EQ(clock.AwaitSleeper(kHang), kT0 + absl::Hours(2));
  clock.Advance(absl::Hours(1));
  late.join();
}

}  // namespace
}  // namespace gridpilot::base
