// The response agent's view of the forecast service: the seam between the agent and
// gRPC, so the agent can be tested with a fake source.
#ifndef GRIDPILOT_AGENTS_GRID_RESPONSE_FORECAST_CLIENT_H_
#define GRIDPILOT_AGENTS_GRID_RESPONSE_FORECAST_CLIENT_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "gridpilot/v1/forecast.grpc.pb.h"

namespace gridpilot {

class ChangeForecastSource {
 public:
  virtual ~ChangeForecastSource() = default;
  // Cumulative net-load change forecasts C_1..C_H (MW, region) issued at `issue_time`.
  // Unavailable / DeadlineExceeded when the service is down or late.
  virtual absl::StatusOr<std::vector<double>> ChangeForecast(absl::Time issue_time) = 0;
};

// ChangeForecastSource over ForecastService.GetNetLoadChange.
class GrpcChangeForecastSource final : public ChangeForecastSource {
 public:
  // `wait` bounds how long one call may take (the service may still be ingesting the tick).
  GrpcChangeForecastSource(const std::string& address, absl::Duration wait);
  absl::StatusOr<std::vector<double>> ChangeForecast(absl::Time issue_time) override;

 private:
  std::unique_ptr<v1::ForecastService::Stub> stub_;
  absl::Duration wait_;
};

}  // namespace gridpilot

#endif  // GRIDPILOT_AGENTS_GRID_RESPONSE_FORECAST_CLIENT_H_
