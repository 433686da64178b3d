// The wire forms of the console's upload route (POST /api/upload): the HTTP request (a
// file's text as the body, its format and name as query parameters or Content-Type) turned
// into a ScoreReadingsRequest, and the scores turned into the JSON the upload page charts
// and downloads.
#ifndef GRIDPILOT_SERVICES_CONSOLE_UPLOAD_JSON_H_
#define GRIDPILOT_SERVICES_CONSOLE_UPLOAD_JSON_H_

#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "absl/status/statusor.h"
#include "gridpilot/v1/anomaly.pb.h"

namespace gridpilot {

// Longest upload body accepted, bytes: the forecast service's limit on a file's text
// (services/forecast/readings_text.h kMaxUploadBytes).
inline constexpr size_t kMaxUploadBodyBytes = 4'000'000;

// `params`: format ("csv" or "json"; default from `content_type`: text/csv, application/json),
// name (the file's name, for messages; default "upload.csv"/"upload.json"), column (the
// value column; default: see ScoreReadingsRequest). InvalidArgument naming the parameter
// for an unknown format or none, and for an empty body.
absl::StatusOr<v1::ScoreReadingsRequest> UploadRequest(
    const std::string& body, const std::string& content_type,
    const std::multimap<std::string, std::string>& params);

// {"source", "threshold", "step_s", "flagged", "rows",
//  "t": [unix s], "value": [number|null], "score": [number|null],
//  "kind": ["" | "spike" | ...], "cause": [string]}: one entry per row in each array.
nlohmann::json UploadResultJson(const std::string& source,
                                const v1::ScoreReadingsResponse& response);

}  // namespace gridpilot

#endif  // GRIDPILOT_SERVICES_CONSOLE_UPLOAD_JSON_H_
