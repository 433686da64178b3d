#include "agents/response/response_agent.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "agents/common/asset_from_proto.h"
#include "core/base/logging.h"
#include "core/base/time_util.h"
#include "core/control/battery_duty_split.h"
#include "core/control/step_response_policy.h"
#include "core/region/region_engine.h"
#include "services/common/proto_enum.h"
#include "services/common/proto_time.h"

namespace gridpilot {
namespace {

constexpr size_t kEventsKept = 1000;

v1::DispatchProposal Proposal(const std::string& asset_id, double power_mw, absl::Time t,
                              absl::Duration interval, const std::string& reason) {
  v1::DispatchProposal p;
  p.set_asset_id(asset_id);
  p.set_priority(v1::DISPATCH_PRIORITY_RESILIENCE);
  p.set_power_mw(power_mw);
  *p.mutable_start() = ToProtoTime(t);
  *p.mutable_end() = ToProtoTime(t + interval);
  p.set_idempotency_key(
      absl::StrCat(ResponseAgent::kAgentName, "/", asset_id, "/", base::FormatUtcTimestamp(t)));
  p.set_reason(reason);
  return p;
}

// The tick's batteries, in its order, and their ids.
std::vector<control::DutyBattery> Batteries(const v1::Tick& tick, std::vector<std::string>* ids) {
  std::vector<control::DutyBattery> batteries;
  for (const v1::Asset& asset : tick.assets()) {
    if (asset.kind() != v1::ASSET_KIND_BATTERY) continue;
    ids->push_back(asset.id());
    batteries.push_back({.params = BatteryParamsFromProto(asset),
                         .soc_mwh = asset.battery().soc_mwh(),
                         .scheduled_mw = asset.scheduled_power_mw()});
  }
  return batteries;
}

// The proposals for a fleet setpoint of `total_mw` split by control::SplitDuty, into
// `proposals`, and the setpoints into `kept` (by id). With several batteries one whose
// share leaves its schedule unchanged gets no proposal (the trader's stands).
void ProposeSplit(const std::vector<control::DutyBattery>& batteries,
                  const std::vector<std::string>& ids, double total_mw, absl::Time t,
                  absl::Duration duration, const control::DutyConnection& connection,
                  const std::string& reason, std::vector<v1::DispatchProposal>* proposals,
                  std::vector<std::pair<std::string, double>>* kept) {
  const std::vector<double> setpoints_mw =
      control::SplitDuty(batteries, total_mw, duration, connection);
  for (size_t i = 0; i < batteries.size(); ++i) {
    if (batteries.size() > 1 && setpoints_mw[i] == batteries[i].scheduled_mw) continue;
    proposals->push_back(Proposal(ids[i], setpoints_mw[i], t, duration, reason));
    if (kept != nullptr) kept->emplace_back(ids[i], setpoints_mw[i]);
  }
}

}  // namespace

void ResponseAgent::OnRegistered(const v1::RegionInfo& region) {
  absl::MutexLock lock(&mu_);
  config_.ramp_limit_mw = region.ramp_limit_mw();
  region_ramp_limit_mw_ = region.ramp_limit_mw();
  connection_ = {};
  if (region.has_battery_export_limit_mw()) {
    connection_.export_limit_mw = region.battery_export_limit_mw();
  }
  if (region.has_battery_import_limit_mw()) {
    connection_.import_limit_mw = region.battery_import_limit_mw();
  }
  config_.instability_penalty_gbp_per_mw = region.instability_penalty_gbp_per_mw();
  config_.interval = FromProtoDuration(region.interval());
  // The lookahead stays 2 hours at any resolution (4 half-hours, 8 quarter-hours).
  config_.lookahead_intervals = static_cast<int>(control::kResponseLookahead / config_.interval);
  step_ = region.has_step() ? FromProtoDuration(region.step()) : config_.interval;
  ramp_window_ = region.has_ramp_window() ? FromProtoDuration(region.ramp_window()) : step_;
  *status_.mutable_step() = ToProtoDuration(step_);
  base::LogInfo(absl::StrCat("ramp limit ", region.ramp_limit_mw(), " MW per interval; step ",
                             absl::FormatDuration(step_), ", ramp window ",
                             absl::FormatDuration(ramp_window_)));
}

std::vector<v1::DispatchProposal> ResponseAgent::OnTick(const v1::Tick& tick) {
  // Forecasts are of settlement intervals, so only an interval tick needs one: the one the
  // tick carries, else one asked for outside the lock (it may wait for the service).
  std::optional<IssuedChangeForecast> forecast;
  std::string degraded_reason;
  if (tick.interval_boundary()) {
    forecast = ChangeForecastOfTick(tick);
    if (forecast.has_value()) {
      // Attached by the gateway: nothing to ask.
    } else if (forecasts_ != nullptr) {
      absl::StatusOr<IssuedChangeForecast> changes =
          forecasts_->ChangeForecast(FromProtoTime(tick.time()));
      if (changes.ok()) {
        forecast = *std::move(changes);
      } else {
        degraded_reason = absl::StrCat("forecast unavailable: ", changes.status().message());
      }
    } else {
      degraded_reason = "no forecast service configured";
    }
  }
  absl::MutexLock lock(&mu_);
  std::vector<v1::DispatchProposal> proposals;
  note_.clear();
  if (tick.interval_boundary() && forecast && forecast->base_suspect) {
    HoldInterval(tick, forecast->suspect_cause, &proposals);
  } else if (tick.interval_boundary()) {
    DecideInterval(tick, forecast ? &forecast->changes_mw : nullptr, degraded_reason, &proposals);
  }
  if (Stepping()) DecideStep(tick, &proposals);
  status_.set_ticks_seen(status_.ticks_seen() + 1);
  *status_.mutable_last_decision_time() = tick.time();
  status_.set_proposals_sent(status_.proposals_sent() + static_cast<int64_t>(proposals.size()));
  return proposals;
}

std::string ResponseAgent::AnswerNote() {
  absl::MutexLock lock(&mu_);
  return note_;
}

void ResponseAgent::HoldInterval(const v1::Tick& tick, const std::string& cause,
                                 std::vector<v1::DispatchProposal>* proposals) {
  const absl::Time t = FromProtoTime(tick.time());
  const std::string measured =
      base::FormatUtcTimestamp(FromProtoTime(tick.measured_interval_start()));
  note_ = absl::StrCat("held: the net load measured for ", measured, " is suspect (", cause,
                       "); no decision on it, ");
  const std::string reason =
      absl::StrCat("held from ", base::FormatUtcTimestamp(last_decision_time_), ": telemetry for ",
                   measured, " is suspect");
  const v1::Asset* peaker = FindAsset(tick, v1::ASSET_KIND_PEAKER);
  if (!Stepping()) {
    for (const auto& [id, power_mw] : last_battery_mw_) {
      proposals->push_back(Proposal(id, power_mw, t, config_.interval, reason));
    }
  }
  if (peaker != nullptr && peaker_request_mw_.has_value()) {
    proposals->push_back(Proposal(peaker->id(), *peaker_request_mw_, t, config_.interval, reason));
  }
  absl::StrAppend(&note_, proposals->empty()
                              ? "the last decision left the assets to the trader"
                              : absl::StrCat("the last decision's setpoints kept (", reason, ")"));
  // The suspect reading must not become the base of the next decision's change.
  last_net_load_mw_.reset();
  last_after_dispatch_mw_.reset();
  last_measured_start_ = FromProtoTime(tick.measured_interval_start());
  status_.set_suspect_ticks_held(status_.suspect_ticks_held() + 1);
  base::LogWarning(note_);
}

void ResponseAgent::DecideInterval(const v1::Tick& tick, const std::vector<double>* forecast,
                                   const std::string& degraded_reason,
                                   std::vector<v1::DispatchProposal>* proposals) {
  const absl::Time t = FromProtoTime(tick.time());
  control::RampObservation obs;
  obs.decision_time = t;
  if (tick.has_net_load_mw()) obs.last_net_load_mw = tick.net_load_mw();
  obs.last_dispatch_mw = tick.dispatch_mw();
  std::vector<std::string> battery_ids;
  const std::vector<control::DutyBattery> batteries = Batteries(tick, &battery_ids);
  const v1::Asset* peaker = FindAsset(tick, v1::ASSET_KIND_PEAKER);
  if (!batteries.empty()) {
    // Several batteries: the policy decides for the fleet as one (battery_duty_split.h).
    control::FleetBattery fleet = control::FleetAsOneBattery(batteries, connection_);
    obs.battery = std::move(fleet.params);
    obs.battery_soc_mwh = fleet.soc_mwh;
    obs.scheduled_battery_mw = fleet.scheduled_mw;
  } else {
    // No battery in the registry: a zero-power battery keeps the policy's arithmetic valid.
    obs.battery.max_charge_mw = obs.battery.max_discharge_mw = 1e-9;
  }
  if (peaker != nullptr) {
    obs.peaker_params = PeakerParamsFromProto(*peaker);
    obs.peaker = PeakerStateFromProto(*peaker);
  } else {
    // No peaker in the registry: a unit too small to pay for any start keeps the params
    // valid (a zero capacity would make the policy refuse to act at all).
    obs.peaker_params.capacity_mw = 1e-9;
    obs.peaker_params.min_stable_load_mw = 0.0;
  }
  if (forecast != nullptr) {
    const size_t used =
        std::min(forecast->size(), static_cast<size_t>(config_.lookahead_intervals));
    obs.forecast_change_mw.assign(forecast->begin(), forecast->begin() + used);
  }

  const absl::Time measured_start = FromProtoTime(tick.measured_interval_start());
  const bool consecutive = measured_start - last_measured_start_ == config_.interval;
  if (consecutive) obs.previous_net_load_mw = last_net_load_mw_;
  std::optional<double> after_mw;
  if (obs.last_net_load_mw) after_mw = *obs.last_net_load_mw - obs.last_dispatch_mw;
  std::optional<double> previous_after_mw;
  if (consecutive) previous_after_mw = last_after_dispatch_mw_;
  last_net_load_mw_ = obs.last_net_load_mw;
  last_after_dispatch_mw_ = after_mw;
  last_measured_start_ = measured_start;

  control::ResponseDecision decision = control::DecideResponse(obs, config_);
  last_battery_mw_.clear();
  last_decision_time_ = t;
  if (decision.degraded != status_.degraded()) {
    if (decision.degraded) {
      base::LogWarning(
          absl::StrCat("degraded mode: acting on measured data only (", degraded_reason, ")"));
      status_.set_degraded_entries(status_.degraded_entries() + 1);
      *status_.mutable_degraded_since() = tick.time();
    } else {
      base::LogInfo("forecasts are back; leaving degraded mode");
      status_.clear_degraded_since();
    }
  }
  status_.set_degraded(decision.degraded);
  status_.set_degraded_reason(decision.degraded ? degraded_reason : "");
  if (decision.degraded) status_.set_degraded_ticks(status_.degraded_ticks() + 1);

  const size_t first_new = proposals->size();
  // In the live simulator the step policy owns the battery; this policy keeps the peaker.
  if (!batteries.empty() && decision.battery_mw.has_value() && !Stepping()) {
    ProposeSplit(batteries, battery_ids, *decision.battery_mw, t, config_.interval, connection_,
                 decision.reason, proposals, &last_battery_mw_);
  }
  if (decision.peaker_mw.has_value()) {
    peaker_request_mw_ = *decision.peaker_mw > 0.0 ? decision.peaker_mw : std::nullopt;
  }
  // A running peaker needs a proposal every interval; without one the gateway stops it.
  if (peaker != nullptr && peaker_request_mw_.has_value()) {
    proposals->push_back(
        Proposal(peaker->id(), *peaker_request_mw_, t, config_.interval, decision.reason));
  }

  // What was decided, as the ramp events record it; formatted only for a tick with events.
  std::string decided;
  if (!decision.events.empty()) {
    if (proposals->size() == first_new) decided = "no dispatch";
    for (size_t i = first_new; i < proposals->size(); ++i) {
      const v1::DispatchProposal& p = (*proposals)[i];
      absl::StrAppend(&decided, decided.empty() ? "" : ", ", p.asset_id(), " ",
                      absl::StrFormat("%+.1f MW", p.power_mw()));
    }
  }
  forecast_exceeds_ = false;
  for (const control::RampEvent& e : decision.events) {
    v1::RampEvent& out = events_.emplace_back();
    const bool measured = e.kind == control::RampEvent::Kind::kMeasured;
    forecast_exceeds_ |= !measured;
    out.set_kind(measured ? v1::RAMP_EVENT_KIND_MEASURED : v1::RAMP_EVENT_KIND_FORECAST);
    *out.mutable_interval_start() = ToProtoTime(e.interval_start);
    out.set_change_mw(e.change_mw);
    out.set_limit_mw(e.limit_mw);
    out.set_reason(e.reason);
    *out.mutable_detected_at() = tick.time();
    out.set_decision(decided);
    if (measured) {
      status_.set_measured_ramp_events(status_.measured_ramp_events() + 1);
    } else {
      status_.set_forecast_ramp_events(status_.forecast_ramp_events() + 1);
    }
    if (events_.size() > kEventsKept) events_.pop_front();
  }
  if (Stepping()) return;  // episodes follow the step readings instead
  control::EpisodeInput input{.time = t,
                              .limit_mw = config_.ramp_limit_mw,
                              .forecast_exceeds = forecast_exceeds_,
                              .responding = proposals->size() > first_new};
  if (obs.last_net_load_mw && obs.previous_net_load_mw) {
    input.measured_change_mw = *obs.last_net_load_mw - *obs.previous_net_load_mw;
  }
  if (after_mw && previous_after_mw)
    input.after_dispatch_change_mw = *after_mw - *previous_after_mw;
  TrackEpisode(input);
}

void ResponseAgent::DecideStep(const v1::Tick& tick, std::vector<v1::DispatchProposal>* proposals) {
  const absl::Time t = FromProtoTime(tick.time());
  const v1::StepReading& reading = tick.step();
  StepPoint point{.start = FromProtoTime(reading.start())};
  if (reading.has_net_load_mw()) {
    point.net_load_mw = reading.net_load_mw();
    point.after_dispatch_mw = reading.net_load_mw() - reading.dispatch_mw();
  }
  // The window holds consecutive steps only; a gap (a reconnect) starts it afresh.
  if (!window_.empty() && point.start - window_.back().start != step_) window_.clear();
  window_.push_back(point);
  const size_t steps_per_window = static_cast<size_t>(ramp_window_ / step_);
  while (window_.size() > steps_per_window + 1) window_.pop_front();

  const double tolerance_mw =
      region::RampToleranceMw(config_.ramp_limit_mw, config_.interval, step_, ramp_window_);
  // The margin keeps the same share of the limit at every timescale.
  const control::StepPolicyConfig step_config{
      .tolerance_mw = tolerance_mw,
      .margin_mw = config_.margin_mw * tolerance_mw / config_.ramp_limit_mw,
      .step = step_};
  // Mean of a field over window_[begin, end), or nullopt if any value is missing.
  auto mean = [this](size_t begin, size_t end,
                     std::optional<double> StepPoint::*field) -> std::optional<double> {
    double sum = 0.0;
    for (size_t i = begin; i < end; ++i) {
      if (!(window_[i].*field).has_value()) return std::nullopt;
      sum += *(window_[i].*field);
    }
    return sum / static_cast<double>(end - begin);
  };
  std::vector<std::string> battery_ids;
  const std::vector<control::DutyBattery> batteries = Batteries(tick, &battery_ids);
  const v1::Asset* peaker = FindAsset(tick, v1::ASSET_KIND_PEAKER);
  bool responding = peaker_request_mw_.has_value();
  if (!batteries.empty() && window_.size() >= steps_per_window) {
    control::FleetBattery fleet = control::FleetAsOneBattery(batteries, connection_);
    control::StepObservation obs{
        .decision_time = t,
        .last_net_load_mw = point.net_load_mw,
        .reference_after_dispatch_mw =
            mean(window_.size() - steps_per_window, window_.size(), &StepPoint::after_dispatch_mw),
        .scheduled_battery_mw = fleet.scheduled_mw,
        .peaker_mw = peaker != nullptr ? peaker->peaker().output_mw() : 0.0,
        .battery_soc_mwh = fleet.soc_mwh,
        .battery = std::move(fleet.params)};
    control::StepDecision decision = control::DecideStepResponse(obs, step_config);
    if (decision.battery_mw.has_value()) {
      std::string reason = decision.reason;
      if (!reading.event().empty()) absl::StrAppend(&reason, " [", reading.event(), "]");
      ProposeSplit(batteries, battery_ids, *decision.battery_mw, t, step_, connection_, reason,
                   proposals, nullptr);
      responding = true;
    }
  }
  // The step that just ended against the window before it, as the gateway judges it.
  control::EpisodeInput input{.time = t,
                              .limit_mw = tolerance_mw,
                              .forecast_exceeds = forecast_exceeds_,
                              .responding = responding};
  if (window_.size() == steps_per_window + 1) {
    const std::optional<double> before = mean(0, steps_per_window, &StepPoint::net_load_mw);
    const std::optional<double> after = mean(0, steps_per_window, &StepPoint::after_dispatch_mw);
    if (before && point.net_load_mw) input.measured_change_mw = *point.net_load_mw - *before;
    if (after && point.after_dispatch_mw) {
      input.after_dispatch_change_mw = *point.after_dispatch_mw - *after;
    }
  }
  TrackEpisode(input);
}

void ResponseAgent::TrackEpisode(const control::EpisodeInput& input) {
  for (const control::RampEpisode& e : episodes_tracker_.Observe(input)) {
    v1::RampEpisode out;
    out.set_id(e.id);
    out.set_state(static_cast<v1::RampEpisodeState>(static_cast<int>(e.state) + 1));
    out.set_outcome(FromShortName<v1::RampEpisodeOutcome>(control::EpisodeOutcomeName(e.outcome)));
    auto set_time = [](const std::optional<absl::Time>& time, google::protobuf::Timestamp* field) {
      if (time.has_value()) *field = ToProtoTime(*time);
    };
    set_time(e.forecast_at, out.mutable_forecast_at());
    set_time(e.started_at, out.mutable_started_at());
    set_time(e.countered_at, out.mutable_countered_at());
    set_time(e.resolved_at, out.mutable_resolved_at());
    out.set_peak_change_mw(e.peak_change_mw);
    out.set_peak_excess_mw(e.peak_excess_mw);
    out.set_decisions_with_excess(e.decisions_with_excess);
    out.set_reason(e.reason);
    if (!episodes_.empty() && episodes_.back().id() == e.id) {
      episodes_.back() = out;
    } else {
      episodes_.push_back(out);
      if (episodes_.size() > kEventsKept) episodes_.pop_front();
    }
    switch (e.outcome) {
      case control::EpisodeOutcome::kCountered:
        status_.set_episodes_countered(status_.episodes_countered() + 1);
        break;
      case control::EpisodeOutcome::kNotCountered:
        status_.set_episodes_not_countered(status_.episodes_not_countered() + 1);
        break;
      case control::EpisodeOutcome::kDidNotHappen:
        status_.set_episodes_did_not_happen(status_.episodes_did_not_happen() + 1);
        break;
      case control::EpisodeOutcome::kOpen: break;
    }
    if (e.outcome != control::EpisodeOutcome::kOpen) {
      base::LogInfo(absl::StrCat("ramp episode ", e.id, ": ", e.reason));
    }
  }
  const std::optional<control::RampEpisode>& open = episodes_tracker_.open();
  status_.set_open_episode_id(open ? open->id : 0);
}

v1::GetResponseStatusResponse ResponseAgent::Status() const {
  absl::MutexLock lock(&mu_);
  return status_;
}

std::vector<v1::RampEpisode> ResponseAgent::RecentEpisodes(size_t limit) const {
  absl::MutexLock lock(&mu_);
  const size_t n = std::min(limit, episodes_.size());
  return std::vector<v1::RampEpisode>(episodes_.end() - static_cast<long>(n), episodes_.end());
}

std::vector<v1::RampEvent> ResponseAgent::RecentEvents(size_t limit) const {
  absl::MutexLock lock(&mu_);
  const size_t n = std::min(limit, events_.size());
  return std::vector<v1::RampEvent>(events_.end() - static_cast<long>(n), events_.end());
}

v1::Thresholds ResponseAgent::Thresholds() const {
  absl::MutexLock lock(&mu_);
  v1::Thresholds out;
  out.set_ramp_limit_mw(config_.ramp_limit_mw);
  out.set_margin_mw(config_.margin_mw);
  return out;
}

absl::Status ResponseAgent::SetThresholds(const v1::Thresholds& thresholds) {
  absl::MutexLock lock(&mu_);
  const double max_limit_mw = kMaxRampLimitMultiple * region_ramp_limit_mw_;
  const double limit_mw = thresholds.ramp_limit_mw();
  if (!std::isfinite(limit_mw) || limit_mw <= 0.0 || limit_mw > max_limit_mw) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "ramp_limit_mw: %g is outside (0, %g] MW (%g x the region's limit of %g MW)", limit_mw,
        max_limit_mw, kMaxRampLimitMultiple, region_ramp_limit_mw_));
  }
  if (!std::isfinite(thresholds.margin_mw()) || thresholds.margin_mw() < 0.0 ||
      thresholds.margin_mw() >= limit_mw) {
    return absl::InvalidArgumentError(
        absl::StrFormat("margin_mw: %g is outside [0, %g) MW (below ramp_limit_mw)",
                        thresholds.margin_mw(), limit_mw));
  }
  config_.ramp_limit_mw = thresholds.ramp_limit_mw();
  config_.margin_mw = thresholds.margin_mw();
  return absl::OkStatus();
}

}  // namespace gridpilot
