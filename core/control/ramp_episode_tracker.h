// RampEpisodeTracker: the lifecycle of ramp events as an operator follows them.
//   forecast  -> a forecast change beyond the limit, not yet measured;
//   started   -> the measured change (before the region's dispatch) exceeds the limit;
//   countered -> while it does, the change after dispatch is within the limit (an excess
//                below a tenth of the limit is taken as measurement noise);
//   resolved  -> the measured change is back within the limit and the agent no longer
//                holds the battery (it is handed back to the trader); the outcome says
//                whether it was countered, not countered, or never happened.
// One episode is open at a time (a ramp that keeps going stays one episode). Fed once per
// decision with what the agent knows at that time; pure state, no clocks. Not thread-safe.
#ifndef GRIDPILOT_CORE_CONTROL_RAMP_EPISODE_TRACKER_H_
#define GRIDPILOT_CORE_CONTROL_RAMP_EPISODE_TRACKER_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"

namespace gridpilot::control {

enum class EpisodeState { kForecast, kStarted, kCountered, kResolved };
std::string EpisodeStateName(EpisodeState state);  // "forecast", "started", ...

enum class EpisodeOutcome { kOpen, kCountered, kNotCountered, kDidNotHappen };
std::string EpisodeOutcomeName(EpisodeOutcome outcome);

struct RampEpisode {
  int64_t id = 0;  // 1, 2, ... in order of opening
  EpisodeState state = EpisodeState::kForecast;
  EpisodeOutcome outcome = EpisodeOutcome::kOpen;
  std::optional<absl::Time> forecast_at, started_at, countered_at, resolved_at;
  double peak_change_mw = 0.0;        // largest |measured change| seen, signed
  double peak_excess_mw = 0.0;        // largest after-dispatch excess seen, >= 0
  int64_t decisions_with_excess = 0;  // decisions whose last measurement had excess
  std::string reason;                 // the latest transition, in words
};

struct EpisodeInput {
  absl::Time time;                                   // decision time
  double limit_mw = 0.0;                             // tolerated |change|, > 0
  std::optional<double> measured_change_mw{};        // before dispatch, the last measured window
  std::optional<double> after_dispatch_change_mw{};  // after dispatch, same window
  bool forecast_exceeds = false;                     // a forecast change beyond the limit is known
  bool responding = false;                           // the agent holds resilience dispatch now
};

class RampEpisodeTracker {
 public:
  static constexpr double kNoiseShareOfLimit = 0.1;

  // Advances the open episode (or opens one); returns the episodes that changed state,
  // at most two (one resolved and a new one opened in the same decision).
  std::vector<RampEpisode> Observe(const EpisodeInput& in);
  const std::optional<RampEpisode>& open() const { return open_; }

 private:
  std::optional<RampEpisode> open_;
  int64_t next_id_ = 1;
};

}  // namespace gridpilot::control

#endif  // GRIDPILOT_CORE_CONTROL_RAMP_EPISODE_TRACKER_H_
