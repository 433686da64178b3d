// RetryBackoff: how long a sink waits before trying a failed delivery again. Exponential:
// `first`, then doubling each retry, capped at `max`. The delivery queue
// (services/alerts/delivery_queue.h) uses it; pure so that the schedule is tested alone.
#ifndef GRIDPILOT_CORE_ALERTS_RETRY_BACKOFF_H_
#define GRIDPILOT_CORE_ALERTS_RETRY_BACKOFF_H_

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace gridpilot::alerts {

struct RetryPolicy {
  int max_attempts = 5;                            // deliveries tried per alert, >= 1
  absl::Duration first = absl::Milliseconds(200);  // the pause after the first failure, > 0
  absl::Duration max = absl::Seconds(10);          // the longest pause, >= first
};

// InvalidArgument naming the field (`where` prefixes the message, e.g. "alerts.webhook").
absl::Status ValidateRetryPolicy(const RetryPolicy& policy, std::string_view where);

// The pause after failed attempt `failed_attempts` (1 = the first attempt failed):
// first * 2^(failed_attempts - 1), at most `max`. Zero for failed_attempts < 1.
absl::Duration RetryDelay(const RetryPolicy& policy, int failed_attempts);

}  // namespace gridpilot::alerts

#endif  // GRIDPILOT_CORE_ALERTS_RETRY_BACKOFF_H_
