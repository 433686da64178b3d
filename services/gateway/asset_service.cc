#include "services/common/grpc_status.h"
#include "services/common/proto_time.h"
#include "services/gateway/gateway_services.h"
#include "services/security/authenticated_caller.h"
#include "services/security/refusal_observer.h"

namespace gridpilot {
namespace {

// A proposal refused because the caller claimed another agent or band: audited, then sent.
grpc::Status Refused(const security::Caller& caller, const absl::Status& why) {
  security::RefusedCall refused;
  refused.method = "/gridpilot.v1.AssetService/SubmitDispatch";
  refused.identity = caller.identity;
  refused.role = caller.role;
  refused.code = "PERMISSION_DENIED";
  refused.reason = std::string(why.message());
  security::ReportRefusal(refused);
  return ToGrpcStatus(why);
}

}  // namespace

grpc::Status AssetServiceImpl::ListAssets(grpc::ServerContext*, const v1::ListAssetsRequest*,
                                          v1::ListAssetsResponse* response) {
  for (v1::Asset& asset : run_->Assets()) *response->add_assets() = std::move(asset);
  *response->mutable_as_of() = run_->Status().now();
  return grpc::Status::OK;
}

grpc::Status AssetServiceImpl::SubmitDispatch(grpc::ServerContext* context,
                                              const v1::SubmitDispatchRequest* request,
                                              v1::SubmitDispatchResponse* response) {
  // Under TLS the agent and its band come from the authenticated caller, never from the
  // request alone: a request that claims another agent or band is refused whole.
  std::string role;
  if (const std::optional<security::Caller> caller = security::AuthenticatedCaller(context)) {
    role = caller->role;
    for (const v1::DispatchProposal& proposal : request->proposals()) {
      const absl::Status allowed =
          security::AuthorizeProposal(*caller, request->agent(), proposal.priority());
      if (!allowed.ok()) return Refused(*caller, allowed);
    }
    if (request->proposals().empty() && request->agent() != caller->identity) {
      return Refused(*caller, security::AuthorizeProposal(*caller, request->agent(),
                                                          v1::DISPATCH_PRIORITY_UNSPECIFIED));
    }
  }
  absl::StatusOr<std::vector<v1::ProposalResult>> results = run_->Submit(*request, role);
  if (!results.ok()) return ToGrpcStatus(results.status());
  for (v1::ProposalResult& r : *results) *response->add_results() = std::move(r);
  return grpc::Status::OK;
}

grpc::Status AssetServiceImpl::CancelDispatch(grpc::ServerContext*,
                                              const v1::CancelDispatchRequest* request,
                                              v1::CancelDispatchResponse*) {
  return ToGrpcStatus(run_->Cancel(request->proposal_id()));
}

grpc::Status AssetServiceImpl::ListDecisions(grpc::ServerContext*,
                                             const v1::ListDecisionsRequest* request,
                                             v1::ListDecisionsResponse* response) {
  if (request->limit() < 0) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "limit must be >= 0");
  }
  const size_t limit = request->limit() == 0 ? 100 : static_cast<size_t>(request->limit());
  for (v1::Decision& d : run_->RecentDecisions(limit)) *response->add_decisions() = std::move(d);
  return grpc::Status::OK;
}

}  // namespace gridpilot
