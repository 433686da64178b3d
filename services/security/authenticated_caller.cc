#include "services/security/authenticated_caller.h"

#include "services/security/rpc_authorizer.h"

namespace gridpilot::security {

std::optional<Caller> AuthenticatedCaller(const grpc::ServerContext& context) {
  std::shared_ptr<const grpc::AuthContext> auth = context.auth_context();
  if (auth == nullptr) return std::nullopt;
  const std::vector<grpc::string_ref> identity = auth->FindPropertyValues(kIdentityProperty);
  const std::vector<grpc::string_ref> role = auth->FindPropertyValues(kRoleProperty);
  if (identity.empty() || role.empty()) return std::nullopt;
  Caller caller;
  caller.identity = std::string(identity.front().data(), identity.front().size());
  caller.role = std::string(role.front().data(), role.front().size());
  return caller;
}

}  // namespace gridpilot::security
