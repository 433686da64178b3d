// postgres_tick_bench: ticks per second the PostgreSQL store writes, with the record calls of
// an average tick of the week's backtest (2023-06-01..07: per tick one proposal, one plan,
// and an interval of one telemetry row, two decisions and six ledger rows; commit every 256
// records, as the gateway opens it), against a running server. The store alone, with no
// agents or forecasts, so the round trips a tick costs are what it measures.
//
// Usage: postgres_tick_bench postgresql://URL [TICKS]
// TICKS defaults to 3360 (ten weeks of half-hours). Each run adds a run to the database.
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "services/gateway/postgres_store.h"

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

int Main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: postgres_tick_bench postgresql://URL [TICKS]\n");
    return 2;
  }
  const int ticks = argc > 2 ? std::atoi(argv[2]) : 3360;
  if (ticks <= 0 || ticks > 1'000'000) {
    std::fprintf(stderr, "TICKS must be in 1..1000000\n");
    return 2;
  }
  absl::StatusOr<std::unique_ptr<PostgresStore>> store = PostgresStore::Open(argv[1]);
  if (!store.ok()) {
    std::fprintf(stderr, "%s\n", std::string(store.status().message()).c_str());
    return 1;
  }
  const absl::Time from = absl::FromUnixSeconds(1685577600);  // 2023-06-01T00:00:00Z
  if (absl::Status begun = (*store)->BeginRun(from, from + ticks * absl::Minutes(30), "{}");
      !begun.ok()) {
    std::fprintf(stderr, "%s\n", std::string(begun.message()).c_str());
    return 1;
  }
  const absl::Time started = absl::Now();
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
    absl::Status status = (*store)->RecordProposal(proposal, ProposalStatus::kAccepted, "");
    if (status.ok()) status = (*store)->RecordPlan(t, "trader", plan);
    if (status.ok()) status = (*store)->RecordInterval(region, Outcome(t));
    if (!status.ok()) {
      std::fprintf(stderr, "tick %d: %s\n", k, std::string(status.message()).c_str());
      return 1;
    }
  }
  if (absl::Status flushed = (*store)->Flush(); !flushed.ok()) {
    std::fprintf(stderr, "%s\n", std::string(flushed.message()).c_str());
    return 1;
  }
  const double seconds = absl::ToDoubleSeconds(absl::Now() - started);
  std::printf("%d ticks in %.3f s: %.0f ticks/s, %.3f ms a tick\n", ticks, seconds, ticks / seconds,
              1000.0 * seconds / ticks);
  return 0;
}

}  // namespace
}  // namespace gridpilot

int main(int argc, char** argv) { return gridpilot::Main(argc, argv); }
