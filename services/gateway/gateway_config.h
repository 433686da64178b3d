// The gateway's configuration: the region's grid code, the asset registry and the data
// files. Read from a JSON file; every field is optional and defaults to a region of 1%
// of GB with a 50 MW / 100 MWh battery and a 60 MW OCGT peaker. Unknown keys are errors
// (a typo must not silently fall back to a default).
//
// {
//   "region": {"name": "gb-1pct", "scale": 0.01, "ramp_limit_mw": 15,
//              "instability_penalty_gbp_per_mw": 150,
//              "battery_connection": {"export_limit_mw": 50, "import_limit_mw": 50}},
//              // the batteries' shared grid connection, MW; none by default
//              // (core/region/connection_limit.h)
//   "batteries": [{"id": "battery-1", "energy_capacity_mwh": 100, "max_charge_mw": 50,
//                  "max_discharge_mw": 50, "charge_efficiency": 0.95,
//                  "discharge_efficiency": 0.95, "soc_min_mwh": 5, "soc_max_mwh": 95,
//                  "soc_initial_mwh": 50, "reserve_mwh": 20, "degradation_gbp_per_mwh": 5}],
//   "peakers": [{"id": "peaker-1", "capacity_mw": 60, "min_stable_load_mw": 20,
//                "start_up_time_min": 20, "min_up_time_min": 60, "min_down_time_min": 60,
//                "ramp_rate_mw_per_min": 8, "fuel_gbp_per_mwh": 160, "start_cost_gbp": 2500}],
//   "data": {"demand_csv": "gb_demand_2022_2023.csv",
//            "price_csv": "gb_price_mid_2022-10_2023-12.csv",
//            "day_ahead_csv": "gb_demand_forecast_dayahead_2022-10_2023-12.csv",
//            "time_column": "timestamp_utc", "time_zone": "UTC", "stamp_marks": "start",
//            "resolution_minutes": 30, "net_load_column": "ND",
//            "solar_column": "EMBEDDED_SOLAR_GENERATION", "wind_column":
//            "EMBEDDED_WIND_GENERATION", "price_time_column": "timestamp_utc", "price_column":
//            "Price", "day_ahead_time_column": "timestamp_utc", "day_ahead_published_column":
//            "PublishTime", "day_ahead_column": "NationalDemand", "holidays": "uk"},
//            // paths relative to the config file; day_ahead_csv "none" publishes no operator
//            // forecast, price_csv "none" gives no prices (the trader stands aside), a column
//            // "none" is absent (solar and wind only); core/data/region_csv_format.h;
//            // holidays: uk, none or a file of dates, core/data/holiday_dates_file.h
//   "live": {"ramp_window_min": 5, "noise_sd_mw": 0.15, "noise_correlation_seconds": 60,
//            "random_events_per_hour": 1, "seed": 1,
//            "events": [{"kind": "generator_trip", "at": "2023-06-01T10:00:00Z",
//                        "magnitude_mw": 12, "duration_min": 15}]},  // or "cloud_front"
//   "false_data": [{"from": "2023-06-01T10:00:00Z", "duration_min": 240,
//                   "ramp_mw_per_hour": 20}],
//   "limits": {"approval_timeout_min": 15, "max_pending_per_identity": 20,
//              "roles": {"ai-agent": {"max_abs_power_mw": 10, "max_lease_min": 120,
//                                     "actions_per_hour": 6, "assets": ["battery-1"],
//                                     "priority_band": "trading"}},
//              "identities": {"mcp": {}}}
// }
// "live" shapes the live simulator's world (core/data/live_feed.h); it is used only when the
// gateway steps faster than the settlement interval (--step_seconds). "false_data" adds an
// attacker's ramp to the net load the gateway reports (core/data/false_data_injection.h), to
// exercise the anomaly guard; settlement stays on the true values. "limits" sets what a
// caller may propose without an operator's approval (core/region/dispatch_limits.h): an
// entry replaces the default for its role or identity whole, an entry's unset fields are
// unlimited, and {} makes it unlimited.
#ifndef GRIDPILOT_SERVICES_GATEWAY_GATEWAY_CONFIG_H_
#define GRIDPILOT_SERVICES_GATEWAY_GATEWAY_CONFIG_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/assets/battery.h"
#include "core/assets/peaker.h"
#include "core/data/false_data_injection.h"
#include "core/data/live_feed.h"
#include "core/data/region_csv_format.h"
#include "core/region/dispatch_limits.h"
#include "core/region/region_engine.h"

namespace gridpilot {

struct GatewayConfig {
  region::RegionConfig region;
  std::vector<assets::BatteryParams> batteries = {assets::BatteryParams{}};
  std::vector<assets::PeakerParams> peakers = {assets::PeakerParams{}};
  std::string demand_csv;  // absolute or relative to the working directory; empty = default
  std::string price_csv;
  std::string day_ahead_csv;          // NESO's day-ahead demand forecast; "none" = no such feed
  data::RegionCsvFormat data_format;  // the files' layout; defaults: the shipped GB files
  // The region's holidays for the forecast features: "uk", "none" or a dates file's path
  // (made absolute; checked on load). The launcher hands it to gridpilot-forecast.
  std::string holidays = "uk";
  data::LiveFeedConfig live;                           // its step is set by the run
  absl::Duration live_ramp_window = absl::Minutes(5);  // region.ramp_window when stepping fast
  std::vector<data::FalseDataInjection> false_data;    // none by default
  region::LimitTable limits = region::DefaultLimitTable();
};

// Reads and validates a config file. An empty path gives the defaults. Errors name the
// file and the key or field, e.g. InvalidArgument "cfg.json: batteries[0].capacity: unknown
// key" or "cfg.json: battery battery-1: BatteryParams.max_charge_mw = -1: must be > 0".
absl::StatusOr<GatewayConfig> LoadGatewayConfig(const std::string& path);

// As LoadGatewayConfig, from the file's text already in memory: `path` names the file in
// errors, and relative data paths are resolved against its directory.
absl::StatusOr<GatewayConfig> ParseGatewayConfig(const std::string& text, const std::string& path);

}  // namespace gridpilot

#endif  // GRIDPILOT_SERVICES_GATEWAY_GATEWAY_CONFIG_H_
