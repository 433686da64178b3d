#include "core/anomaly/one_step_check.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace gridpilot::anomaly {

double OneStepResidual(double value, const OneStepForecast& forecast) {
  if (std::isnan(value) || !(forecast.half_width_mw > 0)) return std::nan("");
  return std::abs(value - forecast.expected_mw) / forecast.half_width_mw;
}

void ApplyOneStepCheck(const OneStepForecast& forecast, double suspect_multiple,
                       ScoredReading* reading) {
  const double residual = OneStepResidual(reading->value, forecast);
  if (!(residual >= suspect_multiple)) return;  // also for NaN
  reading->suspect = true;
  // No commas: causes go into CSV fields.
  const std::string cause = absl::StrFormat(
      "%+.1f MW off the 30-min forecast %.6g made before it (%.1f times its 90%% interval)",
      reading->value - forecast.expected_mw, forecast.expected_mw, residual);
  if (reading->label.kind == AnomalyKind::kNone) {
    reading->label.kind = AnomalyKind::kFalseData;
    reading->label.cause = cause;
  } else {
    absl::StrAppend(&reading->label.cause, "; ", cause);
  }
}

}  // namespace gridpilot::anomaly
