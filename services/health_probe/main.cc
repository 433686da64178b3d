// gridpilot-health-probe: asks a gRPC server whether it is serving, through the standard
// health service (grpc.health.v1.Health/Check), and says so in its exit code, for
// container health checks and scripts:
//   gridpilot-health-probe --address 127.0.0.1:50051 [--service NAME] [--timeout_seconds 2]
//                          [--ca FILE --token_file FILE]
// With --ca, the call goes over TLS (the server verified against that CA) with the bearer
// token read from --token_file (any role may ask for health): the servers serve TLS only.
// Exit 0: SERVING. Exit 1: anything else (NOT_SERVING, unreachable, timed out, unknown
// service), with the reason on stderr. Exit 2: bad arguments.
#include <grpcpp/grpcpp.h>

#include <cctype>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "health.grpc.pb.h"
#include "services/common/flag_help.h"

ABSL_FLAG(std::string, address, "", "server address host:port (required)");
ABSL_FLAG(std::string, service, "", "service name to ask about; empty = the whole server");
ABSL_FLAG(double, timeout_seconds, 2.0, "give up after this long");
ABSL_FLAG(std::string, ca, "", "CA certificate (PEM) to verify a TLS server; empty = plaintext");
ABSL_FLAG(std::string, token_file, "", "with --ca: file holding the bearer token to present");

namespace {

// The whole of the file at `path`, without surrounding whitespace; nullopt if unreadable.
std::optional<std::string> ReadFileText(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::stringstream text;
  text << in.rdbuf();
  std::string content = text.str();
  while (!content.empty() && std::isspace(static_cast<unsigned char>(content.back()))) {
    content.pop_back();
  }
  return content;
}

}  // namespace

int main(int argc, char** argv) {
  gridpilot::HandleHelpFlag(
      argc, argv,
      "gridpilot-health-probe --address HOST:PORT [--service NAME] [--timeout_seconds S]\n"
      "                       [--ca FILE --token_file FILE]\n"
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
  std::shared_ptr<grpc::ChannelCredentials> credentials = grpc::InsecureChannelCredentials();
  if (!absl::GetFlag(FLAGS_ca).empty()) {
    const std::optional<std::string> ca = ReadFileText(absl::GetFlag(FLAGS_ca));
    const std::optional<std::string> token = ReadFileText(absl::GetFlag(FLAGS_token_file));
    if (!ca.has_value() || !token.has_value() || token->empty()) {
      std::fprintf(stderr, "gridpilot-health-probe: cannot read --ca %s or --token_file %s\n",
                   absl::GetFlag(FLAGS_ca).c_str(), absl::GetFlag(FLAGS_token_file).c_str());
      return 2;
    }
    grpc::SslCredentialsOptions ssl;
    ssl.pem_root_certs = *ca;
    credentials = grpc::CompositeChannelCredentials(grpc::SslCredentials(ssl),
                                                    grpc::AccessTokenCredentials(*token));
  }
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_ENABLE_HTTP_PROXY, 0);
  auto stub =
      grpc::health::v1::Health::NewStub(grpc::CreateCustomChannel(address, credentials, args));
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
