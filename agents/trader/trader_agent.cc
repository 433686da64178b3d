#include "agents/trader/trader_agent.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "agents/common/asset_from_proto.h"
#include "core/base/logging.h"
#include "core/base/time_util.h"
#include "core/market/ledger.h"
#include "core/market/perfect_foresight.h"
#include "services/common/proto_time.h"

namespace gridpilot {

TraderAgent::TraderAgent(TelemetryVerdictSource* verdicts, double risk_aversion)
    : verdicts_(verdicts), risk_aversion_(risk_aversion) {
  status_.set_risk_aversion(risk_aversion);
}

void TraderAgent::OnRegistered(const v1::RegionInfo& region) {
  absl::MutexLock lock(&mu_);
  interval_ = FromProtoDuration(region.interval());
  ramp_limit_mw_ = region.ramp_limit_mw();
  export_limit_mw_.reset();
  import_limit_mw_.reset();
  if (region.has_battery_export_limit_mw()) export_limit_mw_ = region.battery_export_limit_mw();
  if (region.has_battery_import_limit_mw()) import_limit_mw_ = region.battery_import_limit_mw();
}

assets::BatteryParams TraderAgent::ConnectionShare(const assets::BatteryParams& battery,
                                                   double fleet_discharge_mw,
                                                   double fleet_charge_mw,
                                                   std::optional<double> export_limit_mw,
                                                   std::optional<double> import_limit_mw) {
  assets::BatteryParams shared = battery;
  if (export_limit_mw.has_value() && fleet_discharge_mw > *export_limit_mw) {
    shared.max_discharge_mw = *export_limit_mw * battery.max_discharge_mw / fleet_discharge_mw;
  }
  if (import_limit_mw.has_value() && fleet_charge_mw > *import_limit_mw) {
    shared.max_charge_mw = *import_limit_mw * battery.max_charge_mw / fleet_charge_mw;
  }
  return shared;
}

double TraderAgent::RampShareMw(double ramp_limit_mw, const assets::BatteryParams& battery,
                                double fleet_rating_mw) {
  const double rating_mw = std::max(battery.max_charge_mw, battery.max_discharge_mw);
  if (fleet_rating_mw <= 0.0 || rating_mw >= fleet_rating_mw) return ramp_limit_mw;
  return ramp_limit_mw * rating_mw / fleet_rating_mw;
}

control::TradingObservation TraderAgent::Observe(
    const v1::Tick& tick, const v1::Asset* battery, double ramp_limit_mw,
    const std::optional<TelemetryVerdict>& verdict) const {
  control::TradingObservation obs;
  obs.interval_boundary = tick.interval_boundary();
  obs.interval = interval_;
  obs.ramp_limit_mw = ramp_limit_mw;
  obs.measured_interval_start = FromProtoTime(tick.measured_interval_start());
  if (tick.has_price_gbp_per_mwh()) obs.price_gbp_per_mwh = tick.price_gbp_per_mwh();
  if (tick.has_net_load_mw()) obs.net_load_mw = tick.net_load_mw();
  if (verdict.has_value() && verdict->suspect) {
    obs.suspect = true;
    obs.suspect_cause = verdict->cause;
  }
  if (battery != nullptr) {
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

TraderAgent::Book& TraderAgent::BookFor(const std::string& id) {
  for (auto& [book_id, book] : books_) {
    if (book_id == id) return *book;
  }
  auto& [book_id, book] =
      books_.emplace_back(id, std::make_unique<Book>(risk_aversion_, interval_));
  if (replan_observer_) book->policy.set_replan_observer(replan_observer_);
  return *book;
}

namespace {

// A fleet's plans as one: powers and stored energies summed interval by interval (over the
// intervals every plan reaches), expected values summed, the reasons joined by battery.
control::TradingPlan FleetPlan(
    const std::vector<std::pair<std::string, control::TradingPlan>>& plans) {
  control::TradingPlan fleet = plans.front().second;
  if (plans.size() == 1) return fleet;
  size_t intervals = fleet.power_mw.size();
  for (const auto& [id, plan] : plans) intervals = std::min(intervals, plan.power_mw.size());
  fleet.power_mw.assign(intervals, 0.0);
  fleet.soc_after_mwh.assign(intervals, 0.0);
  fleet.expected_value_gbp = 0.0;
  fleet.reason.clear();
  for (const auto& [id, plan] : plans) {
    for (size_t i = 0; i < intervals; ++i) {
      fleet.power_mw[i] += plan.power_mw[i];
      fleet.soc_after_mwh[i] += plan.soc_after_mwh[i];
    }
    fleet.expected_value_gbp += plan.expected_value_gbp;
    absl::StrAppend(&fleet.reason, fleet.reason.empty() ? "" : "; ", id, ": ", plan.reason);
  }
  return fleet;
}

}  // namespace

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
  // No price yet (a region run with data.price_csv "none", or before its price file starts):
  // nothing to trade on, so the trader stands aside and says so rather than plan on prices
  // nobody published.
  price_seen_ = price_seen_ || tick.has_price_gbp_per_mwh();
  if (!price_seen_) {
    constexpr char kNoPrice[] = "no price seen yet: the trader stands aside";
    if (status_.last_reason() != kNoPrice) base::LogWarning(kNoPrice);
    status_.set_last_reason(kNoPrice);
    return {};
  }
  std::vector<const v1::Asset*> batteries;
  double fleet_rating_mw = 0.0;
  double fleet_discharge_mw = 0.0;
  double fleet_charge_mw = 0.0;
  for (const v1::Asset& asset : tick.assets()) {
    if (asset.kind() != v1::ASSET_KIND_BATTERY) continue;
    batteries.push_back(&asset);
    fleet_rating_mw +=
        std::max(asset.battery().max_charge_mw(), asset.battery().max_discharge_mw());
    fleet_discharge_mw += asset.battery().max_discharge_mw();
    fleet_charge_mw += asset.battery().max_charge_mw();
  }
  // A battery the tick does not show (a tick between boundaries may carry only day-ahead
  // vintages) still feeds its policy's learning, as a tick without a battery.
  for (auto& [id, book] : books_) {
    const bool shown = std::any_of(batteries.begin(), batteries.end(),
                                   [&id](const v1::Asset* b) { return b->id() == id; });
    if (shown) continue;
    control::TradingObservation obs = Observe(tick, nullptr, ramp_limit_mw_, verdict);
    book->policy.Decide(obs, t);
  }
  std::vector<v1::DispatchProposal> proposals;
  std::vector<std::pair<std::string, control::TradingPlan>> plans;
  std::vector<std::string> reasons;
  bool held = false;
  for (const v1::Asset* battery : batteries) {
    Book& book = BookFor(battery->id());
    const double ramp_share_mw =
        RampShareMw(ramp_limit_mw_, BatteryParamsFromProto(*battery), fleet_rating_mw);
    control::TradingObservation obs = Observe(tick, battery, ramp_share_mw, verdict);
    if (ramp_share_mw < ramp_limit_mw_) obs.load_change_share = ramp_share_mw / ramp_limit_mw_;
    const assets::BatteryParams own_params = obs.battery->params;
    obs.battery->params = ConnectionShare(own_params, fleet_discharge_mw, fleet_charge_mw,
                                          export_limit_mw_, import_limit_mw_);
    const control::TradingDecision decision = book.policy.Decide(obs, t);
    if (obs.interval_boundary) {
      Account(book, own_params, battery->battery().power_mw(), obs.price_gbp_per_mwh, t);
    }
    if (!decision.power_mw.has_value()) continue;
    if (decision.held) {
      absl::StrAppend(&note_, note_.empty() ? "" : "; ",
                      batteries.size() > 1 ? absl::StrCat(battery->id(), ": ") : "", decision.note);
      held = true;
    }
    if (decision.plan.has_value()) plans.emplace_back(battery->id(), *decision.plan);
    reasons.push_back(batteries.size() > 1 ? absl::StrCat(battery->id(), ": ", decision.reason)
                                           : decision.reason);
    proposals.push_back(TradingProposal(battery->id(), *decision.power_mw, decision.interval_start,
                                        decision.reason));
  }
  if (proposals.empty()) return {};
  if (held) {
    status_.set_suspect_ticks_held(status_.suspect_ticks_held() + 1);
    base::LogWarning(note_);
  }
  if (!plans.empty()) {
    Publish(FleetPlan(plans));
    status_.set_plans_made(status_.plans_made() + 1);
    *status_.mutable_last_plan_time() = tick.time();
  }
  status_.set_last_reason(absl::StrJoin(reasons, "; "));
  return proposals;
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

void TraderAgent::Account(Book& book, const assets::BatteryParams& params, double ended_power_mw,
                          std::optional<double> ended_price, absl::Time t) {
  if (!book.at_start.has_value()) {
    // The first tick: the battery has not run yet under this trader.
    book.at_start = params;
    book.first_settled_interval = t;
    book.yesterday_plan.emplace(params, interval_,
                                control::TradingPolicy::StepLimitMw(ramp_limit_mw_));
  } else {
    if (ended_price.has_value()) book.last_price = ended_price;
    // Settled as the gateway settles: a missing price at the last known one.
    if (book.last_price.has_value()) {
      const double hours = absl::ToDoubleHours(interval_);
      assets::BatteryInterval ended;
      ended.power_mw = ended_power_mw;
      ended.charge_mwh = std::max(0.0, -ended_power_mw) * hours;
      ended.discharge_mwh = std::max(0.0, ended_power_mw) * hours;
      for (const market::LedgerEntry& e :
           market::SettleBattery(params, ended, *book.last_price, t - interval_, "")) {
        book.realised_pnl_gbp += e.amount_gbp;
      }
    }
    book.prices_seen.push_back(ended_price);
  }
  book.yesterday_plan->Step(t, ended_price);
}

v1::GetTraderPnlResponse TraderAgent::Pnl() const {
  absl::MutexLock lock(&mu_);
  v1::GetTraderPnlResponse pnl;
  if (books_.empty()) return pnl;
  const Book& first = *books_.front().second;
  pnl.set_intervals(static_cast<int64_t>(first.prices_seen.size()));
  double realised_gbp = 0.0;
  for (const auto& [id, book] : books_) realised_gbp += book->realised_pnl_gbp;
  pnl.set_realised_pnl_gbp(realised_gbp);
  if (first.prices_seen.empty()) return pnl;
  double perfect_gbp = 0.0;
  double yesterday_gbp = 0.0;
  int missing_prices = 0;
  for (const auto& [id, book] : books_) {
    v1::BatteryPnl* out = pnl.add_batteries();
    out->set_battery_id(id);
    out->set_realised_pnl_gbp(book->realised_pnl_gbp);
    if (book->prices_seen.empty()) continue;
    // Hindsight over exactly the settled intervals, from the same start, energy-neutral
    // (ending at the starting SoC), with the same trading floor.
    absl::StatusOr<market::PerfectForesight> perfect =
        market::SolvePerfectForesight(book->first_settled_interval, book->prices_seen,
                                      *book->at_start, book->at_start->soc_initial_mwh);
    if (!perfect.ok()) {
      pnl.set_note(
          absl::StrCat("perfect foresight unavailable for ", id, ": ", perfect.status().message()));
      pnl.clear_batteries();
      return pnl;
    }
    out->set_perfect_foresight_pnl_gbp(perfect->result.objective_gbp);
    out->set_yesterday_plan_pnl_gbp(book->yesterday_plan->pnl_gbp());
    if (perfect->result.objective_gbp > 0) {
      out->set_capture_ratio(book->realised_pnl_gbp / perfect->result.objective_gbp);
    }
    perfect_gbp += perfect->result.objective_gbp;
    yesterday_gbp += book->yesterday_plan->pnl_gbp();
    if (&*book == &first) missing_prices = perfect->missing_prices;
  }
  pnl.set_perfect_foresight_pnl_gbp(perfect_gbp);
  pnl.set_yesterday_plan_pnl_gbp(yesterday_gbp);
  if (perfect_gbp > 0) {
    pnl.set_capture_ratio(realised_gbp / perfect_gbp);
    pnl.set_yesterday_plan_capture_ratio(yesterday_gbp / perfect_gbp);
  }
  pnl.set_note(
      absl::StrFormat("perfect foresight: the exact optimiser on the %d actual prices (hindsight), "
                      "energy-neutral, %d missing filled with the previous price; no ramp limit",
                      pnl.intervals(), missing_prices));
  return pnl;
}

void TraderAgent::SetReplanObserver(control::TradingPolicy::ReplanObserver observer) {
  absl::MutexLock lock(&mu_);
  replan_observer_ = std::move(observer);
  for (auto& [id, book] : books_) book->policy.set_replan_observer(replan_observer_);
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
