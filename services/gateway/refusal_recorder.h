// The gateway's audit of refused calls: every call its RpcAuthorizer or its own identity
// checks refuse goes to the store's refused_calls table, at most `per_minute` rows a
// minute (security::RefusalBudget), so that a flood of bad calls cannot fill the disk; the
// first row kept after a dropped burst says how many were dropped.
#ifndef GRIDPILOT_SERVICES_GATEWAY_REFUSAL_RECORDER_H_
#define GRIDPILOT_SERVICES_GATEWAY_REFUSAL_RECORDER_H_

#include <functional>

#include "absl/synchronization/mutex.h"
#include "services/gateway/store.h"
#include "services/security/refusal_budget.h"
#include "services/security/refusal_observer.h"

namespace gridpilot {

class RefusalRecorder final : public security::RefusalObserver {
 public:
  // `store` (thread-safe) must outlive this; `now` gives the wall time of a refusal.
  RefusalRecorder(Store* store, int per_minute, std::function<absl::Time()> now)
      : store_(store), now_(std::move(now)), budget_(per_minute) {}

  // Thread-safe. A store error is logged, never returned to the caller that was refused.
  void Refused(const security::RefusedCall& call) override;

 private:
  Store* const store_;
  const std::function<absl::Time()> now_;
  absl::Mutex mu_;
  security::RefusalBudget budget_ ABSL_GUARDED_BY(mu_);
};

}  // namespace gridpilot

#endif  // GRIDPILOT_SERVICES_GATEWAY_REFUSAL_RECORDER_H_
