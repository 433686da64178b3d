// Why a live telemetry message was refused. The edges count each reason in metrics and
// log them rate-limited; a refused message never reaches a settled interval.
#ifndef GRIDPILOT_CORE_DATA_TELEMETRY_REJECTION_H_
#define GRIDPILOT_CORE_DATA_TELEMETRY_REJECTION_H_

#include <array>
#include <string_view>

namespace gridpilot::data {

enum class TelemetryRejection {
  kMalformed,          // not a decodable message (bad JSON, missing or mistyped field)
  kUnknownSource,      // source id not configured
  kNotFinite,          // a value is NaN or infinite
  kWrongUnits,         // a value named with units other than the documented ones
  kOutOfBounds,        // a value outside the input bounds (e.g. negative solar)
  kTooFarInFuture,     // stamped further ahead of the feed than allowed
  kOutOfOrder,         // numbered too far below its source's newest to tell from a duplicate
  kDuplicateSequence,  // the sequence number of an earlier sample of its source
};

inline constexpr std::array<TelemetryRejection, 8> kAllTelemetryRejections = {
    TelemetryRejection::kMalformed,   TelemetryRejection::kUnknownSource,
    TelemetryRejection::kNotFinite,   TelemetryRejection::kWrongUnits,
    TelemetryRejection::kOutOfBounds, TelemetryRejection::kTooFarInFuture,
    TelemetryRejection::kOutOfOrder,  TelemetryRejection::kDuplicateSequence};

// Stable snake_case names, used as metric labels: "malformed", "unknown_source", ...
std::string_view TelemetryRejectionName(TelemetryRejection reason);

}  // namespace gridpilot::data

#endif  // GRIDPILOT_CORE_DATA_TELEMETRY_REJECTION_H_
