// The one place a gridpilot server decides who is calling and whether they may: a gRPC
// AuthMetadataProcessor run on every call before any handler. The caller is the common
// name of a client certificate the CA signed (a gridpilot process) or the role of a
// bearer token whose SHA-256 is in the server's token table (a person or tool, or one of
// the stack's own processes calling over its Unix sockets); the token wins when both are
// present. The method is then checked against roles.h's tables (AuthorizeCaller).
// UNAUTHENTICATED when there is no valid credential, PERMISSION_DENIED for a wrong role;
// messages say what was missing and never contain the token. Nothing is written to the
// AuthContext: gRPC hands the processor the connection's context, so a property added per
// call would pile up on the connection (and name the first caller to every later call on
// it); handlers identify the caller again with IdentifyCaller (authenticated_caller.h).
#ifndef GRIDPILOT_SERVICES_SECURITY_RPC_AUTHORIZER_H_
#define GRIDPILOT_SERVICES_SECURITY_RPC_AUTHORIZER_H_

#include <grpcpp/security/auth_metadata_processor.h>

#include "absl/status/statusor.h"
#include "services/security/roles.h"
#include "services/security/token_table.h"

namespace gridpilot::security {

// The caller a call's credentials name: `authorization` (the header's value, or nullptr if
// the call has none) checked against `tokens`, else the common name of the client
// certificate in `auth` (which the TLS handshake has verified against the CA).
// Unauthenticated, saying what was missing or wrong and never echoing the token.
absl::StatusOr<Caller> IdentifyCaller(const std::string* authorization,
                                      const grpc::AuthContext& auth, const TokenTable& tokens);

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
