// ApprovalsAccess: the gateway's pending approvals (ApprovalService), listed, approved and
// rejected on behalf of a logged-in person. The person's bearer token is the call
// credential, so the gateway's role check (operator or admin to decide), its "not the
// requester" rule and its audit see the person, not the console. An interface so the HTTP
// server can be tested with a fake; GrpcApprovalsAccess is the real one.
#ifndef GRIDPILOT_SERVICES_CONSOLE_APPROVALS_ACCESS_H_
#define GRIDPILOT_SERVICES_CONSOLE_APPROVALS_ACCESS_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "gridpilot/v1/approval.grpc.pb.h"

namespace gridpilot {

class ApprovalsAccess {
 public:
  virtual ~ApprovalsAccess() = default;
  // The approvals still pending, oldest first, read with `bearer_token`. The peer's status
  // as an absl::Status (Unavailable, Unauthenticated, ...).
  virtual absl::StatusOr<v1::ListApprovalsResponse> List(const std::string& bearer_token) = 0;
  // Approves `approval_id` with `bearer_token` as the approver; the peer's NotFound,
  // PermissionDenied or FailedPrecondition as documented in approval.proto.
  virtual absl::StatusOr<v1::ApproveResponse> Approve(const std::string& bearer_token,
                                                      int64_t approval_id,
                                                      const std::string& reason) = 0;
  // Rejects `approval_id` with `bearer_token` as the decider; statuses as for Approve.
  virtual absl::Status Reject(const std::string& bearer_token, int64_t approval_id,
                              const std::string& reason) = 0;
};

// An approve or reject request's body: {"approval_id": positive integer, "reason": string
// (optional)}. InvalidArgument naming the field otherwise; the reason's length and
// characters are the gateway's to check.
struct ApprovalDecision {
  int64_t approval_id = 0;
  std::string reason;
};
absl::StatusOr<ApprovalDecision> ParseApprovalDecision(const std::string& body);

// Calls the gateway at `address` over the process's channel (MakeChannel: mutual TLS under
// credentials) with "authorization: Bearer <token>" on each call. Thread-safe.
class GrpcApprovalsAccess : public ApprovalsAccess {
 public:
  explicit GrpcApprovalsAccess(const std::string& address,
                               absl::Duration deadline = absl::Seconds(5));
  absl::StatusOr<v1::ListApprovalsResponse> List(const std::string& bearer_token) override;
  absl::StatusOr<v1::ApproveResponse> Approve(const std::string& bearer_token, int64_t approval_id,
                                              const std::string& reason) override;
  absl::Status Reject(const std::string& bearer_token, int64_t approval_id,
                      const std::string& reason) override;

 private:
  const absl::Duration deadline_;
  std::unique_ptr<v1::ApprovalService::Stub> stub_;
};

}  // namespace gridpilot

#endif  // GRIDPILOT_SERVICES_CONSOLE_APPROVALS_ACCESS_H_
