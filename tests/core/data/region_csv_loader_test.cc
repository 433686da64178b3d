#include "core/data/region_csv_loader.h"

#include <algorithm>
#include <fstream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/time/civil_time.h"
#include "core/base/time_util.h"
#include "core/data/grid_data_loader.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace gridpilot::data {
namespace {

using ::testing::HasSubstr;

std::string WriteTempFile(const std::string& name, const std::string& text) {
  const std::string path = ::testing::TempDir() + name;
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

absl::Time Utc(std::string_view text) { return base::ParseUtcTimestamp(text).value(); }

// A 15-minute, locally stamped format with one load column.
RegionCsvFormat LondonQuarterHours() {
  RegionCsvFormat f;
  f.time_column = "local_time";
  f.time_zone = "Europe/London";
  f.resolution_minutes = 15;
  f.net_load_column = "load_kw";
  f.solar_column = kNoColumn;
  f.wind_column = kNoColumn;
  return f;
}

// Local quarter-hour stamps from `from` (civil, in Europe/London) for `count` rows, load
// 10 + i, skipping the rows listed in `skip`.
std::string QuarterHours(absl::CivilMinute from, int count, std::vector<int> skip = {}) {
  std::string text = "local_time,load_kw\n";
  const absl::TimeZone zone = [] {
    absl::TimeZone z;
    absl::LoadTimeZone("Europe/London", &z);
    return z;
  }();
  absl::Time t = absl::FromCivil(from, zone);
  for (int i = 0; i < count; ++i, t += absl::Minutes(15)) {
    if (std::find(skip.begin(), skip.end(), i) != skip.end()) continue;
    absl::StrAppend(&text, absl::FormatTime("%Y-%m-%d %H:%M", t, zone), ",", 10 + i, "\n");
  }
  return text;
}

TEST(LoadRegionSeriesTest, DefaultFormatReadsTheShippedFilesAsLoadGridSeries) {
  const std::string dir = GRIDPILOT_TEST_DATA_DIR;
  const std::string demand = dir + "/gb_demand_2022_2023.csv";
  const std::string price = dir + "/gb_price_mid_2022-10_2023-12.csv";
  absl::StatusOr<GridSeries> old_way = LoadGridSeries(demand, price);
  absl::StatusOr<RegionSeries> new_way = LoadRegionSeries(RegionCsvFormat{}, demand, price);
  ASSERT_TRUE(old_way.ok()) << old_way.status();
  ASSERT_TRUE(new_way.ok()) << new_way.status();
  ASSERT_EQ(new_way->series.size(), old_way->size());
  for (size_t i = 0; i < old_way->size(); ++i) {
    const GridInterval& a = old_way->at(i);
    const GridInterval& b = new_way->series.at(i);
    ASSERT_EQ(a.start, b.start) << i;
    ASSERT_EQ(a.net_load_mw, b.net_load_mw) << i;
    ASSERT_EQ(a.embedded_solar_mw, b.embedded_solar_mw) << i;
    ASSERT_EQ(a.embedded_wind_mw, b.embedded_wind_mw) << i;
    ASSERT_EQ(a.price_gbp_per_mwh, b.price_gbp_per_mwh) << i;
  }
  EXPECT_EQ(new_way->demand.gaps, 0);
  EXPECT_EQ(new_way->demand.repeats, 0);
  EXPECT_EQ(new_way->demand.holes, 0);
  EXPECT_EQ(new_way->price_resolution_minutes, 30);
}

TEST(LoadRegionSeriesTest, SpringHoleIsCountedAndTheUtcSeriesStaysRegular) {
  // 2023-03-26: London goes from 00:59 GMT to 02:00 BST. 00:00 local for 3 hours of clock
  // time = 2 hours of real time = 8 quarter-hours.
  const std::string demand =
      WriteTempFile("spring.csv", QuarterHours(absl::CivilMinute(2023, 3, 26, 0, 0), 8));
  absl::StatusOr<RegionSeries> got = LoadRegionSeries(LondonQuarterHours(), demand, "none");
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->demand.rows, 8);
  EXPECT_EQ(got->demand.holes, 4);  // 01:00 to 01:45 local never happen
  EXPECT_EQ(got->demand.gaps, 0);
  EXPECT_EQ(got->demand.repeats, 0);
  // At the file's own 15 minutes: one interval per row, UTC-regular.
  ASSERT_EQ(got->series.size(), 8u);
  EXPECT_EQ(got->series.interval(), absl::Minutes(15));
  EXPECT_EQ(got->series.start(), Utc("2023-03-26T00:00:00Z"));
  EXPECT_EQ(*got->series.at(0).net_load_mw, 10.0);
  EXPECT_EQ(*got->series.at(7).net_load_mw, 17.0);
  EXPECT_FALSE(got->series.at(0).price_gbp_per_mwh.has_value());
  // Onto half-hours when asked (the offline commands): the first averages rows 0 and 1.
  got = LoadRegionSeries(LondonQuarterHours(), demand, "none", base::kHalfHour);
  ASSERT_TRUE(got.ok()) << got.status();
  ASSERT_EQ(got->series.size(), 4u);
  EXPECT_DOUBLE_EQ(*got->series.at(0).net_load_mw, 10.5);
  EXPECT_DOUBLE_EQ(*got->series.at(3).net_load_mw, 16.5);
}

TEST(LoadRegionSeriesTest, AutumnRepeatTakesTheSecondPass) {
  // 2023-10-29: 01:00-01:59 local happens twice (BST, then GMT). From 00:00 BST (23:00Z),
  // 16 quarter-hours of real time.
  const std::string demand =
      WriteTempFile("autumn.csv", QuarterHours(absl::CivilMinute(2023, 10, 29, 0, 0), 16));
  absl::StatusOr<RegionSeries> got = LoadRegionSeries(LondonQuarterHours(), demand, "none");
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->demand.repeats, 4);
  EXPECT_EQ(got->demand.holes, 0);
  EXPECT_EQ(got->demand.gaps, 0);
  ASSERT_EQ(got->series.size(), 16u);
  EXPECT_EQ(got->series.start(), Utc("2023-10-28T23:00:00Z"));
  EXPECT_EQ(*got->series.at(15).net_load_mw, 25.0);
}

