// Refused calls, for the audit log: the RpcAuthorizer (and a server's own identity checks)
// report every call it refuses to the process's observer, if one is set. The gateway's
// observer writes them to its store, rate-limited (services/gateway/refusal_recorder.h);
// the other servers' send them there (services/common/audit_reporter.h).
#ifndef GRIDPILOT_SERVICES_SECURITY_REFUSAL_OBSERVER_H_
#define GRIDPILOT_SERVICES_SECURITY_REFUSAL_OBSERVER_H_

#include <string>

namespace gridpilot::security {

struct RefusedCall {
  std::string method;    // full RPC name
  std::string identity;  // the authenticated caller; "" when it had no valid credential
  std::string role;      // its role; "" likewise
  std::string code;      // "UNAUTHENTICATED" or "PERMISSION_DENIED"
  std::string reason;    // the status message sent back (never a secret)
};

class RefusalObserver {
 public:
  virtual ~RefusalObserver() = default;
  // Called on gRPC's threads, possibly concurrently; must not block for long.
  virtual void Refused(const RefusedCall& call) = 0;
};

// Sets the process's observer (not owned; must outlive every server). Call before any
// server starts; nullptr = none.
void SetRefusalObserver(RefusalObserver* observer);

// Reports `call` to the observer, if any.
void ReportRefusal(const RefusedCall& call);

}  // namespace gridpilot::security

#endif  // GRIDPILOT_SERVICES_SECURITY_REFUSAL_OBSERVER_H_
