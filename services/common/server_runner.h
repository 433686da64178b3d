// Starts a gRPC server on loopback with the standard extras every gridpilot process
// serves: grpc.health.v1 health checking and server reflection. Servers and channels use
// the process's transport identity (services/security/transport_credentials.h): TLS with
// roles once one is installed, plaintext otherwise (and then on loopback only). Binds the
// requested port (0 = any free port) and, if asked, writes the bound port to a file so a
// launcher can find it without fixed ports. A process of the launcher's stack also listens
// on a Unix domain socket in the run directory (SetUnixSocketPath), which its peers use
// (docs/decisions.md, "Unix sockets for the local stack").
#ifndef GRIDPILOT_SERVICES_COMMON_SERVER_RUNNER_H_
#define GRIDPILOT_SERVICES_COMMON_SERVER_RUNNER_H_

#include <grpcpp/grpcpp.h>
#include <grpcpp/support/server_interceptor.h>

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace gridpilot {

// The largest request any gridpilot server accepts, bytes (4 MiB). Requests are small
// (the largest, an agent's answer with its plan, is a few kB); responses may be larger
// and are bounded by the client's channel (MakeChannel). docs/decisions.md, "Input bounds".
inline constexpr int kMaxServerReceiveMessageBytes = 4 * 1024 * 1024;

struct RunningServer {
  std::unique_ptr<grpc::Server> server;
  int port = 0;
};

// The longest Unix socket path the kernel accepts (sun_path holds 108 bytes with its NUL).
inline constexpr size_t kMaxUnixSocketPathBytes = 107;

// Makes every later StartGrpcServer of this process also listen on the Unix domain socket
// `path` ("" = none, the default), with UnixSocketServerCredentials (same authorizer as
// the TCP port). A process has one gRPC server, so one socket. Call before starting it.
void SetUnixSocketPath(const std::string& path);

// Builds and starts a server on `host:port` serving `services` (not owned; they must
// outlive the server). If `port_file` is non-empty the bound port is written to it
// atomically (write + rename). `interceptors` see every RPC (e.g. to count them for
// metrics). Requests over kMaxServerReceiveMessageBytes are refused by gRPC
// (RESOURCE_EXHAUSTED). The server listens on exactly one port, bound without
// SO_REUSEPORT, so no other server can share it; plus the Unix socket of SetUnixSocketPath,
// if any (gRPC replaces a stale socket file at that path, so a restart reuses it).
// Unavailable if the port or socket cannot be bound; FailedPrecondition for a plaintext
// server (no credentials installed) on a host other than loopback; InvalidArgument for a
// socket path over kMaxUnixSocketPathBytes.
absl::StatusOr<RunningServer> StartGrpcServer(
    const std::string& host, int port, const std::vector<grpc::Service*>& services,
    const std::string& port_file,
    std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>>
        interceptors = {});

// Stops `server`: new calls are refused and calls still in flight get 200 ms to finish
// before they are cancelled. (gRPC waits for the whole deadline whenever a client channel
// is still open, so a long grace made every process take it in full on each stop.)
void ShutdownServer(grpc::Server* server);

// A channel to `address` ("127.0.0.1:port" or "unix:PATH") with project defaults (no proxy,
// large messages allowed for history streams) and the process's transport credentials.
std::shared_ptr<grpc::Channel> MakeChannel(const std::string& address);

}  // namespace gridpilot

#endif  // GRIDPILOT_SERVICES_COMMON_SERVER_RUNNER_H_
