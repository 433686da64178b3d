#include "services/common/proto_time.h"
#include "services/gateway/gateway_services.h"

namespace gridpilot {

grpc::Status TelemetryServiceImpl::Subscribe(grpc::ServerContext* context,
                                             const v1::SubscribeRequest* request,
                                             grpc::ServerWriter<v1::SubscribeResponse>* writer) {
  size_t next = request->has_from_time()
                    ? run_->FirstTickIndexAtOrAfter(FromProtoTime(request->from_time()))
                    : 0;
  v1::SubscribeResponse response;
  v1::Tick& tick = *response.mutable_tick();
  while (!context->IsCancelled()) {
    // A short wait so a cancelled client or a server shutdown is noticed promptly.
    switch (run_->WaitForTick(next, absl::Milliseconds(200), &tick)) {
      case GatewayRun::TickWait::kTick:
        if (!writer->Write(response)) return grpc::Status::CANCELLED;
        // The tick sent may be later than `next` when `next` is older than the tick window.
        next = static_cast<size_t>(tick.sequence()) + 1;
        break;
      case GatewayRun::TickWait::kFinished: return grpc::Status::OK;
      case GatewayRun::TickWait::kTimeout: break;
    }
  }
  return grpc::Status::CANCELLED;
}

grpc::Status TelemetryServiceImpl::History(grpc::ServerContext*, const v1::HistoryRequest* request,
                                           grpc::ServerWriter<v1::HistoryResponse>* writer) {
  if (!request->has_start() || !request->has_end()) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "start and end are required");
  }
  const absl::Time start = FromProtoTime(request->start());
  const absl::Time end = FromProtoTime(request->end());
  if (end <= start) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "end must be after start");
  }
  v1::HistoryResponse response;
  for (v1::Tick& tick : run_->History(start, end)) {
    response.mutable_tick()->Swap(&tick);
    if (!writer->Write(response)) return grpc::Status::CANCELLED;
  }
  return grpc::Status::OK;
}

grpc::Status TelemetryServiceImpl::DayAheadForecasts(grpc::ServerContext*,
                                                     const v1::DayAheadForecastsRequest* request,
                                                     v1::DayAheadForecastsResponse* response) {
  if (!request->has_published_before()) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "published_before is required");
  }
  for (v1::DayAheadDemandForecast& f :
       run_->DayAheadForecasts(FromProtoTime(request->published_before()))) {
    *response->add_forecasts() = std::move(f);
  }
  return grpc::Status::OK;
}

}  // namespace gridpilot
