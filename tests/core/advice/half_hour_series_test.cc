#include "core/advice/half_hour_series.h"

#include <string>

#include "gtest/gtest.h"

namespace gridpilot::advice {
namespace {

absl::StatusOr<HalfHourSeries> Read(const std::string& text) {
  absl::StatusOr<data::CsvFile> file = data::CsvFile::Parse(text, "meter.csv");
  if (!file.ok()) return file.status();
  return ReadHalfHourSeries(*file, "t", "kw", 0, 100, "kW");
}

TEST(HalfHourSeriesTest, AveragesSamplesOntoTheHalfHourGrid) {
  const absl::StatusOr<HalfHourSeries> s = Read(
      "t,kw\n2007-02-01 00:00,1\n2007-02-01 00:15,3\n2007-02-01 00:30,?\n"
      "2007-02-01T01:10:00Z,5\n2007-02-01 01:20:00,7\n");
  ASSERT_TRUE(s.ok()) << s.status();
  const absl::Time day = absl::FromCivil(absl::CivilDay(2007, 2, 1), absl::UTCTimeZone());
  EXPECT_EQ(s->start, day);
  ASSERT_EQ(s->values.size(), 3u);
  EXPECT_DOUBLE_EQ(*s->values[0], 2);
  EXPECT_FALSE(s->values[1].has_value());  // only a "?" sample
  EXPECT_DOUBLE_EQ(*s->values[2], 6);
  EXPECT_DOUBLE_EQ(*s->At(day + absl::Minutes(65)), 6);
  EXPECT_FALSE(s->At(day - absl::Minutes(1)).has_value());
  EXPECT_EQ(s->Day(day).size(), 48u);
}

TEST(HalfHourSeriesTest, ErrorsNameFileLineAndColumn) {
  EXPECT_NE(Read("t,kw\n2007-02-01 00:00,1\n2007-02-01 00:15,x\n")
                .status()
                .message()
                .find("meter.csv:3: column kw: \"x\" is not a number"),
            std::string::npos);
  EXPECT_NE(Read("t,kw\n2007-02-01 00:00,1\nyesterday,1\n")
                .status()
                .message()
                .find("meter.csv:3: column t: \"yesterday\" is not a time"),
            std::string::npos);
  EXPECT_NE(Read("t,kw\n2007-02-01 00:00,1000\n").status().message().find("meter.csv:2"),
            std::string::npos);
  EXPECT_NE(Read("t,load\n2007-02-01 00:00,1\n").status().message().find("no column kw"),
            std::string::npos);
  EXPECT_NE(Read("t,kw\n2007-02-01 00:00,\n").status().message().find("has no value"),
            std::string::npos);
  EXPECT_NE(Read("t,kw\n2000-01-01 00:00,1\n2020-01-01 00:00,1\n")
                .status()
                .message()
                .find("meter.csv:3: column t: the file spans more than"),
            std::string::npos);
}

}  // namespace
}  // namespace gridpilot::advice
