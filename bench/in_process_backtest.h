// InProcessBacktest: the in-process floor of backtest_bench. The same year's lock-step
// decisions as `gridpilot backtest`, computed by the same core and service code (the
// GatewayRun with its SQLite store, the forecast process's books fed by its
// ForecastPipeline, the response agent and the trader) in one process with no gRPC: a
// driver thread hands each tick to the pipeline, then to each agent, and submits each
// answer straight to the run. What the four-process stack costs beyond this floor is the
// price of its process boundaries (docs/decisions.md, "One stream per process per tick").
#ifndef GRIDPILOT_BENCH_IN_PROCESS_BACKTEST_H_
#define GRIDPILOT_BENCH_IN_PROCESS_BACKTEST_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace gridpilot {

struct InProcessBacktestOptions {
  absl::Time replay_from;  // first interval decided
  absl::Time replay_to;    // end (exclusive) of the last
  std::string data_dir;    // the shipped data/ (demand, price, day-ahead CSVs)
  std::string model_dir;   // the forecast model cache, as the stack's forecast process uses
  std::string store_path;  // the SQLite store written (created; an existing file is reused)
};

struct InProcessBacktestResult {
  int64_t ticks = 0;
  double tick_seconds = 0.0;      // wall time of the ticks (set-up and model loading excluded)
  double tick_cpu_seconds = 0.0;  // this process's CPU (user + system) over the same span
  double net_gbp = 0.0;           // the ledger's net, to compare with the stack's
};

// Runs the replay. InvalidArgument / Unavailable for data, models or a store that cannot be
// loaded; Internal if the run fails.
absl::StatusOr<InProcessBacktestResult> RunInProcessBacktest(
    const InProcessBacktestOptions& options);

}  // namespace gridpilot

#endif  // GRIDPILOT_BENCH_IN_PROCESS_BACKTEST_H_
