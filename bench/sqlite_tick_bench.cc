// sqlite_tick_bench: what the SQLite store costs per lock-step tick, with the record calls
// of an average tick (bench/store_tick_workload.h; commit every 256 records, as the gateway
// opens it), in wall time and this process's CPU: the store alone, and behind the
// gateway's MeteredStore (its Prometheus counters), alternated over fresh files.
//
// Usage: sqlite_tick_bench [DIR] [TICKS] [ROUNDS]
// DIR defaults to /tmp (a file per run, removed after), TICKS to 17520 (a year of
// half-hours), ROUNDS to 3.
#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "bench/store_tick_workload.h"
#include "prometheus/registry.h"
#include "services/gateway/metered_store.h"
#include "services/gateway/sqlite_store.h"

namespace gridpilot {
namespace {

double CpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& t) { return t.tv_sec + t.tv_usec / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

// One run into a fresh file; false (and a message) on an error.
bool RunOnce(const std::string& path, int ticks, bool metered) {
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  absl::StatusOr<std::unique_ptr<SqliteStore>> sqlite = SqliteStore::Open(path);
  if (!sqlite.ok()) {
    std::fprintf(stderr, "%s\n", std::string(sqlite.status().message()).c_str());
    return false;
  }
  prometheus::Registry registry;
  MeteredStore metered_store(sqlite->get(), &registry);
  Store& store = metered ? static_cast<Store&>(metered_store) : **sqlite;
  const absl::Time from = absl::FromUnixSeconds(1672531200);  // 2023-01-01T00:00:00Z
  absl::Status status = store.BeginRun(from, from + ticks * absl::Minutes(30), "{}");
  const double cpu_before = CpuSeconds();
  const absl::Time began = absl::Now();
  if (status.ok()) status = WriteAverageTicks(store, from, ticks);
  const double seconds = absl::ToDoubleSeconds(absl::Now() - began);
  const double cpu = CpuSeconds() - cpu_before;
  if (!status.ok()) {
    std::fprintf(stderr, "%s\n", std::string(status.message()).c_str());
    return false;
  }
  std::printf("  %-22s %d ticks: wall %.3f s = %.1f us a tick, CPU %.3f s = %.1f us a tick\n",
              metered ? "MeteredStore(SQLite)" : "SqliteStore", ticks, seconds,
              1e6 * seconds / ticks, cpu, 1e6 * cpu / ticks);
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  return true;
}

int Main(int argc, char** argv) {
  const std::string dir = argc > 1 ? argv[1] : "/tmp";
  const int ticks = argc > 2 ? std::atoi(argv[2]) : 17520;
  const int rounds = argc > 3 ? std::atoi(argv[3]) : 3;
  if (ticks <= 0 || ticks > 1'000'000 || rounds <= 0 || rounds > 100) {
    std::fprintf(stderr, "usage: sqlite_tick_bench [DIR] [TICKS 1..1000000] [ROUNDS 1..100]\n");
    return 2;
  }
  const std::string path = dir + "/sqlite_tick_bench-" + std::to_string(getpid()) + ".sqlite";
  for (int round = 0; round < rounds; ++round) {
    if (!RunOnce(path, ticks, /*metered=*/false) || !RunOnce(path, ticks, /*metered=*/true)) {
      return 1;
    }
  }
  return 0;
}

}  // namespace
}  // namespace gridpilot

int main(int argc, char** argv) { return gridpilot::Main(argc, argv); }
