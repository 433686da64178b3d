// Cycle tests for the response policy, in the manner of OpenEMS controller tests:
// one observation in, the expected proposals out. Unless a case says otherwise the region
// sits at 1000 MW net load with no dispatch, the battery (50 MW / 100 MWh, efficiencies
// 0.95, soc_min 5, reserve 20) holds 50 MWh, the 60 MW peaker (min stable 20 MW) has long
// been off, and the limit is 15 MW with a 1 MW margin, so the band half-width is 14 MW.
#include "core/control/ramp_response_policy.h"

#include <cmath>
#include <functional>
#include <limits>
#include <optional>
#include <ostream>
#include <random>
#include <string>
#include <vector>

#include "core/assets/battery.h"
#include "core/assets/interlocks.h"
#include "gtest/gtest.h"

namespace gridpilot::control {
namespace {

using Kind = RampEvent::Kind;

const absl::Time kDecisionTime =
    absl::FromCivil(absl::CivilMinute(2023, 1, 5, 7, 0), absl::UTCTimeZone());
const double kNaN = std::numeric_limits<double>::quiet_NaN();

RampObservation Obs(const std::function<void(RampObservation&)>& edit = nullptr) {
  RampObservation obs;
  obs.decision_time = kDecisionTime;
  obs.last_net_load_mw = 1000.0;
  obs.previous_net_load_mw = 1000.0;
  obs.forecast_change_mw = {0.0, 0.0};
  obs.battery_soc_mwh = 50.0;
  if (edit) edit(obs);
  return obs;
}

void PeakerOn(RampObservation& obs, double output_mw, absl::Duration on_for) {
  obs.peaker.status = assets::PeakerStatus::kOn;
  obs.peaker.output_mw = output_mw;
  obs.peaker.status_since = kDecisionTime - on_for;
}

// The penalty is set high enough that every peaker start below pays for itself; the
// economic gate has its own case.
ResponsePolicyConfig Config(double limit_mw = 15.0, double margin_mw = 1.0,
                            double penalty_gbp_per_mw = 1000.0) {
  ResponsePolicyConfig config;
  config.ramp_limit_mw = limit_mw;
  config.margin_mw = margin_mw;
  config.instability_penalty_gbp_per_mw = penalty_gbp_per_mw;
  return config;
}

struct PolicyCase {
  std::string name = "";
  RampObservation obs = Obs();
  ResponsePolicyConfig config = Config();
  std::optional<double> battery_mw = std::nullopt;
  std::optional<double> peaker_mw = std::nullopt;
  std::vector<Kind> event_kinds = {};
  bool degraded = false;
  std::string reason_contains = "";  // checked when non-empty
};

// gtest prints a failing parameter with this instead of a byte dump.
void PrintTo(const PolicyCase& c, std::ostream* os) { *os << c.name; }

class DecideResponseTest : public testing::TestWithParam<PolicyCase> {};

TEST_P(DecideResponseTest, ProposesExpectedSetpoints) {
  const PolicyCase& c = GetParam();
  const ResponseDecision d = DecideResponse(c.obs, c.config);
  SCOPED_TRACE(d.reason);

  ASSERT_EQ(d.battery_mw.has_value(), c.battery_mw.has_value());
  if (c.battery_mw) {
    EXPECT_NEAR(*d.battery_mw, *c.battery_mw, 1e-6);
  }
  ASSERT_EQ(d.peaker_mw.has_value(), c.peaker_mw.has_value());
  if (c.peaker_mw) {
    EXPECT_NEAR(*d.peaker_mw, *c.peaker_mw, 1e-6);
  }
  std::vector<Kind> kinds;
  for (const RampEvent& e : d.events) kinds.push_back(e.kind);
  EXPECT_EQ(kinds, c.event_kinds);
  EXPECT_EQ(d.degraded, c.degraded);
  EXPECT_FALSE(d.reason.empty());
  if (!c.reason_contains.empty()) {
    EXPECT_NE(d.reason.find(c.reason_contains), std::string::npos);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Cycles, DecideResponseTest,
    testing::Values(
        // Forecast +5 then +3 with nothing dispatched: band [-9, 19] holds 0.
        PolicyCase{.name = "within_limits_nothing",
                   .obs = Obs([](RampObservation& o) {
                     o.previous_net_load_mw = 995.0;
                     o.forecast_change_mw = {5.0, 8.0};
                   }),
                   .config = Config(),
                   .reason_contains = "[-9.0, 19.0] MW"},
        // +20 MW persisting: band [6, 34]; the battery supplies excess 5 + margin 1.
        PolicyCase{.name = "degraded_measured_up_ramp_discharges_excess_plus_margin",
                   .obs = Obs([](RampObservation& o) {
                     o.previous_net_load_mw = 980.0;
                     o.forecast_change_mw = {};
                   }),
                   .config = Config(),
                   .battery_mw = 6.0,
                   .event_kinds = {Kind::kMeasured},
                   .degraded = true,
                   .reason_contains = "last measured change persists"},
        PolicyCase{.name = "degraded_measured_down_ramp_charges",
                   .obs = Obs([](RampObservation& o) {
                     o.previous_net_load_mw = 1020.0;
                     o.forecast_change_mw = {};
                   }),
                   .config = Config(),
                   .battery_mw = -6.0,
                   .event_kinds = {Kind::kMeasured},
                   .degraded = true},
        PolicyCase{.name = "forecast_down_ramp_charges",
                   .obs = Obs([](RampObservation& o) {
                     o.forecast_change_mw = {-30.0, -30.0};
                   }),
                   .config = Config(),
                   .battery_mw = -16.0,
                   .event_kinds = {Kind::kForecast}},
        // Band [11, 39]; the trader's -10 MW charge is moved to the nearest edge, 11.
        PolicyCase{.name = "trader_charge_worsening_up_ramp_overridden_to_near_edge",
                   .obs = Obs([](RampObservation& o) {
                     o.forecast_change_mw = {25.0, 25.0};
                     o.scheduled_battery_mw = -10.0;
                   }),
                   .config = Config(),
                   .battery_mw = 11.0,
                   .event_kinds = {Kind::kForecast},
                   .reason_contains = "battery set to 11.0 MW instead of -10.0 MW scheduled"},
        PolicyCase{.name = "trader_discharge_worsening_down_ramp_overridden_to_near_edge",
                   .obs = Obs([](RampObservation& o) {
                     o.forecast_change_mw = {-25.0, -25.0};
                     o.scheduled_battery_mw = 30.0;
                   }),
                   .config = Config(),
                   .battery_mw = -11.0,
                   .event_kinds = {Kind::kForecast}},
        PolicyCase{.name = "scheduled_in_band_nothing_despite_forecast_ramp",
                   .obs = Obs([](RampObservation& o) {
                     o.forecast_change_mw = {25.0, 25.0};
                     o.scheduled_battery_mw = 20.0;
                   }),
                   .config = Config(),
                   .event_kinds = {Kind::kForecast},
                   .reason_contains = "left to the trader"},
        // With 26 MWh stored the trading floor (25 MWh) lets the trader's 20 MW deliver only
        // 1.9 MW, out of the band, so resilience dispatch (floor 5 MWh) takes over.
        PolicyCase{.name = "trader_setpoint_limited_by_reserve_is_overridden",
                   .obs = Obs([](RampObservation& o) {
                     o.forecast_change_mw = {25.0, 25.0};
                     o.scheduled_battery_mw = 20.0;
                     o.battery_soc_mwh = 26.0;
                   }),
                   .config = Config(),
                   .battery_mw = 11.0,
                   .event_kinds = {Kind::kForecast},
                   .reason_contains = "limited to 1.9 MW by the trading reserve"},
        PolicyCase{.name = "schedule_within_deadband_of_band_edge_nothing",
                   .obs = Obs([](RampObservation& o) {
                     o.forecast_change_mw = {20.0, 20.0};
                     o.scheduled_battery_mw = 5.95;
                   }),
                   .config = Config(),
                   .event_kinds = {Kind::kForecast}},
        // 1 MWh above soc_min at 0.95 discharge efficiency over half an hour: 1.9 MW.
        PolicyCase{.name = "battery_near_soc_min_clamped",
                   .obs = Obs([](RampObservation& o) {
                     o.previous_net_load_mw = 960.0;
                     o.forecast_change_mw = {};
                     o.battery_soc_mwh = 6.0;
                   }),
                   .config = Config(),
                   .battery_mw = 1.9,
                   .event_kinds = {Kind::kMeasured},
                   .degraded = true,
                   .reason_contains = "24.1 MW short"},
        PolicyCase{.name = "battery_below_soc_min_never_discharges",
                   .obs = Obs([](RampObservation& o) {
                     o.forecast_change_mw = {40.0, 40.0};
                     o.battery_soc_mwh = 4.5;
                   }),
                   .config = Config(),
                   .event_kinds = {Kind::kForecast}},
        // The empty battery cannot meet t's band [26, 54]; t+1 brings +40 more on top of
        // what the grid then sees, so the peaker is started for 40 - 14 = 26 MW.
        PolicyCase{.name = "empty_battery_continuing_ramp_starts_peaker",
                   .obs = Obs([](RampObservation& o) {
                     o.forecast_change_mw = {40.0, 80.0};
                     o.battery_soc_mwh = 4.5;
                   }),
                   .config = Config(),
                   .peaker_mw = 26.0,
                   .event_kinds = {Kind::kForecast, Kind::kForecast}},
        // 0.1 MWh of room below soc_max: 0.1 / 0.95 / 0.5 h of grid-side charge.
        PolicyCase{.name = "battery_near_soc_max_charge_clamped",
                   .obs = Obs([](RampObservation& o) {
                     o.previous_net_load_mw = 1040.0;
                     o.forecast_change_mw = {};
                     o.battery_soc_mwh = 94.9;
                   }),
                   .config = Config(),
                   .battery_mw = -0.1 / 0.95 / 0.5,
                   .event_kinds = {Kind::kMeasured},
                   .degraded = true},
        // t: +20 (battery 6). t+1: +90, band low edge 6 + 90 - 14 = 82, battery 50:
        // 32 MW needed from the peaker, ordered now for its 20 min start-up.
        PolicyCase{.name = "forecast_ramp_next_interval_starts_peaker_now",
                   .obs = Obs([](RampObservation& o) {
                     o.forecast_change_mw = {20.0, 110.0};
                   }),
                   .config = Config(),
                   .battery_mw = 6.0,
                   .peaker_mw = 32.0,
                   .event_kinds = {Kind::kForecast, Kind::kForecast},
                   .reason_contains = "peaker start requested at 32.0 MW"},
        // Same ramp at 150 GBP/MW: 32 MW avoided is 4800 GBP, below the 2500 GBP start plus
        // fuel at 160 GBP/MWh for 32 MW over t+1 (2560 GBP) and 20 MW for the rest of its
        // 1 h minimum up time (1600 GBP), 6660 GBP, so the battery alone answers.
        PolicyCase{.name = "uneconomic_peaker_not_started",
                   .obs = Obs([](RampObservation& o) {
                     o.forecast_change_mw = {20.0, 110.0};
                   }),
                   .config = Config(15.0, 1.0, 150.0),
                   .battery_mw = 6.0,
                   .event_kinds = {Kind::kForecast, Kind::kForecast},
                   .reason_contains = "(4800 GBP) is below the start and running cost (6660 GBP)"},
        // At 150 GBP/MW a start pays only for a shortfall that lasts: +60 MW in each of
        // the next three intervals. After 6 MW in t the battery (41.84 MWh above soc_min)
        // gives 50 MW in t+1 (2 short of 6 + 60 - 14), then 29.5 MW of what is left in t+2
        // (66.5 short of 50 + 60 - 14) and nothing in t+3 (75.5 short): 2 + 60 + 60 MW
        // within capacity avoid 18300 GBP against a 2500 GBP start and fuel for 20, 60 and
        // 60 MW over half an hour each (11200 GBP). The start is at min stable load for
        // t+1's 2 MW; later intervals raise it.
        PolicyCase{
            .name = "sustained_shortfall_pays_for_peaker_start",
            .obs = Obs([](RampObservation& o) {
              o.forecast_change_mw = {20.0, 80.0, 140.0, 200.0};
            }),
            .config = Config(15.0, 1.0, 150.0),
            .battery_mw = 6.0,
            .peaker_mw = 20.0,
            .event_kinds = {Kind::kForecast, Kind::kForecast, Kind::kForecast, Kind::kForecast},
            .reason_contains = "peaker start requested at 20.0 MW now for the 2.0 MW"},
        PolicyCase{.name = "peaker_start_at_least_min_stable_load",
                   .obs = Obs([](RampObservation& o) {
                     o.forecast_change_mw = {20.0, 90.0};
                   }),
                   .config = Config(),
                   .battery_mw = 6.0,
                   .peaker_mw = 20.0,
                   .event_kinds = {Kind::kForecast, Kind::kForecast}},
        PolicyCase{.name = "peaker_start_capped_at_capacity",
                   .obs = Obs([](RampObservation& o) {
                     o.forecast_change_mw = {20.0, 200.0};
                   }),
                   .config = Config(),
                   .battery_mw = 6.0,
                   .peaker_mw = 60.0,
                   .event_kinds = {Kind::kForecast, Kind::kForecast}},
        // t+1 needs 62 MW; the battery has 50 MW of power but only 16 MWh stored, so after
        // 6 MW in t it has 7.84 MWh above soc_min: 14.9 MW, leaving 47.1 for the peaker.
        PolicyCase{.name = "peaker_sized_for_battery_energy_after_t",
                   .obs = Obs([](RampObservation& o) {
                     o.forecast_change_mw = {20.0, 90.0};
                     o.battery_soc_mwh = 16.0;
                   }),
                   .config = Config(),
                   .battery_mw = 6.0,
                   .peaker_mw = 47.1,
                   .event_kinds = {Kind::kForecast, Kind::kForecast}},
        PolicyCase{.name = "peaker_min_down_time_not_passed_battery_only",
                   .obs = Obs([](RampObservation& o) {
                     o.forecast_change_mw = {20.0, 110.0};
                     o.peaker.status_since = kDecisionTime - absl::Minutes(30);
                   }),
                   .config = Config(),
                   .battery_mw = 6.0,
                   .event_kinds = {Kind::kForecast, Kind::kForecast},
                   .reason_contains = "min down time has not passed"},
        // +60 persisting: the full battery gives 46 MW now and could not cover t+1 either,
        // but without a forecast there is no lead time to start the peaker.
        PolicyCase{.name = "degraded_never_starts_peaker",
                   .obs = Obs([](RampObservation& o) {
                     o.previous_net_load_mw = 940.0;
                     o.forecast_change_mw = {};
                     o.battery_soc_mwh = 95.0;
                   }),
                   .config = Config(),
                   .battery_mw = 46.0,
                   .event_kinds = {Kind::kMeasured},
                   .degraded = true,
                   .reason_contains = "no lead time"},
        PolicyCase{.name = "one_step_forecast_gives_no_peaker_decision",
                   .obs = Obs([](RampObservation& o) {
                     o.forecast_change_mw = {60.0};
                     o.battery_soc_mwh = 95.0;
                   }),
                   .config = Config(),
                   .battery_mw = 46.0,
                   .event_kinds = {Kind::kForecast}},
        // With 45 MWh above soc_min (42.75 MWh at the grid, 85.5 MW-intervals) the battery
        // could give the 46 MW the band asks, but not then walk back to 0 in 14 MW steps
        // (46 + 32 + 18 + 4 = 100 MW-intervals). It gives the most that can: p + (p - 14) +
        // (p - 28) + (p - 42) = 85.5, p = 42.375 MW, and the grid sees the rest now rather
        // than a cliff when the battery runs dry.
        PolicyCase{.name = "discharge_capped_to_hand_back_gradually",
                   .obs = Obs([](RampObservation& o) { o.forecast_change_mw = {60.0}; }),
                   .config = Config(),
                   .battery_mw = 42.375,
                   .event_kinds = {Kind::kForecast},
                   .reason_contains = "3.6 MW short"},
        // The same for charging: 10 MWh of room below soc_max (10 / 0.95 / 0.5 = 21.05
        // MW-intervals at the grid): p + (p - 14) = 21.05, p = 17.53 MW of charge.
        PolicyCase{.name = "charge_capped_to_hand_back_gradually",
                   .obs = Obs([](RampObservation& o) {
                     o.forecast_change_mw = {-60.0};
                     o.battery_soc_mwh = 85.0;
                   }),
                   .config = Config(),
                   .battery_mw = -(10.0 / 0.95 / 0.5 + 14.0) / 2.0,
                   .event_kinds = {Kind::kForecast}},
        // On at 30 MW for 2 h, flat load: band [16, 44]; the battery takes 16 of the step.
        PolicyCase{.name = "peaker_on_no_need_stops",
                   .obs = Obs([](RampObservation& o) {
                     PeakerOn(o, 30.0, absl::Hours(2));
                     o.last_dispatch_mw = 30.0;
                   }),
                   .config = Config(),
                   .battery_mw = 16.0,
                   .peaker_mw = 0.0,
                   .reason_contains = "peaker stop requested"},
        // Online 30 min ago: a stop holds min stable 20 MW, within the band [16, 44].
        PolicyCase{.name = "peaker_stop_within_min_up_plans_for_min_stable_load",
                   .obs = Obs([](RampObservation& o) {
                     PeakerOn(o, 30.0, absl::Minutes(30));
                     o.last_dispatch_mw = 30.0;
                   }),
                   .config = Config(),
                   .peaker_mw = 0.0,
                   .reason_contains = "held at min stable load"},
        // Band [56, 84]: without the peaker the battery (50) misses 6 MW, so it runs on
        // and the battery adds 16.
        PolicyCase{.name = "peaker_on_needed_keeps_running",
                   .obs = Obs([](RampObservation& o) {
                     PeakerOn(o, 40.0, absl::Hours(2));
                     o.last_dispatch_mw = 40.0;
                     o.forecast_change_mw = {30.0, 30.0};
                   }),
                   .config = Config(),
                   .battery_mw = 16.0,
                   .event_kinds = {Kind::kForecast}},
        PolicyCase{.name = "peaker_on_raised_when_battery_short",
                   .obs = Obs([](RampObservation& o) {
                     PeakerOn(o, 40.0, absl::Hours(2));
                     o.last_dispatch_mw = 40.0;
                     o.forecast_change_mw = {30.0, 30.0};
                     o.battery_soc_mwh = 6.0;
                   }),
                   .config = Config(),
                   .battery_mw = 1.9,
                   .peaker_mw = 54.1,
                   .event_kinds = {Kind::kForecast}},
        PolicyCase{.name = "degraded_running_peaker_may_still_stop",
                   .obs = Obs([](RampObservation& o) {
                     PeakerOn(o, 30.0, absl::Hours(2));
                     o.last_dispatch_mw = 30.0;
                     o.forecast_change_mw = {};
                   }),
                   .config = Config(),
                   .battery_mw = 16.0,
                   .peaker_mw = 0.0,
                   .degraded = true},
        // Online 5 min before t: counted at min stable 20 MW; band [26, 54], battery 6.
        // Stopping it would leave t+1 (band low edge 82) 32 MW short, so no request.
        PolicyCase{.name = "starting_peaker_counted_at_min_stable_load",
                   .obs = Obs([](RampObservation& o) {
                     o.peaker.status = assets::PeakerStatus::kStarting;
                     o.peaker.status_since = kDecisionTime - absl::Minutes(25);
                     o.forecast_change_mw = {40.0, 110.0};
                   }),
                   .config = Config(),
                   .battery_mw = 6.0,
                   .event_kinds = {Kind::kForecast, Kind::kForecast}},
        PolicyCase{.name = "starting_peaker_aborted_when_need_vanishes",
                   .obs = Obs([](RampObservation& o) {
                     o.peaker.status = assets::PeakerStatus::kStarting;
                     o.peaker.status_since = kDecisionTime - absl::Minutes(10);
                   }),
                   .config = Config(),
                   .peaker_mw = 0.0,
                   .reason_contains = "peaker start aborted"},
        // +20 MW dispatched last interval, no load change: band [6, 34], so the dispatch
        // falls by 14, not to 0.
        PolicyCase{.name = "unwinding_hands_back_gradually",
                   .obs = Obs([](RampObservation& o) { o.last_dispatch_mw = 20.0; }),
                   .config = Config(),
                   .battery_mw = 6.0},
        PolicyCase{.name = "degraded_without_previous_assumes_flat",
                   .obs = Obs([](RampObservation& o) {
                     o.last_dispatch_mw = 20.0;
                     o.previous_net_load_mw = std::nullopt;
                     o.forecast_change_mw = {};
                   }),
                   .config = Config(),
                   .battery_mw = 6.0,
                   .degraded = true,
                   .reason_contains = "flat load assumed"},
        PolicyCase{.name = "non_finite_forecast_means_degraded",
                   .obs = Obs([](RampObservation& o) {
                     o.previous_net_load_mw = 980.0;
                     o.forecast_change_mw = {kNaN, 0.0};
                   }),
                   .config = Config(),
                   .battery_mw = 6.0,
                   .event_kinds = {Kind::kMeasured},
                   .degraded = true},
        PolicyCase{.name = "margin_at_least_limit_pins_dispatch_to_band_centre",
                   .obs = Obs([](RampObservation& o) {
                     o.forecast_change_mw = {10.0, 10.0};
                   }),
                   .config = Config(15.0, 20.0),
                   .battery_mw = 10.0},
        PolicyCase{.name = "no_measurement_nothing",
                   .obs = Obs([](RampObservation& o) {
                     o.last_net_load_mw = std::nullopt;
                     o.forecast_change_mw = {50.0, 50.0};
                   }),
                   .config = Config(),
                   .reason_contains = "no measured net load"},
        PolicyCase{.name = "non_finite_dispatch_nothing",
                   .obs = Obs([](RampObservation& o) {
                     o.last_dispatch_mw = kNaN;
                     o.forecast_change_mw = {50.0, 50.0};
                   }),
                   .config = Config(),
                   .reason_contains = "last_dispatch_mw is not finite"},
        PolicyCase{.name = "invalid_battery_params_nothing",
                   .obs = Obs([](RampObservation& o) {
                     o.battery.max_discharge_mw = 0.0;
                     o.forecast_change_mw = {50.0, 50.0};
                   }),
                   .config = Config(),
                   .reason_contains = "battery params invalid"},
        PolicyCase{.name = "invalid_config_nothing",
                   .obs = Obs([](RampObservation& o) {
                     o.forecast_change_mw = {50.0, 50.0};
                   }),
                   .config = Config(15.0, -1.0),
                   .reason_contains = "margin_mw"}),
    [](const testing::TestParamInfo<PolicyCase>& info) { return info.param.name; });

// Closes the loop over several intervals of flat load: each decision becomes the next
// interval's dispatch, and the after-dispatch net load must move by at most
// limit - margin per interval while the battery hands back its 20 MW.
void ExpectGradualHandBack(const ResponsePolicyConfig& config,
                           const std::vector<std::optional<double>>& expected_battery_mw) {
  RampObservation obs = Obs([](RampObservation& o) { o.last_dispatch_mw = 20.0; });
  for (size_t step = 0; step < expected_battery_mw.size(); ++step) {
    SCOPED_TRACE(step);
    const ResponseDecision d = DecideResponse(obs, config);
    ASSERT_EQ(d.battery_mw.has_value(), expected_battery_mw[step].has_value()) << d.reason;
    const double dispatch_mw = d.battery_mw.value_or(obs.scheduled_battery_mw);
    if (expected_battery_mw[step]) {
      EXPECT_NEAR(dispatch_mw, *expected_battery_mw[step], 1e-9);
    }
    EXPECT_LE(std::abs(dispatch_mw - obs.last_dispatch_mw),
              config.ramp_limit_mw - config.margin_mw + 1e-9);
    obs.battery_soc_mwh =
        assets::StepBattery(obs.battery, obs.battery_soc_mwh, dispatch_mw, config.interval)
            .soc_after_mwh;
    obs.last_dispatch_mw = dispatch_mw;
    obs.decision_time += config.interval;
  }
}

// A ramp two intervals ahead (+60 MW in t+2) with a nearly empty battery (6 MWh): a
// 20-min start-up serves t+1 already, so the start waits for the next decision; a 45-min
// start-up produces only from t+2, so the start is requested now.
TEST(DecideResponsePeakerTest, StartLeadFollowsStartUpTime) {
  RampObservation obs = Obs([](RampObservation& o) {
    o.forecast_change_mw = {0.0, 0.0, 60.0};
    o.battery_soc_mwh = 6.0;
  });
  const ResponseDecision prompt = DecideResponse(obs, Config());
  EXPECT_FALSE(prompt.peaker_mw.has_value()) << prompt.reason;

  obs.peaker_params.start_up_time = absl::Minutes(45);
  const ResponseDecision slow = DecideResponse(obs, Config());
  ASSERT_TRUE(slow.peaker_mw.has_value()) << slow.reason;
  EXPECT_GE(*slow.peaker_mw, obs.peaker_params.min_stable_load_mw);
  EXPECT_NE(slow.reason.find("deliver in 2 intervals"), std::string::npos) << slow.reason;

  // A 45-min start-up cannot serve t+1: a ramp there alone starts nothing.
  obs.forecast_change_mw = {0.0, 60.0};
  EXPECT_FALSE(DecideResponse(obs, Config()).peaker_mw.has_value());
}

// On at 40 MW for 2 h, flat load, battery nearly empty (6 MWh): it cannot take the stop,
// so the peaker runs on, lowered to the band's low edge (40 - 14 = 26 MW).
TEST(DecideResponsePeakerTest, RunningPeakerLoweredTowardsBandLowEdge) {
  const RampObservation obs = Obs([](RampObservation& o) {
    PeakerOn(o, 40.0, absl::Hours(2));
    o.last_dispatch_mw = 40.0;
    o.battery_soc_mwh = 6.0;
  });
  const ResponseDecision d = DecideResponse(obs, Config());
  ASSERT_TRUE(d.peaker_mw.has_value()) << d.reason;
  EXPECT_NEAR(*d.peaker_mw, 26.0, 1e-6);
  EXPECT_NE(d.reason.find("peaker lowered from 40.0 to 26.0 MW"), std::string::npos) << d.reason;
}

// On at min stable load (20 MW) for 2 h, flat load, battery nearly empty: stopping lets a
// step of about 20 - 14 - 1.9 = 4.1 MW through once. At 150 GBP/MW that costs less than the
// fuel of running on (1,600 GBP per interval), so it stops; at 1,000 GBP/MW it runs on.
TEST(DecideResponsePeakerTest, RunningPeakerStopsWhenItsFuelExceedsThePenaltyItAvoids) {
  const RampObservation obs = Obs([](RampObservation& o) {
    PeakerOn(o, 20.0, absl::Hours(2));
    o.last_dispatch_mw = 20.0;
    o.battery_soc_mwh = 6.0;
  });
  const ResponseDecision cheap = DecideResponse(obs, Config(15.0, 1.0, 150.0));
  ASSERT_TRUE(cheap.peaker_mw.has_value()) << cheap.reason;
  EXPECT_EQ(*cheap.peaker_mw, 0.0);
  EXPECT_NE(cheap.reason.find("peaker stop requested: the penalty"), std::string::npos)
      << cheap.reason;

  const ResponseDecision dear = DecideResponse(obs, Config(15.0, 1.0, 1000.0));
  EXPECT_FALSE(dear.peaker_mw.has_value()) << dear.reason;

  // Within its minimum up time the economic stop is not considered (the unit would be
  // held at min stable load anyway).
  const RampObservation young = Obs([](RampObservation& o) {
    PeakerOn(o, 20.0, absl::Minutes(30));
    o.last_dispatch_mw = 20.0;
    o.battery_soc_mwh = 6.0;
  });
  const ResponseDecision held = DecideResponse(young, Config(15.0, 1.0, 150.0));
  EXPECT_EQ(held.reason.find("peaker stop requested: the penalty"), std::string::npos)
      << held.reason;
}

TEST(DecideResponseCycleTest, HandBackIsGradualWithDefaultLimit) {
  ExpectGradualHandBack(Config(), {6.0, std::nullopt});
}

TEST(DecideResponseCycleTest, HandBackIsGradualWithTightLimit) {
  ExpectGradualHandBack(Config(5.0, 0.0), {15.0, 10.0, 5.0, std::nullopt});
}

// Random observations with a fixed seed: every battery setpoint must already satisfy the
// gateway's interlock (a fixed point of ClampBatteryPower with floor soc_min), every peaker
// request must be 0 or within [min_stable_load, capacity], and where the battery is not at
// a physical limit, or at the most it can give and still hand back in 14 MW steps, the
// total dispatch must land in the band.
TEST(DecideResponsePropertyTest, SetpointsRespectInterlocksAndBand) {
  std::mt19937 rng(20230105);
  auto uniform = [&rng](double lo, double hi) {
    return std::uniform_real_distribution<double>(lo, hi)(rng);
  };
  const ResponsePolicyConfig config = Config();
  int proposals = 0;
  int peaker_requests = 0;
  for (int i = 0; i < 5000; ++i) {
    SCOPED_TRACE(i);
    RampObservation obs = Obs();
    obs.last_net_load_mw = uniform(800.0, 1200.0);
    obs.previous_net_load_mw = *obs.last_net_load_mw + uniform(-60.0, 60.0);
    obs.last_dispatch_mw = uniform(-50.0, 110.0);
    obs.scheduled_battery_mw = uniform(0.0, 1.0) < 0.3 ? 0.0 : uniform(-70.0, 70.0);
    obs.battery_soc_mwh = uniform(3.0, 95.0);
    obs.forecast_change_mw.clear();
    const int horizon = static_cast<int>(uniform(0.0, 4.0));
    double cumulative_mw = 0.0;
    for (int h = 0; h < horizon; ++h) {
      cumulative_mw += uniform(-80.0, 80.0);
      obs.forecast_change_mw.push_back(cumulative_mw);
    }
    const int status = static_cast<int>(uniform(0.0, 3.0));
    obs.peaker.status = static_cast<assets::PeakerStatus>(status);
    obs.peaker.output_mw = status == 2 ? uniform(20.0, 60.0) : 0.0;
    obs.peaker.status_since = kDecisionTime - absl::Minutes(uniform(0.0, 180.0));

    const ResponseDecision d = DecideResponse(obs, config);
    EXPECT_EQ(d.degraded, obs.forecast_change_mw.empty());
    if (d.battery_mw) {
      ++proposals;
      const double b = *d.battery_mw;
      EXPECT_LE(b, obs.battery.max_discharge_mw + 1e-9);
      EXPECT_GE(b, -obs.battery.max_charge_mw - 1e-9);
      EXPECT_NEAR(assets::ClampBatteryPower(obs.battery, obs.battery_soc_mwh, b,
                                            obs.battery.soc_min_mwh, config.interval)
                      .power_mw,
                  b, 1e-9);
      const assets::BatteryInterval step =
          assets::StepBattery(obs.battery, obs.battery_soc_mwh, b, config.interval);
      EXPECT_GE(step.soc_after_mwh, std::min(obs.battery_soc_mwh, obs.battery.soc_min_mwh) - 1e-9);
      EXPECT_LE(step.soc_after_mwh, obs.battery.soc_max_mwh + 1e-9);

      const double max_mw = assets::ClampBatteryPower(obs.battery, obs.battery_soc_mwh, 1e6,
                                                      obs.battery.soc_min_mwh, config.interval)
                                .power_mw;
      const double min_mw = assets::ClampBatteryPower(obs.battery, obs.battery_soc_mwh, -1e6,
                                                      obs.battery.soc_min_mwh, config.interval)
                                .power_mw;
      // Grid MW-intervals of holding |b| in t and then walking back to 0 in 14 MW steps,
      // against what the stored energy (or the room below soc_max) allows.
      auto walk_back_mw_intervals = [](double p_mw) {
        double sum = 0.0;
        for (double level = p_mw; level > 0.0; level -= 14.0) sum += level;
        return sum;
      };
      const double budget_mw_intervals = b > 0 ? (obs.battery_soc_mwh - obs.battery.soc_min_mwh) *
                                                     obs.battery.discharge_efficiency / 0.5
                                               : (obs.battery.soc_max_mwh - obs.battery_soc_mwh) /
                                                     obs.battery.charge_efficiency / 0.5;
      EXPECT_LE(walk_back_mw_intervals(std::abs(b)), budget_mw_intervals + 1e-6);
      const bool at_hand_back_cap =
          walk_back_mw_intervals(std::abs(b) + 0.01) > budget_mw_intervals;
      if (obs.peaker.status == assets::PeakerStatus::kOff && b < max_mw - 1e-6 &&
          b > min_mw + 1e-6 && !at_hand_back_cap) {
        const double change_mw = obs.forecast_change_mw.empty()
                                     ? *obs.last_net_load_mw - *obs.previous_net_load_mw
                                     : obs.forecast_change_mw[0];
        const double centre_mw = change_mw + obs.last_dispatch_mw;
        EXPECT_GE(b, centre_mw - 14.0 - 1e-6);
        EXPECT_LE(b, centre_mw + 14.0 + 1e-6);
      }
    }
    if (d.peaker_mw) {
      ++peaker_requests;
      const double p = *d.peaker_mw;
      EXPECT_TRUE(p == 0.0 || (p >= obs.peaker_params.min_stable_load_mw - 1e-9 &&
                               p <= obs.peaker_params.capacity_mw + 1e-9))
          << p;
      if (obs.peaker.status == assets::PeakerStatus::kOff) {
        EXPECT_FALSE(d.degraded);
      }
    }
  }
  // The sample must exercise the interesting paths, or the checks above prove nothing.
  EXPECT_GT(proposals, 1000);
  EXPECT_GT(peaker_requests, 200);
}

}  // namespace
}  // namespace gridpilot::control
