#include "services/forecast/anomaly_service.h"

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "core/anomaly/regular_series.h"
#include "core/anomaly/self_fitted_scoring.h"
#include "core/base/time_util.h"
#include "services/common/grpc_status.h"
#include "services/common/proto_enum.h"
#include "services/common/proto_time.h"
#include "services/forecast/readings_text.h"

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

grpc::Status Invalid(const std::string& message) {
  return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, message);
}

// A request string field bounded in bytes and free of control characters (it goes into
// messages).
absl::Status CheckNameField(const char* field, const std::string& value) {
  if (value.size() > 200) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": longer than 200 bytes"));
  }
  for (unsigned char c : value) {
    if (c < 0x20 || c == 0x7f) {
      return absl::InvalidArgumentError(absl::StrCat(field, ": contains a control character"));
    }
  }
  return absl::OkStatus();
}

// The request's readings, from `readings` or from `text`.
absl::StatusOr<std::vector<anomaly::LocatedReading>> RequestReadings(
    const v1::ScoreReadingsRequest& request) {
  ReadingsTextOptions options;
  if (!request.source_name().empty()) options.source_name = request.source_name();
  if (!request.time_column().empty()) options.time_column = request.time_column();
  options.value_column = request.value_column();
  for (auto [field, value] : {std::pair{"source_name", &request.source_name()},
                              std::pair{"time_column", &request.time_column()},
                              std::pair{"value_column", &request.value_column()}}) {
    if (absl::Status s = CheckNameField(field, *value); !s.ok()) return s;
  }
  const bool has_text = !request.text().empty();
  if (has_text == (request.readings_size() > 0)) {
    return absl::InvalidArgumentError(
        "give either readings or text (with format), not both and not neither");
  }
  if (has_text) {
    switch (request.format()) {
      case v1::READINGS_FORMAT_CSV:
        return ParseReadingsText(request.text(), ReadingsTextFormat::kCsv, options);
      case v1::READINGS_FORMAT_JSON:
        return ParseReadingsText(request.text(), ReadingsTextFormat::kJson, options);
      default:
        return absl::InvalidArgumentError(absl::StrCat("format: ", request.format(),
                                                       " is not a format: csv or json is required "
                                                       "with text"));
    }
  }
  if (request.format() != v1::READINGS_FORMAT_UNSPECIFIED) {
    return absl::InvalidArgumentError("format: only with text, not with readings");
  }
  if (static_cast<size_t>(request.readings_size()) > kMaxUploadRows) {
    return absl::InvalidArgumentError(absl::StrCat("readings: ", request.readings_size(),
                                                   ", more than the limit of ", kMaxUploadRows));
  }
  std::vector<anomaly::LocatedReading> out;
  out.reserve(request.readings_size());
  for (int i = 0; i < request.readings_size(); ++i) {
    const v1::TimedReading& in = request.readings(i);
    anomaly::LocatedReading r;
    r.where = absl::StrCat("readings[", i, "]");
    if (!in.has_time()) return absl::InvalidArgumentError(absl::StrCat(r.where, ".time: required"));
    if (in.time().nanos() < 0 || in.time().nanos() > 999'999'999) {
      return absl::InvalidArgumentError(
          absl::StrCat(r.where, ".time: nanos ", in.time().nanos(), " outside [0, 999999999]"));
    }
    r.time = FromProtoTime(in.time());
    if (in.has_value()) {
      if (std::isnan(in.value())) {
        return absl::InvalidArgumentError(
            absl::StrCat(r.where, ".value: NaN; leave the value out for a missing reading"));
      }
      r.value = in.value();
    }
    out.push_back(std::move(r));
  }
  return out;
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
      book->Get(FromProtoTime(request->tick_time()) - book->interval(), max_wait);
  if (!verdict.ok()) return ToGrpcStatus(verdict.status());
  *response->mutable_verdict() = ToProtoVerdict(*verdict);
  return grpc::Status::OK;
}

grpc::Status AnomalyServiceImpl::ScoreReadings(grpc::ServerContext*,
                                               const v1::ScoreReadingsRequest* request,
                                               v1::ScoreReadingsResponse* response) {
  struct Slot {
    std::atomic<int>* count;
    ~Slot() { count->fetch_sub(1); }
  } slot{&scorings_};
  if (scorings_.fetch_add(1) >= kMaxConcurrentScorings) {
    return grpc::Status(
        grpc::StatusCode::RESOURCE_EXHAUSTED,
        absl::StrCat("already scoring ", kMaxConcurrentScorings, " series; try again shortly"));
  }
  absl::StatusOr<std::vector<anomaly::LocatedReading>> readings = RequestReadings(*request);
  if (!readings.ok()) return Invalid(std::string(readings.status().message()));
  const std::string source = request->readings_size() > 0     ? "readings"
                             : request->source_name().empty() ? "upload"
                                                              : request->source_name();
  absl::StatusOr<anomaly::RegularSeries> series =
      anomaly::MakeRegularSeries(*readings, kMaxUploadRows);
  if (!series.ok()) {
    const std::string message(series.status().message());
    // Messages about one reading start with its location; the others get the source.
    return Invalid(absl::StartsWith(message, source) || absl::StartsWith(message, "readings[")
                       ? message
                       : absl::StrCat(source, ": ", message));
  }
  absl::StatusOr<anomaly::SelfFittedScores> scores = anomaly::ScoreSeriesAgainstItself(*series);
  if (!scores.ok()) return Invalid(absl::StrCat(source, ": ", scores.status().message()));
  response->mutable_rows()->Reserve(static_cast<int>(scores->rows.size()));
  for (size_t i = 0; i < scores->rows.size(); ++i) {
    const anomaly::ScoredReading& in = scores->rows[i];
    v1::ReadingScore* out = response->add_rows();
    *out->mutable_time() = ToProtoTime(series->times[i]);
    if (!std::isnan(in.value)) out->set_value(in.value);
    if (!std::isnan(in.score)) out->set_score(in.score);
    const bool flagged = in.label.kind != anomaly::AnomalyKind::kNone;
    out->set_is_anomaly(flagged);
    if (flagged) {
      out->set_kind(FromShortName<v1::AnomalyKind>(anomaly::AnomalyKindName(in.label.kind)));
      out->set_cause(in.label.cause);
    }
    out->set_suspect(in.suspect);
    out->set_residual_z(in.residual.z);
  }
  response->set_threshold(scores->threshold);
  *response->mutable_step() = ToProtoDuration(series->step);
  response->set_flagged(scores->flagged);
  return grpc::Status::OK;
}

}  // namespace gridpilot
