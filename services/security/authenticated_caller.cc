#include "services/security/authenticated_caller.h"

#include <string>

#include "services/security/rpc_authorizer.h"
#include "services/security/transport_credentials.h"

namespace gridpilot::security {

std::optional<Caller> AuthenticatedCaller(const grpc::ServerContextBase* context) {
  const TokenTable* tokens = InstalledTokenTable();
  if (tokens == nullptr) return std::nullopt;
  if (context == nullptr) return std::nullopt;
  std::shared_ptr<const grpc::AuthContext> auth = context->auth_context();
  if (auth == nullptr) return std::nullopt;
  const auto& metadata = context->client_metadata();
  const auto header = metadata.find("authorization");
  const std::string authorization =
      header == metadata.end() ? "" : std::string(header->second.data(), header->second.size());
  absl::StatusOr<Caller> caller =
      IdentifyCaller(header == metadata.end() ? nullptr : &authorization, *auth, *tokens);
  if (!caller.ok()) return Caller{};
  return *std::move(caller);
}

}  // namespace gridpilot::security
