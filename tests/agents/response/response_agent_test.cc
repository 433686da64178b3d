// ResponseAgent cycle tests in the OpenEMS manner: a tick and a forecast in, resilience
// proposals out. The forecast service is replaced by an in-process ChangeForecastSource
// that returns what the test sets (or an error).
#include "agents/response/response_agent.h"

#include <cmath>
#include <limits>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/base/time_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/common/proto_time.h"

namespace gridpilot {
namespace {

using ::testing::HasSubstr;

const absl::Time kT = *base::ParseUtcTimestamp("2023-01-05T07:00:00Z");

// Returns the set result for every call and records the issue times asked for.
class FakeChangeForecasts final : public ChangeForecastSource {
 public:
  absl::StatusOr<IssuedChangeForecast> ChangeForecast(absl::Time issue_time) override {
    asked.push_back(issue_time);
    if (!result.ok()) return result.status();
    return IssuedChangeForecast{.changes_mw = *result,
                                .base_suspect = suspect,
                                .suspect_cause = suspect ? "far from the seasonal forecast" : ""};
  }
  absl::StatusOr<std::vector<double>> result = std::vector<double>{0.0, 0.0};
  bool suspect = false;
  std::vector<absl::Time> asked;
};

v1::RegionInfo Region() {
  v1::RegionInfo region;
  region.set_ramp_limit_mw(15);
  region.set_instability_penalty_gbp_per_mw(150);
  *region.mutable_interval() = ToProtoDuration(base::kHalfHour);
  return region;
}

// What the gateway would publish at decision time t.
struct TickSpec {
  absl::Time t = kT;
  std::optional<double> net_load_mw = 300;
  double dispatch_mw = 0;
  double soc_mwh = 50;
  double scheduled_battery_mw = 0;
  v1::PeakerStatus peaker_status = v1::PEAKER_STATUS_OFF;
  double peaker_output_mw = 0;
  std::optional<absl::Time> peaker_since = std::nullopt;  // never changed state
};

v1::Tick MakeTick(const TickSpec& spec) {
  v1::Tick tick;
  tick.set_interval_boundary(true);
  *tick.mutable_time() = ToProtoTime(spec.t);
  *tick.mutable_measured_interval_start() = ToProtoTime(spec.t - base::kHalfHour);
  if (spec.net_load_mw) tick.set_net_load_mw(*spec.net_load_mw);
  tick.set_dispatch_mw(spec.dispatch_mw);

  v1::Asset* battery = tick.add_assets();
  battery->set_id("battery-1");
  battery->set_kind(v1::ASSET_KIND_BATTERY);
  battery->set_scheduled_power_mw(spec.scheduled_battery_mw);
  v1::BatteryState* b = battery->mutable_battery();
  b->set_soc_mwh(spec.soc_mwh);
  b->set_energy_capacity_mwh(100);
  b->set_max_charge_mw(50);
  b->set_max_discharge_mw(50);
  b->set_charge_efficiency(0.95);
  b->set_discharge_efficiency(0.95);
  b->set_soc_min_mwh(5);
  b->set_soc_max_mwh(95);
  b->set_reserve_mwh(20);
  b->set_degradation_gbp_per_mwh(5);

  v1::Asset* peaker = tick.add_assets();
  peaker->set_id("peaker-1");
  peaker->set_kind(v1::ASSET_KIND_PEAKER);
  v1::PeakerState* p = peaker->mutable_peaker();
  p->set_status(spec.peaker_status);
  p->set_output_mw(spec.peaker_output_mw);
  if (spec.peaker_since) *p->mutable_status_since() = ToProtoTime(*spec.peaker_since);
  p->set_capacity_mw(60);
  p->set_min_stable_load_mw(20);
  *p->mutable_start_up_time() = ToProtoDuration(absl::Minutes(20));
  *p->mutable_min_up_time() = ToProtoDuration(absl::Hours(1));
  *p->mutable_min_down_time() = ToProtoDuration(absl::Hours(1));
  p->set_ramp_rate_mw_per_min(8);
  p->set_fuel_gbp_per_mwh(100);
  p->set_start_cost_gbp(500);  // cheap enough that a 22 MW need pays for a start
  return tick;
}

using Setpoints = std::vector<std::pair<std::string, double>>;  // (asset, MW), in order

// Checks every proposal's form and that the setpoints are as wanted.
void ExpectProposals(const std::vector<v1::DispatchProposal>& proposals, absl::Time t,
                     const Setpoints& want) {
  ASSERT_EQ(proposals.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    SCOPED_TRACE(want[i].first);
    const v1::DispatchProposal& p = proposals[i];
    EXPECT_EQ(p.asset_id(), want[i].first);
    EXPECT_NEAR(p.power_mw(), want[i].second, 1e-6);
    EXPECT_EQ(p.priority(), v1::DISPATCH_PRIORITY_RESILIENCE);
    EXPECT_EQ(FromProtoTime(p.start()), t);
    EXPECT_EQ(FromProtoTime(p.end()), t + base::kHalfHour);
    EXPECT_THAT(p.idempotency_key(), HasSubstr(want[i].first));
    EXPECT_FALSE(p.reason().empty());
  }
}

struct CycleCase {
  std::string name;
  std::optional<double> prior_net_load_mw;  // a tick before, giving L_{t-2}
  TickSpec tick;
  absl::StatusOr<std::vector<double>> forecast;  // for both ticks
  Setpoints want;
};

// Registers the agent with the test region and pins the thresholds the expected values
// below are computed with (limit 15 MW, margin 1 MW), independent of the defaults.
void RegisterWithPinnedThresholds(ResponseAgent& agent) {
  agent.OnRegistered(Region());
  v1::Thresholds thresholds;
  thresholds.set_ramp_limit_mw(15.0);
  thresholds.set_margin_mw(1.0);
  ASSERT_TRUE(agent.SetThresholds(thresholds).ok());
}

TEST(ResponseAgentTest, TickInProposalsOut) {
  TickSpec base;
  TickSpec low_soc = base;
  low_soc.soc_mwh = 10;
  TickSpec trader_discharging = base;
  trader_discharging.scheduled_battery_mw = 30;
  TickSpec trader_charging = base;
  trader_charging.scheduled_battery_mw = -20;
  TickSpec rise = base;
  rise.net_load_mw = 340;
  TickSpec no_measurement = base;
  no_measurement.net_load_mw = std::nullopt;
  TickSpec peaker_just_stopped = base;
  peaker_just_stopped.peaker_since = kT - base::kHalfHour;
  const absl::Status down = absl::UnavailableError("forecast service down");
  using V = std::vector<double>;

  // Limit 15, margin 1: the total dispatch in t must be within 14 MW of the predicted
  // change of net load. Battery discharge limit from 50 MWh to floor 5 is 85.5 MW.
  const std::vector<CycleCase> cases = {
      {"flat forecast: nothing", std::nullopt, base, V{0, 0}, {}},
      {"rise within the limit: nothing", std::nullopt, base, V{12, 20}, {}},
      {"forecast rise 40: discharge to the band edge",
       std::nullopt,
       base,
       V{40, 40},
       {{"battery-1", 26}}},
      {"forecast fall 40: charge to the band edge",
       std::nullopt,
       base,
       V{-40, -40},
       {{"battery-1", -26}}},
      {"trader discharge already in the band: left alone",
       std::nullopt,
       trader_discharging,
       V{40, 40},
       {}},
      {"trader charging against the rise: overridden",
       std::nullopt,
       trader_charging,
       V{40, 40},
       {{"battery-1", 26}}},
      {"low soc: discharge limited by soc_min, reserve used",
       std::nullopt,
       low_soc,
       V{40, 40},
       {{"battery-1", 9.5}}},
      {"sustained rise beyond the battery: peaker start",
       std::nullopt,
       base,
       V{40, 100},
       {{"battery-1", 26}, {"peaker-1", 22}}},
      {"peaker inside min down time: battery only",
       std::nullopt,
       peaker_just_stopped,
       V{40, 100},
       {{"battery-1", 26}}},
      {"degraded: last measured change persists", 300, rise, down, {{"battery-1", 26}}},
      {"degraded with no earlier measurement: flat assumed", std::nullopt, rise, down, {}},
      {"no measured net load: nothing", std::nullopt, no_measurement, V{40, 40}, {}},
  };
  for (const CycleCase& c : cases) {
    SCOPED_TRACE(c.name);
    FakeChangeForecasts forecasts;
    forecasts.result = c.forecast;
    ResponseAgent agent(&forecasts);
    RegisterWithPinnedThresholds(agent);
    if (c.prior_net_load_mw) {
      TickSpec prior;
      prior.t = c.tick.t - base::kHalfHour;
      prior.net_load_mw = c.prior_net_load_mw;
      agent.OnTick(MakeTick(prior));
    }
    const std::vector<v1::DispatchProposal> proposals = agent.OnTick(MakeTick(c.tick));
    ExpectProposals(proposals, c.tick.t, c.want);
    ASSERT_FALSE(forecasts.asked.empty());
    EXPECT_EQ(forecasts.asked.back(), c.tick.t);  // forecasts issued at the decision time
    EXPECT_EQ(agent.Status().proposals_sent(), static_cast<int64_t>(proposals.size()));
  }
}

TEST(ResponseAgentTest, ReadsTheForecastOnlyAsFarAsItsLookAhead) {
  FakeChangeForecasts forecasts;
  ResponseAgent agent(&forecasts);
  RegisterWithPinnedThresholds(agent);
  TickSpec spec;
  // Steps of 40 MW from 2.5 h ahead on: beyond the 2-h look-ahead, not a forecast ramp.
  forecasts.result = std::vector<double>{0, 0, 0, 0, 40, 80, 120, 160};
  EXPECT_TRUE(agent.OnTick(MakeTick(spec)).empty());
  EXPECT_EQ(agent.Status().forecast_ramp_events(), 0);
  // The same step 1.5 h ahead is one.
  forecasts.result = std::vector<double>{0, 0, 40, 40, 40, 40, 40, 40};
  spec.t += base::kHalfHour;
  agent.OnTick(MakeTick(spec));
  EXPECT_EQ(agent.Status().forecast_ramp_events(), 1);
}

TEST(ResponseAgentTest, IdempotencyKeysAreUniquePerTickAndStableForARetry) {
  FakeChangeForecasts forecasts;
  forecasts.result = std::vector<double>{40, 100};
  ResponseAgent agent(&forecasts);
  RegisterWithPinnedThresholds(agent);
  std::set<std::string> keys;
  size_t proposals_seen = 0;
  for (int k = 0; k < 4; ++k) {
    TickSpec spec;
    spec.t = kT + k * base::kHalfHour;
    for (const v1::DispatchProposal& p : agent.OnTick(MakeTick(spec))) {
      ++proposals_seen;
      keys.insert(p.idempotency_key());
      EXPECT_THAT(p.idempotency_key(), HasSubstr(base::FormatUtcTimestamp(spec.t)));
    }
  }
  EXPECT_GE(proposals_seen, 4u);
  EXPECT_EQ(keys.size(), proposals_seen);
}

TEST(ResponseAgentTest, DegradedWhileTheSourceFailsAndRecoversAfter) {
  FakeChangeForecasts forecasts;
  ResponseAgent agent(&forecasts);
  RegisterWithPinnedThresholds(agent);
  TickSpec spec;

  forecasts.result = std::vector<double>{0, 0};
  agent.OnTick(MakeTick(spec));
  EXPECT_FALSE(agent.Status().degraded());

  forecasts.result = absl::DeadlineExceededError("forecast late");
  spec.t += base::kHalfHour;
  agent.OnTick(MakeTick(spec));
  v1::GetResponseStatusResponse status = agent.Status();
  EXPECT_TRUE(status.degraded());
  EXPECT_THAT(status.degraded_reason(), HasSubstr("forecast unavailable"));
  EXPECT_THAT(status.degraded_reason(), HasSubstr("forecast late"));

  // A forecast with a non-finite value is no forecast either.
  forecasts.result = std::vector<double>{std::numeric_limits<double>::quiet_NaN(), 0};
  spec.t += base::kHalfHour;
  agent.OnTick(MakeTick(spec));
  EXPECT_TRUE(agent.Status().degraded());

  forecasts.result = std::vector<double>{0, 0};
  spec.t += base::kHalfHour;
  agent.OnTick(MakeTick(spec));
  status = agent.Status();
  EXPECT_FALSE(status.degraded());
  EXPECT_EQ(status.degraded_reason(), "");
  EXPECT_EQ(status.ticks_seen(), 4);
  EXPECT_EQ(FromProtoTime(status.last_decision_time()), spec.t);
}

TEST(ResponseAgentTest, NoForecastSourceIsAlwaysDegraded) {
  ResponseAgent agent(nullptr);
  RegisterWithPinnedThresholds(agent);
  TickSpec prior;
  prior.t = kT - base::kHalfHour;
  agent.OnTick(MakeTick(prior));
  TickSpec rise;
  rise.net_load_mw = 340;
  ExpectProposals(agent.OnTick(MakeTick(rise)), kT, {{"battery-1", 26}});
  EXPECT_TRUE(agent.Status().degraded());
  EXPECT_THAT(agent.Status().degraded_reason(), HasSubstr("no forecast service"));
}

TEST(ResponseAgentTest, EventsAreCountedByKind) {
  FakeChangeForecasts forecasts;
  ResponseAgent agent(&forecasts);
  RegisterWithPinnedThresholds(agent);
  TickSpec prior;
  prior.t = kT - base::kHalfHour;
  agent.OnTick(MakeTick(prior));  // 300 MW, flat forecast: no events
  EXPECT_TRUE(agent.RecentEvents(10).empty());

  forecasts.result = std::vector<double>{40, 100};  // +40 then +60
  TickSpec rise;
  rise.net_load_mw = 340;  // measured +40
  agent.OnTick(MakeTick(rise));
  const v1::GetResponseStatusResponse status = agent.Status();
  EXPECT_EQ(status.measured_ramp_events(), 1);
  EXPECT_EQ(status.forecast_ramp_events(), 2);

  const std::vector<v1::RampEvent> events = agent.RecentEvents(10);
  ASSERT_EQ(events.size(), 3u);
  struct Want {
    v1::RampEventKind kind;
    absl::Time interval_start;
    double change_mw;
  };
  const std::vector<Want> want = {
      {v1::RAMP_EVENT_KIND_MEASURED, kT - base::kHalfHour, 40},
      {v1::RAMP_EVENT_KIND_FORECAST, kT, 40},
      {v1::RAMP_EVENT_KIND_FORECAST, kT + base::kHalfHour, 60},
  };
  for (size_t i = 0; i < want.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(events[i].kind(), want[i].kind);
    EXPECT_EQ(FromProtoTime(events[i].interval_start()), want[i].interval_start);
    EXPECT_NEAR(events[i].change_mw(), want[i].change_mw, 1e-9);
    EXPECT_DOUBLE_EQ(events[i].limit_mw(), 15);
    EXPECT_EQ(FromProtoTime(events[i].detected_at()), kT);
    EXPECT_THAT(events[i].decision(), HasSubstr("battery-1"));
    EXPECT_FALSE(events[i].reason().empty());
  }
  const std::vector<v1::RampEvent> newest = agent.RecentEvents(1);
  ASSERT_EQ(newest.size(), 1u);
  EXPECT_EQ(FromProtoTime(newest[0].interval_start()), kT + base::kHalfHour);
}

// The ramp limit is bounded by the region's: (0, 10 x 15] MW here. 1e300 would switch
// resilience off while the agent still claimed to respond.
TEST(ResponseAgentTest, SetThresholdsRefusesLimitsBeyondTheRegionsRange) {
  FakeChangeForecasts forecasts;
  ResponseAgent agent(&forecasts);
  agent.OnRegistered(Region());
  for (const double limit : {1e300, 150.001, 1e9}) {
    SCOPED_TRACE(limit);
    v1::Thresholds t;
    t.set_ramp_limit_mw(limit);
    t.set_margin_mw(1);
    const absl::Status set = agent.SetThresholds(t);
    EXPECT_EQ(set.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(set.message()), HasSubstr("ramp_limit_mw"));
    EXPECT_THAT(std::string(set.message()), HasSubstr("outside (0, 150] MW"));
    EXPECT_DOUBLE_EQ(agent.Thresholds().ramp_limit_mw(), 15);  // unchanged
  }
  v1::Thresholds widest;
  widest.set_ramp_limit_mw(150);
  widest.set_margin_mw(149);
  EXPECT_TRUE(agent.SetThresholds(widest).ok());
  EXPECT_DOUBLE_EQ(agent.Thresholds().ramp_limit_mw(), 150);
  v1::Thresholds bad_margin;
  bad_margin.set_ramp_limit_mw(20);
  bad_margin.set_margin_mw(1e300);
  const absl::Status set = agent.SetThresholds(bad_margin);
  EXPECT_EQ(set.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(set.message()), HasSubstr("margin_mw: 1e+300 is outside [0, 20) MW"));
}

TEST(ResponseAgentTest, SetThresholdsValidatesAndTakesEffect) {
  FakeChangeForecasts forecasts;
  forecasts.result = std::vector<double>{40, 40};
  ResponseAgent agent(&forecasts);
  agent.OnRegistered(Region());
  EXPECT_DOUBLE_EQ(agent.Thresholds().ramp_limit_mw(), 15);
  EXPECT_DOUBLE_EQ(agent.Thresholds().margin_mw(), control::ResponsePolicyConfig{}.margin_mw);

  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  const std::vector<std::pair<double, double>> invalid = {
      {nan, 1}, {inf, 1}, {0, 0}, {-5, 1}, {15, nan}, {15, -1}, {15, 15}, {15, 20}, {15, inf}};
  for (const auto& [limit, margin] : invalid) {
    SCOPED_TRACE(absl::StrCat(limit, " / ", margin));
    v1::Thresholds t;
    t.set_ramp_limit_mw(limit);
    t.set_margin_mw(margin);
    EXPECT_EQ(agent.SetThresholds(t).code(), absl::StatusCode::kInvalidArgument);
    EXPECT_DOUBLE_EQ(agent.Thresholds().ramp_limit_mw(), 15);  // unchanged
    EXPECT_DOUBLE_EQ(agent.Thresholds().margin_mw(), control::ResponsePolicyConfig{}.margin_mw);
  }

  v1::Thresholds wider;
  wider.set_ramp_limit_mw(20);
  wider.set_margin_mw(2);
  ASSERT_TRUE(agent.SetThresholds(wider).ok());
  EXPECT_DOUBLE_EQ(agent.Thresholds().ramp_limit_mw(), 20);
  EXPECT_DOUBLE_EQ(agent.Thresholds().margin_mw(), 2);
  // Band half-width 18 instead of 14: a 40 MW rise now needs 22 MW, not 26.
  ExpectProposals(agent.OnTick(MakeTick(TickSpec{})), kT, {{"battery-1", 22}});
  // And events are judged against the new limit: +40 is still beyond 20.
  EXPECT_EQ(agent.Status().forecast_ramp_events(), 1);
}

TEST(ResponseAgentTest, PeakerRequestPersistsUntilReleased) {
  FakeChangeForecasts forecasts;
  ResponseAgent agent(&forecasts);
  RegisterWithPinnedThresholds(agent);
  const absl::Time t1 = kT;
  const absl::Time online = t1 + absl::Minutes(20);

  struct Step {
    std::string name;
    TickSpec tick;
    std::vector<double> forecast;
    Setpoints want;
  };
  // The tick at t1 + k intervals with the given measurement, battery and peaker state.
  auto tick = [&](int k, double net_load_mw, double dispatch_mw, double soc_mwh,
                  v1::PeakerStatus status, double output_mw, std::optional<absl::Time> since) {
    TickSpec spec;
    spec.t = t1 + k * base::kHalfHour;
    spec.net_load_mw = net_load_mw;
    spec.dispatch_mw = dispatch_mw;
    spec.soc_mwh = soc_mwh;
    spec.peaker_status = status;
    spec.peaker_output_mw = output_mw;
    spec.peaker_since = since;
    return spec;
  };
  const double soc2 = 50 - 13 / 0.95;    // after 26 MW for half an hour
  const double soc3 = soc2 - 16 / 0.95;  // after 32 MW more
  const v1::PeakerStatus kOff = v1::PEAKER_STATUS_OFF;
  const v1::PeakerStatus kStarting = v1::PEAKER_STATUS_STARTING;
  const v1::PeakerStatus kOn = v1::PEAKER_STATUS_ON;
  const std::vector<Step> steps = {
      {"start requested",
       tick(0, 300, 0, 50, kOff, 0, std::nullopt),
       {40, 100},
       {{"battery-1", 26}, {"peaker-1", 22}}},
      {"starting: the request is repeated",
       tick(1, 340, 26, soc2, kStarting, 0, t1),
       {40, 100},
       {{"battery-1", 32}, {"peaker-1", 22}}},
      {"on, the battery could not cover a stop: still requested",
       tick(2, 380, 54, soc3, kOn, 22, online),
       {0, 0},
       {{"battery-1", 18}, {"peaker-1", 22}}},
      {"on, a full battery covers the stop: released",
       tick(3, 380, 54, 80, kOn, 22, online),
       {0, 0},
       {{"battery-1", 40}}},
      {"released stays released",
       tick(4, 380, 40, 60, kOn, 20, online),
       {0, 0},
       {{"battery-1", 26}}},
  };
  for (const Step& step : steps) {
    SCOPED_TRACE(step.name);
    forecasts.result = step.forecast;
    ExpectProposals(agent.OnTick(MakeTick(step.tick)), step.tick.t, step.want);
  }
}

}  // namespace
}  // namespace gridpilot

