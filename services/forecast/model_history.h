// ModelHistory: the net-load change models the forecast process has served, in the order
// they were swapped in: where each came from (startup training, a registry set, a scheduled
// retraining, an operator's ReloadModel), its training cut-off and from which issue time it
// served. GetModels, the metrics and the backtest report read it. Thread-safe.
#ifndef GRIDPILOT_SERVICES_FORECAST_MODEL_HISTORY_H_
#define GRIDPILOT_SERVICES_FORECAST_MODEL_HISTORY_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace gridpilot {

struct ServedModel {
  std::string source;  // "startup", "registry", "retrain" or "reload"
  std::string name;    // as GetNetLoadChange names it
  absl::Time cutoff;   // trained only on intervals that ended by then
  // The first issue time it served (the stack's clock): from then on its forecasts.
  absl::Time first_issue = absl::InfinitePast();
  // Wall seconds of its training (startup: training or loading from the model cache;
  // 0 for a registry set).
  double training_wall_seconds = 0.0;
  // Wall seconds the tick pipeline waited for its training to finish (0: none).
  double waited_wall_seconds = 0.0;
  int64_t training_intervals = 0;  // 0 when not known (a loaded set without the field)
};

class ModelHistory {
 public:
  // At most this many records are kept (the oldest are dropped; a daily retraining for
  // ten years stays within it).
  static constexpr size_t kMaxRecords = 4096;

  void Add(ServedModel model);
  std::vector<ServedModel> All() const;
  // The newest record; nullopt before the first.
  std::optional<ServedModel> Current() const;

 private:
  mutable absl::Mutex mu_;
  std::vector<ServedModel> models_ ABSL_GUARDED_BY(mu_);
};

}  // namespace gridpilot

#endif  // GRIDPILOT_SERVICES_FORECAST_MODEL_HISTORY_H_
