// Cycle tests for the trading policy, in the manner of OpenEMS controller tests: one
// observation in, the expected setpoint out. Unless a case says otherwise the policy has
// seen one Monday (2023-03-06) of ticks whose prices are 0 GBP/MWh but 1000 in the
// half-hour from 17:00 and whose net load is a flat 300 MW, and is then asked at Tuesday
// 16:30 (measuring 16:00-16:30 at 0 GBP/MWh and 300 MW) for Tuesday 17:00, which its
// profile expects at 1000. The ramp limit is 15 MW, so the trader's step limit is 10.5 MW;
// the battery is core/assets/battery.h's default (50 MW, 0.95 each way, soc_min 5,
// reserve 20: trading floor 25 MWh). Plans move between 1 MWh stored levels from where
// the battery starts, so a step of k MWh stored is 1.9 k MW at the grid over half an hour.
#include "core/control/trading_policy.h"

#include <algorithm>
#include <functional>
#include <optional>
#include <ostream>
#include <string>

#include "absl/time/time.h"
#include "core/assets/battery.h"
#include "core/control/trading_observation.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace gridpilot::control {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr absl::Duration kInterval = absl::Minutes(30);
constexpr double kRampLimitMw = 15.0;
constexpr double kFloorMwh = 25.0;
const absl::Time kMonday = absl::FromCivil(absl::CivilDay(2023, 3, 6), absl::UTCTimeZone());
const absl::Time kSpike = kMonday + absl::Hours(17);                      // Monday's dear half-hour
const absl::Time kDecision = kMonday + absl::Hours(24 + 16) + kInterval;  // Tuesday 16:30

using LoadFn = std::function<double(absl::Time interval_start)>;  // region net load, MW

double Flat(absl::Time) { return 300.0; }
// 300 MW up to 16:30, 320 MW from 17:00: +20 MW expected into 17:00.
double RisesAtFive(absl::Time start) {
  return start - absl::FromCivil(absl::ToCivilDay(start, absl::UTCTimeZone()),
                                 absl::UTCTimeZone()) <
                 absl::Hours(17)
             ? 300.0
             : 320.0;
}
// 320 MW up to 16:30, 300 MW from 17:00: -20 MW expected into 17:00.
double FallsAtFive(absl::Time start) { return 620.0 - RisesAtFive(start); }

// The tick at `t`, measuring [t - 30 min, t) at Monday's price for that half-hour of the
// day and `load`.
TradingObservation Tick(absl::Time t, double soc_mwh, double scheduled_mw,
                        const LoadFn& load = Flat) {
  const absl::Time measured = t - kInterval;
  TradingObservation obs;
  obs.interval = kInterval;
  obs.ramp_limit_mw = kRampLimitMw;
  obs.measured_interval_start = measured;
  obs.price_gbp_per_mwh =
      (measured - kSpike) % absl::Hours(24) == absl::ZeroDuration() ? 1000.0 : 0.0;
  obs.net_load_mw = load(measured);
  obs.battery = TradingBattery{
      .params = assets::BatteryParams{}, .soc_mwh = soc_mwh, .scheduled_power_mw = scheduled_mw};
  return obs;
}

// Monday's 48 ticks, the last at Tuesday 00:00; the tick measuring `suspect_measured` is
// judged suspect and carries 500 MW.
void SeeMonday(TradingPolicy& policy, const LoadFn& load,
               std::optional<absl::Time> suspect_measured = std::nullopt) {
  for (int k = 1; k <= 48; ++k) {
    const absl::Time t = kMonday + k * kInterval;
    TradingObservation obs = Tick(t, 50.0, 0.0, load);
    if (suspect_measured == t - kInterval) {
      obs.suspect = true;
      obs.suspect_cause = "net load +200 MW off";
      obs.net_load_mw = 500.0;
    }
    policy.Decide(obs, t);
  }
}

