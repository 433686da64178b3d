#include "services/forecast/model_history.h"

#include <utility>

namespace gridpilot {

void ModelHistory::Add(ServedModel model) {
  absl::MutexLock lock(&mu_);
  if (models_.size() >= kMaxRecords) models_.erase(models_.begin());
  models_.push_back(std::move(model));
}

std::vector<ServedModel> ModelHistory::All() const {
  absl::MutexLock lock(&mu_);
  return models_;
}

std::optional<ServedModel> ModelHistory::Current() const {
  absl::MutexLock lock(&mu_);
  if (models_.empty()) return std::nullopt;
  return models_.back();
}

}  // namespace gridpilot
