// The one place a gridpilot server decides who is calling and whether they may: a gRPC
// AuthMetadataProcessor run on every call before any handler. The caller is the common
// name of a client certificate the CA signed (a gridpilot process) or the role of a
// bearer token whose SHA-256 is in the server's token table (a person or tool); the token
// wins when both are present. The method is then checked against roles.h's table.
// UNAUTHENTICATED when there is no valid credential, PERMISSION_DENIED for a wrong role;
// messages say what was missing and never contain the token. On success the identity and
// role are stored in the call's AuthContext (authenticated_caller.h reads them).
#ifndef GRIDPILOT_SERVICES_SECURITY_RPC_AUTHORIZER_H_
#define GRIDPILOT_SERVICES_SECURITY_RPC_AUTHORIZER_H_

#include <grpcpp/security/auth_metadata_processor.h>

#include "services/security/token_table.h"

namespace gridpilot::security {

inline constexpr char kIdentityProperty[] = "gridpilot_identity";
inline constexpr char kRoleProperty[] = "gridpilot_role";

class RpcAuthorizer : public grpc::AuthMetadataProcessor {
 public:
  explicit RpcAuthorizer(TokenTable tokens) : tokens_(std::move(tokens)) {}

  // Hashing a token and two map look-ups: cheap enough to run on gRPC's own thread.
  bool IsBlocking() const override { return false; }

  grpc::Status Process(const InputMetadata& auth_metadata, grpc::AuthContext* context,
                       OutputMetadata* consumed_auth_metadata,
                       OutputMetadata* response_metadata) override;

 private:
  const TokenTable tokens_;
};

}  // namespace gridpilot::security

#endif  // GRIDPILOT_SERVICES_SECURITY_RPC_AUTHORIZER_H_