struct TradingCase {
  std::string name = "";
  LoadFn load = Flat;                                // Monday's and Tuesday's net load
  std::optional<absl::Time> suspect_on_monday = {};  // see SeeMonday
  double soc_mwh = 90.0;                             // at Tuesday 16:30
  double scheduled_mw = 0.0;                         // for Tuesday 16:30-17:00
  bool suspect = false;                              // Tuesday 16:30's tick
  double expected_mw = 0.0;                          // for Tuesday 17:00-17:30
  std::string reason_contains = "";                  // checked when non-empty
};

void PrintTo(const TradingCase& c, std::ostream* os) { *os << c.name; }

class TradingPolicyCycleTest : public testing::TestWithParam<TradingCase> {};

TEST_P(TradingPolicyCycleTest, ProposesExpectedSetpoint) {
  const TradingCase& c = GetParam();
  TradingPolicy policy;
  SeeMonday(policy, c.load, c.suspect_on_monday);
  TradingObservation obs = Tick(kDecision, c.soc_mwh, c.scheduled_mw, c.load);
  obs.suspect = c.suspect;
  obs.suspect_cause = "net load +200 MW off";
  const TradingDecision d = policy.Decide(obs, kDecision);
  SCOPED_TRACE(d.reason);

  ASSERT_TRUE(d.power_mw.has_value());
  EXPECT_NEAR(*d.power_mw, c.expected_mw, 1e-6);
  EXPECT_EQ(d.interval_start, kDecision + kInterval);
  EXPECT_EQ(d.held, c.suspect);
  EXPECT_EQ(d.plan.has_value(), !c.suspect);
  if (d.plan.has_value()) {
    ASSERT_EQ(d.plan->power_mw.size(), static_cast<size_t>(TradingPolicy::kHorizonIntervals));
    EXPECT_EQ(d.plan->power_mw[0], *d.power_mw);
    EXPECT_EQ(d.plan->price_forecast_gbp_per_mwh[0], 1000.0);  // the profile's spike
    // The reserve is the response agent's: no plan goes below soc_min + reserve.
    for (double soc_mwh : d.plan->soc_after_mwh) EXPECT_GE(soc_mwh, kFloorMwh - 1e-9);
  }
  if (!c.reason_contains.empty()) {
    EXPECT_THAT(d.reason, HasSubstr(c.reason_contains));
  }
}

INSTANTIATE_TEST_SUITE_P(
    Cycles, TradingPolicyCycleTest,
    testing::Values(
        // The spike calls for all the battery can give; the flat load centres the window
        // on 0, so the step is at most 10.5 MW: 5 MWh stored, 9.5 MW.
        TradingCase{.name = "step_window_caps_the_discharge_into_the_spike",
                    .expected_mw = 9.5,
                    .reason_contains = "plan at 2023-03-07T16:30:00Z: +9.5 MW at forecast "
                                       "1000.00 GBP/MWh"},
        // +20 MW expected: window [0, 30.5] (the step follows the load): 16 MWh, 30.4 MW.
        TradingCase{.name = "step_window_leans_with_an_expected_rise_of_load",
                    .load = RisesAtFive,
                    .expected_mw = 30.4},
        // -20 MW expected: window [-30.5, 0]; discharging would add to the fall, and
        // charging at 1000 GBP/MWh does not pay: it holds.
        TradingCase{.name = "step_window_leans_with_an_expected_fall_of_load",
                    .load = FallsAtFive,
                    .expected_mw = 0.0},
        // 2 MWh above the trading floor: 3.8 MW, however dear the spike.
        TradingCase{.name = "reserve_limits_the_discharge", .soc_mwh = 27.0, .expected_mw = 3.8},
        // 7.6 MW scheduled for 16:30 takes 4 MWh first, leaving 1 MWh above the floor.
        TradingCase{.name = "reserve_counts_what_is_already_scheduled",
                    .soc_mwh = 30.0,
                    .scheduled_mw = 7.6,
                    .expected_mw = 1.9},
        // 40 MW running from 66 MWh leaves 44.95 MWh at 17:00: enough for 29.5 MW, not
        // enough to walk back from it to 0 MW in 10.5 MW steps above the floor, so the
        // planner keeps a level below the step window; the first setpoint is pulled back
        // to 40 - 10.5.
        TradingCase{.name = "first_setpoint_clamped_to_the_step_window",
                    .soc_mwh = 66.0,
                    .scheduled_mw = 40.0,
                    .expected_mw = 29.5,
                    .reason_contains = "first setpoint held to the ramp limit"},
        // From 50 MWh the same 40 MW leaves 28.95 MWh: 3.95 MWh above the floor, 7.5 MW.
        // The floor wins over the step window.
        TradingCase{.name = "floor_wins_over_the_step_window",
                    .soc_mwh = 50.0,
                    .scheduled_mw = 40.0,
                    .expected_mw = 7.5},
        // Suspect: no re-plan. Tuesday 00:00's plan (the last trusted one) discharges
        // well beyond 10.5 MW into the spike; held within one step of the scheduled 0 MW.
        TradingCase{.name = "suspect_holds_the_trusted_plan_within_the_step",
                    .suspect = true,
                    .expected_mw = 10.5,
                    .reason_contains = "held from plan at 2023-03-07T00:00:00Z: telemetry "
                                       "for 2023-03-07T16:00:00Z is suspect; +10.5 MW"},
        // ... and at the trading floor: 2 MWh above it, 3.8 MW.
        TradingCase{.name = "suspect_hold_keeps_the_reserve",
                    .soc_mwh = 27.0,
                    .suspect = true,
                    .expected_mw = 3.8},
        // A suspect 500 MW at Monday 16:30 would centre the window at -200 MW (no
        // discharge); it is not learned, so the window stays centred on 0.
        TradingCase{.name = "suspect_net_load_is_not_learned",
                    .suspect_on_monday = kMonday + absl::Hours(16) + kInterval,
                    .expected_mw = 9.5}),
    [](const testing::TestParamInfo<TradingCase>& info) { return info.param.name; });

