// BacktestChild: the launcher's progress read from its log, and Stop() ending the child and
// what it left running with the run dir on its command line.
#include "services/mcp/backtest_child.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace gridpilot::mcp {
namespace {

TEST(BacktestChildTest, ReadsTheLastTickProgressLine) {
  EXPECT_FALSE(LastTickProgress("starting gateway\n").has_value());
  const auto progress = LastTickProgress("\r  3 / 96 ticks\r  48 / 96 ticks\r  4");
  ASSERT_TRUE(progress.has_value());
  EXPECT_EQ(progress->first, 48);
  EXPECT_EQ(progress->second, 96);
  // A malformed last line falls back to the one before.
  const auto earlier = LastTickProgress("\r  5 / 96 ticks\r  x / 96 ticks");
  ASSERT_TRUE(earlier.has_value());
  EXPECT_EQ(earlier->first, 5);
  EXPECT_FALSE(LastTickProgress("\r  97 / 96 ticks").has_value());
}

TEST(BacktestChildTest, StopEndsTheChildAndWhatStillNamesItsRunDir) {
  const std::string dir =
      absl::StrCat(testing::TempDir(), "/backtest_child_test_", getpid(), "_run");
  std::filesystem::create_directories(dir);
  const std::string pid_file = dir + "/grandchild.pid";
  // The "launcher": starts a grandchild naming the run dir in its own process group, as
  // the real launcher's processes are, prints progress, and ignores SIGTERM (so the grace
  // period runs out and the kill path is taken).
  const std::string script = absl::StrCat(
      "trap '' TERM; setsid python3 -c 'import time; time.sleep(300)' ", dir, " & echo $! > ",
      pid_file, "; printf '\\r  7 / 10 ticks'; while true; do sleep 0.1; done");
  absl::StatusOr<BacktestChild> child =
      BacktestChild::Start("/bin/sh", {"-c", script}, dir + "/log", dir);
  ASSERT_TRUE(child.ok()) << child.status();
  pid_t grandchild = 0;
  for (int i = 0; i < 100 && grandchild == 0; ++i) {
    absl::SleepFor(absl::Milliseconds(50));
    std::ifstream in(pid_file);
    in >> grandchild;
  }
  ASSERT_GT(grandchild, 0);
  for (int i = 0; i < 100 && !child->Progress().has_value(); ++i) {
    absl::SleepFor(absl::Milliseconds(50));
  }
  ASSERT_TRUE(child->Progress().has_value());
  EXPECT_EQ(child->Progress()->first, 7);
  EXPECT_TRUE(child->Running());
  child->Stop(absl::Milliseconds(300));
  EXPECT_FALSE(child->Running());
  EXPECT_EQ(child->exit_code(), 128 + SIGKILL);
  // The grandchild is killed too (it may linger as a zombie until its parent reaps it).
  bool gone = false;
  for (int i = 0; i < 100 && !gone; ++i) {
    std::ifstream stat(absl::StrCat("/proc/", grandchild, "/stat"));
    std::string pid, name, state;
    gone = !(stat >> pid >> name >> state) || state == "Z";
    if (!gone) absl::SleepFor(absl::Milliseconds(50));
  }
  EXPECT_TRUE(gone);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace gridpilot::mcp
