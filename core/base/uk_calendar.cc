#include "core/base/uk_calendar.h"

#include <algorithm>
#include <iterator>

namespace gridpilot::base {
namespace {

// 01:00 UTC on the last Sunday of `month` in `year`.
absl::Time LastSundayOneAmUtc(absl::civil_year_t year, int month) {
  absl::CivilDay day = absl::CivilDay(absl::CivilMonth(year, month) + 1) - 1;  // last day
  while (absl::GetWeekday(day) != absl::Weekday::sunday) --day;
  return absl::FromCivil(absl::CivilSecond(day.year(), day.month(), day.day(), 1, 0, 0),
                         absl::UTCTimeZone());
}

// Sorted. Source: the UK government's published list (gov.uk/bank-holidays).
constexpr absl::CivilDay kEnglandWalesBankHolidays[] = {
    absl::CivilDay(2022, 1, 3),   absl::CivilDay(2022, 4, 15), absl::CivilDay(2022, 4, 18),
    absl::CivilDay(2022, 5, 2),   absl::CivilDay(2022, 6, 2),  absl::CivilDay(2022, 6, 3),
    absl::CivilDay(2022, 8, 29),  absl::CivilDay(2022, 9, 19), absl::CivilDay(2022, 12, 26),
    absl::CivilDay(2022, 12, 27), absl::CivilDay(2023, 1, 2),  absl::CivilDay(2023, 4, 7),
    absl::CivilDay(2023, 4, 10),  absl::CivilDay(2023, 5, 1),  absl::CivilDay(2023, 5, 8),
    absl::CivilDay(2023, 5, 29),  absl::CivilDay(2023, 8, 28), absl::CivilDay(2023, 12, 25),
    absl::CivilDay(2023, 12, 26),
};

}  // namespace

absl::Duration UkUtcOffset(absl::Time t) {
  // The summer of the year asked last, per thread: every tick's features ask this of a
  // time in the same year as the tick before.
  struct Summer {
    absl::Time year_start = absl::InfiniteFuture();
    absl::Time year_end = absl::InfinitePast();
    absl::Time begins, ends;
  };
  thread_local Summer summer;
  if (!(t >= summer.year_start && t < summer.year_end)) {
    const absl::civil_year_t year = absl::ToCivilYear(t, absl::UTCTimeZone()).year();
    summer.year_start = absl::FromCivil(absl::CivilYear(year), absl::UTCTimeZone());
    summer.year_end = absl::FromCivil(absl::CivilYear(year + 1), absl::UTCTimeZone());
    summer.begins = LastSundayOneAmUtc(year, 3);
    summer.ends = LastSundayOneAmUtc(year, 10);
  }
  return t >= summer.begins && t < summer.ends ? absl::Hours(1) : absl::ZeroDuration();
}

absl::CivilSecond UkLocalTime(absl::Time t) {
  return absl::ToCivilSecond(t + UkUtcOffset(t), absl::UTCTimeZone());
}

bool IsEnglandWalesBankHoliday(absl::CivilDay local_day) {
  return std::binary_search(std::begin(kEnglandWalesBankHolidays),
                            std::end(kEnglandWalesBankHolidays), local_day);
}

}  // namespace gridpilot::base
