// `gridpilot forecast-eval --target day-ahead` as a user runs it: the real binary on the
// shipped data for the first week of 2023 (model trained on 2022 into a temporary cache).
// Checks the CSV layout other tools read, the issue and target times, the intervals, the
// side-by-side report, and the errors for a window without enough training data and for
// bad arguments.
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

// The data files, explicitly: the test binary's GRIDPILOT_BIN_DIR need not sit two levels
// below the source tree. NESO's forecast file is read from the demand file's directory.
std::string DataArgs() {
  return " --demand_csv " + testing::DataFile("gb_demand_2022_2023.csv") + " --price_csv " +
         testing::DataFile("gb_price_mid_2022-10_2023-12.csv");
}

TEST(ForecastEvalDayAheadCliTest, OneWeekOfDayAheadForecasts) {
  const std::string model_dir = testing::TempPath("forecast_eval_day_ahead_models");
  std::filesystem::remove_all(model_dir);
  const std::string out = testing::TempPath("forecast_eval_day_ahead.csv");
  const CommandResult r =
      RunGridpilot("forecast-eval --target day-ahead --from 2023-01-01 --to 2023-01-07 --out " +
                   out + " --model_dir " + model_dir + DataArgs());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  for (const char* text : {"MAE MW    RMSE MW   MAPE %", "    model  ", "    NESO day-ahead ",
                           "    seasonal naive ", "    persistence  ", "interval coverage",
                           "336 forecasts", "trained on 365 days from 2022-01-01"}) {
    EXPECT_THAT(r.output, HasSubstr(text)) << r.output;
  }

  std::vector<testing::ForecastCsvRow> rows;
  ASSERT_NO_FATAL_FAILURE(testing::ReadForecastCsv(out, &rows));
  const absl::Time from = *base::ParseUtcDate("2023-01-01");
  for (size_t n = 0; n < rows.size(); ++n) {
    const testing::ForecastCsvRow& row = rows[n];
    const absl::Time day = from + absl::Hours(24) * static_cast<int64_t>(n / 48);
    EXPECT_EQ(row.issue, day - absl::Minutes(15)) << row.line;
    EXPECT_EQ(row.target, day + base::kHalfHour * static_cast<int64_t>(n % 48)) << row.line;
    EXPECT_GT(row.forecast, 10000) << row.line;  // GB MW: ND never fell below 13,601
    EXPECT_LT(row.forecast, 50000) << row.line;
    EXPECT_LT(row.lower, row.forecast) << row.line;
    EXPECT_LT(row.forecast, row.upper) << row.line;
  }
  EXPECT_EQ(rows.size(), 7u * 48);
}

TEST(ForecastEvalDayAheadCliTest, TooFewTrainingDaysIsAnError) {
  const CommandResult r =
      RunGridpilot("forecast-eval --target day-ahead --from 2022-01-10 --to 2022-01-12 --out " +
                   testing::TempPath("y.csv") + " --model_dir " +
                   testing::TempPath("forecast_eval_day_ahead_models_err") + DataArgs());
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_THAT(r.output, HasSubstr("training days before 2022-01-10"));
}

TEST(ForecastEvalDayAheadCliTest, BadArgumentsPrintUsage) {
  for (const std::string args :
       {"forecast-eval --target day-ahead --from 2023-01-01 --to 2023-01-02",
        "forecast-eval --target day-ahead --from 2023-13-01 --to 2023-01-02 --out y",
        "forecast-eval --target day-ahead --from 2023-01-05 --to 2023-01-02 --out y"}) {
    testing::ExpectUsageError(args);
  }
}

}  // namespace
}  // namespace gridpilot
