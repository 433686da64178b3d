// TraderAgent over a few days of ticks with a strong daily price pattern, the battery
// simulated as the gateway would (each interval applies the trader's earlier proposal,
// clamped at the trading floor): what it proposes and when, the trading floor, the ramp
// limit between consecutive setpoints and its lean with the expected change of net load, no
// look-ahead (prices and net load), and holding the last trusted plan on
// ticks whose telemetry the anomaly detectors judge suspect.
#include "agents/trader/trader_agent.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/assets/battery.h"
#include "core/assets/interlocks.h"
#include "core/base/time_util.h"
#include "core/control/trading_policy.h"
#include "core/planning/grid_dp_planner.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/common/proto_time.h"

namespace gridpilot {
namespace {

const absl::Time kStart = *base::ParseUtcTimestamp("2023-03-06T00:00:00Z");  // a Monday
constexpr double kRampLimitMw = 15.0;
constexpr double kTradingFloorMwh = 5.0 + 20.0;  // soc_min + reserve
constexpr int kTicksPerDay = 48;

using ::gridpilot::control::TradingPolicy;
using ::testing::HasSubstr;
using ::testing::Not;
using PriceFn = std::function<double(absl::Time interval_start)>;
using LoadFn = std::function<double(absl::Time interval_start)>;  // region net load, MW
// The day-ahead demand vintages published in [tick_time - 30 min, tick_time).
using DayAheadFn = std::function<std::vector<v1::DayAheadDemandForecast>(absl::Time tick_time)>;

double HourOf(absl::Time t) {
  return absl::ToDoubleHours(
      t - absl::FromCivil(absl::ToCivilDay(t, absl::UTCTimeZone()), absl::UTCTimeZone()));
}

// Cheap nights, expensive evenings, middling otherwise (GBP/MWh).
double DailyPattern(absl::Time interval_start) {
  const double hour = HourOf(interval_start);
  if (hour < 6.0) return 30.0;
  if (hour >= 17.0 && hour < 21.0) return 150.0;
  return 70.0;
}

// Region net load (MW): 300 overnight and through the day, rising 10 MW per half-hour
// from 15:00 to 17:00 and falling back 10 MW per half-hour from 21:00, the same every day.
double EveningRamp(absl::Time interval_start) {
  const double hour = HourOf(interval_start);
  if (hour >= 15.0 && hour < 17.0) return 300.0 + 10.0 * (std::floor(2 * (hour - 15.0)) + 1);
  if (hour >= 17.0 && hour < 21.0) return 340.0;
  if (hour >= 21.0 && hour < 23.0) return 340.0 - 10.0 * (std::floor(2 * (hour - 21.0)) + 1);
  return 300.0;
}

v1::RegionInfo Region() {
  v1::RegionInfo region;
  region.set_ramp_limit_mw(kRampLimitMw);
  *region.mutable_interval() = ToProtoDuration(base::kHalfHour);
  return region;
}

assets::BatteryParams Battery() {
  return assets::BatteryParams{};
}  // 100 MWh, 50/50 MW, floor 5 + 20

struct TickRecord {
  absl::Time time;            // decision time t
  double scheduled_mw = 0.0;  // what the tick showed as scheduled for t
  v1::DispatchProposal proposal;
  v1::GetScheduleResponse schedule;
  std::string note;                   // the answer's note
  std::optional<v1::AgentPlan> plan;  // the plan sent to the audit log with the answer
};

// Judges the ticks at the given times suspect; fails for the times in `failing`.
class FakeVerdicts final : public TelemetryVerdictSource {
 public:
  FakeVerdicts(std::set<absl::Time> suspect, std::set<absl::Time> failing = {})
      : suspect_(std::move(suspect)), failing_(std::move(failing)) {}
  absl::StatusOr<TelemetryVerdict> VerdictAt(absl::Time tick_time) override {
    if (failing_.contains(tick_time)) return absl::UnavailableError("anomaly service down");
    if (suspect_.contains(tick_time)) return TelemetryVerdict{true, "net load +150 MW off"};
    return TelemetryVerdict{};
  }

