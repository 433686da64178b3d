#include "services/forecast/forecast_service.h"

#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/base/logging.h"
#include "core/base/time_util.h"
#include "core/forecast/day_ahead_demand_features.h"
#include "core/forecast/models/change_model_registry.h"
#include "services/common/grpc_status.h"
#include "services/common/proto_time.h"
#include "services/forecast/anomaly_service.h"
#include "services/security/authenticated_caller.h"

namespace gridpilot {
namespace {

const grpc::Status kNotReady(grpc::StatusCode::UNAVAILABLE, "models are still loading");

}  // namespace

void ForecastServiceImpl::SetBook(ForecastBook* book, std::string model_name) {
  {
    absl::MutexLock lock(&mu_);
    model_name_ = std::move(model_name);
  }
  book_.store(book);
}

void ForecastServiceImpl::SetRegistry(std::string registry_dir, std::string serving_set_path) {
  absl::MutexLock lock(&mu_);
  registry_dir_ = std::move(registry_dir);
  serving_set_path_ = std::move(serving_set_path);
}

void ForecastServiceImpl::SetModelName(std::string model_name) {
  absl::MutexLock lock(&mu_);
  model_name_ = std::move(model_name);
}

std::string ForecastServiceImpl::ModelName() const {
  absl::MutexLock lock(&mu_);
  return model_name_;
}

std::string RegistryModelName(const forecast::models::ChangeModelSet& set) {
  return absl::StrCat("xgboost net-load change h1..h8 from registry set ", set.path,
                      " (trained on data before ", base::FormatUtcTimestamp(set.cutoff), ")");
}

absl::StatusOr<v1::GetNetLoadChangeResponse> ForecastServiceImpl::NetLoadChange(
    absl::Time issue_time, absl::Duration max_wait) const {
  ForecastBook* book = book_.load();
  if (book == nullptr) return absl::UnavailableError("models are still loading");
  absl::StatusOr<IssuedForecast> issued = book->Get(issue_time, max_wait);
  if (!issued.ok()) return issued.status();
  v1::GetNetLoadChangeResponse response;
  *response.mutable_issue_time() = ToProtoTime(issued->issue_time);
  response.set_last_net_load_mw(issued->last_net_load_mw);
  for (size_t j = 0; j < issued->forecasts.size(); ++j) {
    const forecast::models::ChangeForecast& f = issued->forecasts[j];
    v1::HorizonForecast* out = response.add_forecasts();
    *out->mutable_horizon() = ToProtoDuration(f.horizon_intervals * interval_);
    *out->mutable_target_interval_start() = ToProtoTime(f.target_interval_start);
    out->set_change_mw(f.change_mw);
    if (const std::optional<double>& half = issued->half_width_mw[j]; half.has_value()) {
      out->set_lower_change_mw(f.change_mw - *half);
      out->set_upper_change_mw(f.change_mw + *half);
    }
    if (f.ramp_probability.has_value()) out->set_ramp_probability(*f.ramp_probability);
  }
  response.set_interval_coverage(ForecastBook::kIntervalCoverage);
  if (issued->model != nullptr) {
    if (std::optional<double> threshold = issued->model->ramp_threshold_mw()) {
      response.set_ramp_threshold_mw(*threshold);
    }
  }
  response.set_model(ModelName());
  // The anomaly book scores an interval before the forecast book issues on it, so the
  // verdict is there already.
  if (AnomalyBook* anomalies = anomalies_.load(); anomalies != nullptr) {
    absl::StatusOr<IntervalVerdict> verdict =
        anomalies->Get(issued->issue_time - interval_, absl::ZeroDuration());
    if (verdict.ok()) *response.mutable_verdict() = ToProtoVerdict(*verdict);
  }
  return response;
}

grpc::Status ForecastServiceImpl::GetNetLoadChange(grpc::ServerContext*,
                                                   const v1::GetNetLoadChangeRequest* request,
                                                   v1::GetNetLoadChangeResponse* response) {
  if (book_.load() == nullptr) return kNotReady;
  if (!request->has_issue_time()) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "issue_time: required");
  }
  const absl::Duration max_wait = FromProtoDuration(request->max_wait());
  if (max_wait < absl::ZeroDuration() || max_wait > absl::Minutes(1)) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "max_wait: must be in [0, 60 s]");
  }
  absl::StatusOr<v1::GetNetLoadChangeResponse> answer =
      NetLoadChange(FromProtoTime(request->issue_time()), max_wait);
  if (!answer.ok()) return ToGrpcStatus(answer.status());
  *response = *std::move(answer);
  return grpc::Status::OK;
}

