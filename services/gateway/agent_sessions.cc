#include "services/gateway/agent_sessions.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <deque>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/base/logging.h"
#include "services/common/grpc_status.h"
#include "services/common/proto_time.h"
#include "services/gateway/input_bounds.h"
#include "services/security/authenticated_caller.h"
#include "services/security/refusal_observer.h"

namespace gridpilot {
namespace {

constexpr char kMethod[] = "/gridpilot.v1.ClockService/AgentSession";
constexpr char kForecasterIdentity[] = "forecast";
// More horizons than any forecast set serves (8 today): a bound on what a forecaster sends.
constexpr int kMaxForecastHorizons = 96;

// A session refused for its credential: audited, then the status that ends it.
grpc::Status Refused(const security::Caller& caller, std::string reason) {
  security::RefusedCall refused;
  refused.method = kMethod;
  refused.identity = caller.identity;
  refused.role = caller.role;
  refused.code = "PERMISSION_DENIED";
  refused.reason = std::move(reason);
  security::ReportRefusal(refused);
  return grpc::Status(grpc::StatusCode::PERMISSION_DENIED, refused.reason);
}

// Steady-clock nanoseconds: only orders the pushes (AgentSessions::PushTicks), never a
// decision.
int64_t SteadyNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

class AgentSessions::Session final : public AgentSessions::Reactor {
 public:
  Session(AgentSessions* owner, std::optional<security::Caller> caller)
      : owner_(owner), run_(owner->run_), caller_(std::move(caller)) {
    StartRead(&request_);
  }

  // Sends the next message (a refusal, else the next tick) unless one is being written;
  // ends the session once the run has finished and every tick is sent.
  void Push() {
    absl::MutexLock lock(&mu_);
    PushLocked();
  }

  // Set once by HandleOpen, before the session is added to the owner's set.
  bool forecaster() const { return forecaster_; }
  // How long the agent took to answer its last tick: from the tick's write to the answer's
  // read (ns, steady clock); 0 before its first answer.
  int64_t last_answer_ns() const { return last_answer_ns_.load(std::memory_order_relaxed); }

  void OnReadDone(bool ok) override {
    if (!ok) {
      // The agent closed its side, or the call is gone: nothing more will be answered.
      absl::MutexLock lock(&mu_);
      FinishLocked(grpc::Status::OK);
      return;
    }
    if (opened_ && !forecaster_) {
      absl::MutexLock lock(&mu_);
      last_answer_ns_.store(SteadyNanos() - tick_written_ns_, std::memory_order_relaxed);
    }
    const grpc::Status handled = opened_ ? HandleAnswer() : HandleOpen();
    if (!handled.ok()) {
      absl::MutexLock lock(&mu_);
      FinishLocked(handled);
      return;
    }
    if (request_.kind_case() == v1::AgentSessionRequest::kOpen) owner_->Add(this);
    {
      absl::MutexLock lock(&mu_);
      if (finished_ || finish_pending_) return;
      PushLocked();  // the first ticks after `open`, or a refusal
    }
    StartRead(&request_);
  }

  void OnWriteDone(bool ok) override {
    absl::MutexLock lock(&mu_);
    writing_ = false;
    if (!ok) {
      FinishLocked(grpc::Status(grpc::StatusCode::CANCELLED, "the agent's stream broke"));
      return;
    }
    if (finish_pending_) {
      FinishLocked(pending_status_);
      return;
    }
    PushLocked();
  }

  void OnCancel() override {
    absl::MutexLock lock(&mu_);
    FinishLocked(grpc::Status::CANCELLED);
  }

  void OnDone() override {
    if (opened_) owner_->Remove(this);
    if (opened_ && forecaster_) {
      run_->ForecasterConnected(false);
      base::LogInfo("forecaster session ended: ticks are released without waiting for it");
    }
    delete this;
  }

