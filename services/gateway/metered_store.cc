#include "services/gateway/metered_store.h"

#include <cmath>

namespace gridpilot {
namespace {

// Applied power within this of the request counts as applied as requested.
constexpr double kSameMw = 1e-6;

const char* StatusLabel(ProposalStatus status) {
  switch (status) {
    case ProposalStatus::kAccepted: return "accepted";
    case ProposalStatus::kDuplicate: return "duplicate";
    case ProposalStatus::kRejected: return "rejected";
    case ProposalStatus::kCancelled: return "cancelled";
  }
  return "unknown";
}

}  // namespace

MeteredStore::MeteredStore(Store* inner, prometheus::Registry* registry)
    : inner_(inner),
      proposals_(prometheus::BuildCounter()
                     .Name("gridpilot_proposals_total")
                     .Help("Dispatch proposals the gateway received, by agent, asset and how "
                           "they were received (accepted, duplicate, rejected, cancelled)")
                     .Register(*registry)),
      decisions_(prometheus::BuildCounter()
                     .Name("gridpilot_dispatch_decisions_total")
                     .Help("Per-step, per-asset decisions of the arbiter: result=idle (no "
                           "proposal), applied (as requested) or limited (changed by the "
                           "interlocks or the asset's physics); agent is the winner's")
                     .Register(*registry)),
      ramp_steps_(prometheus::BuildCounter()
                      .Name("gridpilot_ramp_steps_total")
                      .Help("Steps whose net-load change exceeded the grid's tolerance: "
                            "view=no_dispatch (the ramp events the grid sent) or "
                            "after_dispatch (what the region's dispatch did not counter)")
                      .Register(*registry)),
      ramp_excess_mw_(prometheus::BuildCounter()
                          .Name("gridpilot_ramp_excess_mw_total")
                          .Help("Sum over steps of the net-load change beyond the tolerance, "
                                "MW, by view (no_dispatch, after_dispatch)")
                          .Register(*registry)),
      notes_(prometheus::BuildCounter()
                 .Name("gridpilot_agent_notes_total")
                 .Help("Notes agents attached to their answers (e.g. held on suspect "
                       "telemetry), by agent")
                 .Register(*registry)),
      errors_(prometheus::BuildCounter()
                  .Name("gridpilot_store_errors_total")
                  .Help("Store operations that failed, by operation")
                  .Register(*registry)) {
  for (const char* op : {"begin_run", "proposal", "note", "plan", "interval", "flush"}) {
    errors_.Add({{"operation", op}});  // present at 0, so rate() works from the start
  }
  for (const char* view : {"no_dispatch", "after_dispatch"}) {
    ramp_steps_.Add({{"view", view}});
    ramp_excess_mw_.Add({{"view", view}});
  }
}

absl::Status MeteredStore::Counted(const char* operation, absl::Status status) {
  if (!status.ok()) errors_.Add({{"operation", operation}}).Increment();
  return status;
}

absl::Status MeteredStore::BeginRun(absl::Time replay_from, absl::Time replay_to,
                                    const std::string& config_json) {
  return Counted("begin_run", inner_->BeginRun(replay_from, replay_to, config_json));
}

absl::Status MeteredStore::RecordProposal(const region::ProposalRecord& record,
                                          ProposalStatus status, const std::string& detail) {
  proposals_
      .Add({{"agent", record.proposal.agent},
            {"asset", record.proposal.asset_id},
            {"status", StatusLabel(status)}})
      .Increment();
  return Counted("proposal", inner_->RecordProposal(record, status, detail));
}

absl::Status MeteredStore::RecordAgentNote(absl::Time tick, const std::string& agent,
                                           const std::string& note) {
  notes_.Add({{"agent", agent}}).Increment();
  return Counted("note", inner_->RecordAgentNote(tick, agent, note));
}

absl::Status MeteredStore::RecordRefusedCall(absl::Time at, const security::RefusedCall& call,
                                             int64_t dropped_before) {
  return Counted("refused_call", inner_->RecordRefusedCall(at, call, dropped_before));
}

absl::Status MeteredStore::RecordApprovalEvent(const ApprovalEvent& event) {
  return Counted("approval_event", inner_->RecordApprovalEvent(event));
}

absl::Status MeteredStore::RecordAuditEvent(const AuditEvent& event) {
  return Counted("audit_event", inner_->RecordAuditEvent(event));
}

absl::Status MeteredStore::RecordTelemetrySamples(
    const std::vector<StoredTelemetrySample>& samples) {
  return Counted("telemetry_samples", inner_->RecordTelemetrySamples(samples));
}

absl::StatusOr<std::vector<AuditEvent>> MeteredStore::ListAuditEvents(const AuditQuery& query) {
  return inner_->ListAuditEvents(query);
}

absl::Status MeteredStore::RecordPlan(absl::Time tick, const std::string& agent,
                                      const AgentPlanRecord& plan) {
  return Counted("plan", inner_->RecordPlan(tick, agent, plan));
}

absl::Status MeteredStore::RecordInterval(const data::GridInterval& region_values,
                                          const region::IntervalOutcome& outcome) {
  for (const region::AssetDecision& d : outcome.decisions) {
    const char* result = d.proposal_id == 0                                   ? "idle"
                         : std::abs(d.applied_mw - d.requested_mw) <= kSameMw ? "applied"
                                                                              : "limited";
    decisions_
        .Add({{"asset", d.asset_id},
              {"agent", d.proposal_id == 0 ? "none" : d.agent},
              {"result", result}})
        .Increment();
  }
  if (outcome.baseline_excess_mw > 0.0) {
    ramp_steps_.Add({{"view", "no_dispatch"}}).Increment();
    ramp_excess_mw_.Add({{"view", "no_dispatch"}}).Increment(outcome.baseline_excess_mw);
  }
  if (outcome.excess_mw > 0.0) {
    ramp_steps_.Add({{"view", "after_dispatch"}}).Increment();
    ramp_excess_mw_.Add({{"view", "after_dispatch"}}).Increment(outcome.excess_mw);
  }
  return Counted("interval", inner_->RecordInterval(region_values, outcome));
}

absl::Status MeteredStore::Flush() { return Counted("flush", inner_->Flush()); }

absl::StatusOr<ResumePoint> MeteredStore::ResumeRun(absl::Time replay_from, absl::Time replay_to,
                                                    const std::string& config_json,
                                                    absl::Time discard_from) {
  return inner_->ResumeRun(replay_from, replay_to, config_json, discard_from);
}

absl::Status MeteredStore::VerifyInterval(const data::GridInterval& region_values,
                                          const region::IntervalOutcome& outcome) {
  return inner_->VerifyInterval(region_values, outcome);
}

absl::StatusOr<StoredRunState> MeteredStore::LastState() { return inner_->LastState(); }

absl::StatusOr<StoredApprovals> MeteredStore::LoadApprovals() { return inner_->LoadApprovals(); }

}  // namespace gridpilot
