// How many refused calls the audit log keeps: at most `per_minute` in each minute (fixed
// windows starting at the first refusal after a quiet one); the rest are counted, and the
// first one kept after them carries that count, so a flood of bad calls costs a bounded
// number of rows and is still visible. Pure: the caller passes the time.
#ifndef GRIDPILOT_SERVICES_SECURITY_REFUSAL_BUDGET_H_
#define GRIDPILOT_SERVICES_SECURITY_REFUSAL_BUDGET_H_

#include <cstdint>

#include "absl/time/time.h"

namespace gridpilot::security {

class RefusalBudget {
 public:
  // `per_minute` > 0.
  explicit RefusalBudget(int per_minute) : per_minute_(per_minute) {}

  struct Verdict {
    bool keep = false;
    int64_t dropped_before = 0;  // when keep: refusals dropped since the last kept one
  };

  // Whether to keep a refusal at `now` (non-decreasing across calls). Not thread-safe.
  Verdict Admit(absl::Time now);

 private:
  const int per_minute_;
  absl::Time window_start_ = absl::InfinitePast();
  int kept_in_window_ = 0;
  int64_t dropped_ = 0;
};

}  // namespace gridpilot::security

#endif  // GRIDPILOT_SERVICES_SECURITY_REFUSAL_BUDGET_H_
