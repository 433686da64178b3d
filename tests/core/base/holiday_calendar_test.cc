#include "core/base/holiday_calendar.h"

#include <string>
#include <vector>

#include "absl/time/civil_time.h"
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
}

}  // namespace
}  // namespace gridpilot::base
