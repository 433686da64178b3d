// Integration test of the operator CLI against a real running stack: `gridpilot up` runs
// the live simulator (5-minute steps, one every 0.2 s of wall time) in the background, and
// each command (status, assets, events, forecast, anomalies, pnl, schedule, dispatch) is run as an
// operator would, human-readable and with --json. Bad arguments print the usage and exit
// 2; an unreachable stack exits 1; dispatch submits nothing unless confirmed. The forecast
// serves a registry set made by `gridpilot train` and swaps in a newer one on
// `gridpilot reload-model`, never one trained on data after its clock.
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/cli/child_process.h"
#include "tests/integration/run_gridpilot.h"
#include "tests/integration/sqlite_query.h"
#include "tests/integration/test_env.h"

namespace gridpilot {
namespace {

using ::gridpilot::testing::Column;
using ::gridpilot::testing::CommandResult;
using ::gridpilot::testing::RunGridpilot;
using ::testing::HasSubstr;
using ::testing::Not;

// One stack for every test in the suite: starting it (and loading the models) is the slow
// part.
class OperatorCliTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::string(testing::FreshTempDir("operator-cli"));
    // The walk-forward registry the forecast serves from: one set, cut-off 2023-05-01.
    const CommandResult trained = RunGridpilot(Train("2023-05-01"));
    ASSERT_EQ(trained.exit_code, 0) << trained.output;
    absl::StatusOr<ChildProcess> up = ChildProcess::Start(
        "up", testing::BinaryPath("gridpilot"),
        {"up", "--run_dir", *dir_ + "/run", "--from", "2023-06-01", "--to", "2023-06-03",
         "--step_seconds", "300", "--tick_seconds", "0.2", "--registry", *dir_ + "/registry"},
        *dir_ + "/up.log");
    ASSERT_TRUE(up.ok()) << up.status();
    up_ = new ChildProcess(*std::move(up));
    // The trader starts last; then wait until a few intervals have been settled.
    ASSERT_TRUE(up_->WaitForPort(*dir_ + "/run/trader.port", absl::Minutes(5)).ok())
        << up_->LogTail(30);
    const absl::Time give_up = absl::Now() + absl::Minutes(2);
    while (absl::Now() < give_up) {
      const CommandResult status = RunGridpilot(Run("status --json"));
      // int64 fields are JSON strings in the protobuf JSON mapping.
      if (status.exit_code == 0 &&
          std::stoll(
              nlohmann::json::parse(status.output)["clock"]["ticks_done"].get<std::string>()) >=
              6) {
        return;
      }
      absl::SleepFor(absl::Milliseconds(500));
    }
    FAIL() << "the stack never settled 6 intervals:\n" << up_->LogTail(30);
  }

  static void TearDownTestSuite() {
    if (up_ != nullptr) {
      EXPECT_TRUE(up_->Stop(absl::Seconds(30)));
    }
    delete up_;
    delete dir_;
  }

  // One walk-forward set with cut-off `day`, trained on the 365 days before it.
  static std::string Train(const std::string& day) {
    return absl::StrCat("train --target change --from ", day, " --to ", day, " --registry ", *dir_,
                        "/registry");
  }

  // `args` with the stack's run dir.
  static std::string Run(const std::string& args) {
    return absl::StrCat(args, " --run_dir ", *dir_, "/run");
  }

  // Runs `args` against the stack as an operator reading the terminal would: it must exit 0
  // and print each of `lines`.
  static void ExpectHumanOutput(const std::string& args, std::initializer_list<const char*> lines) {
    const CommandResult human = RunGridpilot(Run(args));
    ASSERT_EQ(human.exit_code, 0) << human.output;
    for (const char* line : lines) EXPECT_THAT(human.output, HasSubstr(line)) << human.output;
  }

