// The "data" part of the backtest report: how the region's files were read (layout, and the
// gaps, daylight-saving repeats and holes met), for a run whose config sets a non-GB layout or
// has no price file. The shipped GB layout adds nothing, so its report keeps its keys.
#ifndef GRIDPILOT_SERVICES_CLI_DATA_INGEST_REPORT_H_
#define GRIDPILOT_SERVICES_CLI_DATA_INGEST_REPORT_H_

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "absl/status/statusor.h"

namespace gridpilot {

// Reads the gateway config at `config_path` (empty: defaults) and, unless its data layout is
// the default one with a price file, loads the files as the gateway will (`demand_csv` and
// `price_csv` override the config's, as the gateway's flags do) and returns
// {demand_csv, price_csv, time_zone, stamp_marks, resolution_minutes, intervals,
//  demand {rows, gaps, repeats, holes, intervals_incomplete},
//  price {rows, resolution_minutes, gaps, repeats, holes} or null without prices}.
// Errors are the config's or the loader's, naming file, line and key.
absl::StatusOr<std::optional<nlohmann::json>> DataIngestReport(const std::string& config_path,
                                                               const std::string& demand_csv,
                                                               const std::string& price_csv);

// One line for the printed summary, from the JSON above.
std::string DataIngestSummary(const nlohmann::json& data);

}  // namespace gridpilot

#endif  // GRIDPILOT_SERVICES_CLI_DATA_INGEST_REPORT_H_
