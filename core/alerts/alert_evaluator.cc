#include "core/alerts/alert_evaluator.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"

namespace gridpilot::alerts {

absl::StatusOr<AlertEvaluator> AlertEvaluator::Create(std::vector<AlertRule> rules) {
  std::set<std::string> names;
  std::vector<RuleState> states;
  for (AlertRule& rule : rules) {
    RETURN_IF_ERROR(ValidateAlertRule(rule));
    if (!names.insert(rule.name).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("alert rule \"", rule.name, "\": the name is used twice"));
    }
    states.push_back(RuleState{RuleCondition(std::move(rule)), {}, {}});
  }
  return AlertEvaluator(std::move(states));
}

std::vector<AlertNotice> AlertEvaluator::Evaluate(const AlertObservation& observation) {
  std::vector<AlertNotice> notices;
  for (RuleState& state : rules_) {
    const AlertRule& rule = state.condition.rule();
    const std::optional<std::map<std::string, std::string>> maybe_holds =
        state.condition.Holds(observation);
    if (!maybe_holds) continue;
    const std::map<std::string, std::string>& holds = *maybe_holds;
    for (auto it = state.firing.begin(); it != state.firing.end();) {
      if (holds.count(it->first) != 0) {
        ++it;
        continue;
      }
      if (it->second) {
        ++counts_.sent_resolved;
        AlertNotice resolved{rule.name,
                             rule.kind,
                             it->first,
                             AlertStatus::kResolved,
                             observation.now,
                             absl::StrCat(std::string(AlertRuleKindName(rule.kind)), " on ",
                                          it->first, " no longer holds")};
        notices.push_back(std::move(resolved));
      }
      it = state.firing.erase(it);
    }
    while (!state.sent_at.empty() && state.sent_at.front() <= observation.now - rule.rate_window) {
      state.sent_at.pop_front();
    }
    for (const auto& [key, summary] : holds) {
      if (state.firing.count(key) != 0) {
        ++counts_.deduplicated;
        continue;
      }
      ++counts_.fired;
      const bool within_limit = static_cast<int>(state.sent_at.size()) < rule.max_alerts;
      state.firing[key] = within_limit;
      if (!within_limit) {
        ++counts_.rate_limited;
        continue;
      }
      ++counts_.sent_firing;
      state.sent_at.push_back(observation.now);
      AlertNotice firing{rule.name, rule.kind, key, AlertStatus::kFiring, observation.now, summary};
      notices.push_back(std::move(firing));
    }
  }
  return notices;
}

}  // namespace gridpilot::alerts
