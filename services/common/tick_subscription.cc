#include "services/common/tick_subscription.h"

#include <algorithm>
#include <chrono>
#include <utility>

#include "core/base/logging.h"
#include "services/common/proto_time.h"

namespace gridpilot {

TickSubscription::TickSubscription(std::shared_ptr<grpc::Channel> gateway,
                                   TickSubscriptionOptions options)
    : options_(std::move(options)),
      telemetry_(v1::TelemetryService::NewStub(gateway)),
      clock_(v1::ClockService::NewStub(gateway)) {}

void TickSubscription::Stop() {
  absl::MutexLock lock(&mu_);
  stopping_ = true;
  if (active_stream_ != nullptr) active_stream_->TryCancel();
}

bool TickSubscription::stopping() const {
  absl::MutexLock lock(&mu_);
  return stopping_;
}

bool TickSubscription::RunFinished() {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(2));
  v1::GetClockStatusResponse status;
  return clock_->GetClockStatus(&context, v1::GetClockStatusRequest(), &status).ok() &&
         status.state() == v1::RUN_STATE_FINISHED;
}

bool TickSubscription::FollowOneStream(const TickCallbacks& callbacks, grpc::Status* status) {
  grpc::ClientContext context;
  v1::SubscribeRequest request;
  request.set_subscriber(options_.subscriber);
  if (last_tick_time_.has_value()) *request.mutable_from_time() = ToProtoTime(*last_tick_time_);
  if (options_.min_tick_gap > absl::ZeroDuration()) {
    *request.mutable_min_tick_gap() = ToProtoDuration(options_.min_tick_gap);
  }
  {
    absl::MutexLock lock(&mu_);
    if (stopping_) return false;
    active_stream_ = &context;
  }
  std::unique_ptr<grpc::ClientReader<v1::SubscribeResponse>> reader =
      telemetry_->Subscribe(&context, request);
  bool up = false;
  bool new_tick = false;
  v1::SubscribeResponse message;
  while (!stopping() && reader->Read(&message)) {
    const v1::Tick& tick = message.tick();
    if (!up) {
      up = true;
      if (callbacks.on_stream_up) callbacks.on_stream_up();
    }
    const absl::Time time = FromProtoTime(tick.time());
    if (last_tick_time_.has_value() && time <= *last_tick_time_) continue;
    last_tick_time_ = time;
    new_tick = true;
    callbacks.on_tick(tick);
  }
  *status = reader->Finish();
  absl::MutexLock lock(&mu_);
  active_stream_ = nullptr;
  return new_tick;
}

TickSubscription::End TickSubscription::Run(const TickCallbacks& callbacks) {
  absl::Duration retry = options_.first_retry;
  while (true) {
    grpc::Status status;
    if (FollowOneStream(callbacks, &status)) retry = options_.first_retry;
    if (stopping()) return End::kStopped;
    if (options_.until_run_finished && status.ok() && RunFinished()) {
      base::LogInfo("run finished; no more ticks");
      return End::kRunFinished;
    }
    if (callbacks.on_stream_ended) callbacks.on_stream_ended(status, retry);
    {
      // Wall time only paces reconnection attempts; Stop() ends the wait early.
      absl::MutexLock lock(&mu_);
      mu_.AwaitWithTimeout(absl::Condition(&stopping_), retry);
    }
    retry = std::min(retry * 2, options_.max_retry);
  }
}

}  // namespace gridpilot
