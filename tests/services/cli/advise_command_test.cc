// `gridpilot advise` in-process on small hand-made files: the advice files and their
// figures, the score, the no-look-ahead property through the command, and the errors for
// bad files (naming file, line and field) and bad arguments.
#include "services/cli/advise_command.h"

#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace gridpilot {
namespace {

using ::testing::HasSubstr;

std::string Temp(const std::string& name) { return ::testing::TempDir() + "/" + name; }

// A quarter-hourly meter on a local clock: 0.5 kW, 2.5 kW from 17:00 to 19:00, for `days`
// days from 2007-02-01; `evening_kw` replaces the evening on day `odd_day`.
std::string WriteMeter(const std::string& name, int days, int odd_day = -1,
                       double evening_kw = 2.5) {
  const std::string path = Temp(name);
  std::ofstream out(path);
  out << "local_time,load_kw\n";
  for (int d = 0; d < days; ++d) {
    for (int q = 0; q < 96; ++q) {
      char stamp[32];
      std::snprintf(stamp, sizeof(stamp), "2007-%02d-%02d %02d:%02d", 2 + (d >= 28), 1 + d % 28,
                    q / 4, q % 4 * 15);
      const bool evening = q >= 68 && q < 76;
      out << stamp << "," << (evening ? (d == odd_day ? evening_kw : 2.5) : 0.5) << "\n";
    }
  }
  return path;
}

std::string WriteTariff(const std::string& name, const std::string& body) {
  const std::string path = Temp(name);
  std::ofstream(path) << "start,end,pence_per_kwh\n" << body;
  return path;
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

const char kNightTariff[] = "00:00,07:00,10\n07:00,24:00,30\n";

TEST(AdviseCommandTest, WritesTheAdviceFiles) {
  const std::string out = Temp("advice");
  const int code = RunAdviseCommand({{"input", WriteMeter("m.csv", 20)},
                                     {"column", "load_kw"},
                                     {"tariff", WriteTariff("t.csv", kNightTariff)},
                                     {"flexible_share", "0.4"},
                                     {"peak_limit", "2"},
                                     {"battery_capacity", "3"},
                                     {"out", out}});
  ASSERT_EQ(code, 0);
  const nlohmann::json json = nlohmann::json::parse(Slurp(out + ".json"));
  EXPECT_EQ(json["day"], "2007-02-21");  // the day after the data
  EXPECT_EQ(json["unit"], "kW");
  // 0.5 kW above the limit for 2 h (within 40% of 2.5 kW) = 1 kWh, into the first cheap
  // half-hours up to the limit (1.5 kW of room each).
  EXPECT_EQ(json["advice"], "move 1.00 kWh of flexible load from 17:00-19:00 to 00:00-01:00");
  EXPECT_DOUBLE_EQ(json["forecast_peak_reduction"].get<double>(), 0.5);
  EXPECT_NEAR(json["forecast_saved_gbp"].get<double>(), 1.0 * (0.30 - 0.10), 1e-9);
  // 3 kWh stored at 10 p and used at 30 p, sqrt(0.9) lost each way.
  EXPECT_NEAR(json["battery"]["forecast_return_gbp"].get<double>(),
              3 * std::sqrt(0.9) * 0.30 - 3 / std::sqrt(0.9) * 0.10, 1e-9);
  const std::string csv = Slurp(out + ".csv");
  EXPECT_THAT(csv, HasSubstr("interval_start,forecast_load_kw,price_gbp_per_mwh,move_out_kw"));
  EXPECT_THAT(csv, HasSubstr("2007-02-21T17:00:00Z,2.5000,300.00,0.5000,0.0000,2.0000"));
}

TEST(AdviseCommandTest, TheAdvisedDaysOwnDataDoesNotChangeTheAdvice) {
  const std::string tariff = WriteTariff("t2.csv", kNightTariff);
  std::map<std::string, std::string> options = {
      {"column", "load_kw"}, {"tariff", tariff}, {"date", "2007-02-20"}, {"peak_limit", "2"}};
  options["input"] = WriteMeter("plain.csv", 21);
  options["out"] = Temp("plain");
  ASSERT_EQ(RunAdviseCommand(options), 0);
  options["input"] = WriteMeter("odd.csv", 21, /*odd_day=*/19, /*evening_kw=*/9.0);
  options["out"] = Temp("odd");
  ASSERT_EQ(RunAdviseCommand(options), 0);
  EXPECT_EQ(Slurp(Temp("plain.csv")).size() > 0, true);
  EXPECT_EQ(Slurp(Temp("plain") + ".csv"), Slurp(Temp("odd") + ".csv"));
  EXPECT_EQ(Slurp(Temp("plain") + ".json"), Slurp(Temp("odd") + ".json"));
}

TEST(AdviseCommandTest, ScoresOnTheActualDays) {
  const std::string out = Temp("score");
  // 20 days to 2007-02-20, whose evening is 1 kW: the advice (from the days before) still
  // moves load out of it and into the night.
  const int code = RunAdviseCommand({{"input", WriteMeter("s.csv", 20, 19, 1.0)},
                                     {"column", "load_kw"},
                                     {"tariff", WriteTariff("t3.csv", kNightTariff)},
                                     {"peak_limit", "2"},
                                     {"flexible_share", "0.4"},
                                     {"score", "true"},
                                     {"from", "2007-02-19"},
                                     {"to", "2007-02-21"},
                                     {"out", out}});
  ASSERT_EQ(code, 0);
  const nlohmann::json json = nlohmann::json::parse(Slurp(out + ".json"));
  EXPECT_EQ(json["days_scored"], 2);
  ASSERT_EQ(json["days_skipped"].size(), 1u);
  EXPECT_EQ(json["days_skipped"][0], "2007-02-21: 48 half-hours of load missing");
  // 02-19 as forecast: 0.5 kW off the peak, 1 kWh from 30 p to 10 p. 02-20: 0.4 kW of the
  // planned 0.5 existed to move (40% of 1 kW), 0.8 kWh; the night's first half-hour gets
  // 0.8 * 1.5 kW on top of 0.5 kW, a 1.7 kW peak where 1 kW was.
  EXPECT_NEAR(json["advised_mean_peak_reduction"].get<double>(), (0.5 - 0.7) / 2, 1e-9);
  EXPECT_NEAR(json["hindsight_mean_peak_reduction"].get<double>(), (0.5 + 0.0) / 2, 1e-9);
  EXPECT_NEAR(json["advised_saved_gbp"].get<double>(), (1.0 + 0.8) * 0.20, 1e-9);
  EXPECT_NEAR(json["hindsight_saved_gbp"].get<double>(), 1.0 * 0.20, 1e-9);
  EXPECT_THAT(Slurp(out + ".csv"), HasSubstr("day,peak_limit_kw,forecast_peak_kw,actual_peak_kw"));
}

TEST(AdviseCommandTest, ScoresTheShippedHouseholdMeterAndRegion) {
  const std::string data = GRIDPILOT_TEST_DATA_DIR;
  const std::string house = Temp("house-score");
  ASSERT_EQ(RunAdviseCommand({{"input", data + "/household_load_15min_local_2007-02_03.csv"},
                              {"column", "load_kw"},
                              {"tariff", data + "/tariff_tou_example.csv"},
                              {"score", "true"},
                              {"from", "2007-03-20"},
                              {"to", "2007-03-27"},
                              {"out", house}}),
            0);
  const nlohmann::json h = nlohmann::json::parse(Slurp(house + ".json"));
  EXPECT_EQ(h["days_scored"], 7);
  // The local clock's spring-forward hole.
  EXPECT_EQ(h["days_skipped"], nlohmann::json({"2007-03-25: 2 half-hours of load missing"}));
  EXPECT_LE(h["advised_mean_peak_reduction"].get<double>(),
            h["hindsight_mean_peak_reduction"].get<double>());
  const std::string region = Temp("region-score");
  ASSERT_EQ(RunAdviseCommand({{"input", data + "/gb_demand_2022_2023.csv"},
                              {"column", "ND"},
                              {"unit", "mw"},
                              {"prices", data + "/gb_price_mid_2022-10_2023-12.csv"},
                              {"flexible_share", "0.05"},
                              {"score", "true"},
                              {"from", "2023-01-01"},
                              {"to", "2023-01-31"},
                              {"out", region}}),
            0);
  const nlohmann::json r = nlohmann::json::parse(Slurp(region + ".json"));
  EXPECT_EQ(r["days_scored"].get<int>() + r["days_skipped"].size(), 31u);
  EXPECT_GT(r["advised_mean_peak_reduction"].get<double>(), 0.0);
  EXPECT_GT(r["advised_saved_gbp"].get<double>(), 0.0);
}

TEST(AdviseCommandTest, BadFilesNameFileLineAndField) {
  const std::string meter = WriteMeter("b.csv", 3);
  testing::internal::CaptureStderr();
  EXPECT_EQ(
      RunAdviseCommand({{"input", meter},
                        {"column", "load_kw"},
                        {"tariff", WriteTariff("bad.csv", "00:00,07:00,10\n07:00,24:60,30\n")},
                        {"out", Temp("bad")}}),
      1);
  EXPECT_THAT(testing::internal::GetCapturedStderr(),
              HasSubstr("bad.csv:3: column end: \"24:60\" is not HH:MM"));
  std::ofstream(Temp("badmeter.csv")) << "local_time,load_kw\n2007-02-01 00:00,0.5\n"
                                      << "2007-02-01 00:15,lots\n";
  testing::internal::CaptureStderr();
  EXPECT_EQ(RunAdviseCommand({{"input", Temp("badmeter.csv")},
                              {"column", "load_kw"},
                              {"tariff", WriteTariff("ok.csv", kNightTariff)},
                              {"out", Temp("bad")}}),
            1);
  EXPECT_THAT(testing::internal::GetCapturedStderr(),
              HasSubstr("badmeter.csv:3: column load_kw: \"lots\" is not a number"));
}

TEST(AdviseCommandTest, BadArgumentsExitTwo) {
  const std::string meter = WriteMeter("a.csv", 3);
  const std::string tariff = WriteTariff("a_t.csv", kNightTariff);
  testing::internal::CaptureStderr();
  EXPECT_EQ(RunAdviseCommand({{"input", meter}, {"column", "load_kw"}, {"out", Temp("x")}}), 2);
  EXPECT_EQ(RunAdviseCommand({{"input", meter},
                              {"column", "load_kw"},
                              {"tariff", tariff},
                              {"flexible_share", "1.5"},
                              {"out", Temp("x")}}),
            2);
  EXPECT_EQ(RunAdviseCommand({{"input", meter},
                              {"column", "load_kw"},
                              {"tariff", tariff},
                              {"unit", "gw"},
                              {"out", Temp("x")}}),
            2);
  EXPECT_EQ(RunAdviseCommand({{"input", meter},
                              {"column", "load_kw"},
                              {"tariff", tariff},
                              {"score", "true"},
                              {"out", Temp("x")}}),
            2);
  const std::string errors = testing::internal::GetCapturedStderr();
  EXPECT_THAT(errors, HasSubstr("exactly one of --prices FILE and --tariff FILE"));
  EXPECT_THAT(errors, HasSubstr("--flexible_share \"1.5\""));
  EXPECT_THAT(errors, HasSubstr("--unit must be kw or mw"));
  EXPECT_THAT(errors, HasSubstr("--score needs --from and --to"));
}

}  // namespace
}  // namespace gridpilot
