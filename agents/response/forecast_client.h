// The response agent's view of the forecast service: the seam between the agent and
// gRPC, so the agent can be tested with a fake source.
#ifndef GRIDPILOT_AGENTS_RESPONSE_FORECAST_CLIENT_H_
#define GRIDPILOT_AGENTS_RESPONSE_FORECAST_CLIENT_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "gridpilot/v1/forecast.grpc.pb.h"
#include "gridpilot/v1/types.pb.h"

namespace gridpilot {

// A forecast as the agent uses it.
struct IssuedChangeForecast {
  std::vector<double> changes_mw;  // cumulative C_1..C_H, MW, region
  // The anomaly detectors judged the interval the forecast starts from (the tick's
  // measurement) suspect: a reading the load forecast says cannot be true.
  bool base_suspect = false;
  std::string suspect_cause;  // the detectors' cause, when suspect
};

// The forecast as the agent uses it, from the forecast service's answer.
IssuedChangeForecast IssuedChangeForecastOf(const v1::GetNetLoadChangeResponse& response);

// The forecast the gateway attached to `tick` (Tick.forecast), if any: in lock-step the
// forecast process answers each tick with it before the agents see the tick, so the agent
// asks a ChangeForecastSource only when the tick carries none.
std::optional<IssuedChangeForecast> ChangeForecastOfTick(const v1::Tick& tick);

class ChangeForecastSource {
 public:
  virtual ~ChangeForecastSource() = default;
  // The forecast issued at `issue_time`. Unavailable / DeadlineExceeded when the service
  // is down or late.
  virtual absl::StatusOr<IssuedChangeForecast> ChangeForecast(absl::Time issue_time) = 0;
};

// ChangeForecastSource over ForecastService.GetNetLoadChange.
class GrpcChangeForecastSource final : public ChangeForecastSource {
 public:
  // `wait` bounds how long one call may take (the service may still be ingesting the tick).
  GrpcChangeForecastSource(const std::string& address, absl::Duration wait);
  absl::StatusOr<IssuedChangeForecast> ChangeForecast(absl::Time issue_time) override;

 private:
  std::unique_ptr<v1::ForecastService::Stub> stub_;
  absl::Duration wait_;
};

}  // namespace gridpilot

#endif  // GRIDPILOT_AGENTS_RESPONSE_FORECAST_CLIENT_H_
