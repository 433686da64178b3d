// TraderService over a TraderAgent: a thin gRPC edge.
#ifndef GRIDPILOT_AGENTS_TRADER_TRADER_SERVICE_H_
#define GRIDPILOT_AGENTS_TRADER_TRADER_SERVICE_H_

#include "agents/trader/trader_agent.h"
#include "gridpilot/v1/trader.grpc.pb.h"

namespace gridpilot {

class TraderServiceImpl final : public v1::TraderService::Service {
 public:
  explicit TraderServiceImpl(TraderAgent* agent) : agent_(agent) {}
  grpc::Status GetSchedule(grpc::ServerContext*, const v1::GetScheduleRequest*,
                           v1::GetScheduleResponse* response) override {
    *response = agent_->Schedule();
    return grpc::Status::OK;
  }
  grpc::Status GetTraderStatus(grpc::ServerContext*, const v1::GetTraderStatusRequest*,
                               v1::GetTraderStatusResponse* response) override {
    *response = agent_->Status();
    return grpc::Status::OK;
  }
  grpc::Status GetTraderPnl(grpc::ServerContext*, const v1::GetTraderPnlRequest*,
                            v1::GetTraderPnlResponse* response) override {
    *response = agent_->Pnl();
    return grpc::Status::OK;
  }

 private:
  TraderAgent* agent_;
};

}  // namespace gridpilot

#endif  // GRIDPILOT_AGENTS_TRADER_TRADER_SERVICE_H_
