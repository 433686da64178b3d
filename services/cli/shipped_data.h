// The shipped GB data as the offline commands (forecast-eval, train) read it: the files
// in data/ unless --demand_csv / --price_csv name others, and the region's series scaled
// exactly as the gateway scales what it sends the forecast service.
#ifndef GRIDPILOT_SERVICES_CLI_SHIPPED_DATA_H_
#define GRIDPILOT_SERVICES_CLI_SHIPPED_DATA_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/data/day_ahead_forecast_row.h"
#include "core/data/grid_measurement.h"
#include "core/data/grid_series.h"

namespace gridpilot {

// data/ of the source tree: the binary lives in build/bin, two levels below it.
std::string DefaultDataDir();

// --demand_csv or data/gb_demand_2022_2023.csv; --price_csv or the shipped price file.
std::string DemandCsv(const std::map<std::string, std::string>& options);
std::string PriceCsv(const std::map<std::string, std::string>& options);

// The region's half-hourly series (MW = GB x RegionConfig{}.scale; prices unscaled).
std::vector<data::GridMeasurement> RegionMeasurements(const data::GridSeries& gb);

// --day_ahead_csv or NESO's day-ahead forecast file beside the demand file.
std::string DayAheadCsv(const std::map<std::string, std::string>& options);

// NESO's day-ahead forecast from DayAheadCsv(options), GB MW as published (the
// day-ahead demand evaluation) or scaled like RegionMeasurements (the change models).
absl::StatusOr<std::vector<data::DayAheadForecastRow>> LoadGbDayAheadForecast(
    const std::map<std::string, std::string>& options);
absl::StatusOr<std::vector<data::DayAheadForecastRow>> LoadRegionDayAheadForecast(
    const std::map<std::string, std::string>& options);

}  // namespace gridpilot

#endif  // GRIDPILOT_SERVICES_CLI_SHIPPED_DATA_H_
