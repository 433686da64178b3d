// Test helper: reads back the CSV that `gridpilot forecast-eval` writes (one row per issue
// time and horizon: issue_time_utc,target_time_utc,forecast,lower,upper), for the tests
// of each --target to check its times and intervals.
#ifndef GRIDPILOT_TESTS_INTEGRATION_FORECAST_CSV_H_
#define GRIDPILOT_TESTS_INTEGRATION_FORECAST_CSV_H_

#include <fstream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "core/base/time_util.h"
#include "gtest/gtest.h"

namespace gridpilot::testing {

struct ForecastCsvRow {
  std::string line;  // as written, for failure messages
  absl::Time issue;
  absl::Time target;
  double forecast = 0.0;  // in the target's unit (MW, MW change or GBP/MWh)
  double lower = 0.0;
  double upper = 0.0;
};

// Fills *rows with the data rows of the CSV at `path`, in file order. A wrong header is a
// test failure; a row without five fields or with a bad time is a fatal one (call it
// under ASSERT_NO_FATAL_FAILURE).
inline void ReadForecastCsv(const std::string& path, std::vector<ForecastCsvRow>* rows) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line, "issue_time_utc,target_time_utc,forecast,lower,upper") << path;
  while (std::getline(in, line)) {
    const std::vector<std::string> f = absl::StrSplit(line, ',');
    ASSERT_EQ(f.size(), 5u) << line;
    const absl::StatusOr<absl::Time> issue = base::ParseUtcTimestamp(f[0]);
    const absl::StatusOr<absl::Time> target = base::ParseUtcTimestamp(f[1]);
    ASSERT_TRUE(issue.ok() && target.ok()) << line;
    rows->push_back({line, *issue, *target, std::stod(f[2]), std::stod(f[3]), std::stod(f[4])});
  }
}

}  // namespace gridpilot::testing

#endif  // GRIDPILOT_TESTS_INTEGRATION_FORECAST_CSV_H_
