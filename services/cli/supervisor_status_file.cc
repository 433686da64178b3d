#include "services/cli/supervisor_status_file.h"

#include <cstdio>
#include <fstream>

#include "absl/strings/str_cat.h"

namespace gridpilot {

std::string SupervisorStatusPath(const std::string& run_dir) {
  return absl::StrCat(run_dir, "/supervisor.json");
}

absl::Status WriteSupervisorStatus(const std::string& path, const nlohmann::json& status) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp);
    out << status.dump() << "\n";
    if (!out) return absl::UnavailableError(absl::StrCat("cannot write ", tmp));
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    return absl::UnavailableError(absl::StrCat("cannot rename ", tmp, " to ", path));
  }
  return absl::OkStatus();
}

}  // namespace gridpilot
