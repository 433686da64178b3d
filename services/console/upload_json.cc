#include "services/console/upload_json.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "services/common/proto_enum.h"
#include "services/common/proto_time.h"

namespace gridpilot {
namespace {

std::string Param(const std::multimap<std::string, std::string>& params, const std::string& key) {
  auto it = params.find(key);
  return it == params.end() ? "" : it->second;
}

}  // namespace

absl::StatusOr<v1::ScoreReadingsRequest> UploadRequest(
    const std::string& body, const std::string& content_type,
    const std::multimap<std::string, std::string>& params) {
  std::string format = Param(params, "format");
  if (format.empty()) {
    if (absl::StartsWithIgnoreCase(content_type, "text/csv")) format = "csv";
    if (absl::StartsWithIgnoreCase(content_type, "application/json")) format = "json";
  }
  v1::ScoreReadingsRequest request;
  if (format == "csv") {
    request.set_format(v1::READINGS_FORMAT_CSV);
  } else if (format == "json") {
    request.set_format(v1::READINGS_FORMAT_JSON);
  } else {
    return absl::InvalidArgumentError(
        format.empty() ? "format: give format=csv or format=json (or Content-Type text/csv or "
                         "application/json)"
                       : absl::StrCat("format: \"", format.substr(0, 20), "\" is not csv or json"));
  }
  if (body.empty()) return absl::InvalidArgumentError("body: empty; send the file's text");
  request.set_text(body);
  const std::string name = Param(params, "name");
  request.set_source_name(name.empty() ? absl::StrCat("upload.", format) : name);
  request.set_value_column(Param(params, "column"));
  return request;
}

nlohmann::json UploadResultJson(const std::string& source,
                                const v1::ScoreReadingsResponse& response) {
  nlohmann::json t = nlohmann::json::array(), value = nlohmann::json::array(),
                 score = nlohmann::json::array(), kind = nlohmann::json::array(),
                 cause = nlohmann::json::array();
  for (const v1::ReadingScore& row : response.rows()) {
    t.push_back(absl::ToUnixSeconds(FromProtoTime(row.time())));
    value.push_back(row.has_value() ? nlohmann::json(row.value()) : nlohmann::json(nullptr));
    score.push_back(row.has_score() ? nlohmann::json(row.score()) : nlohmann::json(nullptr));
    kind.push_back(row.is_anomaly() ? ShortName(row.kind()) : std::string());
    cause.push_back(row.cause());
  }
  return {{"source", source},
          {"threshold", response.threshold()},
          {"step_s", absl::ToInt64Seconds(FromProtoDuration(response.step()))},
          {"flagged", response.flagged()},
          {"rows", response.rows_size()},
          {"t", std::move(t)},
          {"value", std::move(value)},
          {"score", std::move(score)},
          {"kind", std::move(kind)},
          {"cause", std::move(cause)}};
}

}  // namespace gridpilot
