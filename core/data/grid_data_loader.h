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

// The plausible range of each column the loaders read, GB-wide. A value outside it is a
// broken file, refused with file, line and column rather than passed to the engine
// (docs/decisions.md, "Input bounds"). The shipped files lie well inside: ND 13601 to
// 46147 MW, embedded solar 0 to 9830 MW, embedded wind 147 to 5539 MW, price -77.29 to
// 820.63 GBP/MWh, day-ahead NationalDemand 13820 to 45500 MW.
inline constexpr double kMinDemandMw = 0.0;  // ND and day-ahead NationalDemand
inline constexpr double kMaxDemandMw = 100000.0;
inline constexpr double kMinEmbeddedMw = 0.0;  // embedded solar and wind
inline constexpr double kMaxEmbeddedMw = 50000.0;
inline constexpr double kMinPriceGbpPerMwh = -10000.0;
inline constexpr double kMaxPriceGbpPerMwh = 10000.0;

// Joins the NESO demand file (columns timestamp_utc, ND, EMBEDDED_SOLAR_GENERATION,
// EMBEDDED_WIND_GENERATION) with the Elexon price file (timestamp_utc, Price) on
// timestamp_utc. The result spans the demand file; periods absent from the price file
// have no price. Errors: NotFound for a missing file; InvalidArgument naming
// file:line: column for a bad value (not a number, or outside the ranges above), an unsorted or
// duplicate timestamp, or a gap in the demand file.
absl::StatusOr<GridSeries> LoadGridSeries(const std::string& demand_csv_path,
                                          const std::string& price_csv_path);

// Reads a price file alone (timestamp_utc, Price; consecutive half-hours) into a series
// whose intervals carry only prices. Missing prices stay missing. Errors as above.
absl::StatusOr<GridSeries> LoadPriceSeries(const std::string& price_csv_path);

// Reads gb_demand_forecast_dayahead_*.csv (timestamp_utc, PublishTime, NationalDemand).
absl::StatusOr<std::vector<DayAheadForecastRow>> LoadDayAheadForecast(const std::string& csv_path);

}  // namespace gridpilot::data

#endif  // GRIDPILOT_CORE_DATA_GRID_DATA_LOADER_H_
