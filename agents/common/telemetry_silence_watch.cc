#include "agents/common/telemetry_silence_watch.h"

#include "absl/strings/str_cat.h"
#include "core/base/time_util.h"
#include "services/common/proto_time.h"

namespace gridpilot {

std::optional<std::string> TelemetrySilenceWatch::Observe(const v1::Tick& tick) {
  const absl::Time step_start = FromProtoTime(tick.step().start());
  if (tick.step().source_silent()) {
    if (silent_since_.has_value()) return std::nullopt;
    silent_since_ = step_start;
    return absl::StrCat("telemetry silent since ", base::FormatUtcTimestamp(step_start),
                        ": the live source sent nothing within its timeout; the region is "
                        "degraded");
  }
  if (!silent_since_.has_value()) return std::nullopt;
  std::string back =
      absl::StrCat("telemetry back at ", base::FormatUtcTimestamp(step_start),
                   " after silence since ", base::FormatUtcTimestamp(*silent_since_));
  silent_since_.reset();
  return back;
}

}  // namespace gridpilot
