// The supervisor's status file, RUN_DIR/supervisor.json: what the launcher knows of each
// child process (Supervisor::StatusJson), for the console, alerters and operators. It is
// rewritten whole on every change, atomically (a temp file, then a rename), so a reader
// never sees half a file.
#ifndef GRIDPILOT_SERVICES_CLI_SUPERVISOR_STATUS_FILE_H_
#define GRIDPILOT_SERVICES_CLI_SUPERVISOR_STATUS_FILE_H_

#include <nlohmann/json.hpp>
#include <string>

#include "absl/status/status.h"

namespace gridpilot {

// RUN_DIR/supervisor.json.
std::string SupervisorStatusPath(const std::string& run_dir);

// Writes `status` to `path` via `path`.tmp and a rename. Unavailable, naming the file, if
// either step fails.
absl::Status WriteSupervisorStatus(const std::string& path, const nlohmann::json& status);

}  // namespace gridpilot

#endif  // GRIDPILOT_SERVICES_CLI_SUPERVISOR_STATUS_FILE_H_