 private:
  std::set<absl::Time> suspect_, failing_;
};

// Runs one agent over `ticks` ticks: tick k at kStart + (k+1) * 30 min measures the
// interval before it at `price`. The gateway side applies, in interval t, the proposal
// made one tick earlier for t. Day-ahead vintages come in the boundary tick, or with
// `day_ahead_between_boundaries` in a tick of their own a minute before it (as the live
// simulator's steps bring them).
std::vector<TickRecord> RunTrader(const PriceFn& price, int ticks,
                                  TelemetryVerdictSource* verdicts = nullptr,
                                  v1::GetTraderStatusResponse* final_status = nullptr,
                                  const LoadFn& net_load = nullptr, double risk_aversion = 0.0,
                                  const DayAheadFn& day_ahead = nullptr,
                                  bool day_ahead_between_boundaries = false) {
  TraderAgent agent(verdicts, risk_aversion);
  agent.OnRegistered(Region());
  const assets::BatteryParams params = Battery();
  double soc_mwh = params.soc_initial_mwh;
  double last_applied_mw = 0.0;
  std::map<absl::Time, double> proposed;  // interval start -> power
  std::vector<TickRecord> records;
  for (int k = 0; k < ticks; ++k) {
    const absl::Time t = kStart + (k + 1) * base::kHalfHour;
    v1::Tick tick;
    tick.set_interval_boundary(true);
    tick.set_sequence(k);
    *tick.mutable_time() = ToProtoTime(t);
    *tick.mutable_measured_interval_start() = ToProtoTime(t - base::kHalfHour);
    tick.set_price_gbp_per_mwh(price(t - base::kHalfHour));
    tick.set_net_load_mw(net_load ? net_load(t - base::kHalfHour) : 300.0);
    v1::Asset* asset = tick.add_assets();
    asset->set_id(params.id);
    asset->set_kind(v1::ASSET_KIND_BATTERY);
    const double scheduled_mw = proposed.contains(t) ? proposed[t] : 0.0;
    asset->set_scheduled_power_mw(scheduled_mw);
    v1::BatteryState* b = asset->mutable_battery();
    b->set_soc_mwh(soc_mwh);
    b->set_power_mw(last_applied_mw);
    b->set_energy_capacity_mwh(params.energy_capacity_mwh);
    b->set_max_charge_mw(params.max_charge_mw);
    b->set_max_discharge_mw(params.max_discharge_mw);
    b->set_charge_efficiency(params.charge_efficiency);
    b->set_discharge_efficiency(params.discharge_efficiency);
    b->set_soc_min_mwh(params.soc_min_mwh);
    b->set_soc_max_mwh(params.soc_max_mwh);
    b->set_reserve_mwh(params.reserve_mwh);
    b->set_degradation_gbp_per_mwh(params.degradation_gbp_per_mwh);
    // A peaker in the registry must not confuse the trader.
    v1::Asset* peaker = tick.add_assets();
    peaker->set_id("peaker-1");
    peaker->set_kind(v1::ASSET_KIND_PEAKER);
    if (day_ahead) {
      v1::Tick* carrier = &tick;
      v1::Tick between;
      if (day_ahead_between_boundaries) {
        *between.mutable_time() = ToProtoTime(t - absl::Minutes(1));
        carrier = &between;
      }
      for (v1::DayAheadDemandForecast& f : day_ahead(t)) {
        *carrier->add_day_ahead_forecasts() = std::move(f);
      }
      if (day_ahead_between_boundaries) {
        EXPECT_TRUE(agent.OnTick(between).empty());
      }
    }

    std::vector<v1::DispatchProposal> proposals = agent.OnTick(tick);
    EXPECT_EQ(proposals.size(), 1u) << "tick " << k;
    if (proposals.empty()) break;
    records.push_back(
        {t, scheduled_mw, proposals[0], agent.Schedule(), agent.AnswerNote(), agent.AnswerPlan()});
    proposed[FromProtoTime(proposals[0].start())] = proposals[0].power_mw();

    // The gateway applies interval t: the trader's proposal for it, clamped at the floor.
    const assets::ClampedSetpoint applied =
        assets::ClampBatteryPower(params, soc_mwh, scheduled_mw, kTradingFloorMwh, base::kHalfHour);
    soc_mwh = assets::StepBattery(params, soc_mwh, applied.power_mw, base::kHalfHour).soc_after_mwh;
    last_applied_mw = applied.power_mw;
  }
  if (final_status != nullptr) *final_status = agent.Status();
  return records;
}

// Ticks 0..last of two runs proposed the same power for the same reason.
void ExpectSameProposalsThrough(const std::vector<TickRecord>& a, const std::vector<TickRecord>& b,
                                int last) {
  for (int k = 0; k <= last; ++k) {
    SCOPED_TRACE(k);
    EXPECT_EQ(a[k].proposal.power_mw(), b[k].proposal.power_mw());
    EXPECT_EQ(a[k].proposal.reason(), b[k].proposal.reason());
  }
}

TEST(TraderAgentTest, ProposalsAreTradingForTheIntervalAfterTheTick) {
  const std::vector<TickRecord> records = RunTrader(DailyPattern, 3 * kTicksPerDay);
  std::set<std::string> keys;
  for (const TickRecord& r : records) {
    SCOPED_TRACE(base::FormatUtcTimestamp(r.time));
    EXPECT_EQ(r.proposal.asset_id(), "battery-1");
    EXPECT_EQ(r.proposal.priority(), v1::DISPATCH_PRIORITY_TRADING);
    EXPECT_EQ(FromProtoTime(r.proposal.start()), r.time + base::kHalfHour);
    EXPECT_EQ(FromProtoTime(r.proposal.end()), r.time + 2 * base::kHalfHour);
    EXPECT_TRUE(std::isfinite(r.proposal.power_mw()));
    EXPECT_FALSE(r.proposal.reason().empty());
    keys.insert(r.proposal.idempotency_key());
    // The schedule published alongside starts where the proposal does.
    EXPECT_EQ(FromProtoTime(r.schedule.planned_at()), r.time);
    ASSERT_EQ(r.schedule.intervals_size(), TradingPolicy::kHorizonIntervals);
    EXPECT_EQ(FromProtoTime(r.schedule.intervals(0).interval_start()), r.time + base::kHalfHour);
    EXPECT_DOUBLE_EQ(r.schedule.intervals(0).power_mw(), r.proposal.power_mw());
  }
  EXPECT_EQ(keys.size(), records.size());
}

TEST(TraderAgentTest, ChargesWhenCheapAndDischargesWhenExpensiveAfterWarmUp) {
  const std::vector<TickRecord> records = RunTrader(DailyPattern, 5 * kTicksPerDay);
  int night_intervals = 0;
  int night_charging = 0;
  int evening_intervals = 0;
  int evening_discharging = 0;
  double night_energy_mwh = 0;
  double evening_energy_mwh = 0;
  for (const TickRecord& r : records) {
    const absl::Time planned = FromProtoTime(r.proposal.start());
    if (planned < kStart + absl::Hours(48)) continue;  // two days to learn the pattern
    const double hour = HourOf(planned);
    const double power_mw = r.proposal.power_mw();
    SCOPED_TRACE(base::FormatUtcTimestamp(planned));
    // Whole-hour margins leave room for ramping in and out at 15 MW per interval.
    if (hour >= 1.0 && hour < 6.0) {
      ++night_intervals;
      EXPECT_LE(power_mw, 1e-6) << "discharging at the cheapest price";
      if (power_mw < -1.0) ++night_charging;
      night_energy_mwh += power_mw * 0.5;
    }
    if (hour >= 18.0 && hour < 21.0) {
      ++evening_intervals;
      EXPECT_GE(power_mw, -1e-6) << "charging at the dearest price";
      if (power_mw > 1.0) ++evening_discharging;
      evening_energy_mwh += power_mw * 0.5;
    }
  }
  ASSERT_EQ(night_intervals, 3 * 10);
  ASSERT_EQ(evening_intervals, 3 * 6);
  EXPECT_GE(night_charging, 3 * 2);  // at least an hour of real charging a night
  EXPECT_GE(evening_discharging, 3 * 2);
  // Roughly the usable 70 MWh goes in each night and comes out each evening.
  EXPECT_LT(night_energy_mwh, -3 * 30.0);
  EXPECT_GT(evening_energy_mwh, 3 * 30.0);
}

TEST(TraderAgentTest, NeverPlansBelowTheTradingFloor) {
  const std::vector<TickRecord> records = RunTrader(DailyPattern, 4 * kTicksPerDay);
  double lowest_mwh = 1e9;
  for (const TickRecord& r : records) {
    for (const v1::ScheduledInterval& s : r.schedule.intervals()) {
      EXPECT_GE(s.soc_after_mwh(), kTradingFloorMwh - 1e-6)
          << base::FormatUtcTimestamp(r.time) << " plans "
          << base::FormatUtcTimestamp(FromProtoTime(s.interval_start()));
      EXPECT_LE(s.soc_after_mwh(), 95.0 + 1e-6);
      lowest_mwh = std::min(lowest_mwh, s.soc_after_mwh());
    }
  }
  // The plans do go down to the floor: the check above is not vacuous.
  EXPECT_LT(lowest_mwh, kTradingFloorMwh + 2.0);
}

TEST(TraderAgentTest, ConsecutiveSetpointsStayWithinTheRampLimit) {
  const std::vector<TickRecord> records = RunTrader(DailyPattern, 4 * kTicksPerDay);
  double largest_step_mw = 0;
  for (size_t k = 0; k < records.size(); ++k) {
    const TickRecord& r = records[k];
    // The tick shows what this trader proposed one tick earlier for the interval being
    // decided; the new proposal follows it.
    if (k > 0) {
      EXPECT_DOUBLE_EQ(r.scheduled_mw, records[k - 1].proposal.power_mw());
    }
    const double step_mw = std::abs(r.proposal.power_mw() - r.scheduled_mw);
    EXPECT_LE(step_mw, kRampLimitMw + 1e-9) << base::FormatUtcTimestamp(r.time);
    largest_step_mw = std::max(largest_step_mw, step_mw);
  }
  EXPECT_GT(largest_step_mw, kRampLimitMw / 2);  // the limit was actually approached
}

// Once a day of the same kind has been seen, each step lies within the trader's share of
// the 15 MW ramp limit around the change of net load expected for the planned interval,
// and leans past that symmetric share where the evening ramp of load lets the trader
// discharge into a short evening peak of price faster.
TEST(TraderAgentTest, StepWindowLeansWithTheExpectedChangeOfNetLoad) {
  const PriceFn short_peak = [](absl::Time interval_start) {
    const double hour = HourOf(interval_start);
    if (hour < 6.0) return 30.0;
    return hour >= 17.0 && hour < 18.0 ? 300.0 : 70.0;
  };
  const std::vector<TickRecord> records =
      RunTrader(short_peak, 4 * kTicksPerDay, nullptr, nullptr, EveningRamp);
  const double share_mw = TradingPolicy::kStepShareOfRampLimit * kRampLimitMw;
  double largest_step_mw = 0.0;
  for (const TickRecord& r : records) {
    const absl::Time planned = FromProtoTime(r.proposal.start());
    if (planned < kStart + absl::Hours(24)) continue;  // Monday: no profile yet
    const planning::StepWindow window = planning::StepWindowFor(
        EveningRamp(planned) - EveningRamp(planned - base::kHalfHour), share_mw);
    const double step_mw = r.proposal.power_mw() - r.scheduled_mw;
    SCOPED_TRACE(base::FormatUtcTimestamp(planned));
    EXPECT_LE(step_mw, window.upper_mw + 1e-9);
    EXPECT_GE(step_mw, window.lower_mw - 1e-9);
    largest_step_mw = std::max(largest_step_mw, step_mw);
  }
  EXPECT_GT(largest_step_mw, share_mw + 1.0);
}

// Region net load (MW): 300 overnight, up 30 MW a half-hour at 06:00, 06:30 and 07:00 (a
// ramp twice the limit), 390 until noon, then down 10 MW a half-hour back to 300 by 16:00.
double SteepMorningRamp(absl::Time interval_start) {
  const double hour = HourOf(interval_start);
  if (hour < 6.0) return 300.0;
  if (hour < 7.5) return 300.0 + 30.0 * (std::floor(2 * (hour - 6.0)) + 1);
  if (hour < 12.0) return 390.0;
  if (hour < 16.5) return 390.0 - 10.0 * (std::floor(2 * (hour - 12.0)) + 1);
  return 300.0;
}

// Once the morning ramp is in the net-load profile, every plan follows it from its second
// interval on: each step into a ramp interval is at least the expected change (30 MW)
// less 16 MW (16/15 of the 15 MW limit). The gentler afternoon fall (10 MW) is only leaned
// with, and the first planned interval is never forced.
TEST(TraderAgentTest, PlansFollowAnExpectedRampBeyondTheFollowThreshold) {
  const std::vector<TickRecord> records =
      RunTrader(DailyPattern, 3 * kTicksPerDay, nullptr, nullptr, SteepMorningRamp);
  const double follow_beyond_mw = TradingPolicy::kFollowBeyondShareOfRampLimit * kRampLimitMw;
  ASSERT_NEAR(follow_beyond_mw, 16.0, 1e-9);
  int ramp_steps_checked = 0;
  for (const TickRecord& r : records) {
    if (r.time < kStart + absl::Hours(24)) continue;  // Monday: no profile yet
    SCOPED_TRACE(base::FormatUtcTimestamp(r.time));
    EXPECT_THAT(r.schedule.reason(), testing::Not(testing::HasSubstr("only the first")));
    for (int j = 1; j < r.schedule.intervals_size(); ++j) {
      const absl::Time start = FromProtoTime(r.schedule.intervals(j).interval_start());
      const double expected_change_mw =
          SteepMorningRamp(start) - SteepMorningRamp(start - base::kHalfHour);
      if (expected_change_mw <= follow_beyond_mw) continue;
      const double step_mw =
          r.schedule.intervals(j).power_mw() - r.schedule.intervals(j - 1).power_mw();
      EXPECT_GE(step_mw, expected_change_mw - follow_beyond_mw - 1e-9)
          << "into " << base::FormatUtcTimestamp(start);
      ++ramp_steps_checked;
    }
  }
  EXPECT_GT(ramp_steps_checked, 100);
}

TEST(TraderAgentTest, ProposalAtTickKIgnoresEverythingAfterIt) {
  // Risk-neutral, and with risk settings, whose price intervals come from scored errors.
  for (const double risk_aversion : {0.0, 0.5}) {
    SCOPED_TRACE(testing::Message() << "risk aversion " << risk_aversion);
    constexpr int kTicks = 4 * kTicksPerDay;
    constexpr int kK = 2 * kTicksPerDay + 30;  // mid-afternoon of day 3
    const absl::Time tick_k = kStart + (kK + 1) * base::kHalfHour;
    // Identical up to tick k; after it, the evenings are cheap and the nights dear.
    const PriceFn altered = [&](absl::Time interval_start) {
      if (interval_start < tick_k) return DailyPattern(interval_start);
      return 180.0 - DailyPattern(interval_start);
    };
    // The net load (which leans the step window) changes after tick k too.
    const LoadFn altered_load = [&](absl::Time interval_start) {
      const double load_mw = EveningRamp(interval_start);
      return interval_start < tick_k ? load_mw : 600.0 - load_mw;
    };
    const std::vector<TickRecord> a =
        RunTrader(DailyPattern, kTicks, nullptr, nullptr, EveningRamp, risk_aversion);
    const std::vector<TickRecord> b =
        RunTrader(altered, kTicks, nullptr, nullptr, altered_load, risk_aversion);
    ASSERT_EQ(a.size(), b.size());
    ExpectSameProposalsThrough(a, b, kK);
    bool differs_later = false;
    for (int k = kK + 1; k < kTicks; ++k) {
      differs_later |= a[k].proposal.power_mw() != b[k].proposal.power_mw();
    }
    EXPECT_TRUE(differs_later) << "the alteration after tick k should change later proposals";
  }
}

// The daily pattern with a deterministic +-40 GBP/MWh scatter the profile cannot learn.
double NoisyDailyPattern(absl::Time interval_start) {
  return DailyPattern(interval_start) +
         40.0 * std::sin(1.7 * static_cast<double>(absl::ToUnixSeconds(interval_start) / 1800));
}

double ThroughputMwh(const std::vector<TickRecord>& records) {
  double mwh = 0.0;
  for (const TickRecord& r : records) mwh += std::abs(r.proposal.power_mw()) * 0.5;
  return mwh;
}

TEST(TraderAgentTest, RiskSettingsPlanOnTheForecastsIntervals) {
  constexpr int kTicks = 5 * kTicksPerDay;
  v1::GetTraderStatusResponse status;
  const std::vector<TickRecord> averse =
      RunTrader(NoisyDailyPattern, kTicks, nullptr, &status, nullptr, 1.0);
  EXPECT_EQ(status.risk_aversion(), 1.0);
  // No interval until 10 errors of a horizon have been scored.
  EXPECT_THAT(averse[0].schedule.reason(),
              HasSubstr("risk aversion 1.00: trades valued into the 90% price intervals "
                        "(48 of 48 intervals have none yet)"));
  EXPECT_FALSE(averse[0].schedule.intervals(0).has_price_lower_gbp_per_mwh());
  const TickRecord& late = averse.back();
  EXPECT_THAT(late.schedule.reason(), HasSubstr("risk aversion 1.00"));
  EXPECT_THAT(late.schedule.reason(), Not(HasSubstr("none yet")));
  for (const v1::ScheduledInterval& s : late.schedule.intervals()) {
    ASSERT_TRUE(s.has_price_lower_gbp_per_mwh());
    ASSERT_TRUE(s.has_price_upper_gbp_per_mwh());
    EXPECT_LT(s.price_lower_gbp_per_mwh(), s.price_forecast_gbp_per_mwh());
    EXPECT_GT(s.price_upper_gbp_per_mwh(), s.price_forecast_gbp_per_mwh());
    EXPECT_NEAR(s.price_upper_gbp_per_mwh() - s.price_forecast_gbp_per_mwh(),
                s.price_forecast_gbp_per_mwh() - s.price_lower_gbp_per_mwh(), 1e-9);
  }
  // Risk-neutral plans carry no intervals; the averse trader trades less energy, but
  // still trades the night-to-evening spread, which is wider than the scatter.
  v1::GetTraderStatusResponse neutral_status;
  const std::vector<TickRecord> neutral =
      RunTrader(NoisyDailyPattern, kTicks, nullptr, &neutral_status);
  EXPECT_EQ(neutral_status.risk_aversion(), 0.0);
  EXPECT_FALSE(neutral.back().schedule.intervals(0).has_price_lower_gbp_per_mwh());
  EXPECT_THAT(neutral.back().schedule.reason(), Not(HasSubstr("risk aversion")));
  EXPECT_LT(ThroughputMwh(averse), ThroughputMwh(neutral));
  EXPECT_GT(ThroughputMwh(averse), 100.0);
}

// Day d's demand runs 40 MW above the flat net load on even days and 40 below on odd
// ones, and its prices 0.5 GBP/MWh per MW with it.
double DemandDeviationMw(absl::Time interval_start) {
  const int64_t day = (interval_start - kStart) / absl::Hours(24);
  return day % 2 == 0 ? 40.0 : -40.0;
}
double PriceWithDemand(absl::Time interval_start) {
  return DailyPattern(interval_start) + 0.5 * DemandDeviationMw(interval_start);
}

// NESO's vintage for day d, published at 23:45 the day before: `demand_mw` for each of
// its 48 half-hours.
DayAheadFn DailyVintages(std::function<double(absl::Time target, absl::Time published)> demand_mw) {
  return [demand_mw](absl::Time tick_time) {
    std::vector<v1::DayAheadDemandForecast> out;
    const absl::Time published = tick_time - absl::Minutes(15);
    if ((published - kStart) % absl::Hours(24) != absl::Hours(23) + absl::Minutes(45)) return out;
    for (int i = 0; i < kTicksPerDay; ++i) {
      const absl::Time target = tick_time + i * base::kHalfHour;
      v1::DayAheadDemandForecast& f = out.emplace_back();
      *f.mutable_target_start() = ToProtoTime(target);
      *f.mutable_published() = ToProtoTime(published);
      f.set_demand_mw(demand_mw(target, published));
    }
    return out;
  };
}

TEST(TraderAgentTest, DayAheadDemandPublishedAfterTickKChangesNothingBeforeIt) {
  // Ten days, so that the price correction has learned (it starts after about four and a
  // half days per horizon). After tick k every vintage says the opposite of the truth.
  constexpr int kTicks = 10 * kTicksPerDay;
  constexpr int kK = 7 * kTicksPerDay + 30;
  const absl::Time tick_k = kStart + (kK + 1) * base::kHalfHour;
  const DayAheadFn truthful = DailyVintages(
      [](absl::Time target, absl::Time) { return 300.0 + DemandDeviationMw(target); });
  const DayAheadFn altered = DailyVintages([&](absl::Time target, absl::Time published) {
    return 300.0 + (published < tick_k ? 1.0 : -1.0) * DemandDeviationMw(target);
  });
  const std::vector<TickRecord> a =
      RunTrader(PriceWithDemand, kTicks, nullptr, nullptr, nullptr, 0.0, truthful);
  const std::vector<TickRecord> b =
      RunTrader(PriceWithDemand, kTicks, nullptr, nullptr, nullptr, 0.0, altered);
  ASSERT_EQ(a.size(), b.size());
  ExpectSameProposalsThrough(a, b, kK);
  bool differs_later = false;
  for (int k = kK + 1; k < kTicks; ++k) {
    differs_later |= a[k].schedule.intervals(0).price_forecast_gbp_per_mwh() !=
                     b[k].schedule.intervals(0).price_forecast_gbp_per_mwh();
  }
  EXPECT_TRUE(differs_later) << "later vintages should move later price forecasts";
}

TEST(TraderAgentTest, PlansOnTheDayAheadDemandOnceLearned) {
  // Day 8 (even) is dear by 20 GBP/MWh after an odd day 7. Planning at its start, the
  // trader expects that with the vintages; without them it expects day 7's cheapness to
  // last (the profile plus the price anomaly).
  constexpr int kTicks = 8 * kTicksPerDay;
  const DayAheadFn truthful = DailyVintages(
      [](absl::Time target, absl::Time) { return 300.0 + DemandDeviationMw(target); });
  const std::vector<TickRecord> with =
      RunTrader(PriceWithDemand, kTicks, nullptr, nullptr, nullptr, 0.0, truthful);
  const std::vector<TickRecord> without = RunTrader(PriceWithDemand, kTicks);
  // The last tick is day 8's 00:00 and plans from 00:30 (30 GBP/MWh + 20 until 06:00).
  const v1::GetScheduleResponse& s = with.back().schedule;
  ASSERT_EQ(FromProtoTime(s.intervals(0).interval_start()),
            kStart + absl::Hours(8 * 24) + base::kHalfHour);
  for (int i = 0; i < 4; ++i) {
    const double with_gbp = s.intervals(i).price_forecast_gbp_per_mwh();
    const double without_gbp = without.back().schedule.intervals(i).price_forecast_gbp_per_mwh();
    EXPECT_NEAR(with_gbp, 50.0, 8.0) << i;
    EXPECT_GT(with_gbp, without_gbp + 30.0) << i;
  }
  // Vintages brought by ticks between interval boundaries count the same.
  const std::vector<TickRecord> between =
      RunTrader(PriceWithDemand, kTicks, nullptr, nullptr, nullptr, 0.0, truthful, true);
  ASSERT_EQ(between.size(), with.size());
  for (size_t k = 0; k < with.size(); ++k) {
    EXPECT_EQ(between[k].proposal.power_mw(), with[k].proposal.power_mw()) << k;
  }
}

TEST(TraderAgentTest, NoBatteryNoProposal) {
  TraderAgent agent;
  agent.OnRegistered(Region());
  v1::Tick tick;
  tick.set_interval_boundary(true);
  *tick.mutable_time() = ToProtoTime(kStart + base::kHalfHour);
  *tick.mutable_measured_interval_start() = ToProtoTime(kStart);
  tick.set_price_gbp_per_mwh(50);
  v1::Asset* peaker = tick.add_assets();
  peaker->set_id("peaker-1");
  peaker->set_kind(v1::ASSET_KIND_PEAKER);
  EXPECT_TRUE(agent.OnTick(tick).empty());
  EXPECT_EQ(agent.Status().proposals_sent(), 0);
}

// A region run without prices (data.price_csv "none"): the trader proposes nothing and says
// why, and trades as usual from the first tick that brings a price.
TEST(TraderAgentTest, StandsAsideUntilAPriceIsSeen) {
  TraderAgent agent;
  agent.OnRegistered(Region());
  const assets::BatteryParams params = Battery();
  auto tick_at = [&](int k, std::optional<double> price) {
    const absl::Time t = kStart + (k + 1) * base::kHalfHour;
    v1::Tick tick;
    tick.set_interval_boundary(true);
    tick.set_sequence(k);
    *tick.mutable_time() = ToProtoTime(t);
    *tick.mutable_measured_interval_start() = ToProtoTime(t - base::kHalfHour);
    if (price.has_value()) tick.set_price_gbp_per_mwh(*price);
    tick.set_net_load_mw(300.0);
    v1::Asset* asset = tick.add_assets();
    asset->set_id(params.id);
    asset->set_kind(v1::ASSET_KIND_BATTERY);
    v1::BatteryState* b = asset->mutable_battery();
    b->set_soc_mwh(params.soc_initial_mwh);
    b->set_energy_capacity_mwh(params.energy_capacity_mwh);
    b->set_max_charge_mw(params.max_charge_mw);
    b->set_max_discharge_mw(params.max_discharge_mw);
    b->set_charge_efficiency(params.charge_efficiency);
    b->set_discharge_efficiency(params.discharge_efficiency);
    b->set_soc_min_mwh(params.soc_min_mwh);
    b->set_soc_max_mwh(params.soc_max_mwh);
    b->set_reserve_mwh(params.reserve_mwh);
    return tick;
  };
  for (int k = 0; k < 4; ++k) {
    EXPECT_TRUE(agent.OnTick(tick_at(k, std::nullopt)).empty()) << k;
  }
  EXPECT_EQ(agent.Status().proposals_sent(), 0);
  EXPECT_EQ(agent.Status().last_reason(), "no price seen yet: the trader stands aside");
  EXPECT_EQ(agent.OnTick(tick_at(4, 60.0)).size(), 1u);
  EXPECT_EQ(agent.Status().proposals_sent(), 1);
  // Once a price has been seen, a missing one is settled at the last known price, as before.
  EXPECT_EQ(agent.OnTick(tick_at(5, std::nullopt)).size(), 1u);
}

}  // namespace
}  // namespace gridpilot

