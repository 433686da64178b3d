#include "services/mcp/live_state_board.h"

#include "services/mcp/proto_json.h"

namespace gridpilot::mcp {

void LiveStateBoard::Publish(const v1::Tick& tick) {
  absl::MutexLock lock(&mutex_);
  latest_ = tick;
  ++published_;
}

nlohmann::json LiveStateBoard::Latest() const {
  absl::MutexLock lock(&mutex_);
  if (published_ == 0) return nullptr;
  if (printed_number_ != published_) {
    absl::StatusOr<nlohmann::json> printed = ProtoToJson(latest_);
    printed_ = printed.ok() ? *std::move(printed) : nlohmann::json(nullptr);
    printed_number_ = published_;
  }
  return printed_;
}

int64_t LiveStateBoard::published() const {
  absl::MutexLock lock(&mutex_);
  return published_;
}

}  // namespace gridpilot::mcp