grpc::Status ForecastServiceImpl::GetAccuracy(grpc::ServerContext*, const v1::GetAccuracyRequest*,
                                              v1::GetAccuracyResponse* response) {
  ForecastBook* book = book_.load();
  if (book == nullptr) return kNotReady;
  for (const HorizonScore& s : book->Scores()) {
    v1::HorizonAccuracy* out = response->add_horizons();
    *out->mutable_horizon() = ToProtoDuration(s.horizon_intervals * interval_);
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
    *out->mutable_horizon() = ToProtoDuration(h.horizon_intervals * interval_);
    out->set_change_mw(h.explanation.forecast);
    out->set_bias_mw(h.explanation.bias);
    out->set_others_mw(h.explanation.others);
    for (const ml::FeatureContribution& c : h.explanation.top) {
      v1::FeatureContribution* f = out->add_top();
      f->set_feature(c.feature);
      f->set_value(c.value);
      f->set_contribution_mw(c.contribution);
    }
  }
  response->set_method(absl::StrCat("SHAP (XGBoost TreeSHAP) of ", ModelName(),
                                    "; contributions sum to the change forecast"));
  return grpc::Status::OK;
}

grpc::Status ForecastServiceImpl::ReloadModel(grpc::ServerContext* context,
                                              const v1::ReloadModelRequest*,
                                              v1::ReloadModelResponse* response) {
  const grpc::Status reloaded = Reload(response);
  if (audit_ != nullptr) {
    const security::Caller who =
        security::AuthenticatedCaller(context).value_or(security::Caller{});
    nlohmann::json detail = {
        {"model", ModelName()},
        {"outcome", reloaded.ok() ? (response->changed() ? "reloaded" : "unchanged")
                                  : reloaded.error_message()}};
    if (reloaded.ok())
      detail["cutoff"] = base::FormatUtcTimestamp(FromProtoTime(response->cutoff()));
    audit_->Report(v1::AUDIT_EVENT_KIND_MODEL_RELOAD, who.identity, who.role,
                   detail.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  }
  return reloaded;
}

grpc::Status ForecastServiceImpl::Reload(v1::ReloadModelResponse* response) {
  ForecastBook* book = book_.load();
  if (book == nullptr) return kNotReady;
  absl::MutexLock reload(&reload_mu_);
  std::string registry_dir, serving;
  {
    absl::MutexLock lock(&mu_);
    registry_dir = registry_dir_;
    serving = serving_set_path_;
  }
  if (registry_dir.empty()) {
    return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION,
                        "no model registry: start gridpilot-forecast with --registry DIR");
  }
  // No look-ahead: only a set trained on data before the latest forecast's issue time.
  const absl::Time now = book->LatestIssueTime();
  absl::StatusOr<forecast::models::ChangeModelSet> set =
      forecast::models::LoadNewestChangeModelSet(registry_dir, now);
  if (!set.ok()) return ToGrpcStatus(set.status());
  const bool changed = set->path != serving;
  if (changed) {
    const std::string name = RegistryModelName(*set);
    absl::Status swapped = book->SwapForecaster(set->forecaster);
    if (!swapped.ok()) return ToGrpcStatus(swapped);
    {
      absl::MutexLock lock(&mu_);
      serving_set_path_ = set->path;
      model_name_ = name;
    }
    if (models_ != nullptr) {
      ServedModel record;
      record.source = "reload";
      record.name = name;
      record.cutoff = set->cutoff;
      record.first_issue = now + interval_;  // the next ingested tick's
      if (const auto it = set->metadata.find("training_intervals");
          it != set->metadata.end() && it->is_number_integer()) {
        record.training_intervals = it->get<int64_t>();
      }
      models_->Add(std::move(record));
    }
    base::LogInfo(absl::StrCat("reloaded: ", name));
  }
  response->set_model(ModelName());
  *response->mutable_cutoff() = ToProtoTime(set->cutoff);
  response->set_changed(changed);
  return grpc::Status::OK;
}

