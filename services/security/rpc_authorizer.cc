#include "services/security/rpc_authorizer.h"

#include <grpc/grpc_security_constants.h>

#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "services/security/refusal_observer.h"
#include "services/security/roles.h"

namespace gridpilot::security {
namespace {

std::string Str(grpc::string_ref value) { return std::string(value.data(), value.size()); }

grpc::Status Refuse(const std::string& method, const Caller& caller, grpc::StatusCode code,
                    const std::string& what) {
  RefusedCall refused;
  refused.method = method;
  refused.identity = caller.identity;
  refused.role = caller.role;
  refused.code =
      code == grpc::StatusCode::UNAUTHENTICATED ? "UNAUTHENTICATED" : "PERMISSION_DENIED";
  refused.reason = what;
  ReportRefusal(refused);
  return grpc::Status(code, what);
}

}  // namespace

absl::StatusOr<Caller> IdentifyCaller(const std::string* authorization,
                                      const grpc::AuthContext& auth, const TokenTable& tokens) {
  if (authorization != nullptr) {
    constexpr absl::string_view kBearer = "Bearer ";
    if (!absl::StartsWith(*authorization, kBearer)) {
      return absl::UnauthenticatedError("the authorization header is not \"Bearer <token>\"");
    }
    std::optional<Caller> caller =
        tokens.CallerOf(absl::string_view(*authorization).substr(kBearer.size()));
    if (!caller.has_value()) {
      return absl::UnauthenticatedError("the bearer token is not one of this stack's tokens");
    }
    return *std::move(caller);
  }
  const std::vector<grpc::string_ref> names = auth.FindPropertyValues(GRPC_X509_CN_PROPERTY_NAME);
  if (names.empty()) {
    return absl::UnauthenticatedError(
        "no credential: present a client certificate signed by the stack's CA or an "
        "\"authorization: Bearer <token>\" header");
  }
  const std::string identity = Str(names.front());
  const std::optional<std::string> role = RoleOfProcess(identity);
  if (!role.has_value()) {
    return absl::UnauthenticatedError(absl::StrCat("the client certificate's common name \"",
                                                   identity, "\" is not a gridpilot process"));
  }
  return Caller{identity, *role, /*is_process=*/true};
}

grpc::Status RpcAuthorizer::Process(const InputMetadata& auth_metadata, grpc::AuthContext* context,
                                    OutputMetadata* /*consumed_auth_metadata*/,
                                    OutputMetadata* /*response_metadata*/) {
  const auto path = auth_metadata.find(":path");
  const std::string method = path == auth_metadata.end() ? "" : Str(path->second);
  const auto header = auth_metadata.find("authorization");
  const std::string authorization = header == auth_metadata.end() ? "" : Str(header->second);
  const absl::StatusOr<Caller> caller =
      IdentifyCaller(header == auth_metadata.end() ? nullptr : &authorization, *context, tokens_);
  if (!caller.ok()) {
    return Refuse(method, Caller{}, grpc::StatusCode::UNAUTHENTICATED,
                  std::string(caller.status().message()));
  }
  const absl::Status allowed = AuthorizeCaller(method, *caller);
  if (!allowed.ok()) {
    return Refuse(method, *caller, grpc::StatusCode::PERMISSION_DENIED,
                  std::string(allowed.message()));
  }
  return grpc::Status::OK;
}

}  // namespace gridpilot::security
