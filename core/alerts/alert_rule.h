// AlertRule: one operator rule of the alerter (services/alerts): which condition of a
// running stack raises an alert, and how often it may be sent. Rules come from the
// `alerts` section of the config (services/alerts/alert_config.h parses them); the
// evaluation is core/alerts/alert_evaluator.h. Defaults are in docs/decisions.md
// ("Alerts").
#ifndef GRIDPILOT_CORE_ALERTS_ALERT_RULE_H_
#define GRIDPILOT_CORE_ALERTS_ALERT_RULE_H_

#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace gridpilot::alerts {

// What a rule watches. "Event" kinds fire when something happens (a count goes up) and stay
// firing for the rule's `hold` after the last event; "state" kinds fire while a state lasts.
enum class AlertRuleKind {
  kAnomaly,             // event: the forecast service flagged an anomaly of `anomaly_kind`
  kFalseDataHeld,       // event: an agent held on a suspect tick (key: the agent)
  kRampNotCountered,    // event: a ramp episode ended not countered
  kInstabilityPenalty,  // state: instability penalty over the last hour of run time above
                        // `penalty_gbp_per_hour`
  kDegraded,            // state: the response agent acts on measured data only
  kProcessRestarted,    // event: the supervisor restarted a process (key: the process);
                        // state while the supervisor has given up on it
  kDataStale,           // state (live mode): no new tick for longer than `stale_after`
};

// "anomaly", "false_data_held", "ramp_not_countered", "instability_penalty", "degraded",
// "process_restarted", "data_stale": the names the config and the alerts use.
std::string_view AlertRuleKindName(AlertRuleKind kind);
std::optional<AlertRuleKind> ParseAlertRuleKind(std::string_view name);

struct AlertRule {
  std::string name;  // unique among the rules; names the rule in every alert
  AlertRuleKind kind = AlertRuleKind::kDegraded;
  // kAnomaly: "spike", "drop", "flat_line", "missing" or "false_data"; empty = any kind.
  std::string anomaly_kind;
  double penalty_gbp_per_hour = 0.0;               // kInstabilityPenalty: fires above, GBP/h
  absl::Duration stale_after = absl::Seconds(30);  // kDataStale: wall time without a tick
  // Event kinds: the alert stays firing (one alert, no repeat) while less than this much run
  // time has passed since the last event, then resolves. Zero: firing only at the event's
  // observation.
  absl::Duration hold = absl::Hours(1);
  // Rate limit: at most `max_alerts` firing alerts of this rule in any `rate_window` of run
  // time (resolutions do not count). A condition that starts beyond the limit is counted
  // and not sent; nor is its resolution.
  int max_alerts = 10;
  absl::Duration rate_window = absl::Hours(1);
};

// InvalidArgument naming the rule and the field: an empty name, an unknown anomaly kind, a
// negative or non-finite threshold, a non-positive stale_after or rate_window, a negative
// hold, max_alerts < 1.
absl::Status ValidateAlertRule(const AlertRule& rule);

}  // namespace gridpilot::alerts

#endif  // GRIDPILOT_CORE_ALERTS_ALERT_RULE_H_
