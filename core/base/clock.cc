#include "core/base/clock.h"

#include "absl/time/clock.h"

namespace gridpilot::base {

absl::Time SystemClock::Now() const { return absl::Now(); }

void SystemClock::SleepUntil(absl::Time deadline) {
  const absl::Duration left = deadline - absl::Now();
  if (left > absl::ZeroDuration()) absl::SleepFor(left);
}

absl::Time FakeClock::Now() const {
  absl::MutexLock lock(&mu_);
  return now_;
}

void FakeClock::SleepUntil(absl::Time deadline) {
  absl::MutexLock lock(&mu_);
  const auto entry = sleeper_deadlines_.insert(deadline);
  struct Reached {
    const FakeClock* clock;
    absl::Time deadline;
    bool operator()() const ABSL_NO_THREAD_SAFETY_ANALYSIS { return clock->now_ >= deadline; }
  };
  const Reached reached{this, deadline};
  mu_.Await(absl::Condition(&reached));
  sleeper_deadlines_.erase(entry);
}

void FakeClock::Set(absl::Time now) {
  absl::MutexLock lock(&mu_);
  now_ = now;
}

void FakeClock::Advance(absl::Duration delta) {
  absl::MutexLock lock(&mu_);
  now_ += delta;
}

bool FakeClock::HasSleeperAfterNow() const {
  return !sleeper_deadlines_.empty() && *sleeper_deadlines_.rbegin() > now_;
}

std::optional<absl::Time> FakeClock::AwaitSleeper(absl::Duration wall_timeout) const {
  absl::MutexLock lock(&mu_);
  if (!mu_.AwaitWithTimeout(absl::Condition(this, &FakeClock::HasSleeperAfterNow), wall_timeout)) {
    return std::nullopt;
  }
  return *sleeper_deadlines_.upper_bound(now_);
}

}  // namespace gridpilot::base
