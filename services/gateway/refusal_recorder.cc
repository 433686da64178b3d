#include "services/gateway/refusal_recorder.h"

#include "absl/strings/str_cat.h"
#include "core/base/logging.h"

namespace gridpilot {

void RefusalRecorder::Refused(const security::RefusedCall& call) {
  const absl::Time at = now_();
  security::RefusalBudget::Verdict verdict;
  {
    absl::MutexLock lock(&mu_);
    verdict = budget_.Admit(at);
  }
  if (!verdict.keep) return;
  const absl::Status recorded = store_->RecordRefusedCall(at, call, verdict.dropped_before);
  if (!recorded.ok()) {
    base::LogError(absl::StrCat("audit of a refused call: ", recorded.message()));
  }
}

}  // namespace gridpilot