namespace gridpilot {
namespace {

// A tick whose measurement the forecast process judges suspect is not acted on: the
// battery setpoint decided at the tick before is proposed again, marked held, the answer
// carries a note saying why, and the suspect reading is not the base of the next change.
TEST(ResponseAgentTest, SuspectTelemetryHoldsTheLastDecision) {
  FakeChangeForecasts forecasts;
  ResponseAgent agent(&forecasts);
  RegisterWithPinnedThresholds(agent);
  forecasts.result = std::vector<double>{40, 40};
  ExpectProposals(agent.OnTick(MakeTick(TickSpec{})), kT, {{"battery-1", 26}});
  EXPECT_EQ(agent.AnswerNote(), "");

  // The next tick reports a fake 200 MW jump and a forecast of a further 60 MW rise.
  forecasts.suspect = true;
  forecasts.result = std::vector<double>{60, 60};
  TickSpec fake{.t = kT + base::kHalfHour, .net_load_mw = 500, .dispatch_mw = 26};
  const std::vector<v1::DispatchProposal> held = agent.OnTick(MakeTick(fake));
  ExpectProposals(held, kT + base::kHalfHour, {{"battery-1", 26}});
  EXPECT_THAT(held[0].reason(), HasSubstr("held from"));
  EXPECT_THAT(held[0].reason(), HasSubstr("suspect"));
  EXPECT_THAT(agent.AnswerNote(), HasSubstr("is suspect (far from the seasonal forecast)"));
  EXPECT_EQ(agent.Status().suspect_ticks_held(), 1);

  // Trusted again: flat forecast, so the battery goes back to the trader; no note.
  forecasts.suspect = false;
  forecasts.result = std::vector<double>{0, 0};
  TickSpec back{.t = kT + 2 * base::kHalfHour, .net_load_mw = 300, .dispatch_mw = 26};
  const std::vector<v1::DispatchProposal> after = agent.OnTick(MakeTick(back));
  EXPECT_EQ(agent.AnswerNote(), "");
  // No measured event from 500 -> 300: the suspect 500 was never kept as the base.
  for (const v1::RampEvent& e : agent.RecentEvents(10)) {
    EXPECT_NE(e.kind(), v1::RAMP_EVENT_KIND_MEASURED) << e.reason();
  }
}

// A region without a peaker: the battery is still set against a forecast ramp, and no
// proposal names a peaker (with a zero-capacity stand-in the policy refused to act at all).
TEST(ResponseAgentTest, RegionWithoutAPeakerStillCountersRampsWithTheBattery) {
  FakeChangeForecasts forecasts;
  forecasts.result = std::vector<double>{40.0, 80.0};
  ResponseAgent agent(&forecasts);
  RegisterWithPinnedThresholds(agent);
  v1::Tick tick = MakeTick(TickSpec{});
  tick.mutable_assets()->RemoveLast();  // the peaker
  ASSERT_EQ(tick.assets_size(), 1);
  ExpectProposals(agent.OnTick(tick), kT, {{"battery-1", 26}});
}

}  // namespace
}  // namespace gridpilot