 private:
  grpc::Status HandleOpen() {
    if (request_.kind_case() != v1::AgentSessionRequest::kOpen) {
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                          "the first message of a session must be `open`");
    }
    const v1::AgentSessionOpen& open = request_.open();
    if (caller_.has_value() && open.agent() != caller_->identity) {
      return Refused(
          *caller_, absl::StrCat("cannot open a session as agent \"", open.agent(),
                                 "\": the caller is authenticated as \"", caller_->identity, "\""));
    }
    // The roles table lets the forecast process's role (viewer) call the method; only the
    // forecast process may hold a forecaster session, and only agents an agent session.
    if (caller_.has_value() && open.forecaster() && caller_->identity != kForecasterIdentity) {
      return Refused(*caller_, absl::StrCat("\"", caller_->identity,
                                            "\" may not open a forecaster session: only \"",
                                            kForecasterIdentity, "\" may"));
    }
    if (caller_.has_value() && !open.forecaster() && caller_->role != "response" &&
        caller_->role != "trader") {
      return Refused(*caller_,
                     absl::StrCat("role \"", caller_->role, "\" may not call ", kMethod,
                                  " as an agent (only the roles response and trader may)"));
    }
    if (absl::Status valid =
            ValidateIdentifier("open.agent", open.agent(), kMaxAgentNameBytes, /*required=*/true);
        !valid.ok()) {
      return ToGrpcStatus(valid);
    }
    size_t first = 0;
    if (open.has_after()) {
      if (absl::Status valid = ValidateProtoTimestamp("open.after", open.after()); !valid.ok()) {
        return ToGrpcStatus(valid);
      }
      // The first tick strictly after `after` (ticks fall on whole steps of the run).
      first = run_->FirstTickIndexAtOrAfter(FromProtoTime(open.after()) + absl::Nanoseconds(1));
    }
    if (open.forecaster()) {
      run_->ForecasterConnected(true, first);
      base::LogInfo(absl::StrCat("forecaster session opened by \"", open.agent(),
                                 "\": interval ticks wait for its forecast"));
    }
    absl::MutexLock lock(&mu_);
    agent_ = open.agent();
    forecaster_ = open.forecaster();
    next_tick_ = first;
    opened_ = true;
    return grpc::Status::OK;
  }

  grpc::Status HandleForecast() {
    if (request_.kind_case() != v1::AgentSessionRequest::kForecast) {
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                          "after `open`, every message of a forecaster session must be a "
                          "`forecast`");
    }
    const v1::GetNetLoadChangeResponse& forecast = request_.forecast();
    if (!forecast.has_issue_time()) {
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "forecast.issue_time: required");
    }
    if (absl::Status valid = ValidateProtoTimestamp("forecast.issue_time", forecast.issue_time());
        !valid.ok()) {
      return ToGrpcStatus(valid);
    }
    if (forecast.forecasts_size() > kMaxForecastHorizons) {
      return grpc::Status(
          grpc::StatusCode::INVALID_ARGUMENT,
          absl::StrCat("forecast.forecasts: ", forecast.forecasts_size(),
                       " horizons is more than the limit of ", kMaxForecastHorizons));
    }
    run_->AttachForecast(forecast);
    return grpc::Status::OK;
  }

  grpc::Status HandleAnswer() {
    if (forecaster_) return HandleForecast();
    if (request_.kind_case() != v1::AgentSessionRequest::kAnswer) {
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                          "after `open`, every message of a session must be an `answer`");
    }
    v1::SubmitDispatchRequest* answer = request_.mutable_answer();
    if (answer->agent().empty()) answer->set_agent(agent_);
    if (answer->agent() != agent_) {
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                          absl::StrCat("answer.agent: \"", answer->agent(),
                                       "\" is not the session's agent \"", agent_, "\""));
    }
    if (!answer->has_answers_tick()) {
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "answer.answers_tick: required");
    }
    if (caller_.has_value()) {
      // The band comes from the authenticated caller, as for SubmitDispatch.
      for (const v1::DispatchProposal& proposal : answer->proposals()) {
        const absl::Status allowed =
            security::AuthorizeProposal(*caller_, answer->agent(), proposal.priority());
        if (!allowed.ok()) return Refused(*caller_, std::string(allowed.message()));
      }
    }
    absl::StatusOr<std::vector<v1::ProposalResult>> submitted = run_->Submit(*answer);
    if (submitted.ok()) return grpc::Status::OK;
    // The tick is still answered, with no action, so the lock-step does not wait in vain.
    v1::AgentSessionResponse refusal;
    *refusal.mutable_refused()->mutable_answers_tick() = answer->answers_tick();
    refusal.mutable_refused()->set_error(submitted.status().ToString());
    answer->clear_proposals();
    answer->clear_plan();
    answer->clear_note();
    submitted = run_->Submit(*answer);
    absl::MutexLock lock(&mu_);
    refusals_.push_back(std::move(refusal));
    return grpc::Status::OK;
  }

  void PushLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (writing_ || finished_ || finish_pending_ || !opened_) return;
    if (!refusals_.empty()) {
      response_ = std::move(refusals_.front());
      refusals_.pop_front();
      writing_ = true;
      StartWrite(&response_);
      return;
    }
    const GatewayRun::TickAudience audience =
        forecaster_ ? GatewayRun::TickAudience::kForecaster : GatewayRun::TickAudience::kAgents;
    if (!run_->MayHaveTick(next_tick_, audience)) return;  // the tick listener calls again
    switch (
        run_->WaitForTick(next_tick_, absl::ZeroDuration(), response_.mutable_tick(), audience)) {
      case GatewayRun::TickWait::kTick:
        // The tick sent may be later than asked when that one is no longer kept.
        next_tick_ = static_cast<size_t>(response_.tick().sequence()) + 1;
        tick_written_ns_ = SteadyNanos();
        writing_ = true;
        StartWrite(&response_);
        return;
      case GatewayRun::TickWait::kFinished: FinishLocked(grpc::Status::OK); return;
      case GatewayRun::TickWait::kTimeout: return;  // the tick listener calls again
    }
  }

  // Ends the call with `status` now, or after the write in flight.
  void FinishLocked(grpc::Status status) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (finished_) return;
    if (writing_) {
      if (!finish_pending_) pending_status_ = std::move(status);
      finish_pending_ = true;
      return;
    }
    finished_ = true;
    Finish(status);
  }

  AgentSessions* const owner_;
  GatewayRun* const run_;
  const std::optional<security::Caller> caller_;
  v1::AgentSessionRequest request_;  // read callbacks only (gRPC runs them one at a time)
  // Set once by HandleOpen, before the session is added to the owner's set.
  std::string agent_;
  bool forecaster_ = false;
  bool opened_ = false;

  absl::Mutex mu_;
  size_t next_tick_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t tick_written_ns_ ABSL_GUARDED_BY(mu_) = 0;  // SteadyNanos() at the last tick's write
  std::atomic<int64_t> last_answer_ns_{0};
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  bool finish_pending_ ABSL_GUARDED_BY(mu_) = false;
  grpc::Status pending_status_ ABSL_GUARDED_BY(mu_);
  std::deque<v1::AgentSessionResponse> refusals_ ABSL_GUARDED_BY(mu_);
  v1::AgentSessionResponse response_ ABSL_GUARDED_BY(mu_);  // the message being written
};

