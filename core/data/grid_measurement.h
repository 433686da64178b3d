// One half-hour of region grid data as the forecast side sees it. The gateway scales GB
// values by the region factor before they get here, so every power is region MW; the
// feature store and the forecasters consume a stream of these, one per interval.
#ifndef GRIDPILOT_CORE_DATA_GRID_MEASUREMENT_H_
#define GRIDPILOT_CORE_DATA_GRID_MEASUREMENT_H_

#include <optional>

#include "absl/time/time.h"

namespace gridpilot::data {

// Averages over the half-hour that starts at interval_start (UTC). A value the source did
// not provide stays std::nullopt; it is never replaced by zero.
struct GridMeasurement {
  absl::Time interval_start;
  std::optional<double> net_load_mw;        // ND: demand net of embedded solar and wind
  std::optional<double> embedded_solar_mw;  // >= 0
  std::optional<double> embedded_wind_mw;   // >= 0
  std::optional<double> price_gbp_per_mwh;  // may be negative
};

}  // namespace gridpilot::data

#endif  // GRIDPILOT_CORE_DATA_GRID_MEASUREMENT_H_
