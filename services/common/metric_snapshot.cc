#include "services/common/metric_snapshot.h"

namespace gridpilot {

SnapshotFamily SnapshotFamily::Gauge(std::string name, std::string help) {
  prometheus::MetricFamily family;
  family.name = std::move(name);
  family.help = std::move(help);
  family.type = prometheus::MetricType::Gauge;
  return SnapshotFamily(std::move(family));
}

SnapshotFamily SnapshotFamily::Counter(std::string name, std::string help) {
  prometheus::MetricFamily family;
  family.name = std::move(name);
  family.help = std::move(help);
  family.type = prometheus::MetricType::Counter;
  return SnapshotFamily(std::move(family));
}

SnapshotFamily& SnapshotFamily::Add(const MetricLabels& labels, double value) {
  prometheus::ClientMetric& metric = family_.metric.emplace_back();
  for (const auto& [name, label_value] : labels) metric.label.push_back({name, label_value});
  if (family_.type == prometheus::MetricType::Counter) {
    metric.counter.value = value;
  } else {
    metric.gauge.value = value;
  }
  return *this;
}

}  // namespace gridpilot
