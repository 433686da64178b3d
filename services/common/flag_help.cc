#include "services/common/flag_help.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "absl/flags/commandlineflag.h"
#include "absl/flags/reflection.h"
#include "absl/flags/usage.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace gridpilot {

std::string FlagUsage(absl::string_view summary) {
  std::vector<const absl::CommandLineFlag*> flags;
  for (const auto& [name, flag] : absl::GetAllFlags()) {
    // Abseil's own flags (--flagfile, --helpfull, ...) are not the program's.
    if (absl::StrContains(flag->Filename(), "absl/")) continue;
    flags.push_back(flag);
  }
  std::sort(flags.begin(), flags.end(),
            [](const absl::CommandLineFlag* a, const absl::CommandLineFlag* b) {
              return a->Name() < b->Name();
            });
  std::string out = absl::StrCat(summary, "\n\nflags:\n");
  for (const absl::CommandLineFlag* flag : flags) {
    std::string default_value = flag->DefaultValue();
    if (default_value.empty()) default_value = "\"\"";
    absl::StrAppend(&out, "  --", flag->Name(), "=", default_value, "\n      ", flag->Help(), "\n");
  }
  absl::StrAppend(&out, "  --help, -h\n      print this and exit\n");
  return out;
}

void HandleHelpFlag(int argc, char** argv, absl::string_view summary) {
  for (int i = 1; i < argc; ++i) {
    const absl::string_view arg = argv[i];
    if (arg == "--") break;
    if (arg == "--help" || arg == "-help" || arg == "-h") {
      std::fputs(FlagUsage(summary).c_str(), stdout);
      std::fflush(stdout);
      std::exit(0);
    }
  }
  absl::SetProgramUsageMessage(summary);
}

}  // namespace gridpilot