namespace gridpilot {
namespace {

// A second, smaller battery (20 MW / 40 MWh, soc 2..38, reserve 8) in the tick.
void AddSmallBattery(v1::Tick& tick, double soc_mwh, double scheduled_mw) {
  v1::Asset* battery = tick.add_assets();
  battery->set_id("battery-2");
  battery->set_kind(v1::ASSET_KIND_BATTERY);
  battery->set_scheduled_power_mw(scheduled_mw);
  v1::BatteryState* b = battery->mutable_battery();
  b->set_soc_mwh(soc_mwh);
  b->set_energy_capacity_mwh(40);
  b->set_max_charge_mw(20);
  b->set_max_discharge_mw(20);
  b->set_charge_efficiency(0.95);
  b->set_discharge_efficiency(0.95);
  b->set_soc_min_mwh(2);
  b->set_soc_max_mwh(38);
  b->set_reserve_mwh(8);
  b->set_degradation_gbp_per_mwh(5);
}

// Two batteries: the decision is the fleet's (the band edge, 26 MW, as with one battery)
// and is split pro rata to each battery's headroom; a suspect tick holds both setpoints.
TEST(ResponseAgentTest, TwoBatteriesShareTheDutyByHeadroom) {
  FakeChangeForecasts forecasts;
  forecasts.result = std::vector<double>{40, 40};
  ResponseAgent agent(&forecasts);
  RegisterWithPinnedThresholds(agent);
  v1::Tick tick = MakeTick(TickSpec{});
  AddSmallBattery(tick, 20.0, 0.0);
  // Headroom up: battery-1 50 MW, battery-2 20 MW (its 18 MWh above soc_min give 34.2 MW).
  ExpectProposals(agent.OnTick(tick), kT,
                  {{"battery-1", 26.0 * 50.0 / 70.0}, {"battery-2", 26.0 * 20.0 / 70.0}});

  // The small battery nearly empty (3 MWh: 1.9 MW of headroom) and the trader already
  // discharging the big one at 10 MW (40 MW of headroom left): the change beyond the
  // schedules goes 40 : 1.9 between them.
  ResponseAgent second(&forecasts);
  RegisterWithPinnedThresholds(second);
  TickSpec spec;
  spec.scheduled_battery_mw = 10.0;
  v1::Tick low = MakeTick(spec);
  AddSmallBattery(low, 3.0, 0.0);
  const std::vector<v1::DispatchProposal> got = second.OnTick(low);
  ASSERT_EQ(got.size(), 2u);
  const double small_headroom_mw = 1.0 * 0.95 / 0.5;
  const double needed_mw = got[0].power_mw() + got[1].power_mw() - 10.0;
  EXPECT_GT(needed_mw, 1.0);
  EXPECT_NEAR(got[1].power_mw(), needed_mw * small_headroom_mw / (40.0 + small_headroom_mw), 1e-9);
  EXPECT_LE(got[1].power_mw(), small_headroom_mw + 1e-9);

  // A suspect tick next: both batteries' last setpoints are proposed again.
  forecasts.suspect = true;
  v1::Tick next = MakeTick(TickSpec{.t = kT + base::kHalfHour});
  AddSmallBattery(next, 19.0, 0.0);
  ExpectProposals(agent.OnTick(next), kT + base::kHalfHour,
                  {{"battery-1", 26.0 * 50.0 / 70.0}, {"battery-2", 26.0 * 20.0 / 70.0}});
}

}  // namespace
}  // namespace gridpilot
