#include "services/common/shutdown_signal.h"

#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>

#include "absl/strings/str_format.h"
#include "core/base/logging.h"

namespace gridpilot {
namespace {

sigset_t ShutdownSet() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  return set;
}

}  // namespace

void BlockShutdownSignals() {
  const sigset_t set = ShutdownSet();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

int WaitForShutdownSignal() {
  const sigset_t set = ShutdownSet();
  int sig = 0;
  sigwait(&set, &sig);
  return sig;
}

int WaitForShutdownSignalFor(int timeout_ms) {
  const sigset_t set = ShutdownSet();
  timespec timeout{timeout_ms / 1000, (timeout_ms % 1000) * 1000000L};
  const int sig = sigtimedwait(&set, nullptr, &timeout);
  return sig > 0 ? sig : 0;
}

void LogCpuUsage() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& tv) { return tv.tv_sec + tv.tv_usec / 1e6; };
  base::LogInfo(absl::StrFormat("cpu time: user %.2f s, system %.2f s", seconds(usage.ru_utime),
                                seconds(usage.ru_stime)));
}

}  // namespace gridpilot
