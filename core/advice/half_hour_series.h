// A regularly spaced series on the half-hour grid, the common footing of the advice: a
// meter read every minute or every quarter-hour, a region's half-hourly demand and a
// half-hourly price file all become one value per half-hour (the mean of the samples
// that fall in it), so that a load, a price and a plan line up interval by interval.
//
// Clock. A time field is either ISO 8601 UTC ("2022-01-01T00:30:00Z") or a zone-less
// "YYYY-MM-DD HH:MM[:SS]" (a meter's local clock). A zone-less time is kept as written:
// the series lives on the input's own clock, days are that clock's days, and a tariff's
// times of day are read on the same clock. A price file and a load file used together
// must therefore be on the same clock (docs/decisions.md, "Flexibility advice").
#ifndef GRIDPILOT_CORE_ADVICE_HALF_HOUR_SERIES_H_
#define GRIDPILOT_CORE_ADVICE_HALF_HOUR_SERIES_H_

#include <optional>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "core/data/csv_reader.h"

namespace gridpilot::advice {

inline constexpr absl::Duration kHalfHour = absl::Minutes(30);
inline constexpr int kHalfHoursPerDay = 48;
// Bounds on what a file may bring in: rows read and the span covered (ten years).
inline constexpr size_t kMaxSeriesRows = 6'000'000;
inline constexpr int64_t kMaxSeriesHalfHours = int64_t{48} * 366 * 10;

struct HalfHourSeries {
  absl::Time start = absl::UnixEpoch();  // start of values[0], on the half-hour grid
  // One per half-hour from `start`; nullopt where the file has no sample.
  std::vector<std::optional<double>> values;

  absl::Time end() const { return start + kHalfHour * static_cast<int64_t>(values.size()); }
  // The value of the half-hour starting at t (floored to the grid); nullopt outside.
  std::optional<double> At(absl::Time t) const;
  // The 48 values of the day starting at day_start (midnight); nullopt entries where
  // missing or outside the series.
  std::vector<std::optional<double>> Day(absl::Time day_start) const;
};

// Start of the half-hour containing t, and of the day containing t (on the series clock).
absl::Time FloorToHalfHour(absl::Time t);
absl::Time FloorToDay(absl::Time t);

// Parses one time field as described in the file comment. InvalidArgument
// "path:line: column NAME: \"x\" is not a time (...)" otherwise.
absl::StatusOr<absl::Time> ParseSeriesTime(const data::CsvFile& file, const data::CsvRow& row,
                                           size_t column);

// Reads `value_column` against `time_column` and averages it onto the half-hour grid.
// Empty fields and UCI's "?" are missing samples. Errors (InvalidArgument, naming file,
// line and column): a missing column, a bad time, a value that is not a number or lies
// outside [min_value, max_value] (`unit` names the unit), more than kMaxSeriesRows rows,
// a span over kMaxSeriesHalfHours, or no value at all.
absl::StatusOr<HalfHourSeries> ReadHalfHourSeries(const data::CsvFile& file,
                                                  std::string_view time_column,
                                                  std::string_view value_column, double min_value,
                                                  double max_value, std::string_view unit);

}  // namespace gridpilot::advice

#endif  // GRIDPILOT_CORE_ADVICE_HALF_HOUR_SERIES_H_
