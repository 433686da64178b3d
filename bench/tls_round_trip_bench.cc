// What TLS and the role check cost one unary call: the same RPC (LedgerService.GetPnl on
// a trivial in-process server) over plaintext, over mutual TLS with the caller's
// certificate, over TLS with a bearer token, and over a Unix domain socket with local
// credentials and the process token (as the launcher's stack calls itself), all through
// StartGrpcServer and MakeChannel as the processes use them, measured in the same run. Prints p50
// and p99 and the ratio to plaintext. Each call goes through the RpcAuthorizer (role table look-up,
// and for the token a SHA-256); the TLS handshake is made once per channel, before timing.
//
//   tls_round_trip_bench [--calls N]   (default 20000)
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gridpilot/v1/ledger.grpc.pb.h"
#include "services/common/server_runner.h"
#include "services/security/credentials_init.h"
#include "services/security/private_file.h"
#include "services/security/transport_credentials.h"

namespace gridpilot {
namespace {

class TrivialLedger final : public v1::LedgerService::Service {
  grpc::Status GetPnl(grpc::ServerContext*, const v1::GetPnlRequest*,
                      v1::GetPnlResponse*) override {
    return grpc::Status::OK;
  }
};

struct Latency {
  double p50_us = 0;
  double p99_us = 0;
};

// `calls` GetPnl round trips on `channel` after 200 unmeasured ones; exits on a failure.
Latency Measure(const std::shared_ptr<grpc::Channel>& channel, int calls, const char* label) {
  auto stub = v1::LedgerService::NewStub(channel);
  std::vector<double> us;
  for (int i = -200; i < calls; ++i) {
    grpc::ClientContext context;
    v1::GetPnlResponse response;
    const absl::Time t0 = absl::Now();
    const grpc::Status status = stub->GetPnl(&context, v1::GetPnlRequest(), &response);
    if (!status.ok()) {
      std::fprintf(stderr, "%s: call failed: %s\n", label, status.error_message().c_str());
      std::exit(1);
    }
    if (i >= 0) us.push_back(absl::ToDoubleMicroseconds(absl::Now() - t0));
  }
  std::sort(us.begin(), us.end());
  return {us[us.size() / 2], us[us.size() * 99 / 100]};
}

int Run(int calls) {
  const std::string dir = absl::StrCat(std::filesystem::temp_directory_path().string(),
                                       "/gridpilot_tls_bench_", getpid());
  if (absl::Status made = security::InitCredentials(dir); !made.ok()) {
    std::fprintf(stderr, "%s\n", std::string(made.message()).c_str());
    return 1;
  }
  TrivialLedger ledger;
  // Plaintext first: the server and channel take the transport identity when they are made.
  absl::StatusOr<RunningServer> plain_server = StartGrpcServer("127.0.0.1", 0, {&ledger}, "");
  if (!plain_server.ok()) return 1;
  std::shared_ptr<grpc::Channel> plain =
      MakeChannel(absl::StrCat("127.0.0.1:", plain_server->port));
  if (absl::Status installed = security::InstallProcessIdentity(dir, "trader"); !installed.ok()) {
    std::fprintf(stderr, "%s\n", std::string(installed.message()).c_str());
    return 1;
  }
  const std::string socket = dir + "/bench.sock";
  SetUnixSocketPath(socket);
  absl::StatusOr<RunningServer> tls_server = StartGrpcServer("127.0.0.1", 0, {&ledger}, "");
  if (!tls_server.ok()) {
    std::fprintf(stderr, "%s\n", std::string(tls_server.status().message()).c_str());
    return 1;
  }
  std::shared_ptr<grpc::Channel> unix_socket = MakeChannel("unix:" + socket);
  const std::string tls_address = absl::StrCat("127.0.0.1:", tls_server->port);
  std::shared_ptr<grpc::Channel> mutual = MakeChannel(tls_address);
  absl::StatusOr<std::string> ca = security::ReadPublicFile(dir + "/ca.pem");
  absl::StatusOr<std::string> token = security::ReadPrivateFile(dir + "/viewer.token");
  if (!ca.ok() || !token.ok()) return 1;
  grpc::SslCredentialsOptions ssl;
  ssl.pem_root_certs = *ca;
  std::shared_ptr<grpc::Channel> bearer = grpc::CreateChannel(
      tls_address,
      grpc::CompositeChannelCredentials(grpc::SslCredentials(ssl),
                                        grpc::AccessTokenCredentials(token->substr(0, 64))));

  // Interleaved in three rounds so that a change in machine load hits all three alike.
  std::vector<Latency> p, m, b, u;
  for (int round = 0; round < 3; ++round) {
    p.push_back(Measure(plain, calls / 3, "plaintext"));
    m.push_back(Measure(mutual, calls / 3, "mutual TLS"));
    b.push_back(Measure(bearer, calls / 3, "TLS + token"));
    u.push_back(Measure(unix_socket, calls / 3, "Unix socket + process token"));
  }
  auto median = [](std::vector<Latency> v, double Latency::*field) {
    std::sort(v.begin(), v.end(),
              [field](const Latency& a, const Latency& c) { return a.*field < c.*field; });
    return v[v.size() / 2].*field;
  };
  const double plain_p50 = median(p, &Latency::p50_us);
  std::printf("unary GetPnl round trip, %d calls each (median of 3 interleaved rounds):\n", calls);
  std::printf("  plaintext          p50 %7.1f us  p99 %7.1f us\n", plain_p50,
              median(p, &Latency::p99_us));
  std::printf("  mutual TLS (cert)  p50 %7.1f us  p99 %7.1f us  p50 ratio %.2fx\n",
              median(m, &Latency::p50_us), median(m, &Latency::p99_us),
              median(m, &Latency::p50_us) / plain_p50);
  std::printf("  TLS + bearer token p50 %7.1f us  p99 %7.1f us  p50 ratio %.2fx\n",
              median(b, &Latency::p50_us), median(b, &Latency::p99_us),
              median(b, &Latency::p50_us) / plain_p50);
  std::printf("  UDS + process token p50 %6.1f us  p99 %7.1f us  p50 ratio %.2fx\n",
              median(u, &Latency::p50_us), median(u, &Latency::p99_us),
              median(u, &Latency::p50_us) / plain_p50);
  ShutdownServer(plain_server->server.get());
  ShutdownServer(tls_server->server.get());
  std::filesystem::remove_all(dir);
  return 0;
}

}  // namespace
}  // namespace gridpilot

int main(int argc, char** argv) {
  int calls = 20000;
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::strcmp(argv[i], "--calls") == 0) calls = std::atoi(argv[i + 1]);
  }
  if (calls < 300) {
    std::fprintf(stderr, "--calls must be at least 300\n");
    return 2;
  }
  return gridpilot::Run(calls);
}
