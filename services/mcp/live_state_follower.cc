#include "services/mcp/live_state_follower.h"

#include "services/common/server_runner.h"

namespace gridpilot::mcp {
namespace {

TickSubscriptionOptions FollowerOptions() {
  TickSubscriptionOptions options;
  options.subscriber = "mcp";
  options.until_run_finished = false;
  // The board shows the newest tick; a backtest's every tick would cost the gateway and
  // this process a message each, for states no reader sees.
  options.min_tick_gap = kBoardTickGap;
  return options;
}

}  // namespace

LiveStateFollower::LiveStateFollower(const std::string& gateway_address, LiveStateBoard* board,
                                     std::function<void()> on_update)
    : board_(board),
      on_update_(std::move(on_update)),
      subscription_(MakeChannel(gateway_address), FollowerOptions()) {}

LiveStateFollower::~LiveStateFollower() { Stop(); }

void LiveStateFollower::Start() {
  thread_ = std::thread([this] {
    TickCallbacks callbacks;
    callbacks.on_tick = [this](const v1::Tick& tick) {
      board_->Publish(tick);
      on_update_();
    };
    subscription_.Run(callbacks);
  });
}

void LiveStateFollower::Stop() {
  subscription_.Stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace gridpilot::mcp
