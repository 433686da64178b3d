#include "services/cli/data_ingest_report.h"

#include <fstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace gridpilot {
namespace {

using ::testing::HasSubstr;

std::string WriteTempFile(const std::string& name, const std::string& text) {
  const std::string path = ::testing::TempDir() + name;
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

// The shipped GB layout with prices adds nothing to the report, so its keys stay as they were.
TEST(DataIngestReportTest, DefaultLayoutAddsNothing) {
  absl::StatusOr<std::optional<nlohmann::json>> report = DataIngestReport("", "", "");
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_FALSE(report->has_value());
}

TEST(DataIngestReportTest, LocalQuarterHoursAreCountedInJsonAndSummary) {
  // Europe/London, 2023-03-26: 00:00-00:45 GMT, then 02:00 BST on; 00:30 missing (a gap).
  const std::string demand = WriteTempFile("dir_demand.csv",
                                           "t,kw\n"
                                           "2023-03-26 00:00,1\n2023-03-26 00:15,2\n"
                                           "2023-03-26 00:45,3\n"
                                           "2023-03-26 02:00,4\n2023-03-26 02:15,5\n");
  const std::string config = WriteTempFile(
      "dir_cfg.json", R"({"data": {"demand_csv": "dir_demand.csv", "price_csv": "none",
                          "time_column": "t", "time_zone": "Europe/London",
                          "resolution_minutes": 15, "net_load_column": "kw",
                          "solar_column": "none", "wind_column": "none"}})");
  absl::StatusOr<std::optional<nlohmann::json>> report = DataIngestReport(config, "", "");
  ASSERT_TRUE(report.ok()) << report.status();
  ASSERT_TRUE(report->has_value());
  const nlohmann::json& data = **report;
  EXPECT_EQ(data["demand_csv"], demand);
  EXPECT_EQ(data["time_zone"], "Europe/London");
  EXPECT_EQ(data["resolution_minutes"], 15);
  EXPECT_EQ(data["intervals"], 6);  // at the native 15 minutes, the gap included
  EXPECT_EQ(data["demand"]["rows"], 5);
  EXPECT_EQ(data["demand"]["gaps"], 1);
  EXPECT_EQ(data["demand"]["holes"], 4);
  EXPECT_EQ(data["demand"]["repeats"], 0);
  EXPECT_EQ(data["demand"]["intervals_incomplete"], 0);
  EXPECT_TRUE(data["price"].is_null());
  const std::string summary = DataIngestSummary(data);
  EXPECT_THAT(summary, HasSubstr("5 rows at 15 min, stamps local to Europe/London: 1 gaps, "
                                 "0 repeats, 4 holes, 0 intervals incomplete"));
  EXPECT_THAT(summary, HasSubstr("no prices: the trader stands aside"));
}

TEST(DataIngestReportTest, BadInputIsTheLoadersError) {
  const std::string demand = WriteTempFile("dir_bad.csv", "when,ND\n2023-01-01T00:00:00Z,1\n");
  absl::StatusOr<std::optional<nlohmann::json>> report = DataIngestReport("", demand, "none");
  EXPECT_THAT(std::string(report.status().message()),
              HasSubstr(demand + ": no column timestamp_utc; columns found: when, ND"));
}

}  // namespace
}  // namespace gridpilot
