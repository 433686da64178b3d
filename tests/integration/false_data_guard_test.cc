// Integration test of the false-data guard, with the real four processes: the gateway's
// config injects an attacker's ramp (+60 MW an hour for three hours) into the net load it
// reports for one morning of a week's backtest. The forecast process's anomaly detectors
// must judge every attacked reading suspect from the first (+30 MW, caught by the one-step
// check against the 30-min forecast; the seasonal residual alone tolerated +30 and +60
// MW), neither agent may decide on a suspect tick (the
// response agent holds its last decision, the trader its last trusted plan), and the
// gateway's audit log must say why.
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/run_gridpilot.h"
#include "tests/integration/sqlite_query.h"
#include "tests/integration/test_env.h"

namespace gridpilot {
namespace {

using ::gridpilot::testing::Column;
using ::gridpilot::testing::Number;
using ::gridpilot::testing::RunGridpilot;
using ::testing::HasSubstr;

constexpr char kConfig[] = R"({"false_data": [
  {"from": "2023-03-08T04:00:00Z", "duration_min": 180, "ramp_mw_per_hour": 60}]})";

// Every note `agent` left in the audit log of `store` says each of `phrases`.
void ExpectEveryNoteSays(const std::string& store, const std::string& agent,
                         std::initializer_list<const char*> phrases) {
  for (const std::string& note :
       Column(store, "SELECT note FROM agent_notes WHERE agent = '" + agent + "'")) {
    for (const char* phrase : phrases) EXPECT_THAT(note, HasSubstr(phrase));
  }
}

TEST(FalseDataGuardTest, SuspectTicksAreHeldAndAudited) {
  const std::string dir = testing::FreshTempDir("false-data-guard");
  std::ofstream(dir + "/config.json") << kConfig;
  const auto result =
      RunGridpilot("backtest --from 2023-03-01 --to 2023-03-08 --config " + dir +
                   "/config.json --json " + dir + "/report.json --run_dir " + dir + "/run");
  ASSERT_EQ(result.exit_code, 0) << result.output;
  const std::string store = dir + "/run/store.sqlite";

  // The audit log: the agent's notes, one per held tick, all inside the attack.
  const std::vector<std::string> held_ticks =
      Column(store, "SELECT tick FROM agent_notes WHERE agent = 'response' ORDER BY tick");
  ASSERT_FALSE(held_ticks.empty()) << "no tick was judged suspect";
  // Tick t carries the interval [t - 30 min, t); the attack's offset is > 0 for the
  // intervals 04:30 .. 06:30, and the step back at 07:00 is no truer to the forecast.
  EXPECT_EQ(held_ticks, (std::vector<std::string>{"2023-03-08T05:00:00Z", "2023-03-08T05:30:00Z",
                                                  "2023-03-08T06:00:00Z", "2023-03-08T06:30:00Z",
                                                  "2023-03-08T07:00:00Z", "2023-03-08T07:30:00Z"}));
  // The first attacked reading is caught by the one-step check, and its note says so.
  EXPECT_THAT(Column(store,
                     "SELECT note FROM agent_notes WHERE agent = 'response' AND "
                     "tick = '2023-03-08T05:00:00Z'")[0],
              HasSubstr("off the 30-min forecast"));
  ExpectEveryNoteSays(store, "response", {"is suspect", "no decision on it"});
  // No decision was made on a suspect tick: whatever response proposed for the
  // interval starting at a held tick is a held setpoint.
  for (const std::string& tick : held_ticks) {
    SCOPED_TRACE(tick);
    for (const std::string& reason :
         Column(store,
                "SELECT reason FROM proposals WHERE agent = 'response' AND "
                "lease_start = '" +
                    tick + "'")) {
      EXPECT_THAT(reason, HasSubstr("held from"));
    }
  }
  // The trader did not re-plan on the same ticks: each has its note, and its proposal
  // answering the tick (for the interval after it) is the held plan's.
  EXPECT_EQ(Column(store,
                   "SELECT tick FROM agent_notes WHERE agent = 'trader' "
                   "ORDER BY tick"),
            held_ticks);
  ExpectEveryNoteSays(store, "trader", {"is suspect", "no re-plan on it"});
  for (const std::string& tick : held_ticks) {
    SCOPED_TRACE(tick);
    const std::vector<std::string> reasons =
        Column(store,
               "SELECT reason FROM proposals WHERE agent = 'trader' AND "
               "lease_start = strftime('%Y-%m-%dT%H:%M:%SZ', '" +
                   tick + "', '+30 minutes')");
    ASSERT_EQ(reasons.size(), 1u);
    EXPECT_THAT(reasons[0], HasSubstr("held from plan at"));
  }
  // Every plan the trader made is in the audit log, one per tick it did not hold on.
  std::ifstream report_in(dir + "/report.json");
  const int64_t ticks = nlohmann::json::parse(report_in)["ticks"].get<int64_t>();
  EXPECT_EQ(Number(store, "SELECT COUNT(*) FROM plans WHERE agent = 'trader'"),
            static_cast<double>(ticks - static_cast<int64_t>(held_ticks.size())));
  EXPECT_EQ(Number(store, "SELECT MIN(intervals) FROM plans"), 48.0);
  for (const std::string& tick : held_ticks) {
    EXPECT_EQ(Number(store, "SELECT COUNT(*) FROM plans WHERE tick = '" + tick + "'"), 0.0) << tick;
  }
  // The agents counted them, and the report says so.
  std::ifstream in(dir + "/report.json");
  const nlohmann::json report = nlohmann::json::parse(in);
  EXPECT_EQ(report["response_suspect_ticks_held"].get<int64_t>(),
            static_cast<int64_t>(held_ticks.size()));
  EXPECT_EQ(report["trader_suspect_ticks_held"].get<int64_t>(),
            static_cast<int64_t>(held_ticks.size()));
  // Settlement stays on the true values: the grid never saw the attacker's ramp.
  EXPECT_LT(Number(store,
                   "SELECT MAX(baseline_excess_mw) FROM telemetry WHERE interval_start "
                   "BETWEEN '2023-03-08T04:00:00Z' AND '2023-03-08T07:00:00Z'"),
            40.0);
}

}  // namespace
}  // namespace gridpilot
