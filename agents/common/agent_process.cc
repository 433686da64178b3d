#include "agents/common/agent_process.h"

#include <thread>

#include "core/logging.h"
#include "services/common/server_runner.h"
#include "services/common/shutdown_signal.h"

namespace gridpilot {

int RunAgentProcess(const AgentProcessOptions& options, TickAgent* agent,
                    grpc::Service* service) {
  if (options.gateway_address.empty()) {
    LogError("--gateway is required");
    return 2;
  }
  absl::StatusOr<RunningServer> server =
      StartGrpcServer(options.host, options.port, {service}, options.port_file);
  if (!server.ok()) {
    LogError(server.status().message());
    return 2;
  }
  AgentRuntime runtime(options.agent_name, options.gateway_address, agent);
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
  ShutdownServer(server->server.get());
  return 0;
}

}  // namespace gridpilot
