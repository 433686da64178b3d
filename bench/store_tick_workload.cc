#include "bench/store_tick_workload.h"

#include "absl/strings/str_cat.h"

namespace gridpilot {
namespace {

region::IntervalOutcome Outcome(absl::Time start) {
  region::IntervalOutcome out;
  out.interval_start = start;
  region::AssetDecision battery;
  battery.asset_id = "battery-1";
  battery.proposal_id = 3;
  battery.agent = "response";
  battery.priority = region::DispatchPriority::kResilience;
  battery.requested_mw = 30;
  battery.applied_mw = 25;
  battery.reason = "ramp ahead; clamped";
  region::AssetDecision peaker;
  peaker.asset_id = "peaker-1";
  out.decisions = {battery, peaker};
  const assets::BatteryInterval battery_interval{25, 50, 36.8, 0, 12.5};
  out.batteries.push_back(battery_interval);
  out.peakers.push_back(assets::PeakerInterval{});
  out.net_load_mw = 340;
  out.dispatch_mw = 25;
  out.net_load_after_mw = 315;
  out.baseline_excess_mw = 25;
  for (int i = 0; i < 6; ++i) {
    const market::LedgerEntry entry{start, market::LedgerCause::kArbitrageSold, 100.5 + i,
                                    "battery-1", "sold"};
    out.entries.push_back(entry);
  }
  return out;
}

}  // namespace

absl::Status WriteAverageTicks(Store& store, absl::Time from, int ticks) {
  for (int k = 0; k < ticks; ++k) {
    const absl::Time t = from + k * absl::Minutes(30);
    region::ProposalRecord proposal;
    proposal.id = k + 1;
    proposal.submitted_at = t;
    proposal.proposal.agent = "trader";
    proposal.proposal.asset_id = "battery-1";
    proposal.proposal.power_mw = 10;
    proposal.proposal.start = t;
    proposal.proposal.end = t + absl::Minutes(30);
    proposal.proposal.reason = "plan";
    AgentPlanRecord plan;
    plan.first_interval_start = t;
    plan.power_mw.assign(48, 5.0);
    plan.price_forecast_gbp_per_mwh.assign(48, 80.0);
    plan.reason = "plan";
    const data::GridInterval region{t, 340, 10, 20, 80};
    absl::Status status = store.RecordProposal(proposal, ProposalStatus::kAccepted, "");
    if (status.ok()) status = store.RecordPlan(t, "trader", plan);
    if (status.ok()) status = store.RecordInterval(region, Outcome(t));
    if (!status.ok())
      return absl::Status(status.code(), absl::StrCat("tick ", k, ": ", status.message()));
  }
  return store.Flush();
}

}  // namespace gridpilot