  static nlohmann::json Json(const std::string& args) {
    const CommandResult result = RunGridpilot(Run(args + " --json"));
    EXPECT_EQ(result.exit_code, 0) << result.output;
    return result.exit_code == 0 ? nlohmann::json::parse(result.output) : nlohmann::json();
  }

  static std::string* dir_;
  static ChildProcess* up_;
};

std::string* OperatorCliTest::dir_ = nullptr;
ChildProcess* OperatorCliTest::up_ = nullptr;

TEST_F(OperatorCliTest, StatusShowsTheClockAndBothAgents) {
  ASSERT_NO_FATAL_FAILURE(ExpectHumanOutput(
      "status",
      {"clock     live, running", "agent     response", "agent     trader", "ramp limit 15.0 MW"}));
  const nlohmann::json json = Json("status");
  EXPECT_EQ(json["clock"]["mode"], "CLOCK_MODE_LIVE");
  EXPECT_EQ(json["clock"]["registered_agents"].size(), 2u);
  EXPECT_GT(std::stoll(json["trader"]["plans_made"].get<std::string>()), 0);
}

TEST_F(OperatorCliTest, AssetsListTheBatteryAndThePeaker) {
  ASSERT_NO_FATAL_FAILURE(
      ExpectHumanOutput("assets", {"battery-1    battery", "peaker-1     peaker   off since"}));
  const nlohmann::json json = Json("assets");
  ASSERT_EQ(json["assets"].size(), 2u);
  const nlohmann::json& battery = json["assets"][0];
  EXPECT_EQ(battery["id"], "battery-1");
  EXPECT_GE(battery["battery"]["soc_mwh"].get<double>(),
            battery["battery"]["soc_min_mwh"].get<double>());
}

TEST_F(OperatorCliTest, EventsListEpisodesAndEvents) {
  ASSERT_NO_FATAL_FAILURE(
      ExpectHumanOutput("events --limit 5", {"ramp episodes (", "ramp events ("}));
  const nlohmann::json json = Json("events --limit 5");
  EXPECT_TRUE(json.contains("events"));
  EXPECT_LE(json["events"].size(), 5u);
}

