// ResponseService over a ResponseAgent: a thin gRPC edge.
#ifndef GRIDPILOT_AGENTS_RESPONSE_RESPONSE_SERVICE_H_
#define GRIDPILOT_AGENTS_RESPONSE_RESPONSE_SERVICE_H_

#include "agents/response/response_agent.h"
#include "gridpilot/v1/response.grpc.pb.h"

namespace gridpilot {

class ResponseServiceImpl final : public v1::ResponseService::Service {
 public:
  explicit ResponseServiceImpl(ResponseAgent* agent) : agent_(agent) {}
  grpc::Status GetResponseStatus(grpc::ServerContext*, const v1::GetResponseStatusRequest*,
                                 v1::GetResponseStatusResponse* response) override;
  grpc::Status ListEvents(grpc::ServerContext*, const v1::ListEventsRequest* request,
                          v1::ListEventsResponse* response) override;
  grpc::Status GetThresholds(grpc::ServerContext*, const v1::GetThresholdsRequest*,
                             v1::GetThresholdsResponse* response) override;
  // INVALID_ARGUMENT without thresholds or with thresholds the agent refuses.
  grpc::Status SetThresholds(grpc::ServerContext*, const v1::SetThresholdsRequest* request,
                             v1::SetThresholdsResponse* response) override;

 private:
  ResponseAgent* agent_;
};

}  // namespace gridpilot

#endif  // GRIDPILOT_AGENTS_RESPONSE_RESPONSE_SERVICE_H_
