// --help for the gridpilot-* processes. Abseil's own --help lists only the flags of files
// named like the program and exits 1; the processes answer --help and -h instead with what
// they do and every flag they define (name, default, meaning) on stdout, and exit 0.
#ifndef GRIDPILOT_SERVICES_COMMON_FLAG_HELP_H_
#define GRIDPILOT_SERVICES_COMMON_FLAG_HELP_H_

#include <string>

#include "absl/strings/string_view.h"

namespace gridpilot {

// The usage text: `summary` (what the program does), then every flag defined outside
// Abseil, sorted by name, one per line as "--name=DEFAULT  help". Thread-compatible.
std::string FlagUsage(absl::string_view summary);

// Call first in main, before absl::ParseCommandLine. If any argument before a lone "--"
// is --help, -help or -h, prints FlagUsage(summary) on stdout and exits 0; otherwise
// returns and also sets `summary` as Abseil's program usage message.
void HandleHelpFlag(int argc, char** argv, absl::string_view summary);

}  // namespace gridpilot

#endif  // GRIDPILOT_SERVICES_COMMON_FLAG_HELP_H_
