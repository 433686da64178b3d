#include "core/region/region_engine.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/assets/interlocks.h"
#include "core/base/status_macros.h"

namespace gridpilot::region {
namespace {

// Keeps the run list of a peaker's totals up to date with one interval's transition.
void RecordPeakerRun(assets::PeakerStatus before, const assets::PeakerInterval& step,
                     absl::Time interval_start, AssetTotals& totals) {
  const bool keeping = totals.runs.size() < AssetTotals::kMaxPeakerRunsKept;
  if (step.started) {
    ++totals.starts;
    if (keeping) totals.runs.push_back(PeakerRun{.start_command = interval_start});
  }
  if (totals.runs.empty() || totals.runs.back().stopped != absl::InfiniteFuture()) return;
  PeakerRun& run = totals.runs.back();
  if (step.next.status == assets::PeakerStatus::kOn && run.online == absl::InfiniteFuture()) {
    run.online = step.next.status_since;
  }
  if (step.next.status == assets::PeakerStatus::kOff && before != assets::PeakerStatus::kOff) {
    run.stopped = interval_start;
  }
}

std::map<std::string, AssetPowerRange> PowerRanges(
    const std::vector<assets::BatteryParams>& batteries,
    const std::vector<assets::PeakerParams>& peakers) {
  std::map<std::string, AssetPowerRange> ranges;
  for (const assets::BatteryParams& b : batteries) {
    ranges[b.id] = {-b.max_charge_mw, b.max_discharge_mw};
  }
  for (const assets::PeakerParams& p : peakers) {
    ranges[p.id] = {0.0, p.capacity_mw, p.min_stable_load_mw};
  }
  return ranges;
}

std::string JoinReasons(const std::string& proposal_reason, const std::string& note) {
  if (note.empty()) return proposal_reason;
  if (proposal_reason.empty()) return note;
  return absl::StrCat(proposal_reason, "; ", note);
}

// Mean of the window, or nullopt if any value in it is missing.
std::optional<double> WindowMean(const std::deque<std::optional<double>>& window) {
  double sum = 0.0;
  for (const std::optional<double>& v : window) {
    if (!v.has_value()) return std::nullopt;
    sum += *v;
  }
  return sum / static_cast<double>(window.size());
}

}  // namespace

double RampToleranceMw(double ramp_limit_mw, absl::Duration interval, absl::Duration step,
                       absl::Duration ramp_window) {
  const double n = std::max(1.0, std::round(absl::FDivDuration(ramp_window, step)));
  return ramp_limit_mw * absl::FDivDuration(ramp_window, interval) * (n + 1.0) / (2.0 * n);
}

absl::Status RegionConfig::Validate() const {
  if (!(scale > 0.0) || !std::isfinite(scale)) {
    return absl::InvalidArgumentError("region.scale must be > 0");
  }
  if (!(ramp_limit_mw > 0.0) || !std::isfinite(ramp_limit_mw)) {
    return absl::InvalidArgumentError("region.ramp_limit_mw must be > 0");
  }
  if (!(instability_penalty_gbp_per_mw >= 0.0) || !std::isfinite(instability_penalty_gbp_per_mw)) {
    return absl::InvalidArgumentError("region.instability_penalty_gbp_per_mw must be >= 0");
  }
  if (interval <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("region.interval must be > 0");
  }
  if (step <= absl::ZeroDuration() || step > interval || (interval / step) * step != interval) {
    return absl::InvalidArgumentError("region.step must be > 0 and divide region.interval");
  }
  if (ramp_window < step || ramp_window > interval || (ramp_window / step) * step != ramp_window) {
    return absl::InvalidArgumentError(
        "region.ramp_window must be a multiple of region.step and at most region.interval");
  }
  return battery_connection.Validate("region.battery_connection");
}

absl::Status RegionEngine::Validate(const RegionConfig& region,
                                    const std::vector<assets::BatteryParams>& batteries,
                                    const std::vector<assets::PeakerParams>& peakers) {
  RETURN_IF_ERROR(region.Validate());
  absl::flat_hash_set<std::string> ids;
  auto check_id = [&ids](const std::string& id) -> absl::Status {
    if (id.empty()) return absl::InvalidArgumentError("asset id must not be empty");
    if (!ids.insert(id).second) {
      return absl::InvalidArgumentError(absl::StrCat("asset id \"", id, "\" is used twice"));
    }
    return absl::OkStatus();
  };
  for (const assets::BatteryParams& b : batteries) {
    RETURN_IF_ERROR(check_id(b.id));
    absl::Status valid = b.Validate();
    if (!valid.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("battery ", b.id, ": ", valid.message()));
    }
  }
  for (const assets::PeakerParams& p : peakers) {
    RETURN_IF_ERROR(check_id(p.id));
    absl::Status valid = p.Validate();
    if (!valid.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("peaker ", p.id, ": ", valid.message()));
    }
  }
  return absl::OkStatus();
}

