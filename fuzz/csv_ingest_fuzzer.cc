// Fuzzes the CSV ingest (core/data/csv_reader.h, grid_data_loader.h, region_csv_loader.h,
// day_ahead_csv_loader.h, holiday_dates_file.h) through the loaders' public entry points,
// which read files: the input is written to in-memory files first.
// Input: the first byte chooses the entry point (its value mod 8; 7 as 3):
//   0 LoadGridSeries: the rest is the demand file, a form feed ('\f'), the price file;
//   1 LoadPriceSeries; 2 LoadDayAheadForecast; 3 CsvFile::Parse and every field parser
//   on every cell; 4 LoadRegionSeries with a non-default layout (columns t, load, pv;
//   Europe/London local stamps marking interval ends, 15 minutes; a price file with t, p
//   after a form feed, none without one); 5 LoadRegionDayAheadForecast in that layout
//   (columns end, issued, kw); 6 ParseHolidayDates.
// Invariants: a refusal is InvalidArgument naming the file; an accepted file's values are
// finite and within the plausible ranges of grid_data_loader.h; an accepted series is
// regular at its interval (15 minutes for 4) and has one interval per demand (or price) row;
// accepted day-ahead rows are sorted by target then publication; every row of a parsed CSV has the
// header's width.
#include <sys/mman.h>
#include <unistd.h>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "core/data/csv_reader.h"
#include "core/data/day_ahead_csv_loader.h"
#include "core/data/grid_data_loader.h"
#include "core/data/holiday_dates_file.h"
#include "core/data/region_csv_loader.h"
#include "fuzz/invariant.h"

