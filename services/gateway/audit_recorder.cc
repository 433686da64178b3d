#include "services/gateway/audit_recorder.h"

namespace gridpilot {

absl::StatusOr<bool> AuditRecorder::Record(AuditEvent event) {
  {
    absl::MutexLock lock(&mu_);
    event.at = now_();  // under the lock: each budget sees non-decreasing times
    Budget& budget = budgets_
                         .try_emplace({event.process, event.kind},
                                      Budget{security::RefusalBudget(per_minute_), 0})
                         .first->second;
    const security::RefusalBudget::Verdict verdict = budget.per_minute.Admit(event.at);
    if (!verdict.keep) {
      budget.carried += event.dropped_before;
      return false;
    }
    event.dropped_before += verdict.dropped_before + budget.carried;
    budget.carried = 0;
  }
  if (absl::Status recorded = store_->RecordAuditEvent(event); !recorded.ok()) return recorded;
  return true;
}

}  // namespace gridpilot