TEST(LoadRegionSeriesTest, GapsStayMissingAndMakeTheirHalfHourMissing) {
  const std::string demand = WriteTempFile(
      "gaps.csv", QuarterHours(absl::CivilMinute(2023, 1, 10, 0, 0), 8, /*skip=*/{3, 4, 5}));
  absl::StatusOr<RegionSeries> got = LoadRegionSeries(LondonQuarterHours(), demand, "none");
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->demand.gaps, 3);
  EXPECT_EQ(got->demand.intervals_incomplete, 0);
  ASSERT_EQ(got->series.size(), 8u);
  for (size_t i : {3, 4, 5}) EXPECT_FALSE(got->series.at(i).net_load_mw.has_value()) << i;
  EXPECT_EQ(*got->series.at(6).net_load_mw, 16.0);
  got = LoadRegionSeries(LondonQuarterHours(), demand, "none", base::kHalfHour);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->demand.intervals_incomplete, 1);  // rows 2+3; rows 4+5 are wholly gaps
  ASSERT_EQ(got->series.size(), 4u);
  EXPECT_TRUE(got->series.at(0).net_load_mw.has_value());
  EXPECT_FALSE(got->series.at(1).net_load_mw.has_value());  // never zero
  EXPECT_FALSE(got->series.at(2).net_load_mw.has_value());
  EXPECT_DOUBLE_EQ(*got->series.at(3).net_load_mw, 16.5);
}

TEST(LoadRegionSeriesTest, EndMarksShiftEachRowBackOneInterval) {
  RegionCsvFormat f = LondonQuarterHours();
  f.stamp_marks = StampMarks::kEnd;
  const std::string demand =
      WriteTempFile("end.csv", QuarterHours(absl::CivilMinute(2023, 1, 10, 0, 15), 4));
  absl::StatusOr<RegionSeries> got = LoadRegionSeries(f, demand, "none");
  ASSERT_TRUE(got.ok()) << got.status();
  ASSERT_EQ(got->series.size(), 4u);
  EXPECT_EQ(got->series.start(), Utc("2023-01-10T00:00:00Z"));
  EXPECT_EQ(*got->series.at(0).net_load_mw, 10.0);
}

