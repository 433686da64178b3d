#include "services/gateway/gateway_config.h"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "core/base/time_util.h"
#include "core/data/holiday_dates_file.h"
#include "services/common/json_error.h"
#include "services/gateway/input_bounds.h"
#include "services/security/roles.h"

namespace gridpilot {
namespace {

using Json = nlohmann::json;

// Reads the keys of one JSON object into fields; unknown keys, wrong types and numbers
// that are not finite (or overflow their unit) are errors.
class ObjectReader {
 public:
  ObjectReader(const Json& object, std::string where) : object_(object), where_(std::move(where)) {}

  void Number(const std::string& key, double* field) {
    handlers_[key] = [field](const Json& v) -> std::string {
      if (!v.is_number()) return WrongType(v);
      const double value = v.get<double>();
      if (!std::isfinite(value)) return NotFinite(v);
      *field = value;
      return "";
    };
  }
  void Minutes(const std::string& key, absl::Duration* field) {
    handlers_[key] = [field](const Json& v) -> std::string {
      if (!v.is_number()) return WrongType(v);
      const double seconds = v.get<double>() * 60.0;
      if (!std::isfinite(seconds) || absl::Seconds(seconds) == absl::InfiniteDuration() ||
          absl::Seconds(seconds) == -absl::InfiniteDuration()) {
        return NotFinite(v);
      }
      *field = absl::Seconds(seconds);
      return "";
    };
  }
  void Seconds(const std::string& key, absl::Duration* field) {
    handlers_[key] = [field](const Json& v) -> std::string {
      if (!v.is_number()) return WrongType(v);
      const double seconds = v.get<double>();
      if (!std::isfinite(seconds) || absl::Seconds(seconds) == absl::InfiniteDuration() ||
          absl::Seconds(seconds) == -absl::InfiniteDuration()) {
        return NotFinite(v);
      }
      *field = absl::Seconds(seconds);
      return "";
    };
  }
  void Unsigned(const std::string& key, uint64_t* field) {
    handlers_[key] = [field](const Json& v) -> std::string {
      if (!v.is_number_unsigned()) return WrongType(v);
      *field = v.get<uint64_t>();
      return "";
    };
  }
  // Any JSON value, parsed by `parse` (which names its own errors).
  void Custom(const std::string& key, std::function<absl::Status(const Json&)> parse) {
    handlers_[key] = [this, parse](const Json& v) -> std::string {
      custom_error_ = parse(v);
      return "";
    };
  }
  void String(const std::string& key, std::string* field) {
    handlers_[key] = [field](const Json& v) -> std::string {
      if (!v.is_string()) return WrongType(v);
      *field = v.get<std::string>();
      return "";
    };
  }

  absl::Status Read() const {
    if (!object_.is_object()) {
      return absl::InvalidArgumentError(absl::StrCat(where_, ": must be an object"));
    }
    for (const auto& [key, value] : object_.items()) {
      auto it = handlers_.find(key);
      if (it == handlers_.end()) {
        return absl::InvalidArgumentError(absl::StrCat(where_, ".", key, ": unknown key"));
      }
      if (const std::string error = it->second(value); !error.empty()) {
        return absl::InvalidArgumentError(absl::StrCat(where_, ".", key, ": ", error));
      }
      if (!custom_error_.ok()) return custom_error_;
    }
    return absl::OkStatus();
  }

 private:
  static std::string WrongType(const Json& v) { return absl::StrCat("wrong type ", v.type_name()); }
  static std::string NotFinite(const Json& v) {
    return absl::StrCat(v.dump(), " is not a finite number (in its unit)");
  }

