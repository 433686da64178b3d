#include "core/data/holiday_dates_file.h"

#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"

namespace gridpilot::data {
namespace {

// Parses exactly "YYYY-MM-DD" naming a real day; nullopt otherwise.
std::optional<absl::CivilDay> ParseIsoDate(absl::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  int year = 0, month = 0, day = 0;
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(text[i]))) return std::nullopt;
  }
  if (!absl::SimpleAtoi(text.substr(0, 4), &year) || !absl::SimpleAtoi(text.substr(5, 2), &month) ||
      !absl::SimpleAtoi(text.substr(8, 2), &day)) {
    return std::nullopt;
  }
  const absl::CivilDay civil(year, month, day);
  // CivilDay normalises 2023-02-30 to 2023-03-02: a day that changed was not a real date.
  if (civil.year() != year || civil.month() != month || civil.day() != day) return std::nullopt;
  return civil;
}

}  // namespace

absl::StatusOr<base::HolidayCalendar> ParseHolidayDates(absl::string_view text,
                                                        const std::string& path) {
  std::vector<absl::CivilDay> days;
  int line_number = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_number;
    if (line_number > kMaxHolidayFileLines) {
      if (line.empty()) break;  // the text's final newline
      return absl::InvalidArgumentError(
          absl::StrCat(path, ":", line_number, ": more than ", kMaxHolidayFileLines, " lines"));
    }
    if (line.size() > kMaxHolidayLineBytes) {
      return absl::InvalidArgumentError(absl::StrCat(path, ":", line_number, ": line longer than ",
                                                     kMaxHolidayLineBytes, " bytes"));
    }
    if (const size_t hash = line.find('#'); hash != absl::string_view::npos) {
      line = line.substr(0, hash);
    }
    line = absl::StripAsciiWhitespace(line);
    if (line.empty()) continue;
    const std::optional<absl::CivilDay> day = ParseIsoDate(line);
    if (!day.has_value()) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ":", line_number, ": \"", line, "\" is not a date (YYYY-MM-DD)"));
    }
    if (day->year() < kMinHolidayYear || day->year() > kMaxHolidayYear) {
      return absl::InvalidArgumentError(absl::StrCat(path, ":", line_number, ": ", line,
                                                     " is outside the years ", kMinHolidayYear, "-",
                                                     kMaxHolidayYear));
    }
    days.push_back(*day);
  }
  return base::HolidayCalendar::Dates(std::move(days), path);
}

absl::StatusOr<base::HolidayCalendar> LoadHolidayCalendar(const std::string& spec) {
  if (spec.empty() || spec == "uk") return base::HolidayCalendar::Uk();
  if (spec == "none") return base::HolidayCalendar::None();
  std::error_code ec;
  if (!std::filesystem::exists(spec, ec)) {
    return absl::NotFoundError(absl::StrCat("holidays file ", spec, ": no such file"));
  }
  // Not a device or a pipe: reading /dev/stdin or a FIFO could block for ever.
  if (!std::filesystem::is_regular_file(spec, ec)) {
    return absl::InvalidArgumentError(absl::StrCat(spec, ": not a regular file"));
  }
  std::ifstream in(spec, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("holidays file ", spec, ": cannot open"));
  // Read no more than the bounds allow (every line at its longest), plus one byte to notice.
  constexpr size_t kMaxBytes =
      static_cast<size_t>(kMaxHolidayFileLines) * (kMaxHolidayLineBytes + 2);
  std::string text(kMaxBytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<size_t>(in.gcount()));
  if (text.size() > kMaxBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat(spec, ": larger than ", kMaxBytes, " bytes (at most ", kMaxHolidayFileLines,
                     " lines of at most ", kMaxHolidayLineBytes, " bytes)"));
  }
  return ParseHolidayDates(text, spec);
}

absl::StatusOr<base::HolidayCalendar> LoadRegionHolidayCalendar(const std::string& spec,
                                                                const std::string& time_zone) {
  absl::StatusOr<base::HolidayCalendar> calendar = LoadHolidayCalendar(spec);
  if (!calendar.ok()) return calendar;
  if (time_zone.empty() || time_zone == "UTC" || time_zone == "Europe/London") return calendar;
  absl::TimeZone zone;
  if (time_zone.size() > kMaxHolidayLineBytes || !absl::LoadTimeZone(time_zone, &zone)) {
    return absl::InvalidArgumentError(
        absl::StrCat("time_zone: \"", time_zone, "\" is not a time zone"));
  }
  return calendar->InZone(zone, time_zone);
}

}  // namespace gridpilot::data
