// The command-line flags every agent process shares, defined here once.
#include <string>

#include "absl/flags/flag.h"
#include "agents/common/agent_process.h"

ABSL_FLAG(std::string, gateway, "", "gateway address host:port (required)");
ABSL_FLAG(std::string, host, "127.0.0.1", "listen address");
ABSL_FLAG(int, port, 0, "listen port; 0 = any free port");
ABSL_FLAG(std::string, port_file, "", "write the bound port here");
ABSL_FLAG(int, metrics_port, gridpilot::kMetricsPortOff,
          "Prometheus /metrics port; 0 = any free port; -1 (default) = no metrics endpoint");
ABSL_FLAG(std::string, metrics_port_file, "", "write the bound metrics port here");

namespace gridpilot {

AgentProcessOptions AgentProcessOptionsFromFlags(const std::string& agent_name) {
  return {agent_name,
          absl::GetFlag(FLAGS_gateway),
          absl::GetFlag(FLAGS_host),
          absl::GetFlag(FLAGS_port),
          absl::GetFlag(FLAGS_port_file),
          absl::GetFlag(FLAGS_metrics_port),
          absl::GetFlag(FLAGS_metrics_port_file)};
}

}  // namespace gridpilot
