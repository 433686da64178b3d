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
  assets_ = v1::AssetService::NewStub(channel);
  TickSubscriptionOptions options;
  options.subscriber = agent_name_;
  options.first_retry = absl::Milliseconds(100);
  options.max_retry = absl::Seconds(2);
  ticks_ = std::make_unique<TickSubscription>(channel, std::move(options));
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

void AgentRuntime::Answer(const v1::Tick& tick, std::vector<v1::DispatchProposal> proposals,
                          std::string note, std::optional<v1::AgentPlan> plan) {
  v1::SubmitDispatchRequest request;
  request.set_agent(agent_name_);
  request.set_note(std::move(note));
  if (plan.has_value()) *request.mutable_plan() = *std::move(plan);
  *request.mutable_answers_tick() = tick.time();
  for (v1::DispatchProposal& p : proposals) *request.add_proposals() = std::move(p);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  v1::SubmitDispatchResponse response;
  grpc::Status status = assets_->SubmitDispatch(&context, request, &response);
  if (status.ok()) return;
  if (metrics_ != nullptr) metrics_->RpcFailed("SubmitDispatch");
  base::LogError(absl::StrCat("dispatch for tick ",
                              base::FormatUtcTimestamp(FromProtoTime(tick.time())),
                              " refused: ", status.error_message()));
  if (status.error_code() == grpc::StatusCode::INVALID_ARGUMENT) {
    // Still answer the tick, so the lock-step does not wait for us in vain.
    request.clear_proposals();
    grpc::ClientContext retry;
    assets_->SubmitDispatch(&retry, request, &response);
  }
}

void AgentRuntime::Stop() {
  stop_ = true;
  ticks_->Stop();
}

void AgentRuntime::OnTick(const v1::Tick& tick) {
  // Wall time for the latency metrics only; it never enters a decision.
  const absl::Time received = absl::Now();
  std::vector<v1::DispatchProposal> proposals = agent_->OnTick(tick);
  const absl::Time decided = absl::Now();
  const int proposal_count = static_cast<int>(proposals.size());
  Answer(tick, std::move(proposals), agent_->AnswerNote(), agent_->AnswerPlan());
  if (metrics_ != nullptr) {
    metrics_->TickAnswered(decided - received, absl::Now() - received, proposal_count);
  }
}

void AgentRuntime::Run() {
  TickCallbacks callbacks;
  callbacks.on_tick = [this](const v1::Tick& tick) { OnTick(tick); };
  callbacks.on_stream_ended = [this](const grpc::Status& status, absl::Duration) {
    base::LogWarning(
        absl::StrCat("tick stream ended (", status.error_message(), "); reconnecting"));
    if (metrics_ != nullptr) {
      if (!status.ok()) metrics_->RpcFailed("Subscribe");
      metrics_->StreamReconnected();
    }
  };
  ticks_->Run(callbacks);
}

}  // namespace gridpilot
