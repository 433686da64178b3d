#include "services/alerts/supervisor_file.h"

#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"

namespace gridpilot {

absl::StatusOr<std::map<std::string, alerts::ProcessState>> ParseSupervisorFile(
    const std::string& text, const std::string& path) {
  using Json = nlohmann::json;
  Json root;
  try {
    root = Json::parse(text);
  } catch (const Json::exception& e) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": not valid JSON: ", e.what()));
  }
  if (!root.is_object() || !root.contains("processes") || !root.at("processes").is_array()) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": processes: must be a list"));
  }
  std::map<std::string, alerts::ProcessState> processes;
  const Json& list = root.at("processes");
  for (size_t i = 0; i < list.size(); ++i) {
    const std::string where = absl::StrCat(path, ": processes[", i, "]");
    const Json& p = list[i];
    if (!p.is_object() || !p.contains("name") || !p.at("name").is_string()) {
      return absl::InvalidArgumentError(absl::StrCat(where, ".name: must be a string"));
    }
    alerts::ProcessState& state = processes[p.at("name").get<std::string>()];
    if (p.contains("restarts")) {
      const Json& r = p.at("restarts");
      if (!r.is_number_integer() || r.get<int64_t>() < 0) {
        return absl::InvalidArgumentError(
            absl::StrCat(where, ".restarts: must be a whole number >= 0"));
      }
      state.restarts = r.get<int64_t>();
    }
    if (p.contains("state") && p.at("state").is_string()) {
      state.given_up = p.at("state").get<std::string>() == "given_up";
    }
    if (p.contains("last_exit") && p.at("last_exit").is_string()) {
      state.last_exit = p.at("last_exit").get<std::string>();
    }
  }
  return processes;
}

}  // namespace gridpilot
