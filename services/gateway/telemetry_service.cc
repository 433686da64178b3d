#include <algorithm>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "services/common/proto_time.h"
#include "services/gateway/gateway_services.h"
#include "services/gateway/input_bounds.h"

namespace gridpilot {
namespace {

constexpr absl::Duration kMaxTickGap = absl::Seconds(60);
constexpr absl::Duration kCancelCheck = absl::Milliseconds(200);
constexpr int64_t kMaxReadingsPerPublish = 1'000'000;
constexpr int kMaxRejectionsListed = 100;

}  // namespace

grpc::Status TelemetryServiceImpl::Subscribe(grpc::ServerContext* context,
                                             const v1::SubscribeRequest* request,
                                             grpc::ServerWriter<v1::SubscribeResponse>* writer) {
  if (request->has_from_time()) {
    if (absl::Status valid = ValidateProtoTimestamp("from_time", request->from_time());
        !valid.ok()) {
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, std::string(valid.message()));
    }
  }
  absl::Duration min_tick_gap = absl::ZeroDuration();
  if (request->has_min_tick_gap()) {
    const google::protobuf::Duration& gap = request->min_tick_gap();
    if (gap.seconds() < 0 || gap.nanos() < 0 || gap.nanos() > 999'999'999 ||
        FromProtoDuration(gap) > kMaxTickGap) {
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                          absl::StrCat("min_tick_gap: ", gap.seconds(), " s ", gap.nanos(),
                                       " ns is outside [0, 60 s]"));
    }
    min_tick_gap = FromProtoDuration(gap);
  }
  size_t next = request->has_from_time()
                    ? run_->FirstTickIndexAtOrAfter(FromProtoTime(request->from_time()))
                    : 0;
  // Wall time: it paces this stream only and enters no decision.
  absl::Time sent_at = absl::InfinitePast();
  v1::SubscribeResponse response;
  v1::Tick& tick = *response.mutable_tick();
  while (!context->IsCancelled()) {
    if (min_tick_gap > absl::ZeroDuration()) {
      const absl::Duration wait = sent_at + min_tick_gap - absl::Now();
      if (wait > absl::ZeroDuration()) {
        // In short steps, so a cancelled client or a server shutdown is noticed promptly.
        absl::SleepFor(std::min(wait, kCancelCheck));
        continue;
      }
      next = std::max(next, run_->NewestTickIndex());
    }
    switch (run_->WaitForTick(next, kCancelCheck, &tick)) {
      case GatewayRun::TickWait::kTick:
        if (!writer->Write(response)) return grpc::Status::CANCELLED;
        sent_at = absl::Now();
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
