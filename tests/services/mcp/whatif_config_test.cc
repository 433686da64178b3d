// The what-if's overridable keys, their bounds, and the configs written for both runs.
#include "services/mcp/whatif_config.h"

#include <gtest/gtest.h>

namespace gridpilot::mcp {
namespace {

using nlohmann::json;

TEST(WhatifConfigTest, ParsesBoundedOverridesAndRefusesOthers) {
  absl::StatusOr<WhatifOverrides> parsed =
      ParseWhatifOverrides({{"ramp_limit_mw", 20}, {"trader_risk_aversion", 0.5}});
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->ramp_limit_mw, 20.0);
  EXPECT_EQ(parsed->trader_risk_aversion, 0.5);
  EXPECT_FALSE(parsed->battery_energy_capacity_mwh.has_value());
  EXPECT_EQ(WhatifOverridesJson(*parsed),
            (json{{"ramp_limit_mw", 20.0}, {"trader_risk_aversion", 0.5}}));

  EXPECT_EQ(ParseWhatifOverrides(json::object()).status().code(),
            absl::StatusCode::kInvalidArgument);
  const absl::Status too_big = ParseWhatifOverrides({{"ramp_limit_mw", 5000}}).status();
  EXPECT_EQ(too_big.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(too_big.message().find("arguments.overrides.ramp_limit_mw"), std::string::npos);
  EXPECT_EQ(ParseWhatifOverrides({{"soc_min_mwh", 1}}).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseWhatifOverrides({{"trader_risk_aversion", "high"}}).status().code(),
            absl::StatusCode::kInvalidArgument);
  // The schema bounds every key and refuses others.
  const json schema = WhatifOverridesSchema();
  EXPECT_EQ(schema["additionalProperties"], false);
  for (const auto& [key, property] : schema["properties"].items()) {
    EXPECT_TRUE(property.contains("minimum") && property.contains("maximum")) << key;
  }
}

TEST(WhatifConfigTest, BaselineMakesDataPathsAbsoluteAndDropsAlerts) {
  const json base = {
      {"region", {{"ramp_limit_mw", 12}}},
      {"data",
       {{"demand_csv", "demand.csv"}, {"price_csv", "/abs/prices.csv"}, {"day_ahead_csv", "none"}}},
      {"alerts", {{"webhook", "http://example"}}}};
  const json baseline = WhatifBaselineConfig(base, "/etc/region");
  EXPECT_EQ(baseline["data"]["demand_csv"], "/etc/region/demand.csv");
  EXPECT_EQ(baseline["data"]["price_csv"], "/abs/prices.csv");
  EXPECT_EQ(baseline["data"]["day_ahead_csv"], "none");
  EXPECT_FALSE(baseline.contains("alerts"));
  EXPECT_EQ(baseline["region"]["ramp_limit_mw"], 12);
  EXPECT_EQ(WhatifBaselineConfig(json::object(), "/x"), json::object());
}

TEST(WhatifConfigTest, OverridesChangeOnlyTheirKeysAndScaleTheBatterysEnergyTogether) {
  WhatifOverrides overrides;
  overrides.ramp_limit_mw = 25;
  overrides.battery_energy_capacity_mwh = 200;  // the default battery is 100 MWh
  overrides.battery_max_power_mw = 80;
  const json config = WhatifOverriddenConfig({{"region", {{"name", "r"}}}}, overrides);
  EXPECT_EQ(config["region"]["name"], "r");
  EXPECT_EQ(config["region"]["ramp_limit_mw"], 25.0);
  EXPECT_FALSE(config["region"].contains("instability_penalty_gbp_per_mw"));
  const json& battery = config["batteries"][0];
  EXPECT_EQ(battery["energy_capacity_mwh"], 200.0);
  EXPECT_DOUBLE_EQ(battery["soc_min_mwh"].get<double>(), 10.0);
  EXPECT_DOUBLE_EQ(battery["soc_max_mwh"].get<double>(), 190.0);
  EXPECT_DOUBLE_EQ(battery["soc_initial_mwh"].get<double>(), 100.0);
  EXPECT_DOUBLE_EQ(battery["reserve_mwh"].get<double>(), 40.0);
  EXPECT_EQ(battery["max_charge_mw"], 80.0);
  EXPECT_EQ(battery["max_discharge_mw"], 80.0);

  // A configured battery scales from its own values; its other fields are kept.
  WhatifOverrides half;
  half.battery_energy_capacity_mwh = 10;
  const json own = WhatifOverriddenConfig(
      {{"batteries", {{{"id", "b7"}, {"energy_capacity_mwh", 20}, {"soc_max_mwh", 18}}}}}, half);
  EXPECT_EQ(own["batteries"][0]["id"], "b7");
  EXPECT_DOUBLE_EQ(own["batteries"][0]["soc_max_mwh"].get<double>(), 9.0);
  EXPECT_DOUBLE_EQ(own["batteries"][0]["soc_min_mwh"].get<double>(), 2.5);  // default 5, x0.5
  // Risk aversion alone leaves the config as it was (it is a launcher flag).
  WhatifOverrides risk;
  risk.trader_risk_aversion = 0.3;
  EXPECT_EQ(WhatifOverriddenConfig({{"region", {{"name", "r"}}}}, risk),
            (json{{"region", {{"name", "r"}}}}));
}

}  // namespace
}  // namespace gridpilot::mcp
