#include "core/control/ramp_episode_tracker.h"

#include <cmath>

#include "absl/strings/str_format.h"
#include "core/base/time_util.h"

namespace gridpilot::control {

std::string EpisodeStateName(EpisodeState state) {
  switch (state) {
    case EpisodeState::kForecast: return "forecast";
    case EpisodeState::kStarted: return "started";
    case EpisodeState::kCountered: return "countered";
    case EpisodeState::kResolved: return "resolved";
  }
  return "unknown";
}

std::string EpisodeOutcomeName(EpisodeOutcome outcome) {
  switch (outcome) {
    case EpisodeOutcome::kOpen: return "open";
    case EpisodeOutcome::kCountered: return "countered";
    case EpisodeOutcome::kNotCountered: return "not_countered";
    case EpisodeOutcome::kDidNotHappen: return "did_not_happen";
  }
  return "unknown";
}

std::vector<RampEpisode> RampEpisodeTracker::Observe(const EpisodeInput& in) {
  std::vector<RampEpisode> changed;
  const bool measured_exceeds =
      in.measured_change_mw && std::abs(*in.measured_change_mw) > in.limit_mw;
  // An excess below a tenth of the limit is measurement noise, not a failure to counter.
  double excess_mw = in.after_dispatch_change_mw
                         ? std::max(0.0, std::abs(*in.after_dispatch_change_mw) - in.limit_mw)
                         : 0.0;
  if (excess_mw < kNoiseShareOfLimit * in.limit_mw) excess_mw = 0.0;
  const std::string when = base::FormatUtcTimestamp(in.time);

  if (open_.has_value()) {
    RampEpisode& e = *open_;
    const EpisodeState before = e.state;
    if (measured_exceeds) {
      if (std::abs(*in.measured_change_mw) > std::abs(e.peak_change_mw)) {
        e.peak_change_mw = *in.measured_change_mw;
      }
      if (e.state == EpisodeState::kForecast) {
        e.state = EpisodeState::kStarted;
        e.started_at = in.time;
        e.reason = absl::StrFormat("%s: measured change %+.2f MW exceeds the %.2f MW limit", when,
                                   *in.measured_change_mw, in.limit_mw);
      }
    }
    if (e.state != EpisodeState::kForecast) {
      if (excess_mw > 0.0) {
        ++e.decisions_with_excess;
        e.peak_excess_mw = std::max(e.peak_excess_mw, excess_mw);
      } else if (e.state == EpisodeState::kStarted && measured_exceeds) {
        e.state = EpisodeState::kCountered;
        e.countered_at = in.time;
        e.reason =
            absl::StrFormat("%s: countered, change after dispatch %+.2f MW is within %.2f MW", when,
                            in.after_dispatch_change_mw.value_or(0.0), in.limit_mw);
      }
    }
    const bool quiet = !measured_exceeds && !in.responding;
    if (quiet && (e.state != EpisodeState::kForecast || !in.forecast_exceeds)) {
      e.outcome = e.state == EpisodeState::kForecast ? EpisodeOutcome::kDidNotHappen
                  : e.decisions_with_excess == 0     ? EpisodeOutcome::kCountered
                                                     : EpisodeOutcome::kNotCountered;
      e.state = EpisodeState::kResolved;
      e.resolved_at = in.time;
      e.reason = absl::StrFormat(
          "%s: resolved (%s): the change is within the limit and the battery is back with the "
          "trader; peak change %+.2f MW, peak excess after dispatch %.2f MW in %d decisions",
          when, EpisodeOutcomeName(e.outcome), e.peak_change_mw, e.peak_excess_mw,
          e.decisions_with_excess);
    }
    if (e.state != before) changed.push_back(e);
    if (e.state != EpisodeState::kResolved) return changed;
    open_.reset();  // a forecast known in the same decision opens the next episode below
  }

  if (!measured_exceeds && !in.forecast_exceeds) return changed;
  RampEpisode e;
  e.id = next_id_++;
  if (measured_exceeds) {
    e.state = excess_mw > 0.0 ? EpisodeState::kStarted : EpisodeState::kCountered;
    e.started_at = in.time;
    if (e.state == EpisodeState::kCountered) e.countered_at = in.time;
    e.peak_change_mw = *in.measured_change_mw;
    if (excess_mw > 0.0) {
      e.decisions_with_excess = 1;
      e.peak_excess_mw = excess_mw;
    }
    e.reason = absl::StrFormat("%s: measured change %+.2f MW exceeds the %.2f MW limit%s", when,
                               *in.measured_change_mw, in.limit_mw,
                               excess_mw > 0.0 ? "" : "; countered by dispatch");
  } else {
    e.state = EpisodeState::kForecast;
    e.forecast_at = in.time;
    e.reason =
        absl::StrFormat("%s: a forecast change exceeds the %.2f MW limit", when, in.limit_mw);
  }
  open_ = e;
  changed.push_back(e);
  return changed;
}

}  // namespace gridpilot::control
