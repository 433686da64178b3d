// The gateway's five gRPC services. Each is a thin edge over GatewayRun: convert the
// request, call the run, convert the answer back.
#ifndef GRIDPILOT_SERVICES_GATEWAY_GATEWAY_SERVICES_H_
#define GRIDPILOT_SERVICES_GATEWAY_GATEWAY_SERVICES_H_

#include "gridpilot/v1/approval.grpc.pb.h"
#include "gridpilot/v1/asset.grpc.pb.h"
#include "gridpilot/v1/clock.grpc.pb.h"
#include "gridpilot/v1/ledger.grpc.pb.h"
#include "gridpilot/v1/telemetry.grpc.pb.h"
#include "services/gateway/agent_sessions.h"
#include "services/gateway/gateway_run.h"
#include "services/gateway/telemetry_ingest.h"

namespace gridpilot {

class TelemetryServiceImpl final : public v1::TelemetryService::Service {
 public:
  // `ingest` (not owned, may be null when the run is not on published telemetry) takes
  // the readings of Publish.
  explicit TelemetryServiceImpl(GatewayRun* run, TelemetryIngest* ingest = nullptr)
      : run_(run), ingest_(ingest) {}
  grpc::Status Subscribe(grpc::ServerContext* context, const v1::SubscribeRequest* request,
                         grpc::ServerWriter<v1::SubscribeResponse>* writer) override;
  grpc::Status History(grpc::ServerContext* context, const v1::HistoryRequest* request,
                       grpc::ServerWriter<v1::HistoryResponse>* writer) override;
  grpc::Status DayAheadForecasts(grpc::ServerContext* context,
                                 const v1::DayAheadForecastsRequest* request,
                                 v1::DayAheadForecastsResponse* response) override;
  grpc::Status Publish(grpc::ServerContext* context, grpc::ServerReader<v1::PublishRequest>* reader,
                       v1::PublishResponse* response) override;

 private:
  GatewayRun* run_;
  TelemetryIngest* ingest_;
};

class AssetServiceImpl final : public v1::AssetService::Service {
 public:
  explicit AssetServiceImpl(GatewayRun* run) : run_(run) {}
  grpc::Status ListAssets(grpc::ServerContext* context, const v1::ListAssetsRequest* request,
                          v1::ListAssetsResponse* response) override;
  grpc::Status SubmitDispatch(grpc::ServerContext* context,
                              const v1::SubmitDispatchRequest* request,
                              v1::SubmitDispatchResponse* response) override;
  grpc::Status CancelDispatch(grpc::ServerContext* context,
                              const v1::CancelDispatchRequest* request,
                              v1::CancelDispatchResponse* response) override;
  grpc::Status ListDecisions(grpc::ServerContext* context, const v1::ListDecisionsRequest* request,
                             v1::ListDecisionsResponse* response) override;
  // services/gateway/simulate_dispatch_service.cc
  grpc::Status SimulateDispatch(grpc::ServerContext* context,
                                const v1::SimulateDispatchRequest* request,
                                v1::SimulateDispatchResponse* response) override;

 private:
  GatewayRun* run_;
};

class ApprovalServiceImpl final : public v1::ApprovalService::Service {
 public:
  explicit ApprovalServiceImpl(GatewayRun* run) : run_(run) {}
  grpc::Status ListApprovals(grpc::ServerContext* context, const v1::ListApprovalsRequest* request,
                             v1::ListApprovalsResponse* response) override;
  grpc::Status Approve(grpc::ServerContext* context, const v1::ApproveRequest* request,
                       v1::ApproveResponse* response) override;
  grpc::Status Reject(grpc::ServerContext* context, const v1::RejectRequest* request,
                      v1::RejectResponse* response) override;

 private:
  GatewayRun* run_;
};

class LedgerServiceImpl final : public v1::LedgerService::Service {
 public:
  explicit LedgerServiceImpl(GatewayRun* run) : run_(run) {}
  grpc::Status GetPnl(grpc::ServerContext* context, const v1::GetPnlRequest* request,
                      v1::GetPnlResponse* response) override;

 private:
  GatewayRun* run_;
};

// AgentSession runs on gRPC's callback API (agent_sessions.h); the other methods are
// synchronous.
class ClockServiceImpl final
    : public v1::ClockService::WithCallbackMethod_AgentSession<v1::ClockService::Service> {
 public:
  explicit ClockServiceImpl(GatewayRun* run) : run_(run), sessions_(run) {}
  grpc::Status RegisterAgent(grpc::ServerContext* context, const v1::RegisterAgentRequest* request,
                             v1::RegisterAgentResponse* response) override;
  grpc::Status Start(grpc::ServerContext* context, const v1::StartRequest* request,
                     v1::StartResponse* response) override;
  grpc::Status GetClockStatus(grpc::ServerContext* context,
                              const v1::GetClockStatusRequest* request,
                              v1::GetClockStatusResponse* response) override;
  AgentSessions::Reactor* AgentSession(grpc::CallbackServerContext* context) override {
    return sessions_.Open(context);
  }

 private:
  GatewayRun* run_;
  AgentSessions sessions_;
};

}  // namespace gridpilot

#endif  // GRIDPILOT_SERVICES_GATEWAY_GATEWAY_SERVICES_H_
