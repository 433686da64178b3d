// `gridpilot forecast-eval --walk_forward monthly` as a user runs it: the real binary on the
// shipped data for 2023-01-25 .. 2023-02-05 (two part months, so two refits), day-ahead with
// the gated correction. Checks the per-month table and its CSV, that the months' rows add up
// to the total, and the forecast CSV's days.
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
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

std::string DataArgs() {
  return " --demand_csv " + testing::DataFile("gb_demand_2022_2023.csv") + " --price_csv " +
         testing::DataFile("gb_price_mid_2022-10_2023-12.csv");
}

TEST(ForecastWalkForwardCliTest, DayAheadTwoPartMonths) {
  const std::string model_dir = testing::TempPath("forecast_walk_forward_models");
  std::filesystem::remove_all(model_dir);
  const std::string out = testing::TempPath("forecast_walk_forward.csv");
  const std::string months = testing::TempPath("forecast_walk_forward_months.csv");
  const CommandResult r = RunGridpilot(
      "forecast-eval --target day-ahead --walk_forward monthly --correction gated --from "
      "2023-01-25 --to 2023-02-05 --out " +
      out + " --months_out " + months + " --model_dir " + model_dir + DataArgs());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  for (const char* text : {"NESO correction: gated", "\n  2023-01 ", "\n  2023-02 ", "\n  total ",
                           "the model's MAPE is below NESO's in "}) {
    EXPECT_THAT(r.output, HasSubstr(text)) << r.output;
  }

  std::ifstream in(months);
  std::string line;
  ASSERT_TRUE(std::getline(in, line));
  EXPECT_EQ(line.rfind("month,rows_compared,model_mae_mw,neso_mae_mw,", 0), 0u) << line;
  std::vector<std::string> labels;
  std::vector<int> compared;
  while (std::getline(in, line)) {
    const std::vector<std::string> cells = absl::StrSplit(line, ',');
    ASSERT_GE(cells.size(), 2u) << line;
    labels.push_back(cells[0]);
    int n = 0;
    ASSERT_TRUE(absl::SimpleAtoi(cells[1], &n)) << line;
    compared.push_back(n);
  }
  ASSERT_EQ(labels, (std::vector<std::string>{"2023-01", "2023-02", "total"}));
  EXPECT_GT(compared[0], 0);
  EXPECT_GT(compared[1], 0);
  EXPECT_EQ(compared[0] + compared[1], compared[2]);
  EXPECT_LE(compared[0], 7 * 48);  // January 25-31
  EXPECT_LE(compared[1], 5 * 48);  // February 1-5

  std::vector<testing::ForecastCsvRow> rows;
  ASSERT_NO_FATAL_FAILURE(testing::ReadForecastCsv(out, &rows));
  ASSERT_EQ(rows.size(), 12u * 48);
  const absl::Time from = *base::ParseUtcDate("2023-01-25");
  for (size_t n = 0; n < rows.size(); ++n) {
    const absl::Time day = from + absl::Hours(24) * static_cast<int64_t>(n / 48);
    EXPECT_EQ(rows[n].issue, day - absl::Minutes(15)) << rows[n].line;
    EXPECT_EQ(rows[n].target, day + base::kHalfHour * static_cast<int64_t>(n % 48)) << rows[n].line;
  }
}

TEST(ForecastWalkForwardCliTest, BadOptionsPrintUsage) {
  for (const std::string args : {"--target day-ahead --walk_forward weekly",
                                 "--target day-ahead --walk_forward monthly "
                                 "--correction shrink",
                                 "--target price --walk_forward monthly --correction gated",
                                 "--target day-ahead --walk_forward monthly --rolling_months 25"}) {
    const CommandResult r =
        RunGridpilot("forecast-eval " + args + " --from 2023-01-01 --to 2023-01-02 --out " +
                     testing::TempPath("unused.csv") + DataArgs());
    EXPECT_EQ(r.exit_code, 2) << args << "\n" << r.output;
    EXPECT_THAT(r.output, HasSubstr("usage: gridpilot forecast-eval")) << args;
  }
}

}  // namespace
}  // namespace gridpilot
