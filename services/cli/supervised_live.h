// A supervised live run (`gridpilot up`): watches every child of a launched stack until
// Ctrl-C/SIGTERM or the end of the replay window, restarting a process that dies after
// the Supervisor's backoff, on the same port (so the agents holding its address
// reconnect); a dead gateway comes back with --resume, restoring the run from its store.
// Each death, restart and recovery is printed, counted in the launcher's metrics and
// written to RUN_DIR/supervisor.json.
#ifndef GRIDPILOT_SERVICES_CLI_SUPERVISED_LIVE_H_
#define GRIDPILOT_SERVICES_CLI_SUPERVISED_LIVE_H_

#include <string>

#include "services/cli/launcher_metrics.h"
#include "services/cli/stack.h"
#include "services/cli/supervisor.h"

namespace gridpilot {

enum class LiveRunEnd {
  kInterrupted,  // Ctrl-C or SIGTERM: ended as asked
  kFinished,     // the replay window ended
  kFailed,       // the gateway was given up on: the run cannot go on
};

// Supervises `stack` (already launched, clock started) with `supervisor` (every child
// already Started in it). `metrics` may be null. Prints progress every
// `progress_period`. Returns how the run ended; a given-up agent or forecast does not
// end it (the caller sees it in supervisor.AnyGivenUp()).
LiveRunEnd SuperviseLive(Stack& stack, Supervisor& supervisor, LauncherMetrics* metrics,
                         const std::string& run_dir, absl::Duration progress_period);

}  // namespace gridpilot

#endif  // GRIDPILOT_SERVICES_CLI_SUPERVISED_LIVE_H_
