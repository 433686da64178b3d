// The launcher's supervisor report, RUN_DIR/supervisor.json, as the alerter reads it:
// {"processes":[{"name":"trader","pid":123,"state":"running|restarting|given_up",
//   "restarts":2,"last_exit":"signal 9","last_restart_utc":"..."}]}.
// Fields the alerter does not use are ignored, so the supervisor may add more.
#ifndef GRIDPILOT_SERVICES_ALERTS_SUPERVISOR_FILE_H_
#define GRIDPILOT_SERVICES_ALERTS_SUPERVISOR_FILE_H_

#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "core/alerts/alert_observation.h"

namespace gridpilot {

// The processes in `text` by name. InvalidArgument naming `path` and the field for text
// that is not such a report (not JSON, no "processes" list, a process without a string
// "name", "restarts" not a whole number >= 0).
absl::StatusOr<std::map<std::string, alerts::ProcessState>> ParseSupervisorFile(
    const std::string& text, const std::string& path);

}  // namespace gridpilot

#endif  // GRIDPILOT_SERVICES_ALERTS_SUPERVISOR_FILE_H_