RegionEngine::RegionEngine(RegionConfig region, std::vector<assets::BatteryParams> batteries,
                           std::vector<assets::PeakerParams> peakers,
                           std::optional<double> previous_net_load_mw,
                           absl::Duration idempotency_key_window)
    : region_(std::move(region)),
      battery_params_(std::move(batteries)),
      peaker_params_(std::move(peakers)),
      arbiter_(PowerRanges(battery_params_, peaker_params_), idempotency_key_window),
      window_net_load_mw_((region_.ramp_window / region_.step), previous_net_load_mw),
      window_net_load_after_mw_(window_net_load_mw_) {
  for (const assets::BatteryParams& b : battery_params_) {
    battery_soc_mwh_.push_back(b.soc_initial_mwh);
    battery_power_mw_.push_back(0.0);
    totals_.push_back({.asset_id = b.id, .runs = {}});
  }
  for (const assets::PeakerParams& p : peaker_params_) {
    peaker_states_.push_back(assets::PeakerState{});
    totals_.push_back({.asset_id = p.id, .peaker = true, .runs = {}});
  }
}

absl::Status RegionEngine::Restore(const CarriedState& state) {
  if (state.battery_soc_mwh.size() != battery_params_.size() ||
      state.peaker_states.size() != peaker_params_.size()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "restore: ", state.battery_soc_mwh.size(), " batteries and ", state.peaker_states.size(),
        " peakers given for a fleet of ", battery_params_.size(), " and ", peaker_params_.size()));
  }
  for (size_t i = 0; i < battery_params_.size(); ++i) {
    const double soc_mwh = state.battery_soc_mwh[i];
    if (!(soc_mwh >= 0.0 && soc_mwh <= battery_params_[i].energy_capacity_mwh)) {
      return absl::InvalidArgumentError(
          absl::StrCat("restore: ", battery_params_[i].id, ": state of charge ", soc_mwh,
                       " MWh is outside [0, ", battery_params_[i].energy_capacity_mwh, "]"));
    }
  }
  battery_soc_mwh_ = state.battery_soc_mwh;
  peaker_states_ = state.peaker_states;
  for (int c = 0; c < market::kLedgerCauseCount; ++c) {
    const double carried_gbp = state.ledger_totals_gbp[c] - ledger_.totals()[c];
    ledger_.Add(market::LedgerEntry{absl::InfinitePast(), static_cast<market::LedgerCause>(c),
                                    carried_gbp, "", "carried over from the stored run"});
  }
  return absl::OkStatus();
}

AssetDecision RegionEngine::Governing(const std::string& asset_id, absl::Time t) const {
  AssetDecision decision;
  decision.asset_id = asset_id;
  const ProposalRecord* winner = arbiter_.Winner(asset_id, t);
  if (winner != nullptr) {
    decision.proposal_id = winner->id;
    decision.agent = winner->proposal.agent;
    decision.role = winner->proposal.role;
    decision.priority = winner->proposal.priority;
    decision.requested_mw = winner->proposal.power_mw;
    decision.reason = winner->proposal.reason;
  }
  return decision;
}