namespace gridpilot {
namespace {

// Day 3, 17:00-18:30: the evening peak, when the trader is discharging.
std::set<absl::Time> SuspectEvening() {
  std::set<absl::Time> times;
  for (int k = 0; k < 4; ++k) times.insert(kStart + absl::Hours(2 * 24 + 17) + k * base::kHalfHour);
  return times;
}

TEST(TraderAgentTest, SuspectTicksKeepTheLastTrustedPlanAndSayWhy) {
  const std::set<absl::Time> suspect = SuspectEvening();
  FakeVerdicts verdicts(suspect);
  v1::GetTraderStatusResponse status;
  const std::vector<TickRecord> held =
      RunTrader(DailyPattern, 3 * kTicksPerDay, &verdicts, &status);
  const std::vector<TickRecord> plain = RunTrader(DailyPattern, 3 * kTicksPerDay);
  ASSERT_EQ(held.size(), plain.size());
  EXPECT_EQ(status.suspect_ticks_held(), 4);

  const v1::GetScheduleResponse* trusted = nullptr;  // the last plan made on trusted data
  int discharging_held = 0;
  for (size_t k = 0; k < held.size(); ++k) {
    const TickRecord& r = held[k];
    SCOPED_TRACE(base::FormatUtcTimestamp(r.time));
    if (r.time < *suspect.begin()) {
      // Nothing differs before the first suspect tick.
      EXPECT_EQ(r.proposal.power_mw(), plain[k].proposal.power_mw());
      EXPECT_EQ(r.note, "");
    }
    if (!suspect.contains(r.time)) {
      EXPECT_EQ(FromProtoTime(r.schedule.planned_at()), r.time);
      // The audit log gets the whole plan the proposal came from.
      EXPECT_TRUE(r.plan.has_value());
      if (r.plan.has_value()) {
        EXPECT_EQ(r.plan->power_mw_size(), r.schedule.intervals_size());
        EXPECT_EQ(r.plan->price_forecast_gbp_per_mwh_size(), r.schedule.intervals_size());
        EXPECT_EQ(r.plan->power_mw(0), r.proposal.power_mw());
        EXPECT_EQ(FromProtoTime(r.plan->first_interval_start()), r.time + base::kHalfHour);
        EXPECT_EQ(r.plan->reason(), r.proposal.reason());
      }
      trusted = &r.schedule;
      continue;
    }
    EXPECT_FALSE(r.plan.has_value());  // no plan was made on a suspect tick
    ASSERT_NE(trusted, nullptr);
    // No re-plan: the published schedule is still the trusted one.
    EXPECT_EQ(r.schedule.planned_at().seconds(), trusted->planned_at().seconds());
    // The proposal is that plan's setpoint for the interval after the tick.
    const v1::ScheduledInterval* planned = nullptr;
    for (const v1::ScheduledInterval& s : trusted->intervals()) {
      if (FromProtoTime(s.interval_start()) == r.time + base::kHalfHour) planned = &s;
    }
    ASSERT_NE(planned, nullptr);
    // The plan limits only its first step; the held setpoint keeps the ramp limit from
    // the power already scheduled for the interval being decided.
    const double step_mw = kRampLimitMw * TradingPolicy::kStepShareOfRampLimit;
    EXPECT_NEAR(r.proposal.power_mw(),
                std::clamp(planned->power_mw(), r.scheduled_mw - step_mw, r.scheduled_mw + step_mw),
                1e-9);
    EXPECT_EQ(FromProtoTime(r.proposal.start()), r.time + base::kHalfHour);
    EXPECT_THAT(r.proposal.reason(), ::testing::StartsWith("held from plan at "));
    EXPECT_THAT(r.note, ::testing::StartsWith("held: the telemetry measured for "));
    EXPECT_THAT(r.note, ::testing::HasSubstr("net load +150 MW off"));
    if (r.proposal.power_mw() > 1.0) ++discharging_held;
  }
  // The held plan is a real one (the evening discharge), not "do nothing".
  EXPECT_GE(discharging_held, 2);
}

TEST(TraderAgentTest, PlansAsUsualWhenTheVerdictSourceFails) {
  FakeVerdicts verdicts(/*suspect=*/{}, /*failing=*/SuspectEvening());
  v1::GetTraderStatusResponse status;
  const std::vector<TickRecord> failing =
      RunTrader(DailyPattern, 3 * kTicksPerDay, &verdicts, &status);
  const std::vector<TickRecord> plain = RunTrader(DailyPattern, 3 * kTicksPerDay);
  ASSERT_EQ(failing.size(), plain.size());
  for (size_t k = 0; k < failing.size(); ++k) {
    EXPECT_EQ(failing[k].proposal.power_mw(), plain[k].proposal.power_mw());
  }
  EXPECT_EQ(status.suspect_ticks_held(), 0);
}

}  // namespace
}  // namespace gridpilot
