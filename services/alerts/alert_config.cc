#include "services/alerts/alert_config.h"

#include <cmath>
#include <fstream>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "services/common/json_error.h"

namespace gridpilot {
namespace {

using Json = nlohmann::json;

// Reads the fields of one JSON object, rejecting keys nobody asked for.
class FieldReader {
 public:
  FieldReader(const Json& object, std::string where) : object_(object), where_(std::move(where)) {}

  absl::Status CheckObject() const {
    if (!object_.is_object()) return Error(where_, "must be an object");
    return absl::OkStatus();
  }

  absl::Status String(const char* key, std::string* out, bool required = false) {
    known_.insert(key);
    if (!object_.contains(key)) {
      return required ? Error(Key(key), "is required") : absl::OkStatus();
    }
    const Json& v = object_.at(key);
    if (!v.is_string()) return Error(Key(key), "must be a string");
    *out = v.get<std::string>();
    return absl::OkStatus();
  }

  // A finite number in [min, max].
  absl::Status Number(const char* key, double min, double max, double* out) {
    known_.insert(key);
    if (!object_.contains(key)) return absl::OkStatus();
    const Json& v = object_.at(key);
    if (!v.is_number()) return Error(Key(key), "must be a number");
    const double d = v.get<double>();
    if (!std::isfinite(d) || d < min || d > max) {
      return Error(Key(key), absl::StrCat("must be in [", min, ", ", max, "]"));
    }
    *out = d;
    return absl::OkStatus();
  }

  absl::Status Integer(const char* key, int min, int max, int* out) {
    double d = *out;
    RETURN_IF_ERROR(Number(key, min, max, &d));
    if (d != std::floor(d)) return Error(Key(key), "must be a whole number");
    *out = static_cast<int>(d);
    return absl::OkStatus();
  }

  // Seconds (or milliseconds with `unit`) as a Duration in [min, max] units.
  absl::Status Duration(const char* key, absl::Duration unit, double min, double max,
                        absl::Duration* out) {
    double d = *out / unit;
    RETURN_IF_ERROR(Number(key, min, max, &d));
    *out = d * unit;
    return absl::OkStatus();
  }

  absl::Status Strings(const char* key, std::vector<std::string>* out) {
    known_.insert(key);
    if (!object_.contains(key)) return absl::OkStatus();
    const Json& v = object_.at(key);
    if (!v.is_array()) return Error(Key(key), "must be a list of strings");
    for (size_t i = 0; i < v.size(); ++i) {
      if (!v[i].is_string()) return Error(absl::StrCat(Key(key), "[", i, "]"), "must be a string");
      out->push_back(v[i].get<std::string>());
    }
    return absl::OkStatus();
  }

  void Known(const char* key) { known_.insert(key); }

  // Call last: the first key that no reader asked for.
  absl::Status NoOtherKeys() const {
    for (const auto& [key, value] : object_.items()) {
      if (known_.count(key) == 0) return Error(Key(key.c_str()), "unknown key");
    }
    return absl::OkStatus();
  }

  std::string Key(const char* key) const { return absl::StrCat(where_, ".", key); }

  static absl::Status Error(const std::string& where, const std::string& what) {
    return absl::InvalidArgumentError(absl::StrCat(where, ": ", what));
  }

