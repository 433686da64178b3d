// Integration test of the live simulator (`gridpilot backtest --step_seconds 5`): the real
// four processes step one day of 2023 every 5 simulated seconds, lock-step, with a
// generator trip and a cloud front injected by the gateway config. Checks: the report, the
// ledger's arithmetic, the response agent countering the trip in the very next step
// (and saying why), the penalty against the no-dispatch baseline, and that two runs settle
// identically.
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/integration/run_gridpilot.h"
#include "tests/integration/sqlite_query.h"
#include "tests/integration/test_env.h"

namespace gridpilot {
namespace {

using Json = nlohmann::json;
using ::gridpilot::testing::Column;
using ::gridpilot::testing::Number;
using ::gridpilot::testing::RunGridpilot;

constexpr char kConfig[] = R"({"live": {"random_events_per_hour": 0, "seed": 7, "events": [
  {"kind": "generator_trip", "at": "2023-06-01T10:00:00Z", "magnitude_mw": 12, "duration_min": 15},
  {"kind": "cloud_front", "at": "2023-06-01T12:00:00Z", "magnitude_mw": 20, "duration_min": 20}]}})";

struct DayRun {
  Json report;
  std::string store;
};

DayRun RunDay(const std::string& name) {
  const std::string dir = testing::FreshTempDir("live-sim-" + name);
  std::ofstream(dir + "/config.json") << kConfig;
  const auto result =
      RunGridpilot("backtest --from 2023-06-01 --to 2023-06-01 --step_seconds 5 --config " + dir +
                   "/config.json --json " + dir + "/report.json --run_dir " + dir + "/run");
  EXPECT_EQ(result.exit_code, 0) << result.output;
  DayRun run;
  std::ifstream in(dir + "/report.json");
  if (in) run.report = Json::parse(in);
  run.store = dir + "/run/store.sqlite";
  return run;
}

class LiveSimulatorTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { first_ = new DayRun(RunDay("a")); }
  static void TearDownTestSuite() { delete first_; }
  static DayRun* first_;
};
DayRun* LiveSimulatorTest::first_ = nullptr;

TEST_F(LiveSimulatorTest, ReportsADayOfFiveSecondSteps) {
  const Json& r = first_->report;
  ASSERT_FALSE(r.is_null());
  EXPECT_EQ(r["ticks"].get<int64_t>(), 24 * 720);
  EXPECT_EQ(r["step_seconds"].get<double>(), 5.0);
  double sum = 0.0;
  for (const auto& [cause, amount] : r["ledger_gbp"].items()) {
    if (cause != "net") sum += amount.get<double>();
  }
  EXPECT_NEAR(sum, r["ledger_gbp"]["net"].get<double>(), 1e-6);
  // The agent keeps the day's penalty well under the no-dispatch baseline.
  const double penalty = -r["ledger_gbp"]["instability_penalty"].get<double>();
  const double baseline = r["baseline_instability_penalty_gbp"].get<double>();
  EXPECT_GT(baseline, 0.0);
  EXPECT_LT(penalty, 0.25 * baseline) << penalty << " vs " << baseline;
  EXPECT_GT(r["ramp_episodes"]["countered"].get<int64_t>() +
                r["ramp_episodes"]["not_countered"].get<int64_t>(),
            0);
}

TEST_F(LiveSimulatorTest, TheTripIsCounteredInTheNextStep) {
  const std::string& db = first_->store;
  // The trip's own step carries the step up (nothing can act inside it)...
  EXPECT_GT(
      Number(db, "SELECT excess_mw FROM telemetry WHERE interval_start = '2023-06-01T10:00:00Z'"),
      5.0);
  // ...and from the next step the battery, governed by the response agent, covers it.
  EXPECT_EQ(Column(db,
                   "SELECT agent FROM decisions WHERE asset_id = 'battery-1' AND "
                   "interval_start = '2023-06-01T10:00:05Z'"),
            std::vector<std::string>{"response"});
  EXPECT_GT(Number(db,
                   "SELECT applied_mw FROM decisions WHERE asset_id = 'battery-1' AND "
                   "interval_start = '2023-06-01T10:00:05Z'"),
            9.0);
  const std::vector<std::string> reasons =
      Column(db,
             "SELECT reason FROM decisions WHERE asset_id = 'battery-1' AND "
             "interval_start = '2023-06-01T10:00:10Z'");
  ASSERT_EQ(reasons.size(), 1u);
  EXPECT_NE(reasons[0].find("generator_trip"), std::string::npos) << reasons[0];
  // While the trip holds, what the grid sees stays within its tolerance (bar noise).
  EXPECT_LT(Number(db,
                   "SELECT max(excess_mw) FROM telemetry WHERE interval_start > "
                   "'2023-06-01T10:00:00Z' AND interval_start < '2023-06-01T10:15:00Z'"),
            0.5);
}

TEST_F(LiveSimulatorTest, TwoRunsSettleIdentically) {
  DayRun second = RunDay("b");
  ASSERT_FALSE(second.report.is_null());
  EXPECT_EQ(first_->report["ledger_gbp"], second.report["ledger_gbp"]);
  EXPECT_EQ(first_->report["ramp_episodes"], second.report["ramp_episodes"]);
}

}  // namespace
}  // namespace gridpilot
