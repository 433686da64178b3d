#include "services/console/thresholds_access.h"

#include "services/common/grpc_status.h"
#include "services/common/server_runner.h"
#include "services/console/person_call.h"

namespace gridpilot {
GrpcThresholdsAccess::GrpcThresholdsAccess(const std::string& address, absl::Duration deadline)
    : deadline_(deadline), stub_(v1::ResponseService::NewStub(MakeChannel(address))) {}

absl::StatusOr<v1::Thresholds> GrpcThresholdsAccess::Get(const std::string& bearer_token) {
  grpc::ClientContext context;
  PreparePersonCall(context, bearer_token, deadline_);
  v1::GetThresholdsRequest request;
  v1::GetThresholdsResponse response;
  const grpc::Status status = stub_->GetThresholds(&context, request, &response);
  if (!status.ok()) return FromGrpcStatus(status);
  return response.thresholds();
}

absl::StatusOr<v1::Thresholds> GrpcThresholdsAccess::Set(const std::string& bearer_token,
                                                         const v1::Thresholds& thresholds) {
  grpc::ClientContext context;
  PreparePersonCall(context, bearer_token, deadline_);
  v1::SetThresholdsRequest request;
  *request.mutable_thresholds() = thresholds;
  v1::SetThresholdsResponse response;
  const grpc::Status status = stub_->SetThresholds(&context, request, &response);
  if (!status.ok()) return FromGrpcStatus(status);
  return response.thresholds();
}

}  // namespace gridpilot
