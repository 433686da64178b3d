// `gridpilot forecast-eval` and `gridpilot train` on a region's own layout (--config): the
// shipped worked example (data/household_15min.json: a household meter at 15 minutes,
// local time, no prices, no day-ahead file) read through the same config the launcher
// takes, with models trained into a temporary cache; and a holidays file in the config
// reaching training.
#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "core/base/time_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/forecast_csv.h"
#include "tests/integration/run_gridpilot.h"
#include "tests/integration/test_env.h"

namespace gridpilot {
namespace {

using ::gridpilot::testing::CommandResult;
using ::gridpilot::testing::RunGridpilot;
using ::testing::HasSubstr;

TEST(ForecastEvalRegionCliTest, ChangeForecastsOfTheHouseholdExample) {
  const std::string model_dir = testing::FreshTempDir("region_eval_models");
  const std::string out = testing::TempPath("region_eval.csv");
  const CommandResult r =
      RunGridpilot("forecast-eval --config " + testing::DataFile("household_15min.json") +
                   " --target change --from 2007-03-12 --to 2007-03-18 --training_days 39 --out " +
                   out + " --model_dir " + model_dir);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  // The region as the gateway reads it: 15-minute local stamps, scale 10, uk holidays.
  EXPECT_THAT(r.output, HasSubstr("region: "));
  EXPECT_THAT(r.output, HasSubstr("Europe/London"));
  EXPECT_THAT(r.output, HasSubstr("intervals of 30m from 2007-02-01T00:00:00Z"));
  EXPECT_THAT(r.output, HasSubstr("scale 10; holidays uk"));
  EXPECT_THAT(r.output, HasSubstr("(the demand file's units x 10.00)"));
  for (const char* line : {"horizon 1 (30 min ahead)", "horizon 8 (240 min ahead)",
                           "model           MAE", "persistence     MAE", "seasonal naive  MAE",
                           "MAE ratio model / best baseline", "interval coverage"}) {
    EXPECT_THAT(r.output, HasSubstr(line)) << r.output;
  }
  std::vector<testing::ForecastCsvRow> rows;
  ASSERT_NO_FATAL_FAILURE(testing::ReadForecastCsv(out, &rows));
  ASSERT_FALSE(rows.empty());
  const absl::Time from = *base::ParseUtcDate("2007-03-12");
  const absl::Time to = *base::ParseUtcDate("2007-03-19");
  for (const testing::ForecastCsvRow& row : rows) {
    EXPECT_GE(row.issue, from) << row.line;
    EXPECT_LT(row.issue, to) << row.line;
    // Region MW: 10,000 homes of a few kW each, not GB's tens of GW.
    EXPECT_LT(std::abs(row.forecast), 100.0) << row.line;
  }
  EXPECT_GT(rows.size(), 7u * 48 * 8 * 9 / 10);  // nearly every issue time of the week
  EXPECT_LE(rows.size(), 7u * 48 * 8);
  std::filesystem::remove(out);
}

// Without enough history the message names the window; --walk_forward keeps GB.
TEST(ForecastEvalRegionCliTest, TooLittleHistoryIsAClearError) {
  const CommandResult r = RunGridpilot(
      "forecast-eval --config " + testing::DataFile("household_15min.json") +
      " --target change --from 2007-03-12 --to 2007-03-18 --out " + testing::TempPath("never.csv"));
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_THAT(r.output, HasSubstr("365 training days before the window"));
  const CommandResult walk = RunGridpilot(
      "forecast-eval --config " + testing::DataFile("household_15min.json") +
      " --target change --walk_forward monthly --from 2007-03-12 --to 2007-03-18 --out " +
      testing::TempPath("never.csv"));
  EXPECT_EQ(walk.exit_code, 2) << walk.output;
  EXPECT_THAT(walk.output, HasSubstr("--walk_forward reads the shipped GB layout only"));
}

// `gridpilot train --config`: the household layout and a holidays file from the config.
TEST(ForecastEvalRegionCliTest, TrainReadsTheConfigsLayoutAndHolidays) {
  const std::string dir = testing::FreshTempDir("region_train");
  std::ofstream(dir + "/holidays.txt") << "# made up for the test\n2007-03-05\n";
  std::ofstream(dir + "/cfg.json")
      << R"({"region": {"name": "household-x10000", "scale": 10},
              "data": {"demand_csv": ")"
      << testing::DataFile("household_load_15min_local_2007-02_03.csv")
      << R"(", "price_csv": "none", "day_ahead_csv": "none", "time_column": "local_time",
               "time_zone": "Europe/London", "resolution_minutes": 15,
               "net_load_column": "load_kw", "solar_column": "none", "wind_column": "none",
               "holidays": "holidays.txt"}})";
  const CommandResult r = RunGridpilot("train --config " + dir + "/cfg.json --target change " +
                                       "--from 2007-03-12 --to 2007-03-14 --every_days 10 " +
                                       "--training_days 39 --registry " + dir + "/registry");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("holidays 1 dates from " + dir + "/holidays.txt"));
  EXPECT_THAT(r.output, HasSubstr("1 sets published, 0 already there"));
  EXPECT_TRUE(std::filesystem::exists(dir + "/registry"));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace gridpilot
