// The gateway's side of the audit events the stack's other processes report
// (AuditService.RecordAuditEvent): each goes to the store's audit_events table, at most
// `per_minute` a minute for each (process, kind), so that a flood (a thousand refused calls
// against the trader) costs a bounded number of rows; one over the limit is counted into the
// dropped_before of the next one recorded for the same process and kind.
// docs/decisions.md, "Audit of every act".
#ifndef GRIDPILOT_SERVICES_GATEWAY_AUDIT_RECORDER_H_
#define GRIDPILOT_SERVICES_GATEWAY_AUDIT_RECORDER_H_

#include <functional>
#include <map>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "services/gateway/store.h"
#include "services/security/refusal_budget.h"

namespace gridpilot {

class AuditRecorder {
 public:
  // `store` (thread-safe) must outlive this; `now` gives the wall time an event is received;
  // `per_minute` > 0.
  AuditRecorder(Store* store, int per_minute, std::function<absl::Time()> now)
      : store_(store), per_minute_(per_minute), now_(std::move(now)) {}

  // Stamps `event.at` with now and records it, adding to `event.dropped_before` the events
  // of its (process, kind) dropped by the rate limit and what those carried, so that the
  // rows and their dropped_before add up to every event reported. True when stored, false when over
  // the limit (counted). The store's error otherwise. The caller bounds `process` and `kind`
  // to known names (the budgets are kept per pair). Thread-safe.
  absl::StatusOr<bool> Record(AuditEvent event);

 private:
  Store* const store_;
  const int per_minute_;
  const std::function<absl::Time()> now_;
  absl::Mutex mu_;
  struct Budget {
    security::RefusalBudget per_minute;
    // dropped_before of the events dropped here, which the next one recorded carries on.
    int64_t carried = 0;
  };
  std::map<std::pair<std::string, std::string>, Budget> budgets_ ABSL_GUARDED_BY(mu_);
};

}  // namespace gridpilot

#endif  // GRIDPILOT_SERVICES_GATEWAY_AUDIT_RECORDER_H_
