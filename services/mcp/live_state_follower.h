// LiveStateFollower: follows the gateway's tick stream on a thread of its own (as the mcp
// process's identity: reading ticks is open to every role) and, for the newest tick at
// most once per kBoardTickGap of wall time (the run's last tick always), publishes it to the
// LiveStateBoard and calls `on_update` so the transports can send
// notifications/resources/updated to their subscribers.
#ifndef GRIDPILOT_SERVICES_MCP_LIVE_STATE_FOLLOWER_H_
#define GRIDPILOT_SERVICES_MCP_LIVE_STATE_FOLLOWER_H_

#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "absl/time/time.h"
#include "services/common/tick_subscription.h"
#include "services/mcp/live_state_board.h"

namespace gridpilot::mcp {

// A live run's ticks (a tick period of 100 ms or more) all arrive; a backtest's thousands a
// second arrive as about ten a second, each the newest.
inline constexpr absl::Duration kBoardTickGap = absl::Milliseconds(100);

class LiveStateFollower {
 public:
  LiveStateFollower(const std::string& gateway_address, LiveStateBoard* board,
                    std::function<void()> on_update);
  ~LiveStateFollower();
  void Start();
  void Stop();

 private:
  LiveStateBoard* board_;
  std::function<void()> on_update_;
  TickSubscription subscription_;
  std::thread thread_;
};

}  // namespace gridpilot::mcp

#endif  // GRIDPILOT_SERVICES_MCP_LIVE_STATE_FOLLOWER_H_
