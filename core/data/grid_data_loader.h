// Loads the shipped GB files (see data/README.md) into typed series.
// Errors name file, line and column; missing values stay missing.
#ifndef GRIDPILOT_CORE_DATA_GRID_DATA_LOADER_H_
#define GRIDPILOT_CORE_DATA_GRID_DATA_LOADER_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "core/data/day_ahead_forecast_row.h"
#include "core/data/grid_series.h"

namespace gridpilot::data {

// Joins the NESO demand file (columns timestamp_utc, ND, EMBEDDED_SOLAR_GENERATION,
// EMBEDDED_WIND_GENERATION) with the Elexon price file (timestamp_utc, Price) on
// timestamp_utc. The result spans the demand file; periods absent from the price file
// have no price. Errors: NotFound for a missing file; InvalidArgument naming
// file:line: column for a bad value, an unsorted or duplicate timestamp, or a gap in
// the demand file.
absl::StatusOr<GridSeries> LoadGridSeries(const std::string& demand_csv_path,
                                          const std::string& price_csv_path);

// Reads a price file alone (timestamp_utc, Price; consecutive half-hours) into a series
// whose intervals carry only prices. Missing prices stay missing. Errors as above.
absl::StatusOr<GridSeries> LoadPriceSeries(const std::string& price_csv_path);

// Reads gb_demand_forecast_dayahead_*.csv (timestamp_utc, PublishTime, NationalDemand).
absl::StatusOr<std::vector<DayAheadForecastRow>> LoadDayAheadForecast(const std::string& csv_path);

}  // namespace gridpilot::data

#endif  // GRIDPILOT_CORE_DATA_GRID_DATA_LOADER_H_
