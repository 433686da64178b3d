// The arbitrage trader's decision policy: from one observation (trading_observation.h) at
// a time, the battery setpoint the trader proposes for the next interval and the plan it
// came from. The trader's state across ticks (its price and net-load profiles, the price
// correction and its scores, the day-ahead vintages, the last trusted plan) lives here, so
// the agent's cycle is read -> TradingPolicy::Decide -> propose and the gateway's
// interlocks have the last word.
//
// The policy, for a boundary tick at time t that decides the interval starting at
// t + interval (the "planned interval"):
//  (a) Learning. The price of the interval that has just ended feeds the price profile
//      (forecast::ProfileForecaster), the price correction (PriceProfileCorrection) and,
//      with risk settings, the scores of earlier price forecasts (ConformalBand); the
//      measured net load feeds the net-load profile only when the tick is not suspect.
//      Prices come from the market, not the suspect meter, so they are always learned.
//      Day-ahead vintages are kept from every tick, boundary or not.
//  (b) Where the battery stands when the planned interval begins: its stored energy now
//      stepped by the power scheduled for the interval at t, clamped at the trading floor
//      (soc_min + reserve) as the gateway clamps it.
//  (c) Suspect telemetry: no re-plan. The setpoint is the last trusted plan's for the
//      planned interval (or the scheduled power when that plan does not reach it), kept
//      within the step limit of the scheduled power and clamped at the trading floor.
//  (d) Otherwise a re-plan over kHorizonIntervals from the planned interval: the price
//      profile plus its correction (from the last price's distance from its profile and
//      the day-ahead demand's distance from the net-load profile), valued into the
//      forecast's 90% intervals with risk settings, planned with PlanBatterySchedule above
//      the trading floor, every step limited to kStepShareOfRampLimit of the ramp limit
//      around the net-load profile's expected change (StepWindowFor), and following, from
//      the second planned interval, expected changes beyond kFollowBeyondShareOfRampLimit
//      of the ramp limit (ScheduleRequest::follow_beyond_mw).
//  (e) The first setpoint of the plan is pulled back within its step window of the
//      scheduled power and re-clamped at the trading floor (the floor wins); the plan says
//      so when that changed it.
// The constants were chosen by backtest: see docs/decisions.md, "Trading policy".
#ifndef GRIDPILOT_CORE_CONTROL_TRADING_POLICY_H_
#define GRIDPILOT_CORE_CONTROL_TRADING_POLICY_H_

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "core/control/trading_observation.h"
#include "core/forecast/conformal_band.h"
#include "core/forecast/price_profile_correction.h"
#include "core/forecast/profile_forecaster.h"
#include "core/planning/grid_dp_planner.h"

namespace gridpilot::control {

// A plan made on a trusted tick: one value per planned interval from
// first_interval_start, each `interval` long.
struct TradingPlan {
  absl::Time planned_at;            // the tick's time
  absl::Time first_interval_start;  // the planned interval
  absl::Duration interval = absl::Minutes(30);
  std::vector<double> power_mw;       // > 0 discharge
  std::vector<double> soc_after_mwh;  // stored energy at the end of each interval
  // The price forecast planned on, GBP/MWh: kHorizonIntervals values (the plan may be
  // shorter when the planner refused the request).
  std::vector<double> price_forecast_gbp_per_mwh;
  // With risk settings, the half-width of each forecast's 90% interval, GBP/MWh (nullopt
  // while its horizon has too few scored errors); all nullopt without.
  std::vector<std::optional<double>> price_half_width_gbp_per_mwh;
  double expected_value_gbp = 0.0;  // the planner's objective
  std::string reason;               // one sentence with the numbers
};

struct TradingDecision {
  // The setpoint for [interval_start, interval_start + interval), MW, > 0 discharge;
  // nullopt: nothing to propose (not a boundary tick, or no battery).
  std::optional<double> power_mw;
  absl::Time interval_start;        // the planned interval: t + interval
  std::string reason;               // why this setpoint, one sentence with the numbers
  bool held = false;                // suspect telemetry: the last trusted plan was kept (c)
  std::string note;                 // when held: what was suspect and what was kept
  std::optional<TradingPlan> plan;  // the plan made on this tick; nullopt when held
};

class TradingPolicy {
 public:
  // Planned intervals at 30 minutes; at any resolution, 24 hours of intervals
  // (HorizonIntervals).
  static constexpr int kHorizonIntervals = 48;
  static int HorizonIntervals(absl::Duration interval) {
    return static_cast<int>(absl::Hours(24) / interval);
  }
  // The trader's own steps are kept to this share of the grid's ramp limit, leaving the
  // rest for load changes (around the expected change of net load: (d)).
  static constexpr double kStepShareOfRampLimit = 0.7;
  // Expected changes of net load beyond this share of the ramp limit are ones every plan
  // follows from its second interval on (d).
  static constexpr double kFollowBeyondShareOfRampLimit = 16.0 / 15.0;

