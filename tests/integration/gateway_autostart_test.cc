// Integration test of the gateway as docker-compose runs it (no launcher): started with
// --start_when_agents=2 it waits until two agents have registered and then starts its own
// clock; its Prometheus endpoint (--metrics_port=0, --metrics_port_file) reports the run's
// state as it changes. The real binary, talked to over gRPC and HTTP.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gridpilot/v1/clock.grpc.pb.h"
#include "gtest/gtest.h"
#include "services/cli/child_process.h"
#include "services/common/server_runner.h"

namespace gridpilot {
namespace {

// Hang detectors, not speed assertions.
constexpr absl::Duration kStartTimeout = absl::Seconds(60);
constexpr absl::Duration kStateTimeout = absl::Seconds(30);

// The body of GET /metrics from 127.0.0.1:port.
std::string Scrape(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string response;
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0) {
    const std::string request = "GET /metrics HTTP/1.0\r\nConnection: close\r\n\r\n";
    if (write(fd, request.data(), request.size()) == static_cast<ssize_t>(request.size())) {
      char buffer[8192];
      ssize_t n;
      while ((n = read(fd, buffer, sizeof(buffer))) > 0) response.append(buffer, n);
    }
  }
  close(fd);
  return response;
}

v1::RunState State(v1::ClockService::Stub* clock) {
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
  v1::GetClockStatusResponse status;
  EXPECT_TRUE(clock->GetClockStatus(&context, {}, &status).ok());
  return status.state();
}

void Register(v1::ClockService::Stub* clock, const std::string& agent) {
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
  v1::RegisterAgentRequest request;
  request.set_agent(agent);
  v1::RegisterAgentResponse response;
  ASSERT_TRUE(clock->RegisterAgent(&context, request, &response).ok());
}

TEST(GatewayAutostartTest, StartsItsClockOnceTwoAgentsRegisterAndMetricsSayWhen) {
  std::string dir = ::testing::TempDir() + "gateway_autostart_XXXXXX";
  ASSERT_NE(mkdtemp(dir.data()), nullptr);
  const std::string bin = std::string(std::getenv("GRIDPILOT_BIN_DIR")) + "/gridpilot-gateway";
  absl::StatusOr<ChildProcess> gateway = ChildProcess::Start(
      "gateway", bin,
      {"--from=2023-06-01", "--to=2023-06-01", "--start_when_agents=2", "--port=0",
       absl::StrCat("--port_file=", dir, "/gateway.port"), "--metrics_port=0",
       absl::StrCat("--metrics_port_file=", dir, "/gateway.metrics.port"),
       absl::StrCat("--store=", dir, "/store.sqlite")},
      dir + "/gateway.log");
  ASSERT_TRUE(gateway.ok()) << gateway.status();
  absl::StatusOr<int> port = gateway->WaitForPort(dir + "/gateway.port", kStartTimeout);
  ASSERT_TRUE(port.ok()) << port.status() << "\n" << gateway->LogTail(20);
  absl::StatusOr<int> metrics_port =
      gateway->WaitForPort(dir + "/gateway.metrics.port", kStartTimeout);
  ASSERT_TRUE(metrics_port.ok()) << metrics_port.status();
  auto clock = v1::ClockService::NewStub(MakeChannel(absl::StrCat("127.0.0.1:", *port)));

  EXPECT_NE(Scrape(*metrics_port).find("gridpilot_run_state{state=\"waiting\"} 1"),
            std::string::npos);
  Register(clock.get(), "first");
  // One agent is not enough: the gateway polls every 100 ms, so give it several polls.
  absl::SleepFor(absl::Milliseconds(500));
  EXPECT_EQ(State(clock.get()), v1::RUN_STATE_WAITING);

  Register(clock.get(), "second");
  const absl::Time give_up = absl::Now() + kStateTimeout;
  while (State(clock.get()) == v1::RUN_STATE_WAITING && absl::Now() < give_up) {
    absl::SleepFor(absl::Milliseconds(50));
  }
  EXPECT_NE(State(clock.get()), v1::RUN_STATE_WAITING) << gateway->LogTail(20);
  const std::string metrics = Scrape(*metrics_port);
  EXPECT_NE(metrics.find("gridpilot_run_state{state=\"waiting\"} 0"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("gridpilot_agents_registered 2"), std::string::npos) << metrics;
  // A second Start is refused: the clock was started by the gateway itself.
  grpc::ClientContext context;
  v1::StartResponse started;
  EXPECT_EQ(clock->Start(&context, {}, &started).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_TRUE(gateway->Stop(absl::Seconds(10)));
}

}  // namespace
}  // namespace gridpilot