IntervalOutcome RegionEngine::ApplyStep(absl::Time interval_start,
                                        std::optional<double> net_load_mw,
                                        std::optional<double> price_gbp_per_mwh) {
  IntervalOutcome out;
  out.interval_start = interval_start;
  out.net_load_mw = net_load_mw;
  const absl::Duration step_duration = region_.step;
  const double hours = absl::ToDoubleHours(step_duration);

  std::string price_note;
  double price = 0.0;
  if (price_gbp_per_mwh.has_value()) {
    price = *price_gbp_per_mwh;
    last_price_gbp_per_mwh_ = price;
  } else if (last_price_gbp_per_mwh_.has_value()) {
    price = *last_price_gbp_per_mwh_;
    price_note = absl::StrFormat("price missing; settled at last known %.2f GBP/MWh", price);
  } else {
    price_note = "price missing and none known yet; settled at 0 GBP/MWh";
  }

  // Each battery's own interlocks, then the shared connection's on their sum.
  std::vector<AssetDecision> battery_decisions;
  std::vector<ConnectionSetpoint> setpoints;
  for (size_t i = 0; i < battery_params_.size(); ++i) {
    const assets::BatteryParams& params = battery_params_[i];
    AssetDecision& decision = battery_decisions.emplace_back(Governing(params.id, interval_start));
    // The reserve is for resilience: trading (and idle) requests keep above it.
    const double floor_mwh = decision.priority == DispatchPriority::kResilience
                                 ? params.soc_min_mwh
                                 : params.soc_min_mwh + params.reserve_mwh;
    assets::ClampedSetpoint clamped = assets::ClampBatteryPower(
        params, battery_soc_mwh_[i], decision.requested_mw, floor_mwh, step_duration);
    decision.reason = JoinReasons(decision.reason, clamped.reason);
    setpoints.push_back({.power_mw = clamped.power_mw, .priority = decision.priority});
  }
  const ConnectionClamped connection = ClampToConnection(setpoints, region_.battery_connection);
  size_t total_index = 0;
  for (size_t i = 0; i < battery_params_.size(); ++i, ++total_index) {
    const assets::BatteryParams& params = battery_params_[i];
    AssetDecision decision = std::move(battery_decisions[i]);
    assets::BatteryInterval step =
        assets::StepBattery(params, battery_soc_mwh_[i], connection.power_mw[i], step_duration);
    battery_soc_mwh_[i] = step.soc_after_mwh;
    battery_power_mw_[i] = step.power_mw;
    decision.applied_mw = step.power_mw;
    decision.reason = JoinReasons(decision.reason, connection.reason[i]);
    out.dispatch_mw += step.power_mw;
    double applied_net_gbp = 0.0;
    for (market::LedgerEntry& e :
         market::SettleBattery(params, step, price, interval_start, price_note)) {
      applied_net_gbp += e.amount_gbp;
      out.entries.push_back(std::move(e));
    }
    if (decision.priority == DispatchPriority::kResilience) {
      // What trading alone would have done in this interval, from the same SoC.
      const ProposalRecord* trading =
          arbiter_.Winner(params.id, interval_start, DispatchPriority::kTrading);
      const double trading_mw =
          assets::ClampBatteryPower(params, step.soc_before_mwh,
                                    trading != nullptr ? trading->proposal.power_mw : 0.0,
                                    params.soc_min_mwh + params.reserve_mwh, step_duration)
              .power_mw;
      double trading_net_gbp = 0.0;
      for (const market::LedgerEntry& e : market::SettleBattery(
               params, assets::StepBattery(params, step.soc_before_mwh, trading_mw, step_duration),
               price, interval_start, "")) {
        trading_net_gbp += e.amount_gbp;
      }
      // Never counted as a gain: an override that nets more now uses energy the trader
      // would have sold later, which this one-interval estimate cannot see.
      resilience_cost_gbp_ += std::max(0.0, trading_net_gbp - applied_net_gbp);
    }
    AssetTotals& totals = totals_[total_index];
    if (std::abs(step.power_mw) > 1e-9) ++totals.intervals_dispatched;
    totals.energy_mwh += step.charge_mwh + step.discharge_mwh;
    out.batteries.push_back(step);
    out.decisions.push_back(std::move(decision));
  }
  for (size_t i = 0; i < peaker_params_.size(); ++i, ++total_index) {
    const assets::PeakerParams& params = peaker_params_[i];
    AssetDecision decision = Governing(params.id, interval_start);
    // With no proposal the peaker is asked for 0 MW: it stops when its minimum up
    // time allows, and never runs unasked.
    const assets::PeakerStatus status_before = peaker_states_[i].status;
    assets::PeakerInterval step = assets::StepPeaker(
        params, peaker_states_[i], decision.requested_mw, interval_start, step_duration);
    peaker_states_[i] = step.next;
    RecordPeakerRun(status_before, step, interval_start, totals_[total_index]);
    decision.applied_mw = step.output_mw;
    decision.reason = JoinReasons(decision.reason, step.note);
    out.dispatch_mw += step.output_mw;
    for (market::LedgerEntry& e :
         market::SettlePeaker(params, step, step_duration, interval_start)) {
      resilience_cost_gbp_ -= e.amount_gbp;  // the peaker runs only for resilience
      out.entries.push_back(std::move(e));
    }
    AssetTotals& totals = totals_[total_index];
    if (step.output_mw > 1e-9) ++totals.intervals_dispatched;
    totals.energy_mwh += step.output_mw * hours;
    out.peakers.push_back(step);
    out.decisions.push_back(std::move(decision));
  }

  if (net_load_mw.has_value()) {
    out.net_load_after_mw = *net_load_mw - out.dispatch_mw;
    const double limit_mw = region_.ToleranceMw();
    if (const std::optional<double> reference = WindowMean(window_net_load_after_mw_)) {
      out.excess_mw = market::RampExcessMw(*reference, *out.net_load_after_mw, limit_mw);
    }
    if (const std::optional<double> reference = WindowMean(window_net_load_mw_)) {
      out.baseline_excess_mw = market::RampExcessMw(*reference, *net_load_mw, limit_mw);
    }
    out.entries.push_back(
        market::SettleInstability(out.excess_mw, region_.StepPenaltyGbpPerMw(), interval_start));
    baseline_penalty_gbp_ += out.baseline_excess_mw * region_.StepPenaltyGbpPerMw();
  }
  window_net_load_mw_.pop_front();
  window_net_load_mw_.push_back(net_load_mw);
  window_net_load_after_mw_.pop_front();
  window_net_load_after_mw_.push_back(out.net_load_after_mw);
  last_dispatch_mw_ = out.dispatch_mw;

  for (const market::LedgerEntry& e : out.entries) ledger_.Add(e);
  arbiter_.ExpireBefore(interval_start + step_duration);
  ++intervals_applied_;
  return out;
}

double RegionEngine::battery_cycles() const {
  double cycles = 0.0;
  for (size_t i = 0; i < battery_params_.size(); ++i) {
    cycles += totals_[i].energy_mwh / (2.0 * battery_params_[i].energy_capacity_mwh);
  }
  return cycles;
}

}  // namespace gridpilot::region
