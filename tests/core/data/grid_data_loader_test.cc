#include "core/data/grid_data_loader.h"

#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "core/base/time_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace gridpilot::data {
namespace {

using ::testing::HasSubstr;

constexpr char kDemandHeader[] =
    "timestamp_utc,SETTLEMENT_DATE,SETTLEMENT_PERIOD,ND,TSD,EMBEDDED_WIND_GENERATION,"
    "EMBEDDED_WIND_CAPACITY,EMBEDDED_SOLAR_GENERATION,EMBEDDED_SOLAR_CAPACITY\n";
constexpr char kPriceHeader[] =
    "timestamp_utc,SettlementDate,SettlementPeriod,DataProvider,Price,Volume\n";

std::string WriteTempFile(const std::string& name, const std::string& text) {
  const std::string path = ::testing::TempDir() + name;
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

absl::Time Utc(std::string_view text) { return base::ParseUtcTimestamp(text).value(); }

// Three half-hours from 00:00; the second has no embedded solar figure.
std::string GoodDemand() {
  return std::string(kDemandHeader) +
         "2022-10-01T00:00:00Z,2022-10-01,3,21940,23275,2412,6527,0,13670\n"
         "2022-10-01T00:30:00Z,2022-10-01,4,22427,23489,2554,6527,,13670\n"
         "2022-10-01T01:00:00Z,2022-10-01,5,21000,22000,2600,6527,3,13670\n";
}

TEST(LoadGridSeriesTest, JoinsDemandAndPriceByTimestamp) {
  const std::string demand = WriteTempFile("load_demand.csv", GoodDemand());
  // Prices: one before the demand span (ignored), 00:00 missing, 00:30 negative, no 01:00
  // row at all, one after the span (ignored).
  const std::string price =
      WriteTempFile("load_price.csv", std::string(kPriceHeader) +
                                          "2022-09-30T23:30:00Z,2022-10-01,2,APXMIDP,999,1\n"
                                          "2022-10-01T00:00:00Z,2022-10-01,3,APXMIDP,,\n"
                                          "2022-10-01T00:30:00Z,2022-10-01,4,APXMIDP,-12.25,80\n"
                                          "2022-10-01T02:00:00Z,2022-10-01,7,APXMIDP,998,1\n");
  absl::StatusOr<GridSeries> series = LoadGridSeries(demand, price);
  ASSERT_TRUE(series.ok()) << series.status();
  ASSERT_EQ(series->size(), 3u);
  EXPECT_EQ(series->start(), Utc("2022-10-01T00:00Z"));
  EXPECT_EQ(series->end(), Utc("2022-10-01T01:30Z"));

  const GridInterval& first = series->at(0);
  EXPECT_EQ(first.net_load_mw, 21940.0);
  EXPECT_EQ(first.embedded_wind_mw, 2412.0);
  EXPECT_EQ(first.embedded_solar_mw, 0.0);
  EXPECT_EQ(first.price_gbp_per_mwh, std::nullopt);
  EXPECT_EQ(series->at(1).embedded_solar_mw, std::nullopt);
  EXPECT_EQ(series->at(1).price_gbp_per_mwh, -12.25);
  EXPECT_EQ(series->at(2).embedded_solar_mw, 3.0);
  EXPECT_EQ(series->at(2).price_gbp_per_mwh, std::nullopt);
}

TEST(LoadGridSeriesTest, GapInDemandNamesFileAndLine) {
  const std::string demand =
      WriteTempFile("gap_demand.csv", std::string(kDemandHeader) +
                                          "2022-10-01T00:00:00Z,2022-10-01,3,1,1,1,1,1,1\n"
                                          "2022-10-01T00:30:00Z,2022-10-01,4,1,1,1,1,1,1\n"
                                          "2022-10-01T01:30:00Z,2022-10-01,6,1,1,1,1,1,1\n");
  const std::string price = WriteTempFile("gap_price.csv", kPriceHeader);
  absl::StatusOr<GridSeries> series = LoadGridSeries(demand, price);
  EXPECT_EQ(series.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(series.status().message(), HasSubstr(demand + ":4: column timestamp_utc: gap"));
  EXPECT_THAT(series.status().message(), HasSubstr("expected 2022-10-01T01:00:00Z"));
}

TEST(LoadGridSeriesTest, DuplicateOrUnsortedDemandIsRejected) {
  const std::string price = WriteTempFile("dup_price.csv", kPriceHeader);
  const std::string duplicate =
      WriteTempFile("dup_demand.csv", std::string(kDemandHeader) +
                                          "2022-10-01T00:00:00Z,2022-10-01,3,1,1,1,1,1,1\n"
                                          "2022-10-01T00:00:00Z,2022-10-01,3,1,1,1,1,1,1\n");
  EXPECT_THAT(LoadGridSeries(duplicate, price).status().message(),
              HasSubstr(duplicate + ":3: column timestamp_utc: duplicate timestamp"));
  const std::string unsorted =
      WriteTempFile("unsorted_demand.csv", std::string(kDemandHeader) +
                                               "2022-10-01T00:30:00Z,2022-10-01,4,1,1,1,1,1,1\n"
                                               "2022-10-01T00:00:00Z,2022-10-01,3,1,1,1,1,1,1\n");
  EXPECT_THAT(LoadGridSeries(unsorted, price).status().message(),
              HasSubstr(unsorted + ":3: column timestamp_utc: 2022-10-01T00:00:00Z is earlier"));
}

TEST(LoadGridSeriesTest, UnsortedOrDuplicatePriceNamesPriceLine) {
  const std::string demand = WriteTempFile("sortp_demand.csv", GoodDemand());
  const std::string unsorted =
      WriteTempFile("unsorted_price.csv", std::string(kPriceHeader) +
                                              "2022-10-01T00:30:00Z,2022-10-01,4,APXMIDP,10,1\n"
                                              "2022-10-01T00:00:00Z,2022-10-01,3,APXMIDP,11,1\n");
  absl::StatusOr<GridSeries> series = LoadGridSeries(demand, unsorted);
  EXPECT_EQ(series.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(series.status().message(), HasSubstr(unsorted + ":3: column timestamp_utc: "));
  EXPECT_THAT(series.status().message(), HasSubstr("must be sorted"));

  const std::string duplicate =
      WriteTempFile("duplicate_price.csv", std::string(kPriceHeader) +
                                               "2022-10-01T00:00:00Z,2022-10-01,3,APXMIDP,10,1\n"
                                               "2022-10-01T00:30:00Z,2022-10-01,4,APXMIDP,10,1\n"
                                               "2022-10-01T00:30:00Z,2022-10-01,4,APXMIDP,11,1\n");
  EXPECT_THAT(LoadGridSeries(demand, duplicate).status().message(),
              HasSubstr(duplicate + ":4: column timestamp_utc: duplicate timestamp"));
}

TEST(LoadGridSeriesTest, BadValuesNameFileLineAndColumn) {
  const std::string price = WriteTempFile("bad_price.csv", kPriceHeader);
  const std::string demand =
      WriteTempFile("bad_demand.csv", std::string(kDemandHeader) +
                                          "2022-10-01T00:00:00Z,2022-10-01,3,21940,1,1,1,1,1\n"
                                          "2022-10-01T00:30:00Z,2022-10-01,4,abc,1,1,1,1,1\n");
  EXPECT_EQ(LoadGridSeries(demand, price).status().message(),
            demand + ":3: column ND: \"abc\" is not a number");

  const std::string good_demand = WriteTempFile("bad2_demand.csv", GoodDemand());
  // A bad price is an error even when its row lies outside the demand span.
  const std::string nan_price =
      WriteTempFile("nan_price.csv", std::string(kPriceHeader) +
                                         "2023-01-01T00:00:00Z,2023-01-01,1,APXMIDP,NaN,1\n");
  EXPECT_EQ(LoadGridSeries(good_demand, nan_price).status().message(),
            nan_price + ":2: column Price: \"NaN\" is not a number");
}

// Values that parse but cannot be real (1e308 MW of demand, a price of 1e308 GBP/MWh)
// are refused naming file, line, column and the plausible range, never passed on.
TEST(LoadGridSeriesTest, ImplausibleValuesNameFileLineColumnAndRange) {
  const std::string price = WriteTempFile("implausible_price_ok.csv", kPriceHeader);
  struct Case {
    std::string column;
    std::string row;  // the second data row
    std::string want;
  };
  const std::vector<Case> cases = {
      {"ND", "2022-10-01T00:30:00Z,2022-10-01,4,1e308,1,1,1,1,1",
       "column ND: 1e+308 is outside the plausible range [0, 100000] MW"},
      {"ND", "2022-10-01T00:30:00Z,2022-10-01,4,-5,1,1,1,1,1",
       "column ND: -5 is outside the plausible range [0, 100000] MW"},
      {"solar", "2022-10-01T00:30:00Z,2022-10-01,4,20000,1,1,1,60000,1",
       "column EMBEDDED_SOLAR_GENERATION: 60000 is outside the plausible range [0, 50000] MW"},
      {"wind", "2022-10-01T00:30:00Z,2022-10-01,4,20000,1,-1,1,1,1",
       "column EMBEDDED_WIND_GENERATION: -1 is outside the plausible range [0, 50000] MW"},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    SCOPED_TRACE(cases[i].row);
    const std::string demand = WriteTempFile(
        "implausible_demand" + std::to_string(i) + ".csv",
        std::string(kDemandHeader) + "2022-10-01T00:00:00Z,2022-10-01,3,21940,1,1,1,1,1\n" +
            cases[i].row + "\n");
    absl::StatusOr<GridSeries> series = LoadGridSeries(demand, price);
    EXPECT_EQ(series.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(series.status().message(), demand + ":3: " + cases[i].want);
  }

  const std::string demand = WriteTempFile("implausible_good_demand.csv", GoodDemand());
  for (const std::string value : {"1e308", "-10001", "10000.5"}) {
    SCOPED_TRACE(value);
    const std::string bad_price = WriteTempFile(
        "implausible_price.csv",
        std::string(kPriceHeader) + "2022-10-01T00:00:00Z,2022-10-01,3,APXMIDP," + value + ",1\n");
    absl::StatusOr<GridSeries> series = LoadGridSeries(demand, bad_price);
    EXPECT_EQ(series.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(series.status().message()),
                HasSubstr(bad_price + ":2: column Price: "));
    EXPECT_THAT(std::string(series.status().message()),
                HasSubstr("outside the plausible range [-10000, 10000] GBP/MWh"));
    EXPECT_EQ(LoadPriceSeries(bad_price).status().code(), absl::StatusCode::kInvalidArgument);
  }
  // The bounds themselves are plausible.
  const std::string edge_price =
      WriteTempFile("edge_price.csv", std::string(kPriceHeader) +
                                          "2022-10-01T00:00:00Z,2022-10-01,3,APXMIDP,-10000,1\n"
                                          "2022-10-01T00:30:00Z,2022-10-01,4,APXMIDP,10000,1\n");
  EXPECT_TRUE(LoadGridSeries(demand, edge_price).ok());

  const std::string forecast =
      WriteTempFile("implausible_forecast.csv",
                    "timestamp_utc,SettlementDate,SettlementPeriod,PublishTime,NationalDemand,"
                    "TransmissionSystemDemand,Boundary\n"
                    "2022-10-01T00:00:00Z,2022-10-01,3,2022-09-29T23:45:00Z,1e308,22300,N\n");
  EXPECT_EQ(
      LoadDayAheadForecast(forecast).status().message(),
      forecast + ":2: column NationalDemand: 1e+308 is outside the plausible range [0, 100000] MW");
}

TEST(LoadGridSeriesTest, PriceOffTheHalfHourGridIsRejected) {
  const std::string demand = WriteTempFile("grid_demand.csv", GoodDemand());
  const std::string price =
      WriteTempFile("grid_price.csv",
                    std::string(kPriceHeader) + "2022-10-01T00:15:00Z,2022-10-01,3,APXMIDP,1,1\n");
  EXPECT_THAT(LoadGridSeries(demand, price).status().message(),
              HasSubstr(price + ":2: column timestamp_utc: 2022-10-01T00:15:00Z is not on the"));
}

TEST(LoadGridSeriesTest, MissingFilesAndColumns) {
  const std::string demand = WriteTempFile("mf_demand.csv", GoodDemand());
  const std::string missing = ::testing::TempDir() + "no_such_price.csv";
  absl::StatusOr<GridSeries> series = LoadGridSeries(demand, missing);
  EXPECT_EQ(series.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(series.status().message(), HasSubstr(missing));
  EXPECT_EQ(LoadGridSeries(missing, demand).status().code(), absl::StatusCode::kNotFound);

  const std::string no_nd = WriteTempFile("no_nd.csv", "timestamp_utc,TSD\n");
  EXPECT_EQ(LoadGridSeries(no_nd, demand).status().message(),
            no_nd + ": no column ND; columns found: timestamp_utc, TSD");
}

TEST(LoadGridSeriesTest, EmptyDemandIsRejected) {
  const std::string price = WriteTempFile("empty_price.csv", kPriceHeader);
  const std::string header_only = WriteTempFile("header_only_demand.csv", kDemandHeader);
  EXPECT_EQ(LoadGridSeries(header_only, price).status().message(), header_only + ": no data rows");
  const std::string empty = WriteTempFile("empty_demand.csv", "");
  EXPECT_EQ(LoadGridSeries(empty, price).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(LoadGridSeriesTest, CrlfFilesLoad) {
  std::string demand_text = GoodDemand();
  std::string crlf;
  for (char c : demand_text) crlf += (c == '\n') ? std::string("\r\n") : std::string(1, c);
  const std::string demand = WriteTempFile("crlf_demand.csv", crlf);
  const std::string price =
      WriteTempFile("crlf_price.csv", "timestamp_utc,Price\r\n2022-10-01T01:00:00Z,7.5\r\n");
  absl::StatusOr<GridSeries> series = LoadGridSeries(demand, price);
  ASSERT_TRUE(series.ok()) << series.status();
  EXPECT_EQ(series->at(2).price_gbp_per_mwh, 7.5);
  EXPECT_EQ(series->at(2).embedded_solar_mw, 3.0);
}

TEST(LoadDayAheadForecastTest, ReadsVintagesAndKeepsMissing) {
  const std::string path =
      WriteTempFile("forecast.csv",
                    "timestamp_utc,SettlementDate,SettlementPeriod,PublishTime,NationalDemand,"
                    "TransmissionSystemDemand,Boundary\n"
                    "2022-10-01T00:00:00Z,2022-10-01,3,2022-09-29T23:45:00Z,18650.0,22300,N\n"
                    "2022-10-01T00:00:00Z,2022-10-01,3,2022-09-30T23:45:00Z,18700.0,22364,N\n"
                    "2022-10-01T00:30:00Z,2022-10-01,4,2022-09-30T23:45:00Z,,22225,N\n");
  absl::StatusOr<std::vector<DayAheadForecastRow>> rows = LoadDayAheadForecast(path);
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_EQ(rows->size(), 3u);
  EXPECT_EQ((*rows)[1].target_start, Utc("2022-10-01T00:00Z"));
  EXPECT_EQ((*rows)[1].published, Utc("2022-09-30T23:45Z"));
  EXPECT_EQ((*rows)[1].net_load_mw, 18700.0);
  EXPECT_EQ((*rows)[2].net_load_mw, std::nullopt);
}

TEST(LoadDayAheadForecastTest, UnsortedVintagesAreRejected) {
  const std::string path = WriteTempFile("forecast_bad.csv",
                                         "timestamp_utc,PublishTime,NationalDemand\n"
                                         "2022-10-01T00:00:00Z,2022-09-30T23:45:00Z,1\n"
                                         "2022-10-01T00:00:00Z,2022-09-29T23:45:00Z,2\n");
  EXPECT_THAT(LoadDayAheadForecast(path).status().message(),
              HasSubstr(path + ":3: column PublishTime: 2022-09-29T23:45:00Z is earlier"));
}

std::string ShippedDataPath(const std::string& name) {
  const char* source_dir = std::getenv("GRIDPILOT_SOURCE_DIR");
  return (source_dir != nullptr ? std::string(source_dir) + "/data/" : "../data/") + name;
}

TEST(ShippedDataTest, LoadsDemandAndPrice) {
  absl::StatusOr<GridSeries> series =
      LoadGridSeries(ShippedDataPath("gb_demand_2022_2023.csv"),
                     ShippedDataPath("gb_price_mid_2022-10_2023-12.csv"));
  ASSERT_TRUE(series.ok()) << series.status();
  EXPECT_EQ(series->size(), 35040u);
  EXPECT_EQ(series->start(), Utc("2022-01-01T00:00Z"));
  EXPECT_EQ(series->intervals().back().start, Utc("2023-12-31T23:30Z"));
  EXPECT_EQ(series->at(0).net_load_mw, 21940.0);
  EXPECT_EQ(series->at(0).embedded_wind_mw, 2412.0);

  const std::optional<size_t> first_price = series->IndexOf(Utc("2022-09-30T23:00Z"));
  ASSERT_TRUE(first_price.has_value());
  EXPECT_EQ(series->at(*first_price).price_gbp_per_mwh, 101.85);
  EXPECT_EQ(series->at(*first_price - 1).price_gbp_per_mwh, std::nullopt);  // before the file
  // The price source has no data for the week around the autumn clock change.
  EXPECT_EQ(series->at(*series->IndexOf(Utc("2022-10-28T23:00Z"))).price_gbp_per_mwh, std::nullopt);

  int priced = 0;
  for (const GridInterval& interval : series->intervals()) {
    priced += interval.price_gbp_per_mwh.has_value();
    ASSERT_TRUE(interval.net_load_mw.has_value()) << base::FormatUtcTimestamp(interval.start);
  }
  EXPECT_EQ(priced, 21938 - 696);  // rows in the price file minus its empty prices
}

TEST(ShippedDataTest, LoadsDayAheadForecast) {
  absl::StatusOr<std::vector<DayAheadForecastRow>> rows =
      LoadDayAheadForecast(ShippedDataPath("gb_demand_forecast_dayahead_2022-10_2023-12.csv"));
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_EQ(rows->size(), 26006u);
  EXPECT_EQ(rows->front().target_start, Utc("2022-10-01T00:00Z"));
  EXPECT_EQ(rows->front().published, Utc("2022-09-30T23:45Z"));
  EXPECT_EQ(rows->front().net_load_mw, 18700.0);
  int missing = 0;
  for (const DayAheadForecastRow& row : *rows) missing += !row.net_load_mw.has_value();
  EXPECT_EQ(missing, 174);
}

}  // namespace
}  // namespace gridpilot::data
