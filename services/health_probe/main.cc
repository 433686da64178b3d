// gridpilot-health-probe: asks a gRPC server whether it is serving, through the standard
// health service (grpc.health.v1.Health/Check), and says so in its exit code, for
// container health checks and scripts:
//   gridpilot-health-probe --address 127.0.0.1:50051 [--service NAME] [--timeout_seconds 2]
// Exit 0: SERVING. Exit 1: anything else (NOT_SERVING, unreachable, timed out, unknown
// service), with the reason on stderr. Exit 2: bad arguments.
#include <grpcpp/grpcpp.h>

#include <chrono>
#include <cstdio>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "health.grpc.pb.h"
#include "services/common/flag_help.h"

ABSL_FLAG(std::string, address, "", "server address host:port (required)");
ABSL_FLAG(std::string, service, "", "service name to ask about; empty = the whole server");
ABSL_FLAG(double, timeout_seconds, 2.0, "give up after this long");

int main(int argc, char** argv) {
  gridpilot::HandleHelpFlag(
      argc, argv,
      "gridpilot-health-probe --address HOST:PORT [--service NAME] [--timeout_seconds S]\n"
      "Asks a gRPC server's standard health service whether it is serving: exit 0 if "
      "SERVING,\n1 otherwise (reason on stderr), 2 for bad arguments.");
  absl::ParseCommandLine(argc, argv);
  const std::string address = absl::GetFlag(FLAGS_address);
  const double timeout_seconds = absl::GetFlag(FLAGS_timeout_seconds);
  if (address.empty() || !(timeout_seconds > 0)) {
    std::fprintf(stderr,
                 "gridpilot-health-probe: --address is required and "
                 "--timeout_seconds must be > 0\n");
    return 2;
  }
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_ENABLE_HTTP_PROXY, 0);
  auto stub = grpc::health::v1::Health::NewStub(
      grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args));
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::milliseconds(static_cast<int64_t>(timeout_seconds * 1000)));
  // Wait for the connection within the deadline rather than failing on the first try.
  context.set_wait_for_ready(true);
  grpc::health::v1::HealthCheckRequest request;
  request.set_service(absl::GetFlag(FLAGS_service));
  grpc::health::v1::HealthCheckResponse response;
  const grpc::Status status = stub->Check(&context, request, &response);
  if (!status.ok()) {
    std::fprintf(stderr, "%s: health check failed: %s\n", address.c_str(),
                 status.error_message().c_str());
    return 1;
  }
  const std::string name =
      grpc::health::v1::HealthCheckResponse::ServingStatus_Name(response.status());
  if (response.status() != grpc::health::v1::HealthCheckResponse::SERVING) {
    std::fprintf(stderr, "%s: %s\n", address.c_str(), name.c_str());
    return 1;
  }
  std::printf("%s: %s\n", address.c_str(), name.c_str());
  return 0;
}
