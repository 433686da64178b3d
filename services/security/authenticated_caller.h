// The caller RpcAuthorizer authenticated, as a handler reads it from its ServerContext.
#ifndef GRIDPILOT_SERVICES_SECURITY_AUTHENTICATED_CALLER_H_
#define GRIDPILOT_SERVICES_SECURITY_AUTHENTICATED_CALLER_H_

#include <grpcpp/grpcpp.h>

#include <optional>

#include "services/security/roles.h"

namespace gridpilot::security {

// The authenticated caller of the call `context` serves, or nullopt when the server runs
// without credentials (plaintext) or the context belongs to no real call (a handler
// called directly, as the fuzz target does).
std::optional<Caller> AuthenticatedCaller(const grpc::ServerContext& context);

}  // namespace gridpilot::security

#endif  // GRIDPILOT_SERVICES_SECURITY_AUTHENTICATED_CALLER_H_
