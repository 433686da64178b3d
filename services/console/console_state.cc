#include "services/console/console_state.h"

#include <cmath>
#include <utility>

#include "services/common/proto_enum.h"
#include "services/common/proto_time.h"

namespace gridpilot {
namespace {

using nlohmann::json;

double UnixSeconds(absl::Time t) { return static_cast<double>(absl::ToUnixMicros(t)) / 1e6; }

double UnixSeconds(const google::protobuf::Timestamp& t) { return UnixSeconds(FromProtoTime(t)); }

json OrNull(const std::optional<double>& v) {
  return v.has_value() && std::isfinite(*v) ? json(*v) : json(nullptr);
}

const char* PeakerStatusName(v1::PeakerStatus status) {
  switch (status) {
    case v1::PEAKER_STATUS_OFF: return "off";
    case v1::PEAKER_STATUS_STARTING: return "starting";
    case v1::PEAKER_STATUS_ON: return "on";
    default: return "unknown";
  }
}

const char* EventKindName(v1::RampEventKind kind) {
  switch (kind) {
    case v1::RAMP_EVENT_KIND_MEASURED: return "measured";
    case v1::RAMP_EVENT_KIND_FORECAST: return "forecast";
    default: return "unknown";
  }
}

const char* EpisodeStateName(v1::RampEpisodeState state) {
  switch (state) {
    case v1::RAMP_EPISODE_STATE_FORECAST: return "forecast";
    case v1::RAMP_EPISODE_STATE_STARTED: return "started";
    case v1::RAMP_EPISODE_STATE_COUNTERED: return "countered";
    case v1::RAMP_EPISODE_STATE_RESOLVED: return "resolved";
    default: return "unknown";
  }
}

// A timestamp that may be unset (epoch 0 in proto3) as Unix seconds or null.
json OptionalTime(const google::protobuf::Timestamp& t) {
  return t.seconds() == 0 && t.nanos() == 0 ? json(nullptr) : json(UnixSeconds(t));
}

json DecisionJson(const v1::Decision& d) {
  return {{"t", UnixSeconds(d.interval_start())},
          {"asset_id", d.asset_id()},
          {"proposal_id", d.proposal_id()},
          {"agent", d.agent()},
          {"requested_mw", d.requested_mw()},
          {"applied_mw", d.applied_mw()},
          {"reason", d.reason()}};
}

}  // namespace

ConsoleState::ConsoleState(ConsoleStateOptions options) : options_(options) {}

void ConsoleState::Changed() { ++version_; }

void ConsoleState::AddTick(const v1::Tick& tick) {
  TickPoint point;
  point.time = FromProtoTime(tick.time());
  if (tick.has_step() && tick.step().has_net_load_mw()) {
    point.net_load_mw = tick.step().net_load_mw();
  } else if (tick.has_net_load_mw()) {
    point.net_load_mw = tick.net_load_mw();
  }
  if (tick.interval_boundary() && tick.has_net_load_mw()) {
    point.interval_net_load_mw = tick.net_load_mw();
  }
  if (tick.has_price_gbp_per_mwh()) point.price_gbp_per_mwh = tick.price_gbp_per_mwh();
  bool have_battery = false, have_peaker = false;
  for (const v1::Asset& asset : tick.assets()) {
    if (asset.has_battery() && !have_battery) {
      have_battery = true;
      point.soc_mwh = asset.battery().soc_mwh();
      point.battery_mw = asset.battery().power_mw();
    } else if (asset.has_peaker() && !have_peaker) {
      have_peaker = true;
      point.peaker_mw = asset.peaker().output_mw();
      point.peaker_status = PeakerStatusName(asset.peaker().status());
    }
  }
  absl::MutexLock lock(&mu_);
  if (!ticks_.empty() && point.time <= ticks_.back().time) return;
  if (!tick.step().source_silent()) {
    telemetry_silent_since_.reset();
  } else if (!telemetry_silent_since_.has_value()) {
    telemetry_silent_since_ = FromProtoTime(tick.step().start());
  }
  point.index = next_index_++;
  ticks_.push_back(std::move(point));
  while (static_cast<int>(ticks_.size()) > options_.max_points) {
    dropped_through_ = std::max(dropped_through_, ticks_.front().index);
    ticks_.pop_front();
  }
  Changed();
}

void ConsoleState::AddForecast(const v1::GetNetLoadChangeResponse& forecast) {
  if (forecast.forecasts().empty()) return;
  const absl::Time issue = FromProtoTime(forecast.issue_time());
  absl::MutexLock lock(&mu_);
  if (!forecasts_.empty() && issue <= forecasts_.back().issue_time) return;
  latest_forecast_ = forecast;
  latest_half_widths_.clear();
  // The service's interval, built from errors it knew at issue time (no look-ahead).
  for (const v1::HorizonForecast& h : forecast.forecasts()) {
    latest_half_widths_.push_back(h.has_upper_change_mw()
                                      ? std::optional<double>(h.upper_change_mw() - h.change_mw())
                                      : std::nullopt);
  }
  band_coverage_ = forecast.interval_coverage();
  const v1::HorizonForecast& first = forecast.forecasts(0);
  ForecastPoint point;
  point.index = next_index_++;
  point.issue_time = issue;
  point.target = FromProtoTime(first.target_interval_start());
  point.net_load_mw = forecast.last_net_load_mw() + first.change_mw();
  point.half_width_mw = latest_half_widths_.front();
  forecasts_.push_back(point);
  while (static_cast<int>(forecasts_.size()) > options_.max_points) {
    dropped_through_ = std::max(dropped_through_, forecasts_.front().index);
    forecasts_.pop_front();
  }
  Changed();
}

void ConsoleState::AddAnomaly(const v1::Anomaly& anomaly) {
  absl::MutexLock lock(&mu_);
  anomalies_[{anomaly.series(), FromProtoTime(anomaly.interval_start())}] = anomaly;
  while (static_cast<int>(anomalies_.size()) > options_.max_anomalies) {
    // Oldest interval first across series.
    auto oldest = anomalies_.begin();
    for (auto it = anomalies_.begin(); it != anomalies_.end(); ++it) {
      if (it->first.second < oldest->first.second) oldest = it;
    }
    anomalies_.erase(oldest);
  }
  Changed();
}

void ConsoleState::SetEvents(const v1::ListEventsResponse& events) {
  absl::MutexLock lock(&mu_);
  events_ = events;
  Changed();
}

void ConsoleState::SetSchedule(const v1::GetScheduleResponse& schedule) {
  absl::MutexLock lock(&mu_);
  schedule_ = schedule;
  Changed();
}

void ConsoleState::SetPnl(const v1::GetPnlResponse& pnl) {
  absl::MutexLock lock(&mu_);
  pnl_ = pnl;
  has_pnl_ = true;
  Changed();
}

void ConsoleState::SetDecisions(const v1::ListDecisionsResponse& decisions) {
  absl::MutexLock lock(&mu_);
  decisions_ = decisions;
  Changed();
}

void ConsoleState::SetSourceStatus(const std::string& source, const std::string& error) {
  absl::MutexLock lock(&mu_);
  auto it = sources_.find(source);
  if (it != sources_.end() && it->second == error) return;
  sources_[source] = error;
  Changed();
}

std::map<std::string, std::string> ConsoleState::SourceErrors() const {
  absl::MutexLock lock(&mu_);
  std::map<std::string, std::string> out;
  for (const auto& [name, error] : sources_) {
    if (!error.empty()) out[name] = error;
  }
  return out;
}

void ConsoleState::SetProcesses(nlohmann::json processes) {
  absl::MutexLock lock(&mu_);
  if (processes == processes_) return;
  processes_ = std::move(processes);
  Changed();
}

void ConsoleState::SetModels(nlohmann::json models) {
  absl::MutexLock lock(&mu_);
  if (models == models_) return;
  models_ = std::move(models);
  Changed();
}

void ConsoleState::SetSummary(nlohmann::json summary) {
  absl::MutexLock lock(&mu_);
  summary_ = std::move(summary);
  Changed();
}

int64_t ConsoleState::version() const {
  absl::MutexLock lock(&mu_);
  return version_;
}

int64_t ConsoleState::WaitForChange(int64_t seen, absl::Duration timeout) const {
  absl::MutexLock lock(&mu_);
  auto changed = [this, seen]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return version_ > seen; };
  mu_.AwaitWithTimeout(absl::Condition(&changed), timeout);
  return version_;
}

