#include "agents/common/agent_runtime.h"

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
  std::shared_ptr<grpc::Channel> channel = MakeChannel(gateway_address);
  clock_ = v1::ClockService::NewStub(channel);
  AgentSessionClientOptions options;
  options.agent = agent_name_;
  session_ = std::make_unique<AgentSessionClient>(channel, std::move(options));
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
  session_->Stop();
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

void AgentRuntime::Run() {
  AgentSessionCallbacks callbacks;
  absl::Time decided;
  callbacks.on_tick = [this, &decided](const v1::Tick& tick) {
    v1::AgentSessionRequest answer = Answer(tick);
    decided = absl::Now();  // wall time for the latency metrics only
    return answer;
  };
  callbacks.on_answered = [this, &decided](const v1::AgentSessionRequest& answer,
                                           absl::Time received) {
    if (metrics_ != nullptr) {
      metrics_->TickAnswered(decided - received, absl::Now() - received,
                             answer.answer().proposals_size());
    }
  };
  callbacks.on_refused = [this](const v1::AnswerRefused& refused) {
    if (metrics_ != nullptr) metrics_->RpcFailed("AgentSession");
    base::LogError(absl::StrCat("answer to tick ",
                                base::FormatUtcTimestamp(FromProtoTime(refused.answers_tick())),
                                " refused (it counts as no action): ", refused.error()));
  };
  callbacks.on_session_ended = [this](const grpc::Status& status, absl::Duration) {
    base::LogWarning(
        absl::StrCat("agent session ended (", status.error_message(), "); reconnecting"));
    if (metrics_ != nullptr) {
      metrics_->RpcFailed("AgentSession");
      metrics_->StreamReconnected();
    }
  };
  if (session_->Run(callbacks) == AgentSessionClient::End::kRunFinished) {
    base::LogInfo("run finished; no more ticks");
  }
}

}  // namespace gridpilot
