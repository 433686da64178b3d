// gridpilot-response: the response agent. Follows the gateway's ticks, counters
// ramps beyond the limit (measured, and forecast via gridpilot-forecast) with resilience
// proposals for the battery and the peaker, and serves ResponseService.
#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "agents/common/agent_process.h"
#include "agents/response/response_agent.h"
#include "agents/response/response_metrics.h"
#include "agents/response/response_service.h"
#include "core/base/logging.h"
#include "services/common/flag_help.h"
#include "services/common/shutdown_signal.h"

ABSL_FLAG(std::string, gateway, "", "gateway address host:port (required)");
ABSL_FLAG(std::string, forecast, "",
          "forecast service address host:port; empty = measured data only");
ABSL_FLAG(double, forecast_wait_seconds, 5.0, "longest wait for one forecast");
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
                 "gridpilot-response --gateway HOST:PORT [--forecast HOST:PORT] [flags]\n"
                 "The response agent: follows the gateway's ticks, counters ramps beyond the "
                 "grid's limit\n(measured, and forecast by gridpilot-forecast) with resilience "
                 "proposals for the battery\nand the peaker, and serves ResponseService.");
  absl::ParseCommandLine(argc, argv);
  base::SetLogTag("response");
  std::unique_ptr<GrpcChangeForecastSource> forecasts;
  if (!absl::GetFlag(FLAGS_forecast).empty()) {
    forecasts = std::make_unique<GrpcChangeForecastSource>(
        absl::GetFlag(FLAGS_forecast), absl::Seconds(absl::GetFlag(FLAGS_forecast_wait_seconds)));
  }
  ResponseAgent agent(forecasts.get());
  ResponseServiceImpl service(&agent);
  return RunAgentProcess(
      {ResponseAgent::kAgentName, absl::GetFlag(FLAGS_gateway), absl::GetFlag(FLAGS_host),
       absl::GetFlag(FLAGS_port), absl::GetFlag(FLAGS_port_file), absl::GetFlag(FLAGS_metrics_port),
       absl::GetFlag(FLAGS_metrics_port_file)},
      &agent, &service, MakeResponseCollector(&agent));
}
