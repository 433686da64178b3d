#include "agents/common/agent_process.h"

#include <thread>

#include "absl/strings/str_cat.h"
#include "core/base/logging.h"
#include "services/common/rpc_metrics_interceptor.h"
#include "services/common/server_runner.h"
#include "services/common/shutdown_signal.h"

namespace gridpilot {

int RunAgentProcess(const AgentProcessOptions& options, TickAgent* agent, grpc::Service* service,
                    std::shared_ptr<prometheus::Collectable> agent_metrics) {
  if (options.gateway_address.empty()) {
    base::LogError("--gateway is required");
    return 2;
  }
  auto registry = std::make_shared<prometheus::Registry>();
  absl::StatusOr<RunningServer> server =
      StartGrpcServer(options.host, options.port, {service}, options.port_file,
                      RpcMetricsInterceptors(registry.get()));
  if (!server.ok()) {
    base::LogError(server.status().message());
    return 2;
  }
  AgentMetrics runtime_metrics(options.agent_name, registry.get());
  absl::StatusOr<std::unique_ptr<MetricsServer>> started = MetricsServer::StartUnlessOff(
      options.host, options.metrics_port, options.metrics_port_file, registry);
  if (!started.ok()) {
    base::LogError(started.status().message());
    return 2;
  }
  std::unique_ptr<MetricsServer> metrics = *std::move(started);
  if (metrics != nullptr && agent_metrics != nullptr) metrics->Register(agent_metrics);
  AgentRuntime runtime(options.agent_name, options.gateway_address, agent, &runtime_metrics);
  absl::Status registered = runtime.Register(absl::Seconds(30));
  if (!registered.ok()) {
    base::LogError(registered.message());
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
