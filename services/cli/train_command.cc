#include "services/cli/train_command.h"

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "core/base/time_util.h"
#include "core/data/grid_data_loader.h"
#include "core/forecast/eval/change_forecast_eval.h"
#include "core/forecast/models/change_model_registry.h"
#include "services/cli/offline_region_data.h"

namespace gridpilot {
namespace {

int Fail(int code, const std::string& message) {
  std::fprintf(stderr, "gridpilot train: %s\n", message.c_str());
  return code;
}

// A whole number in [low, high] from --key, or `fallback` when absent. False if bad.
bool ReadDays(const std::map<std::string, std::string>& o, const std::string& key, int low,
              int high, int* days) {
  if (!o.contains(key)) return true;
  return absl::SimpleAtoi(o.at(key), days) && *days >= low && *days <= high;
}

}  // namespace

int RunTrainCommand(const std::map<std::string, std::string>& o) {
  for (const char* required : {"target", "from", "to", "registry"}) {
    if (!o.contains(required)) return Fail(2, absl::StrFormat("--%s is required", required));
  }
  if (o.at("target") != "change") {
    return Fail(2, absl::StrFormat("--target %s: only change models are trained and served "
                                   "from a registry",
                                   o.at("target")));
  }
  absl::StatusOr<absl::Time> from = base::ParseUtcDate(o.at("from"));
  absl::StatusOr<absl::Time> to_day = base::ParseUtcDate(o.at("to"));
  if (!from.ok()) return Fail(2, absl::StrFormat("--from: %s", from.status().message()));
  if (!to_day.ok()) return Fail(2, absl::StrFormat("--to: %s", to_day.status().message()));
  const absl::Time end = *to_day + absl::Hours(24);  // --to is inclusive
  if (end <= *from) return Fail(2, "--to must not be before --from");
  int every_days = 30, training_days = 365;
  if (!ReadDays(o, "every_days", 1, 3660, &every_days)) {
    return Fail(2, "--every_days must be a whole number of days in 1..3660");
  }
  if (!ReadDays(o, "training_days", 28, 3660, &training_days)) {
    return Fail(2, "--training_days must be a whole number of days in 28..3660");
  }

  absl::StatusOr<OfflineRegionData> region = LoadOfflineRegionData(o);
  if (!region.ok()) return Fail(1, std::string(region.status().message()));
  const std::vector<data::GridMeasurement> all = ScaledMeasurements(*region);
  // Each training row and replayed forecast sees only the vintages published before it.
  absl::StatusOr<std::vector<data::DayAheadForecastRow>> day_ahead = ScaledDayAhead(*region);
  if (!day_ahead.ok()) return Fail(1, std::string(day_ahead.status().message()));
  const std::vector<int>& horizons = forecast::models::ServedChangeHorizons();
  const ml::XgboostParams params;
  std::printf(
      "walk-forward training of the change models, a cut-off every %d days from %s to "
      "%s, each on the %d days before it; registry %s\n",
      every_days, o.at("from").c_str(), o.at("to").c_str(), training_days,
      o.at("registry").c_str());
  std::printf(
      "  cut-off                training rows  train s   next-period MAE h1 MW "
      "(seasonal naive, persistence)\n");
  if (o.contains("config")) std::printf("  region: %s\n", region->description.c_str());
  std::fflush(stdout);
  int published = 0, kept = 0;
  for (absl::Time cutoff = *from; cutoff < end; cutoff += absl::Hours(24 * every_days)) {
    const absl::Time next = std::min(cutoff + absl::Hours(24 * every_days), end);
    const absl::Time train_from = cutoff - absl::Hours(24 * training_days);
    if (forecast::models::ChangeModelSetPublished(o.at("registry"), cutoff)) {
      std::printf("  %s   already published, kept\n", base::FormatUtcTimestamp(cutoff).c_str());
      ++kept;
      continue;
    }
    std::vector<data::GridMeasurement> history;
    for (const data::GridMeasurement& m : all) {
      if (m.interval_start >= train_from && m.interval_start < cutoff) history.push_back(m);
    }
    // Wall time measures the training for the report; it is not an input to the models.
    const absl::Time began = absl::Now();
    absl::StatusOr<forecast::models::NetLoadChangeForecaster> forecaster =
        forecast::models::NetLoadChangeForecaster::Train(history, horizons, params, *day_ahead,
                                                         region->holidays);
    if (!forecaster.ok()) {
      return Fail(1, absl::StrFormat("cut-off %s: %s", base::FormatUtcTimestamp(cutoff),
                                     forecaster.status().message()));
    }
    const double train_seconds = absl::ToDoubleSeconds(absl::Now() - began);
    // Out of sample: the period this set would serve, until the next cut-off.
    absl::StatusOr<std::vector<forecast::eval::ChangeEvalRow>> rows =
        forecast::eval::ReplayChangeForecasts(*forecaster, all, cutoff, next,
                                              std::vector<double>(horizons.size(), 0.0), nullptr,
                                              *day_ahead, region->holidays);
    if (!rows.ok()) return Fail(1, std::string(rows.status().message()));
    nlohmann::json validation = {{"from", base::FormatUtcTimestamp(cutoff)},
                                 {"to", base::FormatUtcTimestamp(next)}};
    for (int h : horizons) {
      const forecast::eval::HorizonMetrics m = forecast::eval::ScoreHorizon(*rows, h);
      validation["horizons"].push_back({{"horizon_intervals", h},
                                        {"rows", m.rows},
                                        {"mae_mw", m.model_mae_mw},
                                        {"seasonal_naive_mae_mw", m.seasonal_mae_mw},
                                        {"persistence_mae_mw", m.persistence_mae_mw}});
    }
    const nlohmann::json metadata = {{"training_from", base::FormatUtcTimestamp(train_from)},
                                     {"training_to", base::FormatUtcTimestamp(cutoff)},
                                     {"training_intervals", history.size()},
                                     {"params",
                                      {{"num_rounds", params.num_rounds},
                                       {"max_depth", params.max_depth},
                                       {"eta", params.eta},
                                       {"subsample", params.subsample},
                                       {"colsample_bytree", params.colsample_bytree},
                                       {"min_child_weight", params.min_child_weight},
                                       {"seed", params.seed}}},
                                     {"train_wall_seconds", train_seconds},
                                     {"holidays", region->holidays.Describe()},
                                     {"validation", validation}};
    absl::Status status =
        forecast::models::PublishChangeModelSet(o.at("registry"), *forecaster, cutoff, metadata);
    if (!status.ok()) return Fail(1, std::string(status.message()));
    ++published;
    const nlohmann::json& h1 = validation["horizons"][0];
    std::printf("  %s   %13zu  %7.1f   %8.3f (%.3f, %.3f)\n",
                base::FormatUtcTimestamp(cutoff).c_str(), history.size(), train_seconds,
                h1["mae_mw"].get<double>(), h1["seasonal_naive_mae_mw"].get<double>(),
                h1["persistence_mae_mw"].get<double>());
    std::fflush(stdout);
  }
  std::printf("  %d sets published, %d already there\n", published, kept);
  return 0;
}

}  // namespace gridpilot
