#include "services/security/refusal_budget.h"

namespace gridpilot::security {

RefusalBudget::Verdict RefusalBudget::Admit(absl::Time now) {
  if (now - window_start_ >= absl::Minutes(1)) {
    window_start_ = now;
    kept_in_window_ = 0;
  }
  if (kept_in_window_ >= per_minute_) {
    ++dropped_;
    return {};
  }
  ++kept_in_window_;
  Verdict verdict{true, dropped_};
  dropped_ = 0;
  return verdict;
}

}  // namespace gridpilot::security
