// `gridpilot forecast-eval` as a user runs it: the real binary on the shipped data for two
// weeks of 2023 (models trained on 2022 into a temporary cache). Checks the CSV layout
// other tools read, the row times, the intervals, the printed report, and the errors for
// an unknown target and bad arguments; and the price target over one week.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "core/base/time_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/run_gridpilot.h"

namespace {

using ::testing::HasSubstr;

using ::gridpilot::testing::CommandResult;
using ::gridpilot::testing::RunGridpilot;

std::string Temp(const std::string& name) { return ::testing::TempDir() + "/" + name; }

std::string DataFile(const std::string& name) {
  return std::string(std::getenv("GRIDPILOT_SOURCE_DIR")) + "/data/" + name;
}

TEST(ForecastEvalCliTest, TwoWeeksOfChangeForecasts) {
  const std::string model_dir = Temp("forecast_eval_models");
  std::filesystem::remove_all(model_dir);
  const std::string out = Temp("forecast_eval.csv");
  // Explicit data files: the test binary's GRIDPILOT_BIN_DIR need not sit two levels
  // below the source tree.
  const CommandResult r = RunGridpilot(
      "forecast-eval --target change --from 2023-01-01 --to 2023-01-14 --out " + out +
      " --model_dir " + model_dir + " --demand_csv " + DataFile("gb_demand_2022_2023.csv") +
      " --price_csv " + DataFile("gb_price_mid_2022-10_2023-12.csv"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  for (const char* line : {"model           MAE", "persistence     MAE", "seasonal naive  MAE",
                           "MAE ratio model / best baseline", "interval coverage", "CSI"}) {
    EXPECT_THAT(r.output, HasSubstr(line)) << r.output;
  }
  EXPECT_THAT(r.output, HasSubstr("horizon 4 (120 min ahead), 672 rows scored"));
  EXPECT_THAT(r.output, HasSubstr("horizon 8 (240 min ahead), 672 rows scored"));

  std::ifstream in(out);
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line, "issue_time_utc,target_time_utc,forecast,lower,upper");
  const absl::Time from = *gridpilot::base::ParseUtcDate("2023-01-01");
  size_t n = 0;
  while (std::getline(in, line)) {
    const std::vector<std::string> f = absl::StrSplit(line, ',');
    ASSERT_EQ(f.size(), 5u) << line;
    const absl::Time issue = *gridpilot::base::ParseUtcTimestamp(f[0]);
    const absl::Time target = *gridpilot::base::ParseUtcTimestamp(f[1]);
    const size_t h = n % 8;  // 8 rows per issue time, horizons 1..8 in order
    EXPECT_EQ(issue, from + (n / 8) * gridpilot::base::kHalfHour) << line;
    EXPECT_EQ(target, issue + h * gridpilot::base::kHalfHour) << line;
    const double forecast = std::stod(f[2]), lower = std::stod(f[3]), upper = std::stod(f[4]);
    EXPECT_LT(lower, forecast) << line;
    EXPECT_LT(forecast, upper) << line;
    ++n;
  }
  EXPECT_EQ(n, 14u * 48 * 8);
}

TEST(ForecastEvalCliTest, UnknownTargetsAreRefused) {
  const CommandResult r = RunGridpilot("forecast-eval --target bogus --from 2023-01-01 --to "
                                       "2023-01-14 --out " + Temp("x.csv"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.output, HasSubstr("--target bogus: must be change, day-ahead or price"));
  EXPECT_THAT(r.output, HasSubstr("usage:"));
}

// The price model: 48 half-hours from every boundary of a week, against the trader's
// profile and the three naive baselines; the interval brackets the forecast.
TEST(ForecastEvalCliTest, PriceWritesEveryHorizonAndPrintsTheBaselines) {
  const std::string out = Temp("price.csv");
  const CommandResult r = RunGridpilot("forecast-eval --target price --from 2023-02-01 --to "
                                       "2023-02-07 --out " + out);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("seasonal naive"));
  EXPECT_THAT(r.output, HasSubstr("MAE ratio model / seasonal naive"));
  EXPECT_THAT(r.output, HasSubstr("trader's profile"));
  EXPECT_THAT(r.output, HasSubstr("trainings, the last on"));
  std::ifstream in(out);
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line, "issue_time_utc,target_time_utc,forecast,lower,upper");
  size_t n = 0;
  const absl::Time from = *gridpilot::base::ParseUtcTimestamp("2023-02-01T00:00:00Z");
  while (std::getline(in, line)) {
    const std::vector<std::string> f = absl::StrSplit(line, ',');
    ASSERT_EQ(f.size(), 5u) << line;
    const absl::Time issue = *gridpilot::base::ParseUtcTimestamp(f[0]);
    const absl::Time target = *gridpilot::base::ParseUtcTimestamp(f[1]);
    EXPECT_EQ(issue, from + (n / 48) * gridpilot::base::kHalfHour) << line;
    EXPECT_EQ(target, issue + (n % 48) * gridpilot::base::kHalfHour) << line;
    EXPECT_LT(std::stod(f[3]), std::stod(f[2])) << line;
    EXPECT_LT(std::stod(f[2]), std::stod(f[4])) << line;
    ++n;
  }
  EXPECT_EQ(n, 7u * 48 * 48);
  // Too early: the shipped prices start at 2022-09-30T23:00Z (a UK day), and the intervals
  // need 29 days.
  const CommandResult early = RunGridpilot("forecast-eval --target price --from 2022-10-10 "
                                           "--to 2022-10-12 --out " + Temp("early.csv"));
  EXPECT_EQ(early.exit_code, 1);
  EXPECT_THAT(early.output, HasSubstr("the prices start at 2022-09-30T23:00:00Z"));
}

TEST(ForecastEvalCliTest, BadArgumentsPrintUsage) {
  for (const std::string args :
       {"forecast-eval --from 2023-01-01 --to 2023-01-02 --out y.csv",
        "forecast-eval --target change --from 2023-01-01 --to 2023-01-02",
        "forecast-eval --target change --from 2023-01-01 --to 2023-01-02 --out y --bogus 1",
        "forecast-eval --target change --from yesterday --to 2023-01-02 --out y",
        "forecast-eval --target change --from 2023-01-05 --to 2023-01-02 --out y"}) {
    const CommandResult r = RunGridpilot(args);
    EXPECT_EQ(r.exit_code, 2) << args;
    EXPECT_THAT(r.output, HasSubstr("usage:")) << args;
  }
}

TEST(ForecastEvalCliTest, WindowWithoutATrainingYearIsAnError) {
  const CommandResult r = RunGridpilot(
      "forecast-eval --target change --from 2022-03-01 --to 2022-03-02 --out " + Temp("y.csv") +
      " --model_dir " + Temp("forecast_eval_models_err") + " --demand_csv " +
      DataFile("gb_demand_2022_2023.csv") + " --price_csv " +
      DataFile("gb_price_mid_2022-10_2023-12.csv"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.output, HasSubstr("the data must cover"));
}

}  // namespace
