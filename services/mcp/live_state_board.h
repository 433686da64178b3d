// LiveStateBoard: the stack's newest tick, which the live-state resource and the
// grid-state tool read and a follower of the gateway's tick stream writes. Thread-safe.
// Publishing keeps the tick as it came; it is printed as JSON only when read, so a
// backtest's thousand ticks a second cost the follower no printing nobody asked for.
#ifndef GRIDPILOT_SERVICES_MCP_LIVE_STATE_BOARD_H_
#define GRIDPILOT_SERVICES_MCP_LIVE_STATE_BOARD_H_

#include <cstdint>
#include <nlohmann/json.hpp>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "gridpilot/v1/types.pb.h"

namespace gridpilot::mcp {

class LiveStateBoard {
 public:
  // Replaces the newest tick.
  void Publish(const v1::Tick& tick);
  // The newest tick as proto3 JSON of gridpilot.v1.Tick (ProtoToJson), or null before the
  // first.
  nlohmann::json Latest() const;
  // How many ticks were published (0 = none yet).
  int64_t published() const;

 private:
  mutable absl::Mutex mutex_;
  v1::Tick latest_ ABSL_GUARDED_BY(mutex_);
  int64_t published_ ABSL_GUARDED_BY(mutex_) = 0;
  // Latest() of the tick numbered `printed_number_` (1-based), kept until the next Publish.
  mutable nlohmann::json printed_ ABSL_GUARDED_BY(mutex_);
  mutable int64_t printed_number_ ABSL_GUARDED_BY(mutex_) = 0;
};

}  // namespace gridpilot::mcp

#endif  // GRIDPILOT_SERVICES_MCP_LIVE_STATE_BOARD_H_
