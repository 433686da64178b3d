// gridpilot-trader: the arbitrage trader. Follows the gateway's ticks, re-plans the
// battery every interval from its own price forecast, proposes trading setpoints, and
// serves TraderService. With --forecast it asks the anomaly detectors' verdict on each
// tick and keeps its last trusted plan on suspect telemetry.
#include <memory>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "agents/common/agent_process.h"
#include "agents/trader/trader_agent.h"
#include "agents/trader/trader_metrics.h"
#include "agents/trader/trader_service.h"
#include "core/base/logging.h"
#include "core/market/price_risk.h"
#include "services/common/flag_help.h"
#include "services/common/shutdown_signal.h"

ABSL_FLAG(std::string, gateway, "", "gateway address host:port (required)");
ABSL_FLAG(std::string, forecast, "",
          "forecast service address host:port, for the anomaly verdict on each tick; "
          "empty = plan without verdicts");
ABSL_FLAG(double, risk_aversion, 0.0,
          "risk settings, in [0, 1]: 0 plans on the price forecast alone; a > 0 values each "
          "MWh charged at forecast + a x its 90% interval's half-width and each MWh "
          "discharged at forecast - a x half-width");
ABSL_FLAG(double, verdict_wait_seconds, 5.0, "longest wait for one verdict");
ABSL_FLAG(std::string, host, "127.0.0.1", "listen address");
ABSL_FLAG(int, port, 0, "listen port; 0 = any free port");
ABSL_FLAG(std::string, port_file, "", "write the bound port here");
ABSL_FLAG(int, metrics_port, gridpilot::kMetricsPortOff,
          "Prometheus /metrics port; 0 = any free port; -1 (default) = no metrics endpoint");
ABSL_FLAG(std::string, metrics_port_file, "", "write the bound metrics port here");

int main(int argc, char** argv) {
  using namespace gridpilot;
  BlockShutdownSignals();
  HandleHelpFlag(argc, argv,
                 "gridpilot-trader --gateway HOST:PORT [--forecast HOST:PORT] [flags]\n"
                 "The arbitrage trader: follows the gateway's ticks, re-plans the battery every "
                 "interval\nfrom its own price forecast, proposes trading setpoints and serves "
                 "TraderService.\nWith --forecast it keeps its last trusted plan on ticks the "
                 "anomaly detectors judge suspect.");
  absl::ParseCommandLine(argc, argv);
  base::SetLogTag("trader");
  const double risk_aversion = absl::GetFlag(FLAGS_risk_aversion);
  if (absl::Status valid = market::ValidateRiskAversion(risk_aversion); !valid.ok()) {
    base::LogError(absl::StrCat("--", valid.message()));
    return 2;
  }
  std::unique_ptr<GrpcTelemetryVerdictSource> verdicts;
  if (!absl::GetFlag(FLAGS_forecast).empty()) {
    verdicts = std::make_unique<GrpcTelemetryVerdictSource>(
        absl::GetFlag(FLAGS_forecast), absl::Seconds(absl::GetFlag(FLAGS_verdict_wait_seconds)));
  }
  TraderAgent agent(verdicts.get(), risk_aversion);
  TraderServiceImpl service(&agent);
  return RunAgentProcess(
      {TraderAgent::kAgentName, absl::GetFlag(FLAGS_gateway), absl::GetFlag(FLAGS_host),
       absl::GetFlag(FLAGS_port), absl::GetFlag(FLAGS_port_file), absl::GetFlag(FLAGS_metrics_port),
       absl::GetFlag(FLAGS_metrics_port_file)},
      &agent, &service, MakeTraderCollector(&agent));
}