  const Json& object_;
  std::string where_;
  mutable absl::Status custom_error_;
  // Each returns "" when the value was taken, else what was wrong with it.
  std::map<std::string, std::function<std::string(const Json&)>> handlers_;
};

absl::Status ReadBattery(const Json& j, const std::string& where, assets::BatteryParams* b) {
  ObjectReader r(j, where);
  r.String("id", &b->id);
  r.Number("energy_capacity_mwh", &b->energy_capacity_mwh);
  r.Number("max_charge_mw", &b->max_charge_mw);
  r.Number("max_discharge_mw", &b->max_discharge_mw);
  r.Number("charge_efficiency", &b->charge_efficiency);
  r.Number("discharge_efficiency", &b->discharge_efficiency);
  r.Number("soc_min_mwh", &b->soc_min_mwh);
  r.Number("soc_max_mwh", &b->soc_max_mwh);
  r.Number("soc_initial_mwh", &b->soc_initial_mwh);
  r.Number("reserve_mwh", &b->reserve_mwh);
  r.Number("degradation_gbp_per_mwh", &b->degradation_gbp_per_mwh);
  return r.Read();
}

absl::Status ReadPeaker(const Json& j, const std::string& where, assets::PeakerParams* p) {
  ObjectReader r(j, where);
  r.String("id", &p->id);
  r.Number("capacity_mw", &p->capacity_mw);
  r.Number("min_stable_load_mw", &p->min_stable_load_mw);
  r.Minutes("start_up_time_min", &p->start_up_time);
  r.Minutes("min_up_time_min", &p->min_up_time);
  r.Minutes("min_down_time_min", &p->min_down_time);
  r.Number("ramp_rate_mw_per_min", &p->ramp_rate_mw_per_min);
  r.Number("fuel_gbp_per_mwh", &p->fuel_gbp_per_mwh);
  r.Number("start_cost_gbp", &p->start_cost_gbp);
  return r.Read();
}

template <typename Params, typename ReadFn>
absl::Status ReadList(const Json& root, const std::string& key, ReadFn read,
                      std::vector<Params>* out) {
  if (!root.contains(key)) return absl::OkStatus();
  const Json& list = root.at(key);
  if (!list.is_array()) return absl::InvalidArgumentError(absl::StrCat(key, ": must be a list"));
  out->clear();
  for (size_t i = 0; i < list.size(); ++i) {
    Params params;
    RETURN_IF_ERROR(read(list[i], absl::StrCat(key, "[", i, "]"), &params));
    out->push_back(std::move(params));
  }
  return absl::OkStatus();
}

absl::Status ReadFeedEvent(const Json& j, const std::string& where, data::FeedEvent* e) {
  ObjectReader r(j, where);
  std::string kind;
  std::string at;
  r.String("kind", &kind);
  r.String("at", &at);
  r.Number("magnitude_mw", &e->magnitude_mw);
  r.Minutes("duration_min", &e->duration);
  RETURN_IF_ERROR(r.Read());
  if (kind == "generator_trip") {
    e->kind = data::FeedEventKind::kGeneratorTrip;
  } else if (kind == "cloud_front") {
    e->kind = data::FeedEventKind::kCloudFront;
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat(where, ".kind: \"", kind, "\" is not generator_trip or cloud_front"));
  }
  absl::StatusOr<absl::Time> time = base::ParseUtcTimestamp(at);
  if (!time.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(where, ".at: ", time.status().message()));
  }
  e->at = *time;
  return absl::OkStatus();
}

absl::Status ReadFalseData(const Json& list, GatewayConfig* config) {
  if (!list.is_array()) return absl::InvalidArgumentError("false_data: must be a list");
  for (size_t i = 0; i < list.size(); ++i) {
    const std::string where = absl::StrCat("false_data[", i, "]");
    data::FalseDataInjection& f = config->false_data.emplace_back();
    ObjectReader r(list[i], where);
    std::string from;
    r.String("from", &from);
    r.Minutes("duration_min", &f.duration);
    r.Number("ramp_mw_per_hour", &f.ramp_mw_per_hour);
    RETURN_IF_ERROR(r.Read());
    absl::StatusOr<absl::Time> time = base::ParseUtcTimestamp(from);
    if (!time.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(where, ".from: ", time.status().message()));
    }
    f.from = *time;
    if (absl::Status valid = f.Validate(); !valid.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(where, ": ", valid.message()));
    }
  }
  return absl::OkStatus();
}

absl::Status ReadLive(const Json& j, GatewayConfig* config) {
  ObjectReader r(j, "live");
  data::LiveFeedConfig& live = config->live;
  r.Minutes("ramp_window_min", &config->live_ramp_window);
  r.Number("noise_sd_mw", &live.noise_sd_mw);
  r.Seconds("noise_correlation_seconds", &live.noise_correlation);
  r.Number("random_events_per_hour", &live.random_events_per_hour);
  r.Unsigned("seed", &live.seed);
  r.Custom("events", [&live](const Json& list) -> absl::Status {
    if (!list.is_array()) return absl::InvalidArgumentError("live.events: must be a list");
    live.events.clear();
    for (size_t i = 0; i < list.size(); ++i) {
      RETURN_IF_ERROR(ReadFeedEvent(list[i], absl::StrCat("live.events[", i, "]"),
                                    &live.events.emplace_back()));
    }
    return absl::OkStatus();
  });
  RETURN_IF_ERROR(r.Read());
  return live.Validate();
}

