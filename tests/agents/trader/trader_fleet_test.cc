// TraderAgent with two batteries of different sizes over four days of a strong daily price
// pattern, each battery simulated as the gateway would: a proposal per battery every tick,
// each battery planned on its own (its plans equal a lone trader's with that battery and its
// share of the ramp limit), both trading, the schedule the fleet's sum, and the P&L per
// battery adding up to the total; behind a shared connection, the plans' sum within it.
#include <cmath>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "agents/trader/trader_agent.h"
#include "core/assets/battery.h"
#include "core/assets/interlocks.h"
#include "core/base/time_util.h"
#include "core/control/trading_policy.h"
#include "gtest/gtest.h"
#include "services/common/proto_time.h"

namespace gridpilot {
namespace {

const absl::Time kStart = *base::ParseUtcTimestamp("2023-03-06T00:00:00Z");
constexpr double kRampLimitMw = 15.0;
constexpr int kTicks = 4 * 48;

double DailyPattern(absl::Time interval_start) {
  const double hour = absl::ToDoubleHours(
      interval_start -
      absl::FromCivil(absl::ToCivilDay(interval_start, absl::UTCTimeZone()), absl::UTCTimeZone()));
  if (hour < 6.0) return 30.0;
  if (hour >= 17.0 && hour < 21.0) return 150.0;
  return 70.0;
}

assets::BatteryParams Big() { return assets::BatteryParams{}; }  // 50 MW / 100 MWh

assets::BatteryParams Small() {
  assets::BatteryParams p;
  p.id = "battery-2";
  p.energy_capacity_mwh = 40.0;
  p.max_charge_mw = p.max_discharge_mw = 20.0;
  p.soc_min_mwh = 2.0;
  p.soc_max_mwh = 38.0;
  p.soc_initial_mwh = 20.0;
  p.reserve_mwh = 8.0;
  return p;
}

struct Simulated {
  assets::BatteryParams params;
  double soc_mwh = 0.0;
  double last_applied_mw = 0.0;
  std::map<absl::Time, double> proposed;  // interval start -> power
  std::vector<double> proposals_mw;       // in tick order
  double discharged_mwh = 0.0;
  double charged_mwh = 0.0;
};

struct FleetRun {
  std::vector<Simulated> batteries;
  std::vector<double> schedule_first_mw;  // the published schedule's first interval
  v1::GetTraderPnlResponse pnl;
};

// One agent over kTicks ticks with `batteries`; the gateway applies in interval t each
// battery's proposal made one tick earlier, clamped at its trading floor.
// `connection_limit_mw`, when set, is the batteries' shared connection both ways.
FleetRun RunFleet(std::vector<assets::BatteryParams> params, double ramp_limit_mw,
                  std::optional<double> connection_limit_mw = std::nullopt) {
  TraderAgent agent;
  v1::RegionInfo region;
  region.set_ramp_limit_mw(ramp_limit_mw);
  if (connection_limit_mw.has_value()) {
    region.set_battery_export_limit_mw(*connection_limit_mw);
    region.set_battery_import_limit_mw(*connection_limit_mw);
  }
  *region.mutable_interval() = ToProtoDuration(base::kHalfHour);
  agent.OnRegistered(region);
  FleetRun run;
  for (const assets::BatteryParams& p : params) {
    Simulated& s = run.batteries.emplace_back();
    s.params = p;
    s.soc_mwh = p.soc_initial_mwh;
  }
  for (int k = 0; k < kTicks; ++k) {
    const absl::Time t = kStart + (k + 1) * base::kHalfHour;
    v1::Tick tick;
    tick.set_interval_boundary(true);
    tick.set_sequence(k);
    *tick.mutable_time() = ToProtoTime(t);
    *tick.mutable_measured_interval_start() = ToProtoTime(t - base::kHalfHour);
    tick.set_price_gbp_per_mwh(DailyPattern(t - base::kHalfHour));
    tick.set_net_load_mw(300.0);
    for (Simulated& s : run.batteries) {
      v1::Asset* asset = tick.add_assets();
      asset->set_id(s.params.id);
      asset->set_kind(v1::ASSET_KIND_BATTERY);
      asset->set_scheduled_power_mw(s.proposed.contains(t) ? s.proposed[t] : 0.0);
      v1::BatteryState* b = asset->mutable_battery();
      b->set_soc_mwh(s.soc_mwh);
      b->set_power_mw(s.last_applied_mw);
      b->set_energy_capacity_mwh(s.params.energy_capacity_mwh);
      b->set_max_charge_mw(s.params.max_charge_mw);
      b->set_max_discharge_mw(s.params.max_discharge_mw);
      b->set_charge_efficiency(s.params.charge_efficiency);
      b->set_discharge_efficiency(s.params.discharge_efficiency);
      b->set_soc_min_mwh(s.params.soc_min_mwh);
      b->set_soc_max_mwh(s.params.soc_max_mwh);
      b->set_reserve_mwh(s.params.reserve_mwh);
      b->set_degradation_gbp_per_mwh(s.params.degradation_gbp_per_mwh);
    }
    const std::vector<v1::DispatchProposal> proposals = agent.OnTick(tick);
    EXPECT_EQ(proposals.size(), run.batteries.size()) << "tick " << k;
    for (const v1::DispatchProposal& p : proposals) {
      for (Simulated& s : run.batteries) {
        if (s.params.id != p.asset_id()) continue;
        s.proposed[FromProtoTime(p.start())] = p.power_mw();
        s.proposals_mw.push_back(p.power_mw());
      }
    }
    run.schedule_first_mw.push_back(agent.Schedule().intervals(0).power_mw());
    for (Simulated& s : run.batteries) {
      const double scheduled_mw = s.proposed.contains(t) ? s.proposed[t] : 0.0;
      const assets::ClampedSetpoint applied =
          assets::ClampBatteryPower(s.params, s.soc_mwh, scheduled_mw,
                                    s.params.soc_min_mwh + s.params.reserve_mwh, base::kHalfHour);
      const assets::BatteryInterval step =
          assets::StepBattery(s.params, s.soc_mwh, applied.power_mw, base::kHalfHour);
      s.soc_mwh = step.soc_after_mwh;
      s.last_applied_mw = applied.power_mw;
      s.discharged_mwh += step.discharge_mwh;
      s.charged_mwh += step.charge_mwh;
    }
  }
  run.pnl = agent.Pnl();
  return run;
}

TEST(TraderFleetTest, EveryBatteryTradesOnItsOwnPlanWithItsShareOfTheRampLimit) {
  const FleetRun fleet = RunFleet({Big(), Small()}, kRampLimitMw);
  // Ramp shares pro rata to the power ratings: 50 of 70 MW and 20 of 70 MW.
  const double big_share_mw = TraderAgent::RampShareMw(kRampLimitMw, Big(), 70.0);
  const double small_share_mw = TraderAgent::RampShareMw(kRampLimitMw, Small(), 70.0);
  EXPECT_DOUBLE_EQ(big_share_mw, kRampLimitMw * 50.0 / 70.0);
  EXPECT_DOUBLE_EQ(small_share_mw, kRampLimitMw * 20.0 / 70.0);
  // Each battery's proposals are exactly a lone trader's with that battery and its share.
  const FleetRun big_alone = RunFleet({Big()}, big_share_mw);
  const FleetRun small_alone = RunFleet({Small()}, small_share_mw);
  EXPECT_EQ(fleet.batteries[0].proposals_mw, big_alone.batteries[0].proposals_mw);
  EXPECT_EQ(fleet.batteries[1].proposals_mw, small_alone.batteries[0].proposals_mw);
  for (const Simulated& s : fleet.batteries) {
    SCOPED_TRACE(s.params.id);
    // Both trade: they charge and discharge energy over the four days.
    EXPECT_GT(s.discharged_mwh, 10.0);
    EXPECT_GT(s.charged_mwh, 10.0);
    // Consecutive setpoints step within the battery's share of the ramp limit.
    const double share_mw = s.params.id == "battery-2" ? small_share_mw : big_share_mw;
    for (size_t k = 1; k < s.proposals_mw.size(); ++k) {
      EXPECT_LE(std::abs(s.proposals_mw[k] - s.proposals_mw[k - 1]),
                control::TradingPolicy::StepLimitMw(share_mw) + 1e-9)
          << "tick " << k;
    }
  }
  // The published schedule is the fleet's: its first interval is the sum of the proposals.
  for (size_t k = 0; k < fleet.schedule_first_mw.size(); ++k) {
    EXPECT_NEAR(fleet.schedule_first_mw[k],
                fleet.batteries[0].proposals_mw[k] + fleet.batteries[1].proposals_mw[k], 1e-9)
        << "tick " << k;
  }
}

TEST(TraderFleetTest, PnlPerBatteryAddsUpToTheTotal) {
  const FleetRun fleet = RunFleet({Big(), Small()}, kRampLimitMw);
  ASSERT_EQ(fleet.pnl.batteries_size(), 2);
  EXPECT_EQ(fleet.pnl.batteries(0).battery_id(), "battery-1");
  EXPECT_EQ(fleet.pnl.batteries(1).battery_id(), "battery-2");
  double realised = 0.0, perfect = 0.0;
  for (const v1::BatteryPnl& b : fleet.pnl.batteries()) {
    EXPECT_GT(b.realised_pnl_gbp(), 0.0) << b.battery_id();
    EXPECT_GT(b.perfect_foresight_pnl_gbp(), b.realised_pnl_gbp()) << b.battery_id();
    realised += b.realised_pnl_gbp();
    perfect += b.perfect_foresight_pnl_gbp();
  }
  EXPECT_NEAR(fleet.pnl.realised_pnl_gbp(), realised, 1e-6);
  EXPECT_NEAR(fleet.pnl.perfect_foresight_pnl_gbp(), perfect, 1e-6);
  EXPECT_NEAR(fleet.pnl.capture_ratio(), realised / perfect, 1e-12);
  // A lone battery's figures are its own.
  const FleetRun alone = RunFleet({Big()}, kRampLimitMw);
  ASSERT_EQ(alone.pnl.batteries_size(), 1);
  EXPECT_EQ(alone.pnl.realised_pnl_gbp(), alone.pnl.batteries(0).realised_pnl_gbp());
}

TEST(TraderFleetTest, ConnectionShareIsProRataToTheLimitsOnlyWhereTheFleetExceedsIt) {
  struct ShareCase {
    std::string name;
    std::optional<double> export_limit_mw;
    std::optional<double> import_limit_mw;
    double want_discharge_mw;
    double want_charge_mw;
  };
  const std::vector<ShareCase> cases = {
      {"no connection", std::nullopt, std::nullopt, 20.0, 20.0},
      {"connection above the fleet's rating", 70.0, 80.0, 20.0, 20.0},
      {"export binds", 35.0, std::nullopt, 35.0 * 20.0 / 70.0, 20.0},
      {"import binds", 100.0, 14.0, 20.0, 14.0 * 20.0 / 70.0},
      {"both bind", 35.0, 7.0, 10.0, 2.0},
  };
  for (const ShareCase& c : cases) {
    SCOPED_TRACE(c.name);
    const assets::BatteryParams got =
        TraderAgent::ConnectionShare(Small(), 70.0, 70.0, c.export_limit_mw, c.import_limit_mw);
    EXPECT_DOUBLE_EQ(got.max_discharge_mw, c.want_discharge_mw);
    EXPECT_DOUBLE_EQ(got.max_charge_mw, c.want_charge_mw);
    EXPECT_EQ(got.energy_capacity_mwh, Small().energy_capacity_mwh);
  }
}

TEST(TraderFleetTest, BehindASharedConnectionThePlansTogetherKeepWithinIt) {
  constexpr double kLimitMw = 25.0;
  const FleetRun free = RunFleet({Big(), Small()}, kRampLimitMw);
  const FleetRun shared = RunFleet({Big(), Small()}, kRampLimitMw, kLimitMw);
  ASSERT_EQ(shared.batteries[0].proposals_mw.size(), shared.batteries[1].proposals_mw.size());
  double free_peak_mw = 0.0, shared_peak_mw = 0.0;
  for (size_t k = 0; k < shared.batteries[0].proposals_mw.size(); ++k) {
    const double sum_mw = shared.batteries[0].proposals_mw[k] + shared.batteries[1].proposals_mw[k];
    EXPECT_LE(std::abs(sum_mw), kLimitMw + 1e-9) << "tick " << k;
    shared_peak_mw = std::max(shared_peak_mw, std::abs(sum_mw));
    free_peak_mw = std::max(free_peak_mw, std::abs(free.batteries[0].proposals_mw[k] +
                                                   free.batteries[1].proposals_mw[k]));
  }
  // Without the connection the fleet goes beyond it (so the test can fail), and with it
  // both batteries still trade.
  EXPECT_GT(free_peak_mw, kLimitMw + 1.0);
  EXPECT_GT(shared_peak_mw, kLimitMw / 2.0);
  for (const Simulated& s : shared.batteries) {
    EXPECT_GT(s.discharged_mwh, 1.0) << s.params.id;
    EXPECT_GT(s.charged_mwh, 1.0) << s.params.id;
  }
}

}  // namespace
}  // namespace gridpilot
