#include "core/data/day_ahead_csv_loader.h"

#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "core/base/status_macros.h"
#include "core/base/time_util.h"
#include "core/data/csv_field_error.h"
#include "core/data/csv_reader.h"
#include "core/data/grid_data_loader.h"
#include "core/data/region_csv_loader.h"
#include "core/data/region_stamp.h"

namespace gridpilot::data {
namespace {

// The stamp in `column`; kRepeated resolves to the second pass when `second_if_past` is
// set and is strictly after the first pass, or always when `always_second`.
absl::StatusOr<absl::Time> ReadStamp(const CsvFile& file, const CsvRow& row, size_t column,
                                     const absl::TimeZone& zone,
                                     std::optional<absl::Time> second_if_past, bool always_second) {
  const std::string& field = row.fields[column];
  absl::StatusOr<RegionStamp> stamp = ParseRegionStamp(field, zone);
  if (!stamp.ok()) return FieldError(file, row, column, std::string(stamp.status().message()));
  switch (stamp->kind) {
    case RegionStamp::Kind::kUnique: return stamp->first;
    case RegionStamp::Kind::kSkipped:
      return FieldError(
          file, row, column,
          absl::StrCat("\"", field, "\" does not exist in ", zone.name(), " (the clock skips it)"));
    case RegionStamp::Kind::kRepeated:
      if (always_second || (second_if_past && *second_if_past > stamp->first)) {
        return stamp->second;
      }
      return stamp->first;
  }
  return stamp->first;
}

}  // namespace

absl::StatusOr<std::vector<DayAheadForecastRow>> LoadRegionDayAheadForecast(
    const RegionCsvFormat& format, const std::string& csv_path) {
  RETURN_IF_ERROR(ValidateRegionCsvFormat(format, "data"));
  ASSIGN_OR_RETURN(const CsvFile file, CsvFile::Read(csv_path));
  ASSIGN_OR_RETURN(const size_t target_col, file.ColumnIndex(format.day_ahead_time_column));
  ASSIGN_OR_RETURN(const size_t published_col, file.ColumnIndex(format.day_ahead_published_column));
  ASSIGN_OR_RETURN(const size_t value_col, file.ColumnIndex(format.day_ahead_column));
  if (file.rows().size() > static_cast<size_t>(kMaxRegionIntervals)) {
    return absl::InvalidArgumentError(
        absl::StrCat(csv_path, ": more than ", kMaxRegionIntervals, " rows"));
  }
  absl::TimeZone zone;
  if (!absl::LoadTimeZone(format.time_zone, &zone)) {
    return absl::InvalidArgumentError(
        absl::StrCat("time_zone: \"", format.time_zone, "\" is not a time zone"));
  }
  // A stamp marking the interval's end names the interval one half-hour before it.
  const absl::Duration mark_offset =
      format.stamp_marks == StampMarks::kEnd ? base::kHalfHour : absl::ZeroDuration();

  std::vector<DayAheadForecastRow> forecasts;
  forecasts.reserve(file.rows().size());
  std::optional<absl::Time> previous_mark;  // the previous row's target stamp, as marked
  for (const CsvRow& row : file.rows()) {
    DayAheadForecastRow forecast;
    ASSIGN_OR_RETURN(const absl::Time mark,
                     ReadStamp(file, row, target_col, zone, previous_mark, false));
    forecast.target_start = mark - mark_offset;
    if ((forecast.target_start - absl::UnixEpoch()) % base::kHalfHour != absl::ZeroDuration()) {
      return FieldError(file, row, target_col,
                        absl::StrCat("target ", base::FormatUtcTimestamp(forecast.target_start),
                                     " does not start on the UTC half-hour grid"));
    }
    ASSIGN_OR_RETURN(forecast.published,
                     ReadStamp(file, row, published_col, zone, std::nullopt, true));
    ASSIGN_OR_RETURN(forecast.net_load_mw,
                     file.OptionalNumberIn(row, value_col, kMinDemandMw, kMaxDemandMw, "MW"));
    // Sorted by target, then vintage, with no repeated (target, vintage) pair: callers
    // pick "the latest vintage published before t" and need that to be unambiguous.
    if (!forecasts.empty()) {
      const DayAheadForecastRow& last = forecasts.back();
      const bool earlier_target = forecast.target_start < last.target_start;
      const bool same_target = forecast.target_start == last.target_start;
      if (earlier_target || (same_target && forecast.published <= last.published)) {
        const size_t column = earlier_target ? target_col : published_col;
        return FieldError(
            file, row, column,
            absl::StrCat("target ", base::FormatUtcTimestamp(forecast.target_start), " published ",
                         base::FormatUtcTimestamp(forecast.published),
                         same_target && forecast.published == last.published
                             ? " repeats the previous row"
                             : " comes before the previous row's (file must be sorted by "
                               "target, then publication)"));
      }
    }
    previous_mark = mark;
    forecasts.push_back(forecast);
  }
  return forecasts;
}

}  // namespace gridpilot::data
