#include "core/control/ramp_detector.h"

#include <cmath>

#include "absl/strings/str_format.h"

namespace gridpilot::control {
namespace {

void AddIfExceeds(RampEvent::Kind kind, absl::Time interval_start, double change_mw,
                  double limit_mw, std::vector<RampEvent>& events) {
  if (!std::isfinite(change_mw) || std::abs(change_mw) <= limit_mw) return;
  events.push_back(RampEvent{
      .kind = kind,
      .interval_start = interval_start,
      .change_mw = change_mw,
      .limit_mw = limit_mw,
      .reason = absl::StrFormat("%s ramp %+.1f MW in %s interval exceeds %.1f MW limit by %.1f MW",
                                RampEventKindName(kind), change_mw,
                                base::FormatUtcTimestamp(interval_start), limit_mw,
                                std::abs(change_mw) - limit_mw)});
}

}  // namespace

std::string_view RampEventKindName(RampEvent::Kind kind) {
  return kind == RampEvent::Kind::kMeasured ? "measured" : "forecast";
}

std::vector<RampEvent> DetectRamps(const RampObservation& obs, double ramp_limit_mw,
                                   absl::Duration interval) {
  std::vector<RampEvent> events;
  if (obs.last_net_load_mw && obs.previous_net_load_mw) {
    AddIfExceeds(RampEvent::Kind::kMeasured, obs.decision_time - interval,
                 *obs.last_net_load_mw - *obs.previous_net_load_mw, ramp_limit_mw, events);
  }
  double previous_cumulative_mw = 0.0;  // C_0: the change of L_{t-1} from itself
  for (size_t i = 0; i < obs.forecast_change_mw.size(); ++i) {
    const double cumulative_mw = obs.forecast_change_mw[i];
    AddIfExceeds(RampEvent::Kind::kForecast, obs.decision_time + static_cast<int64_t>(i) * interval,
                 cumulative_mw - previous_cumulative_mw, ramp_limit_mw, events);
    previous_cumulative_mw = cumulative_mw;
  }
  return events;
}

}  // namespace gridpilot::control
