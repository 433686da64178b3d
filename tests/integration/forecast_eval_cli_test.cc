// `gridpilot forecast-eval` as a user runs it: the real binary on the shipped data for two
// weeks of 2023 (models trained on 2022 into a temporary cache). Checks the CSV layout
// other tools read, the row times, the intervals, the printed report, and the errors for
// an unknown target and bad arguments; and the price target over one week.
#include <filesystem>
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

using ::testing::HasSubstr;

using ::gridpilot::testing::CommandResult;
using ::gridpilot::testing::RunGridpilot;

TEST(ForecastEvalCliTest, TwoWeeksOfChangeForecasts) {
  const std::string model_dir = testing::TempPath("forecast_eval_models");
  std::filesystem::remove_all(model_dir);
  const std::string out = testing::TempPath("forecast_eval.csv");
  // Explicit data files: the test binary's GRIDPILOT_BIN_DIR need not sit two levels
  // below the source tree.
  const CommandResult r =
      RunGridpilot("forecast-eval --target change --from 2023-01-01 --to 2023-01-14 --out " + out +
                   " --model_dir " + model_dir + " --demand_csv " +
                   testing::DataFile("gb_demand_2022_2023.csv") + " --price_csv " +
                   testing::DataFile("gb_price_mid_2022-10_2023-12.csv"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  for (const char* line : {"model           MAE", "persistence     MAE", "seasonal naive  MAE",
                           "MAE ratio model / best baseline", "interval coverage", "CSI"}) {
    EXPECT_THAT(r.output, HasSubstr(line)) << r.output;
  }
  EXPECT_THAT(r.output, HasSubstr("horizon 4 (120 min ahead), 672 rows scored"));
  EXPECT_THAT(r.output, HasSubstr("horizon 8 (240 min ahead), 672 rows scored"));

  std::vector<testing::ForecastCsvRow> rows;
  ASSERT_NO_FATAL_FAILURE(testing::ReadForecastCsv(out, &rows));
  const absl::Time from = *base::ParseUtcDate("2023-01-01");
  for (size_t n = 0; n < rows.size(); ++n) {
    const testing::ForecastCsvRow& row = rows[n];
    const size_t h = n % 8;  // 8 rows per issue time, horizons 1..8 in order
    EXPECT_EQ(row.issue, from + (n / 8) * base::kHalfHour) << row.line;
    EXPECT_EQ(row.target, row.issue + h * base::kHalfHour) << row.line;
    EXPECT_LT(row.lower, row.forecast) << row.line;
    EXPECT_LT(row.forecast, row.upper) << row.line;
  }
  EXPECT_EQ(rows.size(), 14u * 48 * 8);
}

TEST(ForecastEvalCliTest, UnknownTargetsAreRefused) {
  const CommandResult r =
      RunGridpilot("forecast-eval --target bogus --from 2023-01-01 --to 2023-01-14 --out " +
                   testing::TempPath("x.csv"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.output, HasSubstr("--target bogus: must be change, day-ahead or price"));
  EXPECT_THAT(r.output, HasSubstr("usage:"));
}

// The price model: 48 half-hours from every boundary of a week, against the trader's
// profile and the three naive baselines; the interval brackets the forecast.
TEST(ForecastEvalCliTest, PriceWritesEveryHorizonAndPrintsTheBaselines) {
  const std::string out = testing::TempPath("price.csv");
  const CommandResult r = RunGridpilot(
      "forecast-eval --target price --from 2023-02-01 --to "
      "2023-02-07 --out " +
      out);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("seasonal naive"));
  EXPECT_THAT(r.output, HasSubstr("MAE ratio model / seasonal naive"));
  EXPECT_THAT(r.output, HasSubstr("trader's profile"));
  EXPECT_THAT(r.output, HasSubstr("trainings, the last on"));
  std::vector<testing::ForecastCsvRow> rows;
  ASSERT_NO_FATAL_FAILURE(testing::ReadForecastCsv(out, &rows));
  const absl::Time from = *base::ParseUtcTimestamp("2023-02-01T00:00:00Z");
  for (size_t n = 0; n < rows.size(); ++n) {
    const testing::ForecastCsvRow& row = rows[n];
    EXPECT_EQ(row.issue, from + (n / 48) * base::kHalfHour) << row.line;
    EXPECT_EQ(row.target, row.issue + (n % 48) * base::kHalfHour) << row.line;
    EXPECT_LT(row.lower, row.forecast) << row.line;
    EXPECT_LT(row.forecast, row.upper) << row.line;
  }
  EXPECT_EQ(rows.size(), 7u * 48 * 48);
  // Too early: the shipped prices start at 2022-09-30T23:00Z (a UK day), and the intervals
  // need 29 days.
  const CommandResult early =
      RunGridpilot("forecast-eval --target price --from 2022-10-10 --to 2022-10-12 --out " +
                   testing::TempPath("early.csv"));
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
    testing::ExpectUsageError(args);
  }
}

TEST(ForecastEvalCliTest, WindowWithoutATrainingYearIsAnError) {
  const CommandResult r = RunGridpilot(
      "forecast-eval --target change --from 2022-03-01 --to 2022-03-02 --out " +
      testing::TempPath("y.csv") + " --model_dir " + testing::TempPath("forecast_eval_models_err") +
      " --demand_csv " + testing::DataFile("gb_demand_2022_2023.csv") + " --price_csv " +
      testing::DataFile("gb_price_mid_2022-10_2023-12.csv"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.output, HasSubstr("the data must cover"));
}

}  // namespace
}  // namespace gridpilot
