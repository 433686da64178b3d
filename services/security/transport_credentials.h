// The process-wide TLS identity every gRPC server and channel of a gridpilot process uses
// (services/common/server_runner.cc reads it). A process installs it once, at start, from
// a credentials directory made by `gridpilot credentials init`:
//   ca.pem                  the stack's certificate authority
//   <process>.pem/.key      a process's certificate (CN = its identity) and key (0600)
//   <role>.token            a person's or tool's bearer token (0600)
//   <process>.process-token a process's bearer token for the stack's Unix sockets (0600)
//   tokens.sha256           "<role> <sha256 hex>" per token, for servers (0600)
// With a process identity, servers serve TLS only and ask for (and verify) a client
// certificate from the CA, and channels present the process's certificate (mutual TLS).
// With a token instead (a person's CLI), channels verify the server against the CA and
// send "authorization: Bearer <token>". Without either, servers and channels are
// plaintext (a process started with --insecure, or a unit test's in-process server).
// A Unix domain socket ("unix:PATH") carries no TLS: gRPC's local credentials, which let
// only a peer on the same host through and count as secure, so the call credentials are
// still sent; a process presents its process token there instead of its certificate, and
// servers check it with the same authorizer. docs/decisions.md, "Identities, TLS and
// roles" and "Unix sockets for the local stack".
#ifndef GRIDPILOT_SERVICES_SECURITY_TRANSPORT_CREDENTIALS_H_
#define GRIDPILOT_SERVICES_SECURITY_TRANSPORT_CREDENTIALS_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "services/security/token_table.h"

namespace gridpilot::security {

// Loads the CA, `identity`'s certificate, key and process token and the token hashes from
// `dir` and makes
// them the process's transport identity. Must be called before any server or channel is
// made, at most once. NotFound / PermissionDenied (a key or token file others can read) /
// InvalidArgument naming the file; InvalidArgument for an unknown identity.
absl::Status InstallProcessIdentity(const std::string& dir, const std::string& identity);

// Makes the process a token-bearing client of a stack whose CA is `dir`/ca.pem, presenting
// `dir`/`role`.token on every call. Errors as above.
absl::Status InstallClientToken(const std::string& dir, const std::string& role);

// True once one of the two above succeeded.
bool TransportSecured();

// The token table the process's servers check, or nullptr when its servers are plaintext
// (no process identity installed).
const TokenTable* InstalledTokenTable();

// Credentials for a server's TCP port: TLS with the CA-verified optional client certificate
// and the authorizer (rpc_authorizer.h) when secured; plaintext otherwise.
std::shared_ptr<grpc::ServerCredentials> ServerTransportCredentials();

// Credentials for a server's Unix domain socket: gRPC's local (UDS) credentials with the
// same authorizer when secured; plaintext otherwise.
std::shared_ptr<grpc::ServerCredentials> UnixSocketServerCredentials();

// True if `address` names a Unix domain socket ("unix:PATH").
bool IsUnixSocketAddress(const std::string& address);

// Credentials for a channel to the stack process at `address`, as described above: over a
// Unix socket, local credentials with the process token (or the person's token); over
// TCP, TLS with the process certificate (or the person's token).
std::shared_ptr<grpc::ChannelCredentials> ChannelTransportCredentials(const std::string& address);

// The directory of credentials for the flag value `flag_dir`: itself if non-empty, else
// `run_dir`/credentials if it holds a ca.pem, else "" (plaintext).
std::string ResolveCredentialsDir(const std::string& flag_dir, const std::string& run_dir);

}  // namespace gridpilot::security

#endif  // GRIDPILOT_SERVICES_SECURITY_TRANSPORT_CREDENTIALS_H_
