#include "agents/response/response_service.h"

#include <nlohmann/json.hpp>
#include <optional>

#include "services/common/grpc_status.h"
#include "services/security/authenticated_caller.h"

namespace gridpilot {
namespace {

nlohmann::json ThresholdsJson(const v1::Thresholds& t) {
  return {{"ramp_limit_mw", t.ramp_limit_mw()}, {"margin_mw", t.margin_mw()}};
}

}  // namespace

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

grpc::Status ResponseServiceImpl::SetThresholds(grpc::ServerContext* context,
                                                const v1::SetThresholdsRequest* request,
                                                v1::SetThresholdsResponse* response) {
  absl::MutexLock lock(&set_mu_);
  const v1::Thresholds old_thresholds = agent_->Thresholds();
  absl::Status set = request->has_thresholds() ? agent_->SetThresholds(request->thresholds())
                                               : absl::InvalidArgumentError("thresholds: required");
  if (audit_ != nullptr) {
    const std::optional<security::Caller> caller = security::AuthenticatedCaller(context);
    const security::Caller who = caller.value_or(security::Caller{});
    nlohmann::json detail = {{"old", ThresholdsJson(old_thresholds)},
                             {"outcome", set.ok() ? "changed" : std::string(set.message())}};
    if (request->has_thresholds()) detail["requested"] = ThresholdsJson(request->thresholds());
    if (set.ok()) detail["new"] = ThresholdsJson(agent_->Thresholds());
    audit_->Report(v1::AUDIT_EVENT_KIND_THRESHOLDS, who.identity, who.role,
                   detail.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  }
  if (!set.ok()) return ToGrpcStatus(set);
  *response->mutable_thresholds() = agent_->Thresholds();
  return grpc::Status::OK;
}

}  // namespace gridpilot
