// The body of every agent's main(): serve the agent's own gRPC service (with health and
// reflection) on loopback, and Prometheus metrics if asked, register with the gateway,
// follow ticks until the run ends, and stop cleanly on SIGTERM / SIGINT.
#ifndef GRIDPILOT_AGENTS_COMMON_AGENT_PROCESS_H_
#define GRIDPILOT_AGENTS_COMMON_AGENT_PROCESS_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

#include "agents/common/agent_runtime.h"
#include "prometheus/collectable.h"
#include "services/common/metrics_server.h"

namespace gridpilot {

struct AgentProcessOptions {
  std::string agent_name;       // as registered with the gateway
  std::string gateway_address;  // host:port, required
  std::string host = "127.0.0.1";
  int port = 0;                        // 0 = any free port
  std::string port_file;               // where the bound port is written; may be empty
  int metrics_port = kMetricsPortOff;  // Prometheus /metrics; 0 = any free port
  std::string metrics_port_file;       // where the bound metrics port is written; may be empty
};

// The options every agent process takes from its command line: --gateway, --host, --port,
// --port_file, --metrics_port and --metrics_port_file (defined once, in
// agent_process_flags.cc). Call after absl::ParseCommandLine.
AgentProcessOptions AgentProcessOptionsFromFlags(const std::string& agent_name);

// Runs until a shutdown signal. Returns the process exit code (0 clean, 2 on a start-up
// error, which is logged). Call BlockShutdownSignals() first thing in main. With metrics
// on, /metrics serves the runtime's AgentMetrics and `agent_metrics` (the agent's own
// scrape-time state; may be null).
int RunAgentProcess(const AgentProcessOptions& options, TickAgent* agent, grpc::Service* service,
                    std::shared_ptr<prometheus::Collectable> agent_metrics = nullptr);

}  // namespace gridpilot

#endif  // GRIDPILOT_AGENTS_COMMON_AGENT_PROCESS_H_
