// BacktestChild: one `gridpilot backtest` run by gridpilot-mcp as a child process (the
// launcher, which starts its own stack), for the what-if tool. Its output goes to a log
// file, from which the launcher's "N / M ticks" progress is read. Stop() ends it and every
// process of its stack: SIGTERM to the launcher (which stops its stack), then, after a
// grace period, SIGKILL to the launcher; then SIGKILL to any process whose command line
// still names its run dir (its stack, had the launcher been killed before it stopped them).
// docs/decisions.md, "MCP what-if backtest and audit of MCP calls".
#ifndef GRIDPILOT_SERVICES_MCP_BACKTEST_CHILD_H_
#define GRIDPILOT_SERVICES_MCP_BACKTEST_CHILD_H_

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace gridpilot::mcp {

// The last "N / M ticks" the launcher printed in `log` (its progress line), or nullopt.
std::optional<std::pair<int64_t, int64_t>> LastTickProgress(absl::string_view log);

class BacktestChild {
 public:
  // Starts `launcher` with `args`, output to `log_path`; `run_dir` is the backtest's
  // --run_dir (for its supervisor.json). Unavailable if it cannot be started.
  static absl::StatusOr<BacktestChild> Start(const std::string& launcher,
                                             const std::vector<std::string>& args,
                                             const std::string& log_path, std::string run_dir);
  BacktestChild(BacktestChild&& other) noexcept;
  BacktestChild& operator=(BacktestChild&&) = delete;
  ~BacktestChild();  // Stop() if still running

  // True while running; reaps it once ended (exit_code() then holds its exit).
  bool Running();
  // The exit status once ended: the exit code, or 128 + signal.
  int exit_code() const { return exit_code_; }
  // Its progress so far (from the log), or nullopt before the first tick.
  std::optional<std::pair<int64_t, int64_t>> Progress() const;
  // The last `bytes` of its log, for error messages.
  std::string LogTail(size_t bytes) const;
  // Ends it and its stack (see the file comment); returns once the launcher is reaped.
  void Stop(absl::Duration grace);

 private:
  BacktestChild(pid_t pid, std::string log_path, std::string run_dir)
      : pid_(pid), log_path_(std::move(log_path)), run_dir_(std::move(run_dir)) {}

  pid_t pid_ = -1;
  std::string log_path_;
  std::string run_dir_;
  bool ended_ = false;
  int exit_code_ = -1;
};

}  // namespace gridpilot::mcp

#endif  // GRIDPILOT_SERVICES_MCP_BACKTEST_CHILD_H_
