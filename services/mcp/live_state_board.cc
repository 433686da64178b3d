#include "services/mcp/live_state_board.h"

namespace gridpilot::mcp {

void LiveStateBoard::Publish(nlohmann::json tick) {
  absl::MutexLock lock(&mutex_);
  latest_ = std::move(tick);
  ++published_;
}

nlohmann::json LiveStateBoard::Latest() const {
  absl::MutexLock lock(&mutex_);
  return latest_;
}

int64_t LiveStateBoard::published() const {
  absl::MutexLock lock(&mutex_);
  return published_;
}

}  // namespace gridpilot::mcp
