#include "services/cli/supervised_live.h"

#include <cstdio>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "core/base/time_util.h"
#include "services/cli/supervisor_status_file.h"
#include "services/common/proto_time.h"
#include "services/common/shutdown_signal.h"

namespace gridpilot {
namespace {

void Say(const std::string& line) {
  std::printf("%s\n", line.c_str());
  std::fflush(stdout);
}

}  // namespace

LiveRunEnd SuperviseLive(Stack& stack, Supervisor& supervisor, LauncherMetrics* metrics,
                         const std::string& run_dir, absl::Duration progress_period) {
  const std::string status_path = SupervisorStatusPath(run_dir);
  (void)WriteSupervisorStatus(status_path, supervisor.StatusJson());
  // Wall time paces the polling, the backoff and the progress lines; it enters no
  // decision of the run.
  absl::Time next_progress = absl::Now() + progress_period;
  while (WaitForShutdownSignalFor(100) == 0) {
    bool changed = false;
    for (ChildProcess& p : stack.processes()) {
      const SupervisedProcess* known = supervisor.Find(p.name());
      if (known == nullptr || known->state != ProcessState::kRunning || p.Running()) continue;
      const ExitDecision decision = supervisor.Exited(p.name(), p.exit_description(), absl::Now());
      Say(absl::StrCat("gridpilot: ", supervisor.Describe(p.name(), decision)));
      if (metrics != nullptr) {
        if (decision.give_up) {
          metrics->GivenUp(p.name());
        } else {
          metrics->CountRestart(p.name());
        }
      }
      changed = true;
      if (decision.give_up && p.name() == "gateway") {
        (void)WriteSupervisorStatus(status_path, supervisor.StatusJson());
        Say(absl::StrCat("gridpilot: the gateway cannot be kept up:\n", p.LogTail(15)));
        return LiveRunEnd::kFailed;
      }
    }
    for (const std::string& name : supervisor.DueForRestart(absl::Now())) {
      absl::Status restarted = stack.Restart(name);
      if (restarted.ok() && name == "gateway") {
        // A resumed live gateway waits for Start like a new one. The first calls on the
        // channel to the old process may fail while it reconnects: retried for a while.
        const absl::Time give_up = absl::Now() + absl::Seconds(10);
        do {
          restarted = stack.StartClock();
          if (restarted.code() == absl::StatusCode::kFailedPrecondition) {
            restarted = absl::OkStatus();  // it had started by itself
          }
          if (restarted.ok() || !stack.Find(name)->Running()) break;
          absl::SleepFor(absl::Milliseconds(50));
        } while (absl::Now() < give_up);
      }
      // Ctrl-C while waiting for the restarted process (the wait consumed the signal).
      if (restarted.code() == absl::StatusCode::kCancelled) return LiveRunEnd::kInterrupted;
      ChildProcess* child = stack.Find(name);
      if (!restarted.ok()) {
        // Counts as another death: the backoff grows, and the budget runs out.
        if (child != nullptr && child->Running()) child->Stop(absl::Seconds(3));
        const ExitDecision decision =
            supervisor.Exited(name, std::string(restarted.message()), absl::Now());
        Say(absl::StrCat("gridpilot: restarting ", name,
                         " failed: ", supervisor.Describe(name, decision)));
        if (decision.give_up && metrics != nullptr) metrics->GivenUp(name);
        if (decision.give_up && name == "gateway") {
          (void)WriteSupervisorStatus(status_path, supervisor.StatusJson());
          return LiveRunEnd::kFailed;
        }
      } else {
        supervisor.Started(name, child->pid());
        const double recovery_s = supervisor.Recovered(name, absl::Now());
        Say(absl::StrFormat("gridpilot: %s restarted (pid %d, restart %d); recovered in %.2f s",
                            name, child->pid(), supervisor.Find(name)->restarts, recovery_s));
      }
      changed = true;
    }
    if (changed) (void)WriteSupervisorStatus(status_path, supervisor.StatusJson());
    if (absl::Now() < next_progress) continue;
    next_progress = absl::Now() + progress_period;
    const SupervisedProcess* gateway = supervisor.Find("gateway");
    if (gateway == nullptr || gateway->state != ProcessState::kRunning) continue;
    absl::StatusOr<v1::GetClockStatusResponse> s = stack.ClockStatus();
    if (!s.ok()) {
      Say(absl::StrCat("gridpilot: gateway unreachable: ", s.status().message()));
      continue;
    }
    Say(absl::StrCat("  simulated time ", base::FormatUtcTimestamp(FromProtoTime(s->now())), ", ",
                     s->ticks_done(), " ticks settled"));
    if (s->state() == v1::RUN_STATE_FINISHED) return LiveRunEnd::kFinished;
  }
  return LiveRunEnd::kInterrupted;
}

}  // namespace gridpilot
