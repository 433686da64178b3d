// MetricsServer: the Prometheus endpoint every gridpilot process serves next to its gRPC
// server. It serves the text exposition format at http://host:port/metrics, binds the
// requested port (0 = any free port) and, like StartGrpcServer, can write the bound port
// to a port file so a launcher or a test finds it without fixed ports.
//
// Processes keep their own state free of Prometheus: they register collectables (a
// prometheus::Registry of counters and histogram they update at their edges, or a
// SnapshotCollector that reads their state at scrape time). Every server also exports the
// process's CPU time, resident memory and start time (process_collector.h).
#ifndef GRIDPILOT_SERVICES_COMMON_METRICS_SERVER_H_
#define GRIDPILOT_SERVICES_COMMON_METRICS_SERVER_H_

#include <memory>

#include <prometheus/registry.h>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "prometheus/collectable.h"
#include "prometheus/exposer.h"

namespace gridpilot {

// A --metrics_port value that turns the endpoint off (the processes' default: a process
// started by hand opens no extra port unless asked; the launcher always asks).
inline constexpr int kMetricsPortOff = -1;

class MetricsServer {
 public:
  // Starts serving on `host:port` (port 0 = any free port). If `port_file` is non-empty
  // the bound port is written to it atomically. Unavailable if the port cannot be bound
  // or the file written. InvalidArgument for a port outside [0, 65535].
  static absl::StatusOr<std::unique_ptr<MetricsServer>> Start(const std::string& host, int port,
                                                              const std::string& port_file);

  // The process's metrics server as its flags ask: nullptr when `port` is
  // kMetricsPortOff, else Start(host, port, port_file) serving `registry` (and logging the
  // port). Errors as Start.
  static absl::StatusOr<std::unique_ptr<MetricsServer>> StartUnlessOff(
      const std::string& host, int port, const std::string& port_file,
      const std::shared_ptr<prometheus::Registry>& registry);

  // Adds `collectable` to what /metrics serves. The server holds it weakly: the caller
  // keeps it alive for as long as it should be served. Thread-safe; may be called at any
  // time, e.g. once state that only exists after start-up is ready.
  void Register(const std::shared_ptr<prometheus::Collectable>& collectable);

  int port() const { return port_; }

 private:
  MetricsServer(std::unique_ptr<prometheus::Exposer> exposer, int port);

  std::unique_ptr<prometheus::Exposer> exposer_;
  int port_;
  std::vector<std::shared_ptr<prometheus::Collectable>> owned_;  // the process collector
};

}  // namespace gridpilot

#endif  // GRIDPILOT_SERVICES_COMMON_METRICS_SERVER_H_