// With the scheduled power at the trusted plan's own previous setpoint, the held setpoint
// is the plan's, unchanged, and the plan is kept.
TEST(TradingPolicyTest, SuspectTickProposesTheLastTrustedPlansSetpoint) {
  TradingPolicy policy;
  SeeMonday(policy, Flat);
  const absl::Time trusted_at = kDecision - kInterval;
  const TradingDecision trusted = policy.Decide(Tick(trusted_at, 90.0, 0.0), trusted_at);
  ASSERT_TRUE(trusted.plan.has_value());
  const std::vector<double>& planned_mw = trusted.plan->power_mw;
  // The plan discharges already at 16:30 so that it can give more than one step at 17:00.
  ASSERT_GT(planned_mw[1], 10.5);

  TradingObservation obs = Tick(kDecision, 90.0, planned_mw[0]);
  obs.suspect = true;
  obs.suspect_cause = "net load +200 MW off";
  const TradingDecision held = policy.Decide(obs, kDecision);
  ASSERT_TRUE(held.power_mw.has_value());
  EXPECT_EQ(*held.power_mw, planned_mw[1]);
  EXPECT_TRUE(held.held);
  EXPECT_FALSE(held.plan.has_value());
  EXPECT_THAT(held.note, StartsWith("held: the telemetry measured for 2023-03-07T16:00:00Z is "
                                    "suspect (net load +200 MW off); no re-plan on it, "));
  ASSERT_TRUE(policy.last_plan().has_value());
  EXPECT_EQ(policy.last_plan()->planned_at, trusted_at);
}

// Suspect before any plan: the scheduled power is held, within the floor. 8 MW scheduled
// from 27 MWh is clamped to 3.8 MW, which leaves the battery at the floor for 17:00.
TEST(TradingPolicyTest, SuspectTickWithoutAPlanHoldsTheScheduleAtTheFloor) {
  TradingPolicy policy;
  TradingObservation obs = Tick(kDecision, 27.0, 8.0);
  obs.suspect = true;
  const TradingDecision held = policy.Decide(obs, kDecision);
  ASSERT_TRUE(held.power_mw.has_value());
  EXPECT_NEAR(*held.power_mw, 0.0, 1e-9);
  EXPECT_THAT(held.reason, StartsWith("held from plan at none: "));
  EXPECT_FALSE(policy.last_plan().has_value());
}