  // The largest step of the trader's power between intervals for a ramp limit, MW (>= 0).
  static double StepLimitMw(double ramp_limit_mw) { return kStepShareOfRampLimit * ramp_limit_mw; }

  // `risk_aversion` (risk settings, core/market/price_risk.h; must pass
  // ValidateRiskAversion) > 0 makes every plan value its trades into the 90% intervals of
  // its price forecast, built from the trader's own past errors (ConformalBand: per
  // horizon, the last 500 errors known at the plan's time; none before 10).
  // `interval` is the region's settlement interval (5, 15, 30 or 60 minutes): observations
  // must carry it, and profiles, correction and plans are on its grid.
  explicit TradingPolicy(double risk_aversion = 0.0, absl::Duration interval = absl::Minutes(30));

  // Applies the policy above to the tick at `now` (the decision time t: the end of the
  // measured interval). Ticks must come in time order. Never fails: a plan the planner
  // refuses or relaxes says so in its reason. Not thread-safe.
  TradingDecision Decide(const TradingObservation& obs, absl::Time now);

  // Sees every re-plan's planner request and the plan PlanBatterySchedule returned for it
  // (before (e)), on the thread that calls Decide. For benchmarks that replay the planner
  // (bench/trader_replay_bench); it must not keep the references.
  using ReplanObserver =
      std::function<void(const planning::ScheduleRequest&, const planning::BatterySchedule&)>;
  void set_replan_observer(ReplanObserver observer) { replan_observer_ = std::move(observer); }

  // The plan made on the last trusted tick, if any.
  const std::optional<TradingPlan>& last_plan() const { return last_plan_; }
  double risk_aversion() const { return risk_aversion_; }

 private:
  // (c): the last trusted plan's setpoint for `plan_start`.
  TradingDecision Hold(const TradingObservation& obs, double scheduled_mw,
                       double soc_at_plan_start_mwh, absl::Time plan_start) const;
  // (d) and (e): a new plan from `plan_start`.
  TradingDecision Plan(const TradingObservation& obs, absl::Time now, double scheduled_mw,
                       double soc_at_plan_start_mwh, absl::Time plan_start);

  const double risk_aversion_;
  const int horizon_intervals_;
  forecast::ProfileForecaster prices_;
  // Scores the price forecasts plans were made on (only with risk_aversion_ > 0).
  forecast::ConformalBand price_band_;
  // What the trader adds to the price profile; learns from every ended interval's price.
  forecast::PriceProfileCorrection price_correction_;
  // NESO's day-ahead demand forecast (region MW) by target interval start: the latest
  // vintage published before the last tick, targets from the planned interval on.
  std::map<absl::Time, double> day_ahead_demand_mw_;
  // The same half-hourly same-kind-day profile, of the region's net load (MW, trusted
  // ticks only): its expected change from one interval to the next centres the step window.
  forecast::ProfileForecaster net_load_;
  std::optional<TradingPlan> last_plan_;
  ReplanObserver replan_observer_;
};

}  // namespace gridpilot::control

#endif  // GRIDPILOT_CORE_CONTROL_TRADING_POLICY_H_
