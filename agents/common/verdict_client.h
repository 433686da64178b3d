// An agent's view of the anomaly detectors' verdict on a tick's measurement: the seam
// between an agent and AnomalyService, so agents can be tested with a fake source.
#ifndef GRIDPILOT_AGENTS_COMMON_VERDICT_CLIENT_H_
#define GRIDPILOT_AGENTS_COMMON_VERDICT_CLIENT_H_

#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "gridpilot/v1/anomaly.grpc.pb.h"
#include "gridpilot/v1/types.pb.h"

namespace gridpilot {

struct TelemetryVerdict {
  // The measurement the tick carries (the interval that just ended) is one the load
  // forecast says cannot be true: possibly false data. Agents do not act on it.
  bool suspect = false;
  std::string cause;  // the detectors' readable cause, when flagged
};

// The verdict carried by the forecast the gateway attached to `tick` (Tick.forecast), if
// any: agents ask a TelemetryVerdictSource only when the tick carries none.
std::optional<TelemetryVerdict> VerdictOfTick(const v1::Tick& tick);

class TelemetryVerdictSource {
 public:
  virtual ~TelemetryVerdictSource() = default;
  // The verdict on the measurement carried by the tick at `tick_time`. Unavailable /
  // DeadlineExceeded when the service is down or has not scored the tick in time.
  virtual absl::StatusOr<TelemetryVerdict> VerdictAt(absl::Time tick_time) = 0;
};

// TelemetryVerdictSource over AnomalyService.GetVerdict.
class GrpcTelemetryVerdictSource final : public TelemetryVerdictSource {
 public:
  // `wait` bounds how long one call may take (the service may still be scoring the tick).
  GrpcTelemetryVerdictSource(const std::string& address, absl::Duration wait);
  absl::StatusOr<TelemetryVerdict> VerdictAt(absl::Time tick_time) override;

 private:
  std::unique_ptr<v1::AnomalyService::Stub> stub_;
  absl::Duration wait_;
};

}  // namespace gridpilot

#endif  // GRIDPILOT_AGENTS_COMMON_VERDICT_CLIENT_H_
