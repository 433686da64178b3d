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
                  .Register(*registry)),
      // Present at 0 from the start, so rate() works from the first scrape.
      ramp_steps_no_dispatch_(ramp_steps_.Add({{"view", "no_dispatch"}})),
      ramp_steps_after_dispatch_(ramp_steps_.Add({{"view", "after_dispatch"}})),
      ramp_excess_mw_no_dispatch_(ramp_excess_mw_.Add({{"view", "no_dispatch"}})),
      ramp_excess_mw_after_dispatch_(ramp_excess_mw_.Add({{"view", "after_dispatch"}})) {
  for (const char* op : {"begin_run", "proposal", "note", "plan", "interval", "flush"}) {
    errors_.Add({{"operation", op}});  // present at 0, so rate() works from the start
  }
}

prometheus::Counter& MeteredStore::Cached(std::vector<CachedCounter>& cache,
                                          prometheus::Family<prometheus::Counter>& family,
                                          const std::array<const char*, 3>& names,
                                          const std::array<std::string_view, 3>& values) {
  for (const CachedCounter& cached : cache) {
    if (cached.values[0] == values[0] && cached.values[1] == values[1] &&
        cached.values[2] == values[2]) {
      return *cached.counter;
    }
  }
  prometheus::Counter& counter = family.Add({{names[0], std::string(values[0])},
                                             {names[1], std::string(values[1])},
                                             {names[2], std::string(values[2])}});
  if (cache.size() < kMaxCached) {
    cache.push_back(CachedCounter{
        {std::string(values[0]), std::string(values[1]), std::string(values[2])}, &counter});
  }
  return counter;
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
  {
    absl::MutexLock lock(&cache_mu_);
    Cached(proposal_counters_, proposals_, {"agent", "asset", "status"},
           {record.proposal.agent, record.proposal.asset_id, StatusLabel(status)})
        .Increment();
  }
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
  {
    absl::MutexLock lock(&cache_mu_);
    for (const region::AssetDecision& d : outcome.decisions) {
      const char* result = d.proposal_id == 0                                   ? "idle"
                           : std::abs(d.applied_mw - d.requested_mw) <= kSameMw ? "applied"
                                                                                : "limited";
      const std::string_view agent =
          d.proposal_id == 0 ? std::string_view("none") : std::string_view(d.agent);
      Cached(decision_counters_, decisions_, {"asset", "agent", "result"},
             {d.asset_id, agent, result})
          .Increment();
    }
  }
  if (outcome.baseline_excess_mw > 0.0) {
    ramp_steps_no_dispatch_.Increment();
    ramp_excess_mw_no_dispatch_.Increment(outcome.baseline_excess_mw);
  }
  if (outcome.excess_mw > 0.0) {
    ramp_steps_after_dispatch_.Increment();
    ramp_excess_mw_after_dispatch_.Increment(outcome.excess_mw);
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
