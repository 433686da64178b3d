// gridpilot-trader: the arbitrage trader. Follows the gateway's ticks, re-plans the
// battery every interval from its own price forecast, proposes trading setpoints, and
// serves TraderService. With --forecast it asks the anomaly detectors' verdict on each
// tick and keeps its last trusted plan on suspect telemetry.
#include <memory>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "agents/common/agent_process.h"
#include "agents/trader/trader_agent.h"
#include "agents/trader/trader_metrics.h"
#include "agents/trader/trader_service.h"
#include "core/base/logging.h"
#include "core/market/price_risk.h"
#include "services/common/audit_reporter.h"
#include "services/common/credentials_flag.h"
#include "services/common/flag_help.h"
#include "services/common/grpc_poll_strategy.h"
#include "services/common/server_runner.h"
#include "services/common/shutdown_signal.h"

ABSL_FLAG(std::string, forecast, "",
          "forecast service address host:port, for the anomaly verdict on each tick; "
          "empty = plan without verdicts");
ABSL_FLAG(double, risk_aversion, 0.0,
          "risk settings, in [0, 1]: 0 plans on the price forecast alone; a > 0 values each "
          "MWh charged at forecast + a x its 90% interval's half-width and each MWh "
          "discharged at forecast - a x half-width");
ABSL_FLAG(double, verdict_wait_seconds, 5.0, "longest wait for one verdict");

int main(int argc, char** argv) {
  using namespace gridpilot;
  // Abseil's lock-order checking costs every lock, gRPC's included; the tests keep it
  // (docs/decisions.md, "Per-tick CPU outside the hand-off").
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  SelectGrpcPollStrategy();  // before any gRPC object
  BlockShutdownSignals();
  HandleHelpFlag(argc, argv,
                 "gridpilot-trader --gateway HOST:PORT [--forecast HOST:PORT] [flags]\n"
                 "The arbitrage trader: follows the gateway's ticks, re-plans the battery every "
                 "interval\nfrom its own price forecast, proposes trading setpoints and serves "
                 "TraderService.\nWith --forecast it keeps its last trusted plan on ticks the "
                 "anomaly detectors judge suspect.");
  absl::ParseCommandLine(argc, argv);
  if (!gridpilot::InstallCredentialsFromFlag("trader")) return 2;
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
  const AgentProcessOptions options = AgentProcessOptionsFromFlags(TraderAgent::kAgentName);
  // Refused calls go to the gateway's audit log.
  AuditReporter audit("trader", MakeChannel(options.gateway_address));
  security::SetRefusalObserver(&audit);
  TraderAgent agent(verdicts.get(), risk_aversion);
  TraderServiceImpl service(&agent);
  const int exit_code = RunAgentProcess(options, &agent, &service, MakeTraderCollector(&agent));
  security::SetRefusalObserver(nullptr);
  return exit_code;
}
