#include "agents/common/agent_runtime.h"

#include <algorithm>
#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "core/base/logging.h"
#include "core/base/time_util.h"
#include "services/common/proto_time.h"
#include "services/common/server_runner.h"

namespace gridpilot {

AgentRuntime::AgentRuntime(std::string agent_name, const std::string& gateway_address,
                           TickAgent* agent, AgentMetrics* metrics)
    : agent_name_(std::move(agent_name)), agent_(agent), metrics_(metrics) {
  clock_ = v1::ClockService::NewStub(MakeChannel(gateway_address));
}

absl::Status AgentRuntime::Register(absl::Duration timeout) {
  // Wall time here only bounds retries against a gateway that is still starting.
  const absl::Time give_up = absl::Now() + timeout;
  v1::RegisterAgentRequest request;
  request.set_agent(agent_name_);
  while (true) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(2));
    v1::RegisterAgentResponse response;
    grpc::Status status = clock_->RegisterAgent(&context, request, &response);
    if (status.ok()) {
      agent_->OnRegistered(response.region());
      return absl::OkStatus();
    }
    if (absl::Now() > give_up || stop_) {
      return absl::UnavailableError(
          absl::StrCat("cannot register with the gateway: ", status.error_message()));
    }
    absl::SleepFor(absl::Milliseconds(100));
  }
}

void AgentRuntime::Stop() {
  stop_ = true;
  absl::MutexLock lock(&mu_);
  stopping_ = true;
  if (active_session_ != nullptr) active_session_->TryCancel();
}

v1::AgentSessionRequest AgentRuntime::Answer(const v1::Tick& tick) {
  v1::AgentSessionRequest message;
  v1::SubmitDispatchRequest& answer = *message.mutable_answer();
  for (v1::DispatchProposal& p : agent_->OnTick(tick)) *answer.add_proposals() = std::move(p);
  std::string note = agent_->AnswerNote();
  if (std::optional<std::string> change = silence_.Observe(tick); change.has_value()) {
    if (silence_.silent()) {
      base::LogWarning(*change);
    } else {
      base::LogInfo(*change);
    }
    if (metrics_ != nullptr) metrics_->TelemetrySilent(silence_.silent());
    absl::StrAppend(&note, note.empty() ? "" : "; ", *change);
  }
  answer.set_note(std::move(note));
  if (std::optional<v1::AgentPlan> plan = agent_->AnswerPlan(); plan.has_value()) {
    *answer.mutable_plan() = *std::move(plan);
  }
  *answer.mutable_answers_tick() = tick.time();
  return message;
}

bool AgentRuntime::RunSession(grpc::Status* status) {
  grpc::ClientContext context;
  {
    absl::MutexLock lock(&mu_);
    if (stopping_) return false;
    active_session_ = &context;
  }
  std::unique_ptr<grpc::ClientReaderWriter<v1::AgentSessionRequest, v1::AgentSessionResponse>>
      stream = clock_->AgentSession(&context);
  v1::AgentSessionRequest open;
  open.mutable_open()->set_agent(agent_name_);
  if (last_tick_time_.has_value())
    *open.mutable_open()->mutable_after() = ToProtoTime(*last_tick_time_);
  bool new_tick = false;
  v1::AgentSessionResponse message;
  if (stream->Write(open)) {
    while (!stop_ && stream->Read(&message)) {
      if (message.has_refused()) {
        if (metrics_ != nullptr) metrics_->RpcFailed("AgentSession");
        base::LogError(
            absl::StrCat("answer to tick ",
                         base::FormatUtcTimestamp(FromProtoTime(message.refused().answers_tick())),
                         " refused (it counts as no action): ", message.refused().error()));
        continue;
      }
      const v1::Tick& tick = message.tick();
      const absl::Time time = FromProtoTime(tick.time());
      if (last_tick_time_.has_value() && time <= *last_tick_time_) continue;
      last_tick_time_ = time;
      new_tick = true;
      // Wall time for the latency metrics only; it never enters a decision.
      const absl::Time received = absl::Now();
      v1::AgentSessionRequest answer = Answer(tick);
      const absl::Time decided = absl::Now();
      if (!stream->Write(answer)) break;
      if (metrics_ != nullptr) {
        metrics_->TickAnswered(decided - received, absl::Now() - received,
                               answer.answer().proposals_size());
      }
    }
  }
  *status = stream->Finish();
  absl::MutexLock lock(&mu_);
  active_session_ = nullptr;
  return new_tick;
}

void AgentRuntime::Run() {
  constexpr absl::Duration kFirstRetry = absl::Milliseconds(100);
  constexpr absl::Duration kMaxRetry = absl::Seconds(2);
  absl::Duration retry = kFirstRetry;
  while (true) {
    grpc::Status status;
    if (RunSession(&status)) retry = kFirstRetry;
    if (stop_) return;
    // The gateway ends a session OK only after the run's last tick.
    if (status.ok()) {
      base::LogInfo("run finished; no more ticks");
      return;
    }
    base::LogWarning(
        absl::StrCat("agent session ended (", status.error_message(), "); reconnecting"));
    if (metrics_ != nullptr) {
      metrics_->RpcFailed("AgentSession");
      metrics_->StreamReconnected();
    }
    {
      // Wall time only paces reconnection attempts; Stop() ends the wait early.
      absl::MutexLock lock(&mu_);
      mu_.AwaitWithTimeout(absl::Condition(&stopping_), retry);
    }
    retry = std::min(retry * 2, kMaxRetry);
  }
}

}  // namespace gridpilot
