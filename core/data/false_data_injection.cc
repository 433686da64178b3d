#include "core/data/false_data_injection.h"

#include <cmath>

namespace gridpilot::data {

absl::Status FalseDataInjection::Validate() const {
  if (duration <= absl::ZeroDuration() || duration == absl::InfiniteDuration()) {
    return absl::InvalidArgumentError("duration must be positive and finite");
  }
  if (!std::isfinite(ramp_mw_per_hour)) {
    return absl::InvalidArgumentError("ramp_mw_per_hour must be finite");
  }
  return absl::OkStatus();
}

double FalseDataOffsetMw(const std::vector<FalseDataInjection>& injections,
                         absl::Time interval_start) {
  double offset_mw = 0.0;
  for (const FalseDataInjection& f : injections) {
    if (interval_start < f.from || interval_start >= f.from + f.duration) continue;
    offset_mw += f.ramp_mw_per_hour * absl::ToDoubleHours(interval_start - f.from);
  }
  return offset_mw;
}

}  // namespace gridpilot::data
