// AlertNotice: one alert to send, a rule's condition for one key starting ("firing") or
// ending ("resolved"). Produced by core/alerts/alert_evaluator.h; the sinks
// (services/alerts) format and deliver it.
#ifndef GRIDPILOT_CORE_ALERTS_ALERT_NOTICE_H_
#define GRIDPILOT_CORE_ALERTS_ALERT_NOTICE_H_

#include <string>
#include <string_view>

#include "absl/time/time.h"
#include "core/alerts/alert_rule.h"

namespace gridpilot::alerts {

enum class AlertStatus { kFiring, kResolved };

// "firing" or "resolved".
std::string_view AlertStatusName(AlertStatus status);

struct AlertNotice {
  std::string rule;  // AlertRule::name
  AlertRuleKind kind = AlertRuleKind::kDegraded;
  std::string key;  // what fired: an agent, a process, an anomaly kind, "region", ...
  AlertStatus status = AlertStatus::kFiring;
  absl::Time at;        // run time of the observation that started or ended it
  std::string summary;  // one sentence for an operator
};

}  // namespace gridpilot::alerts

#endif  // GRIDPILOT_CORE_ALERTS_ALERT_NOTICE_H_
