#include "services/console/thresholds_access.h"

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "services/common/grpc_status.h"
#include "services/common/server_runner.h"

namespace gridpilot {
namespace {

void PrepareCall(grpc::ClientContext& context, const std::string& bearer_token,
                 absl::Duration deadline) {
  context.set_deadline(absl::ToChronoTime(absl::Now() + deadline));
  context.AddMetadata("authorization", absl::StrCat("Bearer ", bearer_token));
}

}  // namespace

GrpcThresholdsAccess::GrpcThresholdsAccess(const std::string& address, absl::Duration deadline)
    : deadline_(deadline), stub_(v1::ResponseService::NewStub(MakeChannel(address))) {}

absl::StatusOr<v1::Thresholds> GrpcThresholdsAccess::Get(const std::string& bearer_token) {
  grpc::ClientContext context;
  PrepareCall(context, bearer_token, deadline_);
  v1::GetThresholdsRequest request;
  v1::GetThresholdsResponse response;
  const grpc::Status status = stub_->GetThresholds(&context, request, &response);
  if (!status.ok()) return FromGrpcStatus(status);
  return response.thresholds();
}

absl::StatusOr<v1::Thresholds> GrpcThresholdsAccess::Set(const std::string& bearer_token,
                                                         const v1::Thresholds& thresholds) {
  grpc::ClientContext context;
  PrepareCall(context, bearer_token, deadline_);
  v1::SetThresholdsRequest request;
  *request.mutable_thresholds() = thresholds;
  v1::SetThresholdsResponse response;
  const grpc::Status status = stub_->SetThresholds(&context, request, &response);
  if (!status.ok()) return FromGrpcStatus(status);
  return response.thresholds();
}

}  // namespace gridpilot
