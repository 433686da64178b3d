#include "services/cli/retrain_config.h"

#include <fstream>
#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace gridpilot {

absl::StatusOr<forecast::RetrainSchedule> ReadRetrainConfig(const std::string& path) {
  if (path.empty()) return forecast::RetrainSchedule{};
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot open"));
  const nlohmann::json root = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (!root.is_object() || !root.contains("retrain")) return forecast::RetrainSchedule{};
  const std::string where = absl::StrCat(path, ": retrain");
  const nlohmann::json& section = root.at("retrain");
  if (!section.is_object()) {
    return absl::InvalidArgumentError(absl::StrCat(where, ": must be an object"));
  }
  std::string every = "none", at = "00:00";
  int training_days = 365;
  for (const auto& [key, value] : section.items()) {
    if (key == "every" || key == "at") {
      if (!value.is_string()) {
        return absl::InvalidArgumentError(absl::StrCat(where, ".", key, ": must be a string"));
      }
      (key == "every" ? every : at) = value.get<std::string>();
    } else if (key == "training_days") {
      if (!value.is_number_integer()) {
        return absl::InvalidArgumentError(
            absl::StrCat(where, ".training_days: must be a whole number"));
      }
      const int64_t days = value.get<int64_t>();
      if (days < forecast::kMinRetrainTrainingDays || days > forecast::kMaxRetrainTrainingDays) {
        return absl::InvalidArgumentError(absl::StrCat(
            where, ".training_days: ", days, " is not in ", forecast::kMinRetrainTrainingDays, "..",
            forecast::kMaxRetrainTrainingDays));
      }
      training_days = static_cast<int>(days);
    } else {
      return absl::InvalidArgumentError(absl::StrCat(where, ".", key, ": unknown key"));
    }
  }
  return forecast::ParseRetrainSchedule(every, at, training_days, where);
}

std::vector<std::string> RetrainForecastFlags(const forecast::RetrainSchedule& schedule,
                                              bool lock_step) {
  if (schedule.cadence == forecast::RetrainCadence::kNone) return {};
  return {absl::StrCat("--retrain_every=", forecast::CadenceName(schedule.cadence)),
          absl::StrFormat("--retrain_at=%02d:%02d", absl::ToInt64Hours(schedule.at),
                          absl::ToInt64Minutes(schedule.at) % 60),
          absl::StrCat("--retrain_training_days=", schedule.training_days),
          absl::StrCat("--retrain_swap=", lock_step ? "at_cutoff" : "when_ready")};
}

}  // namespace gridpilot
