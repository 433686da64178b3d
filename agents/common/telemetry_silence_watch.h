// TelemetrySilenceWatch: what an agent says about the gateway's live telemetry source.
// The gateway marks a step settled by its source's silence timeout (StepReading.
// source_silent); the region is degraded from the first such step until a step settles
// with data again. Observe returns the sentence to log and note when that state changes
// and nothing otherwise, so a long silence is said once, not on every tick.
// Replays and the live simulator never mark a step: the watch then stays quiet.
// Pure; one thread (the agent runtime's).
#ifndef GRIDPILOT_AGENTS_COMMON_TELEMETRY_SILENCE_WATCH_H_
#define GRIDPILOT_AGENTS_COMMON_TELEMETRY_SILENCE_WATCH_H_

#include <optional>
#include <string>

#include "absl/time/time.h"
#include "gridpilot/v1/types.pb.h"

namespace gridpilot {

class TelemetrySilenceWatch {
 public:
  // The change `tick` brings, as one sentence, or nullopt if none.
  std::optional<std::string> Observe(const v1::Tick& tick);
  // True from a silent step until a step with data.
  bool silent() const { return silent_since_.has_value(); }

 private:
  std::optional<absl::Time> silent_since_;  // start of the first silent step
};

}  // namespace gridpilot

#endif  // GRIDPILOT_AGENTS_COMMON_TELEMETRY_SILENCE_WATCH_H_
