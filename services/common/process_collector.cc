#include "services/common/process_collector.h"

#include <sys/resource.h>
#include <unistd.h>

#include <fstream>

#include "absl/time/clock.h"
#include "services/common/metric_snapshot.h"

namespace gridpilot {
namespace {

double Seconds(const timeval& t) { return t.tv_sec + t.tv_usec / 1e6; }

}  // namespace

ProcessCollector::ProcessCollector() : started_(absl::Now()) {}

std::vector<prometheus::MetricFamily> ProcessCollector::Collect() const {
  std::vector<prometheus::MetricFamily> out;
  rusage usage{};
  if (getrusage(RUSAGE_SELF, &usage) == 0) {
    out.push_back(SnapshotFamily::Counter("process_cpu_seconds_total",
                                          "User and system CPU time of this process, s")
                      .Add(Seconds(usage.ru_utime) + Seconds(usage.ru_stime))
                      .Take());
  }
  // /proc/self/statm: size and resident set, in pages.
  std::ifstream statm("/proc/self/statm");
  long size_pages = 0, resident_pages = 0;
  if (statm >> size_pages >> resident_pages) {
    out.push_back(SnapshotFamily::Gauge("process_resident_memory_bytes",
                                        "Resident memory of this process, bytes")
                      .Add(static_cast<double>(resident_pages) * sysconf(_SC_PAGESIZE))
                      .Take());
  }
  out.push_back(
      SnapshotFamily::Gauge("process_start_time_seconds", "When this process started, Unix seconds")
          .Add(absl::ToDoubleSeconds(started_ - absl::UnixEpoch()))
          .Take());
  return out;
}

}  // namespace gridpilot
