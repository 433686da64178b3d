// AdviceAccess: the console's read of the forecast process's flexibility advice
// (AdviceService.Advise), on behalf of a logged-in person whose bearer token is the call
// credential (any role may read it). An interface so the HTTP server can be tested with a
// fake; GrpcAdviceAccess is the real one. AdviceRequestFromQuery turns the page's query
// (?date=YYYY-MM-DD&flexible_share=X&peak_limit_mw=P&battery_capacity_mwh=E) into a
// request.
#ifndef GRIDPILOT_SERVICES_CONSOLE_ADVICE_ACCESS_H_
#define GRIDPILOT_SERVICES_CONSOLE_ADVICE_ACCESS_H_

#include <map>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "gridpilot/v1/advice.grpc.pb.h"

namespace gridpilot {

class AdviceAccess {
 public:
  virtual ~AdviceAccess() = default;
  // The advice, asked with `bearer_token`; the peer's status as an absl::Status.
  virtual absl::StatusOr<v1::AdviseResponse> Advise(const std::string& bearer_token,
                                                    const v1::AdviseRequest& request) = 0;
};

// Calls the forecast process at `address` over the process's channel with
// "authorization: Bearer <token>". Thread-safe.
class GrpcAdviceAccess : public AdviceAccess {
 public:
  explicit GrpcAdviceAccess(const std::string& address, absl::Duration deadline = absl::Seconds(5));
  absl::StatusOr<v1::AdviseResponse> Advise(const std::string& bearer_token,
                                            const v1::AdviseRequest& request) override;

 private:
  const absl::Duration deadline_;
  std::unique_ptr<v1::AdviceService::Stub> stub_;
};

// The query's options; absent ones stay unset (the service's defaults). InvalidArgument
// naming the parameter for an unknown one, a bad date or a number out of range
// (flexible_share in [0, 1], peak_limit_mw and battery_capacity_mwh in [0, 1e6]).
absl::StatusOr<v1::AdviseRequest> AdviceRequestFromQuery(
    const std::multimap<std::string, std::string>& params);

}  // namespace gridpilot

#endif  // GRIDPILOT_SERVICES_CONSOLE_ADVICE_ACCESS_H_
