#include "services/alerts/supervisor_file.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace gridpilot {
namespace {

using ::testing::HasSubstr;

TEST(SupervisorFileTest, ReadsRestartsStateAndLastExit) {
  absl::StatusOr<std::map<std::string, alerts::ProcessState>> processes = ParseSupervisorFile(
      R"({"processes": [
        {"name": "trader", "pid": 123, "state": "running", "restarts": 2,
         "last_exit": "signal 9", "last_restart_utc": "2026-01-01T00:00:00Z"},
        {"name": "forecast", "pid": 0, "state": "given_up", "restarts": 5},
        {"name": "gateway", "pid": 7, "state": "running", "restarts": 0, "future": true}]})",
      "supervisor.json");
  ASSERT_TRUE(processes.ok()) << processes.status();
  ASSERT_EQ(processes->size(), 3u);
  EXPECT_EQ(processes->at("trader").restarts, 2);
  EXPECT_EQ(processes->at("trader").last_exit, "signal 9");
  EXPECT_FALSE(processes->at("trader").given_up);
  EXPECT_TRUE(processes->at("forecast").given_up);
  EXPECT_EQ(processes->at("gateway").restarts, 0);
}

TEST(SupervisorFileTest, ErrorsNameTheFileAndField) {
  EXPECT_THAT(ParseSupervisorFile("{", "s.json").status().message(),
              HasSubstr("s.json: not valid JSON"));
  EXPECT_EQ(ParseSupervisorFile(R"({"procs": []})", "s.json").status().message(),
            "s.json: processes: must be a list");
  EXPECT_EQ(ParseSupervisorFile(R"({"processes": [{"pid": 1}]})", "s.json").status().message(),
            "s.json: processes[0].name: must be a string");
  EXPECT_EQ(ParseSupervisorFile(R"({"processes": [{"name": "a", "restarts": -1}]})", "s.json")
                .status()
                .message(),
            "s.json: processes[0].restarts: must be a whole number >= 0");
}

}  // namespace
}  // namespace gridpilot
