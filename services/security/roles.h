// Who may call what: the roles of gridpilot's callers, the role each of its own processes
// holds through its certificate, and the one table of RPC methods to the roles allowed to
// call them. Pure: no gRPC, no files. Every server enforces it in one place
// (services/security/rpc_authorizer.h). docs/decisions.md, "Identities, TLS and roles".
#ifndef GRIDPILOT_SERVICES_SECURITY_ROLES_H_
#define GRIDPILOT_SERVICES_SECURITY_ROLES_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "gridpilot/v1/types.pb.h"

namespace gridpilot::security {

// An authenticated caller: `identity` is a process name from its certificate's common
// name ("trader") or, for a bearer token, the token's role ("operator").
struct Caller {
  std::string identity;
  std::string role;
  // One of the stack's own processes: by its certificate, or by its process token (the run
  // dir's Unix sockets); not a person's or tool's bearer token.
  bool is_process = false;
};

// The roles a bearer token may carry, in the order `credentials init` writes them:
// viewer, operator, trader, response, ai-agent, admin.
const std::vector<std::string>& PersonRoles();
bool IsPersonRole(absl::string_view role);

// The processes that get a certificate: gateway, forecast, response, trader, console,
// alerter, mcp and launcher (the `gridpilot` launcher's own client identity).
const std::vector<std::string>& ProcessIdentities();

// The role a process certificate's common name grants, or nullopt for a name that is not
// one of ProcessIdentities(). gateway and forecast are "viewer" as clients; response and
// trader hold their own roles; console and alerter are viewers; mcp is "ai-agent"; the
// launcher is "admin".
std::optional<std::string> RoleOfProcess(absl::string_view identity);

// OK if `role` may call the RPC `method` (its full name, "/gridpilot.v1.AssetService/
// SubmitDispatch"). PermissionDenied naming the method, the role and the roles that may
// call it; PermissionDenied for a method the table does not list (deny by default).
absl::Status AuthorizeMethod(absl::string_view method, absl::string_view role);

// OK if `caller` may call `method`. A method only the stack's own processes may call
// (AuditService.RecordAuditEvent: forecast, response and trader) needs the caller to be one
// of them by its certificate (a token of the same role is not the process); every other
// method goes by AuthorizeMethod(method, caller.role). PermissionDenied otherwise.
absl::Status AuthorizeCaller(absl::string_view method, const Caller& caller);

// Every gridpilot.v1 method the table lists (for the test that checks it covers the protos).
std::vector<std::string> ListedMethods();

// OK if `caller` may submit a proposal at `priority` as `requested_agent`: the agent named
// in the request must be the caller's identity, and the band is the caller's role's:
// response -> resilience, trader -> trading, operator and admin -> either (the operator's
// dispatch outranks the trader through resilience priority), ai-agent -> either here, with
// the gateway's limits holding a band above its limit for approval. PermissionDenied saying which
// rule failed otherwise.
absl::Status AuthorizeProposal(const Caller& caller, absl::string_view requested_agent,
                               v1::DispatchPriority priority);

}  // namespace gridpilot::security

#endif  // GRIDPILOT_SERVICES_SECURITY_ROLES_H_