TEST_F(OperatorCliTest, ForecastGivesEveryHorizonFromTheLatestBoundary) {
  ASSERT_NO_FATAL_FAILURE(ExpectHumanOutput(
      "forecast", {"net-load change forecast issued 2023-06-0", "+30   min",
                   "  why: ", "90% intervals", "base reading: ", "prices, next 6 of 48 half-hours",
                   "day-ahead demand issued 2023-05-31T23:45"}));
  const nlohmann::json json = Json("forecast");
  // The price view (ForecastService.GetPriceForecast) issued at the same decision time:
  // 48 consecutive half-hours from it, each interval (once there) around its price.
  const nlohmann::json& prices = json["prices"];
  EXPECT_EQ(prices["issue_time"], json["forecast"]["issue_time"]);
  ASSERT_EQ(prices["prices"].size(), 48u);
  EXPECT_EQ(prices["prices"][0]["interval_start"], prices["issue_time"]);
  // The day-ahead demand of the replay's first day (ForecastService.GetDayAheadDemand),
  // issued at its cut-off, with NESO's forecast beside it (a vintage was out by then).
  ASSERT_TRUE(json.contains("day_ahead_demand")) << json.dump();
  const nlohmann::json& day_ahead = json["day_ahead_demand"];
  EXPECT_EQ(day_ahead["issue_time"], "2023-05-31T23:45:00Z");
  ASSERT_EQ(day_ahead["demand"].size(), 48u);
  for (const nlohmann::json& d : day_ahead["demand"]) {
    EXPECT_LT(d["lower_mw"].get<double>(), d["demand_mw"].get<double>());
    EXPECT_GT(d["upper_mw"].get<double>(), d["demand_mw"].get<double>());
    EXPECT_NEAR(d["demand_mw"].get<double>(), d["operator_forecast_mw"].get<double>(),
                0.1 * d["operator_forecast_mw"].get<double>());
  }
  for (const nlohmann::json& p : prices["prices"]) {
    ASSERT_TRUE(p.contains("price_gbp_per_mwh")) << p;
    if (!p.contains("upper_gbp_per_mwh")) continue;
    EXPECT_LE(p["lower_gbp_per_mwh"].get<double>(), p["price_gbp_per_mwh"].get<double>());
    EXPECT_GE(p["upper_gbp_per_mwh"].get<double>(), p["price_gbp_per_mwh"].get<double>());
  }
  const nlohmann::json& forecast = json["forecast"];
  ASSERT_GE(forecast["forecasts"].size(), 4u);
  EXPECT_EQ(forecast["forecasts"][0]["horizon"], "1800s");
  // Six intervals settled before the tests: the 30-min interval needs ten scored errors,
  // so it may or may not be there yet; when it is, it brackets the forecast.
  for (const nlohmann::json& h : forecast["forecasts"]) {
    if (!h.contains("upper_change_mw")) continue;
    EXPECT_LT(h["lower_change_mw"].get<double>(), h["change_mw"].get<double>());
    EXPECT_GT(h["upper_change_mw"].get<double>(), h["change_mw"].get<double>());
  }
  // The explanation (ForecastService.Explain over real gRPC) adds up to each forecast.
  const nlohmann::json& explanation = json["explanation"];
  ASSERT_EQ(explanation["horizons"].size(), forecast["forecasts"].size());
  for (size_t j = 0; j < forecast["forecasts"].size(); ++j) {
    const nlohmann::json& h = explanation["horizons"][j];
    double sum = h["bias_mw"].get<double>() + h["others_mw"].get<double>();
    ASSERT_EQ(h["top"].size(), 3u);
    for (const nlohmann::json& c : h["top"]) sum += c["contribution_mw"].get<double>();
    EXPECT_NEAR(sum, forecast["forecasts"][j]["change_mw"].get<double>(), 1e-3);
  }
  // Issued at an interval boundary.
  const std::string issued = forecast["issue_time"];
  EXPECT_THAT(issued, ::testing::AnyOf(HasSubstr(":00:00Z"), HasSubstr(":30:00Z")));
}

TEST_F(OperatorCliTest, AnomaliesReportWhatWasScored) {
  ASSERT_NO_FATAL_FAILURE(
      ExpectHumanOutput("anomalies --limit 3", {"intervals scored; flagged at score >= "}));
  const nlohmann::json json = Json("anomalies");
  EXPECT_GT(std::stoll(json["intervals_scored"].get<std::string>()), 0);
  // An unknown kind is the operator's mistake: the CLI says so, exit 2.
  const CommandResult bad = RunGridpilot(Run("anomalies --kind gremlins"));
  EXPECT_EQ(bad.exit_code, 2) << bad.output;
  EXPECT_THAT(bad.output, HasSubstr("gremlins"));
}

TEST_F(OperatorCliTest, AdviceComesFromTheStacksOwnSeriesBeforeTheDay) {
  ASSERT_NO_FATAL_FAILURE(ExpectHumanOutput(
      "advice --battery_capacity_mwh 100",
      {"advice for 2023-06-0", "of flexible load from", "battery: buy and store"}));
  // A day the stack has already reached: the advice reads only the half-hours before it.
  const nlohmann::json json = Json("advice --date 2023-06-01");
  EXPECT_EQ(json["day"], "2023-06-01T00:00:00Z");
  EXPECT_EQ(json["data_until"], "2023-05-31T23:30:00Z");
  EXPECT_EQ(json["intervals"].size(), 48u);
  EXPECT_THAT(json["advice"].get<std::string>(), HasSubstr("MWh of flexible load from"));
  const CommandResult far = RunGridpilot(Run("advice --date 2023-07-01"));
  EXPECT_EQ(far.exit_code, 1) << far.output;
  EXPECT_THAT(far.output, HasSubstr("more than one day past the latest interval"));
}

