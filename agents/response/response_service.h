// ResponseService over a ResponseAgent: a thin gRPC edge.
#ifndef GRIDPILOT_AGENTS_RESPONSE_RESPONSE_SERVICE_H_
#define GRIDPILOT_AGENTS_RESPONSE_RESPONSE_SERVICE_H_

#include "absl/synchronization/mutex.h"
#include "agents/response/response_agent.h"
#include "gridpilot/v1/response.grpc.pb.h"
#include "services/common/audit_reporter.h"

namespace gridpilot {

class ResponseServiceImpl final : public v1::ResponseService::Service {
 public:
  // `audit` (may be null: no audit) gets every SetThresholds call that reached the handler:
  // who, their role, the old and new thresholds and the outcome. Both must outlive this.
  explicit ResponseServiceImpl(ResponseAgent* agent, AuditReporter* audit = nullptr)
      : agent_(agent), audit_(audit) {}
  grpc::Status GetResponseStatus(grpc::ServerContext*, const v1::GetResponseStatusRequest*,
                                 v1::GetResponseStatusResponse* response) override;
  grpc::Status ListEvents(grpc::ServerContext*, const v1::ListEventsRequest* request,
                          v1::ListEventsResponse* response) override;
  grpc::Status GetThresholds(grpc::ServerContext*, const v1::GetThresholdsRequest*,
                             v1::GetThresholdsResponse* response) override;
  // INVALID_ARGUMENT without thresholds or with thresholds the agent refuses. Audited.
  grpc::Status SetThresholds(grpc::ServerContext*, const v1::SetThresholdsRequest* request,
                             v1::SetThresholdsResponse* response) override;

 private:
  ResponseAgent* agent_;
  AuditReporter* const audit_;
  // One SetThresholds at a time, so that its audit's old values are the ones it replaced.
  absl::Mutex set_mu_;
};

}  // namespace gridpilot

#endif  // GRIDPILOT_AGENTS_RESPONSE_RESPONSE_SERVICE_H_
