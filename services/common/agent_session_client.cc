#include "services/common/agent_session_client.h"

#include <algorithm>
#include <utility>

#include "absl/time/clock.h"
#include "services/common/proto_time.h"

namespace gridpilot {

AgentSessionClient::AgentSessionClient(std::shared_ptr<grpc::Channel> gateway,
                                       AgentSessionClientOptions options)
    : options_(std::move(options)), clock_(v1::ClockService::NewStub(gateway)) {}

void AgentSessionClient::Stop() {
  absl::MutexLock lock(&mu_);
  stopping_ = true;
  if (active_session_ != nullptr) active_session_->TryCancel();
}

bool AgentSessionClient::stopping() const {
  absl::MutexLock lock(&mu_);
  return stopping_;
}

bool AgentSessionClient::RunSession(const AgentSessionCallbacks& callbacks, grpc::Status* status) {
  grpc::ClientContext context;
  {
    absl::MutexLock lock(&mu_);
    if (stopping_) return false;
    active_session_ = &context;
  }
  std::unique_ptr<grpc::ClientReaderWriter<v1::AgentSessionRequest, v1::AgentSessionResponse>>
      stream = clock_->AgentSession(&context);
  v1::AgentSessionRequest open;
  open.mutable_open()->set_agent(options_.agent);
  open.mutable_open()->set_forecaster(options_.forecaster);
  if (last_tick_time_.has_value()) {
    *open.mutable_open()->mutable_after() = ToProtoTime(*last_tick_time_);
  }
  bool new_tick = false;
  v1::AgentSessionResponse message;
  if (stream->Write(open)) {
    while (!stopping() && stream->Read(&message)) {
      if (message.has_refused()) {
        if (callbacks.on_refused) callbacks.on_refused(message.refused());
        continue;
      }
      const v1::Tick& tick = message.tick();
      const absl::Time time = FromProtoTime(tick.time());
      if (last_tick_time_.has_value() && time <= *last_tick_time_) continue;
      last_tick_time_ = time;
      new_tick = true;
      // Wall time for the latency metrics only; it never enters a decision.
      const absl::Time received = absl::Now();
      const v1::AgentSessionRequest answer = callbacks.on_tick(tick);
      if (!stream->Write(answer)) break;
      if (callbacks.on_answered) callbacks.on_answered(answer, received);
    }
  }
  *status = stream->Finish();
  absl::MutexLock lock(&mu_);
  active_session_ = nullptr;
  return new_tick;
}

AgentSessionClient::End AgentSessionClient::Run(const AgentSessionCallbacks& callbacks) {
  absl::Duration retry = options_.first_retry;
  while (true) {
    grpc::Status status;
    if (RunSession(callbacks, &status)) retry = options_.first_retry;
    if (stopping()) return End::kStopped;
    // The gateway ends a session OK only after the run's last tick.
    if (status.ok()) return End::kRunFinished;
    if (callbacks.on_session_ended) callbacks.on_session_ended(status, retry);
    {
      // Wall time only paces reconnection attempts; Stop() ends the wait early.
      absl::MutexLock lock(&mu_);
      mu_.AwaitWithTimeout(absl::Condition(&stopping_), retry);
    }
    retry = std::min(retry * 2, options_.max_retry);
  }
}

}  // namespace gridpilot
