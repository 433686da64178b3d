#include "agents/response/forecast_client.h"

#include "services/common/grpc_status.h"
#include "services/common/proto_time.h"
#include "services/common/server_runner.h"

namespace gridpilot {

GrpcChangeForecastSource::GrpcChangeForecastSource(const std::string& address, absl::Duration wait)
    : stub_(v1::ForecastService::NewStub(MakeChannel(address))), wait_(wait) {}

absl::StatusOr<IssuedChangeForecast> GrpcChangeForecastSource::ChangeForecast(
    absl::Time issue_time) {
  v1::GetNetLoadChangeRequest request;
  *request.mutable_issue_time() = ToProtoTime(issue_time);
  *request.mutable_max_wait() = ToProtoDuration(wait_);
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + wait_ + absl::Seconds(1)));
  v1::GetNetLoadChangeResponse response;
  grpc::Status status = stub_->GetNetLoadChange(&context, request, &response);
  if (!status.ok()) return FromGrpcStatus(status);
  return IssuedChangeForecastOf(response);
}

IssuedChangeForecast IssuedChangeForecastOf(const v1::GetNetLoadChangeResponse& response) {
  IssuedChangeForecast issued;
  for (const v1::HorizonForecast& f : response.forecasts()) {
    issued.changes_mw.push_back(f.change_mw());
  }
  issued.base_suspect = response.verdict().suspect();
  issued.suspect_cause = response.verdict().anomaly().cause();
  return issued;
}

std::optional<IssuedChangeForecast> ChangeForecastOfTick(const v1::Tick& tick) {
  if (!tick.has_forecast() || tick.forecast().forecasts().empty()) return std::nullopt;
  return IssuedChangeForecastOf(tick.forecast());
}

}  // namespace gridpilot
