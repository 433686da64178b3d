#include "services/mcp/whatif_config.h"

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "core/assets/battery.h"

namespace gridpilot::mcp {
namespace {

using nlohmann::json;

struct Bound {
  const char* key;
  double minimum;
  double maximum;
  const char* description;
};

constexpr Bound kBounds[] = {
    {"ramp_limit_mw", 1, 1000, "the region's ramp limit, MW per interval"},
    {"instability_penalty_gbp_per_mw", 0, 100000,
     "the penalty per MW of ramp beyond the limit, GBP/MW"},
    {"battery_energy_capacity_mwh", 1, 10000,
     "the first battery's energy capacity, MWh (its SoC bounds and reserve scale with it)"},
    {"battery_max_power_mw", 0.1, 5000, "the first battery's charge and discharge limit, MW"},
    {"trader_risk_aversion", 0, 1, "the trader's risk aversion, 0..1"},
};

std::optional<double>* Field(WhatifOverrides* o, const std::string& key) {
  if (key == "ramp_limit_mw") return &o->ramp_limit_mw;
  if (key == "instability_penalty_gbp_per_mw") return &o->instability_penalty_gbp_per_mw;
  if (key == "battery_energy_capacity_mwh") return &o->battery_energy_capacity_mwh;
  if (key == "battery_max_power_mw") return &o->battery_max_power_mw;
  if (key == "trader_risk_aversion") return &o->trader_risk_aversion;
  return nullptr;
}

}  // namespace

json WhatifOverridesSchema() {
  json properties = json::object();
  for (const Bound& bound : kBounds) {
    properties[bound.key] = {{"type", "number"},
                             {"minimum", bound.minimum},
                             {"maximum", bound.maximum},
                             {"description", bound.description}};
  }
  return {{"type", "object"}, {"properties", properties}, {"additionalProperties", false}};
}

absl::StatusOr<WhatifOverrides> ParseWhatifOverrides(const json& overrides) {
  if (!overrides.is_object() || overrides.empty()) {
    return absl::InvalidArgumentError(
        "arguments.overrides: give at least one setting to change (ramp_limit_mw, "
        "instability_penalty_gbp_per_mw, battery_energy_capacity_mwh, battery_max_power_mw, "
        "trader_risk_aversion)");
  }
  WhatifOverrides parsed;
  for (const auto& [key, value] : overrides.items()) {
    std::optional<double>* field = Field(&parsed, key);
    if (field == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat("arguments.overrides.", key.substr(0, 64), ": not an overridable key"));
    }
    const Bound* bound = nullptr;
    for (const Bound& b : kBounds) {
      if (key == b.key) bound = &b;
    }
    if (!value.is_number()) {
      return absl::InvalidArgumentError(
          absl::StrCat("arguments.overrides.", key, ": must be a number"));
    }
    const double number = value.get<double>();
    if (!(number >= bound->minimum && number <= bound->maximum)) {
      return absl::InvalidArgumentError(absl::StrCat("arguments.overrides.", key, ": ", number,
                                                     " is outside ", bound->minimum, "..",
                                                     bound->maximum));
    }
    *field = number;
  }
  return parsed;
}

json WhatifOverridesJson(const WhatifOverrides& overrides) {
  json out = json::object();
  WhatifOverrides copy = overrides;
  for (const Bound& bound : kBounds) {
    const std::optional<double>* field = Field(&copy, bound.key);
    if (field->has_value()) out[bound.key] = **field;
  }
  return out;
}

json WhatifBaselineConfig(json base, const std::string& base_dir) {
  if (!base.is_object()) base = json::object();
  base.erase("alerts");
  if (auto data = base.find("data"); data != base.end() && data->is_object()) {
    for (const char* key : {"demand_csv", "price_csv", "day_ahead_csv"}) {
      auto path = data->find(key);
      if (path == data->end() || !path->is_string()) continue;
      const std::string text = path->get<std::string>();
      if (text == "none" || text.empty() || std::filesystem::path(text).is_absolute()) continue;
      *path = (std::filesystem::path(base_dir) / text).lexically_normal().string();
    }
  }
  return base;
}

json WhatifOverriddenConfig(json config, const WhatifOverrides& overrides) {
  if (overrides.ramp_limit_mw.has_value()) {
    config["region"]["ramp_limit_mw"] = *overrides.ramp_limit_mw;
  }
  if (overrides.instability_penalty_gbp_per_mw.has_value()) {
    config["region"]["instability_penalty_gbp_per_mw"] = *overrides.instability_penalty_gbp_per_mw;
  }
  if (!overrides.battery_energy_capacity_mwh.has_value() &&
      !overrides.battery_max_power_mw.has_value()) {
    return config;
  }
  if (!config.contains("batteries") || !config["batteries"].is_array() ||
      config["batteries"].empty()) {
    config["batteries"] = json::array({json::object()});
  }
  json& battery = config["batteries"][0];
  const assets::BatteryParams defaults;
  const auto value = [&battery](const char* key, double fallback) {
    const auto found = battery.find(key);
    return found != battery.end() && found->is_number() ? found->get<double>() : fallback;
  };
  if (overrides.battery_energy_capacity_mwh.has_value()) {
    const double capacity = value("energy_capacity_mwh", defaults.energy_capacity_mwh);
    const double scale = *overrides.battery_energy_capacity_mwh / capacity;
    battery["soc_min_mwh"] = value("soc_min_mwh", defaults.soc_min_mwh) * scale;
    battery["soc_max_mwh"] = value("soc_max_mwh", defaults.soc_max_mwh) * scale;
    battery["soc_initial_mwh"] = value("soc_initial_mwh", defaults.soc_initial_mwh) * scale;
    battery["reserve_mwh"] = value("reserve_mwh", defaults.reserve_mwh) * scale;
    battery["energy_capacity_mwh"] = *overrides.battery_energy_capacity_mwh;
  }
  if (overrides.battery_max_power_mw.has_value()) {
    battery["max_charge_mw"] = *overrides.battery_max_power_mw;
    battery["max_discharge_mw"] = *overrides.battery_max_power_mw;
  }
  return config;
}

}  // namespace gridpilot::mcp
