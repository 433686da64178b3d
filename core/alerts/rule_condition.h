// RuleCondition: which keys of one alert rule hold at an observation, with a sentence for
// each. Event rules remember their last event per key (and the counters they compare
// against); the instability rule remembers the last hour of the penalty. Deduplication and
// rate limiting are the evaluator's (core/alerts/alert_evaluator.h), not this class's.
#ifndef GRIDPILOT_CORE_ALERTS_RULE_CONDITION_H_
#define GRIDPILOT_CORE_ALERTS_RULE_CONDITION_H_

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <utility>

#include "absl/time/time.h"
#include "core/alerts/alert_observation.h"
#include "core/alerts/alert_rule.h"

namespace gridpilot::alerts {

class RuleCondition {
 public:
  explicit RuleCondition(AlertRule rule) : rule_(std::move(rule)) {}

  const AlertRule& rule() const { return rule_; }

  // The keys for which the rule's condition holds at `observation`, each with its summary;
  // nullopt when the observation lacks the rule's input (unknown: its alerts stay as they
  // are).
  // Observations are expected in non-decreasing `now`. Counters seen for the first time set
  // the baseline and do not count as events (an alerter started mid-run does not alert on
  // history).
  std::optional<std::map<std::string, std::string>> Holds(const AlertObservation& observation);

 private:
  struct Event {
    absl::Time at;
    std::string summary;
  };

  // Records an event for `key` when `count` rose above the key's last count.
  void CountEvent(const std::string& key, int64_t count, absl::Time now, std::string summary);
  // The event keys still within the rule's hold at `now`.
  std::map<std::string, std::string> HeldEvents(absl::Time now);
  std::optional<std::map<std::string, std::string>> PenaltyHolds(
      const AlertObservation& observation);

  const AlertRule rule_;
  std::map<std::string, int64_t> last_counts_;
  std::map<std::string, Event> last_events_;
  std::deque<std::pair<absl::Time, double>> penalty_gbp_;  // cumulative, oldest first
};

}  // namespace gridpilot::alerts

#endif  // GRIDPILOT_CORE_ALERTS_RULE_CONDITION_H_
