#include "services/gateway/gateway_services.h"

namespace gridpilot {

grpc::Status LedgerServiceImpl::GetPnl(grpc::ServerContext*, const v1::GetPnlRequest*,
                                       v1::GetPnlResponse* response) {
  *response = run_->Pnl();
  return grpc::Status::OK;
}

}  // namespace gridpilot