json ConsoleState::Snapshot(const SnapshotQuery& query) const {
  absl::MutexLock lock(&mu_);
  auto in_range = [&query](absl::Time t) { return t >= query.from && t < query.to; };
  json out;
  out["version"] = version_;
  out["last_index"] = next_index_ - 1;
  // Points the client has not seen were dropped: it must start again from this snapshot.
  out["reset"] = query.after < 0 || query.after < dropped_through_;
  const int64_t after = out["reset"].get<bool>() ? -1 : query.after;

  json ticks = {{"index", json::array()},
                {"t", json::array()},
                {"net_load_mw", json::array()},
                {"interval_net_load_mw", json::array()},
                {"soc_mwh", json::array()},
                {"battery_mw", json::array()},
                {"peaker_mw", json::array()},
                {"peaker_status", json::array()},
                {"price_gbp_per_mwh", json::array()}};
  for (const TickPoint& p : ticks_) {
    if (p.index <= after || !in_range(p.time)) continue;
    ticks["index"].push_back(p.index);
    ticks["t"].push_back(UnixSeconds(p.time));
    ticks["net_load_mw"].push_back(OrNull(p.net_load_mw));
    ticks["interval_net_load_mw"].push_back(OrNull(p.interval_net_load_mw));
    ticks["soc_mwh"].push_back(OrNull(p.soc_mwh));
    ticks["battery_mw"].push_back(p.battery_mw);
    ticks["peaker_mw"].push_back(p.peaker_mw);
    ticks["peaker_status"].push_back(p.peaker_status);
    ticks["price_gbp_per_mwh"].push_back(OrNull(p.price_gbp_per_mwh));
  }
  out["ticks"] = std::move(ticks);
  out["telemetry"] = {{"silent", telemetry_silent_since_.has_value()},
                      {"silent_since_t", telemetry_silent_since_.has_value()
                                             ? json(UnixSeconds(*telemetry_silent_since_))
                                             : json(nullptr)}};

  json forecast = {{"index", json::array()},    {"issue_t", json::array()},
                   {"t", json::array()},        {"net_load_mw", json::array()},
                   {"lower_mw", json::array()}, {"upper_mw", json::array()}};
  for (const ForecastPoint& p : forecasts_) {
    if (p.index <= after || !in_range(p.target)) continue;
    forecast["index"].push_back(p.index);
    forecast["issue_t"].push_back(UnixSeconds(p.issue_time));
    forecast["t"].push_back(UnixSeconds(p.target));
    forecast["net_load_mw"].push_back(p.net_load_mw);
    const bool band = p.half_width_mw.has_value();
    forecast["lower_mw"].push_back(band ? json(p.net_load_mw - *p.half_width_mw) : json(nullptr));
    forecast["upper_mw"].push_back(band ? json(p.net_load_mw + *p.half_width_mw) : json(nullptr));
  }
  out["forecast"] = std::move(forecast);
  out["band_coverage"] = band_coverage_;

  if (latest_forecast_.forecasts().empty()) {
    out["latest_forecast"] = nullptr;
  } else {
    json points = json::array();
    for (int i = 0; i < latest_forecast_.forecasts_size(); ++i) {
      const v1::HorizonForecast& h = latest_forecast_.forecasts(i);
      const double mw = latest_forecast_.last_net_load_mw() + h.change_mw();
      const double half = i < static_cast<int>(latest_half_widths_.size())
                              ? latest_half_widths_[i].value_or(NAN)
                              : NAN;
      points.push_back({{"horizon_min", absl::ToInt64Minutes(FromProtoDuration(h.horizon()))},
                        {"t", UnixSeconds(h.target_interval_start())},
                        {"net_load_mw", mw},
                        {"lower_mw", OrNull(mw - half)},
                        {"upper_mw", OrNull(mw + half)}});
    }
    out["latest_forecast"] = {{"issue_t", UnixSeconds(latest_forecast_.issue_time())},
                              {"model", latest_forecast_.model()},
                              {"base_suspect", latest_forecast_.verdict().suspect()},
                              {"points", std::move(points)}};
  }

  json anomalies = json::array();
  for (const auto& [key, a] : anomalies_) {
    if (!in_range(key.second)) continue;
    anomalies.push_back(
        {{"t", UnixSeconds(key.second)},
         {"series", a.series()},
         {"value_mw", a.has_value() ? json(a.value()) : json(nullptr)},
         {"score", a.score()},
         {"kind", ShortName(a.kind())},
         {"cause", a.cause()},
         {"suspect", a.suspect()},
         {"expected_mw", a.expected_mw()},
         {"residual_z", std::isfinite(a.residual_z()) ? json(a.residual_z()) : json(nullptr)}});
  }
  out["anomalies"] = std::move(anomalies);

  // The dispatch that answered an event is what the gateway applied for the interval
  // starting at the event's decision time.
  std::multimap<absl::Time, const v1::Decision*> decisions_at;
  for (const v1::Decision& d : decisions_.decisions()) {
    decisions_at.emplace(FromProtoTime(d.interval_start()), &d);
  }
  json events = json::array();
  for (const v1::RampEvent& e : events_.events()) {
    if (!in_range(FromProtoTime(e.interval_start()))) continue;
    json applied = json::array();
    auto [lo, hi] = decisions_at.equal_range(FromProtoTime(e.detected_at()));
    for (auto it = lo; it != hi; ++it) applied.push_back(DecisionJson(*it->second));
    events.push_back({{"t", UnixSeconds(e.interval_start())},
                      {"kind", EventKindName(e.kind())},
                      {"change_mw", e.change_mw()},
                      {"limit_mw", e.limit_mw()},
                      {"reason", e.reason()},
                      {"detected_t", OptionalTime(e.detected_at())},
                      {"decision", e.decision()},
                      {"applied", std::move(applied)}});
  }
  out["events"] = std::move(events);

  json episodes = json::array();
  for (const v1::RampEpisode& e : events_.episodes()) {
    episodes.push_back({{"id", e.id()},
                        {"state", EpisodeStateName(e.state())},
                        {"outcome", ShortName(e.outcome())},
                        {"forecast_t", OptionalTime(e.forecast_at())},
                        {"started_t", OptionalTime(e.started_at())},
                        {"countered_t", OptionalTime(e.countered_at())},
                        {"resolved_t", OptionalTime(e.resolved_at())},
                        {"peak_change_mw", e.peak_change_mw()},
                        {"peak_excess_mw", e.peak_excess_mw()},
                        {"reason", e.reason()}});
  }
  out["episodes"] = std::move(episodes);

  if (schedule_.intervals().empty() && !schedule_.has_planned_at()) {
    out["schedule"] = nullptr;
  } else {
    json s = {{"t", json::array()},
              {"power_mw", json::array()},
              {"soc_after_mwh", json::array()},
              {"price_gbp_per_mwh", json::array()}};
    for (const v1::ScheduledInterval& i : schedule_.intervals()) {
      s["t"].push_back(UnixSeconds(i.interval_start()));
      s["power_mw"].push_back(i.power_mw());
      s["soc_after_mwh"].push_back(i.soc_after_mwh());
      s["price_gbp_per_mwh"].push_back(i.price_forecast_gbp_per_mwh());
    }
    out["schedule"] = {{"planned_t", OptionalTime(schedule_.planned_at())},
                       {"expected_value_gbp", schedule_.expected_value_gbp()},
                       {"reason", schedule_.reason()},
                       {"intervals", std::move(s)}};
  }

  if (!has_pnl_) {
    out["pnl"] = nullptr;
  } else {
    json by_cause = json::array();
    for (const v1::CauseTotal& c : pnl_.by_cause()) {
      by_cause.push_back({{"cause", ShortName(c.cause())}, {"amount_gbp", c.amount_gbp()}});
    }
    out["pnl"] = {{"by_cause", std::move(by_cause)},
                  {"net_gbp", pnl_.net_gbp()},
                  {"baseline_instability_penalty_gbp", pnl_.baseline_instability_penalty_gbp()},
                  {"intervals_settled", pnl_.intervals_settled()},
                  {"battery_cycles", pnl_.battery_cycles()},
                  {"response_net_benefit_gbp", pnl_.response_net_benefit_gbp()}};
  }

  json decisions = json::array();
  for (const v1::Decision& d : decisions_.decisions()) {
    if (in_range(FromProtoTime(d.interval_start()))) decisions.push_back(DecisionJson(d));
  }
  out["decisions"] = std::move(decisions);

  json sources = json::object();
  for (const auto& [name, error] : sources_) {
    sources[name] = {{"ok", error.empty()}, {"error", error}};
  }
  out["sources"] = std::move(sources);
  out["summary"] = summary_.is_null() ? json(nullptr) : summary_;
  out["processes"] = processes_.is_null() ? json::array() : processes_;
  out["models"] = models_;
  return out;
}

}  // namespace gridpilot
