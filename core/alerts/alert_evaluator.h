// AlertEvaluator: the alert rules over a sequence of observations. Pure: no I/O, no clock;
// time is the observation's run time. For each rule and key it sends one "firing" alert
// when the condition starts (deduplication: nothing more while it holds) and one
// "resolved" when it ends; a rule sends at most `max_alerts` firing alerts in any
// `rate_window` (rate limiting; a condition over the limit is counted, not sent, and its
// end is not sent either).
#ifndef GRIDPILOT_CORE_ALERTS_ALERT_EVALUATOR_H_
#define GRIDPILOT_CORE_ALERTS_ALERT_EVALUATOR_H_

#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/alerts/alert_notice.h"
#include "core/alerts/alert_observation.h"
#include "core/alerts/alert_rule.h"
#include "core/alerts/rule_condition.h"

namespace gridpilot::alerts {

// Totals since the evaluator was made, over all rules.
struct AlertCounts {
  int64_t fired = 0;          // conditions that started (sent or rate-limited)
  int64_t sent_firing = 0;    // firing alerts emitted
  int64_t sent_resolved = 0;  // resolved alerts emitted
  int64_t deduplicated = 0;   // evaluations of a condition already firing (nothing emitted)
  int64_t rate_limited = 0;   // conditions that started beyond the rule's rate limit
};

class AlertEvaluator {
 public:
  // InvalidArgument if a rule is invalid (ValidateAlertRule) or two rules share a name.
  static absl::StatusOr<AlertEvaluator> Create(std::vector<AlertRule> rules);

  // The alerts `observation` starts or ends, rules in configuration order, keys in
  // ascending order, resolutions before firings of each rule. Observations must come in
  // non-decreasing `now`. Not thread-safe.
  std::vector<AlertNotice> Evaluate(const AlertObservation& observation);

  const AlertCounts& counts() const { return counts_; }

 private:
  struct RuleState {
    RuleCondition condition;
    std::map<std::string, bool> firing;  // key -> its firing alert was sent
    std::deque<absl::Time> sent_at;      // firing alerts within the rate window
  };

  explicit AlertEvaluator(std::vector<RuleState> rules) : rules_(std::move(rules)) {}

  std::vector<RuleState> rules_;
  AlertCounts counts_;
};

}  // namespace gridpilot::alerts

#endif  // GRIDPILOT_CORE_ALERTS_ALERT_EVALUATOR_H_
