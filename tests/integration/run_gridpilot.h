// Test helper: runs the real `gridpilot` binary ($GRIDPILOT_BIN_DIR, set by ctest) with
// arguments, as a user would from a shell, and captures its exit code and output.
#ifndef GRIDPILOT_TESTS_INTEGRATION_RUN_GRIDPILOT_H_
#define GRIDPILOT_TESTS_INTEGRATION_RUN_GRIDPILOT_H_

#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <string>

namespace gridpilot::testing {

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr together
};

// `args` is appended to the binary's path and run by /bin/sh.
inline CommandResult RunGridpilot(const std::string& args) {
  const std::string command =
      std::string(std::getenv("GRIDPILOT_BIN_DIR")) + "/gridpilot " + args + " 2>&1";
  CommandResult result;
  FILE* pipe = popen(command.c_str(), "r");
  char buffer[4096];
  while (size_t n = fread(buffer, 1, sizeof(buffer), pipe)) result.output.append(buffer, n);
  const int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

}  // namespace gridpilot::testing

#endif  // GRIDPILOT_TESTS_INTEGRATION_RUN_GRIDPILOT_H_
