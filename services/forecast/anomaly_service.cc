#include "services/forecast/anomaly_service.h"

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/base/time_util.h"
#include "services/common/grpc_status.h"
#include "services/common/proto_enum.h"
#include "services/common/proto_time.h"

namespace gridpilot {
namespace {

const grpc::Status kNotReady(grpc::StatusCode::UNAVAILABLE, "anomaly detectors are still fitting");

v1::Anomaly ToProtoAnomaly(const IntervalVerdict& v) {
  v1::Anomaly a;
  *a.mutable_interval_start() = ToProtoTime(v.interval_start);
  a.set_series("net_load_mw");
  if (!std::isnan(v.reading.value)) a.set_value(v.reading.value);
  a.set_score(std::isnan(v.reading.score) ? 0.0 : v.reading.score);
  a.set_kind(FromShortName<v1::AnomalyKind>(anomaly::AnomalyKindName(v.reading.label.kind)));
  a.set_cause(v.reading.label.cause);
  a.set_suspect(v.reading.suspect);
  a.set_expected_mw(v.expected_mw());
  a.set_residual_z(v.reading.residual.z);
  return a;
}

absl::StatusOr<anomaly::AnomalyKind> ParseKind(int kind) {
  const std::string name = ShortName(static_cast<v1::AnomalyKind>(kind));
  for (anomaly::AnomalyKind k :
       {anomaly::AnomalyKind::kSpike, anomaly::AnomalyKind::kDrop, anomaly::AnomalyKind::kFlatLine,
        anomaly::AnomalyKind::kMissing, anomaly::AnomalyKind::kFalseData}) {
    if (!name.empty() && anomaly::AnomalyKindName(k) == name) return k;
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "kinds: ", kind, " is not a kind (spike, drop, flat_line, missing, false_data)"));
}

}  // namespace

v1::Verdict ToProtoVerdict(const IntervalVerdict& verdict) {
  v1::Verdict out;
  *out.mutable_interval_start() = ToProtoTime(verdict.interval_start);
  out.set_suspect(verdict.reading.suspect);
  out.set_flagged(verdict.flagged());
  if (verdict.flagged() || verdict.reading.suspect)
    *out.mutable_anomaly() = ToProtoAnomaly(verdict);
  return out;
}

grpc::Status AnomalyServiceImpl::ListAnomalies(grpc::ServerContext*,
                                               const v1::ListAnomaliesRequest* request,
                                               v1::ListAnomaliesResponse* response) {
  AnomalyBook* book = book_.load();
  if (book == nullptr) return kNotReady;
  if (request->limit() < 0) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "limit: must be >= 0");
  }
  std::vector<anomaly::AnomalyKind> kinds;
  for (int kind_number : request->kinds()) {
    absl::StatusOr<anomaly::AnomalyKind> kind = ParseKind(kind_number);
    if (!kind.ok()) return ToGrpcStatus(kind.status());
    kinds.push_back(*kind);
  }
  const absl::Time from = request->has_from_interval_start()
                              ? FromProtoTime(request->from_interval_start())
                              : absl::InfinitePast();
  const size_t limit = request->limit() == 0 ? 1000 : static_cast<size_t>(request->limit());
  for (const IntervalVerdict& v : book->List(from, kinds, limit)) {
    *response->add_anomalies() = ToProtoAnomaly(v);
  }
  response->set_intervals_scored(book->intervals_scored());
  response->set_threshold(book->threshold());
  return grpc::Status::OK;
}

grpc::Status AnomalyServiceImpl::StreamAnomalies(
    grpc::ServerContext* context, const v1::StreamAnomaliesRequest*,
    grpc::ServerWriter<v1::StreamAnomaliesResponse>* writer) {
  AnomalyBook* book = book_.load();
  if (book == nullptr) return kNotReady;
  // From now on: what was flagged before the call is for ListAnomalies.
  size_t seen = 0;
  book->WaitForNew(&seen, absl::ZeroDuration());
  while (!context->IsCancelled() && !stopping_) {
    for (const IntervalVerdict& v : book->WaitForNew(&seen, absl::Milliseconds(200))) {
      v1::StreamAnomaliesResponse response;
      *response.mutable_anomaly() = ToProtoAnomaly(v);
      if (!writer->Write(response)) return grpc::Status::OK;
    }
  }
  return grpc::Status::OK;
}

grpc::Status AnomalyServiceImpl::GetVerdict(grpc::ServerContext*,
                                            const v1::GetVerdictRequest* request,
                                            v1::GetVerdictResponse* response) {
  AnomalyBook* book = book_.load();
  if (book == nullptr) return kNotReady;
  if (!request->has_tick_time()) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "tick_time: required");
  }
  const absl::Duration max_wait = FromProtoDuration(request->max_wait());
  if (max_wait < absl::ZeroDuration() || max_wait > absl::Minutes(1)) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "max_wait: must be in [0, 60 s]");
  }
  absl::StatusOr<IntervalVerdict> verdict =
      book->Get(FromProtoTime(request->tick_time()) - base::kHalfHour, max_wait);
  if (!verdict.ok()) return ToGrpcStatus(verdict.status());
  *response->mutable_verdict() = ToProtoVerdict(*verdict);
  return grpc::Status::OK;
}

}  // namespace gridpilot
