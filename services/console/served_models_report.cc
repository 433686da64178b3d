#include "services/console/served_models_report.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/base/time_util.h"
#include "services/common/proto_time.h"

namespace gridpilot {

nlohmann::json ServedModelsJson(const v1::GetModelsResponse& models) {
  nlohmann::json out = {{"every", models.retrain_every()},
                        {"at", models.retrain_at()},
                        {"training_days", models.retrain_training_days()},
                        {"latest_issue_time", nullptr},
                        {"cutoffs", nlohmann::json::array()},
                        {"models", nlohmann::json::array()}};
  const bool reached = models.has_latest_issue_time();
  const absl::Time latest = FromProtoTime(models.latest_issue_time());
  if (reached) out["latest_issue_time"] = base::FormatUtcTimestamp(latest);
  for (const v1::ServedModelRecord& m : models.models()) {
    const absl::Time cutoff = FromProtoTime(m.cutoff());
    if (m.source() == "retrain") out["cutoffs"].push_back(base::FormatUtcTimestamp(cutoff));
    nlohmann::json record = {{"source", m.source()},
                             {"model", m.model()},
                             {"cutoff", base::FormatUtcTimestamp(cutoff)},
                             {"first_issue_time", nullptr},
                             {"age_seconds", nullptr},
                             {"training_wall_seconds", m.training_wall_seconds()},
                             {"waited_wall_seconds", m.waited_wall_seconds()},
                             {"training_intervals", m.training_intervals()}};
    if (m.has_first_issue_time()) {
      record["first_issue_time"] = base::FormatUtcTimestamp(FromProtoTime(m.first_issue_time()));
    }
    if (reached) record["age_seconds"] = absl::ToDoubleSeconds(latest - cutoff);
    out["models"].push_back(std::move(record));
  }
  return out;
}

std::string ServedModelsTable(const v1::GetModelsResponse& models) {
  const nlohmann::json j = ServedModelsJson(models);
  std::string out =
      absl::StrFormat("  %-8s  %-20s  %-20s  %9s  %8s  %8s  %s\n", "source", "cut-off",
                      "first issue", "age days", "train s", "waited s", "intervals");
  for (size_t i = 0; i < j["models"].size(); ++i) {
    const nlohmann::json& m = j["models"][i];
    const bool serving = i + 1 == j["models"].size();
    absl::StrAppend(
        &out, absl::StrFormat(
                  "%s %-8s  %-20s  %-20s  %9s  %8.1f  %8.1f  %d\n", serving ? "*" : " ",
                  m["source"].get<std::string>(), m["cutoff"].get<std::string>(),
                  m["first_issue_time"].is_null() ? "-" : m["first_issue_time"].get<std::string>(),
                  m["age_seconds"].is_null()
                      ? std::string("-")
                      : absl::StrFormat("%.1f", m["age_seconds"].get<double>() / 86400.0),
                  m["training_wall_seconds"].get<double>(), m["waited_wall_seconds"].get<double>(),
                  m["training_intervals"].get<int64_t>()));
  }
  absl::StrAppend(&out, absl::StrFormat("  (* serving) retraining: every %s at %s UTC on %d days; "
                                        "clock at %s\n",
                                        j["every"].get<std::string>(), j["at"].get<std::string>(),
                                        j["training_days"].get<int>(),
                                        j["latest_issue_time"].is_null()
                                            ? std::string("-")
                                            : j["latest_issue_time"].get<std::string>()));
  return out;
}

}  // namespace gridpilot
