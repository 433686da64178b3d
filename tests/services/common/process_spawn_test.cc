// SpawnInOwnProcessGroup: the child's process group, signal mask, log file and stdin.
#include "services/common/process_spawn.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"

namespace gridpilot {
namespace {

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string TestPath(const std::string& leaf) {
  return absl::StrCat(testing::TempDir(), "/process_spawn_test_", getpid(), "_", leaf);
}

int WaitForExit(pid_t pid) {
  int wait_status = 0;
  EXPECT_EQ(waitpid(pid, &wait_status, 0), pid);
  return WIFEXITED(wait_status) ? WEXITSTATUS(wait_status) : -1;
}

TEST(ProcessSpawnTest, ChildLeadsItsOwnProcessGroupWithNoSignalBlocked) {
  // The parent blocks SIGTERM, as the launcher and gridpilot-mcp do.
  sigset_t term;
  sigemptyset(&term);
  sigaddset(&term, SIGTERM);
  sigset_t before;
  ASSERT_EQ(pthread_sigmask(SIG_BLOCK, &term, &before), 0);
  SpawnRequest request;
  request.binary = "/bin/sh";
  request.log_path = TestPath("group.log");
  request.args = {"-c", "ps -o pgid= -p $$; grep SigBlk /proc/self/status; echo oops >&2"};
  absl::StatusOr<pid_t> pid = SpawnInOwnProcessGroup(request);
  pthread_sigmask(SIG_SETMASK, &before, nullptr);
  ASSERT_TRUE(pid.ok()) << pid.status();
  EXPECT_EQ(WaitForExit(*pid), 0);
  const std::string log = ReadAll(request.log_path);
  EXPECT_NE(log.find(absl::StrCat(*pid, "\n")), std::string::npos) << log;
  EXPECT_NE(log.find("SigBlk:\t0000000000000000"), std::string::npos) << log;
  EXPECT_NE(log.find("oops"), std::string::npos) << "stderr goes to the log too: " << log;
}

TEST(ProcessSpawnTest, LogIsTruncatedOrAppendedAndCreatedWithTheGivenMode) {
  SpawnRequest request;
  request.binary = "/bin/sh";
  request.log_path = TestPath("mode.log");
  std::filesystem::remove(request.log_path);
  request.log_file_mode = 0600;
  request.args = {"-c", "echo first"};
  absl::StatusOr<pid_t> pid = SpawnInOwnProcessGroup(request);
  ASSERT_TRUE(pid.ok()) << pid.status();
  WaitForExit(*pid);
  struct stat info {};
  ASSERT_EQ(stat(request.log_path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);

  request.args = {"-c", "echo second"};
  request.append_log = true;
  pid = SpawnInOwnProcessGroup(request);
  ASSERT_TRUE(pid.ok()) << pid.status();
  WaitForExit(*pid);
  EXPECT_EQ(ReadAll(request.log_path), "first\nsecond\n");

  request.args = {"-c", "echo third"};
  request.append_log = false;
  pid = SpawnInOwnProcessGroup(request);
  ASSERT_TRUE(pid.ok()) << pid.status();
  WaitForExit(*pid);
  EXPECT_EQ(ReadAll(request.log_path), "third\n");
}

TEST(ProcessSpawnTest, StdinIsDevNullOnlyWhenAsked) {
  int pipe_fds[2];
  ASSERT_EQ(pipe(pipe_fds), 0);
  const int saved_stdin = dup(STDIN_FILENO);
  ASSERT_EQ(dup2(pipe_fds[0], STDIN_FILENO), STDIN_FILENO);
  ASSERT_EQ(write(pipe_fds[1], "from-parent\n", 12), 12);
  close(pipe_fds[1]);
  SpawnRequest request;
  request.binary = "/bin/sh";
  request.log_path = TestPath("stdin.log");
  request.args = {"-c", "read line; echo \"got:$line\""};
  request.stdin_from_dev_null = true;
  absl::StatusOr<pid_t> pid = SpawnInOwnProcessGroup(request);
  ASSERT_TRUE(pid.ok()) << pid.status();
  WaitForExit(*pid);
  EXPECT_EQ(ReadAll(request.log_path), "got:\n");

  request.stdin_from_dev_null = false;
  pid = SpawnInOwnProcessGroup(request);
  ASSERT_TRUE(pid.ok()) << pid.status();
  WaitForExit(*pid);
  dup2(saved_stdin, STDIN_FILENO);
  close(saved_stdin);
  close(pipe_fds[0]);
  EXPECT_EQ(ReadAll(request.log_path), "got:from-parent\n");
}

TEST(ProcessSpawnTest, AMissingBinaryIsUnavailableNamingIt) {
  SpawnRequest request;
  request.binary = TestPath("no-such-binary");
  request.log_path = TestPath("missing.log");
  const absl::StatusOr<pid_t> pid = SpawnInOwnProcessGroup(request);
  ASSERT_FALSE(pid.ok());
  EXPECT_EQ(pid.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_NE(pid.status().message().find("no-such-binary"), std::string::npos);
}

TEST(ProcessSpawnTest, ALogInAMissingDirectoryIsUnavailable) {
  SpawnRequest request;
  request.binary = "/bin/true";
  request.log_path = TestPath("no-such-dir/child.log");
  const absl::StatusOr<pid_t> pid = SpawnInOwnProcessGroup(request);
  ASSERT_FALSE(pid.ok());
  EXPECT_EQ(pid.status().code(), absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace gridpilot
