// LoginThrottle: rate-limits failed console logins per client address, so nobody can try
// tokens at speed (they have 256 bits, so this guards the log and the CPU more than the
// tokens) and a flood from one address does not lock out the others. Bounded: at most
// `max_addresses` addresses are remembered, the stalest forgotten first. Pure: time is
// an argument. docs/decisions.md, "Console sessions".
#ifndef GRIDPILOT_SERVICES_CONSOLE_LOGIN_THROTTLE_H_
#define GRIDPILOT_SERVICES_CONSOLE_LOGIN_THROTTLE_H_

#include <deque>
#include <map>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace gridpilot {

struct LoginThrottleLimits {
  int max_failures = 5;  // failed logins per address per window
  absl::Duration window = absl::Minutes(1);
  int max_addresses = 1024;  // addresses remembered
};

class LoginThrottle {
 public:
  explicit LoginThrottle(LoginThrottleLimits limits);

  // Zero if `address` may try to log in at `now`; otherwise how long until it may (the
  // oldest failure in the window leaves it). Thread-safe.
  absl::Duration WaitBeforeAttempt(const std::string& address, absl::Time now);
  // Records a failed login from `address` at `now`. Thread-safe.
  void Failed(const std::string& address, absl::Time now);

  int addresses() const;

 private:
  const LoginThrottleLimits limits_;
  mutable absl::Mutex mu_;
  // Failure times in the window, oldest first, per address.
  std::map<std::string, std::deque<absl::Time>> failures_ ABSL_GUARDED_BY(mu_);
};

}  // namespace gridpilot

#endif  // GRIDPILOT_SERVICES_CONSOLE_LOGIN_THROTTLE_H_