// One entry of "limits.roles" or "limits.identities"; `where` names it in errors.
absl::Status ReadDispatchLimits(const Json& j, const std::string& where,
                                region::DispatchLimits* limits) {
  ObjectReader r(j, where);
  double max_abs_power_mw = 0.0;
  absl::Duration max_lease = absl::ZeroDuration();
  uint64_t actions_per_hour = 0;
  std::string band;
  std::optional<std::set<std::string>> assets;
  r.Number("max_abs_power_mw", &max_abs_power_mw);
  r.Minutes("max_lease_min", &max_lease);
  r.Unsigned("actions_per_hour", &actions_per_hour);
  r.String("priority_band", &band);
  r.Custom("assets", [&assets, &where](const Json& list) -> absl::Status {
    if (!list.is_array())
      return absl::InvalidArgumentError(absl::StrCat(where, ".assets: must be a list"));
    assets.emplace();
    for (size_t i = 0; i < list.size(); ++i) {
      if (!list[i].is_string() || list[i].get<std::string>().empty()) {
        return absl::InvalidArgumentError(
            absl::StrCat(where, ".assets[", i, "]: ", list[i].dump(), " is not an asset id"));
      }
      assets->insert(list[i].get<std::string>());
    }
    return absl::OkStatus();
  });
  RETURN_IF_ERROR(r.Read());
  if (j.contains("max_abs_power_mw")) {
    if (max_abs_power_mw <= 0.0 || max_abs_power_mw > region::kMaxPowerLimitMw) {
      return absl::InvalidArgumentError(absl::StrCat(where, ".max_abs_power_mw: ", max_abs_power_mw,
                                                     " is outside (0, ", region::kMaxPowerLimitMw,
                                                     "] MW"));
    }
    limits->max_abs_power_mw = max_abs_power_mw;
  }
  if (j.contains("max_lease_min")) {
    if (max_lease <= absl::ZeroDuration() || max_lease > region::kMaxLeaseLimit) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ".max_lease_min: ", j.at("max_lease_min").dump(), " is outside (0, ",
                       absl::ToInt64Minutes(region::kMaxLeaseLimit), "] min"));
    }
    limits->max_lease = max_lease;
  }
  if (j.contains("actions_per_hour")) {
    if (actions_per_hour > static_cast<uint64_t>(region::kMaxActionsPerHourLimit)) {
      return absl::InvalidArgumentError(absl::StrCat(where, ".actions_per_hour: ", actions_per_hour,
                                                     " is above ",
                                                     region::kMaxActionsPerHourLimit));
    }
    limits->max_actions_per_hour = static_cast<int>(actions_per_hour);
  }
  if (j.contains("priority_band")) {
    if (band == "trading") {
      limits->max_priority = region::DispatchPriority::kTrading;
    } else if (band == "resilience") {
      limits->max_priority = region::DispatchPriority::kResilience;
    } else {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ".priority_band: \"", band, "\" is not trading or resilience"));
    }
  }
  limits->assets = std::move(assets);
  return absl::OkStatus();
}

// "limits": replaces the default table's entries it names (docs/decisions.md, "Limits and
// approvals"); asset ids are checked against the configured assets.
absl::Status ReadLimits(const Json& j, GatewayConfig* config) {
  region::LimitTable& table = config->limits;
  ObjectReader r(j, "limits");
  absl::Duration timeout = table.approval_timeout;
  uint64_t max_pending = static_cast<uint64_t>(table.max_pending_per_identity);
  r.Minutes("approval_timeout_min", &timeout);
  r.Unsigned("max_pending_per_identity", &max_pending);
  r.Custom("roles", [&table](const Json& roles) -> absl::Status {
    if (!roles.is_object()) return absl::InvalidArgumentError("limits.roles: must be an object");
    for (const auto& [role, entry] : roles.items()) {
      if (!security::IsPersonRole(role)) {
        return absl::InvalidArgumentError(
            absl::StrCat("limits.roles.", role, ": \"", role,
                         "\" is not a role (viewer, operator, trader, "
                         "response, ai-agent, admin)"));
      }
      region::DispatchLimits limits;
      RETURN_IF_ERROR(ReadDispatchLimits(entry, absl::StrCat("limits.roles.", role), &limits));
      table.by_role[role] = std::move(limits);
    }
    return absl::OkStatus();
  });
  r.Custom("identities", [&table](const Json& identities) -> absl::Status {
    if (!identities.is_object()) {
      return absl::InvalidArgumentError("limits.identities: must be an object");
    }
    for (const auto& [identity, entry] : identities.items()) {
      if (absl::Status valid = ValidateIdentifier("limits.identities: key", identity,
                                                  kMaxAgentNameBytes, /*required=*/true);
          !valid.ok()) {
        return absl::InvalidArgumentError(valid.message());
      }
      region::DispatchLimits limits;
      RETURN_IF_ERROR(
          ReadDispatchLimits(entry, absl::StrCat("limits.identities.", identity), &limits));
      table.by_identity[identity] = std::move(limits);
    }
    return absl::OkStatus();
  });
  RETURN_IF_ERROR(r.Read());
  if (timeout <= absl::ZeroDuration() || timeout > region::kMaxApprovalTimeout) {
    return absl::InvalidArgumentError(absl::StrCat(
        "limits.approval_timeout_min: ", j.at("approval_timeout_min").dump(), " is outside (0, ",
        absl::ToInt64Minutes(region::kMaxApprovalTimeout), "] min"));
  }
  if (max_pending < 1 || max_pending > static_cast<uint64_t>(region::kMaxPendingPerIdentity)) {
    return absl::InvalidArgumentError(absl::StrCat("limits.max_pending_per_identity: ", max_pending,
                                                   " is outside [1, ",
                                                   region::kMaxPendingPerIdentity, "]"));
  }
  table.approval_timeout = timeout;
  table.max_pending_per_identity = static_cast<int>(max_pending);
  return absl::OkStatus();
}

