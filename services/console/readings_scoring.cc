#include "services/console/readings_scoring.h"

#include "services/common/grpc_status.h"
#include "services/common/server_runner.h"
#include "services/console/person_call.h"

namespace gridpilot {

GrpcReadingsScoring::GrpcReadingsScoring(const std::string& address, absl::Duration deadline)
    : deadline_(deadline), stub_(v1::AnomalyService::NewStub(MakeChannel(address))) {}

absl::StatusOr<v1::ScoreReadingsResponse> GrpcReadingsScoring::Score(
    const std::string& bearer_token, const v1::ScoreReadingsRequest& request) {
  grpc::ClientContext context;
  PreparePersonCall(context, bearer_token, deadline_);
  v1::ScoreReadingsResponse response;
  const grpc::Status status = stub_->ScoreReadings(&context, request, &response);
  if (!status.ok()) return FromGrpcStatus(status);
  return response;
}

}  // namespace gridpilot
