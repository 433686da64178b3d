// Integration test of the gateway as docker-compose runs it (no launcher): started with
// --start_when_agents=2 it waits until two agents have registered and then starts its own
// clock; its Prometheus endpoint (--metrics_port=0, --metrics_port_file) reports the run's
// state as it changes. The real binary, talked to over gRPC and HTTP.
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gridpilot/v1/clock.grpc.pb.h"
#include "gtest/gtest.h"
#include "services/cli/child_process.h"
#include "services/common/server_runner.h"
#include "tests/integration/grpc_call.h"
#include "tests/integration/http_get.h"
#include "tests/integration/test_env.h"

namespace gridpilot {
namespace {

// Hang detectors, not speed assertions.
constexpr absl::Duration kStartTimeout = absl::Seconds(60);
constexpr absl::Duration kStateTimeout = absl::Seconds(30);
constexpr absl::Duration kRpcTimeout = absl::Seconds(10);

// The Prometheus endpoint's answer to GET /metrics.
std::string Scrape(int port) { return testing::HttpGet(port, "/metrics"); }

v1::RunState State(v1::ClockService::Stub* clock) {
  v1::GetClockStatusResponse status;
  EXPECT_TRUE(
      testing::UnaryCall(*clock, &v1::ClockService::Stub::GetClockStatus, {}, &status, kRpcTimeout)
          .ok());
  return status.state();
}

void Register(v1::ClockService::Stub* clock, const std::string& agent) {
  v1::RegisterAgentRequest request;
  request.set_agent(agent);
  v1::RegisterAgentResponse response;
  ASSERT_TRUE(testing::UnaryCall(*clock, &v1::ClockService::Stub::RegisterAgent, request, &response,
                                 kRpcTimeout)
                  .ok());
}

TEST(GatewayAutostartTest, StartsItsClockOnceTwoAgentsRegisterAndMetricsSayWhen) {
  const std::string dir = testing::MakeTempDir("gateway_autostart");
  ASSERT_FALSE(dir.empty());
  absl::StatusOr<ChildProcess> gateway = ChildProcess::Start(
      "gateway", testing::BinaryPath("gridpilot-gateway"),
      {"--from=2023-06-01", "--to=2023-06-01", "--start_when_agents=2", "--port=0", "--insecure",
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
  auto clock = v1::ClockService::NewStub(MakeChannel(testing::LoopbackAddress(*port)));

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
