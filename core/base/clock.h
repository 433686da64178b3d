// The injected clock. Every component takes "now" from a Clock, and waits on it, so that
// nothing reads the system clock for decisions or pacing and a test can run hours of a
// clock in milliseconds. SystemClock is wall time. FakeClock moves only when its owner
// moves it: the gateway's replay sets one to each tick's time, and a test that drives
// code sleeping on a FakeClock waits for it to sleep (AwaitSleeper), checks what it has
// done so far, then advances the clock to wake it.
#ifndef GRIDPILOT_CORE_BASE_CLOCK_H_
#define GRIDPILOT_CORE_BASE_CLOCK_H_

#include <optional>
#include <set>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace gridpilot::base {

class Clock {
 public:
  virtual ~Clock() = default;
  // The current time (UTC instant). Thread-safe.
  virtual absl::Time Now() const = 0;
  // Blocks the calling thread until Now() >= `deadline`; returns at once if it already
  // is. Thread-safe; any number of threads may sleep at once.
  virtual void SleepUntil(absl::Time deadline) = 0;
};

// Wall-clock time.
class SystemClock final : public Clock {
 public:
  absl::Time Now() const override;
  void SleepUntil(absl::Time deadline) override;
};

// A clock that only moves when told (Set, Advance). Thread-safe.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(absl::Time start = absl::UnixEpoch()) : now_(start) {}
  absl::Time Now() const override;
  // Blocks until another thread moves the clock to `deadline` or later. A sleeper that
  // nobody wakes sleeps for ever: a test must advance the clock until the code under
  // test stops sleeping on it.
  void SleepUntil(absl::Time deadline) override;
  // Moves the clock to `now` (backwards too) and wakes every sleeper whose deadline it
  // reaches.
  void Set(absl::Time now);
  void Advance(absl::Duration delta);
  // Blocks until some thread sleeps in SleepUntil with a deadline after Now(), and
  // returns the earliest such deadline: the time to advance to for the next wake-up.
  // nullopt if none sleeps within `wall_timeout` (real time, a guard against a hang).
  std::optional<absl::Time> AwaitSleeper(absl::Duration wall_timeout) const;

 private:
  bool HasSleeperAfterNow() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  mutable absl::Mutex mu_;
  absl::Time now_ ABSL_GUARDED_BY(mu_);
  std::multiset<absl::Time> sleeper_deadlines_ ABSL_GUARDED_BY(mu_);
};

}  // namespace gridpilot::base

#endif  // GRIDPILOT_CORE_BASE_CLOCK_H_
