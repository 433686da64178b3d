#include "services/cli/data_ingest_report.h"

#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "core/base/time_util.h"
#include "core/data/region_csv_loader.h"
#include "services/cli/shipped_data.h"
#include "services/gateway/gateway_config.h"

namespace gridpilot {
namespace {

nlohmann::json Counts(const data::CsvIngestCounts& c) {
  return {{"rows", c.rows}, {"gaps", c.gaps}, {"repeats", c.repeats}, {"holes", c.holes}};
}

}  // namespace

absl::StatusOr<std::optional<nlohmann::json>> DataIngestReport(const std::string& config_path,
                                                               const std::string& demand_csv,
                                                               const std::string& price_csv) {
  ASSIGN_OR_RETURN(const GatewayConfig config, LoadGatewayConfig(config_path));
  const std::string data_dir = DefaultDataDir();
  std::string demand = !demand_csv.empty()          ? demand_csv
                       : !config.demand_csv.empty() ? config.demand_csv
                                                    : data_dir + "/gb_demand_2022_2023.csv";
  std::string price = !price_csv.empty()          ? price_csv
                      : !config.price_csv.empty() ? config.price_csv
                                                  : data_dir + "/gb_price_mid_2022-10_2023-12.csv";
  if (data::IsDefaultRegionCsvFormat(config.data_format) && price != "none") {
    return std::nullopt;
  }
  ASSIGN_OR_RETURN(const data::RegionSeries loaded,
                   data::LoadRegionSeries(config.data_format, demand, price));
  const data::RegionCsvFormat& f = config.data_format;
  nlohmann::json demand_counts = Counts(loaded.demand);
  demand_counts["intervals_incomplete"] = loaded.demand.intervals_incomplete;
  nlohmann::json price_counts = nullptr;
  if (loaded.price_resolution_minutes > 0) {
    price_counts = Counts(loaded.price);
    price_counts["resolution_minutes"] = loaded.price_resolution_minutes;
  }
  nlohmann::json report = {
      {"demand_csv", demand},
      {"price_csv", price},
      {"time_zone", f.time_zone},
      {"stamp_marks", f.stamp_marks == data::StampMarks::kEnd ? "end" : "start"},
      {"resolution_minutes", f.resolution_minutes},
      {"intervals", loaded.series.size()},
      {"first_interval", base::FormatUtcTimestamp(loaded.series.start())},
      {"demand", demand_counts},
      {"price", price_counts}};
  return report;
}

std::string DataIngestSummary(const nlohmann::json& data) {
  const nlohmann::json& d = data["demand"];
  std::string out = absl::StrCat(
      "  data: ", d["rows"].get<int64_t>(), " rows at ", data["resolution_minutes"].get<int>(),
      " min, stamps local to ", data["time_zone"].get<std::string>(), ": ",
      d["gaps"].get<int64_t>(), " gaps, ", d["repeats"].get<int64_t>(), " repeats, ",
      d["holes"].get<int64_t>(), " holes, ", d["intervals_incomplete"].get<int64_t>(),
      " intervals incomplete (missing, never zero)");
  if (data["price"].is_null()) {
    absl::StrAppend(&out, "; no prices: the trader stands aside\n");
  } else {
    const nlohmann::json& p = data["price"];
    absl::StrAppend(&out, "; prices ", p["rows"].get<int64_t>(), " rows at ",
                    p["resolution_minutes"].get<int>(), " min: ", p["gaps"].get<int64_t>(),
                    " gaps, ", p["repeats"].get<int64_t>(), " repeats, ", p["holes"].get<int64_t>(),
                    " holes\n");
  }
  return out;
}

}  // namespace gridpilot