TEST(TradingPolicyTest, NoSetpointBetweenBoundariesOrWithoutABattery) {
  TradingPolicy policy;
  TradingObservation between = Tick(kDecision, 50.0, 0.0);
  between.interval_boundary = false;
  EXPECT_FALSE(policy.Decide(between, kDecision).power_mw.has_value());
  TradingObservation no_battery = Tick(kDecision, 50.0, 0.0);
  no_battery.battery.reset();
  EXPECT_FALSE(policy.Decide(no_battery, kDecision).power_mw.has_value());
  EXPECT_FALSE(policy.last_plan().has_value());
}

// Without a ramp limit nothing limits the step: the spike takes the battery's 50 MW.
TEST(TradingPolicyTest, NoRampLimitNoStepWindow) {
  TradingPolicy policy;
  SeeMonday(policy, Flat);
  TradingObservation obs = Tick(kDecision, 90.0, 0.0);
  obs.ramp_limit_mw = 0.0;
  const TradingDecision d = policy.Decide(obs, kDecision);
  ASSERT_TRUE(d.power_mw.has_value());
  EXPECT_GT(*d.power_mw, 45.0);
}

}  // namespace
}  // namespace gridpilot::control

namespace gridpilot::control {
namespace {

// At a region's own resolution the trader plans 24 hours of its intervals, learns its
// price profile per interval and discharges into the one dear interval it has seen.
class TradingPolicyResolutionTest : public testing::TestWithParam<int> {};

TEST_P(TradingPolicyResolutionTest, PlansADayOfIntervalsAndSellsIntoTheDearOne) {
  const absl::Duration interval = absl::Minutes(GetParam());
  const int per_day = static_cast<int>(absl::Hours(24) / interval);
  const absl::Time spike = kMonday + absl::Hours(17);
  auto tick = [&](absl::Time t, double soc_mwh) {
    TradingObservation obs;
    obs.interval = interval;
    obs.ramp_limit_mw = kRampLimitMw;
    obs.measured_interval_start = t - interval;
    obs.price_gbp_per_mwh =
        (t - interval - spike) % absl::Hours(24) == absl::ZeroDuration() ? 1000.0 : 0.0;
    obs.net_load_mw = 300.0;
    obs.battery = TradingBattery{
        .params = assets::BatteryParams{}, .soc_mwh = soc_mwh, .scheduled_power_mw = 0.0};
    return obs;
  };
  TradingPolicy policy(0.0, interval);
  for (int k = 1; k <= per_day; ++k)
    policy.Decide(tick(kMonday + k * interval, 50.0), kMonday + k * interval);
  // Tuesday, two intervals before 17:00: the planned interval starts one interval before it.
  const absl::Time decision = kMonday + absl::Hours(24 + 17) - 2 * interval;
  const TradingDecision d = policy.Decide(tick(decision, 90.0), decision);
  SCOPED_TRACE(d.reason);
  ASSERT_TRUE(d.plan.has_value());
  EXPECT_EQ(d.plan->interval, interval);
  EXPECT_EQ(d.interval_start, decision + interval);
  ASSERT_EQ(d.plan->power_mw.size(), static_cast<size_t>(per_day));
  EXPECT_EQ(TradingPolicy::HorizonIntervals(interval), per_day);
  // The profile expects the spike in the plan's second interval (Tuesday 17:00) only (at
  // 5 minutes a day is enough for the price correction to start: within 1 GBP/MWh).
  EXPECT_NEAR(d.plan->price_forecast_gbp_per_mwh[1], 1000.0, 1.0);
  EXPECT_NEAR(d.plan->price_forecast_gbp_per_mwh[2], 0.0, 1.0);
  EXPECT_GT(d.plan->power_mw[1], 0.0);  // discharges into it
  for (double soc_mwh : d.plan->soc_after_mwh) EXPECT_GE(soc_mwh, kFloorMwh - 1e-9);
}

INSTANTIATE_TEST_SUITE_P(FiveFifteenAndSixtyMinutes, TradingPolicyResolutionTest,
                         testing::Values(5, 15, 60));

}  // namespace
}  // namespace gridpilot::control
