#include "core/alerts/alert_rule.h"

#include <array>
#include <cmath>
#include <utility>

#include "absl/strings/str_cat.h"

namespace gridpilot::alerts {
namespace {

constexpr std::array<std::pair<AlertRuleKind, std::string_view>, 7> kKindNames = {{
    {AlertRuleKind::kAnomaly, "anomaly"},
    {AlertRuleKind::kFalseDataHeld, "false_data_held"},
    {AlertRuleKind::kRampNotCountered, "ramp_not_countered"},
    {AlertRuleKind::kInstabilityPenalty, "instability_penalty"},
    {AlertRuleKind::kDegraded, "degraded"},
    {AlertRuleKind::kProcessRestarted, "process_restarted"},
    {AlertRuleKind::kDataStale, "data_stale"},
}};

constexpr std::array<std::string_view, 5> kAnomalyKinds = {"spike", "drop", "flat_line", "missing",
                                                           "false_data"};

}  // namespace

std::string_view AlertRuleKindName(AlertRuleKind kind) {
  for (const auto& [k, name] : kKindNames) {
    if (k == kind) return name;
  }
  return "unknown";
}

std::optional<AlertRuleKind> ParseAlertRuleKind(std::string_view name) {
  for (const auto& [k, n] : kKindNames) {
    if (n == name) return k;
  }
  return std::nullopt;
}

absl::Status ValidateAlertRule(const AlertRule& rule) {
  const std::string where = absl::StrCat("alert rule \"", rule.name, "\": ");
  if (rule.name.empty()) return absl::InvalidArgumentError("alert rule: name must not be empty");
  if (rule.kind == AlertRuleKind::kAnomaly && !rule.anomaly_kind.empty()) {
    bool known = false;
    for (std::string_view k : kAnomalyKinds) known = known || k == rule.anomaly_kind;
    if (!known) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, "anomaly_kind \"", rule.anomaly_kind,
                       "\" is not one of spike, drop, flat_line, missing, false_data"));
    }
  }
  if (!std::isfinite(rule.penalty_gbp_per_hour) || rule.penalty_gbp_per_hour < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, "penalty_gbp_per_hour must be finite and >= 0"));
  }
  if (rule.stale_after <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError(absl::StrCat(where, "stale_after must be > 0"));
  }
  if (rule.hold < absl::ZeroDuration()) {
    return absl::InvalidArgumentError(absl::StrCat(where, "hold must be >= 0"));
  }
  if (rule.rate_window <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError(absl::StrCat(where, "rate_window must be > 0"));
  }
  if (rule.max_alerts < 1) {
    return absl::InvalidArgumentError(absl::StrCat(where, "max_alerts must be >= 1"));
  }
  return absl::OkStatus();
}

}  // namespace gridpilot::alerts
