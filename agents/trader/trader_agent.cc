#include "agents/trader/trader_agent.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "agents/common/asset_from_proto.h"
#include "core/base/logging.h"
#include "core/base/time_util.h"
#include "core/market/ledger.h"
#include "core/market/perfect_foresight.h"
#include "services/common/proto_time.h"

namespace gridpilot {

TraderAgent::TraderAgent(TelemetryVerdictSource* verdicts, double risk_aversion)
    : verdicts_(verdicts), policy_(risk_aversion) {
  status_.set_risk_aversion(risk_aversion);
}

void TraderAgent::OnRegistered(const v1::RegionInfo& region) {
  absl::MutexLock lock(&mu_);
  interval_ = FromProtoDuration(region.interval());
  ramp_limit_mw_ = region.ramp_limit_mw();
}

control::TradingObservation TraderAgent::Observe(
    const v1::Tick& tick, const std::optional<TelemetryVerdict>& verdict) const {
  control::TradingObservation obs;
  obs.interval_boundary = tick.interval_boundary();
  obs.interval = interval_;
  obs.ramp_limit_mw = ramp_limit_mw_;
  obs.measured_interval_start = FromProtoTime(tick.measured_interval_start());
  if (tick.has_price_gbp_per_mwh()) obs.price_gbp_per_mwh = tick.price_gbp_per_mwh();
  if (tick.has_net_load_mw()) obs.net_load_mw = tick.net_load_mw();
  if (verdict.has_value() && verdict->suspect) {
    obs.suspect = true;
    obs.suspect_cause = verdict->cause;
  }
  if (const v1::Asset* battery = FindAsset(tick, v1::ASSET_KIND_BATTERY); battery != nullptr) {
    obs.battery = control::TradingBattery{.params = BatteryParamsFromProto(*battery),
                                          .soc_mwh = battery->battery().soc_mwh(),
                                          .scheduled_power_mw = battery->scheduled_power_mw()};
  }
  for (const v1::DayAheadDemandForecast& f : tick.day_ahead_forecasts()) {
    obs.day_ahead_demand.push_back(
        {.target_start = FromProtoTime(f.target_start()), .demand_mw = f.demand_mw()});
  }
  return obs;
}

std::vector<v1::DispatchProposal> TraderAgent::OnTick(const v1::Tick& tick) {
  const absl::Time t = FromProtoTime(tick.time());
  // The verdict the tick carries, else one asked before taking the lock (a network call).
  // Only boundary ticks are decided.
  std::optional<TelemetryVerdict> verdict;
  if (tick.interval_boundary()) verdict = VerdictOfTick(tick);
  if (tick.interval_boundary() && !verdict.has_value() && verdicts_ != nullptr) {
    absl::StatusOr<TelemetryVerdict> asked = verdicts_->VerdictAt(t);
    if (asked.ok()) {
      verdict = *std::move(asked);
    } else {
      base::LogWarning(absl::StrCat("no verdict on the tick at ", base::FormatUtcTimestamp(t),
                                    ", planning without one: ", asked.status().message()));
    }
  }
  absl::MutexLock lock(&mu_);
  // What AnswerNote and AnswerPlan say belongs to this tick's answer only.
  note_.clear();
  answer_plan_.reset();
  const control::TradingObservation obs = Observe(tick, verdict);
  const control::TradingDecision decision = policy_.Decide(obs, t);
  if (obs.interval_boundary && obs.battery.has_value()) {
    const v1::Asset* battery = FindAsset(tick, v1::ASSET_KIND_BATTERY);
    Account(obs.battery->params, battery->battery().power_mw(), obs.price_gbp_per_mwh, t);
  }
  if (!decision.power_mw.has_value()) return {};
  if (decision.held) {
    note_ = decision.note;
    status_.set_suspect_ticks_held(status_.suspect_ticks_held() + 1);
    base::LogWarning(note_);
  }
  if (decision.plan.has_value()) {
    Publish(*decision.plan);
    status_.set_plans_made(status_.plans_made() + 1);
    *status_.mutable_last_plan_time() = tick.time();
  }
  status_.set_last_reason(decision.reason);
  return {TradingProposal(obs.battery->params.id, *decision.power_mw, decision.interval_start,
                          decision.reason)};
}

void TraderAgent::Publish(const control::TradingPlan& plan) {
  schedule_.Clear();
  *schedule_.mutable_planned_at() = ToProtoTime(plan.planned_at);
  for (size_t i = 0; i < plan.power_mw.size(); ++i) {
    const double forecast_gbp = plan.price_forecast_gbp_per_mwh[i];
    const std::optional<double>& half_width_gbp = plan.price_half_width_gbp_per_mwh[i];
    v1::ScheduledInterval* s = schedule_.add_intervals();
    *s->mutable_interval_start() = ToProtoTime(plan.first_interval_start + i * plan.interval);
    s->set_power_mw(plan.power_mw[i]);
    s->set_soc_after_mwh(plan.soc_after_mwh[i]);
    s->set_price_forecast_gbp_per_mwh(forecast_gbp);
    if (half_width_gbp.has_value()) {
      s->set_price_lower_gbp_per_mwh(forecast_gbp - *half_width_gbp);
      s->set_price_upper_gbp_per_mwh(forecast_gbp + *half_width_gbp);
    }
  }
  schedule_.set_expected_value_gbp(plan.expected_value_gbp);
  schedule_.set_reason(plan.reason);
  v1::AgentPlan& recorded = answer_plan_.emplace();
  *recorded.mutable_first_interval_start() = ToProtoTime(plan.first_interval_start);
  for (size_t i = 0; i < plan.power_mw.size(); ++i) {
    recorded.add_power_mw(plan.power_mw[i]);
    recorded.add_price_forecast_gbp_per_mwh(plan.price_forecast_gbp_per_mwh[i]);
  }
  recorded.set_expected_value_gbp(plan.expected_value_gbp);
  recorded.set_reason(plan.reason);
}

v1::DispatchProposal TraderAgent::TradingProposal(const std::string& asset_id, double power_mw,
                                                  absl::Time start, const std::string& reason) {
  v1::DispatchProposal p;
  p.set_asset_id(asset_id);
  p.set_priority(v1::DISPATCH_PRIORITY_TRADING);
  p.set_power_mw(power_mw);
  *p.mutable_start() = ToProtoTime(start);
  *p.mutable_end() = ToProtoTime(start + interval_);
  p.set_idempotency_key(
      absl::StrCat(kAgentName, "/", asset_id, "/", base::FormatUtcTimestamp(start)));
  p.set_reason(reason);
  status_.set_proposals_sent(status_.proposals_sent() + 1);
  return p;
}

std::string TraderAgent::AnswerNote() {
  absl::MutexLock lock(&mu_);
  return note_;
}

std::optional<v1::AgentPlan> TraderAgent::AnswerPlan() {
  absl::MutexLock lock(&mu_);
  return answer_plan_;
}

void TraderAgent::Account(const assets::BatteryParams& params, double ended_power_mw,
                          std::optional<double> ended_price, absl::Time t) {
  if (!battery_at_start_.has_value()) {
    // The first tick: the battery has not run yet under this trader.
    battery_at_start_ = params;
    first_settled_interval_ = t;
    yesterday_plan_.emplace(params, interval_, control::TradingPolicy::StepLimitMw(ramp_limit_mw_));
  } else {
    if (ended_price.has_value()) last_price_ = ended_price;
    // Settled as the gateway settles: a missing price at the last known one.
    if (last_price_.has_value()) {
      const double hours = absl::ToDoubleHours(interval_);
      assets::BatteryInterval ended;
      ended.power_mw = ended_power_mw;
      ended.charge_mwh = std::max(0.0, -ended_power_mw) * hours;
      ended.discharge_mwh = std::max(0.0, ended_power_mw) * hours;
      for (const market::LedgerEntry& e :
           market::SettleBattery(params, ended, *last_price_, t - interval_, "")) {
        realised_pnl_gbp_ += e.amount_gbp;
      }
    }
    prices_seen_.push_back(ended_price);
  }
  yesterday_plan_->Step(t, ended_price);
}

v1::GetTraderPnlResponse TraderAgent::Pnl() const {
  absl::MutexLock lock(&mu_);
  v1::GetTraderPnlResponse pnl;
  pnl.set_intervals(static_cast<int64_t>(prices_seen_.size()));
  pnl.set_realised_pnl_gbp(realised_pnl_gbp_);
  if (!battery_at_start_.has_value() || prices_seen_.empty()) return pnl;
  // Hindsight over exactly the settled intervals, from the same start, energy-neutral
  // (ending at the starting SoC), with the same trading floor.
  absl::StatusOr<market::PerfectForesight> perfect =
      market::SolvePerfectForesight(first_settled_interval_, prices_seen_, *battery_at_start_,
                                    battery_at_start_->soc_initial_mwh);
  if (!perfect.ok()) {
    pnl.set_note(absl::StrCat("perfect foresight unavailable: ", perfect.status().message()));
    return pnl;
  }
  const double perfect_gbp = perfect->result.objective_gbp;
  pnl.set_perfect_foresight_pnl_gbp(perfect_gbp);
  pnl.set_yesterday_plan_pnl_gbp(yesterday_plan_->pnl_gbp());
  if (perfect_gbp > 0) {
    pnl.set_capture_ratio(realised_pnl_gbp_ / perfect_gbp);
    pnl.set_yesterday_plan_capture_ratio(yesterday_plan_->pnl_gbp() / perfect_gbp);
  }
  pnl.set_note(
      absl::StrFormat("perfect foresight: the exact optimiser on the %d actual prices (hindsight), "
                      "energy-neutral, %d missing filled with the previous price; no ramp limit",
                      pnl.intervals(), perfect->missing_prices));
  return pnl;
}

v1::GetScheduleResponse TraderAgent::Schedule() const {
  absl::MutexLock lock(&mu_);
  return schedule_;
}

v1::GetTraderStatusResponse TraderAgent::Status() const {
  absl::MutexLock lock(&mu_);
  return status_;
}

}  // namespace gridpilot
