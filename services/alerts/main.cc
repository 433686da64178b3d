// gridpilot-alerter: follows a running gridpilot stack and sends alerts to a webhook and by
// e-mail as the `alerts` section of the config says (README.md, "Alerts"). Serves the
// standard gRPC health service (so a launcher finds it like the other processes) and, if
// asked, Prometheus metrics of what it sent.
#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "core/base/logging.h"
#include "gridpilot/v1/clock.grpc.pb.h"
#include "services/alerts/alert_config.h"
#include "services/alerts/alerter.h"
#include "services/alerts/alerter_metrics.h"
#include "services/alerts/smtp_sink.h"
#include "services/alerts/webhook_sink.h"
#include "services/common/credentials_flag.h"
#include "services/common/flag_help.h"
#include "services/common/metrics_server.h"
#include "services/common/server_runner.h"
#include "services/common/shutdown_signal.h"
#include "services/console/stack_addresses.h"

ABSL_FLAG(std::string, config, "", "config file with an \"alerts\" section (required)");
ABSL_FLAG(std::string, run_dir, "", "run directory of `gridpilot up|backtest` (its *.port files)");
ABSL_FLAG(std::string, gateway, "", "gateway host:port (overrides --run_dir)");
ABSL_FLAG(std::string, forecast, "", "forecast host:port (overrides --run_dir)");
ABSL_FLAG(std::string, response, "", "response agent host:port (overrides --run_dir)");
ABSL_FLAG(std::string, trader, "", "trader host:port (overrides --run_dir)");
ABSL_FLAG(std::string, supervisor_file, "",
          "the launcher's supervisor report; default RUN_DIR/supervisor.json");
ABSL_FLAG(std::string, status_file, "",
          "where the alert and delivery counts are written (JSON); default RUN_DIR/alerter.json");
ABSL_FLAG(double, drain_seconds, 10.0, "at the end, how long queued alerts may still be sent");
ABSL_FLAG(bool, linger_after_run, false,
          "backtest: after the run finished and the alerts were sent, wait for SIGTERM "
          "instead of exiting (for a launcher that counts an exited child as a failure)");
ABSL_FLAG(double, stale_check_seconds, 1.0, "live mode: how often stale data is checked");
ABSL_FLAG(std::string, host, "127.0.0.1", "listen address (gRPC health, metrics)");
ABSL_FLAG(int, port, 0, "gRPC health port; 0 = any free port");
ABSL_FLAG(std::string, port_file, "", "write the bound port here");
ABSL_FLAG(int, metrics_port, gridpilot::kMetricsPortOff,
          "Prometheus /metrics port; 0 = any free port; -1 (default) = no metrics endpoint");
ABSL_FLAG(std::string, metrics_port_file, "", "write the bound metrics port here");

namespace gridpilot {
namespace {

constexpr absl::Duration kRpcTimeout = absl::Seconds(5);
constexpr absl::Duration kGatewayWait = absl::Seconds(60);

// The gateway's clock mode, waiting for the gateway to answer; nullopt on a shutdown
// signal or after kGatewayWait.
std::optional<v1::ClockMode> WaitForClockMode(const std::shared_ptr<grpc::Channel>& gateway) {
  auto clock = v1::ClockService::NewStub(gateway);
  const absl::Time give_up = absl::Now() + kGatewayWait;
  while (absl::Now() < give_up) {
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + kRpcTimeout));
    v1::GetClockStatusResponse status;
    if (clock->GetClockStatus(&context, {}, &status).ok()) return status.mode();
    if (WaitForShutdownSignalFor(200) != 0) return std::nullopt;
  }
  return std::nullopt;
}

