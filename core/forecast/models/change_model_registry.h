// The walk-forward model registry of the net-load change forecaster. `gridpilot train`
// publishes one model set per cut-off C, trained only on data before C:
//   <root>/change_<C as YYYYMMDDTHHMMSSZ>/change_h<h>.json   one XGBoost JSON per horizon
//   <root>/change_<C ...>/metadata.json
// metadata.json holds at least {"target": "change", "cutoff": C, "horizons": [...],
// "features": [...]} and whatever the trainer adds (training window, parameters,
// validation metrics). A set is written into a temporary directory and renamed into
// place, so a reader never sees half a set. Readers pick the newest set whose cut-off is
// at or before the time they forecast from: a set trained on data up to C is never used
// for a forecast issued before C.
#ifndef GRIDPILOT_CORE_FORECAST_MODELS_CHANGE_MODEL_REGISTRY_H_
#define GRIDPILOT_CORE_FORECAST_MODELS_CHANGE_MODEL_REGISTRY_H_

#include <nlohmann/json.hpp>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "core/forecast/models/net_load_change_forecaster.h"

namespace gridpilot::forecast::models {

struct ChangeModelSet {
  NetLoadChangeForecaster forecaster;
  absl::Time cutoff;
  std::string path;         // the set's directory
  nlohmann::json metadata;  // metadata.json as written
};

// Publishes `forecaster` as the set for `cutoff` under `root` (created if needed), with
// `metadata` plus the fields above (which it overwrites). AlreadyExists if a set for that
// cut-off is published; Internal on an I/O failure (nothing is left half-written).
absl::Status PublishChangeModelSet(const std::string& root,
                                   const NetLoadChangeForecaster& forecaster, absl::Time cutoff,
                                   nlohmann::json metadata);

// True if a set for `cutoff` is published under `root`.
bool ChangeModelSetPublished(const std::string& root, absl::Time cutoff);

// The published set with the newest cut-off at or before `not_after`. Sets with damaged
// metadata or another build's features are skipped with a warning. NotFound if there is
// none (or no root); the chosen set's load errors name its files.
absl::StatusOr<ChangeModelSet> LoadNewestChangeModelSet(const std::string& root,
                                                        absl::Time not_after);

}  // namespace gridpilot::forecast::models

#endif  // GRIDPILOT_CORE_FORECAST_MODELS_CHANGE_MODEL_REGISTRY_H_
