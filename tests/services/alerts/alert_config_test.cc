#include "services/alerts/alert_config.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace gridpilot {
namespace {

using ::testing::HasSubstr;

constexpr char kFile[] = "cfg.json";

absl::StatusOr<AlertsConfig> Parse(const std::string& alerts) {
  return ParseAlertsConfig(R"({"region": {"scale": 0.01}, "alerts": )" + alerts + "}", kFile);
}

std::string Error(const std::string& alerts) {
  absl::StatusOr<AlertsConfig> config = Parse(alerts);
  EXPECT_FALSE(config.ok()) << alerts;
  return std::string(config.status().message());
}

TEST(AlertConfigTest, ReadsRulesAndSinksWithDefaults) {
  absl::StatusOr<AlertsConfig> config = Parse(R"({
    "webhook": {"url": "http://127.0.0.1:9/hook", "max_attempts": 3, "first_backoff_ms": 50},
    "email": {"smtp_port": 2525, "to": ["ops@example.org"]},
    "rules": [
      {"name": "held", "kind": "false_data_held"},
      {"name": "spikes", "kind": "anomaly", "anomaly_kind": "spike", "hold_s": 0},
      {"name": "penalty", "kind": "instability_penalty", "above_gbp_per_hour": 250,
       "max_alerts": 3, "rate_window_s": 7200},
      {"name": "stale", "kind": "data_stale", "stale_after_s": 12.5}]})");
  ASSERT_TRUE(config.ok()) << config.status();
  ASSERT_EQ(config->rules.size(), 4u);
  EXPECT_EQ(config->rules[0].kind, alerts::AlertRuleKind::kFalseDataHeld);
  EXPECT_EQ(config->rules[0].hold, absl::Hours(1));
  EXPECT_EQ(config->rules[0].max_alerts, 10);
  EXPECT_EQ(config->rules[0].rate_window, absl::Hours(1));
  EXPECT_EQ(config->rules[1].anomaly_kind, "spike");
  EXPECT_EQ(config->rules[1].hold, absl::ZeroDuration());
  EXPECT_EQ(config->rules[2].penalty_gbp_per_hour, 250);
  EXPECT_EQ(config->rules[2].max_alerts, 3);
  EXPECT_EQ(config->rules[2].rate_window, absl::Hours(2));
  EXPECT_EQ(config->rules[3].stale_after, absl::Milliseconds(12500));
  ASSERT_TRUE(config->webhook.has_value());
  EXPECT_EQ(config->webhook->url, "http://127.0.0.1:9/hook");
  EXPECT_EQ(config->webhook->delivery.retry.max_attempts, 3);
  EXPECT_EQ(config->webhook->delivery.retry.first, absl::Milliseconds(50));
  EXPECT_EQ(config->webhook->delivery.retry.max, absl::Seconds(10));
  EXPECT_EQ(config->webhook->delivery.queue_capacity, 256);
  ASSERT_TRUE(config->email.has_value());
  EXPECT_EQ(config->email->smtp_host, "127.0.0.1");
  EXPECT_EQ(config->email->smtp_port, 2525);
  EXPECT_EQ(config->email->from, "gridpilot@localhost");
}

TEST(AlertConfigTest, ErrorsNameTheFileAndTheKey) {
  EXPECT_EQ(Error(R"({"rules": [{"name": "a", "kind": "degraded", "colour": "red"}]})"),
            "cfg.json: alerts.rules[0].colour: unknown key");
  EXPECT_THAT(Error(R"({"rules": [{"name": "a", "kind": "wobble"}]})"),
              HasSubstr("cfg.json: alerts.rules[0].kind: \"wobble\" is not one of anomaly"));
  EXPECT_EQ(Error(R"({"rules": [{"name": "a", "kind": "degraded", "hold_s": -1}]})"),
            "cfg.json: alerts.rules[0].hold_s: must be in [0, 604800]");
  EXPECT_EQ(Error(R"({"rules": [{"name": "a", "kind": "degraded", "max_alerts": 2.5}]})"),
            "cfg.json: alerts.rules[0].max_alerts: must be a whole number");
  EXPECT_THAT(Error(R"({"rules": [{"name": "a", "kind": "anomaly", "anomaly_kind": "x"}]})"),
              HasSubstr("cfg.json: alerts.rules[0]: alert rule \"a\": anomaly_kind \"x\""));
  EXPECT_EQ(
      Error(R"({"rules": [{"name": "a", "kind": "degraded"}, {"name": "a", "kind": "degraded"}]})"),
      "cfg.json: alerts.rules[1].name: \"a\" is used by an earlier rule");
  EXPECT_EQ(Error(R"({"rules": [{"kind": "degraded"}]})"),
            "cfg.json: alerts.rules[0].name: is required");
  EXPECT_EQ(Error(R"({})"), "cfg.json: alerts.rules: is required, a list of rules");
  EXPECT_EQ(Error(R"({"rules": [], "pager": {}})"), "cfg.json: alerts.pager: unknown key");
  EXPECT_EQ(Error(R"({"rules": [], "webhook": {"url": "https://x/"}})"),
            "cfg.json: alerts.webhook.url: must start with http:// (plain HTTP on a trusted "
            "network; no TLS in this sink)");
  EXPECT_EQ(Error(R"({"rules": [], "webhook": {"url": "http://x/", "max_attempts": 0}})"),
            "cfg.json: alerts.webhook.max_attempts: must be in [1, 100]");
  EXPECT_EQ(Error(R"({"rules": [], "webhook": {"url": "http://x/", "first_backoff_ms": 500,
                      "max_backoff_ms": 100}})"),
            "cfg.json: alerts.webhook.max_backoff_ms: must be >= first_backoff_ms");
  EXPECT_EQ(Error(R"({"rules": [], "email": {"to": []}})"),
            "cfg.json: alerts.email.to: needs at least one address");
  EXPECT_EQ(Error(R"({"rules": [], "email": {"to": ["a@b\r\nRCPT TO:<c@d>"]}})"),
            "cfg.json: alerts.email.to[0]: must be non-empty and hold no CR, LF, < or >");
  EXPECT_EQ(Error(R"({"rules": [], "email": {"to": ["a@b"], "smtp_port": 70000}})"),
            "cfg.json: alerts.email.smtp_port: must be in [1, 65535]");
}

TEST(AlertConfigTest, NumbersTooLargeForADoubleAreAnErrorNotACrash) {
  absl::StatusOr<AlertsConfig> config = ParseAlertsConfig(
      R"({"alerts": {"rules": [{"name": "a", "kind": "instability_penalty",
          "above_gbp_per_hour": 1e999}]}})",
      kFile);
  ASSERT_FALSE(config.ok());
  EXPECT_THAT(config.status().message(),
              HasSubstr("cfg.json: alerts.rules[0].above_gbp_per_hour: 1e999 is not a finite "
                        "number"));
}

TEST(AlertConfigTest, AFileWithoutAlertsIsNotFound) {
  EXPECT_TRUE(absl::IsNotFound(ParseAlertsConfig(R"({"region": {}})", kFile).status()));
  EXPECT_TRUE(absl::IsNotFound(LoadAlertsConfig("/nonexistent/gridpilot.json").status()));
  EXPECT_THAT(ParseAlertsConfig("{", kFile).status().message(),
              HasSubstr("cfg.json: not valid JSON"));
}

}  // namespace
}  // namespace gridpilot
