// SpawnInOwnProcessGroup: how a gridpilot process starts another one (the launcher its stack,
// gridpilot-mcp a backtest launcher). The child gets no signals blocked (the parent blocks
// SIGTERM/SIGINT to wait for them) and its own process group (so a Ctrl-C at the terminal
// reaches only the parent, which then stops its children); stdout and stderr go to a log file.
#ifndef GRIDPILOT_SERVICES_COMMON_PROCESS_SPAWN_H_
#define GRIDPILOT_SERVICES_COMMON_PROCESS_SPAWN_H_

#include <sys/types.h>

#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace gridpilot {

struct SpawnRequest {
  std::string binary;                // path of the executable (not searched on PATH)
  std::vector<std::string> args;     // arguments after argv[0] (argv[0] is `binary`)
  std::string log_path;              // receives stdout and stderr
  bool append_log = false;           // append (as for a restart) instead of truncating
  int log_file_mode = 0644;          // permission bits should the log be created
  bool stdin_from_dev_null = false;  // else the child shares the parent's stdin
};

// Starts the process described by `request` in a new process group whose id is its pid,
// with an empty signal mask and the parent's environment. Returns its pid; the caller
// must reap it (waitpid). Unavailable, naming the binary and the reason, if it cannot be
// started (the binary missing or not executable, or the log not openable).
absl::StatusOr<pid_t> SpawnInOwnProcessGroup(const SpawnRequest& request);

}  // namespace gridpilot

#endif  // GRIDPILOT_SERVICES_COMMON_PROCESS_SPAWN_H_
