#include "core/data/telemetry_rejection.h"

namespace gridpilot::data {

std::string_view TelemetryRejectionName(TelemetryRejection reason) {
  switch (reason) {
    case TelemetryRejection::kMalformed: return "malformed";
    case TelemetryRejection::kUnknownSource: return "unknown_source";
    case TelemetryRejection::kNotFinite: return "not_finite";
    case TelemetryRejection::kWrongUnits: return "wrong_units";
    case TelemetryRejection::kOutOfBounds: return "out_of_bounds";
    case TelemetryRejection::kTooFarInFuture: return "too_far_in_future";
    case TelemetryRejection::kOutOfOrder: return "out_of_order";
    case TelemetryRejection::kDuplicateSequence: return "duplicate_sequence";
  }
  return "unknown";
}

}  // namespace gridpilot::data
