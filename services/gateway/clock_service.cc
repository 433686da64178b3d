#include "absl/strings/str_cat.h"
#include "services/common/grpc_status.h"
#include "services/gateway/gateway_services.h"
#include "services/gateway/input_bounds.h"
#include "services/security/authenticated_caller.h"
#include "services/security/refusal_observer.h"

namespace gridpilot {

grpc::Status ClockServiceImpl::RegisterAgent(grpc::ServerContext* context,
                                             const v1::RegisterAgentRequest* request,
                                             v1::RegisterAgentResponse* response) {
  const std::optional<security::Caller> caller = security::AuthenticatedCaller(context);
  if (caller.has_value() && request->agent() != caller->identity) {
    security::RefusedCall refused;
    refused.method = "/gridpilot.v1.ClockService/RegisterAgent";
    refused.identity = caller->identity;
    refused.role = caller->role;
    refused.code = "PERMISSION_DENIED";
    refused.reason = absl::StrCat("cannot register as agent \"", request->agent(),
                                  "\": the caller is authenticated as \"", caller->identity, "\"");
    security::ReportRefusal(refused);
    return grpc::Status(grpc::StatusCode::PERMISSION_DENIED, refused.reason);
  }
  if (absl::Status valid =
          ValidateIdentifier("agent", request->agent(), kMaxAgentNameBytes, /*required=*/true);
      !valid.ok()) {
    return ToGrpcStatus(valid);
  }
  *response->mutable_region() = run_->RegisterAgent(request->agent());
  return grpc::Status::OK;
}

grpc::Status ClockServiceImpl::Start(grpc::ServerContext*, const v1::StartRequest*,
                                     v1::StartResponse*) {
  return ToGrpcStatus(run_->Start());
}

grpc::Status ClockServiceImpl::GetClockStatus(grpc::ServerContext*,
                                              const v1::GetClockStatusRequest*,
                                              v1::GetClockStatusResponse* response) {
  *response = run_->Status();
  return grpc::Status::OK;
}

}  // namespace gridpilot