// region.battery_connection: {"export_limit_mw": X, "import_limit_mw": Y}, at least one.
absl::Status ReadBatteryConnection(const Json& j, region::ConnectionLimit* limit) {
  constexpr char kWhere[] = "region.battery_connection";
  ObjectReader r(j, kWhere);
  double export_mw = std::nan("");
  double import_mw = std::nan("");
  r.Number("export_limit_mw", &export_mw);
  r.Number("import_limit_mw", &import_mw);
  RETURN_IF_ERROR(r.Read());
  if (!std::isnan(export_mw)) limit->export_limit_mw = export_mw;
  if (!std::isnan(import_mw)) limit->import_limit_mw = import_mw;
  if (!limit->any()) {
    return absl::InvalidArgumentError(
        absl::StrCat(kWhere, ": set export_limit_mw, import_limit_mw or both"));
  }
  return limit->Validate(kWhere);
}

// Every asset a limit names must be configured.
absl::Status CheckLimitAssets(const GatewayConfig& config) {
  std::set<std::string> known;
  for (const assets::BatteryParams& b : config.batteries) known.insert(b.id);
  for (const assets::PeakerParams& p : config.peakers) known.insert(p.id);
  auto check = [&known](const std::string& where,
                        const region::DispatchLimits& limits) -> absl::Status {
    if (!limits.assets.has_value()) return absl::OkStatus();
    for (const std::string& id : *limits.assets) {
      if (!known.contains(id)) {
        return absl::InvalidArgumentError(
            absl::StrCat(where, ".assets: \"", id, "\" is not a configured asset"));
      }
    }
    return absl::OkStatus();
  };
  for (const auto& [role, limits] : config.limits.by_role) {
    RETURN_IF_ERROR(check(absl::StrCat("limits.roles.", role), limits));
  }
  for (const auto& [identity, limits] : config.limits.by_identity) {
    RETURN_IF_ERROR(check(absl::StrCat("limits.identities.", identity), limits));
  }
  return absl::OkStatus();
}

