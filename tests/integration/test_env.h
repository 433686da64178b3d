// Test helper: where an integration test finds the build and the shipped data (the
// GRIDPILOT_* variables ctest sets), and the temp files and directories it writes and
// reads back. Header-only, shared by the tests under tests/integration.
#ifndef GRIDPILOT_TESTS_INTEGRATION_TEST_ENV_H_
#define GRIDPILOT_TESTS_INTEGRATION_TEST_ENV_H_

#include <stdlib.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "gtest/gtest.h"

namespace gridpilot::testing {

// The value of the environment variable `name`; a test failure (and "") if it is unset
// or empty.
inline std::string RequiredEnv(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') {
    ADD_FAILURE() << name << " is not set (run the test through ctest)";
    return "";
  }
  return value;
}

// The path of the built executable `name` ("gridpilot-gateway") in $GRIDPILOT_BIN_DIR.
inline std::string BinaryPath(const std::string& name) {
  return RequiredEnv("GRIDPILOT_BIN_DIR") + "/" + name;
}

// The path of the shipped data file `name` ("gb_demand_2022_2023.csv") in the source tree.
inline std::string DataFile(const std::string& name) {
  return RequiredEnv("GRIDPILOT_SOURCE_DIR") + "/data/" + name;
}

// `name`, qualified by this process's id, in GoogleTest's temp dir, so that two runs of the
// suite on one machine never share a path; the file is neither created nor removed.
inline std::string TempPath(const std::string& name) {
  return ::testing::TempDir() + "/" + name + "." + std::to_string(getpid());
}

// The directory `name` in GoogleTest's temp dir, made empty: whatever an earlier run left
// there is removed. Returns its path.
inline std::string FreshTempDir(const std::string& name) {
  const std::string dir = TempPath(name);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

// A new, empty directory "<temp dir><stem>_XXXXXX"; a test failure (and "") if it cannot
// be made.
inline std::string MakeTempDir(const std::string& stem) {
  std::string pattern = ::testing::TempDir() + stem + "_XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr) {
    ADD_FAILURE() << "mkdtemp failed for " << pattern;
    return "";
  }
  return pattern;
}

// The whole file at `path`, byte for byte; "" if it cannot be read.
inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace gridpilot::testing

#endif  // GRIDPILOT_TESTS_INTEGRATION_TEST_ENV_H_
