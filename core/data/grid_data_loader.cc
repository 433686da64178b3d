#include "core/data/grid_data_loader.h"

#include <cstdint>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "core/base/time_util.h"
#include "core/data/csv_reader.h"

namespace gridpilot::data {
namespace {

constexpr char kTimestampColumn[] = "timestamp_utc";

absl::Status RowError(const CsvFile& file, const CsvRow& row, size_t column,
                      const std::string& what) {
  return absl::InvalidArgumentError(
      absl::StrCat(file.path(), ":", row.line, ": column ", file.header()[column], ": ", what));
}

// Rejects a timestamp that does not come strictly after the previous row's: every file we
// join must be sorted and free of duplicates, or a lookup by time would be ambiguous.
absl::Status CheckAfter(const CsvFile& file, const CsvRow& row, size_t column, absl::Time previous,
                        absl::Time t) {
  if (t == previous) {
    return RowError(file, row, column,
                    absl::StrCat("duplicate timestamp ", base::FormatUtcTimestamp(t)));
  }
  if (t < previous) {
    return RowError(
        file, row, column,
        absl::StrCat(base::FormatUtcTimestamp(t), " is earlier than the previous row's ",
                     base::FormatUtcTimestamp(previous), " (file must be sorted)"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<GridSeries> LoadGridSeries(const std::string& demand_csv_path,
                                          const std::string& price_csv_path) {
  ASSIGN_OR_RETURN(const CsvFile demand, CsvFile::Read(demand_csv_path));
  ASSIGN_OR_RETURN(const size_t time_col, demand.ColumnIndex(kTimestampColumn));
  ASSIGN_OR_RETURN(const size_t demand_col, demand.ColumnIndex("ND"));
  ASSIGN_OR_RETURN(const size_t solar_col, demand.ColumnIndex("EMBEDDED_SOLAR_GENERATION"));
  ASSIGN_OR_RETURN(const size_t wind_col, demand.ColumnIndex("EMBEDDED_WIND_GENERATION"));
  // An empty series would silently replay nothing; a header-only file is a broken export.
  if (demand.rows().empty()) {
    return absl::InvalidArgumentError(absl::StrCat(demand_csv_path, ": no data rows"));
  }

  std::vector<GridInterval> intervals;
  intervals.reserve(demand.rows().size());
  for (const CsvRow& row : demand.rows()) {
    GridInterval interval;
    ASSIGN_OR_RETURN(interval.start, demand.RequiredTime(row, time_col));
    if (!intervals.empty()) {
      const absl::Time previous = intervals.back().start;
      RETURN_IF_ERROR(CheckAfter(demand, row, time_col, previous, interval.start));
      if (interval.start != previous + base::kHalfHour) {
        return RowError(
            demand, row, time_col,
            absl::StrCat("gap: expected ", base::FormatUtcTimestamp(previous + base::kHalfHour),
                         ", found ", base::FormatUtcTimestamp(interval.start)));
      }
    }
    ASSIGN_OR_RETURN(interval.net_load_mw,
                     demand.OptionalNumberIn(row, demand_col, kMinDemandMw, kMaxDemandMw, "MW"));
    ASSIGN_OR_RETURN(interval.embedded_solar_mw,
                     demand.OptionalNumberIn(row, solar_col, kMinEmbeddedMw, kMaxEmbeddedMw, "MW"));
    ASSIGN_OR_RETURN(interval.embedded_wind_mw,
                     demand.OptionalNumberIn(row, wind_col, kMinEmbeddedMw, kMaxEmbeddedMw, "MW"));
    intervals.push_back(interval);
  }

  ASSIGN_OR_RETURN(const CsvFile prices, CsvFile::Read(price_csv_path));
  ASSIGN_OR_RETURN(const size_t price_time_col, prices.ColumnIndex(kTimestampColumn));
  ASSIGN_OR_RETURN(const size_t price_col, prices.ColumnIndex("Price"));
  const absl::Time first = intervals.front().start;
  const absl::Time end = intervals.back().start + base::kHalfHour;
  std::optional<absl::Time> previous;
  for (const CsvRow& row : prices.rows()) {
    ASSIGN_OR_RETURN(const absl::Time t, prices.RequiredTime(row, price_time_col));
    if (previous) RETURN_IF_ERROR(CheckAfter(prices, row, price_time_col, *previous, t));
    previous = t;
    // Parse every value, even outside the demand span: a bad value is a bad file.
    ASSIGN_OR_RETURN(
        const std::optional<double> price,
        prices.OptionalNumberIn(row, price_col, kMinPriceGbpPerMwh, kMaxPriceGbpPerMwh, "GBP/MWh"));
    if (t < first || t >= end) continue;
    absl::Duration remainder;
    const int64_t index = absl::IDivDuration(t - first, base::kHalfHour, &remainder);
    if (remainder != absl::ZeroDuration()) {
      return RowError(prices, row, price_time_col,
                      absl::StrCat(base::FormatUtcTimestamp(t), " is not on the half-hour grid of ",
                                   demand_csv_path));
    }
    intervals[static_cast<size_t>(index)].price_gbp_per_mwh = price;
  }
  return GridSeries::Create(std::move(intervals));
}

absl::StatusOr<GridSeries> LoadPriceSeries(const std::string& price_csv_path) {
  ASSIGN_OR_RETURN(const CsvFile prices, CsvFile::Read(price_csv_path));
  ASSIGN_OR_RETURN(const size_t time_col, prices.ColumnIndex(kTimestampColumn));
  ASSIGN_OR_RETURN(const size_t price_col, prices.ColumnIndex("Price"));
  if (prices.rows().empty()) {
    return absl::InvalidArgumentError(absl::StrCat(price_csv_path, ": no data rows"));
  }
  std::vector<GridInterval> intervals;
  intervals.reserve(prices.rows().size());
  for (const CsvRow& row : prices.rows()) {
    GridInterval interval;
    ASSIGN_OR_RETURN(interval.start, prices.RequiredTime(row, time_col));
    if (!intervals.empty()) {
      const absl::Time previous = intervals.back().start;
      RETURN_IF_ERROR(CheckAfter(prices, row, time_col, previous, interval.start));
      if (interval.start != previous + base::kHalfHour) {
        return RowError(
            prices, row, time_col,
            absl::StrCat("gap: expected ", base::FormatUtcTimestamp(previous + base::kHalfHour),
                         ", found ", base::FormatUtcTimestamp(interval.start)));
      }
    }
    ASSIGN_OR_RETURN(
        interval.price_gbp_per_mwh,
        prices.OptionalNumberIn(row, price_col, kMinPriceGbpPerMwh, kMaxPriceGbpPerMwh, "GBP/MWh"));
    intervals.push_back(interval);
  }
  return GridSeries::Create(std::move(intervals));
}

absl::StatusOr<std::vector<DayAheadForecastRow>> LoadDayAheadForecast(const std::string& csv_path) {
  ASSIGN_OR_RETURN(const CsvFile file, CsvFile::Read(csv_path));
  ASSIGN_OR_RETURN(const size_t target_col, file.ColumnIndex(kTimestampColumn));
  ASSIGN_OR_RETURN(const size_t published_col, file.ColumnIndex("PublishTime"));
  ASSIGN_OR_RETURN(const size_t demand_col, file.ColumnIndex("NationalDemand"));

  std::vector<DayAheadForecastRow> forecasts;
  forecasts.reserve(file.rows().size());
  for (const CsvRow& row : file.rows()) {
    DayAheadForecastRow forecast;
    ASSIGN_OR_RETURN(forecast.target_start, file.RequiredTime(row, target_col));
    ASSIGN_OR_RETURN(forecast.published, file.RequiredTime(row, published_col));
    ASSIGN_OR_RETURN(forecast.net_load_mw,
                     file.OptionalNumberIn(row, demand_col, kMinDemandMw, kMaxDemandMw, "MW"));
    // Sorted by target, then vintage, with no repeated (target, vintage) pair: callers
    // pick "the latest vintage published before t" and need that to be unambiguous.
    if (!forecasts.empty()) {
      const DayAheadForecastRow& last = forecasts.back();
      if (forecast.target_start < last.target_start) {
        RETURN_IF_ERROR(
            CheckAfter(file, row, target_col, last.target_start, forecast.target_start));
      } else if (forecast.target_start == last.target_start) {
        RETURN_IF_ERROR(CheckAfter(file, row, published_col, last.published, forecast.published));
      }
    }
    forecasts.push_back(forecast);
  }
  return forecasts;
}

}  // namespace gridpilot::data
