#include "core/data/region_csv_loader.h"

#include <algorithm>
#include <optional>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "core/base/status_macros.h"
#include "core/base/time_util.h"
#include "core/data/csv_field_error.h"
#include "core/data/csv_reader.h"
#include "core/data/grid_data_loader.h"
#include "core/data/region_stamp.h"

namespace gridpilot::data {
namespace {

// One stamped row, converted to the start of its interval in UTC.
struct StampedRow {
  absl::Time start;
  std::vector<std::optional<double>> values;
};

struct ColumnSpec {
  std::string name;  // kNoColumn: absent, always missing
  double min;
  double max;
  const char* unit;
};

// Parses one stamp (region_stamp.h): a repeated local time takes its first pass unless
// `previous` is already at or past it, a local time inside a hole is an error.
absl::StatusOr<absl::Time> ParseStamp(const CsvFile& file, const CsvRow& row, size_t column,
                                      const absl::TimeZone& zone,
                                      std::optional<absl::Time> previous, bool* repeated) {
  *repeated = false;
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
      if (previous && *previous >= stamp->first) {
        *repeated = true;
        return stamp->second;
      }
      return stamp->first;
  }
  return stamp->first;
}

// The local clock step between two rows, for counting holes; zero for UTC stamps.
absl::Duration LocalStep(absl::Time a, absl::Time b, const absl::TimeZone& zone) {
  return absl::Seconds(absl::ToCivilSecond(b, zone) - absl::ToCivilSecond(a, zone));
}

// Reads the rows of `file` onto a regular grid of `step` from its first stamp, gaps as rows of
// missing values. `step` zero: inferred as the smallest step between stamps.
absl::StatusOr<std::vector<StampedRow>> ReadStamped(const CsvFile& file,
                                                    const std::string& time_column,
                                                    const std::vector<ColumnSpec>& columns,
                                                    const RegionCsvFormat& format,
                                                    absl::Duration* step, CsvIngestCounts* counts) {
  ASSIGN_OR_RETURN(const size_t time_col, file.ColumnIndex(time_column));
  std::vector<std::optional<size_t>> value_cols;
  for (const ColumnSpec& c : columns) {
    if (c.name == kNoColumn) {
      value_cols.push_back(std::nullopt);
    } else {
      ASSIGN_OR_RETURN(const size_t i, file.ColumnIndex(c.name));
      value_cols.push_back(i);
    }
  }
  if (file.rows().empty()) {
    return absl::InvalidArgumentError(absl::StrCat(file.path(), ": no data rows"));
  }
  absl::TimeZone zone;
  if (!absl::LoadTimeZone(format.time_zone, &zone)) {
    return absl::InvalidArgumentError(
        absl::StrCat("time_zone: \"", format.time_zone, "\" is not a time zone"));
  }
  const bool marks_end = format.stamp_marks == StampMarks::kEnd;

  // Pass 1: stamps (as marked, UTC), values, order.
  std::vector<absl::Time> stamps;
  std::vector<StampedRow> rows;
  stamps.reserve(file.rows().size());
  rows.reserve(file.rows().size());
  bool local = false;
  for (size_t r = 0; r < file.rows().size(); ++r) {
    const CsvRow& row = file.rows()[r];
    bool repeated = false;
    std::optional<absl::Time> previous;
    if (!stamps.empty()) previous = stamps.back();
    ASSIGN_OR_RETURN(const absl::Time t,
                     ParseStamp(file, row, time_col, zone, previous, &repeated));
    local = local || row.fields[time_col].back() != 'Z';
    if (repeated) ++counts->repeats;
    if (previous && t == *previous) {
      return FieldError(file, row, time_col,
                        absl::StrCat("duplicate stamp ", base::FormatUtcTimestamp(t), " at lines ",
                                     file.rows()[r - 1].line, " and ", row.line));
    }
    if (previous && t < *previous) {
      return FieldError(
          file, row, time_col,
          absl::StrCat(base::FormatUtcTimestamp(t), " is earlier than line ",
                       file.rows()[r - 1].line, "'s ", base::FormatUtcTimestamp(*previous),
                       " (file must be sorted)"));
    }
    StampedRow out;
    out.start = t;
    for (size_t c = 0; c < columns.size(); ++c) {
      if (!value_cols[c]) {
        out.values.push_back(std::nullopt);
        continue;
      }
      ASSIGN_OR_RETURN(const std::optional<double> v,
                       file.OptionalNumberIn(row, *value_cols[c], columns[c].min, columns[c].max,
                                             columns[c].unit));
      out.values.push_back(v);
    }
    stamps.push_back(t);
    rows.push_back(std::move(out));
  }
  counts->rows = static_cast<int64_t>(rows.size());

  if (*step == absl::ZeroDuration()) {
    absl::Duration smallest = absl::InfiniteDuration();
    for (size_t i = 1; i < stamps.size(); ++i)
      smallest = std::min(smallest, stamps[i] - stamps[i - 1]);
    if (smallest == absl::InfiniteDuration()) smallest = base::kHalfHour;
    if (smallest != absl::Minutes(5) && smallest != absl::Minutes(15) &&
        smallest != absl::Minutes(30) && smallest != absl::Minutes(60)) {
      return absl::InvalidArgumentError(
          absl::StrCat(file.path(), ": smallest step between stamps is ",
                       absl::FormatDuration(smallest), ", not 5, 15, 30 or 60 minutes"));
    }
    *step = smallest;
  }

  // Pass 2: onto the regular grid, gaps filled with missing values, holes counted.
  std::vector<StampedRow> grid;
  grid.reserve(rows.size());
  for (size_t r = 0; r < rows.size(); ++r) {
    const CsvRow& row = file.rows()[r];
    if (r > 0) {
      const absl::Duration utc_step = stamps[r] - stamps[r - 1];
      absl::Duration remainder;
      const int64_t steps = absl::IDivDuration(utc_step, *step, &remainder);
      if (remainder != absl::ZeroDuration()) {
        return FieldError(
            file, row, time_col,
            absl::StrCat(base::FormatUtcTimestamp(stamps[r]), " is not on the ",
                         absl::FormatDuration(*step), " grid of line ", file.rows()[r - 1].line));
      }
      if (static_cast<int64_t>(grid.size()) + steps > kMaxRegionIntervals) {
        return FieldError(
            file, row, time_col,
            absl::StrCat("more than ", kMaxRegionIntervals, " intervals from the first stamp"));
      }
      if (local) {
        const int64_t local_steps = LocalStep(stamps[r - 1], stamps[r], zone) / *step;
        if (local_steps > steps) counts->holes += local_steps - steps;
      }
      for (int64_t g = 1; g < steps; ++g) {
        StampedRow missing;
        missing.start = grid.back().start + *step;
        missing.values.assign(columns.size(), std::nullopt);
        grid.push_back(std::move(missing));
        ++counts->gaps;
      }
    }
    StampedRow placed = rows[r];
    if (marks_end) placed.start -= *step;
    grid.push_back(std::move(placed));
  }
  return grid;
}

// Onto the grid of `target` (UTC, aligned to the epoch): finer intervals averaged, a
// target interval missing a sub-interval missing (a partial mean biases a load with a daily
// shape) and partial target intervals at either end dropped; a coarser value repeated over
// each of its target intervals (the same average power); an equal step kept as it is.
absl::StatusOr<std::vector<StampedRow>> OntoGrid(const std::vector<StampedRow>& grid,
                                                 absl::Duration step, absl::Duration target,
                                                 const std::string& path, CsvIngestCounts* counts) {
  std::vector<StampedRow> out;
  if (grid.empty()) return out;
  const size_t width = grid.front().values.size();
  if (step >= target) {
    const int64_t copies = step / target;
    if ((grid.front().start - absl::UnixEpoch()) % target != absl::ZeroDuration()) {
      return absl::InvalidArgumentError(absl::StrCat(
          path, ": first interval starts at ", base::FormatUtcTimestamp(grid.front().start),
          ", not on the ", absl::FormatDuration(target), " grid"));
    }
    if (copies == 1) return grid;
    for (const StampedRow& row : grid) {
      for (int64_t k = 0; k < copies; ++k) {
        StampedRow part = row;
        part.start = row.start + k * target;
        out.push_back(std::move(part));
      }
    }
    return out;
  }
  const int64_t per_target = target / step;
  size_t i = 0;
  // Skip a leading partial target interval.
  while (i < grid.size() && (grid[i].start - absl::UnixEpoch()) % target != absl::ZeroDuration()) {
    ++i;
  }
  for (; i + static_cast<size_t>(per_target) <= grid.size(); i += static_cast<size_t>(per_target)) {
    StampedRow whole;
    whole.start = grid[i].start;
    bool incomplete = false;
    for (size_t c = 0; c < width; ++c) {
      double sum = 0.0;
      int present = 0;
      for (int64_t k = 0; k < per_target; ++k) {
        const std::optional<double>& v = grid[i + static_cast<size_t>(k)].values[c];
        if (v) {
          sum += *v;
          ++present;
        }
      }
      if (present == per_target) {
        whole.values.push_back(sum / static_cast<double>(per_target));
      } else {
        whole.values.push_back(std::nullopt);
        incomplete = incomplete || present > 0;
      }
    }
    if (incomplete) ++counts->intervals_incomplete;
    out.push_back(std::move(whole));
  }
  return out;
}

}  // namespace

