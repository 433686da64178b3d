// A supervised lock-step backtest: launches the stack, runs the clock to the end and,
// when any child dies, restarts the whole stack with the gateway's --resume on the same
// store. Agents and the forecast learn from every tick they see, so restarting only the
// dead one would change the rest of the run; a whole-stack restart re-executes the
// committed prefix deterministically and the report equals an uninterrupted run's
// (docs/decisions.md, "Supervision"). An agent whose restart budget is spent is left out
// of the next launch (the run finishes without it and the report says so); a gateway or
// forecast whose budget is spent fails the run.
#ifndef GRIDPILOT_SERVICES_CLI_SUPERVISED_BACKTEST_H_
#define GRIDPILOT_SERVICES_CLI_SUPERVISED_BACKTEST_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "services/cli/launcher_metrics.h"
#include "services/cli/stack.h"
#include "services/cli/supervisor.h"

namespace gridpilot {

// One restart of the stack, for the report.
struct BacktestRestart {
  std::string process;           // the child that died
  int64_t tick = 0;              // ticks done when its death was seen
  std::string exit;              // "signal 9"
  double recovery_seconds = -1;  // death seen to the restarted run back at `tick`
};

struct SupervisedBacktest {
  std::unique_ptr<Stack> stack;  // the finished stack, still running (to collect from)
  std::vector<BacktestRestart> restarts;
  std::vector<std::string> given_up;  // agents the run finished without
  double startup_seconds = 0;         // first launch, incl. model load
  double clock_seconds = 0;           // first clock start to the end of the run
};

// Runs `options` (lock-step) to the end under `policy`. Prints each death and restart to
// stderr. `metrics` may be null. Errors: the launch's error; Cancelled on SIGINT/SIGTERM;
// Unavailable naming the process once a gateway or forecast is given up. On error every
// child has been stopped.
absl::StatusOr<SupervisedBacktest> RunSupervisedBacktest(StackOptions options,
                                                         const RestartPolicy& policy,
                                                         LauncherMetrics* metrics);

}  // namespace gridpilot

#endif  // GRIDPILOT_SERVICES_CLI_SUPERVISED_BACKTEST_H_
