#include "services/alerts/stack_observer.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

#include "absl/strings/str_cat.h"
#include "core/base/logging.h"
#include "services/alerts/supervisor_file.h"
#include "services/common/proto_enum.h"
#include "services/common/proto_time.h"
#include "services/common/server_runner.h"

namespace gridpilot {
namespace {

template <typename Stub, typename Request, typename Response>
grpc::Status Call(Stub* stub,
                  grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&, Response*),
                  absl::Duration timeout, Response* response) {
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  const Request request;
  return (stub->*method)(&context, request, response);
}

}  // namespace

StackObserver::StackObserver(const StackAddresses& addresses, std::string supervisor_file,
                             absl::Duration rpc_timeout)
    : supervisor_file_(std::move(supervisor_file)),
      rpc_timeout_(rpc_timeout),
      anomalies_(v1::AnomalyService::NewStub(MakeChannel(addresses.forecast))),
      response_(v1::ResponseService::NewStub(MakeChannel(addresses.response))),
      trader_(v1::TraderService::NewStub(MakeChannel(addresses.trader))),
      ledger_(v1::LedgerService::NewStub(MakeChannel(addresses.gateway))) {}

void StackObserver::NoteError(const std::string& peer, const std::string& error) {
  std::string& last = last_errors_[peer];
  if (error == last) return;
  last = error;
  if (error.empty()) {
    base::LogInfo(absl::StrCat("alerts: ", peer, " answers again"));
  } else {
    base::LogWarning(absl::StrCat("alerts: ", peer, ": ", error));
  }
}

void StackObserver::ReadAnomalies(alerts::AlertObservation* o) {
  v1::ListAnomaliesRequest request;
  if (last_anomaly_start_)
    *request.mutable_from_interval_start() = ToProtoTime(*last_anomaly_start_);
  request.set_limit(1000);
  v1::ListAnomaliesResponse response;
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + rpc_timeout_));
  const grpc::Status status = anomalies_->ListAnomalies(&context, request, &response);
  if (!status.ok()) {
    NoteError("forecast (ListAnomalies)", status.error_message());
    return;
  }
  NoteError("forecast (ListAnomalies)", "");
  std::optional<absl::Time> newest = last_anomaly_start_;
  for (const v1::Anomaly& a : response.anomalies()) {
    const absl::Time start = FromProtoTime(a.interval_start());
    if (last_anomaly_start_ && start <= *last_anomaly_start_) continue;
    if (!newest || start > *newest) newest = start;
    if (anomalies_baselined_) {
      o->new_anomalies.push_back({ShortName(a.kind()), start, a.cause()});
    }
  }
  last_anomaly_start_ = newest;
  anomalies_baselined_ = true;
}

void StackObserver::ReadSupervisor(alerts::AlertObservation* o) {
  if (supervisor_file_.empty()) return;
  std::error_code ec;
  if (!std::filesystem::exists(supervisor_file_, ec)) return;
  std::ifstream in(supervisor_file_);
  std::stringstream text;
  text << in.rdbuf();
  absl::StatusOr<std::map<std::string, alerts::ProcessState>> processes =
      ParseSupervisorFile(text.str(), supervisor_file_);
  if (!processes.ok()) {
    // The supervisor may be rewriting it; the next observation reads it again.
    NoteError("supervisor", std::string(processes.status().message()));
    return;
  }
  NoteError("supervisor", "");
  o->processes = *std::move(processes);
}

void StackObserver::Observe(alerts::AlertObservation* o) {
  ReadAnomalies(o);
  v1::GetResponseStatusResponse response;
  grpc::Status status =
      Call(response_.get(), &v1::ResponseService::Stub::GetResponseStatus, rpc_timeout_, &response);
  NoteError("response (GetResponseStatus)", status.ok() ? "" : status.error_message());
  if (status.ok()) {
    o->degraded = response.degraded();
    o->degraded_reason = response.degraded_reason();
    o->suspect_ticks_held["response"] = response.suspect_ticks_held();
    o->episodes_not_countered = response.episodes_not_countered();
  }
  v1::GetTraderStatusResponse trader;
  status = Call(trader_.get(), &v1::TraderService::Stub::GetTraderStatus, rpc_timeout_, &trader);
  NoteError("trader (GetTraderStatus)", status.ok() ? "" : status.error_message());
  if (status.ok()) o->suspect_ticks_held["trader"] = trader.suspect_ticks_held();
  v1::GetPnlResponse pnl;
  status = Call(ledger_.get(), &v1::LedgerService::Stub::GetPnl, rpc_timeout_, &pnl);
  NoteError("gateway (GetPnl)", status.ok() ? "" : status.error_message());
  if (status.ok()) {
    double penalty_gbp = 0;
    for (const v1::CauseTotal& c : pnl.by_cause()) {
      if (c.cause() == v1::LEDGER_CAUSE_INSTABILITY_PENALTY) penalty_gbp -= c.amount_gbp();
    }
    o->instability_penalty_gbp = penalty_gbp;
  }
  ReadSupervisor(o);
}

}  // namespace gridpilot
