#include "core/control/trading_policy.h"

#include <algorithm>
#include <cstdint>
#include <numeric>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/assets/battery.h"
#include "core/assets/interlocks.h"
#include "core/base/time_util.h"
#include "core/market/price_risk.h"
#include "core/planning/grid_dp_planner.h"

namespace gridpilot::control {

namespace {
// The trader's price intervals: 90%, over the last 500 scored errors of each horizon,
// none before 10 (as the forecast service's PriceBook).
constexpr double kPriceIntervalCoverage = 0.9;
constexpr int kPriceIntervalWindow = 500;
constexpr int kPriceIntervalMinErrors = 10;
}  // namespace

TradingPolicy::TradingPolicy(double risk_aversion, absl::Duration interval)
    : risk_aversion_(risk_aversion),
      horizon_intervals_(HorizonIntervals(interval)),
      prices_(interval),
      price_band_(kPriceIntervalCoverage, kPriceIntervalWindow, kPriceIntervalMinErrors),
      price_correction_(horizon_intervals_, interval),
      net_load_(interval) {}

TradingDecision TradingPolicy::Decide(const TradingObservation& obs, absl::Time now) {
  // Vintages come in publication order, so a later one replaces an earlier one.
  for (const DayAheadDemand& f : obs.day_ahead_demand) {
    day_ahead_demand_mw_[f.target_start] = f.demand_mw;
  }
  // The trader plans settlement intervals: in the live simulator the ticks between
  // interval boundaries bring nothing else it uses, and its answer to them is "no change".
  if (!obs.interval_boundary) return {};
  const std::optional<double>& price = obs.price_gbp_per_mwh;
  prices_.Observe(obs.measured_interval_start, price);
  if (risk_aversion_ > 0 && price.has_value()) {
    price_band_.AddMeasurement(obs.measured_interval_start, *price);
  }
  std::optional<double> net_load_mw;
  if (obs.net_load_mw.has_value() && !obs.suspect) net_load_mw = obs.net_load_mw;
  net_load_.Observe(obs.measured_interval_start, net_load_mw);
  price_correction_.Observe(obs.measured_interval_start, price);

  if (!obs.battery.has_value()) return {};
  const assets::BatteryParams& params = obs.battery->params;
  const double floor_mwh = params.soc_min_mwh + params.reserve_mwh;
  // Where the battery will stand when the planned interval begins: now, plus what is
  // already scheduled for the interval being decided (our own earlier proposal).
  const double soc_now = obs.battery->soc_mwh;
  const assets::ClampedSetpoint scheduled = assets::ClampBatteryPower(
      params, soc_now, obs.battery->scheduled_power_mw, floor_mwh, obs.interval);
  const double soc_at_plan_start =
      assets::StepBattery(params, soc_now, scheduled.power_mw, obs.interval).soc_after_mwh;

  const absl::Time plan_start = now + obs.interval;
  day_ahead_demand_mw_.erase(day_ahead_demand_mw_.begin(),
                             day_ahead_demand_mw_.lower_bound(plan_start));
  if (obs.suspect) return Hold(obs, scheduled.power_mw, soc_at_plan_start, plan_start);
  return Plan(obs, now, scheduled.power_mw, soc_at_plan_start, plan_start);
}

TradingDecision TradingPolicy::Hold(const TradingObservation& obs, double scheduled_mw,
                                    double soc_at_plan_start_mwh, absl::Time plan_start) const {
  const assets::BatteryParams& params = obs.battery->params;
  const double floor_mwh = params.soc_min_mwh + params.reserve_mwh;
  const double max_power_step_mw = StepLimitMw(obs.ramp_limit_mw);
  // The last trusted plan's setpoint for the planned interval, or the power already
  // scheduled when that plan does not reach it, within the step and the floor.
  double held_mw = scheduled_mw;
  if (last_plan_.has_value()) {
    for (size_t i = 0; i < last_plan_->power_mw.size(); ++i) {
      const absl::Time start =
          last_plan_->first_interval_start + static_cast<int64_t>(i) * last_plan_->interval;
      if (start == plan_start) held_mw = last_plan_->power_mw[i];
    }
  }
  if (max_power_step_mw > 0) {
    held_mw =
        std::clamp(held_mw, scheduled_mw - max_power_step_mw, scheduled_mw + max_power_step_mw);
  }
  held_mw =
      assets::ClampBatteryPower(params, soc_at_plan_start_mwh, held_mw, floor_mwh, obs.interval)
          .power_mw;
  const std::string measured = base::FormatUtcTimestamp(obs.measured_interval_start);
  const std::string plan_time = last_plan_.has_value()
                                    ? base::FormatUtcTimestamp(last_plan_->planned_at)
                                    : std::string("none");
  TradingDecision decision;
  decision.power_mw = held_mw;
  decision.interval_start = plan_start;
  decision.held = true;
  decision.reason = absl::StrFormat("held from plan at %s: telemetry for %s is suspect; %+.1f MW",
                                    plan_time, measured, held_mw);
  decision.note = absl::StrCat("held: the telemetry measured for ", measured, " is suspect (",
                               obs.suspect_cause, "); no re-plan on it, ", decision.reason);
  return decision;
}

TradingDecision TradingPolicy::Plan(const TradingObservation& obs, absl::Time now,
                                    double scheduled_mw, double soc_at_plan_start_mwh,
                                    absl::Time plan_start) {
  const assets::BatteryParams& params = obs.battery->params;
  const double floor_mwh = params.soc_min_mwh + params.reserve_mwh;
  const absl::Duration interval = obs.interval;
  const double max_power_step_mw = StepLimitMw(obs.ramp_limit_mw);
  // The price view: the profile plus its correction, from the last known price's distance
  // from its profile and NESO's demand forecast's distance from the net-load profile. That
  // profile runs from the interval at `now`: its changes also centre the step window.
  const std::vector<double> load_mw = net_load_.Forecast(now, horizon_intervals_ + 1);
  std::vector<double> demand_deviation_mw(horizon_intervals_, 0.0);
  for (int i = 0; i < horizon_intervals_; ++i) {
    const auto day_ahead = day_ahead_demand_mw_.find(plan_start + i * interval);
    if (day_ahead != day_ahead_demand_mw_.end()) {
      demand_deviation_mw[i] = day_ahead->second - load_mw[i + 1];
    }
  }
  const std::optional<double>& price = obs.price_gbp_per_mwh;
  const double price_anomaly =
      price.has_value() ? *price - prices_.Forecast(obs.measured_interval_start, 1)[0] : 0.0;
  const std::vector<double> forecast =
      price_correction_.Forecast(plan_start, prices_.Forecast(plan_start, horizon_intervals_),
                                 price_anomaly, demand_deviation_mw);
  // Risk settings: trades valued into the forecast's intervals (horizon k + 1 intervals
  // from `now` for the k-th planned interval), and this forecast recorded to be scored.
  std::vector<std::optional<double>> half_width_gbp(forecast.size());
  std::optional<market::RiskAdjustedPrices> risk_prices;
  if (risk_aversion_ > 0) {
    for (size_t k = 0; k < forecast.size(); ++k) {
      const absl::Duration horizon = static_cast<int64_t>(k + 1) * interval;
      half_width_gbp[k] = price_band_.HalfWidth(horizon);
      price_band_.AddForecast(horizon, plan_start + static_cast<int64_t>(k) * interval,
                              forecast[k]);
    }
    risk_prices = market::AdjustPricesForRisk(forecast, half_width_gbp, risk_aversion_);
  }
  // Trading never moves the region's net load by more than its share of the grid's ramp
  // limit away from where the expected change of load takes it; what the load does beyond
  // its expectation is the response agent's to counter. Every step of the plan is
  // kept within the limit, so it never chases a peak the ramp limit cannot reach.
  planning::ScheduleRequest request = planning::TradingScheduleRequest(
      params, soc_at_plan_start_mwh, scheduled_mw,
      risk_prices.has_value() ? risk_prices->discharge_gbp_per_mwh : forecast, interval,
      max_power_step_mw);
  if (risk_prices.has_value()) {
    request.charge_price_gbp_per_mwh = risk_prices->charge_gbp_per_mwh;
  }
  // The step window leans the way the region's net load is expected to move (its
  // same-kind-day profile, change from the interval at `now` to the planned one and on):
  // each step within max_power_step_mw of that change, and holding always allowed
  // (StepWindowFor): net load after dispatch moves by the load's change minus the
  // battery's, so a step that follows the load offsets it instead of adding to it.
  if (max_power_step_mw > 0) {
    request.step_centre_mw.resize(horizon_intervals_);
    const double widest_change_mw = params.max_charge_mw + params.max_discharge_mw;
    for (int i = 0; i < horizon_intervals_; ++i) {
      request.step_centre_mw[i] = std::clamp((load_mw[i + 1] - load_mw[i]) * obs.load_change_share,
                                             -widest_change_mw, widest_change_mw);
    }
    // From the interval after the planned one, the plan must follow an expected change of
    // load beyond the follow threshold: not to trade it (the planned interval itself is
    // only leaned, and the response agent counters what the load really does), but so
    // the plan keeps the energy or the charging that ramp will take instead of planning
    // to sell or store it at a better price and leaving the response agent to take it.
    request.follow_beyond_mw = kFollowBeyondShareOfRampLimit * obs.ramp_limit_mw;
    request.follow_from_interval = 1;
  }
  const double mean_price =
      std::accumulate(forecast.begin(), forecast.end(), 0.0) / forecast.size();
  planning::BatterySchedule plan = planning::PlanBatterySchedule(request);
  if (replan_observer_) replan_observer_(request, plan);
  // The plan moves between 1 MWh levels. Where no level is both within one step of the
  // power already running and able to ramp down before the floor, the planner keeps the
  // nearest level, which can step a little past the limit. The battery takes any power,
  // so the first setpoint is pulled back within the step and re-clamped at the floor.
  if (!plan.power_mw.empty() && max_power_step_mw > 0) {
    const planning::StepWindow window = planning::StepWindowFor(
        request.step_centre_mw.empty() ? 0.0 : request.step_centre_mw[0], max_power_step_mw);
    const double stepped_mw = std::clamp(plan.power_mw[0], scheduled_mw + window.lower_mw,
                                         scheduled_mw + window.upper_mw);
    const double first_mw =
        assets::ClampBatteryPower(params, soc_at_plan_start_mwh, stepped_mw, floor_mwh, interval)
            .power_mw;
    if (first_mw != plan.power_mw[0]) {
      plan.power_mw[0] = first_mw;
      plan.soc_after_mwh[0] =
          assets::StepBattery(params, soc_at_plan_start_mwh, first_mw, interval).soc_after_mwh;
      absl::StrAppend(&plan.note, plan.note.empty() ? "" : "; ",
                      "first setpoint held to the ramp limit");
    }
  }

  const double first_mw = plan.power_mw.empty() ? 0.0 : plan.power_mw[0];
  std::string reason = absl::StrFormat(
      "plan at %s: %+.1f MW at forecast %.2f GBP/MWh (horizon mean %.2f), expected %.0f GBP",
      base::FormatUtcTimestamp(now), first_mw, forecast.empty() ? 0.0 : forecast[0], mean_price,
      plan.objective_gbp);
  if (risk_prices.has_value()) {
    absl::StrAppendFormat(&reason,
                          "; risk aversion %.2f: trades valued into the 90%% price intervals",
                          risk_aversion_);
    if (risk_prices->intervals_without_half_width > 0) {
      absl::StrAppendFormat(&reason, " (%d of %d intervals have none yet)",
                            risk_prices->intervals_without_half_width,
                            static_cast<int>(forecast.size()));
    }
  }
  if (!plan.note.empty()) absl::StrAppend(&reason, "; ", plan.note);

  TradingPlan& made = last_plan_.emplace();
  made.planned_at = now;
  made.first_interval_start = plan_start;
  made.interval = interval;
  made.power_mw = std::move(plan.power_mw);
  made.soc_after_mwh = std::move(plan.soc_after_mwh);
  made.price_forecast_gbp_per_mwh = forecast;
  made.price_half_width_gbp_per_mwh = std::move(half_width_gbp);
  made.expected_value_gbp = plan.objective_gbp;
  made.reason = reason;

  TradingDecision decision;
  decision.power_mw = first_mw;
  decision.interval_start = plan_start;
  decision.reason = std::move(reason);
  decision.plan = made;
  return decision;
}

}  // namespace gridpilot::control
