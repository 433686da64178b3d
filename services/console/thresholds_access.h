// ThresholdsAccess: the console's one write, the response agent's ramp thresholds, read
// and set on behalf of a logged-in person. The person's bearer token is the call
// credential, so the response agent's role check (operator or admin for SetThresholds)
// and its audit see the person, not the console. An interface so the HTTP server can be
// tested with a fake; GrpcThresholdsAccess is the real one.
#ifndef GRIDPILOT_SERVICES_CONSOLE_THRESHOLDS_ACCESS_H_
#define GRIDPILOT_SERVICES_CONSOLE_THRESHOLDS_ACCESS_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "gridpilot/v1/response.grpc.pb.h"

namespace gridpilot {

class ThresholdsAccess {
 public:
  virtual ~ThresholdsAccess() = default;
  // The thresholds in force, read with `bearer_token`. The peer's status as an
  // absl::Status (Unavailable, Unauthenticated, ...).
  virtual absl::StatusOr<v1::Thresholds> Get(const std::string& bearer_token) = 0;
  // Sets `thresholds` with `bearer_token` as the caller; returns those now in force.
  // PermissionDenied (the peer's message) for a role that may not; InvalidArgument for
  // values out of range.
  virtual absl::StatusOr<v1::Thresholds> Set(const std::string& bearer_token,
                                             const v1::Thresholds& thresholds) = 0;
};

// Calls the response agent at `address` over the process's channel (MakeChannel: mutual
// TLS under credentials) with "authorization: Bearer <token>" on each call; the stack's
// authorizer lets a token win over the console's certificate. Thread-safe.
class GrpcThresholdsAccess : public ThresholdsAccess {
 public:
  explicit GrpcThresholdsAccess(const std::string& address,
                                absl::Duration deadline = absl::Seconds(5));
  absl::StatusOr<v1::Thresholds> Get(const std::string& bearer_token) override;
  absl::StatusOr<v1::Thresholds> Set(const std::string& bearer_token,
                                     const v1::Thresholds& thresholds) override;

 private:
  const absl::Duration deadline_;
  std::unique_ptr<v1::ResponseService::Stub> stub_;
};

}  // namespace gridpilot

#endif  // GRIDPILOT_SERVICES_CONSOLE_THRESHOLDS_ACCESS_H_
