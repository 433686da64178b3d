#include "services/console/login_throttle.h"

#include <algorithm>

namespace gridpilot {

LoginThrottle::LoginThrottle(LoginThrottleLimits limits) : limits_(limits) {}

absl::Duration LoginThrottle::WaitBeforeAttempt(const std::string& address, absl::Time now) {
  absl::MutexLock lock(&mu_);
  auto it = failures_.find(address);
  if (it == failures_.end()) return absl::ZeroDuration();
  std::deque<absl::Time>& times = it->second;
  while (!times.empty() && now - times.front() >= limits_.window) times.pop_front();
  if (times.empty()) {
    failures_.erase(it);
    return absl::ZeroDuration();
  }
  if (static_cast<int>(times.size()) < limits_.max_failures) return absl::ZeroDuration();
  return times.front() + limits_.window - now;
}

void LoginThrottle::Failed(const std::string& address, absl::Time now) {
  absl::MutexLock lock(&mu_);
  auto it = failures_.find(address);
  if (it == failures_.end()) {
    if (static_cast<int>(failures_.size()) >= limits_.max_addresses) {
      // Forget the address whose newest failure is oldest.
      auto stalest = failures_.begin();
      for (auto a = failures_.begin(); a != failures_.end(); ++a) {
        if (a->second.back() < stalest->second.back()) stalest = a;
      }
      failures_.erase(stalest);
    }
    it = failures_.emplace(address, std::deque<absl::Time>{}).first;
  }
  std::deque<absl::Time>& times = it->second;
  while (!times.empty() && now - times.front() >= limits_.window) times.pop_front();
  times.push_back(now);
  // Only the newest max_failures matter for the wait.
  while (static_cast<int>(times.size()) > std::max(1, limits_.max_failures)) times.pop_front();
}

int LoginThrottle::addresses() const {
  absl::MutexLock lock(&mu_);
  return static_cast<int>(failures_.size());
}

}  // namespace gridpilot
