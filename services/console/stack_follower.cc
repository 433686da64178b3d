#include "services/console/stack_follower.h"

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "absl/strings/str_cat.h"
#include "services/common/proto_time.h"
#include "services/common/server_runner.h"
#include "services/console/served_models_report.h"

namespace gridpilot {
namespace {

std::chrono::system_clock::time_point Deadline(absl::Duration d) {
  return absl::ToChronoTime(absl::Now() + d);
}

std::string Describe(const grpc::Status& status) {
  return absl::StrCat("code ", static_cast<int>(status.error_code()), ": ", status.error_message());
}

constexpr absl::Duration kUnaryTimeout = absl::Seconds(5);

}  // namespace

StackFollower::StackFollower(const StackAddresses& addresses, ConsoleState* state,
                             StackFollowerOptions options)
    : options_(options), state_(state) {
  std::shared_ptr<grpc::Channel> gateway = MakeChannel(addresses.gateway);
  std::shared_ptr<grpc::Channel> forecast = MakeChannel(addresses.forecast);
  telemetry_ = v1::TelemetryService::NewStub(gateway);
  TickSubscriptionOptions follow;
  follow.subscriber = "console";
  follow.first_retry = options_.retry_period;
  follow.max_retry = options_.retry_period;
  follow.until_run_finished = false;
  ticks_ = std::make_unique<TickSubscription>(gateway, std::move(follow));
  assets_ = v1::AssetService::NewStub(gateway);
  ledger_ = v1::LedgerService::NewStub(gateway);
  forecast_ = v1::ForecastService::NewStub(forecast);
  anomalies_ = v1::AnomalyService::NewStub(forecast);
  response_ = v1::ResponseService::NewStub(MakeChannel(addresses.response));
  trader_ = v1::TraderService::NewStub(MakeChannel(addresses.trader));
}

StackFollower::~StackFollower() { Stop(); }

void StackFollower::Start() {
  absl::MutexLock lock(&mu_);
  if (started_ || stopping_.HasBeenNotified()) return;
  started_ = true;
  threads_.emplace_back([this] { FollowTelemetry(); });
  threads_.emplace_back([this] { FollowAnomalies(); });
  threads_.emplace_back([this] { Poll(); });
}

void StackFollower::Stop() {
  {
    absl::MutexLock lock(&mu_);
    if (!stopping_.HasBeenNotified()) stopping_.Notify();
    for (grpc::ClientContext* context : calls_) context->TryCancel();
  }
  ticks_->Stop();
  for (std::thread& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
}

bool StackFollower::Pause(absl::Duration d) { return !stopping_.WaitForNotificationWithTimeout(d); }

bool StackFollower::Track(grpc::ClientContext* context) {
  absl::MutexLock lock(&mu_);
  if (stopping_.HasBeenNotified()) return false;
  calls_.insert(context);
  return true;
}

void StackFollower::Untrack(grpc::ClientContext* context) {
  absl::MutexLock lock(&mu_);
  calls_.erase(context);
}

void StackFollower::FetchForecast(const google::protobuf::Timestamp& issue_time,
                                  absl::Duration max_wait) {
  grpc::ClientContext context;
  context.set_deadline(Deadline(max_wait + kUnaryTimeout));
  v1::GetNetLoadChangeRequest request;
  *request.mutable_issue_time() = issue_time;
  *request.mutable_max_wait() = ToProtoDuration(max_wait);
  v1::GetNetLoadChangeResponse response;
  if (!Track(&context)) return;
  const grpc::Status status = forecast_->GetNetLoadChange(&context, request, &response);
  Untrack(&context);
  if (status.ok()) {
    state_->AddForecast(response);
    state_->SetSourceStatus("forecast", "");
  } else if (status.error_code() != grpc::StatusCode::NOT_FOUND &&
             status.error_code() != grpc::StatusCode::DEADLINE_EXCEEDED &&
             status.error_code() != grpc::StatusCode::CANCELLED) {
    state_->SetSourceStatus("forecast", Describe(status));
  }
}

void StackFollower::FollowTelemetry() {
  TickCallbacks callbacks;
  callbacks.on_stream_up = [this] { state_->SetSourceStatus("gateway", ""); };
  callbacks.on_tick = [this](const v1::Tick& tick) {
    state_->AddTick(tick);
    // The forecast of an interval tick is issued once the forecast process has it; for a
    // replayed (old) tick it is there already or gone (NotFound).
    if (tick.interval_boundary()) FetchForecast(tick.time(), options_.forecast_wait);
  };
  callbacks.on_stream_ended = [this](const grpc::Status& status, absl::Duration) {
    if (status.ok()) {
      state_->SetSourceStatus("gateway", "");
    } else if (status.error_code() != grpc::StatusCode::CANCELLED) {
      state_->SetSourceStatus("gateway", Describe(status));
    }
  };
  ticks_->Run(callbacks);
}

void StackFollower::FollowAnomalies() {
  while (!stopping_.HasBeenNotified()) {
    // What was flagged before (or while) the stream was down, then the stream.
    {
      grpc::ClientContext context;
      context.set_deadline(Deadline(kUnaryTimeout));
      v1::ListAnomaliesRequest request;
      request.set_limit(options_.anomalies_limit);
      v1::ListAnomaliesResponse response;
      if (!Track(&context)) return;
      const grpc::Status status = anomalies_->ListAnomalies(&context, request, &response);
      Untrack(&context);
      if (!status.ok()) {
        state_->SetSourceStatus("anomalies", Describe(status));
        if (!Pause(options_.retry_period)) return;
        continue;
      }
      for (const v1::Anomaly& a : response.anomalies()) state_->AddAnomaly(a);
      state_->SetSourceStatus("anomalies", "");
    }
    grpc::ClientContext context;
    if (!Track(&context)) return;
    std::unique_ptr<grpc::ClientReader<v1::StreamAnomaliesResponse>> reader =
        anomalies_->StreamAnomalies(&context, v1::StreamAnomaliesRequest());
    v1::StreamAnomaliesResponse message;
    while (reader->Read(&message)) state_->AddAnomaly(message.anomaly());
    const grpc::Status status = reader->Finish();
    Untrack(&context);
    if (!status.ok() && status.error_code() != grpc::StatusCode::CANCELLED) {
      state_->SetSourceStatus("anomalies", Describe(status));
    }
    if (!Pause(options_.retry_period)) return;
  }
}

void StackFollower::ReadSupervisorStatus() {
  if (options_.supervisor_status_path.empty()) return;
  std::ifstream in(options_.supervisor_status_path);
  if (!in) return;  // not written yet
  // The launcher renames a whole file into place, so a read sees a complete one.
  nlohmann::json status = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (status.is_discarded() || !status.contains("processes") || !status["processes"].is_array()) {
    state_->SetSourceStatus("supervisor", absl::StrCat(options_.supervisor_status_path,
                                                       ": not a supervisor status file"));
    return;
  }
  state_->SetSourceStatus("supervisor", "");
  state_->SetProcesses(status["processes"]);
}

void StackFollower::PollOnce() {
  ReadSupervisorStatus();
  auto call = [this](const char* source, auto&& rpc) {
    grpc::ClientContext context;
    context.set_deadline(Deadline(kUnaryTimeout));
    if (!Track(&context)) return;
    const grpc::Status status = rpc(&context);
    Untrack(&context);
    state_->SetSourceStatus(source, status.ok() ? "" : Describe(status));
  };
  call("response", [this](grpc::ClientContext* c) {
    v1::ListEventsRequest request;
    request.set_limit(options_.events_limit);
    v1::ListEventsResponse response;
    grpc::Status s = response_->ListEvents(c, request, &response);
    if (s.ok()) state_->SetEvents(response);
    return s;
  });
  call("trader", [this](grpc::ClientContext* c) {
    v1::GetScheduleResponse response;
    grpc::Status s = trader_->GetSchedule(c, v1::GetScheduleRequest(), &response);
    if (s.ok()) state_->SetSchedule(response);
    return s;
  });
  call("ledger", [this](grpc::ClientContext* c) {
    v1::GetPnlResponse response;
    grpc::Status s = ledger_->GetPnl(c, v1::GetPnlRequest(), &response);
    if (s.ok()) state_->SetPnl(response);
    return s;
  });
  call("forecast models", [this](grpc::ClientContext* c) {
    v1::GetModelsResponse response;
    grpc::Status s = forecast_->GetModels(c, v1::GetModelsRequest(), &response);
    if (s.ok()) state_->SetModels(ServedModelsJson(response));
    return s;
  });
  call("audit log", [this](grpc::ClientContext* c) {
    v1::ListDecisionsRequest request;
    request.set_limit(options_.decisions_limit);
    v1::ListDecisionsResponse response;
    grpc::Status s = assets_->ListDecisions(c, request, &response);
    if (s.ok()) state_->SetDecisions(response);
    return s;
  });
}

void StackFollower::Poll() {
  do {
    PollOnce();
  } while (Pause(options_.poll_period));
}

absl::Status StackFollower::CollectFinishedRun(const StackAddresses& addresses, ConsoleState* state,
                                               absl::Duration timeout,
                                               StackFollowerOptions options) {
  StackFollower follower(addresses, state, options);
  {
    grpc::ClientContext context;
    context.set_deadline(Deadline(timeout));
    v1::SubscribeRequest request;
    request.set_subscriber("backtest-report");
    std::unique_ptr<grpc::ClientReader<v1::SubscribeResponse>> reader =
        follower.telemetry_->Subscribe(&context, request);
    std::vector<v1::Tick> ticks;
    v1::SubscribeResponse message;
    while (reader->Read(&message)) ticks.push_back(message.tick());
    const grpc::Status status = reader->Finish();
    if (status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED) {
      return absl::DeadlineExceededError("the run had not finished: telemetry still streaming");
    }
    if (!status.ok()) {
      return absl::UnavailableError(absl::StrCat("gateway telemetry: ", Describe(status)));
    }
    // The forecast service keeps its newest 512 forecasts: only those can be read back. Each
    // goes in right after its tick, as when following live, so the band of a forecast is
    // made only of errors known when it was issued.
    size_t interval_ticks = 0;
    for (const v1::Tick& t : ticks) interval_ticks += t.interval_boundary() ? 1 : 0;
    const size_t skip = interval_ticks > 512 ? interval_ticks - 512 : 0;
    size_t seen = 0;
    for (const v1::Tick& t : ticks) {
      state->AddTick(t);
      if (t.interval_boundary() && seen++ >= skip) {
        follower.FetchForecast(t.time(), absl::ZeroDuration());
      }
    }
  }
  {
    grpc::ClientContext context;
    context.set_deadline(Deadline(kUnaryTimeout));
    v1::ListAnomaliesRequest request;
    request.set_limit(options.anomalies_limit);
    v1::ListAnomaliesResponse response;
    const grpc::Status status = follower.anomalies_->ListAnomalies(&context, request, &response);
    if (!status.ok()) return absl::UnavailableError(absl::StrCat("anomalies: ", Describe(status)));
    for (const v1::Anomaly& a : response.anomalies()) state->AddAnomaly(a);
  }
  follower.PollOnce();
  // PollOnce records failures as source status; a report without them would be silently
  // incomplete, so they are errors here.
  for (const auto& [name, error] : state->SourceErrors()) {
    return absl::UnavailableError(absl::StrCat(name, ": ", error));
  }
  return absl::OkStatus();
}

}  // namespace gridpilot
