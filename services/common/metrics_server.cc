#include "services/common/metrics_server.h"

#include <exception>

#include "absl/strings/str_cat.h"
#include "core/base/logging.h"
#include "services/common/port_file.h"
#include "services/common/process_collector.h"

namespace gridpilot {

MetricsServer::MetricsServer(std::unique_ptr<prometheus::Exposer> exposer, int port)
    : exposer_(std::move(exposer)), port_(port) {
  owned_.push_back(std::make_shared<ProcessCollector>());
  exposer_->RegisterCollectable(owned_.back());
}

absl::StatusOr<std::unique_ptr<MetricsServer>> MetricsServer::Start(const std::string& host,
                                                                    int port,
                                                                    const std::string& port_file) {
  if (port < 0 || port > 65535) {
    return absl::InvalidArgumentError(absl::StrCat("metrics port ", port, " is not in 0..65535"));
  }
  const std::string address = absl::StrCat(host, ":", port);
  std::unique_ptr<prometheus::Exposer> exposer;
  // prometheus-cpp reports a failed bind by throwing; this is the one place it can.
  try {
    exposer = std::make_unique<prometheus::Exposer>(address, /*num_threads=*/1);
  } catch (const std::exception& e) {
    return absl::UnavailableError(
        absl::StrCat("cannot serve metrics on ", address, ": ", e.what()));
  }
  const std::vector<int> ports = exposer->GetListeningPorts();
  if (ports.empty() || ports.front() <= 0) {
    return absl::UnavailableError(absl::StrCat("metrics server on ", address, " has no port"));
  }
  if (!port_file.empty()) {
    absl::Status written = WritePortFile(port_file, ports.front());
    if (!written.ok()) return written;
  }
  return std::unique_ptr<MetricsServer>(new MetricsServer(std::move(exposer), ports.front()));
}

void MetricsServer::Register(const std::shared_ptr<prometheus::Collectable>& collectable) {
  exposer_->RegisterCollectable(collectable);
}

absl::StatusOr<std::unique_ptr<MetricsServer>> MetricsServer::StartUnlessOff(
    const std::string& host, int port, const std::string& port_file,
    const std::shared_ptr<prometheus::Registry>& registry) {
  if (port == kMetricsPortOff) return std::unique_ptr<MetricsServer>();
  absl::StatusOr<std::unique_ptr<MetricsServer>> started = Start(host, port, port_file);
  if (!started.ok()) return started.status();
  (*started)->Register(registry);
  base::LogInfo(absl::StrCat("metrics on port ", (*started)->port()));
  return started;
}

}  // namespace gridpilot
