// ResponseAgentService over a ResponseAgent: a thin gRPC edge.
#ifndef GRIDPILOT_AGENTS_GRID_RESPONSE_RESPONSE_SERVICE_H_
#define GRIDPILOT_AGENTS_GRID_RESPONSE_RESPONSE_SERVICE_H_

#include "agents/grid_response/response_agent.h"
#include "gridpilot/v1/response_agent.grpc.pb.h"

namespace gridpilot {

class ResponseAgentServiceImpl final : public v1::ResponseAgentService::Service {
 public:
  explicit ResponseAgentServiceImpl(ResponseAgent* agent) : agent_(agent) {}
  grpc::Status GetStatus(grpc::ServerContext*, const v1::GetResponseStatusRequest*,
                         v1::GetResponseStatusResponse* response) override;
  grpc::Status ListEvents(grpc::ServerContext*, const v1::ListEventsRequest* request,
                          v1::ListEventsResponse* response) override;
  grpc::Status GetThresholds(grpc::ServerContext*, const v1::GetThresholdsRequest*,
                             v1::Thresholds* response) override;
  grpc::Status SetThresholds(grpc::ServerContext*, const v1::Thresholds* request,
                             v1::Thresholds* response) override;

 private:
  ResponseAgent* agent_;
};

}  // namespace gridpilot

#endif  // GRIDPILOT_AGENTS_GRID_RESPONSE_RESPONSE_SERVICE_H_
