// `gridpilot optimize` as a user runs it: the real binary on the shipped price file and on
// small hand-made files. Checks the CSV schedule is feasible and its objective matches
// the JSON, negative and missing prices, and the errors for bad input and bad arguments.
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/run_gridpilot.h"
#include "tests/integration/test_env.h"

namespace gridpilot {
namespace {

using ::testing::HasSubstr;

using ::gridpilot::testing::CommandResult;
using ::gridpilot::testing::RunGridpilot;

std::string SharedPrices() { return testing::DataFile("gb_price_mid_2022-10_2023-12.csv"); }

// A price file of consecutive half-hours from 2023-01-01T00:00Z; "" is a missing price.
std::string WritePrices(const std::string& name, const std::vector<std::string>& prices) {
  const std::string path = testing::TempPath(name);
  std::ofstream out(path);
  out << "timestamp_utc,SettlementDate,SettlementPeriod,DataProvider,Price,Volume\n";
  for (size_t i = 0; i < prices.size(); ++i) {
    char stamp[64];
    std::snprintf(stamp, sizeof(stamp), "2023-01-%02zuT%02zu:%02zu:00Z", 1 + i / 48, (i % 48) / 2,
                  (i % 2) * 30);
    out << stamp << ",2023-01-01,1,APXMIDP," << prices[i] << ",100\n";
  }
  return path;
}

struct Row {
  double price, charge, discharge, soc;
};

std::vector<Row> ReadSchedule(const std::string& path, std::string* header) {
  std::ifstream in(path);
  std::getline(in, *header);
  std::vector<Row> rows;
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> f = absl::StrSplit(line, ',');
    rows.push_back({std::stod(f[1]), std::stod(f[2]), std::stod(f[3]), std::stod(f[4])});
  }
  return rows;
}

TEST(OptimizeCliTest, WeekOfRealPricesIsFeasibleAndMatchesItsJson) {
  const CommandResult r = RunGridpilot(
      "optimize --prices " + SharedPrices() + " --from 2023-03-01 --to 2023-03-07 --out " +
      testing::TempPath("week.csv") + " --json " + testing::TempPath("week.json"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("objective"));
  std::string header;
  const std::vector<Row> rows = ReadSchedule(testing::TempPath("week.csv"), &header);
  EXPECT_EQ(header, "timestamp_utc,price_gbp_per_mwh,charge_mw,discharge_mw,soc_mwh");
  ASSERT_EQ(rows.size(), 336u);

  std::ifstream json_in(testing::TempPath("week.json"));
  const nlohmann::json json = nlohmann::json::parse(json_in);
  const nlohmann::json& b = json.at("battery");
  for (const char* key : {"power_mw", "energy_mwh", "charge_efficiency", "discharge_efficiency",
                          "soc_min_mwh", "soc_max_mwh", "soc_initial_mwh", "soc_terminal_mwh",
                          "reserve_mwh", "degradation_gbp_per_mwh"}) {
    EXPECT_TRUE(b.contains(key)) << key;
  }
  const double eta_c = b.at("charge_efficiency"), eta_d = b.at("discharge_efficiency");
  const double floor = b.at("soc_min_mwh").get<double>() + b.at("reserve_mwh").get<double>();
  double soc = b.at("soc_initial_mwh"), objective = 0.0;
  for (const Row& row : rows) {
    EXPECT_GE(row.charge, 0.0);
    EXPECT_GE(row.discharge, 0.0);
    EXPECT_LE(row.charge, b.at("power_mw").get<double>() + 1e-9);
    EXPECT_LE(row.discharge, b.at("power_mw").get<double>() + 1e-9);
    soc += row.charge * 0.5 * eta_c - row.discharge * 0.5 / eta_d;
    EXPECT_NEAR(row.soc, soc, 1e-6);  // the CSV's soc is stored energy after the interval
    soc = row.soc;
    EXPECT_GE(soc, floor - 1e-7);
    EXPECT_LE(soc, b.at("soc_max_mwh").get<double>() + 1e-7);
    objective += row.price * (row.discharge - row.charge) * 0.5 -
                 b.at("degradation_gbp_per_mwh").get<double>() * (row.charge + row.discharge) * 0.5;
  }
  EXPECT_NEAR(soc, b.at("soc_terminal_mwh").get<double>(), 1e-6);
  EXPECT_NEAR(objective, json.at("objective_gbp").get<double>(),
              1e-6 * std::max(1.0, std::abs(objective)));
  EXPECT_GT(objective, 0.0);
}

TEST(OptimizeCliTest, NegativePricesArePaidToCharge) {
  std::vector<std::string> prices(48, "100");
  for (int i = 0; i < 8; ++i) prices[i] = "-50";
  const std::string path = WritePrices("negative.csv", prices);
  const CommandResult r = RunGridpilot(
      "optimize --prices " + path + " --from 2023-01-01 --to 2023-01-01 --out " +
      testing::TempPath("negative_out.csv") + " --json " + testing::TempPath("negative.json"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  std::string header;
  const std::vector<Row> rows = ReadSchedule(testing::TempPath("negative_out.csv"), &header);
  double charged_at_negative_mw = 0.0;
  for (int i = 0; i < 8; ++i) charged_at_negative_mw += rows[i].charge;
  EXPECT_GT(charged_at_negative_mw, 0.0);
}

TEST(OptimizeCliTest, MissingPricesAreFilledAndSaidSo) {
  std::vector<std::string> prices(48, "80");
  prices[10] = "";
  prices[11] = "";
  const std::string path = WritePrices("missing.csv", prices);
  const CommandResult r =
      RunGridpilot("optimize --prices " + path + " --from 2023-01-01 --to 2023-01-01 --out " +
                   testing::TempPath("missing_out.csv"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("2 missing prices filled with the previous known price"));
}

TEST(OptimizeCliTest, NanPriceIsAnErrorNamingTheLine) {
  std::vector<std::string> prices(48, "80");
  prices[5] = "nan";  // line 7: header is line 1
  const std::string path = WritePrices("nan.csv", prices);
  const CommandResult r =
      RunGridpilot("optimize --prices " + path + " --from 2023-01-01 --to 2023-01-01 --out " +
                   testing::TempPath("nan_out.csv"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.output, HasSubstr(path + ":7: column Price"));
}

TEST(OptimizeCliTest, WindowOutsideTheFileIsRefused) {
  const CommandResult r =
      RunGridpilot("optimize --prices " + SharedPrices() +
                   " --from 2024-01-01 --to 2024-01-02 --out " + testing::TempPath("x.csv"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.output, HasSubstr("not the whole window"));
}

TEST(OptimizeCliTest, BadArgumentsPrintUsage) {
  for (const std::string args :
       {"optimize --prices x.csv --from 2023-01-01 --to 2023-01-02",
        "optimize --prices x.csv --from 2023-01-01 --to 2023-01-02 --out y --bogus 1",
        "optimize --prices x.csv --from yesterday --to 2023-01-02 --out y"}) {
    testing::ExpectUsageError(args);
  }
}

}  // namespace
}  // namespace gridpilot
