#include "services/cli/child_process.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <deque>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "services/common/process_spawn.h"

namespace gridpilot {

absl::StatusOr<ChildProcess> ChildProcess::Start(const std::string& name, const std::string& binary,
                                                 const std::vector<std::string>& args,
                                                 const std::string& log_path, bool append_log) {
  SpawnRequest request;
  request.binary = binary;
  request.args = args;
  request.log_path = log_path;
  request.append_log = append_log;
  // The launcher blocks SIGTERM/SIGINT to wait for them; children start in their own
  // process group, so a Ctrl-C reaches the launcher, which stops them.
  absl::StatusOr<pid_t> pid = SpawnInOwnProcessGroup(request);
  if (!pid.ok()) return pid.status();
  return ChildProcess(name, *pid, log_path);
}

ChildProcess::ChildProcess(ChildProcess&& other) noexcept
    : name_(std::move(other.name_)),
      pid_(other.pid_),
      log_path_(std::move(other.log_path_)),
      ended_(other.ended_),
      exit_description_(std::move(other.exit_description_)) {
  other.pid_ = -1;
  other.ended_ = true;
}

ChildProcess& ChildProcess::operator=(ChildProcess&& other) noexcept {
  if (this == &other) return *this;
  if (pid_ > 0 && !ended_) Stop(absl::Seconds(3));
  name_ = std::move(other.name_);
  pid_ = other.pid_;
  log_path_ = std::move(other.log_path_);
  ended_ = other.ended_;
  exit_description_ = std::move(other.exit_description_);
  other.pid_ = -1;
  other.ended_ = true;
  return *this;
}

ChildProcess::~ChildProcess() {
  if (pid_ > 0 && !ended_) Stop(absl::Seconds(3));
}

void ChildProcess::Reap(int wait_status) {
  ended_ = true;
  if (WIFEXITED(wait_status)) {
    exit_code_ = WEXITSTATUS(wait_status);
    exit_description_ = absl::StrCat("exit ", exit_code_);
  } else if (WIFSIGNALED(wait_status)) {
    exit_description_ = absl::StrCat("signal ", WTERMSIG(wait_status));
  }
}

bool ChildProcess::Running() {
  if (ended_ || pid_ <= 0) return false;
  int wait_status = 0;
  if (waitpid(pid_, &wait_status, WNOHANG) == pid_) {
    Reap(wait_status);
    return false;
  }
  return true;
}

absl::StatusOr<int> ChildProcess::WaitForPort(const std::string& port_file,
                                              absl::Duration timeout) {
  // Wall time bounds the wait for a process to start listening; it is not a decision.
  const absl::Time give_up = absl::Now() + timeout;
  while (absl::Now() < give_up) {
    std::ifstream in(port_file);
    int port = 0;
    if (in >> port && port > 0) return port;
    if (!Running()) {
      return absl::UnavailableError(absl::StrCat(name_, " exited (", exit_description_,
                                                 ") before listening:\n", LogTail(15)));
    }
    absl::SleepFor(absl::Milliseconds(20));
  }
  return absl::DeadlineExceededError(
      absl::StrCat(name_, " did not start listening within ", absl::FormatDuration(timeout)));
}

bool ChildProcess::Stop(absl::Duration grace) {
  if (!Running()) return false;
  kill(pid_, SIGTERM);
  const absl::Time give_up = absl::Now() + grace;
  while (absl::Now() < give_up) {
    if (!Running()) return true;
    absl::SleepFor(absl::Milliseconds(10));
  }
  kill(pid_, SIGKILL);
  int wait_status = 0;
  waitpid(pid_, &wait_status, 0);
  Reap(wait_status);
  return false;
}

void ChildProcess::Kill() {
  if (!Running()) return;
  kill(pid_, SIGKILL);
  int wait_status = 0;
  waitpid(pid_, &wait_status, 0);
  Reap(wait_status);
}

std::string ChildProcess::LogTail(int lines) const {
  std::ifstream in(log_path_);
  std::deque<std::string> tail;
  std::string line;
  while (std::getline(in, line)) {
    tail.push_back(line);
    if (static_cast<int>(tail.size()) > lines) tail.pop_front();
  }
  return absl::StrJoin(tail, "\n");
}

}  // namespace gridpilot
