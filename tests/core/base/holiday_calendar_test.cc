#include "core/base/holiday_calendar.h"

#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "core/base/uk_calendar.h"
#include "gtest/gtest.h"

namespace gridpilot::base {
namespace {

uint64_t Fingerprint(const HolidayCalendar& calendar) {
  Fnv1a fnv;
  fnv.Value(uint64_t{42});
  calendar.AddToFingerprint(&fnv);
  return fnv.hash();
}

// The calendar choice: which days each kind flags.
TEST(HolidayCalendarTest, EachChoiceFlagsItsOwnDays) {
  const HolidayCalendar irish = HolidayCalendar::Dates(
      {absl::CivilDay(2023, 3, 17), absl::CivilDay(2023, 1, 1), absl::CivilDay(2023, 3, 17)},
      "ie.txt");
  struct Case {
    const char* name;
    HolidayCalendar calendar;
    absl::CivilDay day;
    bool holiday;
  };
  const std::vector<Case> cases = {
      {"uk coronation", HolidayCalendar::Uk(), absl::CivilDay(2023, 5, 8), true},
      {"uk default-constructed", HolidayCalendar(), absl::CivilDay(2022, 12, 27), true},
      {"uk st patrick", HolidayCalendar::Uk(), absl::CivilDay(2023, 3, 17), false},
      {"none coronation", HolidayCalendar::None(), absl::CivilDay(2023, 5, 8), false},
      {"none christmas", HolidayCalendar::None(), absl::CivilDay(2023, 12, 25), false},
      {"dates st patrick", irish, absl::CivilDay(2023, 3, 17), true},
      {"dates new year", irish, absl::CivilDay(2023, 1, 1), true},
      {"dates coronation", irish, absl::CivilDay(2023, 5, 8), false},
      {"dates day after", irish, absl::CivilDay(2023, 3, 18), false},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(c.calendar.IsHoliday(c.day), c.holiday) << c.name;
  }
  EXPECT_EQ(irish.Describe(), "2 dates from ie.txt");  // the repeat counted once
  EXPECT_EQ(HolidayCalendar::Uk().Describe(), "uk");
  EXPECT_EQ(HolidayCalendar::None().Describe(), "none");
}

// uk adds nothing, so the model keys from before the key existed still hold; every other
// calendar gives its own key, and the file's name is not part of it.
// New York's 2023-11-05 has 25 hours (daylight saving ends at 02:00 EDT): every
// half-hour of that local day is a holiday, from 04:00Z on the 5th to 05:00Z on the 6th.
TEST(HolidayCalendarTest, InAZoneTheHolidayIsTheZonesLocalDayAcrossAClockChange) {
  absl::TimeZone new_york;
  ASSERT_TRUE(absl::LoadTimeZone("America/New_York", &new_york));
  const HolidayCalendar calendar = HolidayCalendar::Dates({absl::CivilDay(2023, 11, 5)}, "us.txt")
                                       .InZone(new_york, "America/New_York");
  const absl::Time day_start =
      absl::FromCivil(absl::CivilSecond(2023, 11, 5, 4, 0, 0), absl::UTCTimeZone());
  const absl::Time day_end =
      absl::FromCivil(absl::CivilSecond(2023, 11, 6, 5, 0, 0), absl::UTCTimeZone());
  int flagged = 0;
  for (absl::Time t = day_start - absl::Hours(48); t < day_end + absl::Hours(48);
       t += absl::Minutes(30)) {
    const bool expected = t >= day_start && t < day_end;
    EXPECT_EQ(calendar.IsHolidayAt(t), expected) << absl::FormatTime(t);
    flagged += calendar.IsHolidayAt(t) ? 1 : 0;
  }
  EXPECT_EQ(flagged, 50);
  // Its clock: 01:30 happens twice, first in daylight saving time, then not.
  const absl::Time first_pass = day_start + absl::Minutes(90);  // 05:30Z = 01:30 EDT
  EXPECT_TRUE(calendar.IsDaylightSaving(first_pass));
  EXPECT_FALSE(calendar.IsDaylightSaving(first_pass + absl::Hours(1)));  // 01:30 EST
  EXPECT_EQ(calendar.LocalTime(first_pass), absl::CivilSecond(2023, 11, 5, 1, 30, 0));
  EXPECT_EQ(calendar.LocalTime(first_pass + absl::Hours(1)),
            absl::CivilSecond(2023, 11, 5, 1, 30, 0));
  EXPECT_EQ(calendar.Describe(), "1 dates from us.txt on America/New_York days");
  EXPECT_EQ(calendar.zone_name(), "America/New_York");
}

// Without a zone the clock is the UK's, as before: local time, daylight saving and holidays
// are uk_calendar.h's.
TEST(HolidayCalendarTest, WithoutAZoneTheClockIsTheUks) {
  const HolidayCalendar uk = HolidayCalendar::Uk();
  EXPECT_EQ(uk.zone_name(), "");
  for (absl::Time t = absl::FromUnixSeconds(1640995200);  // 2022-01-01T00:00Z
       t < absl::FromUnixSeconds(1704067200); t += absl::Minutes(30)) {
    ASSERT_EQ(uk.LocalTime(t), UkLocalTime(t));
    ASSERT_EQ(uk.IsDaylightSaving(t), UkUtcOffset(t) > absl::ZeroDuration());
    ASSERT_EQ(uk.IsHolidayAt(t), IsEnglandWalesBankHoliday(absl::CivilDay(UkLocalTime(t))));
  }
}

TEST(HolidayCalendarTest, FingerprintSeparatesCalendarsButKeepsUkKeys) {
  Fnv1a bare;
  bare.Value(uint64_t{42});
  EXPECT_EQ(Fingerprint(HolidayCalendar::Uk()), bare.hash());
  const uint64_t none = Fingerprint(HolidayCalendar::None());
  const uint64_t one = Fingerprint(HolidayCalendar::Dates({absl::CivilDay(2023, 3, 17)}, "a"));
  const uint64_t other = Fingerprint(HolidayCalendar::Dates({absl::CivilDay(2023, 3, 18)}, "a"));
  const uint64_t empty = Fingerprint(HolidayCalendar::Dates({}, "a"));
  EXPECT_NE(none, bare.hash());
  EXPECT_NE(one, bare.hash());
  EXPECT_NE(one, none);
  EXPECT_NE(one, other);
  EXPECT_NE(empty, none);
  EXPECT_EQ(one, Fingerprint(HolidayCalendar::Dates({absl::CivilDay(2023, 3, 17)}, "b")));
  // A zone is part of the key (the features differ); its absence adds nothing.
  absl::TimeZone tokyo;
  ASSERT_TRUE(absl::LoadTimeZone("Asia/Tokyo", &tokyo));
  const uint64_t uk_in_tokyo = Fingerprint(HolidayCalendar::Uk().InZone(tokyo, "Asia/Tokyo"));
  EXPECT_NE(uk_in_tokyo, bare.hash());
  EXPECT_NE(Fingerprint(HolidayCalendar::None().InZone(tokyo, "Asia/Tokyo")), none);
  EXPECT_NE(uk_in_tokyo, Fingerprint(HolidayCalendar::Uk().InZone(absl::UTCTimeZone(), "Etc/UTC")));
}

// UkUtcOffset keeps the last year's clock changes; times asked in any order of years, on
// both sides of each change, get that year's (2022: 27 Mar / 30 Oct, 2023: 26 Mar / 29 Oct,
// 2024: 31 Mar / 27 Oct, 2030: 31 Mar / 27 Oct, each at 01:00 UTC).
TEST(UkCalendarTest, OffsetAcrossYearsInAnyOrder) {
  struct Change {
    absl::CivilSecond at_utc;
    bool starts_summer;
  };
  const std::vector<Change> changes = {
      {absl::CivilSecond(2023, 3, 26, 1, 0, 0), true},
      {absl::CivilSecond(2022, 10, 30, 1, 0, 0), false},
      {absl::CivilSecond(2024, 3, 31, 1, 0, 0), true},
      {absl::CivilSecond(2023, 10, 29, 1, 0, 0), false},
      {absl::CivilSecond(2022, 3, 27, 1, 0, 0), true},
      {absl::CivilSecond(2030, 10, 27, 1, 0, 0), false},
      {absl::CivilSecond(2024, 10, 27, 1, 0, 0), false},
      {absl::CivilSecond(2030, 3, 31, 1, 0, 0), true},
  };
  for (int round = 0; round < 2; ++round) {
    for (const Change& change : changes) {
      const absl::Time at = absl::FromCivil(change.at_utc, absl::UTCTimeZone());
      const absl::Duration before = change.starts_summer ? absl::ZeroDuration() : absl::Hours(1);
      const absl::Duration after = change.starts_summer ? absl::Hours(1) : absl::ZeroDuration();
      EXPECT_EQ(UkUtcOffset(at - absl::Seconds(1)), before) << change.at_utc;
      EXPECT_EQ(UkUtcOffset(at), after) << change.at_utc;
      // New Year's Eve and Day around it are winter in every year.
      const absl::CivilYear year(change.at_utc.year());
      EXPECT_EQ(UkUtcOffset(absl::FromCivil(year, absl::UTCTimeZone()) - absl::Seconds(1)),
                absl::ZeroDuration());
      EXPECT_EQ(UkUtcOffset(absl::FromCivil(year, absl::UTCTimeZone())), absl::ZeroDuration());
    }
  }
}

}  // namespace
}  // namespace gridpilot::base
