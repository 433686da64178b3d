#include "agents/grid_response/response_agent.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "agents/common/asset_from_proto.h"
#include "core/logging.h"
#include "core/time_util.h"
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
  p.set_idempotency_key(absl::StrCat(ResponseAgent::kAgentName, "/", asset_id, "/",
                                     FormatUtcTimestamp(t)));
  p.set_reason(reason);
  return p;
}

}  // namespace

void ResponseAgent::OnRegistered(const v1::RegionInfo& region) {
  absl::MutexLock lock(&mu_);
  config_.ramp_limit_mw = region.ramp_limit_mw();
  config_.instability_penalty_gbp_per_mw = region.instability_penalty_gbp_per_mw();
  config_.interval = FromProtoDuration(region.interval());
  LogInfo(absl::StrCat("ramp limit ", region.ramp_limit_mw(), " MW per interval"));
}

std::vector<v1::DispatchProposal> ResponseAgent::OnTick(const v1::Tick& tick) {
  const absl::Time t = FromProtoTime(tick.time());
  RampObservation obs;
  obs.decision_time = t;
  if (tick.has_net_load_mw()) obs.last_net_load_mw = tick.net_load_mw();
  obs.last_dispatch_mw = tick.dispatch_mw();
  const v1::Asset* battery = FindAsset(tick, v1::ASSET_KIND_BATTERY);
  const v1::Asset* peaker = FindAsset(tick, v1::ASSET_KIND_PEAKER);
  if (battery != nullptr) {
    obs.battery = BatteryParamsFromProto(*battery);
    obs.battery_soc_mwh = battery->battery().soc_mwh();
    obs.scheduled_battery_mw = battery->scheduled_power_mw();
  } else {
    // No battery in the registry: a zero-power battery keeps the policy's arithmetic valid.
    obs.battery.max_charge_mw = obs.battery.max_discharge_mw = 1e-9;
  }
  if (peaker != nullptr) {
    obs.peaker_params = PeakerParamsFromProto(*peaker);
    obs.peaker = PeakerStateFromProto(*peaker);
  } else {
    obs.peaker_params.capacity_mw = 0.0;
    obs.peaker_params.min_stable_load_mw = 0.0;
  }

  // The forecast call is made outside the lock: it may wait for the forecast service.
  std::string degraded_reason;
  if (forecasts_ != nullptr) {
    absl::StatusOr<std::vector<double>> changes = forecasts_->ChangeForecast(t);
    if (changes.ok()) {
      obs.forecast_change_mw = *std::move(changes);
    } else {
      degraded_reason = absl::StrCat("forecast unavailable: ", changes.status().message());
    }
  } else {
    degraded_reason = "no forecast service configured";
  }

  absl::MutexLock lock(&mu_);
  const absl::Time measured_start = FromProtoTime(tick.measured_interval_start());
  if (measured_start - last_measured_start_ == config_.interval) {
    obs.previous_net_load_mw = last_net_load_mw_;
  }
  last_net_load_mw_ = obs.last_net_load_mw;
  last_measured_start_ = measured_start;

  ResponseDecision decision = DecideResponse(obs, config_);
  if (decision.degraded != status_.degraded()) {
    if (decision.degraded) {
      LogWarning(absl::StrCat("degraded mode: acting on measured data only (", degraded_reason, ")"));
    } else {
      LogInfo("forecasts are back; leaving degraded mode");
    }
  }
  status_.set_degraded(decision.degraded);
  status_.set_degraded_reason(decision.degraded ? degraded_reason : "");
  status_.set_ticks_seen(status_.ticks_seen() + 1);
  *status_.mutable_last_decision_time() = tick.time();

  std::vector<v1::DispatchProposal> proposals;
  if (battery != nullptr && decision.battery_mw.has_value()) {
    proposals.push_back(Proposal(battery->id(), *decision.battery_mw, t, config_.interval,
                                 decision.reason));
  }
  if (decision.peaker_mw.has_value()) {
    peaker_request_mw_ = *decision.peaker_mw > 0.0 ? decision.peaker_mw : std::nullopt;
  }
  // A running peaker needs a proposal every interval; without one the gateway stops it.
  if (peaker != nullptr && peaker_request_mw_.has_value()) {
    proposals.push_back(Proposal(peaker->id(), *peaker_request_mw_, t, config_.interval,
                                 decision.reason));
  }
  status_.set_proposals_sent(status_.proposals_sent() + static_cast<int64_t>(proposals.size()));

  std::string decided = proposals.empty() ? "no dispatch" : "";
  for (const v1::DispatchProposal& p : proposals) {
    absl::StrAppend(&decided, decided.empty() ? "" : ", ", p.asset_id(), " ",
                    absl::StrFormat("%+.1f MW", p.power_mw()));
  }
  for (const RampEvent& e : decision.events) {
    v1::RampEvent& out = events_.emplace_back();
    const bool measured = e.kind == RampEvent::Kind::kMeasured;
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
  return proposals;
}

v1::GetResponseStatusResponse ResponseAgent::Status() const {
  absl::MutexLock lock(&mu_);
  return status_;
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
  if (!std::isfinite(thresholds.ramp_limit_mw()) || thresholds.ramp_limit_mw() <= 0.0) {
    return absl::InvalidArgumentError("ramp_limit_mw: must be a finite number > 0");
  }
  if (!std::isfinite(thresholds.margin_mw()) || thresholds.margin_mw() < 0.0 ||
      thresholds.margin_mw() >= thresholds.ramp_limit_mw()) {
    return absl::InvalidArgumentError("margin_mw: must be >= 0 and below ramp_limit_mw");
  }
  absl::MutexLock lock(&mu_);
  config_.ramp_limit_mw = thresholds.ramp_limit_mw();
  config_.margin_mw = thresholds.margin_mw();
  return absl::OkStatus();
}

}  // namespace gridpilot
