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

grpc::Status RpcAuthorizer::Process(const InputMetadata& auth_metadata, grpc::AuthContext* context,
                                    OutputMetadata* consumed_auth_metadata,
                                    OutputMetadata* /*response_metadata*/) {
  const auto path = auth_metadata.find(":path");
  const std::string method = path == auth_metadata.end() ? "" : Str(path->second);
  Caller caller;
  const auto authorization = auth_metadata.find("authorization");
  if (authorization != auth_metadata.end()) {
    const std::string value = Str(authorization->second);
    constexpr absl::string_view kBearer = "Bearer ";
    if (!absl::StartsWith(value, kBearer)) {
      return Refuse(method, caller, grpc::StatusCode::UNAUTHENTICATED,
                    "the authorization header is not \"Bearer <token>\"");
    }
    const std::optional<std::string> role = tokens_.RoleOf(value.substr(kBearer.size()));
    if (!role.has_value()) {
      return Refuse(method, caller, grpc::StatusCode::UNAUTHENTICATED,
                    "the bearer token is not one of this stack's tokens");
    }
    caller = {*role, *role};
    consumed_auth_metadata->insert({"authorization", value});
  } else {
    const std::vector<grpc::string_ref> names =
        context->FindPropertyValues(GRPC_X509_CN_PROPERTY_NAME);
    if (names.empty()) {
      return Refuse(method, caller, grpc::StatusCode::UNAUTHENTICATED,
                    "no credential: present a client certificate signed by the stack's CA or an "
                    "\"authorization: Bearer <token>\" header");
    }
    const std::string identity = Str(names.front());
    const std::optional<std::string> role = RoleOfProcess(identity);
    if (!role.has_value()) {
      return Refuse(method, caller, grpc::StatusCode::UNAUTHENTICATED,
                    absl::StrCat("the client certificate's common name \"", identity,
                                 "\" is not a gridpilot process"));
    }
    caller = {identity, *role};
  }
  const absl::Status allowed = AuthorizeMethod(method, caller.role);
  if (!allowed.ok()) {
    return Refuse(method, caller, grpc::StatusCode::PERMISSION_DENIED,
                  std::string(allowed.message()));
  }
  context->AddProperty(kIdentityProperty, caller.identity);
  context->AddProperty(kRoleProperty, caller.role);
  return grpc::Status::OK;
}

}  // namespace gridpilot::security