 private:
  const Json& object_;
  const std::string where_;
  std::set<std::string> known_;
};

constexpr double kMaxSeconds = 7 * 24 * 3600;  // a week: longer windows are config mistakes

absl::Status ReadDelivery(FieldReader* r, DeliveryConfig* delivery, const std::string& where) {
  RETURN_IF_ERROR(r->Integer("max_attempts", 1, 100, &delivery->retry.max_attempts));
  RETURN_IF_ERROR(
      r->Duration("first_backoff_ms", absl::Milliseconds(1), 1, 3.6e6, &delivery->retry.first));
  RETURN_IF_ERROR(
      r->Duration("max_backoff_ms", absl::Milliseconds(1), 1, 3.6e6, &delivery->retry.max));
  RETURN_IF_ERROR(r->Duration("timeout_ms", absl::Milliseconds(1), 1, 600000, &delivery->timeout));
  RETURN_IF_ERROR(r->Integer("queue_capacity", 1, 100000, &delivery->queue_capacity));
  return alerts::ValidateRetryPolicy(delivery->retry, where);
}

absl::Status ReadWebhook(const Json& json, WebhookConfig* webhook) {
  FieldReader r(json, "alerts.webhook");
  RETURN_IF_ERROR(r.CheckObject());
  RETURN_IF_ERROR(r.String("url", &webhook->url, /*required=*/true));
  if (webhook->url.rfind("http://", 0) != 0) {
    return FieldReader::Error(r.Key("url"),
                              "must start with http:// (plain HTTP on a "
                              "trusted network; no TLS in this sink)");
  }
  RETURN_IF_ERROR(ReadDelivery(&r, &webhook->delivery, "alerts.webhook"));
  return r.NoOtherKeys();
}

absl::Status ReadEmail(const Json& json, EmailConfig* email) {
  FieldReader r(json, "alerts.email");
  RETURN_IF_ERROR(r.CheckObject());
  RETURN_IF_ERROR(r.String("smtp_host", &email->smtp_host));
  RETURN_IF_ERROR(r.Integer("smtp_port", 1, 65535, &email->smtp_port));
  RETURN_IF_ERROR(r.String("from", &email->from));
  RETURN_IF_ERROR(r.Strings("to", &email->to));
  if (email->to.empty()) return FieldReader::Error(r.Key("to"), "needs at least one address");
  for (const std::string* address : {&email->from}) {
    if (address->find_first_of("\r\n<>") != std::string::npos) {
      return FieldReader::Error(r.Key("from"), "must not hold CR, LF, < or >");
    }
  }
  for (size_t i = 0; i < email->to.size(); ++i) {
    if (email->to[i].empty() || email->to[i].find_first_of("\r\n<>") != std::string::npos) {
      return FieldReader::Error(absl::StrCat(r.Key("to"), "[", i, "]"),
                                "must be non-empty and hold no CR, LF, < or >");
    }
  }
  RETURN_IF_ERROR(ReadDelivery(&r, &email->delivery, "alerts.email"));
  return r.NoOtherKeys();
}

absl::Status ReadRule(const Json& json, const std::string& where, alerts::AlertRule* rule) {
  FieldReader r(json, where);
  RETURN_IF_ERROR(r.CheckObject());
  RETURN_IF_ERROR(r.String("name", &rule->name, /*required=*/true));
  std::string kind;
  RETURN_IF_ERROR(r.String("kind", &kind, /*required=*/true));
  const std::optional<alerts::AlertRuleKind> parsed = alerts::ParseAlertRuleKind(kind);
  if (!parsed) {
    return FieldReader::Error(r.Key("kind"),
                              absl::StrCat("\"", kind,
                                           "\" is not one of anomaly, false_data_held, "
                                           "ramp_not_countered, instability_penalty, degraded, "
                                           "process_restarted, data_stale"));
  }
  rule->kind = *parsed;
  RETURN_IF_ERROR(r.String("anomaly_kind", &rule->anomaly_kind));
  RETURN_IF_ERROR(r.Number("above_gbp_per_hour", 0, 1e9, &rule->penalty_gbp_per_hour));
  RETURN_IF_ERROR(
      r.Duration("stale_after_s", absl::Seconds(1), 0.001, kMaxSeconds, &rule->stale_after));
  RETURN_IF_ERROR(r.Duration("hold_s", absl::Seconds(1), 0, kMaxSeconds, &rule->hold));
  RETURN_IF_ERROR(r.Integer("max_alerts", 1, 100000, &rule->max_alerts));
  RETURN_IF_ERROR(
      r.Duration("rate_window_s", absl::Seconds(1), 1, kMaxSeconds, &rule->rate_window));
  RETURN_IF_ERROR(r.NoOtherKeys());
  if (absl::Status valid = alerts::ValidateAlertRule(*rule); !valid.ok()) {
    return FieldReader::Error(where, std::string(valid.message()));
  }
  return absl::OkStatus();
}

absl::Status ReadAlerts(const Json& json, AlertsConfig* config) {
  FieldReader r(json, "alerts");
  RETURN_IF_ERROR(r.CheckObject());
  r.Known("webhook");
  r.Known("email");
  r.Known("rules");
  RETURN_IF_ERROR(r.NoOtherKeys());
  if (json.contains("webhook")) {
    RETURN_IF_ERROR(ReadWebhook(json.at("webhook"), &config->webhook.emplace()));
  }
  if (json.contains("email"))
    RETURN_IF_ERROR(ReadEmail(json.at("email"), &config->email.emplace()));
  if (!json.contains("rules") || !json.at("rules").is_array()) {
    return FieldReader::Error("alerts.rules", "is required, a list of rules");
  }
  const Json& rules = json.at("rules");
  std::set<std::string> names;
  for (size_t i = 0; i < rules.size(); ++i) {
    const std::string where = absl::StrCat("alerts.rules[", i, "]");
    alerts::AlertRule& rule = config->rules.emplace_back();
    RETURN_IF_ERROR(ReadRule(rules[i], where, &rule));
    if (!names.insert(rule.name).second) {
      return FieldReader::Error(absl::StrCat(where, ".name"),
                                absl::StrCat("\"", rule.name, "\" is used by an earlier rule"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<AlertsConfig> ParseAlertsConfig(const std::string& text, const std::string& path) {
  Json root;
  try {
    root = Json::parse(text);
  } catch (const Json::exception& e) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": ", JsonParseError(text, e).message()));
  }
  if (!root.is_object() || !root.contains("alerts")) {
    return absl::NotFoundError(absl::StrCat(path, ": no top-level \"alerts\" key"));
  }
  AlertsConfig config;
  absl::Status read;
  try {
    read = ReadAlerts(root.at("alerts"), &config);
  } catch (const Json::exception& e) {
    read = absl::InvalidArgumentError(absl::StrCat("alerts: unreadable value: ", e.what()));
  }
  if (!read.ok()) return absl::InvalidArgumentError(absl::StrCat(path, ": ", read.message()));
  return config;
}

absl::StatusOr<AlertsConfig> LoadAlertsConfig(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot open config file"));
  std::stringstream text;
  text << in.rdbuf();
  return ParseAlertsConfig(text.str(), path);
}

}  // namespace gridpilot
