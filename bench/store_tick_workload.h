// The record calls of an average lock-step tick, for the store benchmarks: what the
// gateway's store received per tick in the week 2023-06-01..07 of the main job (one
// accepted proposal, one 48-interval plan, and an interval of one telemetry row, two
// decisions and six ledger rows). The store alone, with no agents or forecasts.
#ifndef GRIDPILOT_BENCH_STORE_TICK_WORKLOAD_H_
#define GRIDPILOT_BENCH_STORE_TICK_WORKLOAD_H_

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "services/gateway/store.h"

namespace gridpilot {

// Records `ticks` such ticks, half an hour apart from `from`, into `store` (a run must have
// been begun), then flushes. The first error, with the tick it happened at.
absl::Status WriteAverageTicks(Store& store, absl::Time from, int ticks);

}  // namespace gridpilot

#endif  // GRIDPILOT_BENCH_STORE_TICK_WORKLOAD_H_