absl::StatusOr<RegionSeries> LoadRegionSeries(const RegionCsvFormat& format,
                                              const std::string& demand_csv,
                                              const std::string& price_csv,
                                              absl::Duration interval) {
  RETURN_IF_ERROR(ValidateRegionCsvFormat(format, "data"));
  RegionSeries result;
  ASSIGN_OR_RETURN(const CsvFile demand, CsvFile::Read(demand_csv));
  const std::vector<ColumnSpec> demand_columns = {
      {format.net_load_column, kMinDemandMw, kMaxDemandMw, "MW"},
      {format.solar_column, kMinEmbeddedMw, kMaxEmbeddedMw, "MW"},
      {format.wind_column, kMinEmbeddedMw, kMaxEmbeddedMw, "MW"}};
  absl::Duration demand_step = absl::Minutes(format.resolution_minutes);
  ASSIGN_OR_RETURN(const std::vector<StampedRow> demand_grid,
                   ReadStamped(demand, format.time_column, demand_columns, format, &demand_step,
                               &result.demand));
  if (interval == absl::ZeroDuration()) interval = demand_step;
  ASSIGN_OR_RETURN(const std::vector<StampedRow> demand_on_grid,
                   OntoGrid(demand_grid, demand_step, interval, demand_csv, &result.demand));
  if (demand_on_grid.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        demand_csv, ": no whole ", absl::FormatDuration(interval), " interval in the file"));
  }
  std::vector<GridInterval> intervals;
  intervals.reserve(demand_on_grid.size());
  for (const StampedRow& row : demand_on_grid) {
    GridInterval interval;
    interval.start = row.start;
    interval.net_load_mw = row.values[0];
    interval.embedded_solar_mw = row.values[1];
    interval.embedded_wind_mw = row.values[2];
    intervals.push_back(interval);
  }

  if (price_csv != "none") {
    ASSIGN_OR_RETURN(const CsvFile prices, CsvFile::Read(price_csv));
    const std::vector<ColumnSpec> price_columns = {
        {format.price_column, kMinPriceGbpPerMwh, kMaxPriceGbpPerMwh, "GBP/MWh"}};
    absl::Duration price_step = absl::ZeroDuration();
    ASSIGN_OR_RETURN(const std::vector<StampedRow> price_grid,
                     ReadStamped(prices, format.price_time_column, price_columns, format,
                                 &price_step, &result.price));
    ASSIGN_OR_RETURN(const std::vector<StampedRow> price_on_grid,
                     OntoGrid(price_grid, price_step, interval, price_csv, &result.price));
    result.price_resolution_minutes = static_cast<int>(price_step / absl::Minutes(1));
    const absl::Time first = intervals.front().start;
    const absl::Time end = intervals.back().start + interval;
    for (const StampedRow& row : price_on_grid) {
      if (row.start < first || row.start >= end) continue;
      const int64_t index = (row.start - first) / interval;
      intervals[static_cast<size_t>(index)].price_gbp_per_mwh = row.values[0];
    }
  }
  ASSIGN_OR_RETURN(result.series, GridSeries::Create(std::move(intervals), interval));
  return result;
}

std::string DescribeCsvIngest(const RegionSeries& loaded, const RegionCsvFormat& format) {
  const CsvIngestCounts& d = loaded.demand;
  std::string text =
      absl::StrCat("demand: ", d.rows, " rows at ", format.resolution_minutes, " min, stamps in ",
                   format.time_zone, " marking interval ",
                   format.stamp_marks == StampMarks::kEnd ? "ends" : "starts", ": ", d.gaps,
                   " gaps, ", d.repeats, " repeats, ", d.holes, " holes, ", d.intervals_incomplete,
                   " intervals incomplete; ", loaded.series.size(), " intervals of ",
                   absl::FormatDuration(loaded.series.interval()), " from ",
                   base::FormatUtcTimestamp(loaded.series.start()));
  if (loaded.price_resolution_minutes == 0) {
    absl::StrAppend(&text, "; prices: none");
  } else {
    const CsvIngestCounts& p = loaded.price;
    absl::StrAppend(&text, "; prices: ", p.rows, " rows at ", loaded.price_resolution_minutes,
                    " min: ", p.gaps, " gaps, ", p.repeats, " repeats, ", p.holes, " holes");
  }
  return text;
}

}  // namespace gridpilot::data