TEST(LoadRegionSeriesTest, HalfHourlyPricesJoinQuarterHourDemand) {
  const std::string demand =
      WriteTempFile("qd.csv", QuarterHours(absl::CivilMinute(2023, 1, 10, 0, 0), 8));
  const std::string price = WriteTempFile("hp.csv",
                                          "when,eur\n"
                                          "2023-01-10 00:00,50\n"
                                          "2023-01-10 00:30,60\n"
                                          "2023-01-10 01:30,80\n");
  RegionCsvFormat f = LondonQuarterHours();
  f.price_time_column = "when";
  f.price_column = "eur";
  absl::StatusOr<RegionSeries> got = LoadRegionSeries(f, demand, price);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->price_resolution_minutes, 30);
  EXPECT_EQ(got->price.gaps, 1);
  // Each half-hourly price fills both of its quarter-hours; the gap stays missing.
  ASSERT_EQ(got->series.size(), 8u);
  EXPECT_EQ(got->series.at(0).price_gbp_per_mwh, 50.0);
  EXPECT_EQ(got->series.at(1).price_gbp_per_mwh, 50.0);
  EXPECT_EQ(got->series.at(2).price_gbp_per_mwh, 60.0);
  EXPECT_EQ(got->series.at(3).price_gbp_per_mwh, 60.0);
  EXPECT_FALSE(got->series.at(4).price_gbp_per_mwh.has_value());
  EXPECT_FALSE(got->series.at(5).price_gbp_per_mwh.has_value());
  EXPECT_EQ(got->series.at(6).price_gbp_per_mwh, 80.0);
  EXPECT_EQ(got->series.at(7).price_gbp_per_mwh, 80.0);
}

TEST(LoadRegionSeriesTest, FiveMinuteDemandTakesHourlyPricesAndFinerPricesAreAveraged) {
  RegionCsvFormat f = LondonQuarterHours();
  f.resolution_minutes = 5;
  f.price_time_column = "when";
  f.price_column = "eur";
  std::string text = "local_time,load_kw\n";
  for (int i = 0; i < 24; ++i) {
    absl::StrAppend(&text, absl::StrFormat("2023-01-10 %02d:%02d,%d\n", i / 12, 5 * (i % 12), i));
  }
  const std::string demand = WriteTempFile("five.csv", text);
  const std::string hourly =
      WriteTempFile("hourly_p.csv", "when,eur\n2023-01-10 00:00,40\n2023-01-10 01:00,70\n");
  absl::StatusOr<RegionSeries> got = LoadRegionSeries(f, demand, hourly);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->series.interval(), absl::Minutes(5));
  ASSERT_EQ(got->series.size(), 24u);
  EXPECT_EQ(*got->series.at(13).net_load_mw, 13.0);
  EXPECT_EQ(got->price_resolution_minutes, 60);
  for (size_t i = 0; i < 12; ++i) EXPECT_EQ(got->series.at(i).price_gbp_per_mwh, 40.0) << i;
  for (size_t i = 12; i < 24; ++i) EXPECT_EQ(got->series.at(i).price_gbp_per_mwh, 70.0) << i;

  // 15-minute demand with 5-minute prices: each quarter-hour's price is the mean of its
  // three; one missing makes it missing (and is counted).
  f.resolution_minutes = 15;
  const std::string fine = WriteTempFile("fine_p.csv",
                                         "when,eur\n2023-01-10 00:00,10\n2023-01-10 00:05,20\n"
                                         "2023-01-10 00:10,60\n2023-01-10 00:15,5\n"
                                         "2023-01-10 00:25,5\n");
  got = LoadRegionSeries(
      f, WriteTempFile("q.csv", QuarterHours(absl::CivilMinute(2023, 1, 10, 0, 0), 4)), fine);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->price_resolution_minutes, 5);
  EXPECT_DOUBLE_EQ(*got->series.at(0).price_gbp_per_mwh, 30.0);
  EXPECT_FALSE(got->series.at(1).price_gbp_per_mwh.has_value());
  EXPECT_EQ(got->price.intervals_incomplete, 1);
}

TEST(LoadRegionSeriesTest, HourlyValuesFillBothHalfHours) {
  RegionCsvFormat f = LondonQuarterHours();
  f.resolution_minutes = 60;
  const std::string demand =
      WriteTempFile("hourly.csv", "local_time,load_kw\n2023-01-10 00:00,5\n2023-01-10 01:00,7\n");
  absl::StatusOr<RegionSeries> got = LoadRegionSeries(f, demand, "none");
  ASSERT_TRUE(got.ok()) << got.status();
  // Natively: hourly intervals.
  EXPECT_EQ(got->series.interval(), absl::Hours(1));
  ASSERT_EQ(got->series.size(), 2u);
  EXPECT_EQ(got->series.end(), Utc("2023-01-10T02:00:00Z"));
  got = LoadRegionSeries(f, demand, "none", base::kHalfHour);
  ASSERT_TRUE(got.ok()) << got.status();
  ASSERT_EQ(got->series.size(), 4u);
  EXPECT_EQ(got->series.at(1).net_load_mw, 5.0);
  EXPECT_EQ(got->series.at(2).net_load_mw, 7.0);
}

