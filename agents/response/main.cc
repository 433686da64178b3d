// gridpilot-response: the response agent. Follows the gateway's ticks, counters
// ramps beyond the limit (measured, and forecast via gridpilot-forecast) with resilience
// proposals for the battery and the peaker, and serves ResponseService.
#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/synchronization/mutex.h"
#include "agents/common/agent_process.h"
#include "agents/response/response_agent.h"
#include "agents/response/response_metrics.h"
#include "agents/response/response_service.h"
#include "core/base/logging.h"
#include "services/common/audit_reporter.h"
#include "services/common/credentials_flag.h"
#include "services/common/flag_help.h"
#include "services/common/grpc_poll_strategy.h"
#include "services/common/server_runner.h"
#include "services/common/shutdown_signal.h"

ABSL_FLAG(std::string, forecast, "",
          "forecast service address host:port; empty = measured data only");
ABSL_FLAG(double, forecast_wait_seconds, 5.0, "longest wait for one forecast");

int main(int argc, char** argv) {
  using namespace gridpilot;
  // Abseil's lock-order checking costs every lock, gRPC's included; the tests keep it
  // (docs/decisions.md, "Per-tick CPU outside the hand-off").
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  SelectGrpcPollStrategy();  // before any gRPC object
  BlockShutdownSignals();
  HandleHelpFlag(argc, argv,
                 "gridpilot-response --gateway HOST:PORT [--forecast HOST:PORT] [flags]\n"
                 "The response agent: follows the gateway's ticks, counters ramps beyond the "
                 "grid's limit\n(measured, and forecast by gridpilot-forecast) with resilience "
                 "proposals for the battery\nand the peaker, and serves ResponseService.");
  absl::ParseCommandLine(argc, argv);
  if (!gridpilot::InstallCredentialsFromFlag("response")) return 2;
  base::SetLogTag("response");
  std::unique_ptr<GrpcChangeForecastSource> forecasts;
  if (!absl::GetFlag(FLAGS_forecast).empty()) {
    forecasts = std::make_unique<GrpcChangeForecastSource>(
        absl::GetFlag(FLAGS_forecast), absl::Seconds(absl::GetFlag(FLAGS_forecast_wait_seconds)));
  }
  const AgentProcessOptions options = AgentProcessOptionsFromFlags(ResponseAgent::kAgentName);
  // Threshold changes and refused calls go to the gateway's audit log.
  AuditReporter audit("response", MakeChannel(options.gateway_address));
  security::SetRefusalObserver(&audit);
  ResponseAgent agent(forecasts.get());
  ResponseServiceImpl service(&agent, &audit);
  const int exit_code = RunAgentProcess(options, &agent, &service, MakeResponseCollector(&agent));
  security::SetRefusalObserver(nullptr);
  return exit_code;
}
