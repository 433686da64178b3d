#include "core/data/holiday_dates_file.h"

#include <filesystem>
#include <fstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace gridpilot::data {
namespace {

using ::testing::HasSubstr;

TEST(HolidayDatesFileTest, ReadsDatesSkippingCommentsAndBlankLines) {
  const absl::StatusOr<base::HolidayCalendar> calendar = ParseHolidayDates(
      "# Irish public holidays\n\n2023-03-17   # St Patrick's Day\r\n  2023-01-02\n", "ie.txt");
  ASSERT_TRUE(calendar.ok()) << calendar.status();
  EXPECT_EQ(calendar->kind(), base::HolidayCalendar::Kind::kDates);
  EXPECT_TRUE(calendar->IsHoliday(absl::CivilDay(2023, 3, 17)));
  EXPECT_TRUE(calendar->IsHoliday(absl::CivilDay(2023, 1, 2)));
  EXPECT_FALSE(calendar->IsHoliday(absl::CivilDay(2023, 5, 8)));  // a UK one, not listed
  EXPECT_EQ(calendar->Describe(), "2 dates from ie.txt");
}

TEST(HolidayDatesFileTest, BadLinesAreErrorsNamingFileAndLine) {
  struct Case {
    std::string text;
    std::string error;
  };
  const Case cases[] = {
      {"2023-03-17\n17/03/2023\n", "ie.txt:2: \"17/03/2023\" is not a date (YYYY-MM-DD)"},
      {"2023-02-30\n", "ie.txt:1: \"2023-02-30\" is not a date"},
      {"2023-13-01\n", "ie.txt:1: \"2023-13-01\" is not a date"},
      {"# ok\n2023-03-17 2023-03-18\n", "ie.txt:2:"},
      {"1989-12-31\n", "ie.txt:1: 1989-12-31 is outside the years 1990-2100"},
      {"2101-01-01\n", "ie.txt:1: 2101-01-01 is outside the years 1990-2100"},
      {std::string(300, '#') + "\n", "ie.txt:1: line longer than 256 bytes"},
  };
  for (const Case& c : cases) {
    const absl::StatusOr<base::HolidayCalendar> calendar = ParseHolidayDates(c.text, "ie.txt");
    ASSERT_FALSE(calendar.ok()) << c.text;
    EXPECT_EQ(calendar.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(calendar.status().message(), HasSubstr(c.error)) << c.text;
  }
}

TEST(HolidayDatesFileTest, AtMostTenThousandLines) {
  std::string lines;
  for (int i = 0; i < kMaxHolidayFileLines; ++i) lines += "# comment\n";
  EXPECT_TRUE(ParseHolidayDates(lines, "f").ok());  // exactly the bound, final newline
  const absl::StatusOr<base::HolidayCalendar> over = ParseHolidayDates(lines + "2023-01-01\n", "f");
  ASSERT_FALSE(over.ok());
  EXPECT_THAT(over.status().message(), HasSubstr("f:10001: more than 10000 lines"));
}

TEST(HolidayDatesFileTest, LoadsTheNamedCalendar) {
  EXPECT_EQ(LoadHolidayCalendar("uk")->kind(), base::HolidayCalendar::Kind::kUk);
  EXPECT_EQ(LoadHolidayCalendar("")->kind(), base::HolidayCalendar::Kind::kUk);
  EXPECT_EQ(LoadHolidayCalendar("none")->kind(), base::HolidayCalendar::Kind::kNone);
  const std::string path = ::testing::TempDir() + "/holidays_" + std::to_string(getpid());
  {
    std::ofstream out(path);
    out << "2023-03-17\n";
  }
  const absl::StatusOr<base::HolidayCalendar> file = LoadHolidayCalendar(path);
  ASSERT_TRUE(file.ok()) << file.status();
  EXPECT_TRUE(file->IsHoliday(absl::CivilDay(2023, 3, 17)));
  std::filesystem::remove(path);
  const absl::StatusOr<base::HolidayCalendar> missing = LoadHolidayCalendar(path);
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(missing.status().message(), HasSubstr(path));
  const absl::StatusOr<base::HolidayCalendar> device = LoadHolidayCalendar("/dev/null");
  EXPECT_EQ(device.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(device.status().message(), HasSubstr("not a regular file"));
}

TEST(HolidayDatesFileTest, ARegionsCalendarCountsDaysInItsTimeZoneButUtcAndLondonKeepTheUkClock) {
  for (const char* uk_clock : {"", "UTC", "Europe/London"}) {
    absl::StatusOr<base::HolidayCalendar> calendar = LoadRegionHolidayCalendar("uk", uk_clock);
    ASSERT_TRUE(calendar.ok()) << calendar.status();
    EXPECT_EQ(calendar->zone_name(), "") << uk_clock;
    EXPECT_EQ(calendar->Describe(), "uk");
  }
  absl::StatusOr<base::HolidayCalendar> tokyo = LoadRegionHolidayCalendar("none", "Asia/Tokyo");
  ASSERT_TRUE(tokyo.ok()) << tokyo.status();
  EXPECT_EQ(tokyo->zone_name(), "Asia/Tokyo");
  EXPECT_EQ(tokyo->Describe(), "none on Asia/Tokyo days");
  const absl::StatusOr<base::HolidayCalendar> bad = LoadRegionHolidayCalendar("uk", "Mars/Olympus");
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.status().message(), "time_zone: \"Mars/Olympus\" is not a time zone");
  EXPECT_EQ(LoadRegionHolidayCalendar("/no/such/file", "Asia/Tokyo").status().code(),
            absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace gridpilot::data
