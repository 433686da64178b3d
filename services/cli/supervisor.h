// Supervisor: the launcher's record of its child processes and its restart decisions.
// It holds no processes and reads no clock: the launcher tells it what happened and when
// (Started, Exited, Recovered, each with the time), and asks it what to do (a restart at
// a time, or give up). A test drives it with a FakeClock's times.
//
// Restart policy (docs/decisions.md, "Supervision"): a process that exits is restarted
// after a backoff of `first_backoff` doubling with each restart counted in the window, up
// to `max_backoff`; once `max_restarts` restarts fall within `window` it is given up on.
#ifndef GRIDPILOT_SERVICES_CLI_SUPERVISOR_H_
#define GRIDPILOT_SERVICES_CLI_SUPERVISOR_H_

#include <deque>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace gridpilot {

struct RestartPolicy {
  absl::Duration first_backoff = absl::Milliseconds(500);
  absl::Duration max_backoff = absl::Seconds(30);
  int max_restarts = 3;  // within `window`; one more exit = given up
  absl::Duration window = absl::Minutes(10);
};

enum class ProcessState { kRunning, kRestarting, kGivenUp };

// "running", "restarting", "given_up".
const char* ProcessStateName(ProcessState state);

// One restart, as logged and reported.
struct RestartEvent {
  std::string process;
  std::string exit_description;  // "signal 9", "exit 1"
  int restart_number = 0;        // 1 for the first restart of this process
  absl::Time exited;
  std::optional<absl::Time> recovered;  // when the restarted process was ready again
  double RecoverySeconds() const;       // -1 while not recovered
};

struct SupervisedProcess {
  std::string name;
  int pid = 0;
  ProcessState state = ProcessState::kRunning;
  int restarts = 0;  // over the whole run
  std::string last_exit;
  std::optional<absl::Time> last_restart;
  absl::Time restart_due;                  // while kRestarting
  std::deque<absl::Time> exits_in_window;  // restarts counted against the policy
};

// What to do about a process that exited.
struct ExitDecision {
  bool give_up = false;
  absl::Time restart_at;   // when !give_up
  int restart_number = 0;  // when !give_up: 1 for the first restart of this process
};

class Supervisor {
 public:
  explicit Supervisor(RestartPolicy policy = {}) : policy_(policy) {}

  // A process was started (first time or restart) with `pid`; it is running.
  void Started(const std::string& name, int pid);
  // The process `name` was found ended at `now` with `exit_description`. Returns the
  // decision and records it: kRestarting with restart_due, or kGivenUp. InvalidArgument
  // if `name` was never started (the decision is then to give up).
  ExitDecision Exited(const std::string& name, const std::string& exit_description, absl::Time now);
  // The processes whose restart is due at `now`, in start order.
  std::vector<std::string> DueForRestart(absl::Time now) const;
  // The restarted process `name` is ready again at `now`: completes its last restart
  // event, whose recovery time (exit to ready) is returned in seconds; -1 if none open.
  double Recovered(const std::string& name, absl::Time now);

  const SupervisedProcess* Find(const std::string& name) const;
  bool AnyGivenUp() const;
  const std::vector<RestartEvent>& events() const { return events_; }
  // {"processes":[{"name","pid","state","restarts","last_exit","last_restart_utc"}]}
  nlohmann::json StatusJson() const;
  // A one-line description of the decision, for the log:
  // "trader exited: signal 9; restarting in 0.5 s (1 of 3)" or "...; given up after 3".
  std::string Describe(const std::string& name, const ExitDecision& decision) const;

 private:
  SupervisedProcess* Mutable(const std::string& name);

  RestartPolicy policy_;
  std::vector<SupervisedProcess> processes_;
  std::vector<RestartEvent> events_;
};

}  // namespace gridpilot

#endif  // GRIDPILOT_SERVICES_CLI_SUPERVISOR_H_
