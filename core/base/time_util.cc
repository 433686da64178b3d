#include "core/base/time_util.h"

#include <algorithm>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace gridpilot::base {

absl::StatusOr<absl::Time> ParseUtcTimestamp(std::string_view text) {
  absl::Time t;
  std::string err;
  const std::string s(text);
  // absl::ParseTime also accepts "infinite-past" and "infinite-future", whatever the
  // format: they are not timestamps.
  if ((absl::ParseTime("%Y-%m-%dT%H:%M:%SZ", s, absl::UTCTimeZone(), &t, &err) ||
       absl::ParseTime("%Y-%m-%dT%H:%MZ", s, absl::UTCTimeZone(), &t, &err)) &&
      t != absl::InfinitePast() && t != absl::InfiniteFuture()) {
    return t;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("\"", std::string(text), "\" is not a UTC timestamp like 2023-01-01T00:00:00Z"));
}

absl::StatusOr<absl::Time> ParseUtcDate(std::string_view text) {
  absl::Time t;
  std::string err;
  if (absl::ParseTime("%Y-%m-%d", std::string(text), absl::UTCTimeZone(), &t, &err) &&
      t != absl::InfinitePast() && t != absl::InfiniteFuture()) {
    return t;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("\"", std::string(text), "\" is not a date like 2023-01-01"));
}

namespace {

// Unix seconds of 1000-01-01T00:00:00Z and of 9999-12-31T23:59:59Z: the years written
// with exactly four digits, which the direct formatter covers.
constexpr int64_t kFirstFourDigitSecond = -30610224000;
constexpr int64_t kLastFourDigitSecond = 253402300799;

void TwoDigits(int value, char* out) {
  out[0] = static_cast<char>('0' + value / 10);
  out[1] = static_cast<char>('0' + value % 10);
}

}  // namespace

UtcTimestampText FormatUtcTimestampText(absl::Time t) {
  UtcTimestampText text;
  const int64_t seconds = absl::ToUnixSeconds(t);  // floored
  if (t == absl::InfinitePast() || t == absl::InfiniteFuture() || seconds < kFirstFourDigitSecond ||
      seconds > kLastFourDigitSecond) {
    const std::string formatted = absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", t, absl::UTCTimeZone());
    text.size = std::min(formatted.size(), sizeof(text.chars));
    std::memcpy(text.chars, formatted.data(), text.size);
    return text;
  }
  // Days since 1970-01-01 to a proleptic Gregorian date, counted in 400-year eras that
  // start on March 1st (so a leap day is the last day of its year).
  const int64_t second_of_day = ((seconds % 86400) + 86400) % 86400;
  const int64_t days = (seconds - second_of_day) / 86400;
  const int64_t shifted = days + 719468;  // days since 0000-03-01
  const int64_t era = (shifted >= 0 ? shifted : shifted - 146096) / 146097;
  const int64_t day_of_era = shifted - era * 146097;  // [0, 146096]
  const int64_t year_of_era =
      (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
  const int64_t day_of_year =
      day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  const int64_t month_from_march = (5 * day_of_year + 2) / 153;  // [0, 11]
  const int day = static_cast<int>(day_of_year - (153 * month_from_march + 2) / 5 + 1);
  const int month =
      static_cast<int>(month_from_march < 10 ? month_from_march + 3 : month_from_march - 9);
  const int year = static_cast<int>(year_of_era + era * 400 + (month <= 2 ? 1 : 0));
  char* out = text.chars;
  TwoDigits(year / 100, out);
  TwoDigits(year % 100, out + 2);
  out[4] = '-';
  TwoDigits(month, out + 5);
  out[7] = '-';
  TwoDigits(day, out + 8);
  out[10] = 'T';
  TwoDigits(static_cast<int>(second_of_day / 3600), out + 11);
  out[13] = ':';
  TwoDigits(static_cast<int>(second_of_day / 60 % 60), out + 14);
  out[16] = ':';
  TwoDigits(static_cast<int>(second_of_day % 60), out + 17);
  out[19] = 'Z';
  text.size = 20;
  return text;
}

std::string FormatUtcTimestamp(absl::Time t) {
  return std::string(FormatUtcTimestampText(t).view());
}

}  // namespace gridpilot::base