namespace gridpilot::data {
namespace {

[[noreturn]] void Fail(const std::string& what) { fuzz::FailInvariant("csv_ingest_fuzzer", what); }

// The "files" the input is written to: in-memory files (memfd), opened by the loaders
// through /proc/self/fd, so that each input costs no disk I/O.
struct Files {
  int demand_fd = -1;
  int price_fd = -1;
  std::string demand;  // path the loaders open
  std::string price;
};

const Files& TempFiles() {
  static const Files* const files = [] {
    auto* f = new Files;
    f->demand_fd = memfd_create("demand.csv", 0);
    f->price_fd = memfd_create("price.csv", 0);
    if (f->demand_fd < 0 || f->price_fd < 0) Fail("memfd_create");
    f->demand = "/proc/self/fd/" + std::to_string(f->demand_fd);
    f->price = "/proc/self/fd/" + std::to_string(f->price_fd);
    return f;
  }();
  return *files;
}

// Replaces the whole content of the in-memory file `fd` with `text`.
void WriteFile(int fd, std::string_view text) {
  if (ftruncate(fd, 0) != 0) Fail("ftruncate");
  size_t written = 0;
  while (written < text.size()) {
    const ssize_t n =
        pwrite(fd, text.data() + written, text.size() - written, static_cast<off_t>(written));
    if (n <= 0) Fail("pwrite");
    written += static_cast<size_t>(n);
  }
}

void CheckRefusal(const absl::Status& error, const std::string& path_a, const std::string& path_b) {
  if (error.code() != absl::StatusCode::kInvalidArgument) {
    std::fprintf(stderr, "%s\n", error.ToString().c_str());
    Fail("error code");
  }
  if (!absl::StartsWith(error.message(), path_a) && !absl::StartsWith(error.message(), path_b)) {
    std::fprintf(stderr, "%s\n", error.ToString().c_str());
    Fail("error does not name the file");
  }
}

void CheckIn(const std::optional<double>& value, double min, double max, const char* what) {
  if (!value.has_value()) return;
  if (!std::isfinite(*value) || *value < min || *value > max) Fail(what);
}

void CheckSeries(const GridSeries& series) {
  for (size_t i = 0; i < series.size(); ++i) {
    const GridInterval& interval = series.intervals()[i];
    if (i > 0 && interval.start != series.intervals()[i - 1].start + series.interval()) {
      Fail("series is not regular at its interval");
    }
    CheckIn(interval.net_load_mw, kMinDemandMw, kMaxDemandMw, "ND outside its range");
    CheckIn(interval.embedded_solar_mw, kMinEmbeddedMw, kMaxEmbeddedMw, "solar outside its range");
    CheckIn(interval.embedded_wind_mw, kMinEmbeddedMw, kMaxEmbeddedMw, "wind outside its range");
    CheckIn(interval.price_gbp_per_mwh, kMinPriceGbpPerMwh, kMaxPriceGbpPerMwh,
            "price outside its range");
  }
}

// Data rows of a CSV text that parses, or 0.
size_t DataRows(std::string_view text, const std::string& path) {
  const absl::StatusOr<CsvFile> file = CsvFile::Parse(text, path);
  return file.ok() ? file->rows().size() : 0;
}

void FuzzGridSeries(std::string_view rest) {
  const Files& files = TempFiles();
  const size_t split = rest.find('\f');
  const std::string_view demand = rest.substr(0, split);
  const std::string_view price = split == std::string_view::npos ? "" : rest.substr(split + 1);
  WriteFile(files.demand_fd, demand);
  WriteFile(files.price_fd, price);
  const absl::StatusOr<GridSeries> series = LoadGridSeries(files.demand, files.price);
  if (!series.ok()) return CheckRefusal(series.status(), files.demand, files.price);
  if (series->size() != DataRows(demand, files.demand)) Fail("not one interval per demand row");
  CheckSeries(*series);
}

void FuzzPriceSeries(std::string_view text) {
  const Files& files = TempFiles();
  WriteFile(files.price_fd, text);
  const absl::StatusOr<GridSeries> series = LoadPriceSeries(files.price);
  if (!series.ok()) return CheckRefusal(series.status(), files.price, files.price);
  if (series->size() != DataRows(text, files.price)) Fail("not one interval per price row");
  CheckSeries(*series);
}

void FuzzDayAhead(std::string_view text) {
  const Files& files = TempFiles();
  WriteFile(files.demand_fd, text);
  const absl::StatusOr<std::vector<DayAheadForecastRow>> rows = LoadDayAheadForecast(files.demand);
  if (!rows.ok()) return CheckRefusal(rows.status(), files.demand, files.demand);
  for (size_t i = 0; i < rows->size(); ++i) {
    const DayAheadForecastRow& row = (*rows)[i];
    CheckIn(row.net_load_mw, kMinDemandMw, kMaxDemandMw, "day-ahead ND outside its range");
    if (i > 0) {
      const DayAheadForecastRow& previous = (*rows)[i - 1];
      if (row.target_start < previous.target_start ||
          (row.target_start == previous.target_start && row.published <= previous.published)) {
        Fail("day-ahead rows not sorted by target then publication");
      }
    }
  }
}

RegionCsvFormat LocalLayout() {
  RegionCsvFormat format;
  format.time_column = "t";
  format.time_zone = "Europe/London";
  format.stamp_marks = StampMarks::kEnd;
  format.resolution_minutes = 15;
  format.net_load_column = "load";
  format.solar_column = "pv";
  format.wind_column = kNoColumn;
  format.price_time_column = "t";
  format.price_column = "p";
  format.day_ahead_time_column = "end";
  format.day_ahead_published_column = "issued";
  format.day_ahead_column = "kw";
  return format;
}

void FuzzRegionSeries(std::string_view rest) {
  const Files& files = TempFiles();
  const size_t split = rest.find('\f');
  WriteFile(files.demand_fd, rest.substr(0, split));
  std::string price_path = "none";
  if (split != std::string_view::npos) {
    WriteFile(files.price_fd, rest.substr(split + 1));
    price_path = files.price;
  }
  const absl::StatusOr<RegionSeries> loaded =
      LoadRegionSeries(LocalLayout(), files.demand, price_path);
  if (!loaded.ok()) return CheckRefusal(loaded.status(), files.demand, files.price);
  if (loaded->series.size() > static_cast<size_t>(kMaxRegionIntervals)) Fail("too many intervals");
  CheckSeries(loaded->series);
  if (loaded->series.interval() != absl::Minutes(15)) Fail("not at the layout's 15 minutes");
  for (const CsvIngestCounts* c : {&loaded->demand, &loaded->price}) {
    if (c->rows < 0 || c->gaps < 0 || c->repeats < 0 || c->holes < 0 ||
        c->intervals_incomplete < 0) {
      Fail("a negative ingest count");
    }
  }
  if (split == std::string_view::npos && loaded->price_resolution_minutes != 0) {
    Fail("a price resolution without a price file");
  }
}

void FuzzRegionDayAhead(std::string_view text) {
  const Files& files = TempFiles();
  WriteFile(files.demand_fd, text);
  const absl::StatusOr<std::vector<DayAheadForecastRow>> rows =
      LoadRegionDayAheadForecast(LocalLayout(), files.demand);
  if (!rows.ok()) return CheckRefusal(rows.status(), files.demand, files.demand);
  for (size_t i = 0; i < rows->size(); ++i) {
    const DayAheadForecastRow& row = (*rows)[i];
    CheckIn(row.net_load_mw, kMinDemandMw, kMaxDemandMw, "day-ahead value outside its range");
    if ((row.target_start - absl::UnixEpoch()) % absl::Minutes(30) != absl::ZeroDuration()) {
      Fail("a day-ahead target off the half-hour grid");
    }
    if (i > 0) {
      const DayAheadForecastRow& previous = (*rows)[i - 1];
      if (row.target_start < previous.target_start ||
          (row.target_start == previous.target_start && row.published <= previous.published)) {
        Fail("region day-ahead rows not sorted by target then publication");
      }
    }
  }
}

void FuzzHolidayDates(std::string_view text) {
  const std::string path = "holidays.txt";
  const absl::StatusOr<base::HolidayCalendar> calendar =
      ParseHolidayDates(absl::string_view(text.data(), text.size()), path);
  if (!calendar.ok()) return CheckRefusal(calendar.status(), path, path);
  if (calendar->kind() != base::HolidayCalendar::Kind::kDates) Fail("a file is not kDates");
}

void FuzzCsvFile(std::string_view text) {
  const std::string path = "fuzz.csv";
  const absl::StatusOr<CsvFile> file = CsvFile::Parse(text, path);
  if (!file.ok()) return CheckRefusal(file.status(), path, path);
  for (const CsvRow& row : file->rows()) {
    if (row.fields.size() != file->header().size()) Fail("row width differs from the header");
    for (size_t column = 0; column < row.fields.size(); ++column) {
      const absl::StatusOr<std::optional<double>> number = file->OptionalNumber(row, column);
      if (number.ok() && number->has_value() && !std::isfinite(**number)) {
        Fail("a non-finite number was accepted");
      }
      if (!number.ok()) CheckRefusal(number.status(), path, path);
      const absl::StatusOr<std::optional<double>> bounded =
          file->OptionalNumberIn(row, column, -1.0, 1.0, "MW");
      if (bounded.ok()) CheckIn(*bounded, -1.0, 1.0, "a number outside [min, max] was accepted");
      const absl::StatusOr<double> required = file->RequiredNumber(row, column);
      if (required.ok() && !std::isfinite(*required)) Fail("a non-finite number was accepted");
      const absl::StatusOr<absl::Time> time = file->RequiredTime(row, column);
      if (time.ok() && (*time == absl::InfinitePast() || *time == absl::InfiniteFuture())) {
        Fail("an infinite time was accepted");
      }
      if (!time.ok()) CheckRefusal(time.status(), path, path);
    }
  }
  for (const std::string& name : file->header()) {
    if (!file->ColumnIndex(name).ok()) Fail("a header column is not found by name");
  }
}

}  // namespace
}  // namespace gridpilot::data

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 8) {
    case 0: gridpilot::data::FuzzGridSeries(rest); break;
    case 1: gridpilot::data::FuzzPriceSeries(rest); break;
    case 2: gridpilot::data::FuzzDayAhead(rest); break;
    case 4: gridpilot::data::FuzzRegionSeries(rest); break;
    case 5: gridpilot::data::FuzzRegionDayAhead(rest); break;
    case 6: gridpilot::data::FuzzHolidayDates(rest); break;
    default: gridpilot::data::FuzzCsvFile(rest); break;
  }
  return 0;
}
