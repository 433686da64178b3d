// Reads the `holidays` key of a config's data section into a HolidayCalendar: "uk" (the
// built-in England & Wales calendar, the default), "none", or the path of a file of dates:
//
//   # Irish public holidays 2023
//   2023-01-01
//   2023-03-17   # St Patrick's Day
//
// one ISO date (YYYY-MM-DD) per line; "#" starts a comment; blank lines are skipped.
#ifndef GRIDPILOT_CORE_DATA_HOLIDAY_DATES_FILE_H_
#define GRIDPILOT_CORE_DATA_HOLIDAY_DATES_FILE_H_

#include <string>
#include "absl/strings/string_view.h"

#include "absl/status/statusor.h"
#include "core/base/holiday_calendar.h"

namespace gridpilot::data {

// Bounds on a dates file: its lines, each line's length, and the years a date may name.
inline constexpr int kMaxHolidayFileLines = 10'000;
inline constexpr size_t kMaxHolidayLineBytes = 256;
inline constexpr int kMinHolidayYear = 1990;
inline constexpr int kMaxHolidayYear = 2100;

// The calendar of a dates file's text; `path` names the file in errors. InvalidArgument
// "path:line: ..." for a line that is not one valid date (month 13, 2023-02-30, text), a
// year outside [kMinHolidayYear, kMaxHolidayYear], a line longer than kMaxHolidayLineBytes,
// or more than kMaxHolidayFileLines lines. A file with no dates is valid (no holidays).
absl::StatusOr<base::HolidayCalendar> ParseHolidayDates(absl::string_view text,
                                                        const std::string& path);

// The calendar `spec` names: "uk", "none", or a dates file read from disk (NotFound if it
// does not exist or cannot be opened, InvalidArgument if it is not a regular file or is
// larger than the bounds allow; otherwise as ParseHolidayDates). An empty spec is "uk".
absl::StatusOr<base::HolidayCalendar> LoadHolidayCalendar(const std::string& spec);

// The calendar of a region: `spec` as LoadHolidayCalendar, its days counted on the local
// days of `time_zone` (the config's data.time_zone, an IANA name read from the system's tz
// database) — except for "" or "UTC" (the default: GB's stamps are UTC and its days are the
// UK's) and "Europe/London", which keep the built-in UK clock. InvalidArgument
// `time_zone: "X" is not a time zone` for a name the database does not know.
absl::StatusOr<base::HolidayCalendar> LoadRegionHolidayCalendar(const std::string& spec,
                                                                const std::string& time_zone);

}  // namespace gridpilot::data

#endif  // GRIDPILOT_CORE_DATA_HOLIDAY_DATES_FILE_H_
