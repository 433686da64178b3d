#include "core/data/day_ahead_csv_loader.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "core/base/time_util.h"
#include "core/data/grid_data_loader.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace gridpilot::data {
namespace {

using ::testing::HasSubstr;

absl::Time At(const char* text) { return base::ParseUtcTimestamp(text).value(); }

std::string WriteCsv(const std::string& name, const std::string& text) {
  const std::string path =
      ::testing::TempDir() + "/" + name + "." + std::to_string(getpid()) + ".csv";
  std::ofstream(path) << text;
  return path;
}

RegionCsvFormat LocalEndFormat() {
  RegionCsvFormat format;
  format.time_zone = "Europe/London";
  format.stamp_marks = StampMarks::kEnd;
  format.day_ahead_time_column = "period_end_local";
  format.day_ahead_published_column = "issued_local";
  format.day_ahead_column = "forecast_kw";
  return format;
}

// The defaults read the shipped NESO file exactly as LoadDayAheadForecast does.
TEST(DayAheadCsvLoaderTest, DefaultsReadTheShippedFileAsBefore) {
  const std::string path =
      std::string(GRIDPILOT_TEST_DATA_DIR) + "/gb_demand_forecast_dayahead_2022-10_2023-12.csv";
  const absl::StatusOr<std::vector<DayAheadForecastRow>> before = LoadDayAheadForecast(path);
  const absl::StatusOr<std::vector<DayAheadForecastRow>> now =
      LoadRegionDayAheadForecast(RegionCsvFormat{}, path);
  ASSERT_TRUE(before.ok()) << before.status();
  ASSERT_TRUE(now.ok()) << now.status();
  ASSERT_EQ(now->size(), before->size());
  ASSERT_GT(now->size(), 10000u);
  for (size_t i = 0; i < now->size(); ++i) {
    ASSERT_EQ((*now)[i].target_start, (*before)[i].target_start) << i;
    ASSERT_EQ((*now)[i].published, (*before)[i].published) << i;
    ASSERT_EQ((*now)[i].net_load_mw, (*before)[i].net_load_mw) << i;
  }
}

// Local stamps marking the end of each half-hour, across the autumn change (01:00-02:00
// BST then GMT on 2023-10-29): each interval starts half an hour before its stamp, the
// repeated local hour is placed on its first then its second pass, the vintages of one
// target stay together, and a repeated publication time takes its later pass.
TEST(DayAheadCsvLoaderTest, LocalTimeWithEndStampsAcrossTheAutumnChange) {
  const std::string path = WriteCsv("day_ahead_local_end",
                                    "period_end_local,issued_local,forecast_kw\n"
                                    "2023-10-29 00:30,2023-10-28 09:00,410\n"
                                    "2023-10-29 01:00,2023-10-28 09:00,400\n"
                                    "2023-10-29 01:00,2023-10-28 10:00,401\n"
                                    "2023-10-29 01:30,2023-10-28 09:00,390\n"
                                    "2023-10-29 01:00,2023-10-28 09:00,380\n"
                                    "2023-10-29 01:30,2023-10-29 01:15,370\n"
                                    "2023-10-29 02:00,2023-10-28 09:00,\n");
  const absl::StatusOr<std::vector<DayAheadForecastRow>> rows =
      LoadRegionDayAheadForecast(LocalEndFormat(), path);
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_EQ(rows->size(), 7u);
  struct Want {
    const char* target_start;
    const char* published;
    std::optional<double> value;
  };
  const Want want[] = {
      {"2023-10-28T23:00:00Z", "2023-10-28T08:00:00Z", 410},
      {"2023-10-28T23:30:00Z", "2023-10-28T08:00:00Z", 400},  // 01:00 BST ends it
      {"2023-10-28T23:30:00Z", "2023-10-28T09:00:00Z", 401},  // a later vintage, same target
      {"2023-10-29T00:00:00Z", "2023-10-28T08:00:00Z", 390},  // 01:30 BST
      {"2023-10-29T00:30:00Z", "2023-10-28T08:00:00Z", 380},  // 01:00 GMT, second pass
      {"2023-10-29T01:00:00Z", "2023-10-29T01:15:00Z", 370},  // 01:30 GMT; 01:15 GMT issue
      {"2023-10-29T01:30:00Z", "2023-10-28T08:00:00Z", std::nullopt},  // missing value kept
  };
  for (size_t i = 0; i < rows->size(); ++i) {
    EXPECT_EQ((*rows)[i].target_start, At(want[i].target_start)) << i;
    EXPECT_EQ((*rows)[i].published, At(want[i].published)) << i;
    EXPECT_EQ((*rows)[i].net_load_mw, want[i].value) << i;
  }
  std::filesystem::remove(path);
}

TEST(DayAheadCsvLoaderTest, BadFilesNameFileLineAndColumn) {
  struct Case {
    std::string name;
    std::string body;
    std::string want;
  };
  const std::string header = "period_end_local,issued_local,forecast_kw\n";
  const std::vector<Case> cases = {
      {"off_grid", header + "2023-06-01 10:10,2023-05-31 09:00,1\n",
       ":2: column period_end_local: target 2023-06-01T08:40:00Z does not start on the UTC "
       "half-hour grid"},
      {"spring_hole", header + "2023-03-26 01:30,2023-03-25 09:00,1\n",
       ":2: column period_end_local: \"2023-03-26 01:30\" does not exist in Europe/London"},
      {"unsorted",
       header + "2023-06-01 10:30,2023-05-31 09:00,1\n2023-06-01 10:00,"
                "2023-05-31 09:00,1\n",
       ":3: column period_end_local: target 2023-06-01T08:30:00Z published "},
      {"repeated",
       header + "2023-06-01 10:30,2023-05-31 09:00,1\n2023-06-01 10:30,"
                "2023-05-31 09:00,2\n",
       ":3: column issued_local: target 2023-06-01T09:00:00Z published 2023-05-31T08:00:00Z "
       "repeats the previous row"},
      {"bad_value", header + "2023-06-01 10:30,2023-05-31 09:00,abc\n", ":2: column forecast_kw"},
      {"missing_column", "period_end_local,issued_local,value\n", "forecast_kw"},
  };
  for (const Case& c : cases) {
    const std::string path = WriteCsv(c.name, c.body);
    const absl::StatusOr<std::vector<DayAheadForecastRow>> rows =
        LoadRegionDayAheadForecast(LocalEndFormat(), path);
    ASSERT_FALSE(rows.ok()) << c.name;
    EXPECT_EQ(rows.status().code(), absl::StatusCode::kInvalidArgument) << c.name;
    EXPECT_THAT(rows.status().message(), HasSubstr(c.want)) << c.name;
    EXPECT_THAT(rows.status().message(), HasSubstr(path)) << c.name;
    std::filesystem::remove(path);
  }
}

}  // namespace
}  // namespace gridpilot::data
