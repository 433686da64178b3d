#include "core/advice/half_hour_series.h"

#include <algorithm>
#include <string>

#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"

namespace gridpilot::advice {
namespace {

int64_t HalfHourIndex(absl::Time t) {
  return absl::ToInt64Seconds(FloorToHalfHour(t) - absl::UnixEpoch()) / 1800;
}

}  // namespace

absl::Time FloorToHalfHour(absl::Time t) {
  const int64_t seconds = absl::ToUnixSeconds(t);
  const int64_t floored = seconds - ((seconds % 1800) + 1800) % 1800;
  return absl::FromUnixSeconds(floored);
}

absl::Time FloorToDay(absl::Time t) {
  const int64_t seconds = absl::ToUnixSeconds(t);
  const int64_t floored = seconds - ((seconds % 86400) + 86400) % 86400;
  return absl::FromUnixSeconds(floored);
}

std::optional<double> HalfHourSeries::At(absl::Time t) const {
  const int64_t i = HalfHourIndex(t) - HalfHourIndex(start);
  if (i < 0 || i >= static_cast<int64_t>(values.size())) return std::nullopt;
  return values[static_cast<size_t>(i)];
}

std::vector<std::optional<double>> HalfHourSeries::Day(absl::Time day_start) const {
  std::vector<std::optional<double>> day(kHalfHoursPerDay);
  for (int i = 0; i < kHalfHoursPerDay; ++i) day[i] = At(day_start + kHalfHour * i);
  return day;
}

absl::StatusOr<absl::Time> ParseSeriesTime(const data::CsvFile& file, const data::CsvRow& row,
                                           size_t column) {
  const std::string& text = row.fields[column];
  if (text.find('T') != std::string::npos) return file.RequiredTime(row, column);
  absl::Time t;
  std::string error;
  for (const char* format : {"%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"}) {
    if (absl::ParseTime(format, text, absl::UTCTimeZone(), &t, &error)) return t;
  }
  return absl::InvalidArgumentError(
      absl::StrCat(file.path(), ":", row.line, ": column ", file.header()[column], ": \"", text,
                   "\" is not a time (ISO 8601 UTC or YYYY-MM-DD HH:MM[:SS])"));
}

absl::StatusOr<HalfHourSeries> ReadHalfHourSeries(const data::CsvFile& file,
                                                  std::string_view time_column,
                                                  std::string_view value_column, double min_value,
                                                  double max_value, std::string_view unit) {
  ASSIGN_OR_RETURN(const size_t time_index, file.ColumnIndex(time_column));
  ASSIGN_OR_RETURN(const size_t value_index, file.ColumnIndex(value_column));
  if (file.rows().size() > kMaxSeriesRows) {
    return absl::InvalidArgumentError(
        absl::StrCat(file.path(), ": ", file.rows().size(), " rows; at most ", kMaxSeriesRows));
  }
  struct Sample {
    int64_t half_hour;
    double value;
  };
  std::vector<Sample> samples;
  samples.reserve(file.rows().size());
  int64_t first = 0;
  int64_t last = 0;
  for (const data::CsvRow& row : file.rows()) {
    ASSIGN_OR_RETURN(const absl::Time t, ParseSeriesTime(file, row, time_index));
    if (row.fields[value_index] == "?") continue;
    ASSIGN_OR_RETURN(const std::optional<double> value,
                     file.OptionalNumberIn(row, value_index, min_value, max_value, unit));
    if (!value.has_value()) continue;
    const int64_t index = HalfHourIndex(t);
    if (samples.empty()) first = last = index;
    first = std::min(first, index);
    last = std::max(last, index);
    if (last - first + 1 > kMaxSeriesHalfHours) {
      return absl::InvalidArgumentError(
          absl::StrCat(file.path(), ":", row.line, ": column ", std::string(time_column),
                       ": the file spans more than ", kMaxSeriesHalfHours / 48, " days"));
    }
    samples.push_back({index, *value});
  }
  if (samples.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(file.path(), ": column ", std::string(value_column), " has no value"));
  }
  const size_t size = static_cast<size_t>(last - first + 1);
  std::vector<double> sum(size, 0.0);
  std::vector<int> count(size, 0);
  for (const Sample& s : samples) {
    sum[static_cast<size_t>(s.half_hour - first)] += s.value;
    ++count[static_cast<size_t>(s.half_hour - first)];
  }
  HalfHourSeries series;
  series.start = absl::FromUnixSeconds(first * 1800);
  series.values.resize(size);
  for (size_t i = 0; i < size; ++i) {
    if (count[i] > 0) series.values[i] = sum[i] / count[i];
  }
  return series;
}

}  // namespace gridpilot::advice
