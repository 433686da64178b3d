// FailInvariant: how a fuzz target reports a broken invariant. The message goes to stderr
// and to the sanitizer's report (which libFuzzer keeps even when the target's stderr is
// closed with -close_fd_mask), then the process aborts, which libFuzzer records as a crash
// and saves the input as an artifact.
#ifndef GRIDPILOT_FUZZ_INVARIANT_H_
#define GRIDPILOT_FUZZ_INVARIANT_H_

#include <sanitizer/common_interface_defs.h>

#include <cstdio>
#include <cstdlib>
#include <string>

namespace gridpilot::fuzz {

[[noreturn]] inline void FailInvariant(const char* target, const std::string& what) {
  const std::string message = std::string(target) + ": invariant broken: " + what;
  std::fprintf(stderr, "%s\n", message.c_str());
  __sanitizer_report_error_summary(message.c_str());
  std::abort();
}

}  // namespace gridpilot::fuzz

#endif  // GRIDPILOT_FUZZ_INVARIANT_H_
