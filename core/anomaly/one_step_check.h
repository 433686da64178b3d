// The one-step check of the false-data guard: how far a reading is from the 30-minute
// forecast of it, made one interval earlier, in units of that forecast's prediction-
// interval half-width. The seasonal residual (ResidualDetector) tolerates a slow fake ramp
// until it is far from the same time on earlier days; the change forecast knows where the
// net load was heading half an hour ago, so a step it gives no room for stands out at once.
#ifndef GRIDPILOT_CORE_ANOMALY_ONE_STEP_CHECK_H_
#define GRIDPILOT_CORE_ANOMALY_ONE_STEP_CHECK_H_

#include "core/anomaly/series_anomaly_detector.h"

namespace gridpilot::anomaly {

struct OneStepForecast {
  double expected_mw = 0.0;    // the forecast of this interval's reading, issued 30 min before
  double half_width_mw = 0.0;  // its prediction interval's half-width, > 0
};

// |value - expected| / half_width; NaN when the value is missing or half_width <= 0.
double OneStepResidual(double value, const OneStepForecast& forecast);

// Marks `reading` suspect when its one-step residual is at least `suspect_multiple` (> 0).
// A reading no detector flagged becomes kind false_data; either way the cause says how far
// it is from the forecast. A reading that is not suspect here is left as it was.
void ApplyOneStepCheck(const OneStepForecast& forecast, double suspect_multiple,
                       ScoredReading* reading);

}  // namespace gridpilot::anomaly

#endif  // GRIDPILOT_CORE_ANOMALY_ONE_STEP_CHECK_H_
