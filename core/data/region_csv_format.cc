#include "core/data/region_csv_format.h"

#include <cstddef>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"

namespace gridpilot::data {
namespace {

constexpr size_t kMaxColumnNameBytes = 256;

absl::Status CheckColumn(const std::string& name, const std::string& where,
                         const std::string& key) {
  if (name.empty() || name.size() > kMaxColumnNameBytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        where, ".", key, ": must be 1 to ", kMaxColumnNameBytes, " bytes, got ", name.size()));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ValidateRegionCsvFormat(const RegionCsvFormat& format, const std::string& where) {
  const int r = format.resolution_minutes;
  if (r != 5 && r != 15 && r != 30 && r != 60) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, ".resolution_minutes: ", r, " is not 5, 15, 30 or 60"));
  }
  absl::TimeZone zone;
  if (format.time_zone.empty() || format.time_zone.size() > kMaxColumnNameBytes ||
      !absl::LoadTimeZone(format.time_zone, &zone)) {
    return absl::InvalidArgumentError(absl::StrCat(where, ".time_zone: \"", format.time_zone,
                                                   "\" is not a time zone of the tz database"));
  }
  for (const auto& [name, key] :
       {std::pair{&format.time_column, "time_column"},
        std::pair{&format.net_load_column, "net_load_column"},
        std::pair{&format.solar_column, "solar_column"},
        std::pair{&format.wind_column, "wind_column"},
        std::pair{&format.price_time_column, "price_time_column"},
        std::pair{&format.price_column, "price_column"},
        std::pair{&format.day_ahead_time_column, "day_ahead_time_column"},
        std::pair{&format.day_ahead_published_column, "day_ahead_published_column"},
        std::pair{&format.day_ahead_column, "day_ahead_column"}}) {
    if (absl::Status ok = CheckColumn(*name, where, key); !ok.ok()) return ok;
  }
  return absl::OkStatus();
}

bool IsDefaultRegionCsvFormat(const RegionCsvFormat& format) {
  const RegionCsvFormat d;
  return format.time_column == d.time_column && format.time_zone == d.time_zone &&
         format.stamp_marks == d.stamp_marks && format.resolution_minutes == d.resolution_minutes &&
         format.net_load_column == d.net_load_column && format.solar_column == d.solar_column &&
         format.wind_column == d.wind_column && format.price_time_column == d.price_time_column &&
         format.price_column == d.price_column &&
         format.day_ahead_time_column == d.day_ahead_time_column &&
         format.day_ahead_published_column == d.day_ahead_published_column &&
         format.day_ahead_column == d.day_ahead_column;
}

}  // namespace gridpilot::data
