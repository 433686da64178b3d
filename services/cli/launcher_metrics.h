// LauncherMetrics: the launcher's own Prometheus endpoint, next to its children's. It
// counts the supervisor's restarts as gridpilot_process_restarts_total{process="trader"}
// and processes given up as gridpilot_process_given_up{process=...} (0 or 1), and writes
// its port to RUN_DIR/launcher.metrics.port as the children write theirs.
#ifndef GRIDPILOT_SERVICES_CLI_LAUNCHER_METRICS_H_
#define GRIDPILOT_SERVICES_CLI_LAUNCHER_METRICS_H_

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "services/common/metrics_server.h"

namespace gridpilot {

class LauncherMetrics {
 public:
  // Serves on a free loopback port, written to RUN_DIR/launcher.metrics.port.
  // Unavailable if it cannot bind or write the file.
  static absl::StatusOr<std::unique_ptr<LauncherMetrics>> Start(const std::string& run_dir);

  void CountRestart(const std::string& process);
  void GivenUp(const std::string& process);

 private:
  LauncherMetrics();

  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Family<prometheus::Counter>& restarts_;
  prometheus::Family<prometheus::Gauge>& given_up_;
  std::unique_ptr<MetricsServer> server_;
};

}  // namespace gridpilot

#endif  // GRIDPILOT_SERVICES_CLI_LAUNCHER_METRICS_H_
