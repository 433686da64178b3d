#include "services/gateway/telemetry_json.h"

#include <cmath>
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "core/base/time_util.h"
#include "nlohmann/json.hpp"
#include "services/gateway/telemetry_json_plain.h"

namespace gridpilot {

namespace {

data::TelemetryVerdict Bad(data::TelemetryRejection reason, std::string detail) {
  return data::TelemetryVerdict{.rejection = reason, .detail = std::move(detail)};
}

}  // namespace

std::variant<data::TelemetrySample, data::TelemetryVerdict> DecodeTelemetryJson(
    std::string_view payload) {
  if (payload.size() <= kMaxTelemetryPayloadBytes) {
    if (std::optional<data::TelemetrySample> plain = DecodePlainTelemetryJson(payload)) {
      return *std::move(plain);
    }
  }
  return DecodeTelemetryJsonDocument(payload);
}

std::variant<data::TelemetrySample, data::TelemetryVerdict> DecodeTelemetryJsonDocument(
    std::string_view payload) {
  using data::TelemetryRejection;
  if (payload.size() > kMaxTelemetryPayloadBytes) {
    return Bad(
        TelemetryRejection::kMalformed,
        absl::StrCat("payload of ", payload.size(), " bytes, over ", kMaxTelemetryPayloadBytes));
  }
  const nlohmann::json json = nlohmann::json::parse(payload, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) return Bad(TelemetryRejection::kMalformed, "not JSON");
  if (!json.is_object()) return Bad(TelemetryRejection::kMalformed, "not a JSON object");
  data::TelemetrySample sample;
  const auto ts = json.find("timestamp");
  if (ts == json.end() || !ts->is_string()) {
    return Bad(TelemetryRejection::kMalformed, "\"timestamp\" must be an RFC 3339 string");
  }
  absl::StatusOr<absl::Time> at = base::ParseUtcTimestamp(ts->get_ref<const std::string&>());
  if (!at.ok()) {
    return Bad(TelemetryRejection::kMalformed,
               absl::StrCat("\"timestamp\": ", at.status().message()));
  }
  sample.timestamp = *at;
  const auto source = json.find("source");
  if (source == json.end() || !source->is_string()) {
    return Bad(TelemetryRejection::kMalformed, "\"source\" must be a string");
  }
  sample.source = source->get<std::string>();
  const auto seq = json.find("seq");
  if (seq == json.end() || !seq->is_number_integer()) {
    return Bad(TelemetryRejection::kMalformed, "\"seq\" must be an integer");
  }
  sample.sequence = seq->get<int64_t>();
  const auto values = json.find("values");
  if (values == json.end() || !values->is_object()) {
    return Bad(TelemetryRejection::kMalformed, "\"values\" must be an object");
  }
  for (const auto& [name, value] : values->items()) {
    const data::ValueName kind = data::ClassifyValueName(name);
    if (!kind.quantity) {
      return Bad(kind.rejection, absl::StrCat("values: \"", name.substr(0, 64),
                                              "\" is not net_load_mw, solar_mw, wind_mw or "
                                              "price_gbp_per_mwh"));
    }
    if (!value.is_number()) {
      return Bad(TelemetryRejection::kMalformed,
                 absl::StrCat("values: \"", name, "\" must be a number"));
    }
    const double v = value.get<double>();
    switch (*kind.quantity) {
      case data::TelemetryQuantity::kNetLoadMw: sample.net_load_mw = v; break;
      case data::TelemetryQuantity::kSolarMw: sample.solar_mw = v; break;
      case data::TelemetryQuantity::kWindMw: sample.wind_mw = v; break;
      case data::TelemetryQuantity::kPriceGbpPerMwh: sample.price_gbp_per_mwh = v; break;
    }
  }
  return sample;
}

std::string EncodeTelemetryJson(const data::TelemetrySample& sample) {
  nlohmann::json values = nlohmann::json::object();
  if (sample.net_load_mw) values["net_load_mw"] = *sample.net_load_mw;
  if (sample.solar_mw) values["solar_mw"] = *sample.solar_mw;
  if (sample.wind_mw) values["wind_mw"] = *sample.wind_mw;
  if (sample.price_gbp_per_mwh) values["price_gbp_per_mwh"] = *sample.price_gbp_per_mwh;
  const nlohmann::json json = {{"timestamp", base::FormatUtcTimestamp(sample.timestamp)},
                               {"source", sample.source},
                               {"seq", sample.sequence},
                               {"values", std::move(values)}};
  return json.dump();
}

}  // namespace gridpilot
