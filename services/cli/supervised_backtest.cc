#include "services/cli/supervised_backtest.h"

#include <algorithm>
#include <cstdio>
#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "services/cli/supervisor_status_file.h"
#include "services/common/shutdown_signal.h"

namespace gridpilot {
namespace {

// 1124 -> "1,124".
std::string WithThousands(int64_t n) {
  std::string digits = absl::StrCat(n < 0 ? -n : n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return n < 0 ? "-" + out : out;
}

void RecordStarted(Stack& stack, Supervisor& supervisor, const std::string& run_dir) {
  for (ChildProcess& p : stack.processes()) supervisor.Started(p.name(), p.pid());
  (void)WriteSupervisorStatus(SupervisorStatusPath(run_dir), supervisor.StatusJson());
}

}  // namespace

absl::StatusOr<SupervisedBacktest> RunSupervisedBacktest(StackOptions options,
                                                         const RestartPolicy& policy,
                                                         LauncherMetrics* metrics) {
  Supervisor supervisor(policy);
  SupervisedBacktest result;
  // Wall time measures the run and paces restarts; it is not an input to any decision
  // of the run itself.
  const absl::Time began = absl::Now();
  absl::StatusOr<std::unique_ptr<Stack>> launched = Stack::Launch(options);
  if (!launched.ok()) return launched.status();
  result.stack = *std::move(launched);
  RecordStarted(*result.stack, supervisor, options.run_dir);
  const absl::Time clock_started = absl::Now();
  result.startup_seconds = absl::ToDoubleSeconds(clock_started - began);

  std::optional<absl::Time> death_seen;  // of the restart not yet recovered
  // Records the death of `name` and waits out its backoff. Unavailable once a gateway or
  // forecast is given up (an agent given up is left out of the next launch instead).
  auto HandleDeath = [&](const std::string& name, const std::string& exit, int64_t tick,
                         const std::string& log_tail) -> absl::Status {
    const ExitDecision decision = supervisor.Exited(name, exit, absl::Now());
    const std::string where =
        absl::StrCat(name, " exited: ", exit, " at tick ", WithThousands(tick));
    if (decision.give_up) {
      if (metrics != nullptr) metrics->GivenUp(name);
      (void)WriteSupervisorStatus(SupervisorStatusPath(options.run_dir), supervisor.StatusJson());
      if (name == "gateway" || name == "forecast") {
        std::fprintf(stderr, "gridpilot: %s; given up after %d restarts\n%s\n", where.c_str(),
                     policy.max_restarts, log_tail.c_str());
        return absl::UnavailableError(
            absl::StrCat(where, "; given up after ", policy.max_restarts, " restarts"));
      }
      std::fprintf(stderr,
                   "gridpilot: %s; given up after %d restarts: the run goes on without it\n",
                   where.c_str(), policy.max_restarts);
      options.without.insert(name);
      result.given_up.push_back(name);
      return absl::OkStatus();
    }
    std::fprintf(stderr, "gridpilot: %s; restarting (%d of %d)\n", where.c_str(),
                 decision.restart_number, policy.max_restarts);
    if (metrics != nullptr) metrics->CountRestart(name);
    (void)WriteSupervisorStatus(SupervisorStatusPath(options.run_dir), supervisor.StatusJson());
    result.restarts.push_back({name, tick, exit, -1});
    death_seen = absl::Now();
    // The backoff: a process that dies at once on start is not restarted in a tight loop.
    while (absl::Now() < decision.restart_at) {
      if (WaitForShutdownSignalFor(20) != 0) return absl::CancelledError("interrupted");
    }
    return absl::OkStatus();
  };
  while (true) {
    absl::Status run = result.stack->StartClock();
    if (run.ok()) {
      run = result.stack->WaitFinished(
          [](const v1::GetClockStatusResponse& s) {
            std::fprintf(stderr, "\r  %lld / %lld ticks", static_cast<long long>(s.ticks_done()),
                         static_cast<long long>(s.ticks_total()));
          },
          [&](const v1::GetClockStatusResponse& s) {
            if (!death_seen.has_value() || s.ticks_done() < result.restarts.back().tick) return;
            result.restarts.back().recovery_seconds =
                absl::ToDoubleSeconds(absl::Now() - *death_seen);
            death_seen.reset();
          });
      std::fprintf(stderr, "\n");
    }
    if (run.ok()) break;
    ChildProcess* ended = result.stack->FirstEnded();
    // A run the gateway failed (e.g. a resumed interval that differs) is not a death:
    // restarting would fail the same way.
    if (run.code() == absl::StatusCode::kCancelled || run.code() == absl::StatusCode::kInternal ||
        ended == nullptr) {
      result.stack->StopAll();
      return run;
    }
    if (death_seen.has_value()) {
      // Died again before the run got back to where the last death left it.
      result.restarts.back().recovery_seconds = -1;
    }
    std::string name = ended->name();
    std::string exit = ended->exit_description();
    const std::string log_tail = ended->LogTail(15);
    const int64_t tick = result.stack->last_status().ticks_done();
    // What was settled after the last moment every process was seen alive may have been
    // decided without the dead one (an agent answering without forecasts): the resumed
    // gateway discards it and re-executes it. A relaunch that died before passing the
    // earlier mark keeps that mark (it re-executed, wrote nothing).
    options.resume_keep_ticks =
        std::max(options.resume_keep_ticks, result.stack->ticks_done_all_alive());
    result.stack->KillAll();
    result.stack.reset();
    // The whole stack again, the gateway continuing the run in the same store; a process
    // that dies during the launch counts against its budget like one that dies later.
    while (true) {
      absl::Status handled = HandleDeath(name, exit, tick, log_tail);
      if (!handled.ok()) return handled;
      options.resume = true;
      std::string ended_in_launch;
      launched = Stack::Launch(options, &ended_in_launch);
      if (launched.ok()) break;
      // Cancelled: interrupted. FailedPrecondition: a process refused to start (the gateway
      // a lock-step resume of a run with an approved approval); a restart is refused alike.
      if (launched.status().code() == absl::StatusCode::kCancelled ||
          launched.status().code() == absl::StatusCode::kFailedPrecondition) {
        return launched.status();
      }
      if (ended_in_launch.empty()) {
        return absl::UnavailableError(absl::StrCat(
            "restarting the stack after ", name, " exited failed: ", launched.status().message()));
      }
      name = ended_in_launch;
      // The launch's error, first line (the rest is the log tail).
      const std::string message(launched.status().message());
      exit = absl::StrCat("during the restart: ", message.substr(0, message.find('\n')));
    }
    result.stack = *std::move(launched);
    RecordStarted(*result.stack, supervisor, options.run_dir);
  }
  if (death_seen.has_value()) {
    result.restarts.back().recovery_seconds = absl::ToDoubleSeconds(absl::Now() - *death_seen);
  }
  result.clock_seconds = absl::ToDoubleSeconds(absl::Now() - clock_started);
  return result;
}

}  // namespace gridpilot
