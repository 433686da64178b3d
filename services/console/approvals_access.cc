#include "services/console/approvals_access.h"

#include "nlohmann/json.hpp"
#include "services/common/grpc_status.h"
#include "services/common/server_runner.h"
#include "services/console/person_call.h"

namespace gridpilot {
absl::StatusOr<ApprovalDecision> ParseApprovalDecision(const std::string& body) {
  const nlohmann::json j = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    return absl::InvalidArgumentError("body: not a JSON object");
  }
  ApprovalDecision decision;
  const auto id = j.find("approval_id");
  if (id == j.end() || !id->is_number_integer() || id->get<int64_t>() < 1) {
    return absl::InvalidArgumentError("approval_id: a positive integer is required");
  }
  decision.approval_id = id->get<int64_t>();
  if (const auto reason = j.find("reason"); reason != j.end()) {
    if (!reason->is_string()) return absl::InvalidArgumentError("reason: must be a string");
    decision.reason = reason->get<std::string>();
  }
  return decision;
}

GrpcApprovalsAccess::GrpcApprovalsAccess(const std::string& address, absl::Duration deadline)
    : deadline_(deadline), stub_(v1::ApprovalService::NewStub(MakeChannel(address))) {}

absl::StatusOr<v1::ListApprovalsResponse> GrpcApprovalsAccess::List(
    const std::string& bearer_token) {
  grpc::ClientContext context;
  PreparePersonCall(context, bearer_token, deadline_);
  v1::ListApprovalsRequest request;
  v1::ListApprovalsResponse response;
  const grpc::Status status = stub_->ListApprovals(&context, request, &response);
  if (!status.ok()) return FromGrpcStatus(status);
  return response;
}

absl::StatusOr<v1::ApproveResponse> GrpcApprovalsAccess::Approve(const std::string& bearer_token,
                                                                 int64_t approval_id,
                                                                 const std::string& reason) {
  grpc::ClientContext context;
  PreparePersonCall(context, bearer_token, deadline_);
  v1::ApproveRequest request;
  request.set_approval_id(approval_id);
  request.set_reason(reason);
  v1::ApproveResponse response;
  const grpc::Status status = stub_->Approve(&context, request, &response);
  if (!status.ok()) return FromGrpcStatus(status);
  return response;
}

absl::Status GrpcApprovalsAccess::Reject(const std::string& bearer_token, int64_t approval_id,
                                         const std::string& reason) {
  grpc::ClientContext context;
  PreparePersonCall(context, bearer_token, deadline_);
  v1::RejectRequest request;
  request.set_approval_id(approval_id);
  request.set_reason(reason);
  v1::RejectResponse response;
  const grpc::Status status = stub_->Reject(&context, request, &response);
  if (!status.ok()) return FromGrpcStatus(status);
  return absl::OkStatus();
}

}  // namespace gridpilot