TEST_F(OperatorCliTest, PnlShowsTheLedgerByCauseAndTheTrader) {
  ASSERT_NO_FATAL_FAILURE(ExpectHumanOutput("pnl", {"  net ", "of perfect foresight"}));
  const nlohmann::json json = Json("pnl");
  double sum = 0.0;
  for (const nlohmann::json& c : json["ledger"]["by_cause"]) sum += c["amount_gbp"].get<double>();
  EXPECT_NEAR(sum, json["ledger"]["net_gbp"].get<double>(), 1e-6);
}

TEST_F(OperatorCliTest, ScheduleShowsTheTradersPlanAndItsPrices) {
  // "plan at " starts the plan's reason.
  ASSERT_NO_FATAL_FAILURE(
      ExpectHumanOutput("schedule --limit 3", {"plan made at ", "plan at ", " GBP/MWh"}));
  const nlohmann::json json = Json("schedule");
  // A whole horizon of consecutive half-hours, each with a stored energy inside the battery.
  ASSERT_EQ(json["intervals"].size(), 48u);
  for (const nlohmann::json& i : json["intervals"]) {
    EXPECT_GE(i.value("soc_after_mwh", -1.0), 0.0) << i;
    EXPECT_TRUE(i.contains("price_forecast_gbp_per_mwh")) << i;
  }
  EXPECT_FALSE(json.value("reason", "").empty());
  const CommandResult bad = RunGridpilot(Run("schedule --limit 0"));
  EXPECT_EQ(bad.exit_code, 2) << bad.output;
}

// The gateway's store commits in batches: waits up to 10 s for `sql` to give `expected`.
bool StoreHolds(const std::string& store, const std::string& sql,
                const std::vector<std::string>& expected) {
  const absl::Time give_up = absl::Now() + absl::Seconds(10);
  std::vector<std::string> got;
  while (absl::Now() < give_up) {
    got = Column(store, sql);
    if (got == expected) return true;
    absl::SleepFor(absl::Milliseconds(200));
  }
  ADD_FAILURE() << sql << " gave " << ::testing::PrintToString(got);
  return false;
}

TEST_F(OperatorCliTest, DispatchSubmitsOnlyWhenConfirmed) {
  const std::string store = *dir_ + "/run/store.sqlite";
  const std::string count_sql = "SELECT COUNT(*) FROM proposals WHERE agent = 'operator'";
  std::ofstream(*dir_ + "/no.txt") << "no\n";
  const CommandResult declined = RunGridpilot(
      Run("dispatch --asset battery-1 --power_mw 5 --minutes 30") + " < " + *dir_ + "/no.txt");
  EXPECT_EQ(declined.exit_code, 1) << declined.output;
  EXPECT_THAT(declined.output, HasSubstr("Dispatch battery-1 at +5.0 MW"));
  EXPECT_THAT(declined.output, HasSubstr("nothing was submitted"));
  EXPECT_EQ(Column(store, count_sql), std::vector<std::string>{"0"});

  std::ofstream(*dir_ + "/yes.txt") << "yes\n";
  const CommandResult confirmed =
      RunGridpilot(Run("dispatch --asset battery-1 --power_mw 5 --reason 'cli test'") + " < " +
                   *dir_ + "/yes.txt");
  ASSERT_EQ(confirmed.exit_code, 0) << confirmed.output;
  EXPECT_THAT(confirmed.output, HasSubstr("submitted battery-1 at +5.0 MW"));
  EXPECT_TRUE(
      StoreHolds(store, "SELECT reason FROM proposals WHERE agent = 'operator'", {"cli test"}));

  const nlohmann::json json = Json("dispatch --asset battery-1 --power_mw -5 --yes");
  EXPECT_EQ(json["request"]["proposals"][0]["power_mw"], -5.0);
  EXPECT_GT(std::stoll(json["response"]["results"][0]["proposal_id"].get<std::string>()), 0);
  EXPECT_TRUE(StoreHolds(store, count_sql, {"2"}));

  // The gateway refuses an unknown asset and says which.
  const CommandResult unknown = RunGridpilot(Run("dispatch --asset battery-9 --power_mw 5 --yes"));
  EXPECT_EQ(unknown.exit_code, 2) << unknown.output;
  EXPECT_THAT(unknown.output, HasSubstr("battery-9"));
}

