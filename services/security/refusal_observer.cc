#include "services/security/refusal_observer.h"

#include <atomic>

namespace gridpilot::security {
namespace {

std::atomic<RefusalObserver*> observer{nullptr};

}  // namespace

void SetRefusalObserver(RefusalObserver* o) { observer.store(o); }

void ReportRefusal(const RefusedCall& call) {
  if (RefusalObserver* o = observer.load(); o != nullptr) o->Refused(call);
}

}  // namespace gridpilot::security
