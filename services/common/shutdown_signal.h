// Clean shutdown on SIGTERM / SIGINT. Call BlockShutdownSignals() first thing in main
// (before any thread starts, so every thread inherits the mask); then
// WaitForShutdownSignal() returns when one arrives. No async-signal-unsafe work is done
// in a handler: the signal is received synchronously with sigwait.
#ifndef GRIDPILOT_SERVICES_COMMON_SHUTDOWN_SIGNAL_H_
#define GRIDPILOT_SERVICES_COMMON_SHUTDOWN_SIGNAL_H_

namespace gridpilot {

void BlockShutdownSignals();
// Blocks until SIGTERM or SIGINT; returns the signal number.
int WaitForShutdownSignal();
// Waits at most `timeout_ms` for SIGTERM or SIGINT; returns the signal, or 0 on timeout.
int WaitForShutdownSignalFor(int timeout_ms);

// Logs this process's CPU time so far (user and system seconds), for operators and for
// finding which process a run's time goes to.
void LogCpuUsage();

}  // namespace gridpilot

#endif  // GRIDPILOT_SERVICES_COMMON_SHUTDOWN_SIGNAL_H_