TEST_F(OperatorCliTest, ReloadModelSwapsInTheNewestSetTrainedBeforeTheClock) {
  const std::string registry = *dir_ + "/registry";
  EXPECT_THAT(Json("forecast")["forecast"]["model"].get<std::string>(),
              HasSubstr(registry + "/change_20230501T000000Z"));
  // Nothing newer yet: unchanged.
  EXPECT_FALSE(Json("reload-model")["changed"].get<bool>());
  // A set from before the clock (2023-05-20) and one trained on data after it (2023-07-01).
  for (const std::string day : {"2023-05-20", "2023-07-01"}) {
    const CommandResult trained = RunGridpilot(Train(day));
    ASSERT_EQ(trained.exit_code, 0) << trained.output;
  }
  ASSERT_NO_FATAL_FAILURE(
      ExpectHumanOutput("reload-model", {"reloaded: serving ", "(cut-off 2023-05-20T00:00:00Z)"}));
  // The forecasts issued from now on name the new set; the July one is never used.
  const absl::Time give_up = absl::Now() + absl::Seconds(30);
  std::string model;
  while (absl::Now() < give_up) {
    model = Json("forecast")["forecast"]["model"].get<std::string>();
    if (model.find("change_20230520T000000Z") != std::string::npos) break;
    absl::SleepFor(absl::Milliseconds(300));
  }
  EXPECT_THAT(model, HasSubstr(registry + "/change_20230520T000000Z"));
  EXPECT_FALSE(Json("reload-model")["changed"].get<bool>());
}

TEST_F(OperatorCliTest, BadArgumentsPrintUsageAndExit2) {
  for (const std::string& args :
       {std::string("status"),  // no --run_dir and no addresses
        Run("events --limit -3"), Run("events --limit"), Run("assets --colour red"),
        Run("dispatch --asset battery-1"), Run("dispatch --asset battery-1 --power_mw abc --yes"),
        Run("dispatch --asset battery-1 --power_mw 5 --priority urgent --yes"),
        Run("dispatch --asset battery-1 --power_mw 5 --minutes 0 --yes"),
        Run("status --yes"),  // --yes is dispatch's only
        std::string("train --target change --from 2023-01-01 --to 2023-01-02"),  // no registry
        std::string("train --target price --from 2023-01-01 --to 2023-01-02 --registry /tmp/r"),
        std::string("train --target change --from 2023-01-01 --to 2023-01-02 --registry "
                    "/tmp/r --every_days 0")}) {
    testing::ExpectUsageError(args);
  }
}

TEST_F(OperatorCliTest, AnUnreachableStackExits1NamingTheProcess) {
  // Port 1 on loopback: nothing listens there.
  const CommandResult result = RunGridpilot("assets --gateway 127.0.0.1:1");
  EXPECT_EQ(result.exit_code, 1) << result.output;
  EXPECT_THAT(result.output, HasSubstr("gateway at 127.0.0.1:1"));
  EXPECT_THAT(result.output, Not(HasSubstr("usage:")));
  const CommandResult no_run = RunGridpilot("pnl --run_dir /nonexistent/run");
  EXPECT_EQ(no_run.exit_code, 1) << no_run.output;
  EXPECT_THAT(no_run.output, HasSubstr("/nonexistent/run"));
}

}  // namespace
}  // namespace gridpilot
