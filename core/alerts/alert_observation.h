// AlertObservation: what the alerter saw of a running stack at one moment, the input of
// the rule evaluation (core/alerts/alert_evaluator.h). The gRPC edge
// (services/alerts/stack_observer.h) fills it from the stack's status RPCs, the forecast
// service's anomalies and the supervisor's file; fields it could not read are left unset,
// and a rule whose input is unset leaves its alerts as they are.
#ifndef GRIDPILOT_CORE_ALERTS_ALERT_OBSERVATION_H_
#define GRIDPILOT_CORE_ALERTS_ALERT_OBSERVATION_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"

namespace gridpilot::alerts {

// One anomaly the forecast service flagged, first seen in this observation.
struct AnomalySeen {
  std::string kind;           // "spike", "drop", "flat_line", "missing", "false_data"
  absl::Time interval_start;  // the flagged interval
  std::string cause;          // the forecast service's sentence
};

// One supervised process, as the launcher's supervisor reports it (RUN_DIR/supervisor.json).
struct ProcessState {
  int64_t restarts = 0;   // since the launcher started, cumulative
  bool given_up = false;  // the supervisor stopped restarting it
  std::string last_exit;  // e.g. "signal 9"; empty if it never exited
};

struct AlertObservation {
  // Run time of the observation: the tick's time (simulated in a backtest). Alerts are
  // stamped with it and the rules' hold and rate windows are measured in it.
  absl::Time now;
  std::vector<AnomalySeen> new_anomalies;
  // Cumulative ticks each agent held on suspect telemetry, by agent ("response", "trader").
  std::map<std::string, int64_t> suspect_ticks_held;
  // Cumulative ramp episodes the response agent ended not countered.
  std::optional<int64_t> episodes_not_countered;
  // Cumulative instability penalty settled since the run started, GBP (a cost, >= 0).
  std::optional<double> instability_penalty_gbp;
  std::optional<bool> degraded;  // the response agent acts on measured data only
  std::string degraded_reason;
  // By process name; unset when the supervisor's report was not read (none, or unreadable).
  std::optional<std::map<std::string, ProcessState>> processes;
  // Live mode only: wall time since the last new tick arrived. Unset in a backtest.
  std::optional<absl::Duration> since_last_tick;
};

}  // namespace gridpilot::alerts

#endif  // GRIDPILOT_CORE_ALERTS_ALERT_OBSERVATION_H_
