#include "core/advice/tariff.h"

#include <string>

#include "gtest/gtest.h"

namespace gridpilot::advice {
namespace {

absl::StatusOr<TimeOfUseTariff> Parse(const std::string& text) {
  absl::StatusOr<data::CsvFile> file = data::CsvFile::Parse(text, "tariff.csv");
  if (!file.ok()) return file.status();
  return ParseTariff(*file);
}

TEST(TariffTest, ParsesBandsIncludingOneThatWrapsMidnight) {
  const absl::StatusOr<TimeOfUseTariff> tariff = Parse(
      "start,end,pence_per_kwh\n23:30,06:30,8\n06:30,16:00,20\n16:00,19:00,35\n"
      "19:00,23:30,20\n");
  ASSERT_TRUE(tariff.ok()) << tariff.status();
  EXPECT_DOUBLE_EQ(tariff->pence_per_kwh[0], 8);    // 00:00
  EXPECT_DOUBLE_EQ(tariff->pence_per_kwh[12], 8);   // 06:00
  EXPECT_DOUBLE_EQ(tariff->pence_per_kwh[13], 20);  // 06:30
  EXPECT_DOUBLE_EQ(tariff->pence_per_kwh[32], 35);  // 16:00
  EXPECT_DOUBLE_EQ(tariff->pence_per_kwh[47], 8);   // 23:30
  EXPECT_DOUBLE_EQ(tariff->DayGbpPerMwh()[32], 350);
}

TEST(TariffTest, ErrorsNameFileLineAndField) {
  struct Case {
    std::string text;
    std::string want;
  };
  const Case cases[] = {
      {"start,end,price\n00:00,24:00,1\n", "no column pence_per_kwh"},
      {"start,end,pence_per_kwh\n00:00,24:00,1\n7:00,08:00,2\n",
       "tariff.csv:3: column start: \"7:00\" is not HH:MM"},
      {"start,end,pence_per_kwh\n00:00,12:15,1\n", "tariff.csv:2: column end: \"12:15\""},
      {"start,end,pence_per_kwh\n00:00,24:00,abc\n",
       "tariff.csv:2: column pence_per_kwh: \"abc\" is not a number"},
      {"start,end,pence_per_kwh\n00:00,24:00,5000\n", "tariff.csv:2: column pence_per_kwh"},
      {"start,end,pence_per_kwh\n00:00,18:00,1\n17:00,24:00,2\n",
       "tariff.csv:3: 17:00-17:30 is already covered by line 2"},
      {"start,end,pence_per_kwh\n00:00,18:00,1\n", "tariff.csv: no band covers 18:00-18:30"},
      {"start,end,pence_per_kwh\n24:00,06:00,1\n", "tariff.csv:2: column start: 24:00"},
      {"start,end,pence_per_kwh\n00:00,24:00,\n", "tariff.csv:2: column pence_per_kwh"},
  };
  for (const Case& c : cases) {
    const absl::StatusOr<TimeOfUseTariff> tariff = Parse(c.text);
    ASSERT_FALSE(tariff.ok()) << c.text;
    EXPECT_EQ(tariff.status().code(), absl::StatusCode::kInvalidArgument) << c.text;
    EXPECT_NE(tariff.status().message().find(c.want), std::string::npos)
        << tariff.status().message() << " should contain " << c.want;
  }
}

TEST(TariffTest, BoundsTheNumberOfBands) {
  std::string text = "start,end,pence_per_kwh\n";
  for (int i = 0; i < 49; ++i) text += "00:00,00:30,1\n";
  EXPECT_NE(Parse(text).status().message().find("at most 48"), std::string::npos);
}

}  // namespace
}  // namespace gridpilot::advice
