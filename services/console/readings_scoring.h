// ReadingsScoring: the console's way to have an uploaded file scored for anomalies, by the
// forecast service's AnomalyService.ScoreReadings on behalf of the logged-in person (their
// bearer token is the call credential, so the forecast process's role check and logs see
// the person). An interface so the HTTP server can be tested with a fake;
// GrpcReadingsScoring is the real one.
#ifndef GRIDPILOT_SERVICES_CONSOLE_READINGS_SCORING_H_
#define GRIDPILOT_SERVICES_CONSOLE_READINGS_SCORING_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "gridpilot/v1/anomaly.grpc.pb.h"

namespace gridpilot {

class ReadingsScoring {
 public:
  virtual ~ReadingsScoring() = default;
  // Scores `request` with `bearer_token` as the caller. The peer's status as an
  // absl::Status: InvalidArgument with its message naming line and field for a bad file,
  // Unavailable when the forecast process is down, ResourceExhausted when it is busy.
  virtual absl::StatusOr<v1::ScoreReadingsResponse> Score(
      const std::string& bearer_token, const v1::ScoreReadingsRequest& request) = 0;
};

// Calls the forecast process at `address` over the process's channel (MakeChannel), with
// "authorization: Bearer <token>" on each call. Thread-safe.
class GrpcReadingsScoring : public ReadingsScoring {
 public:
  explicit GrpcReadingsScoring(const std::string& address,
                               absl::Duration deadline = absl::Seconds(60));
  absl::StatusOr<v1::ScoreReadingsResponse> Score(const std::string& bearer_token,
                                                  const v1::ScoreReadingsRequest& request) override;

 private:
  const absl::Duration deadline_;
  std::unique_ptr<v1::AnomalyService::Stub> stub_;
};

}  // namespace gridpilot

#endif  // GRIDPILOT_SERVICES_CONSOLE_READINGS_SCORING_H_
