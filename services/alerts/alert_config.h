// AlertsConfig: the `alerts` section of a gridpilot config file (the gateway's config, or a
// file of its own holding only that key): the rules and where alerts go. The schema, with
// every default, is in README.md ("Alerts"). Strict like the gateway's loader: an unknown
// key, a wrong type or a value out of range is an error naming the file and the key.
#ifndef GRIDPILOT_SERVICES_ALERTS_ALERT_CONFIG_H_
#define GRIDPILOT_SERVICES_ALERTS_ALERT_CONFIG_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "core/alerts/alert_rule.h"
#include "core/alerts/retry_backoff.h"

namespace gridpilot {

// Delivery shared by both sinks: retries and the bounded queue.
struct DeliveryConfig {
  alerts::RetryPolicy retry;
  absl::Duration timeout = absl::Seconds(5);  // one attempt's connect + exchange
  int queue_capacity = 256;                   // alerts waiting; beyond it the oldest is dropped
};

struct WebhookConfig {
  std::string url;  // "http://host:port/path"; JSON POST
  DeliveryConfig delivery;
};

struct EmailConfig {
  std::string smtp_host = "127.0.0.1";
  int smtp_port = 25;
  std::string from = "gridpilot@localhost";
  std::vector<std::string> to;  // at least one
  DeliveryConfig delivery;
};

struct AlertsConfig {
  std::vector<alerts::AlertRule> rules;
  std::optional<WebhookConfig> webhook;
  std::optional<EmailConfig> email;
};

// Reads `path`'s top-level "alerts" object (other top-level keys are the gateway's and are
// ignored). NotFound if the file cannot be opened or has no "alerts" key; InvalidArgument
// naming the file and the key (e.g. "cfg.json: alerts.rules[1].hold_s: must be >= 0").
absl::StatusOr<AlertsConfig> LoadAlertsConfig(const std::string& path);

// The same, from the JSON text of a whole config file; `path` only names it in errors.
absl::StatusOr<AlertsConfig> ParseAlertsConfig(const std::string& text, const std::string& path);

}  // namespace gridpilot

#endif  // GRIDPILOT_SERVICES_ALERTS_ALERT_CONFIG_H_