grpc::Status ForecastServiceImpl::GetPriceForecast(grpc::ServerContext*,
                                                   const v1::GetPriceForecastRequest* request,
                                                   v1::GetPriceForecastResponse* response) {
  PriceBook* prices = prices_.load();
  if (prices == nullptr) return kNotReady;
  std::optional<absl::Time> issue_time;
  if (request->has_issue_time()) issue_time = FromProtoTime(request->issue_time());
  absl::StatusOr<IssuedPriceForecast> issued = prices->Get(issue_time);
  if (!issued.ok()) return ToGrpcStatus(issued.status());
  *response->mutable_issue_time() = ToProtoTime(issued->issue_time);
  for (size_t k = 0; k < issued->price_gbp_per_mwh.size(); ++k) {
    v1::HalfHourPrice* out = response->add_prices();
    *out->mutable_interval_start() = ToProtoTime(issued->issue_time + k * interval_);
    const double price = issued->price_gbp_per_mwh[k];
    out->set_price_gbp_per_mwh(price);
    if (const std::optional<double>& half = issued->half_width_gbp[k]; half.has_value()) {
      out->set_lower_gbp_per_mwh(price - *half);
      out->set_upper_gbp_per_mwh(price + *half);
    }
  }
  response->set_model(
      "trader's price profile: a 0.9-per-day decayed mean of the same half-hour on the last "
      "28 days of the same kind");
  response->set_interval_coverage(PriceBook::kIntervalCoverage);
  return grpc::Status::OK;
}

void ForecastServiceImpl::SetDayAheadUnavailable(std::string why_not) {
  absl::MutexLock lock(&mu_);
  day_ahead_unavailable_ = std::move(why_not);
}

grpc::Status ForecastServiceImpl::GetDayAheadDemand(grpc::ServerContext*,
                                                    const v1::GetDayAheadDemandRequest* request,
                                                    v1::GetDayAheadDemandResponse* response) {
  DayAheadBook* book = day_ahead_.load();
  if (book == nullptr) {
    absl::MutexLock lock(&mu_);
    return grpc::Status(grpc::StatusCode::UNAVAILABLE, day_ahead_unavailable_);
  }
  if (!request->has_day()) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "day: required (a UTC midnight)");
  }
  const absl::Time day = FromProtoTime(request->day());
  if ((day - absl::UnixEpoch()) % absl::Hours(24) != absl::ZeroDuration()) {
    return grpc::Status(
        grpc::StatusCode::INVALID_ARGUMENT,
        absl::StrCat("day: ", base::FormatUtcTimestamp(day), " is not a UTC midnight"));
  }
  absl::StatusOr<std::vector<forecast::eval::DayAheadEvalRow>> rows = book->Get(day);
  if (!rows.ok()) return ToGrpcStatus(rows.status());
  *response->mutable_issue_time() = ToProtoTime(forecast::DayAheadCutoff(day));
  for (const forecast::eval::DayAheadEvalRow& row : *rows) {
    v1::HalfHourDemand* out = response->add_demand();
    *out->mutable_interval_start() = ToProtoTime(row.target_start);
    out->set_demand_mw(row.forecast_mw);
    out->set_lower_mw(row.lower_mw);
    out->set_upper_mw(row.upper_mw);
    if (row.neso_mw.has_value()) out->set_operator_forecast_mw(*row.neso_mw);
  }
  const forecast::eval::TrainedDayAheadDemand& trained = book->trained();
  response->set_model(absl::StrFormat(
      "NESO day-ahead + correction per lead band, XGBoost fallback; trained on %d days from "
      "%s; 90%% half-widths %.3f MW with a vintage, %.3f MW without",
      trained.training_days, base::FormatUtcTimestamp(trained.training_first_day),
      trained.half_widths.with_neso_mw, trained.half_widths.without_neso_mw));
  return grpc::Status::OK;
}

grpc::Status ForecastServiceImpl::GetModels(grpc::ServerContext*, const v1::GetModelsRequest*,
                                            v1::GetModelsResponse* response) {
  ForecastBook* book = book_.load();
  if (book == nullptr || models_ == nullptr) return kNotReady;
  for (const ServedModel& m : models_->All()) {
    v1::ServedModelRecord* out = response->add_models();
    out->set_source(m.source);
    out->set_model(m.name);
    *out->mutable_cutoff() = ToProtoTime(m.cutoff);
    if (m.first_issue != absl::InfinitePast()) {
      *out->mutable_first_issue_time() = ToProtoTime(m.first_issue);
    }
    out->set_training_wall_seconds(m.training_wall_seconds);
    out->set_waited_wall_seconds(m.waited_wall_seconds);
    out->set_training_intervals(m.training_intervals);
  }
  response->set_retrain_every(forecast::CadenceName(schedule_.cadence));
  response->set_retrain_at(absl::StrFormat("%02d:%02d", absl::ToInt64Hours(schedule_.at),
                                           absl::ToInt64Minutes(schedule_.at) % 60));
  response->set_retrain_training_days(schedule_.training_days);
  if (const absl::Time latest = book->LatestIssueTime(); latest != absl::InfinitePast()) {
    *response->mutable_latest_issue_time() = ToProtoTime(latest);
  }
  return grpc::Status::OK;
}

}  // namespace gridpilot
