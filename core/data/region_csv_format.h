// How a region's CSV files are laid out: which columns hold what, how time is stamped and at
// what resolution. The defaults describe the shipped GB files (data/README.md), so a config
// without these keys reads them exactly as before.
#ifndef GRIDPILOT_CORE_DATA_REGION_CSV_FORMAT_H_
#define GRIDPILOT_CORE_DATA_REGION_CSV_FORMAT_H_

#include <string>

#include "absl/status/status.h"

namespace gridpilot::data {

// Whether a row's stamp names the start or the end of the interval it describes.
enum class StampMarks { kStart, kEnd };

// A column name meaning "this file has no such column".
inline constexpr char kNoColumn[] = "none";

struct RegionCsvFormat {
  std::string time_column = "timestamp_utc";
  // IANA name from the system tz database. Stamps with a Z suffix are UTC whatever this is;
  // stamps without one ("2007-03-25 00:15" or "2007-03-25T00:15:00") are local to it.
  std::string time_zone = "UTC";
  StampMarks stamp_marks = StampMarks::kStart;
  int resolution_minutes = 30;  // 5, 15, 30 or 60
  std::string net_load_column = "ND";
  std::string solar_column = "EMBEDDED_SOLAR_GENERATION";  // kNoColumn: the file has none
  std::string wind_column = "EMBEDDED_WIND_GENERATION";    // kNoColumn: the file has none
  std::string price_time_column = "timestamp_utc";
  std::string price_column = "Price";
  // The operator's day-ahead forecast file (day_ahead_csv, core/data/day_ahead_csv_loader.h):
  // the target interval's stamp (read with time_zone and stamp_marks, as the demand file's),
  // the vintage's publication instant (in time_zone) and the forecast value.
  std::string day_ahead_time_column = "timestamp_utc";
  std::string day_ahead_published_column = "PublishTime";
  std::string day_ahead_column = "NationalDemand";
};

// InvalidArgument naming the key (prefixed with `where`, e.g. "cfg.json: data") for a
// resolution outside {5, 15, 30, 60}, a time zone the tz database does not know, or an
// empty or over-long column name (at most 256 bytes).
absl::Status ValidateRegionCsvFormat(const RegionCsvFormat& format, const std::string& where);

// True when `format` is the default (the shipped GB layout).
bool IsDefaultRegionCsvFormat(const RegionCsvFormat& format);

}  // namespace gridpilot::data

#endif  // GRIDPILOT_CORE_DATA_REGION_CSV_FORMAT_H_
