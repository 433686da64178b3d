// Metrics read from a process's state at scrape time. Much of what operators watch
// (battery SoC, the ledger by cause, a running forecast error) already sits in thread-safe
// state a process keeps for its gRPC API; a SnapshotCollector turns a read of that state
// into metric families on each scrape, so the hot path pays nothing for it.
#ifndef GRIDPILOT_SERVICES_COMMON_METRIC_SNAPSHOT_H_
#define GRIDPILOT_SERVICES_COMMON_METRIC_SNAPSHOT_H_

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "prometheus/collectable.h"
#include "prometheus/metric_family.h"

namespace gridpilot {

using MetricLabels = std::vector<std::pair<std::string, std::string>>;

// One metric family being filled: a gauge or a counter (a counter's value must only ever
// grow for the process's lifetime; reading a monotonic total is how it is used here).
class SnapshotFamily {
 public:
  static SnapshotFamily Gauge(std::string name, std::string help);
  static SnapshotFamily Counter(std::string name, std::string help);

  // Adds one sample with `labels` (may be empty).
  SnapshotFamily& Add(const MetricLabels& labels, double value);
  SnapshotFamily& Add(double value) { return Add({}, value); }

  // Hands over the family; the builder is empty afterwards.
  prometheus::MetricFamily Take() { return std::move(family_); }

 private:
  explicit SnapshotFamily(prometheus::MetricFamily family) : family_(std::move(family)) {}
  prometheus::MetricFamily family_;
};

// A Collectable that calls `read` on every scrape (from the metrics server's thread);
// `read` must be thread-safe with respect to the state it reads and must not block long.
class SnapshotCollector : public prometheus::Collectable {
 public:
  using ReadFn = std::function<std::vector<prometheus::MetricFamily>()>;
  explicit SnapshotCollector(ReadFn read) : read_(std::move(read)) {}
  std::vector<prometheus::MetricFamily> Collect() const override { return read_(); }

 private:
  const ReadFn read_;
};

}  // namespace gridpilot

#endif  // GRIDPILOT_SERVICES_COMMON_METRIC_SNAPSHOT_H_
