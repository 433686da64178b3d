// gridpilot-trader: the arbitrage trader. Follows the gateway's ticks, re-plans the
// battery every interval from its own price forecast, proposes trading setpoints, and
// serves TraderService.
#include <thread>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "agents/arbitrage_trader/trader_agent.h"
#include "agents/arbitrage_trader/trader_service.h"
#include "core/logging.h"
#include "services/common/server_runner.h"
#include "services/common/shutdown_signal.h"

ABSL_FLAG(std::string, gateway, "", "gateway address host:port (required)");
ABSL_FLAG(std::string, host, "127.0.0.1", "listen address");
ABSL_FLAG(int, port, 0, "listen port; 0 = any free port");
ABSL_FLAG(std::string, port_file, "", "write the bound port here");

int main(int argc, char** argv) {
  using namespace gridpilot;
  BlockShutdownSignals();
  absl::ParseCommandLine(argc, argv);
  SetLogTag("trader");
  if (absl::GetFlag(FLAGS_gateway).empty()) {
    LogError("--gateway is required");
    return 2;
  }
  TraderAgent agent;
  TraderServiceImpl service(&agent);
  absl::StatusOr<RunningServer> server = StartGrpcServer(
      absl::GetFlag(FLAGS_host), absl::GetFlag(FLAGS_port), {&service},
      absl::GetFlag(FLAGS_port_file));
  if (!server.ok()) {
    LogError(server.status().message());
    return 2;
  }
  AgentRuntime runtime(TraderAgent::kAgentName, absl::GetFlag(FLAGS_gateway), &agent);
  absl::Status registered = runtime.Register(absl::Seconds(30));
  if (!registered.ok()) {
    LogError(registered.message());
    return 2;
  }
  std::thread ticks([&runtime] { runtime.Run(); });
  WaitForShutdownSignal();
  LogCpuUsage();
  runtime.Stop();
  ticks.join();
  server->server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
  return 0;
}
