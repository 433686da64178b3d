// RegionEngine: arbitration, the trading floor, battery energy balance, instability
// against the no-dispatch baseline, settlement of missing data, peaker commitment with no
// proposal, running totals and validation of the fleet.
#include "core/region/region_engine.h"

#include <array>
#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "core/base/time_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/core/region/proposal_builder.h"

namespace gridpilot::region {
namespace {

using ::testing::HasSubstr;

const absl::Time kT0 = *base::ParseUtcTimestamp("2023-01-01T00:00:00Z");
constexpr absl::Duration kInterval = absl::Minutes(30);

// Interval number k of the test day.
absl::Time At(int k) { return kT0 + k * kInterval; }

assets::BatteryParams Battery(double soc_initial_mwh = 50.0) {
  assets::BatteryParams b;  // 100 MWh, 50/50 MW, 0.95/0.95, soc [5, 95], reserve 20, 5 GBP/MWh wear
  b.soc_initial_mwh = soc_initial_mwh;
  return b;
}

RegionEngine MakeEngine(double soc_initial_mwh = 50.0,
                        std::optional<double> previous_net_load_mw = 300.0) {
  return RegionEngine(RegionConfig{}, {Battery(soc_initial_mwh)}, {assets::PeakerParams{}},
                      previous_net_load_mw);
}

// Submits a proposal for `asset` over the intervals [from, to) of the test day.
int64_t Propose(RegionEngine& engine, const std::string& agent, DispatchPriority priority,
                double power_mw, int from, int to, const std::string& asset = "battery-1") {
  const DispatchProposal p =
      MakeProposal(agent, asset, priority, power_mw, At(from), At(to), agent + " test proposal");
  absl::StatusOr<DispatchArbiter::SubmitResult> submitted = engine.arbiter().Submit(p, At(from));
  EXPECT_TRUE(submitted.ok()) << submitted.status();
  return submitted.ok() ? submitted->proposal_id : 0;
}

const market::LedgerEntry* FindEntry(const IntervalOutcome& out, market::LedgerCause cause,
                                     const std::string& asset_id) {
  for (const market::LedgerEntry& e : out.entries) {
    if (e.cause == cause && e.asset_id == asset_id) return &e;
  }
  return nullptr;
}

double PenaltyGbp(const IntervalOutcome& out) {
  double total_gbp = 0.0;
  for (const market::LedgerEntry& e : out.entries) {
    if (e.cause == market::LedgerCause::kInstabilityPenalty) total_gbp += e.amount_gbp;
  }
  return total_gbp;
}

TEST(RegionEngineTest, ResilienceBeatsTrading) {
  RegionEngine engine = MakeEngine();
  Propose(engine, "trader", DispatchPriority::kTrading, -30, 0, 1);
  const int64_t resilience_id =
      Propose(engine, "response", DispatchPriority::kResilience, 20, 0, 1);
  Propose(engine, "trader", DispatchPriority::kTrading, -40, 0, 1);  // newer, still loses

  const IntervalOutcome out = engine.ApplyStep(At(0), 300, 80);
  ASSERT_EQ(out.decisions.size(), 2u);
  const AssetDecision& battery = out.decisions[0];
  EXPECT_EQ(battery.asset_id, "battery-1");
  EXPECT_EQ(battery.proposal_id, resilience_id);
  EXPECT_EQ(battery.agent, "response");
  EXPECT_EQ(battery.priority, DispatchPriority::kResilience);
  EXPECT_DOUBLE_EQ(battery.requested_mw, 20);
  EXPECT_DOUBLE_EQ(battery.applied_mw, 20);
  EXPECT_EQ(battery.reason, "response test proposal");
  EXPECT_DOUBLE_EQ(out.dispatch_mw, 20);
  EXPECT_DOUBLE_EQ(engine.battery_power_mw()[0], 20);
  // The peaker had no proposal: idle, id 0.
  EXPECT_EQ(out.decisions[1].asset_id, "peaker-1");
  EXPECT_EQ(out.decisions[1].proposal_id, 0);
  EXPECT_DOUBLE_EQ(out.decisions[1].applied_mw, 0);
}

struct FloorCase {
  std::string name;
  std::optional<DispatchPriority> priority;  // nullopt: no proposal (idle)
  double soc_initial_mwh;
  double requested_mw;
  double want_applied_mw;
  std::string want_reason_part;  // "" = no interlock note
};

TEST(RegionEngineTest, TradingFloorHoldsButResilienceMayUseTheReserve) {
  // soc_min 5, reserve 20: trading floor 25 MWh, resilience floor 5 MWh. Over half an
  // hour the grid may take headroom * 0.95 / 0.5 MW.
  const std::vector<FloorCase> cases = {
      {"trading clamped at the trading floor", DispatchPriority::kTrading, 30, 50, 9.5,
       "floor 25.000 MWh"},
      {"trading below the floor gets nothing", DispatchPriority::kTrading, 22, 30, 0,
       "at or below floor"},
      {"trading within headroom passes", DispatchPriority::kTrading, 50, 20, 20, ""},
      {"resilience may use the reserve", DispatchPriority::kResilience, 30, 50, 47.5,
       "floor 5.000 MWh"},
      {"resilience below the trading floor", DispatchPriority::kResilience, 22, 20, 20, ""},
      {"idle below the floor is not forced to charge", std::nullopt, 22, 0, 0, ""},
      {"trading charge capped at soc max", DispatchPriority::kTrading, 90, -50, -5 / 0.95 / 0.5,
       "soc max"},
  };
  for (const FloorCase& c : cases) {
    SCOPED_TRACE(c.name);
    RegionEngine engine = MakeEngine(c.soc_initial_mwh);
    if (c.priority.has_value()) {
      Propose(engine, "agent", *c.priority, c.requested_mw, 0, 1);
    }
    const IntervalOutcome out = engine.ApplyStep(At(0), 300, 80);
    const AssetDecision& d = out.decisions[0];
    EXPECT_NEAR(d.applied_mw, c.want_applied_mw, 1e-9);
    EXPECT_NEAR(out.batteries[0].power_mw, c.want_applied_mw, 1e-9);
    if (c.want_reason_part.empty()) {
      EXPECT_THAT(d.reason, ::testing::Not(HasSubstr("applied")));
    } else {
      EXPECT_THAT(d.reason, HasSubstr(c.want_reason_part));
    }
    const double soc_after = engine.battery_soc_mwh()[0];
    if (c.priority == DispatchPriority::kTrading && c.requested_mw > 0) {
      EXPECT_GE(soc_after, std::min(c.soc_initial_mwh, 25.0) - 1e-9);
    }
    EXPECT_GE(soc_after, 5.0 - 1e-9);
    EXPECT_LE(soc_after, 95.0 + 1e-9);
  }
}

TEST(RegionEngineTest, RestoreCarriesStateOfChargePeakerStateAndLedgerTotals) {
  RegionEngine engine = MakeEngine(50);
  CarriedState carried;
  carried.battery_soc_mwh = {72.5};
  carried.peaker_states = {assets::PeakerState{assets::PeakerStatus::kOn, 30.0, kT0}};
  carried.ledger_totals_gbp[static_cast<int>(market::LedgerCause::kArbitrageSold)] = 1000.0;
  carried.ledger_totals_gbp[static_cast<int>(market::LedgerCause::kBatteryDegradation)] = -40.0;
  ASSERT_TRUE(engine.Restore(carried).ok());
  EXPECT_DOUBLE_EQ(engine.battery_soc_mwh()[0], 72.5);
  EXPECT_EQ(engine.peaker_states()[0].status, assets::PeakerStatus::kOn);
  EXPECT_DOUBLE_EQ(engine.ledger().Net(), 960.0);
  // The next step starts from the carried state of charge, and the ledger adds to it.
  Propose(engine, "trader", DispatchPriority::kTrading, 10, 0, 1);
  const IntervalOutcome out = engine.ApplyStep(At(0), 300, 80);
  EXPECT_DOUBLE_EQ(out.batteries[0].soc_before_mwh, 72.5);
  double step_gbp = 0.0;
  for (const market::LedgerEntry& e : out.entries) step_gbp += e.amount_gbp;
  EXPECT_NEAR(engine.ledger().Net(), 960.0 + step_gbp, 1e-9);

  // A state that does not fit the fleet changes nothing.
  RegionEngine fresh = MakeEngine(50);
  CarriedState too_full = carried;
  too_full.battery_soc_mwh = {100.5};
  const absl::Status refused = fresh.Restore(too_full);
  EXPECT_EQ(refused.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(refused.message(), HasSubstr("battery-1: state of charge 100.5 MWh is outside"));
  CarriedState no_peaker = carried;
  no_peaker.peaker_states.clear();
  EXPECT_THAT(fresh.Restore(no_peaker).message(), HasSubstr("0 peakers given for a fleet of"));
  EXPECT_DOUBLE_EQ(fresh.battery_soc_mwh()[0], 50.0);
  EXPECT_DOUBLE_EQ(fresh.ledger().Net(), 0.0);
}

TEST(RegionEngineTest, BatteryEnergyBalanceOverSeveralIntervals) {
  RegionEngine engine = MakeEngine(50);
  const std::vector<double> requests_mw = {-40, -40, 0, 30, 50, -10};
  for (size_t k = 0; k < requests_mw.size(); ++k) {
    Propose(engine, "trader", DispatchPriority::kTrading, requests_mw[k], k, k + 1);
  }
  double soc_mwh = 50;
  for (size_t k = 0; k < requests_mw.size(); ++k) {
    SCOPED_TRACE(k);
    const IntervalOutcome out = engine.ApplyStep(At(k), 300, 80);
    const assets::BatteryInterval& b = out.batteries[0];
    EXPECT_DOUBLE_EQ(b.soc_before_mwh, soc_mwh);
    EXPECT_NEAR(b.soc_after_mwh, b.soc_before_mwh + b.charge_mwh * 0.95 - b.discharge_mwh / 0.95,
                1e-9);
    EXPECT_NEAR(b.charge_mwh, std::max(0.0, -b.power_mw) * 0.5, 1e-12);
    EXPECT_NEAR(b.discharge_mwh, std::max(0.0, b.power_mw) * 0.5, 1e-12);
    EXPECT_DOUBLE_EQ(engine.battery_soc_mwh()[0], b.soc_after_mwh);
    soc_mwh = b.soc_after_mwh;
  }
  // 50 + 20*0.95*2 = 88; 88 - 15/0.95 - 25/0.95 = 45.89...; + 5*0.95.
  EXPECT_NEAR(soc_mwh, 50 + 38 - 40 / 0.95 + 4.75, 1e-9);
}

// A region at 5 or 60 minutes (its data's resolution) settles each of its intervals: energy
// and money are MW x the interval's hours, and the ramp limit and penalty are per interval.
class RegionEngineResolutionTest : public ::testing::TestWithParam<int> {};

TEST_P(RegionEngineResolutionTest, EnergyAndMoneyUseTheIntervalsHours) {
  const absl::Duration interval = absl::Minutes(GetParam());
  const double hours = absl::ToDoubleHours(interval);
  RegionConfig region;
  region.interval = interval;
  region.step = interval;
  region.ramp_window = interval;
  ASSERT_TRUE(region.Validate().ok());
  RegionEngine engine(region, {Battery(50)}, {assets::PeakerParams{}}, 300.0);
  const absl::Time t0 = kT0;
  const DispatchProposal p = MakeProposal("trader", "battery-1", DispatchPriority::kTrading, 10, t0,
                                          t0 + 2 * interval, "sell");
  ASSERT_TRUE(engine.arbiter().Submit(p, t0).ok());
  const IntervalOutcome first = engine.ApplyStep(t0, 300, 80);
  EXPECT_NEAR(first.batteries[0].discharge_mwh, 10 * hours, 1e-12);
  EXPECT_NEAR(first.batteries[0].soc_after_mwh, 50 - 10 * hours / 0.95, 1e-9);
  const market::LedgerEntry* sold =
      FindEntry(first, market::LedgerCause::kArbitrageSold, "battery-1");
  ASSERT_NE(sold, nullptr);
  EXPECT_NEAR(sold->amount_gbp, 10 * hours * 80, 1e-9);
  // A 40 MW step in one interval (300 -> 340 before dispatch, 290 -> 330 after) against a
  // 15 MW limit per interval: 25 MW of excess, the full penalty of one interval.
  const IntervalOutcome second = engine.ApplyStep(t0 + interval, 340, 80);
  EXPECT_DOUBLE_EQ(second.baseline_excess_mw, 25);
  EXPECT_DOUBLE_EQ(second.excess_mw, 25);
  EXPECT_DOUBLE_EQ(PenaltyGbp(second), -25 * 150.0);
}

INSTANTIATE_TEST_SUITE_P(FiveAndSixtyMinutes, RegionEngineResolutionTest, ::testing::Values(5, 60));

TEST(RegionEngineTest, InstabilityExcessAfterDispatchVersusBaseline) {
  // The previous interval's net load was 300 MW; this one steps to 340 MW; limit 15.
  for (bool dispatch : {false, true}) {
    SCOPED_TRACE(dispatch ? "25 MW resilience discharge" : "no dispatch");
    RegionEngine engine = MakeEngine(50, 300.0);
    if (dispatch) Propose(engine, "response", DispatchPriority::kResilience, 25, 0, 1);
    const IntervalOutcome out = engine.ApplyStep(At(0), 340, 80);
    EXPECT_DOUBLE_EQ(out.baseline_excess_mw, 25);
    ASSERT_TRUE(out.net_load_after_mw.has_value());
    if (dispatch) {
      EXPECT_DOUBLE_EQ(*out.net_load_after_mw, 315);
      EXPECT_DOUBLE_EQ(out.excess_mw, 0);
      EXPECT_DOUBLE_EQ(PenaltyGbp(out), 0);
    } else {
      EXPECT_DOUBLE_EQ(*out.net_load_after_mw, 340);
      EXPECT_DOUBLE_EQ(out.excess_mw, 25);
      EXPECT_DOUBLE_EQ(PenaltyGbp(out), -25 * 150.0);
    }
    // The baseline is what the region would have paid with no dispatch at all.
    EXPECT_DOUBLE_EQ(engine.baseline_instability_penalty_gbp(), 25 * 150.0);
    EXPECT_DOUBLE_EQ(engine.ledger().Total(market::LedgerCause::kInstabilityPenalty),
                     PenaltyGbp(out));
  }
}

TEST(RegionEngineTest, AfterDispatchStepIsMeasuredFromAfterDispatchLoad) {
  // Holding 25 MW for one interval and then dropping it is itself a 25 MW step.
  RegionEngine engine = MakeEngine(50, 300.0);
  Propose(engine, "response", DispatchPriority::kResilience, 25, 0, 1);
  engine.ApplyStep(At(0), 340, 80);
  const IntervalOutcome second = engine.ApplyStep(At(1), 340, 80);
  EXPECT_DOUBLE_EQ(second.baseline_excess_mw, 0);  // 340 -> 340
  EXPECT_DOUBLE_EQ(second.excess_mw, 10);          // 315 -> 340, limit 15
  EXPECT_DOUBLE_EQ(PenaltyGbp(second), -10 * 150.0);
}

TEST(RegionEngineTest, MissingPriceSettledAtLastKnownPriceWithNote) {
  RegionEngine engine = MakeEngine(50);
  Propose(engine, "trader", DispatchPriority::kTrading, 10, 0, 3);  // 5 MWh each interval

  const IntervalOutcome first = engine.ApplyStep(At(0), std::nullopt, std::nullopt);
  const market::LedgerEntry* sold =
      FindEntry(first, market::LedgerCause::kArbitrageSold, "battery-1");
  ASSERT_NE(sold, nullptr);
  EXPECT_DOUBLE_EQ(sold->amount_gbp, 0);
  EXPECT_THAT(sold->note, HasSubstr("none known yet"));

  const IntervalOutcome second = engine.ApplyStep(At(1), 300, 84.1);
  sold = FindEntry(second, market::LedgerCause::kArbitrageSold, "battery-1");
  ASSERT_NE(sold, nullptr);
  EXPECT_DOUBLE_EQ(sold->amount_gbp, 5 * 84.1);
  EXPECT_EQ(sold->note, "");

  const IntervalOutcome third = engine.ApplyStep(At(2), 300, std::nullopt);
  sold = FindEntry(third, market::LedgerCause::kArbitrageSold, "battery-1");
  ASSERT_NE(sold, nullptr);
  EXPECT_DOUBLE_EQ(sold->amount_gbp, 5 * 84.1);
  EXPECT_EQ(sold->note, "price missing; settled at last known 84.10 GBP/MWh");
  const market::LedgerEntry* wear =
      FindEntry(third, market::LedgerCause::kBatteryDegradation, "battery-1");
  ASSERT_NE(wear, nullptr);
  EXPECT_DOUBLE_EQ(wear->amount_gbp, -5 * 5.0);
  EXPECT_THAT(wear->note, HasSubstr("price missing"));
}

TEST(RegionEngineTest, MissingNetLoadGivesNoPenaltyNowOrNext) {
  RegionEngine engine = MakeEngine(50, 300.0);
  const IntervalOutcome missing = engine.ApplyStep(At(0), std::nullopt, 80);
  EXPECT_FALSE(missing.net_load_after_mw.has_value());
  for (const market::LedgerEntry& e : missing.entries) {
    EXPECT_NE(e.cause, market::LedgerCause::kInstabilityPenalty);
  }
  EXPECT_DOUBLE_EQ(missing.excess_mw, 0);
  EXPECT_DOUBLE_EQ(missing.baseline_excess_mw, 0);

  // 300 -> (missing) -> 400: a change across a gap is no evidence of a ramp.
  const IntervalOutcome next = engine.ApplyStep(At(1), 400, 80);
  EXPECT_DOUBLE_EQ(next.excess_mw, 0);
  EXPECT_DOUBLE_EQ(next.baseline_excess_mw, 0);
  EXPECT_DOUBLE_EQ(PenaltyGbp(next), 0);

  // The chain restarts from 400: 400 -> 430 is 15 MW beyond the limit.
  const IntervalOutcome after = engine.ApplyStep(At(2), 430, 80);
  EXPECT_DOUBLE_EQ(after.excess_mw, 15);
  EXPECT_DOUBLE_EQ(after.baseline_excess_mw, 15);
  EXPECT_DOUBLE_EQ(PenaltyGbp(after), -15 * 150.0);
  EXPECT_DOUBLE_EQ(engine.ledger().Total(market::LedgerCause::kInstabilityPenalty), -15 * 150.0);
  EXPECT_DOUBLE_EQ(engine.baseline_instability_penalty_gbp(), 15 * 150.0);
}

TEST(RegionEngineTest, LedgerTotalsEqualSumsOfEntries) {
  RegionEngine engine = MakeEngine(50, 300.0);
  Propose(engine, "trader", DispatchPriority::kTrading, -30, 0, 2);
  Propose(engine, "trader", DispatchPriority::kTrading, 40, 2, 4);
  Propose(engine, "response", DispatchPriority::kResilience, 30, 3, 6, "peaker-1");
  Propose(engine, "response", DispatchPriority::kResilience, 20, 5, 6);
  const std::vector<std::optional<double>> net_load_mw = {320, 350, 350, std::nullopt,
                                                          330, 390, 360, 340};
  const std::vector<std::optional<double>> price = {40, -10, 120, 150, std::nullopt, 90, 70, 60};
  std::array<double, market::kLedgerCauseCount> sums{};
  double net_gbp = 0;
  for (size_t k = 0; k < net_load_mw.size(); ++k) {
    const IntervalOutcome out = engine.ApplyStep(At(k), net_load_mw[k], price[k]);
    for (const market::LedgerEntry& e : out.entries) {
      EXPECT_EQ(e.interval_start, At(k));
      sums[static_cast<int>(e.cause)] += e.amount_gbp;
      net_gbp += e.amount_gbp;
    }
  }
  for (int c = 0; c < market::kLedgerCauseCount; ++c) {
    SCOPED_TRACE(market::LedgerCauseName(static_cast<market::LedgerCause>(c)));
    EXPECT_NEAR(engine.ledger().Total(static_cast<market::LedgerCause>(c)), sums[c], 1e-9);
  }
  EXPECT_NEAR(engine.ledger().Net(), net_gbp, 1e-9);
  // Every cause was exercised: the sums are not trivially zero.
  EXPECT_GT(sums[static_cast<int>(market::LedgerCause::kArbitrageSold)], 0);
  EXPECT_LT(sums[static_cast<int>(market::LedgerCause::kArbitrageBought)], 0);
  EXPECT_LT(sums[static_cast<int>(market::LedgerCause::kPeakerFuel)], 0);
  EXPECT_DOUBLE_EQ(sums[static_cast<int>(market::LedgerCause::kPeakerStarts)], -2500);
  EXPECT_LT(sums[static_cast<int>(market::LedgerCause::kBatteryDegradation)], 0);
  EXPECT_LT(sums[static_cast<int>(market::LedgerCause::kInstabilityPenalty)], 0);
  EXPECT_EQ(engine.intervals_applied(), 8);
}

TEST(RegionEngineTest, PeakerWithNoProposalStaysOff) {
  RegionEngine engine = MakeEngine();
  for (int k = 0; k < 6; ++k) {
    const IntervalOutcome out = engine.ApplyStep(At(k), 300 + 40 * k, 200);
    ASSERT_EQ(out.peakers.size(), 1u);
    EXPECT_FALSE(out.peakers[0].started);
    EXPECT_DOUBLE_EQ(out.peakers[0].output_mw, 0);
    EXPECT_EQ(out.peakers[0].next.status, assets::PeakerStatus::kOff);
  }
  EXPECT_DOUBLE_EQ(engine.ledger().Total(market::LedgerCause::kPeakerStarts), 0);
  EXPECT_DOUBLE_EQ(engine.ledger().Total(market::LedgerCause::kPeakerFuel), 0);
}

TEST(RegionEngineTest, PeakerStopsWhenItsLeaseEndsOnceMinUpTimeAllows) {
  // Start 20 min, min up 1 h, ramp 8 MW/min, min stable 20 MW. Lease [T0, T0+1h).
  RegionEngine engine = MakeEngine();
  Propose(engine, "response", DispatchPriority::kResilience, 30, 0, 2, "peaker-1");
  struct Want {
    assets::PeakerStatus status;
    double output_mw;
    bool started;
  };
  const std::vector<Want> want = {
      {assets::PeakerStatus::kStarting, 0, true},  // online at T0+20 min: nothing in [T0, T0+30)
      {assets::PeakerStatus::kOn, 30, false},
      {assets::PeakerStatus::kOn, 20, false},  // no proposal, min up until T0+80 min
      {assets::PeakerStatus::kOff, 0, false},  // T0+90 min: may stop
      {assets::PeakerStatus::kOff, 0, false},
  };
  for (size_t k = 0; k < want.size(); ++k) {
    SCOPED_TRACE(k);
    const IntervalOutcome out = engine.ApplyStep(At(k), 300, 100);
    EXPECT_EQ(out.peakers[0].next.status, want[k].status);
    EXPECT_DOUBLE_EQ(out.peakers[0].output_mw, want[k].output_mw);
    EXPECT_DOUBLE_EQ(out.decisions[1].applied_mw, want[k].output_mw);
    EXPECT_EQ(out.peakers[0].started, want[k].started);
    if (k == 2) {
      EXPECT_EQ(out.decisions[1].proposal_id, 0);
      EXPECT_THAT(out.decisions[1].reason, HasSubstr("min up time"));
    }
  }
  EXPECT_DOUBLE_EQ(engine.ledger().Total(market::LedgerCause::kPeakerStarts), -2500);
  EXPECT_DOUBLE_EQ(engine.ledger().Total(market::LedgerCause::kPeakerFuel), -(30 + 20) * 0.5 * 160);
  // The run as the totals record it: commanded at T0, online at T0+20 min, off from T0+90.
  const AssetTotals& peaker = engine.asset_totals()[1];
  EXPECT_TRUE(peaker.peaker);
  EXPECT_FALSE(engine.asset_totals()[0].peaker);
  EXPECT_EQ(peaker.starts, 1);
  ASSERT_EQ(peaker.runs.size(), 1u);
  EXPECT_EQ(peaker.runs[0].start_command, At(0));
  EXPECT_EQ(peaker.runs[0].online, At(0) + absl::Minutes(20));
  EXPECT_EQ(peaker.runs[0].stopped, At(3));
}

// A 45-min start-up, asked to start in interval 0 only: still starting at T0+30 min, so the
// 0 MW request there aborts it.
TEST(RegionEngineTest, AbortedPeakerStartIsARunThatNeverCameOnline) {
  assets::PeakerParams slow;
  slow.start_up_time = absl::Minutes(45);
  RegionEngine engine(RegionConfig{}, {Battery()}, {slow}, 300.0);
  Propose(engine, "response", DispatchPriority::kResilience, 30, 0, 1, "peaker-1");
  for (int k = 0; k < 3; ++k) engine.ApplyStep(At(k), 300, 100);
  const AssetTotals& peaker = engine.asset_totals()[1];
  EXPECT_EQ(peaker.starts, 1);
  ASSERT_EQ(peaker.runs.size(), 1u);
  EXPECT_EQ(peaker.runs[0].start_command, At(0));
  EXPECT_EQ(peaker.runs[0].online, absl::InfiniteFuture());
  EXPECT_EQ(peaker.runs[0].stopped, At(1));
}

TEST(RegionEngineTest, AssetTotalsAndBatteryCycles) {
  RegionEngine engine = MakeEngine(50);
  Propose(engine, "trader", DispatchPriority::kTrading, -40, 0, 2);  // 2 x 20 MWh in
  Propose(engine, "trader", DispatchPriority::kTrading, 30, 3, 4);   // 15 MWh out
  Propose(engine, "response", DispatchPriority::kResilience, 40, 0, 2, "peaker-1");
  for (int k = 0; k < 6; ++k) engine.ApplyStep(At(k), 300, 80);

  const std::vector<AssetTotals>& totals = engine.asset_totals();
  ASSERT_EQ(totals.size(), 2u);
  EXPECT_EQ(totals[0].asset_id, "battery-1");
  EXPECT_EQ(totals[0].intervals_dispatched, 3);
  EXPECT_NEAR(totals[0].energy_mwh, 55, 1e-9);
  EXPECT_NEAR(engine.battery_cycles(), 55 / 200.0, 1e-12);
  // Peaker: starting in 0; on and ramped to 40 MW in 1; lease over, held at min stable
  // 20 MW in 2 (min up until T0+80 min); off from 3.
  EXPECT_EQ(totals[1].asset_id, "peaker-1");
  EXPECT_EQ(totals[1].intervals_dispatched, 2);
  EXPECT_NEAR(totals[1].energy_mwh, (40 + 20) * 0.5, 1e-9);
}

TEST(RegionEngineTest, ValidateNamesTheProblem) {
  struct Case {
    std::string name;
    RegionConfig region;
    std::vector<assets::BatteryParams> batteries;
    std::vector<assets::PeakerParams> peakers;
    std::vector<std::string> want_parts;  // empty: valid
  };
  assets::BatteryParams bad_charge = Battery();
  bad_charge.max_charge_mw = -1;
  assets::BatteryParams bad_reserve = Battery();
  bad_reserve.reserve_mwh = 95;
  assets::PeakerParams bad_ramp;
  bad_ramp.ramp_rate_mw_per_min = 0;
  assets::PeakerParams named_battery;
  named_battery.id = "battery-1";
  assets::BatteryParams unnamed = Battery();
  unnamed.id = "";
  RegionConfig bad_limit;
  bad_limit.ramp_limit_mw = 0;
  RegionConfig bad_penalty;
  bad_penalty.instability_penalty_gbp_per_mw = std::nan("");
  assets::BatteryParams second = Battery();
  second.id = "battery-2";

  const RegionConfig defaults;
  const std::vector<Case> cases = {
      {"defaults", defaults, {Battery()}, {assets::PeakerParams{}}, {}},
      {"two batteries", defaults, {Battery(), second}, {}, {}},
      {"duplicate battery ids", defaults, {Battery(), Battery()}, {}, {"battery-1", "used twice"}},
      {"battery and peaker share an id",
       defaults,
       {Battery()},
       {named_battery},
       {"battery-1", "used twice"}},
      {"empty id", defaults, {unnamed}, {}, {"asset id", "empty"}},
      {"negative charge limit", defaults, {bad_charge}, {}, {"battery-1", "max_charge_mw"}},
      {"reserve above soc max", defaults, {bad_reserve}, {}, {"reserve_mwh"}},
      {"peaker ramp zero", defaults, {}, {bad_ramp}, {"peaker-1", "ramp_rate_mw_per_min"}},
      {"ramp limit zero", bad_limit, {}, {}, {"ramp_limit_mw"}},
      {"penalty NaN", bad_penalty, {}, {}, {"instability_penalty_gbp_per_mw"}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const absl::Status status = RegionEngine::Validate(c.region, c.batteries, c.peakers);
    if (c.want_parts.empty()) {
      EXPECT_TRUE(status.ok()) << status;
      continue;
    }
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
    for (const std::string& part : c.want_parts) {
      EXPECT_THAT(std::string(status.message()), HasSubstr(part));
    }
  }
}

}  // namespace
}  // namespace gridpilot::region

namespace gridpilot::region {
namespace {

// Resilience dispatch cost: an override of the trader's +20 MW by a -10 MW charge at
// 100 GBP/MWh. Trading would have netted 20 x 0.5 x 100 - 5 x 10 = 950 GBP; the override
// netted -10 x 0.5 x 100 - 5 x 5 = -525 GBP; the cost is the difference, 1475 GBP.
// An interval the trader governs costs resilience nothing.
TEST(RegionEngineCostTest, ResilienceOverrideCostsWhatTradingWouldHaveNetted) {
  RegionEngine engine = RegionEngine(RegionConfig{}, {assets::BatteryParams{}}, {}, 300.0);
  const absl::Time t0 = absl::FromUnixSeconds(1672531200);  // 2023-01-01T00:00Z
  auto propose = [&](DispatchPriority priority, double power_mw, absl::Time start) {
    const DispatchProposal p =
        MakeProposal(priority == DispatchPriority::kTrading ? "trader" : "response", "battery-1",
                     priority, power_mw, start, start + absl::Minutes(30), /*reason=*/"");
    ASSERT_TRUE(engine.arbiter().Submit(p, start).ok());
  };
  propose(DispatchPriority::kTrading, 20.0, t0);
  propose(DispatchPriority::kResilience, -10.0, t0);
  engine.ApplyStep(t0, 300.0, 100.0);
  EXPECT_NEAR(engine.resilience_dispatch_cost_gbp(), 1475.0, 1e-9);

  propose(DispatchPriority::kTrading, 20.0, t0 + absl::Minutes(30));
  engine.ApplyStep(t0 + absl::Minutes(30), 300.0, 100.0);
  EXPECT_NEAR(engine.resilience_dispatch_cost_gbp(), 1475.0, 1e-9);

  // An override that nets more than trading would have (discharge 10 MW at 100 GBP/MWh
  // instead of charging 20 MW) is not credited: the cost stays where it was.
  propose(DispatchPriority::kTrading, -20.0, t0 + absl::Minutes(60));
  propose(DispatchPriority::kResilience, 10.0, t0 + absl::Minutes(60));
  engine.ApplyStep(t0 + absl::Minutes(60), 300.0, 100.0);
  EXPECT_NEAR(engine.resilience_dispatch_cost_gbp(), 1475.0, 1e-9);
}

}  // namespace
}  // namespace gridpilot::region

namespace gridpilot::region {
namespace {

TEST(RegionEngineStepTest, ToleranceIsTheHalfHourlyRuleWhenTheWindowIsOneStep) {
  EXPECT_DOUBLE_EQ(RampToleranceMw(15.0, kInterval, kInterval, kInterval), 15.0);
  // 5 s steps, 5 min window (n = 60): a steady 15 MW per half-hour ramp is exactly at it.
  EXPECT_NEAR(RampToleranceMw(15.0, kInterval, absl::Seconds(5), absl::Minutes(5)),
              15.0 / 6.0 * 61.0 / 120.0, 1e-12);
}

TEST(RegionEngineStepTest, FiveSecondStepsChargeASpikeProRataWithoutAnEcho) {
  RegionConfig region;
  region.step = absl::Seconds(5);
  region.ramp_window = absl::Minutes(5);
  ASSERT_TRUE(region.Validate().ok());
  RegionEngine engine(region, {}, {}, 300.0);
  const double tolerance_mw = region.ToleranceMw();
  absl::Time t = kT0;
  for (int k = 0; k < 60; ++k, t += region.step) engine.ApplyStep(t, 300.0, 50.0);
  IntervalOutcome spike = engine.ApplyStep(t, 312.0, 50.0);
  t += region.step;
  EXPECT_NEAR(spike.excess_mw, 12.0 - tolerance_mw, 1e-9);
  EXPECT_NEAR(-engine.ledger().Total(market::LedgerCause::kInstabilityPenalty),
              150.0 * (12.0 - tolerance_mw) * 5.0 / 1800.0, 1e-9);
  // Back to 300 MW: the spike moved the window's mean by 0.2 MW only.
  for (int k = 0; k < 120; ++k, t += region.step) {
    EXPECT_EQ(engine.ApplyStep(t, 300.0, 50.0).excess_mw, 0.0) << k;
  }
  region.step = absl::Seconds(7);
  EXPECT_FALSE(region.Validate().ok());
}

}  // namespace
}  // namespace gridpilot::region
