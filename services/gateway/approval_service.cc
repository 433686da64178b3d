#include "services/common/grpc_status.h"
#include "services/common/proto_time.h"
#include "services/gateway/gateway_services.h"
#include "services/security/authenticated_caller.h"

namespace gridpilot {
namespace {

v1::DispatchPriority ToProtoPriority(region::DispatchPriority priority) {
  switch (priority) {
    case region::DispatchPriority::kTrading: return v1::DISPATCH_PRIORITY_TRADING;
    case region::DispatchPriority::kResilience: return v1::DISPATCH_PRIORITY_RESILIENCE;
    case region::DispatchPriority::kUnspecified: break;
  }
  return v1::DISPATCH_PRIORITY_UNSPECIFIED;
}

void ToProto(const region::PendingApproval& entry, v1::PendingApproval* out) {
  out->set_approval_id(entry.id);
  out->set_identity(entry.identity);
  out->set_role(entry.role);
  v1::DispatchProposal* p = out->mutable_proposal();
  p->set_asset_id(entry.proposal.asset_id);
  p->set_priority(ToProtoPriority(entry.proposal.priority));
  p->set_power_mw(entry.proposal.power_mw);
  *p->mutable_start() = ToProtoTime(entry.proposal.start);
  *p->mutable_end() = ToProtoTime(entry.proposal.end);
  p->set_idempotency_key(entry.proposal.idempotency_key);
  p->set_reason(entry.proposal.reason);
  out->set_pending_reason(entry.reason);
  *out->mutable_created_at() = ToProtoTime(entry.created_at);
  *out->mutable_expires_at() = ToProtoTime(entry.expires_at);
}

// The approver of a decision: the authenticated caller. The role table already limits
// Approve and Reject to operators and admins; without credentials there is no one to
// record, so the decision is refused.
absl::StatusOr<Requester> Approver(const grpc::ServerContext* context, int64_t approval_id) {
  if (approval_id <= 0) {
    return absl::InvalidArgumentError(absl::StrCat("approval_id: ", approval_id, " must be > 0"));
  }
  const std::optional<security::Caller> caller = security::AuthenticatedCaller(context);
  if (!caller.has_value()) {
    return absl::PermissionDeniedError(
        "deciding an approval needs an authenticated caller; this gateway runs without "
        "credentials");
  }
  return Requester{caller->identity, caller->role};
}

}  // namespace

grpc::Status ApprovalServiceImpl::ListApprovals(grpc::ServerContext*,
                                                const v1::ListApprovalsRequest*,
                                                v1::ListApprovalsResponse* response) {
  absl::StatusOr<std::vector<region::PendingApproval>> pending = run_->PendingApprovals();
  if (!pending.ok()) return ToGrpcStatus(pending.status());
  for (const region::PendingApproval& entry : *pending) ToProto(entry, response->add_approvals());
  return grpc::Status::OK;
}

grpc::Status ApprovalServiceImpl::Approve(grpc::ServerContext* context,
                                          const v1::ApproveRequest* request,
                                          v1::ApproveResponse* response) {
  absl::StatusOr<Requester> approver = Approver(context, request->approval_id());
  if (!approver.ok()) return ToGrpcStatus(approver.status());
  absl::StatusOr<v1::ProposalResult> result =
      run_->Approve(request->approval_id(), *approver, request->reason());
  if (!result.ok()) return ToGrpcStatus(result.status());
  response->set_proposal_id(result->proposal_id());
  response->set_duplicate(result->duplicate());
  return grpc::Status::OK;
}

grpc::Status ApprovalServiceImpl::Reject(grpc::ServerContext* context,
                                         const v1::RejectRequest* request, v1::RejectResponse*) {
  absl::StatusOr<Requester> approver = Approver(context, request->approval_id());
  if (!approver.ok()) return ToGrpcStatus(approver.status());
  return ToGrpcStatus(run_->Reject(request->approval_id(), *approver, request->reason()));
}

}  // namespace gridpilot
