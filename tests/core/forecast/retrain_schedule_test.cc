// RetrainSchedule: parsing the config's fields and the cut-offs of each cadence.
#include "core/forecast/retrain_schedule.h"

#include "core/base/time_util.h"
#include "gtest/gtest.h"

namespace gridpilot::forecast {
namespace {

absl::Time At(const char* utc) { return *base::ParseUtcTimestamp(utc); }

TEST(RetrainScheduleTest, ParsesEachCadence) {
  absl::StatusOr<RetrainSchedule> month = ParseRetrainSchedule("month", "00:30", 60, "retrain");
  ASSERT_TRUE(month.ok()) << month.status();
  EXPECT_EQ(month->cadence, RetrainCadence::kMonth);
  EXPECT_EQ(month->at, absl::Minutes(30));
  EXPECT_EQ(month->training_days, 60);
  EXPECT_EQ(CadenceName(month->cadence), "month");
  EXPECT_EQ(ParseRetrainSchedule("day", "23:59", 35, "r")->cadence, RetrainCadence::kDay);
  EXPECT_EQ(ParseRetrainSchedule("none", "00:00", 365, "r")->cadence, RetrainCadence::kNone);
}

TEST(RetrainScheduleTest, BadFieldsAreNamed) {
  struct Case {
    const char* every;
    const char* at;
    int days;
    const char* field;
  };
  for (const Case& c :
       {Case{"weekly", "00:30", 60, "retrain.every"}, Case{"day", "24:00", 60, "retrain.at"},
        Case{"day", "0:30", 60, "retrain.at"}, Case{"day", "00:60", 60, "retrain.at"},
        Case{"day", "ab:cd", 60, "retrain.at"}, Case{"day", "00:30", 34, "retrain.training_days"},
        Case{"day", "00:30", 3661, "retrain.training_days"}}) {
    absl::StatusOr<RetrainSchedule> parsed = ParseRetrainSchedule(c.every, c.at, c.days, "retrain");
    ASSERT_FALSE(parsed.ok()) << c.every << " " << c.at << " " << c.days;
    EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_NE(parsed.status().message().find(c.field), std::string::npos) << parsed.status();
  }
}

TEST(RetrainScheduleTest, DailyCutoffIsTheNextTimeOfDayStrictlyAfter) {
  const RetrainSchedule daily = *ParseRetrainSchedule("day", "00:30", 365, "r");
  EXPECT_EQ(*NextRetrainCutoff(daily, At("2023-03-01T00:00:00Z")), At("2023-03-01T00:30:00Z"));
  EXPECT_EQ(*NextRetrainCutoff(daily, At("2023-03-01T00:30:00Z")), At("2023-03-02T00:30:00Z"));
  EXPECT_EQ(*NextRetrainCutoff(daily, At("2023-12-31T12:00:00Z")), At("2024-01-01T00:30:00Z"));
}

TEST(RetrainScheduleTest, MonthlyCutoffIsTheNextMonthStart) {
  const RetrainSchedule monthly = *ParseRetrainSchedule("month", "00:00", 365, "r");
  EXPECT_EQ(*NextRetrainCutoff(monthly, At("2023-01-01T00:00:00Z")), At("2023-02-01T00:00:00Z"));
  EXPECT_EQ(*NextRetrainCutoff(monthly, At("2023-01-31T23:59:59Z")), At("2023-02-01T00:00:00Z"));
  EXPECT_EQ(*NextRetrainCutoff(monthly, At("2023-12-15T00:00:00Z")), At("2024-01-01T00:00:00Z"));
  const RetrainSchedule late = *ParseRetrainSchedule("month", "06:00", 365, "r");
  EXPECT_EQ(*NextRetrainCutoff(late, At("2023-02-01T05:00:00Z")), At("2023-02-01T06:00:00Z"));
}

TEST(RetrainScheduleTest, NoneHasNoCutoff) {
  EXPECT_FALSE(NextRetrainCutoff(RetrainSchedule{}, At("2023-01-01T00:00:00Z")).has_value());
}

}  // namespace
}  // namespace gridpilot::forecast
