#include "services/cli/launcher_metrics.h"

#include "absl/strings/str_cat.h"

namespace gridpilot {

LauncherMetrics::LauncherMetrics()
    : registry_(std::make_shared<prometheus::Registry>()),
      restarts_(prometheus::BuildCounter()
                    .Name("gridpilot_process_restarts_total")
                    .Help("Restarts of a child process by the launcher's supervisor")
                    .Register(*registry_)),
      given_up_(prometheus::BuildGauge()
                    .Name("gridpilot_process_given_up")
                    .Help("1 once the supervisor has given up restarting the process")
                    .Register(*registry_)) {}

absl::StatusOr<std::unique_ptr<LauncherMetrics>> LauncherMetrics::Start(
    const std::string& run_dir) {
  std::unique_ptr<LauncherMetrics> metrics(new LauncherMetrics());
  absl::StatusOr<std::unique_ptr<MetricsServer>> server = MetricsServer::StartUnlessOff(
      "127.0.0.1", 0, absl::StrCat(run_dir, "/launcher.metrics.port"), metrics->registry_);
  if (!server.ok()) return server.status();
  metrics->server_ = *std::move(server);
  return metrics;
}

void LauncherMetrics::CountRestart(const std::string& process) {
  restarts_.Add({{"process", process}}).Increment();
}

void LauncherMetrics::GivenUp(const std::string& process) {
  given_up_.Add({{"process", process}}).Set(1);
}

}  // namespace gridpilot
