// The caller RpcAuthorizer authenticated, as a handler reads it from its ServerContext.
#ifndef GRIDPILOT_SERVICES_SECURITY_AUTHENTICATED_CALLER_H_
#define GRIDPILOT_SERVICES_SECURITY_AUTHENTICATED_CALLER_H_

#include <grpcpp/grpcpp.h>

#include <optional>

#include "services/security/roles.h"

namespace gridpilot::security {

// The authenticated caller of the call `context` serves, identified again from the call's
// credentials as the RpcAuthorizer did (IdentifyCaller), or nullopt when the process runs
// without credentials (plaintext) or there is no real call (`context` null or without a
// call: a handler called directly, as the fuzz target does). Fails closed: a call that cannot be
// identified (which the authorizer would already have refused) gives a caller with an empty
// identity and role, which no identity or band check accepts.
std::optional<Caller> AuthenticatedCaller(const grpc::ServerContextBase* context);

}  // namespace gridpilot::security

#endif  // GRIDPILOT_SERVICES_SECURITY_AUTHENTICATED_CALLER_H_
