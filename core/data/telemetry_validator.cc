#include "core/data/telemetry_validator.h"

#include <cmath>
#include <utility>

#include "absl/strings/str_cat.h"
#include "core/base/time_util.h"

namespace gridpilot::data {

namespace {

constexpr size_t kMaxSources = 1000;

TelemetryVerdict Reject(TelemetryRejection reason, std::string detail) {
  return TelemetryVerdict{.rejection = reason, .detail = std::move(detail)};
}

}  // namespace

ValueName ClassifyValueName(std::string_view name) {
  ValueName result;
  if (name == "net_load_mw") result.quantity = TelemetryQuantity::kNetLoadMw;
  if (name == "solar_mw") result.quantity = TelemetryQuantity::kSolarMw;
  if (name == "wind_mw") result.quantity = TelemetryQuantity::kWindMw;
  if (name == "price_gbp_per_mwh") result.quantity = TelemetryQuantity::kPriceGbpPerMwh;
  if (result.quantity) return result;
  for (std::string_view prefix : {"net_load_", "solar_", "wind_", "price_"}) {
    if (name.substr(0, prefix.size()) == prefix) {
      result.rejection = TelemetryRejection::kWrongUnits;
      return result;
    }
  }
  result.rejection = TelemetryRejection::kMalformed;
  return result;
}

absl::Status TelemetryValidatorConfig::Validate() const {
  if (sources.empty() || sources.size() > kMaxSources) {
    return absl::InvalidArgumentError(
        absl::StrCat("telemetry sources: ", sources.size(), " given, need 1 to ", kMaxSources));
  }
  for (const std::string& source : sources) {
    if (source.empty() || source.size() > 128) {
      return absl::InvalidArgumentError(
          absl::StrCat("telemetry sources: \"", source, "\" must be 1 to 128 characters"));
    }
  }
  if (max_ahead < absl::ZeroDuration() || max_ahead > absl::Hours(24)) {
    return absl::InvalidArgumentError("telemetry max_ahead: must be within 0 to 24 hours");
  }
  if (!(max_abs_power_mw > 0) || !(max_abs_price_gbp_per_mwh > 0)) {
    return absl::InvalidArgumentError("telemetry bounds: must be > 0");
  }
  return absl::OkStatus();
}

TelemetryValidator::TelemetryValidator(TelemetryValidatorConfig config)
    : config_(std::move(config)) {
  for (const std::string& source : config_.sources) sources_[source];
}

TelemetryVerdict TelemetryValidator::Check(const TelemetrySample& sample, absl::Time now) {
  auto state = sources_.find(sample.source);
  if (state == sources_.end()) {
    return Reject(TelemetryRejection::kUnknownSource,
                  absl::StrCat("source \"", sample.source.substr(0, 128), "\" is not configured"));
  }
  const std::pair<const char*, const std::optional<double>*> values[] = {
      {"net_load_mw", &sample.net_load_mw},
      {"solar_mw", &sample.solar_mw},
      {"wind_mw", &sample.wind_mw},
      {"price_gbp_per_mwh", &sample.price_gbp_per_mwh}};
  for (const auto& [name, value] : values) {
    if (value->has_value() && !std::isfinite(**value)) {
      return Reject(TelemetryRejection::kNotFinite,
                    absl::StrCat(sample.source, " #", sample.sequence, ": ", name,
                                 " is not a finite number"));
    }
  }
  const auto bounded = [&](const char* name, const std::optional<double>& value, double lo,
                           double hi) -> std::optional<TelemetryVerdict> {
    if (value && (*value < lo || *value > hi)) {
      return Reject(TelemetryRejection::kOutOfBounds,
                    absl::StrCat(sample.source, " #", sample.sequence, ": ", name, " ", *value,
                                 " is outside [", lo, ", ", hi, "]"));
    }
    return std::nullopt;
  };
  const double p = config_.max_abs_power_mw;
  const double c = config_.max_abs_price_gbp_per_mwh;
  for (std::optional<TelemetryVerdict> v :
       {bounded("net_load_mw", sample.net_load_mw, -p, p),
        bounded("solar_mw", sample.solar_mw, 0, p), bounded("wind_mw", sample.wind_mw, 0, p),
        bounded("price_gbp_per_mwh", sample.price_gbp_per_mwh, -c, c)}) {
    if (v) return *std::move(v);
  }
  if (sample.timestamp > now + config_.max_ahead) {
    return Reject(TelemetryRejection::kTooFarInFuture,
                  absl::StrCat(sample.source, " #", sample.sequence, ": stamped ",
                               base::FormatUtcTimestamp(sample.timestamp), ", more than ",
                               absl::FormatDuration(config_.max_ahead), " after ",
                               base::FormatUtcTimestamp(now)));
  }
  TelemetrySequenceWindow& window = state->second;
  switch (window.Classify(sample.sequence)) {
    case TelemetrySequenceWindow::Seen::kDuplicate:
      return Reject(TelemetryRejection::kDuplicateSequence,
                    absl::StrCat(sample.source, " #", sample.sequence, ": already received"));
    case TelemetrySequenceWindow::Seen::kTooOld:
      return Reject(TelemetryRejection::kOutOfOrder,
                    absl::StrCat(sample.source, " #", sample.sequence, " stamped ",
                                 base::FormatUtcTimestamp(sample.timestamp), ": ",
                                 TelemetrySequenceWindow::kSpan, " or more below #",
                                 window.newest(), ", too old to tell from a redelivery"));
    case TelemetrySequenceWindow::Seen::kNew: break;
  }
  window.Accept(sample.sequence);
  return TelemetryVerdict{};
}

}  // namespace gridpilot::data
