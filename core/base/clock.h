// The injected clock. Every component takes "now" from a Clock; nothing else reads the
// system clock for decisions. SystemClock is wall time; FakeClock is set by its owner
// (the gateway's replay sets it to each tick's time; tests set it by hand).
#ifndef GRIDPILOT_CORE_BASE_CLOCK_H_
#define GRIDPILOT_CORE_BASE_CLOCK_H_

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace gridpilot::base {

class Clock {
 public:
  virtual ~Clock() = default;
  // The current time (UTC instant). Thread-safe.
  virtual absl::Time Now() const = 0;
};

// Wall-clock time.
class SystemClock final : public Clock {
 public:
  absl::Time Now() const override;
};

// A clock that only moves when told. Thread-safe.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(absl::Time start = absl::UnixEpoch()) : now_(start) {}
  absl::Time Now() const override;
  void Set(absl::Time now);
  void Advance(absl::Duration delta);

 private:
  mutable absl::Mutex mu_;
  absl::Time now_ ABSL_GUARDED_BY(mu_);
};

}  // namespace gridpilot::base

#endif  // GRIDPILOT_CORE_BASE_CLOCK_H_
