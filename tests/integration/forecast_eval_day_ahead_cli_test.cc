// `gridpilot forecast-eval --target day-ahead` as a user runs it: the real binary on the
// shipped data for the first week of 2023 (model trained on 2022 into a temporary cache).
// Checks the CSV layout other tools read, the issue and target times, the intervals, the
// side-by-side report, and the errors for a window without enough training data and for
// bad arguments.
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

// The data files, explicitly: the test binary's GRIDPILOT_BIN_DIR need not sit two levels
// below the source tree. NESO's forecast file is read from the demand file's directory.
std::string DataArgs() {
  const std::string dir = std::string(std::getenv("GRIDPILOT_SOURCE_DIR")) + "/data/";
  return " --demand_csv " + dir + "gb_demand_2022_2023.csv --price_csv " + dir +
         "gb_price_mid_2022-10_2023-12.csv";
}

TEST(ForecastEvalDayAheadCliTest, OneWeekOfDayAheadForecasts) {
  const std::string model_dir = Temp("forecast_eval_day_ahead_models");
  std::filesystem::remove_all(model_dir);
  const std::string out = Temp("forecast_eval_day_ahead.csv");
  const CommandResult r =
      RunGridpilot("forecast-eval --target day-ahead --from 2023-01-01 --to 2023-01-07 --out " +
                   out + " --model_dir " + model_dir + DataArgs());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  for (const char* text : {"MAE MW    RMSE MW   MAPE %", "    model  ", "    NESO day-ahead ",
                           "    seasonal naive ", "    persistence  ", "interval coverage",
                           "336 forecasts", "trained on 365 days from 2022-01-01"}) {
    EXPECT_THAT(r.output, HasSubstr(text)) << r.output;
  }

  std::ifstream in(out);
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line, "issue_time_utc,target_time_utc,forecast,lower,upper");
  const absl::Time from = *gridpilot::base::ParseUtcDate("2023-01-01");
  size_t n = 0;
  while (std::getline(in, line)) {
    const std::vector<std::string> f = absl::StrSplit(line, ',');
    ASSERT_EQ(f.size(), 5u) << line;
    const absl::Time day = from + absl::Hours(24) * static_cast<int64_t>(n / 48);
    EXPECT_EQ(*gridpilot::base::ParseUtcTimestamp(f[0]), day - absl::Minutes(15)) << line;
    EXPECT_EQ(*gridpilot::base::ParseUtcTimestamp(f[1]),
              day + gridpilot::base::kHalfHour * static_cast<int64_t>(n % 48))
        << line;
    const double forecast = std::stod(f[2]), lower = std::stod(f[3]), upper = std::stod(f[4]);
    EXPECT_GT(forecast, 10000) << line;  // GB MW: ND never fell below 13,601
    EXPECT_LT(forecast, 50000) << line;
    EXPECT_LT(lower, forecast) << line;
    EXPECT_LT(forecast, upper) << line;
    ++n;
  }
  EXPECT_EQ(n, 7u * 48);
}

TEST(ForecastEvalDayAheadCliTest, TooFewTrainingDaysIsAnError) {
  const CommandResult r = RunGridpilot(
      "forecast-eval --target day-ahead --from 2022-01-10 --to 2022-01-12 --out " +
      Temp("y.csv") + " --model_dir " + Temp("forecast_eval_day_ahead_models_err") +
      DataArgs());
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_THAT(r.output, HasSubstr("training days before 2022-01-10"));
}

TEST(ForecastEvalDayAheadCliTest, BadArgumentsPrintUsage) {
  for (const std::string args :
       {"forecast-eval --target day-ahead --from 2023-01-01 --to 2023-01-02",
        "forecast-eval --target day-ahead --from 2023-13-01 --to 2023-01-02 --out y",
        "forecast-eval --target day-ahead --from 2023-01-05 --to 2023-01-02 --out y"}) {
    const CommandResult r = RunGridpilot(args);
    EXPECT_EQ(r.exit_code, 2) << args;
    EXPECT_THAT(r.output, HasSubstr("usage:")) << args;
  }
}

}  // namespace
