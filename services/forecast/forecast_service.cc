#include "services/forecast/forecast_service.h"

#include "absl/strings/str_cat.h"
#include "core/time_util.h"
#include "services/common/grpc_status.h"
#include "services/common/proto_time.h"
#include "services/forecast/anomaly_service.h"

namespace gridpilot {
namespace {

const grpc::Status kNotReady(grpc::StatusCode::UNAVAILABLE, "models are still loading");

}  // namespace

void ForecastServiceImpl::SetBook(ForecastBook* book, std::string model_name) {
  model_name_ = std::move(model_name);
  book_.store(book);
}

grpc::Status ForecastServiceImpl::GetNetLoadChange(grpc::ServerContext*,
                                                   const v1::NetLoadChangeRequest* request,
                                                   v1::NetLoadChangeResponse* response) {
  ForecastBook* book = book_.load();
  if (book == nullptr) return kNotReady;
  if (!request->has_issue_time()) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "issue_time: required");
  }
  const absl::Duration max_wait = FromProtoDuration(request->max_wait());
  if (max_wait < absl::ZeroDuration() || max_wait > absl::Minutes(1)) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "max_wait: must be in [0, 60 s]");
  }
  absl::StatusOr<IssuedForecast> issued = book->Get(FromProtoTime(request->issue_time()), max_wait);
  if (!issued.ok()) return ToGrpcStatus(issued.status());
  *response->mutable_issue_time() = ToProtoTime(issued->issue_time);
  response->set_last_net_load_mw(issued->last_net_load_mw);
  for (const ChangeForecast& f : issued->forecasts) {
    v1::HorizonForecast* out = response->add_forecasts();
    *out->mutable_horizon() = ToProtoDuration(f.horizon_intervals * kHalfHour);
    *out->mutable_target_interval_start() = ToProtoTime(f.target_interval_start);
    out->set_change_mw(f.change_mw);
  }
  response->set_model(model_name_);
  // The anomaly book scores an interval before the forecast book issues on it, so the
  // verdict is there already.
  if (AnomalyBook* anomalies = anomalies_.load(); anomalies != nullptr) {
    absl::StatusOr<IntervalVerdict> verdict =
        anomalies->Get(issued->issue_time - kHalfHour, absl::ZeroDuration());
    if (verdict.ok()) *response->mutable_verdict() = ToProtoVerdict(*verdict);
  }
  return grpc::Status::OK;
}

grpc::Status ForecastServiceImpl::GetAccuracy(grpc::ServerContext*, const v1::GetAccuracyRequest*,
                                              v1::GetAccuracyResponse* response) {
  ForecastBook* book = book_.load();
  if (book == nullptr) return kNotReady;
  for (const HorizonScore& s : book->Scores()) {
    v1::HorizonAccuracy* out = response->add_horizons();
    *out->mutable_horizon() = ToProtoDuration(s.horizon_intervals * kHalfHour);
    out->set_count(s.count);
    if (s.count > 0) {
      out->set_mae_mw(s.abs_error_sum_mw / s.count);
      out->set_persistence_mae_mw(s.persistence_abs_error_sum_mw / s.count);
    }
  }
  return grpc::Status::OK;
}

grpc::Status ForecastServiceImpl::Explain(grpc::ServerContext*, const v1::ExplainRequest* request,
                                          v1::ExplainResponse* response) {
  ForecastBook* book = book_.load();
  if (book == nullptr) return kNotReady;
  if (!request->has_issue_time()) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "issue_time: required");
  }
  if (request->top_k() < 0 || request->top_k() > 50) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "top_k: must be in 0..50 (0 = 5)");
  }
  const int top_k = request->top_k() == 0 ? 5 : request->top_k();
  absl::StatusOr<std::vector<HorizonExplanation>> explained =
      book->Explain(FromProtoTime(request->issue_time()), top_k);
  if (!explained.ok()) return ToGrpcStatus(explained.status());
  *response->mutable_issue_time() = request->issue_time();
  for (const HorizonExplanation& h : *explained) {
    v1::HorizonExplanation* out = response->add_horizons();
    *out->mutable_horizon() = ToProtoDuration(h.horizon_intervals * kHalfHour);
    out->set_change_mw(h.explanation.forecast);
    out->set_bias_mw(h.explanation.bias);
    out->set_others_mw(h.explanation.others);
    for (const FeatureContribution& c : h.explanation.top) {
      v1::FeatureContribution* f = out->add_top();
      f->set_feature(c.feature);
      f->set_value(c.value);
      f->set_contribution_mw(c.contribution);
    }
  }
  response->set_method(absl::StrCat("SHAP (XGBoost TreeSHAP) of ", model_name_,
                                    "; contributions sum to the change forecast"));
  return grpc::Status::OK;
}

}  // namespace gridpilot
