#include "services/cli/run_record.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"

namespace gridpilot {

std::string RunRecordPath(const std::string& run_dir) { return absl::StrCat(run_dir, "/run.json"); }

absl::Status WriteRunRecord(const std::string& run_dir,
                            const std::map<std::string, std::string>& options) {
  const std::string path = RunRecordPath(run_dir);
  const std::string tmp = path + ".tmp";
  nlohmann::json record = {{"command", "backtest"}, {"options", options}};
  {
    std::ofstream out(tmp);
    out << record.dump(2) << "\n";
    if (!out) return absl::UnavailableError(absl::StrCat("cannot write ", tmp));
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    return absl::UnavailableError(absl::StrCat("cannot rename ", tmp, " to ", path));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::map<std::string, std::string>> ReadRunRecord(const std::string& run_dir) {
  const std::string path = RunRecordPath(run_dir);
  if (!std::filesystem::exists(path)) {
    return absl::NotFoundError(absl::StrCat(path, ": no run record (not a backtest run dir?)"));
  }
  std::ifstream in(path);
  nlohmann::json record = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (record.is_discarded() || !record.is_object() || record.value("command", "") != "backtest" ||
      !record.contains("options") || !record["options"].is_object()) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": not a backtest run record ({\"command\":\"backtest\",\"options\"})"));
  }
  std::map<std::string, std::string> options;
  for (const auto& [key, value] : record["options"].items()) {
    if (!value.is_string()) {
      return absl::InvalidArgumentError(absl::StrCat(path, ": options.", key, " is not a string"));
    }
    options[key] = value.get<std::string>();
  }
  return options;
}

}  // namespace gridpilot