int Main() {
  base::SetLogTag("alerter");
  const std::string config_path = absl::GetFlag(FLAGS_config);
  if (config_path.empty()) {
    base::LogError("--config is required (a file with an \"alerts\" section)");
    return 2;
  }
  absl::StatusOr<AlertsConfig> config = LoadAlertsConfig(config_path);
  if (!config.ok()) {
    base::LogError(config.status().message());
    return 2;
  }
  absl::StatusOr<alerts::AlertEvaluator> evaluator = alerts::AlertEvaluator::Create(config->rules);
  if (!evaluator.ok()) {
    base::LogError(absl::StrCat(config_path, ": ", evaluator.status().message()));
    return 2;
  }
  const std::string run_dir = absl::GetFlag(FLAGS_run_dir);
  absl::StatusOr<StackAddresses> resolved =
      ResolveStackAddresses(run_dir, {absl::GetFlag(FLAGS_gateway), absl::GetFlag(FLAGS_forecast),
                                      absl::GetFlag(FLAGS_response), absl::GetFlag(FLAGS_trader)});
  if (!resolved.ok()) {
    base::LogError(resolved.status().message());
    return 2;
  }

  std::vector<std::unique_ptr<DeliveryQueue>> sinks;
  if (config->webhook) {
    absl::StatusOr<std::unique_ptr<WebhookSink>> webhook =
        WebhookSink::Create(config->webhook->url, config->webhook->delivery.timeout);
    if (!webhook.ok()) {
      base::LogError(
          absl::StrCat(config_path, ": alerts.webhook.url: ", webhook.status().message()));
      return 2;
    }
    sinks.push_back(std::make_unique<DeliveryQueue>(*std::move(webhook),
                                                    config->webhook->delivery.retry,
                                                    config->webhook->delivery.queue_capacity));
  }
  if (config->email) {
    const DeliveryConfig delivery = config->email->delivery;
    sinks.push_back(std::make_unique<DeliveryQueue>(std::make_unique<SmtpSink>(*config->email),
                                                    delivery.retry, delivery.queue_capacity));
  }
  if (sinks.empty())
    base::LogWarning(absl::StrCat(config_path,
                                  ": no webhook and no email: "
                                  "alerts are only logged"));

  absl::StatusOr<RunningServer> server = StartGrpcServer(
      absl::GetFlag(FLAGS_host), absl::GetFlag(FLAGS_port), {}, absl::GetFlag(FLAGS_port_file));
  if (!server.ok()) {
    base::LogError(server.status().message());
    return 2;
  }
  auto registry = std::make_shared<prometheus::Registry>();
  absl::StatusOr<std::unique_ptr<MetricsServer>> metrics_server =
      MetricsServer::StartUnlessOff(absl::GetFlag(FLAGS_host), absl::GetFlag(FLAGS_metrics_port),
                                    absl::GetFlag(FLAGS_metrics_port_file), registry);
  if (!metrics_server.ok()) {
    base::LogError(metrics_server.status().message());
    return 2;
  }

  std::shared_ptr<grpc::Channel> gateway = MakeChannel(resolved->gateway);
  const std::optional<v1::ClockMode> mode = WaitForClockMode(gateway);
  if (!mode) {
    base::LogError(absl::StrCat("gateway ", resolved->gateway, " did not answer"));
    ShutdownServer(server->server.get());
    return 1;
  }
  std::string supervisor_file = absl::GetFlag(FLAGS_supervisor_file);
  if (supervisor_file.empty() && !run_dir.empty()) supervisor_file = run_dir + "/supervisor.json";
  AlerterOptions options;
  options.live = *mode == v1::CLOCK_MODE_LIVE;
  options.stale_check_period = absl::Seconds(absl::GetFlag(FLAGS_stale_check_seconds));
  options.status_file = absl::GetFlag(FLAGS_status_file);
  if (options.status_file.empty() && !run_dir.empty())
    options.status_file = run_dir + "/alerter.json";
  Alerter alerter(*std::move(evaluator),
                  std::make_unique<StackObserver>(*resolved, supervisor_file, kRpcTimeout),
                  std::move(sinks), gateway, options);
  std::shared_ptr<SnapshotCollector> metrics = MakeAlerterCollector(&alerter);
  if (*metrics_server != nullptr) (*metrics_server)->Register(metrics);
  server->server->GetHealthCheckService()->SetServingStatus(true);
  base::LogInfo(absl::StrCat("following ", resolved->gateway, " (",
                             options.live ? "live" : "backtest", "), ", config->rules.size(),
                             " rules"));

  std::atomic<bool> finished{false};
  std::thread follower([&] {
    alerter.Run();
    finished = true;
  });
  bool signalled = false;
  while (!finished) {
    if (WaitForShutdownSignalFor(100) != 0) {
      signalled = true;
      alerter.Stop();
      break;
    }
  }
  follower.join();
  alerter.Finish(absl::Seconds(absl::GetFlag(FLAGS_drain_seconds)));
  base::LogInfo(absl::StrCat("counts: ", alerter.CountsJson()));
  if (!signalled && absl::GetFlag(FLAGS_linger_after_run)) WaitForShutdownSignal();
  ShutdownServer(server->server.get());
  return 0;
}

}  // namespace
}  // namespace gridpilot

int main(int argc, char** argv) {
  gridpilot::BlockShutdownSignals();
  gridpilot::HandleHelpFlag(
      argc, argv,
      "gridpilot-alerter --config FILE (--run_dir DIR | --gateway ... --trader HOST:PORT)\n"
      "Follows a running stack and sends the alerts its config's \"alerts\" section asks for "
      "to a\nwebhook (JSON POST) and by e-mail (SMTP), deduplicated and rate-limited.");
  absl::ParseCommandLine(argc, argv);
  if (!gridpilot::InstallCredentialsFromFlag("alerter", absl::GetFlag(FLAGS_run_dir))) return 2;
  return gridpilot::Main();
}
