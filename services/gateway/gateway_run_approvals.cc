// GatewayRun's limits and pending approvals: the verdict on an authenticated caller's
// proposals, holding those beyond its limits, and an operator's approval, rejection or
// their lapse (docs/decisions.md, "Limits and approvals").
#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "core/base/time_util.h"
#include "services/gateway/gateway_run.h"

namespace gridpilot {
namespace {

// As gateway_run.cc's AuditFailure: the store's code, what was not recorded, and that the
// run has stopped.
absl::Status ApprovalAuditFailure(absl::string_view what, const absl::Status& stored) {
  return absl::Status(stored.code(),
                      absl::StrCat("audit log: cannot record ", what, ": ", stored.message(),
                                   "; the run is stopped and applies nothing more"));
}

ApprovalEvent EventOf(ApprovalEvent::Kind kind, const region::PendingApproval& entry,
                      absl::Time at) {
  ApprovalEvent event;
  event.kind = kind;
  event.approval_id = entry.id;
  event.at = at;
  event.requester = entry.identity;
  event.requester_role = entry.role;
  event.proposal = entry.proposal;
  event.expires_at = entry.expires_at;
  return event;
}

}  // namespace

absl::Status GatewayRun::RecordApprovalLocked(const ApprovalEvent& event) {
  Store* const store = AuditStoreAt(sim_clock_.Now());
  if (store == nullptr) return absl::OkStatus();
  // Durable at once (a commit, not the tick's batch): the caller was given this approval
  // id or decision, and a gateway restarted after a crash takes pending ones back from
  // the store (Store::LoadApprovals). Approvals are rare, so the commit costs little.
  absl::Status stored = store->RecordApprovalEvent(event);
  if (stored.ok()) stored = store->Flush();
  if (stored.ok()) return absl::OkStatus();
  const absl::Status error =
      ApprovalAuditFailure(absl::StrCat("approval ", event.approval_id), stored);
  FailLocked(error);
  return error;
}

absl::Status GatewayRun::LapseExpiredLocked() {
  for (const region::PendingApproval& entry : approvals_.TakeLapsed(wall_clock_->Now())) {
    ApprovalEvent event = EventOf(ApprovalEvent::Kind::kLapsed, entry, entry.expires_at);
    event.reason = absl::StrCat("not decided within the approval timeout (",
                                absl::FormatDuration(entry.expires_at - entry.created_at), ")");
    RETURN_IF_ERROR(RecordApprovalLocked(event));
  }
  return absl::OkStatus();
}

absl::Status GatewayRun::LapseForReExecution(const std::vector<region::PendingApproval>& pending) {
  if (pending.empty() || store_ == nullptr) return absl::OkStatus();
  // Whole seconds, as every approval time the store keeps.
  const absl::Time now = absl::FromUnixSeconds(absl::ToUnixSeconds(wall_clock_->Now()));
  for (const region::PendingApproval& entry : pending) {
    ApprovalEvent event =
        EventOf(ApprovalEvent::Kind::kLapsed, entry, std::min(entry.expires_at, now));
    event.reason = absl::StrCat(
        "the lock-step run was resumed: it is re-executed from ",
        base::FormatUtcTimestamp(options_.replay_from),
        " without the call that made this approval, so the tick it was made for has passed");
    absl::Status stored = store_->RecordApprovalEvent(event);
    if (stored.ok()) stored = store_->Flush();
    if (!stored.ok()) {
      return ApprovalAuditFailure(absl::StrCat("approval ", entry.id, " lapsing on resume"),
                                  stored);
    }
  }
  return absl::OkStatus();
}

void GatewayRun::CountActionLocked(const Requester& requester) {
  const region::DispatchLimits* limits =
      region::LimitsFor(config_.limits, requester.identity, requester.role);
  if (limits == nullptr || !limits->max_actions_per_hour.has_value()) return;
  const absl::Time now = wall_clock_->Now();
  std::deque<absl::Time>& actions = recent_actions_[requester.identity];
  actions.push_back(now);
  while (!actions.empty() && actions.front() <= now - absl::Hours(1)) actions.pop_front();
}

absl::StatusOr<std::vector<region::LimitVerdict>> GatewayRun::EvaluateLimitsLocked(
    const Requester& requester, const std::vector<region::DispatchProposal>& proposals,
    Store* store, absl::Time now) {
  const absl::Time wall_now = wall_clock_->Now();
  std::vector<absl::Time> actions;
  if (auto it = recent_actions_.find(requester.identity); it != recent_actions_.end()) {
    actions.assign(it->second.begin(), it->second.end());
  }
  int pending_held = approvals_.HeldBy(requester.identity);
  std::vector<region::LimitVerdict> verdicts;
  for (size_t i = 0; i < proposals.size(); ++i) {
    region::LimitVerdict verdict =
        region::EvaluateLimits(config_.limits, requester.identity, requester.role, proposals[i],
                               actions, pending_held, wall_now);
    if (verdict.outcome == region::LimitOutcome::kRefuse) {
      const absl::Status refused =
          absl::ResourceExhaustedError(absl::StrCat("proposals[", i, "]: ", verdict.reason));
      if (store != nullptr) {
        const region::ProposalRecord rejected{0, proposals[i], now, false};
        const absl::Status stored =
            store->RecordProposal(rejected, ProposalStatus::kRejected, verdict.reason);
        if (!stored.ok()) {
          const absl::Status error = ApprovalAuditFailure("a refused proposal", stored);
          FailLocked(error);
          return absl::Status(refused.code(),
                              absl::StrCat(refused.message(), "; and ", error.message()));
        }
      }
      return refused;
    }
    if (verdict.outcome == region::LimitOutcome::kPending) {
      if (approvals_.FindByKey(requester.identity, proposals[i].idempotency_key) == nullptr) {
        ++pending_held;
      }
    } else {
      actions.push_back(wall_now);
    }
    verdicts.push_back(std::move(verdict));
  }
  return verdicts;
}

absl::StatusOr<v1::ProposalResult> GatewayRun::HoldForApprovalLocked(
    const Requester& requester, const region::DispatchProposal& proposal,
    const std::string& reason) {
  v1::ProposalResult result;
  result.set_pending(true);
  if (const region::PendingApproval* held =
          approvals_.FindByKey(requester.identity, proposal.idempotency_key)) {
    result.set_approval_id(held->id);
    result.set_duplicate(true);
    result.set_pending_reason(held->reason);
    return result;
  }
  // Whole seconds, as the store keeps times: an approval taken back from the store after a
  // restart has the very same creation and expiry.
  const absl::Time created = absl::FromUnixSeconds(absl::ToUnixSeconds(wall_clock_->Now()));
  const region::PendingApproval& entry =
      approvals_.Add(requester.identity, requester.role, proposal, reason, created,
                     created + config_.limits.approval_timeout);
  ApprovalEvent event = EventOf(ApprovalEvent::Kind::kPending, entry, created);
  event.reason = reason;
  result.set_approval_id(entry.id);
  result.set_pending_reason(reason);
  RETURN_IF_ERROR(RecordApprovalLocked(event));
  return result;
}

absl::StatusOr<std::vector<region::PendingApproval>> GatewayRun::PendingApprovals() {
  absl::MutexLock lock(&mu_);
  RETURN_IF_ERROR(LapseExpiredLocked());
  return approvals_.List();
}

absl::StatusOr<v1::ProposalResult> GatewayRun::Approve(int64_t approval_id,
                                                       const Requester& approver,
                                                       const std::string& reason) {
  RETURN_IF_ERROR(ValidateText("reason", reason, kMaxReasonBytes));
  absl::MutexLock lock(&mu_);
  if (!failure_.ok()) {
    return absl::FailedPreconditionError(absl::StrCat("the run has stopped: ", failure_.message()));
  }
  RETURN_IF_ERROR(LapseExpiredLocked());
  const region::PendingApproval* entry = approvals_.Find(approval_id);
  if (entry == nullptr) RETURN_IF_ERROR(approvals_.Take(approval_id).status());
  if (entry->identity == approver.identity) {
    return absl::PermissionDeniedError(absl::StrCat("approval ", approval_id, " was proposed by \"",
                                                    entry->identity,
                                                    "\"; it must be approved by another identity"));
  }
  const absl::Time now = sim_clock_.Now();
  if (entry->proposal.end <= now) {
    ASSIGN_OR_RETURN(region::PendingApproval ended, approvals_.Take(approval_id));
    ApprovalEvent event = EventOf(ApprovalEvent::Kind::kLapsed, ended, wall_clock_->Now());
    event.decided_by = approver.identity;
    event.decided_by_role = approver.role;
    event.reason =
        absl::StrCat("its lease ended at ", base::FormatUtcTimestamp(ended.proposal.end),
                     ", before it was approved (run clock ", base::FormatUtcTimestamp(now), ")");
    RETURN_IF_ERROR(RecordApprovalLocked(event));
    return absl::FailedPreconditionError(
        absl::StrCat("approval ", approval_id, " lapsed: ", event.reason));
  }
  region::DispatchArbiter& arbiter = engine_.arbiter();
  if (absl::Status valid = arbiter.Validate(entry->proposal); !valid.ok()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "approval ", approval_id, " cannot be applied now (it stays pending): ", valid.message()));
  }
  ASSIGN_OR_RETURN(region::PendingApproval approved, approvals_.Take(approval_id));
  ASSIGN_OR_RETURN(region::DispatchArbiter::SubmitResult submitted,
                   arbiter.Submit(approved.proposal, now));
  v1::ProposalResult result;
  result.set_proposal_id(submitted.proposal_id);
  result.set_duplicate(submitted.duplicate);
  result.set_approval_id(approval_id);
  if (Store* const store = AuditStoreAt(now); store != nullptr) {
    const region::ProposalRecord record{submitted.proposal_id, approved.proposal, now, false};
    const absl::Status stored = store->RecordProposal(
        record, submitted.duplicate ? ProposalStatus::kDuplicate : ProposalStatus::kAccepted,
        absl::StrCat("approval ", approval_id, ": approved by ", approver.identity, " (",
                     approver.role, ")", reason.empty() ? "" : ": ", reason));
    if (!stored.ok()) {
      const absl::Status error =
          ApprovalAuditFailure(absl::StrCat("proposal ", submitted.proposal_id), stored);
      FailLocked(error);
      return error;
    }
  }
  ApprovalEvent event = EventOf(ApprovalEvent::Kind::kApproved, approved, wall_clock_->Now());
  event.decided_by = approver.identity;
  event.decided_by_role = approver.role;
  event.reason = reason;
  event.proposal_id = submitted.proposal_id;
  RETURN_IF_ERROR(RecordApprovalLocked(event));
  return result;
}

absl::Status GatewayRun::Reject(int64_t approval_id, const Requester& approver,
                                const std::string& reason) {
  RETURN_IF_ERROR(ValidateText("reason", reason, kMaxReasonBytes));
  absl::MutexLock lock(&mu_);
  if (!failure_.ok()) {
    return absl::FailedPreconditionError(absl::StrCat("the run has stopped: ", failure_.message()));
  }
  RETURN_IF_ERROR(LapseExpiredLocked());
  const region::PendingApproval* entry = approvals_.Find(approval_id);
  if (entry == nullptr) return approvals_.Take(approval_id).status();
  if (entry->identity == approver.identity) {
    return absl::PermissionDeniedError(absl::StrCat("approval ", approval_id, " was proposed by \"",
                                                    entry->identity,
                                                    "\"; it must be rejected by another identity"));
  }
  ASSIGN_OR_RETURN(region::PendingApproval rejected, approvals_.Take(approval_id));
  ApprovalEvent event = EventOf(ApprovalEvent::Kind::kRejected, rejected, wall_clock_->Now());
  event.decided_by = approver.identity;
  event.decided_by_role = approver.role;
  event.reason = reason;
  return RecordApprovalLocked(event);
}

}  // namespace gridpilot
