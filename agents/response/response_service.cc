#include "agents/response/response_service.h"

#include "services/common/grpc_status.h"

namespace gridpilot {

grpc::Status ResponseServiceImpl::GetResponseStatus(grpc::ServerContext*,
                                                    const v1::GetResponseStatusRequest*,
                                                    v1::GetResponseStatusResponse* response) {
  *response = agent_->Status();
  return grpc::Status::OK;
}

grpc::Status ResponseServiceImpl::ListEvents(grpc::ServerContext*,
                                             const v1::ListEventsRequest* request,
                                             v1::ListEventsResponse* response) {
  if (request->limit() < 0) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "limit must be >= 0");
  }
  const size_t limit = request->limit() == 0 ? 100 : static_cast<size_t>(request->limit());
  for (v1::RampEvent& e : agent_->RecentEvents(limit)) *response->add_events() = std::move(e);
  for (v1::RampEpisode& e : agent_->RecentEpisodes(limit)) *response->add_episodes() = std::move(e);
  return grpc::Status::OK;
}

grpc::Status ResponseServiceImpl::GetThresholds(grpc::ServerContext*,
                                                const v1::GetThresholdsRequest*,
                                                v1::GetThresholdsResponse* response) {
  *response->mutable_thresholds() = agent_->Thresholds();
  return grpc::Status::OK;
}

grpc::Status ResponseServiceImpl::SetThresholds(grpc::ServerContext*,
                                                const v1::SetThresholdsRequest* request,
                                                v1::SetThresholdsResponse* response) {
  if (!request->has_thresholds()) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "thresholds: required");
  }
  absl::Status set = agent_->SetThresholds(request->thresholds());
  if (!set.ok()) return ToGrpcStatus(set);
  *response->mutable_thresholds() = agent_->Thresholds();
  return grpc::Status::OK;
}

}  // namespace gridpilot
