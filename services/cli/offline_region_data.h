// The region an offline command (gridpilot train, gridpilot forecast-eval) reads. Without
// --config: the shipped GB files (shipped_data.h), read as before, scaled to the default
// region. With --config FILE (the file the launcher takes): the files, layout, scale,
// day-ahead file and holidays that config gives the gateway and the forecast service,
// read through LoadRegionSeries onto half-hours (the offline models and evaluations are
// half-hourly), so offline figures are of the same data the stack runs on at 30 minutes.
// --demand_csv, --price_csv and --day_ahead_csv override the config's files, as for the
// launcher.
#ifndef GRIDPILOT_SERVICES_CLI_OFFLINE_REGION_DATA_H_
#define GRIDPILOT_SERVICES_CLI_OFFLINE_REGION_DATA_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/base/holiday_calendar.h"
#include "core/data/day_ahead_forecast_row.h"
#include "core/data/grid_measurement.h"
#include "core/data/grid_series.h"
#include "core/data/region_csv_format.h"

namespace gridpilot {

struct OfflineRegionData {
  data::GridSeries series;  // half-hourly, UTC, in the demand file's units (GB MW if shipped)
  double scale = 0.0;       // region MW = series value x scale (prices unscaled)
  data::RegionCsvFormat format;
  std::string demand_csv;
  std::string day_ahead_csv;  // "none": no operator forecast
  base::HolidayCalendar holidays;
  std::string description;  // one line: files, layout and calendar, for the printed report
};

// Loads as described above. Errors of the config (InvalidArgument naming file and key) and
// of the loaders (file, line, column) pass through.
absl::StatusOr<OfflineRegionData> LoadOfflineRegionData(
    const std::map<std::string, std::string>& options);

// The region's half-hourly measurements: series x scale (prices unscaled).
std::vector<data::GridMeasurement> ScaledMeasurements(const OfflineRegionData& region);

// The operator's day-ahead vintages as in the file (unscaled), empty when day_ahead_csv is
// "none"; ScaledDayAhead multiplies them by the region's scale, as the gateway sends them.
absl::StatusOr<std::vector<data::DayAheadForecastRow>> UnscaledDayAhead(
    const OfflineRegionData& region);
absl::StatusOr<std::vector<data::DayAheadForecastRow>> ScaledDayAhead(
    const OfflineRegionData& region);

}  // namespace gridpilot

#endif  // GRIDPILOT_SERVICES_CLI_OFFLINE_REGION_DATA_H_
