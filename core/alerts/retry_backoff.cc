#include "core/alerts/retry_backoff.h"

#include <string>

#include "absl/strings/str_cat.h"

namespace gridpilot::alerts {

absl::Status ValidateRetryPolicy(const RetryPolicy& policy, std::string_view where) {
  if (policy.max_attempts < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat(std::string(where), ".max_attempts: must be >= 1"));
  }
  if (policy.first <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        absl::StrCat(std::string(where), ".first_backoff_ms: must be > 0"));
  }
  if (policy.max < policy.first) {
    return absl::InvalidArgumentError(
        absl::StrCat(std::string(where), ".max_backoff_ms: must be >= first_backoff_ms"));
  }
  return absl::OkStatus();
}

absl::Duration RetryDelay(const RetryPolicy& policy, int failed_attempts) {
  if (failed_attempts < 1) return absl::ZeroDuration();
  absl::Duration delay = policy.first;
  for (int i = 1; i < failed_attempts && delay < policy.max; ++i) delay *= 2;
  return delay < policy.max ? delay : policy.max;
}

}  // namespace gridpilot::alerts
