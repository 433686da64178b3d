#include <string>

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

namespace {

constexpr int64_t kMaxReadingsPerPublish = 1'000'000;
constexpr int kMaxRejectionsListed = 100;

}  // namespace

grpc::Status TelemetryServiceImpl::Publish(grpc::ServerContext*,
                                           grpc::ServerReader<v1::PublishRequest>* reader,
                                           v1::PublishResponse* response) {
  if (ingest_ == nullptr) {
    return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION,
                        "this gateway does not take published telemetry (start it with "
                        "--telemetry grpc or --telemetry mqtt://HOST:PORT/TOPIC)");
  }
  v1::PublishRequest request;
  while (reader->Read(&request)) {
    const int64_t index = response->received();
    if (index >= kMaxReadingsPerPublish) {
      return grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                          "over 1000000 readings in one Publish call; open another");
    }
    response->set_received(index + 1);
    const v1::TelemetryReading& reading = request.reading();
    data::TelemetryVerdict verdict;
    data::PushResult result;
    if (!reading.has_timestamp()) {
      verdict = data::TelemetryVerdict{.rejection = data::TelemetryRejection::kMalformed,
                                       .detail = "timestamp is required"};
      ingest_->RefuseUndecodable(IngestPath::kGrpc, verdict);
    } else {
      data::TelemetrySample sample;
      sample.timestamp = FromProtoTime(reading.timestamp());
      sample.source = reading.source();
      sample.sequence = reading.sequence();
      if (reading.has_net_load_mw()) sample.net_load_mw = reading.net_load_mw();
      if (reading.has_solar_mw()) sample.solar_mw = reading.solar_mw();
      if (reading.has_wind_mw()) sample.wind_mw = reading.wind_mw();
      if (reading.has_price_gbp_per_mwh()) sample.price_gbp_per_mwh = reading.price_gbp_per_mwh();
      result = ingest_->Accept(IngestPath::kGrpc, sample);
      verdict = result.verdict;
    }
    if (verdict.accepted()) {
      if (result.outcome == data::PushOutcome::kLate) {
        response->set_late(response->late() + 1);
      } else {
        response->set_settles(response->settles() + 1);
      }
      continue;
    }
    response->set_rejected(response->rejected() + 1);
    if (response->rejections_size() < kMaxRejectionsListed) {
      v1::PublishRejection* rejection = response->add_rejections();
      rejection->set_index(index);
      rejection->set_source(reading.source().substr(0, 128));
      rejection->set_sequence(reading.sequence());
      rejection->set_reason(std::string(data::TelemetryRejectionName(*verdict.rejection)));
      rejection->set_detail(verdict.detail);
    }
  }
  return grpc::Status::OK;
}

}  // namespace gridpilot