// No look-ahead at 15 minutes: changing rows after a time leaves every interval that ends
// by then unchanged.
TEST(LoadRegionSeriesTest, FutureRowsDoNotChangeEarlierHalfHours) {
  const std::string base_text = QuarterHours(absl::CivilMinute(2023, 3, 25, 20, 0), 40);
  std::string changed = "local_time,load_kw\n";
  int line = 0;
  for (absl::string_view row : absl::StrSplit(base_text, '\n')) {
    if (row.empty() || line++ == 0) continue;
    std::vector<std::string> fields = absl::StrSplit(row, ',');
    // From row 20 on (after the hole): different values and one gap.
    if (line - 2 >= 20) {
      if (line - 2 == 25) continue;
      fields[1] = absl::StrCat(999 - line);
    }
    absl::StrAppend(&changed, fields[0], ",", fields[1], "\n");
  }
  absl::StatusOr<RegionSeries> a =
      LoadRegionSeries(LondonQuarterHours(), WriteTempFile("la_a.csv", base_text), "none");
  absl::StatusOr<RegionSeries> b =
      LoadRegionSeries(LondonQuarterHours(), WriteTempFile("la_b.csv", changed), "none");
  ASSERT_TRUE(a.ok()) << a.status();
  ASSERT_TRUE(b.ok()) << b.status();
  ASSERT_EQ(a->series.size(), b->series.size());
  for (size_t i = 0; i < 20; ++i) {
    EXPECT_EQ(a->series.at(i).net_load_mw, b->series.at(i).net_load_mw) << i;
  }
  EXPECT_NE(a->series.at(20).net_load_mw, b->series.at(20).net_load_mw);
}

TEST(LoadRegionSeriesTest, BadInputNamesFileLineAndField) {
  const std::string renamed =
      WriteTempFile("renamed.csv", "local_time,demand\n2023-01-10 00:00,5\n");
  absl::StatusOr<RegionSeries> got = LoadRegionSeries(LondonQuarterHours(), renamed, "none");
  EXPECT_EQ(got.status().message(),
            renamed + ": no column load_kw; columns found: local_time, demand");

  const std::string bad_stamp =
      WriteTempFile("badstamp.csv", "local_time,load_kw\n2023-01-10 00:00,5\n10/01/2023,6\n");
  got = LoadRegionSeries(LondonQuarterHours(), bad_stamp, "none");
  EXPECT_THAT(got.status().message(),
              HasSubstr(bad_stamp + ":3: column local_time: \"10/01/2023\""));

  const std::string in_hole =
      WriteTempFile("hole.csv", "local_time,load_kw\n2023-03-26 00:45,5\n2023-03-26 01:00,6\n");
  got = LoadRegionSeries(LondonQuarterHours(), in_hole, "none");
  EXPECT_THAT(got.status().message(),
              HasSubstr(in_hole + ":3: column local_time: \"2023-03-26 01:00\" does not exist"));

  const std::string duplicate =
      WriteTempFile("dup.csv",
                    "local_time,load_kw\n2023-01-10 00:00,5\n2023-01-10 00:15,6\n"
                    "2023-01-10 00:15,7\n");
  got = LoadRegionSeries(LondonQuarterHours(), duplicate, "none");
  EXPECT_THAT(got.status().message(), HasSubstr("at lines 3 and 4"));

  const std::string off_grid =
      WriteTempFile("offgrid.csv", "local_time,load_kw\n2023-01-10 00:00,5\n2023-01-10 00:20,6\n");
  got = LoadRegionSeries(LondonQuarterHours(), off_grid, "none");
  EXPECT_THAT(got.status().message(), HasSubstr(off_grid + ":3: column local_time:"));

  const std::string far =
      WriteTempFile("far.csv", "local_time,load_kw\n1990-01-10 00:00,5\n2023-01-10 00:15,6\n");
  got = LoadRegionSeries(LondonQuarterHours(), far, "none");
  EXPECT_THAT(got.status().message(), HasSubstr("more than 1100000 intervals"));

  RegionCsvFormat f = LondonQuarterHours();
  f.time_zone = "Europe/Atlantis";
  got = LoadRegionSeries(f, renamed, "none");
  EXPECT_THAT(got.status().message(), HasSubstr("data.time_zone: \"Europe/Atlantis\""));
  f = LondonQuarterHours();
  f.resolution_minutes = 10;
  EXPECT_THAT(LoadRegionSeries(f, renamed, "none").status().message(),
              HasSubstr("data.resolution_minutes: 10 is not 5, 15, 30 or 60"));
}

}  // namespace
}  // namespace gridpilot::data
