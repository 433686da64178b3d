// postgres_tick_bench: ticks per second the PostgreSQL store writes, with the record calls of
// an average tick of the week's backtest (2023-06-01..07: per tick one proposal, one plan,
// and an interval of one telemetry row, two decisions and six ledger rows; commit every 256
// records, as the gateway opens it), against a running server. The store alone, with no
// agents or forecasts, so the round trips a tick costs are what it measures.
//
// Usage: postgres_tick_bench postgresql://URL [TICKS]
// TICKS defaults to 3360 (ten weeks of half-hours). Each run adds a run to the database.
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "bench/store_tick_workload.h"
#include "services/gateway/postgres_store.h"

namespace gridpilot {
namespace {

int Main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: postgres_tick_bench postgresql://URL [TICKS]\n");
    return 2;
  }
  const int ticks = argc > 2 ? std::atoi(argv[2]) : 3360;
  if (ticks <= 0 || ticks > 1'000'000) {
    std::fprintf(stderr, "TICKS must be in 1..1000000\n");
    return 2;
  }
  absl::StatusOr<std::unique_ptr<PostgresStore>> store = PostgresStore::Open(argv[1]);
  if (!store.ok()) {
    std::fprintf(stderr, "%s\n", std::string(store.status().message()).c_str());
    return 1;
  }
  const absl::Time from = absl::FromUnixSeconds(1685577600);  // 2023-06-01T00:00:00Z
  if (absl::Status begun = (*store)->BeginRun(from, from + ticks * absl::Minutes(30), "{}");
      !begun.ok()) {
    std::fprintf(stderr, "%s\n", std::string(begun.message()).c_str());
    return 1;
  }
  const absl::Time started = absl::Now();
  if (absl::Status written = WriteAverageTicks(**store, from, ticks); !written.ok()) {
    std::fprintf(stderr, "%s\n", std::string(written.message()).c_str());
    return 1;
  }
  const double seconds = absl::ToDoubleSeconds(absl::Now() - started);
  std::printf("%d ticks in %.3f s: %.0f ticks/s, %.3f ms a tick\n", ticks, seconds, ticks / seconds,
              1000.0 * seconds / ticks);
  return 0;
}

}  // namespace
}  // namespace gridpilot

int main(int argc, char** argv) { return gridpilot::Main(argc, argv); }
