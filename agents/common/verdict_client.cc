#include "agents/common/verdict_client.h"

#include "services/common/grpc_status.h"
#include "services/common/proto_time.h"
#include "services/common/server_runner.h"

namespace gridpilot {

GrpcTelemetryVerdictSource::GrpcTelemetryVerdictSource(const std::string& address,
                                                       absl::Duration wait)
    : stub_(v1::AnomalyService::NewStub(MakeChannel(address))), wait_(wait) {}

absl::StatusOr<TelemetryVerdict> GrpcTelemetryVerdictSource::VerdictAt(absl::Time tick_time) {
  v1::GetVerdictRequest request;
  *request.mutable_tick_time() = ToProtoTime(tick_time);
  *request.mutable_max_wait() = ToProtoDuration(wait_);
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + wait_ + absl::Seconds(1)));
  v1::GetVerdictResponse response;
  grpc::Status status = stub_->GetVerdict(&context, request, &response);
  if (!status.ok()) return FromGrpcStatus(status);
  const v1::Verdict& verdict = response.verdict();
  return TelemetryVerdict{verdict.suspect(), verdict.anomaly().cause()};
}

std::optional<TelemetryVerdict> VerdictOfTick(const v1::Tick& tick) {
  if (!tick.has_forecast() || !tick.forecast().has_verdict()) return std::nullopt;
  const v1::Verdict& verdict = tick.forecast().verdict();
  return TelemetryVerdict{verdict.suspect(), verdict.anomaly().cause()};
}

}  // namespace gridpilot
