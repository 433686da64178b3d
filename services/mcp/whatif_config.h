// The what-if backtest's configuration: which settings a what-if may override (a small,
// bounded set), and the two gateway configs it runs, the baseline (the stack's own config,
// made self-contained) and the what-if (the baseline with the overrides). Pure: JSON in,
// JSON out; the child backtests read the files written from these. docs/decisions.md,
// "MCP what-if backtest and audit of MCP calls".
#ifndef GRIDPILOT_SERVICES_MCP_WHATIF_CONFIG_H_
#define GRIDPILOT_SERVICES_MCP_WHATIF_CONFIG_H_

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "absl/status/statusor.h"

namespace gridpilot::mcp {

// What a what-if changes; an unset field keeps the baseline's value.
struct WhatifOverrides {
  std::optional<double> ramp_limit_mw;                   // region, 1..1000 MW
  std::optional<double> instability_penalty_gbp_per_mw;  // region, 0..100,000 GBP/MW
  // The first battery's energy capacity, 1..10,000 MWh; its SoC bounds, initial SoC and
  // reserve scale with it (so they stay consistent).
  std::optional<double> battery_energy_capacity_mwh;
  std::optional<double> battery_max_power_mw;  // its charge and discharge limit, 0.1..5,000 MW
  std::optional<double> trader_risk_aversion;  // the trader's --risk_aversion, 0..1
};

// The JSON Schema of the `overrides` argument (every key optional, each bounded, no others).
nlohmann::json WhatifOverridesSchema();

// Reads `overrides` (already checked against the schema). InvalidArgument naming the key
// for a value out of its bounds or an empty object (a what-if must change something).
absl::StatusOr<WhatifOverrides> ParseWhatifOverrides(const nlohmann::json& overrides);

// The overrides as JSON (only the keys set), for reports.
nlohmann::json WhatifOverridesJson(const WhatifOverrides& overrides);

// The baseline config: `base` (the stack's config file's JSON, {} for the defaults) with its
// data paths made absolute against `base_dir` (the config file's directory), so that the
// file can be written anywhere, and without "alerts" (a what-if must not page anyone).
nlohmann::json WhatifBaselineConfig(nlohmann::json base, const std::string& base_dir);

// `baseline` with the gateway-config overrides applied (the trader's risk aversion is a
// launcher flag, not part of the config).
nlohmann::json WhatifOverriddenConfig(nlohmann::json baseline, const WhatifOverrides& overrides);

}  // namespace gridpilot::mcp

#endif  // GRIDPILOT_SERVICES_MCP_WHATIF_CONFIG_H_
