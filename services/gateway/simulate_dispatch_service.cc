// AssetService.SimulateDispatch: the gRPC edge of GatewayRun::Simulate. Under TLS the
// agent and its priority band are checked as for SubmitDispatch, so a dry run tells a
// caller nothing it could not be told by submitting.
#include "services/common/grpc_status.h"
#include "services/gateway/gateway_services.h"
#include "services/security/authenticated_caller.h"

namespace gridpilot {

grpc::Status AssetServiceImpl::SimulateDispatch(grpc::ServerContext* context,
                                                const v1::SimulateDispatchRequest* request,
                                                v1::SimulateDispatchResponse* response) {
  if (const std::optional<security::Caller> caller = security::AuthenticatedCaller(context)) {
    const absl::Status allowed =
        security::AuthorizeProposal(*caller, request->agent(), request->proposal().priority());
    if (!allowed.ok()) return ToGrpcStatus(allowed);
  }
  absl::StatusOr<v1::SimulateDispatchResponse> simulated = run_->Simulate(*request);
  if (!simulated.ok()) return ToGrpcStatus(simulated.status());
  *response = *std::move(simulated);
  return grpc::Status::OK;
}

}  // namespace gridpilot