absl::Status ParseConfig(const Json& root, const std::filesystem::path& base_dir,
                         GatewayConfig* config) {
  if (!root.is_object()) return absl::InvalidArgumentError("top level must be an object");
  for (const auto& [key, value] : root.items()) {
    if (key != "region" && key != "batteries" && key != "peakers" && key != "data" &&
        key != "live" && key != "false_data" && key != "limits" &&
        key != "alerts" &&   // alerts: gridpilot-alerter
        key != "retrain") {  // retrain: gridpilot-forecast, through the launcher
      return absl::InvalidArgumentError(absl::StrCat(key, ": unknown key"));
    }
  }
  if (root.contains("region")) {
    ObjectReader r(root.at("region"), "region");
    r.String("name", &config->region.name);
    r.Number("scale", &config->region.scale);
    r.Number("ramp_limit_mw", &config->region.ramp_limit_mw);
    r.Number("instability_penalty_gbp_per_mw", &config->region.instability_penalty_gbp_per_mw);
    r.Custom("battery_connection", [config](const Json& j) -> absl::Status {
      return ReadBatteryConnection(j, &config->region.battery_connection);
    });
    RETURN_IF_ERROR(r.Read());
  }
  RETURN_IF_ERROR(
      ReadList<assets::BatteryParams>(root, "batteries", ReadBattery, &config->batteries));
  RETURN_IF_ERROR(ReadList<assets::PeakerParams>(root, "peakers", ReadPeaker, &config->peakers));
  if (root.contains("data")) {
    ObjectReader r(root.at("data"), "data");
    r.String("demand_csv", &config->demand_csv);
    r.String("price_csv", &config->price_csv);
    r.String("day_ahead_csv", &config->day_ahead_csv);
    data::RegionCsvFormat& format = config->data_format;
    r.String("time_column", &format.time_column);
    r.String("time_zone", &format.time_zone);
    std::string stamp_marks = "start";
    r.String("stamp_marks", &stamp_marks);
    double resolution_minutes = format.resolution_minutes;
    r.Number("resolution_minutes", &resolution_minutes);
    r.String("net_load_column", &format.net_load_column);
    r.String("solar_column", &format.solar_column);
    r.String("wind_column", &format.wind_column);
    r.String("price_time_column", &format.price_time_column);
    r.String("price_column", &format.price_column);
    r.String("day_ahead_time_column", &format.day_ahead_time_column);
    r.String("day_ahead_published_column", &format.day_ahead_published_column);
    r.String("day_ahead_column", &format.day_ahead_column);
    r.String("holidays", &config->holidays);
    RETURN_IF_ERROR(r.Read());
    if (stamp_marks != "start" && stamp_marks != "end") {
      return absl::InvalidArgumentError(
          absl::StrCat("data.stamp_marks: \"", stamp_marks, "\" is not start or end"));
    }
    format.stamp_marks = stamp_marks == "end" ? data::StampMarks::kEnd : data::StampMarks::kStart;
    if (resolution_minutes != 5 && resolution_minutes != 15 && resolution_minutes != 30 &&
        resolution_minutes != 60) {
      return absl::InvalidArgumentError(
          absl::StrCat("data.resolution_minutes: ", resolution_minutes, " is not 5, 15, 30 or 60"));
    }
    format.resolution_minutes = static_cast<int>(resolution_minutes);
    RETURN_IF_ERROR(data::ValidateRegionCsvFormat(format, "data"));
    for (std::string* path : {&config->demand_csv, &config->price_csv, &config->day_ahead_csv}) {
      if (!path->empty() && *path != "none" && std::filesystem::path(*path).is_relative()) {
        *path = (base_dir / *path).string();
      }
    }
    if (config->holidays.empty()) config->holidays = "uk";
    if (config->holidays != "uk" && config->holidays != "none" &&
        std::filesystem::path(config->holidays).is_relative()) {
      config->holidays = (base_dir / config->holidays).string();
    }
    if (absl::StatusOr<base::HolidayCalendar> holidays =
            data::LoadRegionHolidayCalendar(config->holidays, format.time_zone);
        !holidays.ok()) {
      return absl::Status(holidays.status().code(),
                          absl::StrCat("data.holidays: ", holidays.status().message()));
    }
  }
  if (root.contains("live")) RETURN_IF_ERROR(ReadLive(root.at("live"), config));
  if (root.contains("false_data")) RETURN_IF_ERROR(ReadFalseData(root.at("false_data"), config));
  if (root.contains("limits")) RETURN_IF_ERROR(ReadLimits(root.at("limits"), config));
  RETURN_IF_ERROR(
      region::RegionEngine::Validate(config->region, config->batteries, config->peakers));
  return CheckLimitAssets(*config);
}

}  // namespace

absl::StatusOr<GatewayConfig> LoadGatewayConfig(const std::string& path) {
  if (path.empty()) {
    GatewayConfig defaults;
    return defaults;
  }
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot open config file"));
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return ParseGatewayConfig(text, path);
}

absl::StatusOr<GatewayConfig> ParseGatewayConfig(const std::string& text, const std::string& path) {
  GatewayConfig config;
  Json root;
  try {
    root = Json::parse(text);
  } catch (const Json::exception& e) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": ", JsonParseError(text, e).message()));
  }
  absl::Status parsed;
  // The readers check each type before reading it, so nothing below should throw; if a
  // case was missed, it is still this file's error and not an abort.
  try {
    parsed = ParseConfig(root, std::filesystem::absolute(path).parent_path(), &config);
  } catch (const Json::exception& e) {
    parsed = absl::InvalidArgumentError(absl::StrCat("unreadable value: ", e.what()));
  }
  if (!parsed.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": ", parsed.message()));
  }
  return config;
}

}  // namespace gridpilot
