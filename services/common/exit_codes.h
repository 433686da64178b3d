// The exit codes of the stack's processes that their launcher acts on (services/cli's
// supervisor). 0 is a finished run, 2 a bad flag or a start-up error.
#ifndef GRIDPILOT_SERVICES_COMMON_EXIT_CODES_H_
#define GRIDPILOT_SERVICES_COMMON_EXIT_CODES_H_

namespace gridpilot {

// The process refused to start for a reason no restart changes (a FailedPrecondition: the
// gateway asked to resume a lock-step run into which an operator's approval was applied).
// It logs why as its last line first. The launcher stops with that line instead of
// restarting the process until its restart limit.
inline constexpr int kExitStartRefused = 3;

}  // namespace gridpilot

#endif  // GRIDPILOT_SERVICES_COMMON_EXIT_CODES_H_
