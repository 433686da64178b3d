// Loads the operator's day-ahead forecast file (the config's day_ahead_csv) in the layout a
// RegionCsvFormat describes: its day_ahead_* columns, and the region's time_zone and
// stamp_marks. With the defaults it reads the shipped NESO file exactly as
// LoadDayAheadForecast does. Vintages stay half-hourly: every target must start on the UTC
// half-hour grid, as the forecast features look them up.
#ifndef GRIDPILOT_CORE_DATA_DAY_AHEAD_CSV_LOADER_H_
#define GRIDPILOT_CORE_DATA_DAY_AHEAD_CSV_LOADER_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/data/day_ahead_forecast_row.h"
#include "core/data/region_csv_format.h"

namespace gridpilot::data {

// Rows sorted by target start, then publication, no (target, publication) pair twice; a
// missing value is kept as missing. Stamps as region_stamp.h: "...Z" is UTC, others local to
// format.time_zone. A target stamp marks its interval's start or end (format.stamp_marks); a
// repeated local target takes its second pass once the previous row's target is past the
// first, so the vintages of one target stay together. A publication stamp is an instant: a
// repeated local one takes its later pass, so a vintage never counts as known before it
// could have been. Errors (InvalidArgument naming file, line and column; NotFound for a
// missing file): a missing column, a bad or skipped (clock-change hole) stamp, a target off
// the half-hour grid, unsorted or repeated rows, a value outside [kMinDemandMw,
// kMaxDemandMw]; more than kMaxRegionIntervals rows.
absl::StatusOr<std::vector<DayAheadForecastRow>> LoadRegionDayAheadForecast(
    const RegionCsvFormat& format, const std::string& csv_path);

}  // namespace gridpilot::data

#endif  // GRIDPILOT_CORE_DATA_DAY_AHEAD_CSV_LOADER_H_
