// ProcessCollector: the process's own cost, under Prometheus's conventional names
// (process_cpu_seconds_total, process_resident_memory_bytes, process_start_time_seconds),
// read from getrusage and /proc at scrape time. Lets an operator see what the metrics and
// everything else cost per process.
#ifndef GRIDPILOT_SERVICES_COMMON_PROCESS_COLLECTOR_H_
#define GRIDPILOT_SERVICES_COMMON_PROCESS_COLLECTOR_H_

#include <vector>

#include "absl/time/time.h"
#include "prometheus/collectable.h"

namespace gridpilot {

class ProcessCollector : public prometheus::Collectable {
 public:
  ProcessCollector();  // remembers the start time (wall clock: a metric, never a decision)
  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  const absl::Time started_;
};

}  // namespace gridpilot

#endif  // GRIDPILOT_SERVICES_COMMON_PROCESS_COLLECTOR_H_
