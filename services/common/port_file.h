// Port files: how a process that bound port 0 tells its launcher which port it got. The
// launcher waits for the file to appear, so it is written atomically (write, then rename):
// a reader never sees a half-written number.
#ifndef GRIDPILOT_SERVICES_COMMON_PORT_FILE_H_
#define GRIDPILOT_SERVICES_COMMON_PORT_FILE_H_

#include <string>

#include "absl/status/status.h"

namespace gridpilot {

// Writes "<port>\n" to `path` via `path`.tmp and a rename. Unavailable, naming the file,
// if either step fails.
absl::Status WritePortFile(const std::string& path, int port);

}  // namespace gridpilot

#endif  // GRIDPILOT_SERVICES_COMMON_PORT_FILE_H_
