// Test helper: runs the real `gridpilot` binary ($GRIDPILOT_BIN_DIR, set by ctest) with
// arguments, as a user would from a shell, and captures its exit code and output; and
// checks that a bad command line is refused with the usage text.
#ifndef GRIDPILOT_TESTS_INTEGRATION_RUN_GRIDPILOT_H_
#define GRIDPILOT_TESTS_INTEGRATION_RUN_GRIDPILOT_H_

#include <sys/wait.h>

#include <cstdio>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/test_env.h"

namespace gridpilot::testing {

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr together
};

// `args` is appended to the binary's path and run by /bin/sh.
inline CommandResult RunGridpilot(const std::string& args) {
  const std::string command = BinaryPath("gridpilot") + " " + args + " 2>&1";
  CommandResult result;
  FILE* pipe = popen(command.c_str(), "r");
  char buffer[4096];
  while (size_t n = fread(buffer, 1, sizeof(buffer), pipe)) result.output.append(buffer, n);
  const int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

// Runs `args` as a command line the binary must refuse: exit 2 with the usage text.
inline void ExpectUsageError(const std::string& args) {
  SCOPED_TRACE(args);
  const CommandResult result = RunGridpilot(args);
  EXPECT_EQ(result.exit_code, 2) << result.output;
  EXPECT_THAT(result.output, ::testing::HasSubstr("usage:"));
}

}  // namespace gridpilot::testing

#endif  // GRIDPILOT_TESTS_INTEGRATION_RUN_GRIDPILOT_H_
