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
  telemetry_ = v1::TelemetryService::NewStub(channel);
  assets_ = v1::AssetService::NewStub(channel);
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

bool AgentRuntime::RunFinished() {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(2));
  v1::GetClockStatusResponse status;
  return clock_->GetClockStatus(&context, v1::GetClockStatusRequest(), &status).ok() &&
         status.state() == v1::RUN_STATE_FINISHED;
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
  base::LogError(absl::StrCat("dispatch for tick ", base::FormatUtcTimestamp(FromProtoTime(tick.time())),
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
  absl::MutexLock lock(&mu_);
  if (active_stream_ != nullptr) active_stream_->TryCancel();
}

void AgentRuntime::Run() {
  std::optional<absl::Time> last_seen;
  absl::Duration backoff = absl::Milliseconds(100);
  while (!stop_) {
    grpc::ClientContext context;
    v1::SubscribeRequest request;
    request.set_subscriber(agent_name_);
    if (last_seen.has_value()) {
      *request.mutable_from_time() = ToProtoTime(*last_seen + absl::Nanoseconds(1));
    }
    {
      absl::MutexLock lock(&mu_);
      if (stop_) break;
      active_stream_ = &context;
    }
    std::unique_ptr<grpc::ClientReader<v1::SubscribeResponse>> reader =
        telemetry_->Subscribe(&context, request);
    v1::SubscribeResponse message;
    while (!stop_ && reader->Read(&message)) {
      const v1::Tick& tick = message.tick();
      backoff = absl::Milliseconds(100);
      last_seen = FromProtoTime(tick.time());
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
    grpc::Status status = reader->Finish();
    {
      absl::MutexLock lock(&mu_);
      active_stream_ = nullptr;
    }
    if (stop_) break;
    if (status.ok() && RunFinished()) {
      base::LogInfo("run finished; no more ticks");
      return;
    }
    base::LogWarning(absl::StrCat("tick stream ended (", status.error_message(), "); reconnecting"));
    if (metrics_ != nullptr) {
      if (!status.ok()) metrics_->RpcFailed("Subscribe");
      metrics_->StreamReconnected();
    }
    absl::SleepFor(backoff);
    backoff = std::min(backoff * 2, absl::Seconds(2));
  }
}

}  // namespace gridpilot
