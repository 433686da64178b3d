// ChildProcess: one gridpilot process started by the launcher as a separate OS process,
// with its output in a log file, and stopped cleanly (SIGTERM, then SIGKILL after a grace
// period).
#ifndef GRIDPILOT_SERVICES_CLI_CHILD_PROCESS_H_
#define GRIDPILOT_SERVICES_CLI_CHILD_PROCESS_H_

#include <sys/types.h>

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace gridpilot {

class ChildProcess {
 public:
  // Starts `binary` with `args`; stdout and stderr go to `log_path` (truncated, or
  // appended to when `append_log`, as for a restart).
  static absl::StatusOr<ChildProcess> Start(const std::string& name, const std::string& binary,
                                            const std::vector<std::string>& args,
                                            const std::string& log_path, bool append_log = false);
  ChildProcess(ChildProcess&& other) noexcept;
  // Stops this process if still running, then takes `other`'s.
  ChildProcess& operator=(ChildProcess&& other) noexcept;
  ~ChildProcess();  // stops the process if still running

  const std::string& name() const { return name_; }
  pid_t pid() const { return pid_; }
  const std::string& log_path() const { return log_path_; }

  // True while the process runs; reaps it (and records its exit) if it has ended.
  bool Running();
  // The exit description once ended ("exit 2", "signal 9").
  const std::string& exit_description() const { return exit_description_; }
  // The code it exited with once ended by exit; -1 while running or if a signal ended it.
  int exit_code() const { return exit_code_; }

  // Waits for `port_file` to appear (the process writes it once listening) and returns the
  // port. Fails early if the process exits; DeadlineExceeded after `timeout`.
  absl::StatusOr<int> WaitForPort(const std::string& port_file, absl::Duration timeout);

  // SIGTERM, wait up to `grace`, then SIGKILL. Returns true if it ended on SIGTERM.
  bool Stop(absl::Duration grace);
  // SIGKILL now and reap: the process gets no chance to write anything more.
  void Kill();

  // The last `lines` lines of the log, for error messages.
  std::string LogTail(int lines) const;

 private:
  ChildProcess(std::string name, pid_t pid, std::string log_path)
      : name_(std::move(name)), pid_(pid), log_path_(std::move(log_path)) {}
  void Reap(int wait_status);

  std::string name_;
  pid_t pid_ = -1;
  std::string log_path_;
  bool ended_ = false;
  std::string exit_description_;
  int exit_code_ = -1;
};

}  // namespace gridpilot

#endif  // GRIDPILOT_SERVICES_CLI_CHILD_PROCESS_H_
