#include "services/mcp/backtest_child.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "services/common/process_spawn.h"

namespace gridpilot::mcp {
namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The processes whose command line mentions `run_dir` (the launcher gives it to every
// process of its stack), other than this one. Linux /proc; best effort.
std::vector<pid_t> PidsMentioning(const std::string& run_dir) {
  std::vector<pid_t> pids;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", error)) {
    pid_t pid = 0;
    if (!absl::SimpleAtoi(entry.path().filename().string(), &pid) || pid <= 1 || pid == getpid()) {
      continue;
    }
    const std::string cmdline = ReadFile(entry.path().string() + "/cmdline");
    if (cmdline.find(run_dir) != std::string::npos) pids.push_back(pid);
  }
  return pids;
}

}  // namespace

std::optional<std::pair<int64_t, int64_t>> LastTickProgress(absl::string_view log) {
  size_t end = log.rfind(" ticks");
  while (end != absl::string_view::npos) {
    // "<done> / <total> ticks"
    const size_t slash = log.rfind(" / ", end);
    if (slash != absl::string_view::npos) {
      size_t done_start = slash;
      while (done_start > 0 && log[done_start - 1] >= '0' && log[done_start - 1] <= '9') {
        --done_start;
      }
      int64_t done = 0;
      int64_t total = 0;
      if (absl::SimpleAtoi(log.substr(done_start, slash - done_start), &done) &&
          absl::SimpleAtoi(log.substr(slash + 3, end - slash - 3), &total) && total > 0 &&
          done >= 0 && done <= total) {
        return std::make_pair(done, total);
      }
    }
    if (end == 0) break;
    end = log.rfind(" ticks", end - 1);
  }
  return std::nullopt;
}

absl::StatusOr<BacktestChild> BacktestChild::Start(const std::string& launcher,
                                                   const std::vector<std::string>& args,
                                                   const std::string& log_path,
                                                   std::string run_dir) {
  SpawnRequest request;
  request.binary = launcher;
  request.args = args;
  request.log_path = log_path;
  request.log_file_mode = 0600;
  request.stdin_from_dev_null = true;
  // gridpilot-mcp blocks SIGTERM/SIGINT to wait for them; the launcher must get them.
  absl::StatusOr<pid_t> pid = SpawnInOwnProcessGroup(request);
  if (!pid.ok()) return pid.status();
  return BacktestChild(*pid, log_path, std::move(run_dir));
}

BacktestChild::BacktestChild(BacktestChild&& other) noexcept
    : pid_(other.pid_),
      log_path_(std::move(other.log_path_)),
      run_dir_(std::move(other.run_dir_)),
      ended_(other.ended_),
      exit_code_(other.exit_code_) {
  other.pid_ = -1;
  other.ended_ = true;
}

BacktestChild::~BacktestChild() {
  if (pid_ > 0 && !ended_) Stop(absl::Seconds(5));
}

bool BacktestChild::Running() {
  if (ended_ || pid_ <= 0) return false;
  int status = 0;
  const pid_t got = waitpid(pid_, &status, WNOHANG);
  if (got == 0) return true;
  ended_ = true;
  exit_code_ = got < 0               ? -1
               : WIFEXITED(status)   ? WEXITSTATUS(status)
               : WIFSIGNALED(status) ? 128 + WTERMSIG(status)
                                     : -1;
  return false;
}

std::optional<std::pair<int64_t, int64_t>> BacktestChild::Progress() const {
  return LastTickProgress(LogTail(4096));
}

std::string BacktestChild::LogTail(size_t bytes) const {
  const std::string text = ReadFile(log_path_);
  return text.size() <= bytes ? text : text.substr(text.size() - bytes);
}

void BacktestChild::Stop(absl::Duration grace) {
  if (!Running()) return;
  kill(pid_, SIGTERM);
  const absl::Time deadline = absl::Now() + grace;
  while (Running() && absl::Now() < deadline) absl::SleepFor(absl::Milliseconds(50));
  if (Running()) {
    kill(pid_, SIGKILL);
    while (Running()) absl::SleepFor(absl::Milliseconds(10));
  }
  // Whatever of its stack outlived it (it was killed before it stopped them).
  for (pid_t pid : PidsMentioning(run_dir_)) kill(pid, SIGKILL);
}

}  // namespace gridpilot::mcp
