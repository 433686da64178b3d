// Test helper: the made-up records both stores' tests write (sqlite_store_test,
// postgres_store_test), so that the two check the same rows: a proposal, and an interval of
// one battery discharging and one peaker starting with its telemetry and three ledger rows.
#ifndef GRIDPILOT_TESTS_SERVICES_GATEWAY_MADE_UP_INTERVAL_H_
#define GRIDPILOT_TESTS_SERVICES_GATEWAY_MADE_UP_INTERVAL_H_

#include <cstdint>
#include <optional>
#include <string>

#include "core/base/time_util.h"
#include "core/data/grid_series.h"
#include "core/region/region_engine.h"

namespace gridpilot::testing {

// The first day the made-up records fall on.
inline absl::Time MadeUpDay() { return *base::ParseUtcTimestamp("2023-01-01T00:00:00Z"); }

// A response agent's resilience proposal `id` for battery-1 over the day's first half-hour.
inline region::ProposalRecord Record(int64_t id, const std::string& key, double power_mw) {
  region::ProposalRecord r;
  r.id = id;
  r.submitted_at = MadeUpDay();
  r.proposal.agent = "response";
  r.proposal.asset_id = "battery-1";
  r.proposal.priority = region::DispatchPriority::kResilience;
  r.proposal.power_mw = power_mw;
  r.proposal.start = MadeUpDay();
  r.proposal.end = MadeUpDay() + absl::Minutes(30);
  r.proposal.idempotency_key = key;
  r.proposal.reason = "ramp ahead";
  return r;
}

// A made-up interval: one battery discharging, one peaker starting.
inline region::IntervalOutcome MadeUpOutcome(absl::Time start) {
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
  peaker.requested_mw = 0;
  peaker.applied_mw = 0;
  out.decisions = {battery, peaker};
  out.batteries.push_back(assets::BatteryInterval{25, 50, 50 - 12.5 / 0.95, 0, 12.5});
  assets::PeakerInterval p;
  p.next.status = assets::PeakerStatus::kStarting;
  out.peakers.push_back(p);
  out.net_load_mw = 340;
  out.dispatch_mw = 25;
  out.net_load_after_mw = 315;
  out.excess_mw = 0;
  out.baseline_excess_mw = 25;
  out.entries = {
      {start, market::LedgerCause::kArbitrageSold, 1000.5, "battery-1", ""},
      {start, market::LedgerCause::kBatteryDegradation, -62.5, "battery-1", "wear"},
      {start, market::LedgerCause::kInstabilityPenalty, 0, "", ""},
  };
  return out;
}

// The region's readings of that interval (no embedded solar reading).
inline data::GridInterval MadeUpRegion(absl::Time start) {
  return data::GridInterval{start, 340, std::nullopt, 12.25, 80.04};
}

}  // namespace gridpilot::testing

#endif  // GRIDPILOT_TESTS_SERVICES_GATEWAY_MADE_UP_INTERVAL_H_
