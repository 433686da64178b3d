// gridpilot-trader: the arbitrage trader. Follows the gateway's ticks, re-plans the
// battery every interval from its own price forecast, proposes trading setpoints, and
// serves TraderService.
#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "agents/arbitrage_trader/trader_agent.h"
#include "agents/arbitrage_trader/trader_service.h"
#include "agents/common/agent_process.h"
#include "core/logging.h"
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
  TraderAgent agent;
  TraderServiceImpl service(&agent);
  return RunAgentProcess({TraderAgent::kAgentName, absl::GetFlag(FLAGS_gateway),
                          absl::GetFlag(FLAGS_host), absl::GetFlag(FLAGS_port),
                          absl::GetFlag(FLAGS_port_file)},
                         &agent, &service);
}
