// LiveStateBoard: the stack's newest tick as JSON, which the live-state resource and the
// grid-state tool read and a follower of the gateway's tick stream writes. Thread-safe.
#ifndef GRIDPILOT_SERVICES_MCP_LIVE_STATE_BOARD_H_
#define GRIDPILOT_SERVICES_MCP_LIVE_STATE_BOARD_H_

#include <cstdint>
#include <nlohmann/json.hpp>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace gridpilot::mcp {

class LiveStateBoard {
 public:
  // Replaces the newest tick (proto3 JSON of gridpilot.v1.Tick).
  void Publish(nlohmann::json tick);
  // The newest tick, or null before the first.
  nlohmann::json Latest() const;
  // How many ticks were published (0 = none yet).
  int64_t published() const;

 private:
  mutable absl::Mutex mutex_;
  nlohmann::json latest_ ABSL_GUARDED_BY(mutex_);
  int64_t published_ ABSL_GUARDED_BY(mutex_) = 0;
};

}  // namespace gridpilot::mcp

#endif  // GRIDPILOT_SERVICES_MCP_LIVE_STATE_BOARD_H_
