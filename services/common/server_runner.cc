#include "services/common/server_runner.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>

#include "absl/strings/str_cat.h"
#include "services/common/port_file.h"
#include "services/security/transport_credentials.h"

namespace gridpilot {
namespace {

// Set once by SetUnixSocketPath at start, before any server thread runs.
std::string* unix_socket_path = nullptr;

bool IsLoopbackHost(const std::string& host) {
  return host == "127.0.0.1" || host == "localhost" || host == "::1" || host == "[::1]";
}

}  // namespace

void SetUnixSocketPath(const std::string& path) {
  delete unix_socket_path;
  unix_socket_path = path.empty() ? nullptr : new std::string(path);
}

absl::StatusOr<RunningServer> StartGrpcServer(
    const std::string& host, int port, const std::vector<grpc::Service*>& services,
    const std::string& port_file,
    std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>>
        interceptors) {
  if (!security::TransportSecured() && !IsLoopbackHost(host)) {
    return absl::FailedPreconditionError(
        absl::StrCat("refusing to serve plaintext gRPC on ", host,
                     ": without --credentials a server listens on loopback (127.0.0.1) only"));
  }
  const std::string socket = unix_socket_path == nullptr ? "" : *unix_socket_path;
  if (socket.size() > kMaxUnixSocketPathBytes) {
    return absl::InvalidArgumentError(absl::StrCat("Unix socket path ", socket, " is ",
                                                   socket.size(), " bytes; at most ",
                                                   kMaxUnixSocketPathBytes, " fit"));
  }
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  RunningServer running;
  builder.AddListeningPort(absl::StrCat(host, ":", port), security::ServerTransportCredentials(),
                           &running.port);
  if (!socket.empty()) {
    builder.AddListeningPort(absl::StrCat("unix:", socket),
                             security::UnixSocketServerCredentials());
  }
  // Without SO_REUSEPORT: with it (gRPC's default), each of gRPC's listeners binds port 0
  // by itself, so a port-0 server also listens on a second, unreported port serving the
  // same services, and another process could bind our port too. docs/decisions.md,
  // "One listening port".
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  // Set deliberately rather than left to gRPC's default: no request to any gridpilot
  // server comes near it (the largest, an answer with a plan, is a few kB), and a larger
  // message is refused by gRPC with RESOURCE_EXHAUSTED before any handler sees it.
  builder.SetMaxReceiveMessageSize(kMaxServerReceiveMessageBytes);
  for (grpc::Service* service : services) builder.RegisterService(service);
  if (!interceptors.empty()) builder.experimental().SetInterceptorCreators(std::move(interceptors));
  running.server = builder.BuildAndStart();
  if (running.server == nullptr || running.port == 0) {
    return absl::UnavailableError(absl::StrCat("cannot listen on ", host, ":", port,
                                               socket.empty() ? "" : " and unix:", socket));
  }
  if (!port_file.empty()) {
    absl::Status written = WritePortFile(port_file, running.port);
    if (!written.ok()) return written;
  }
  return running;
}

void ShutdownServer(grpc::Server* server) {
  server->Shutdown(std::chrono::system_clock::now() + std::chrono::milliseconds(200));
}

std::shared_ptr<grpc::Channel> MakeChannel(const std::string& address) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_ENABLE_HTTP_PROXY, 0);
  args.SetMaxReceiveMessageSize(64 * 1024 * 1024);
  // Peers are local processes that restart in seconds. gRPC's default reconnect backoff
  // grows to 120 s, so a client would stay cut off long after its peer is back.
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 1000);
  return grpc::CreateCustomChannel(address, security::ChannelTransportCredentials(address), args);
}

}  // namespace gridpilot