AgentSessions::AgentSessions(GatewayRun* run) : run_(run) {
  run_->SetTickListener([this] { PushTicks(); });
}

AgentSessions::~AgentSessions() { run_->SetTickListener(nullptr); }

AgentSessions::Reactor* AgentSessions::Open(grpc::CallbackServerContext* context) {
  return new Session(this, security::AuthenticatedCaller(context));
}

void AgentSessions::PushTicks() {
  absl::MutexLock lock(&mu_);
  // Each write takes the run's thread tens of microseconds (gRPC writes inline and the
  // reader wakes), so the later sessions wait for the earlier ones' writes. Lock-step, the
  // tick goes on once the slowest agent has answered: the agent that answered slowest last
  // time goes first. Live, every answer counts on its own: the quickest goes first. The
  // forecaster goes last: lock-step, it is sent ticks ahead of the agents'; live, the
  // agents have nothing new while an interval tick waits for its forecast
  // (GatewayRun::ReleaseTick) (docs/decisions.md, "The lock-step tick's hops").
  const bool slowest_first = run_->mode() == v1::CLOCK_MODE_LOCK_STEP;
  push_order_.assign(sessions_.begin(), sessions_.end());
  std::stable_sort(push_order_.begin(), push_order_.end(), [slowest_first](Session* a, Session* b) {
    if (a->forecaster() != b->forecaster()) return b->forecaster();
    return slowest_first ? a->last_answer_ns() > b->last_answer_ns()
                         : a->last_answer_ns() < b->last_answer_ns();
  });
  for (Session* session : push_order_) session->Push();
}

void AgentSessions::Add(Session* session) {
  absl::MutexLock lock(&mu_);
  sessions_.insert(session);
}

void AgentSessions::Remove(Session* session) {
  absl::MutexLock lock(&mu_);
  sessions_.erase(session);
}

}  // namespace gridpilot
