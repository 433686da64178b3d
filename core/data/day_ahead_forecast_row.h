// One published value of the grid operator's (NESO's) day-ahead national demand forecast.
// The loader reads them in GB MW; the gateway scales them to the region like every other
// power before the forecast side sees them.
#ifndef GRIDPILOT_CORE_DATA_DAY_AHEAD_FORECAST_ROW_H_
#define GRIDPILOT_CORE_DATA_DAY_AHEAD_FORECAST_ROW_H_

#include <optional>
#include <vector>

#include "absl/time/time.h"

namespace gridpilot::data {

// One vintage of the forecast for one target period.
struct DayAheadForecastRow {
  absl::Time target_start;            // target interval start, UTC
  absl::Time published;               // PublishTime, UTC
  std::optional<double> net_load_mw;  // forecast ND (GB or region MW); missing stays missing
};

// The rows with every value multiplied by `scale` (GB to region MW); times unchanged.
inline std::vector<DayAheadForecastRow> ScaleDayAheadForecast(std::vector<DayAheadForecastRow> rows,
                                                              double scale) {
  for (DayAheadForecastRow& row : rows) {
    if (row.net_load_mw.has_value()) *row.net_load_mw *= scale;
  }
  return rows;
}

}  // namespace gridpilot::data

#endif  // GRIDPILOT_CORE_DATA_DAY_AHEAD_FORECAST_ROW_H_
