// Loads a region's demand and price files in any layout a RegionCsvFormat describes, and
// brings them onto one grid: the demand file's own resolution (the engine's interval), or a
// grid a caller asks for. Local stamps are converted to UTC with the
// system tz database; daylight-saving repeats and holes are resolved and counted.
#ifndef GRIDPILOT_CORE_DATA_REGION_CSV_LOADER_H_
#define GRIDPILOT_CORE_DATA_REGION_CSV_LOADER_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "core/data/grid_series.h"
#include "core/data/region_csv_format.h"

namespace gridpilot::data {

// At most this many intervals at the file's resolution, gaps included (ten years at
// 5 minutes): a stamp decades away must not make the loader fill millions of gaps.
inline constexpr int64_t kMaxRegionIntervals = 1'100'000;

// What a file met on its way in. All counts are of intervals at the file's resolution.
struct CsvIngestCounts {
  int64_t rows = 0;     // data rows read
  int64_t gaps = 0;     // intervals with no row: kept missing, never zero
  int64_t repeats = 0;  // rows in a repeated local hour, placed on its second pass
  int64_t holes = 0;    // local intervals skipped by a clock going forward
  // Intervals of the output grid with some but not all of their finer sub-intervals: made
  // missing. Always 0 for demand read at its own resolution.
  int64_t intervals_incomplete = 0;
};

struct RegionSeries {
  GridSeries series;  // UTC, at the grid asked for (series.interval())
  CsvIngestCounts demand;
  CsvIngestCounts price;             // all zero without a price file
  int price_resolution_minutes = 0;  // inferred from the price file's stamps; 0 without one
};

// Reads `demand_csv` (columns format.time_column, net_load_column and the optional solar and
// wind columns) at format.resolution_minutes, and `price_csv` unless it is "none"
// (price_time_column, price_column; its resolution is the smallest step between its stamps,
// one of 5, 15, 30 or 60). Both are brought onto the grid of `interval` (zero: the demand's
// resolution_minutes, kept as read): finer intervals are averaged, an interval with any
// sub-interval missing is missing; a coarser value fills each of its intervals; partial
// intervals at either end are dropped.
// Errors (InvalidArgument unless a file is missing, NotFound): a missing column names the file
// and the column and lists the columns found; a bad stamp names file, line and column, as
// does a local stamp inside a clock-change hole, an unsorted stamp, one off the file's
// resolution grid, and a duplicate stamp (with both lines); more than kMaxRegionIntervals.
absl::StatusOr<RegionSeries> LoadRegionSeries(const RegionCsvFormat& format,
                                              const std::string& demand_csv,
                                              const std::string& price_csv,
                                              absl::Duration interval = absl::ZeroDuration());

// One line for a log or a report: rows, resolution, zone, and the demand and price counts.
std::string DescribeCsvIngest(const RegionSeries& loaded, const RegionCsvFormat& format);

}  // namespace gridpilot::data

#endif  // GRIDPILOT_CORE_DATA_REGION_CSV_LOADER_H_
