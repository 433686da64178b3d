// ForecastService over a ForecastBook: a thin gRPC edge.
#ifndef GRIDPILOT_SERVICES_FORECAST_FORECAST_SERVICE_H_
#define GRIDPILOT_SERVICES_FORECAST_FORECAST_SERVICE_H_

#include <atomic>
#include <string>

#include "absl/synchronization/mutex.h"

#include "core/forecast/models/change_model_registry.h"
#include "core/forecast/retrain_schedule.h"
#include "gridpilot/v1/forecast.grpc.pb.h"
#include "services/common/audit_reporter.h"
#include "services/forecast/anomaly_book.h"
#include "services/forecast/day_ahead_book.h"
#include "services/forecast/forecast_book.h"
#include "services/forecast/model_history.h"
#include "services/forecast/price_book.h"

namespace gridpilot {

// The model name GetNetLoadChange reports for a set loaded from the registry.
std::string RegistryModelName(const forecast::models::ChangeModelSet& set);

class ForecastServiceImpl final : public v1::ForecastService::Service {
 public:
  // `book` is set once the models are ready; until then calls get UNAVAILABLE.
  void SetBook(ForecastBook* book, std::string model_name);
  // The region's resolution (30 minutes unless set, before serving): horizons and price
  // intervals are counted in it.
  void SetInterval(absl::Duration interval) { interval_ = interval; }
  // ReloadModel's source: a change model registry and the set now serving (empty path:
  // the models did not come from the registry).
  void SetRegistry(std::string registry_dir, std::string serving_set_path);
  // The anomaly verdict on each forecast's base interval comes from here (optional).
  void SetAnomalyBook(AnomalyBook* anomalies) { anomalies_.store(anomalies); }
  // GetPriceForecast's source; until it is set calls get UNAVAILABLE.
  void SetPriceBook(PriceBook* prices) { prices_.store(prices); }
  // GetDayAheadDemand's source; while unset calls get UNAVAILABLE with `why_not`.
  void SetDayAheadBook(DayAheadBook* day_ahead) { day_ahead_.store(day_ahead); }
  void SetDayAheadUnavailable(std::string why_not);
  // Where every ReloadModel call that reached the handler is audited (who, their role, the
  // model serving after it, the outcome); null (the default) = none. Call before serving.
  void SetAuditReporter(AuditReporter* audit) { audit_ = audit; }
  // GetModels' source (not owned; null until set: GetModels answers UNAVAILABLE); a
  // ReloadModel that swaps adds its record there. Call before serving.
  void SetModelHistory(ModelHistory* models, forecast::RetrainSchedule schedule) {
    models_ = models;
    schedule_ = schedule;
  }
  // The name GetNetLoadChange reports from now on (a scheduled retraining's swap).
  void SetModelName(std::string model_name);

  // What GetNetLoadChange answers for `issue_time` (waiting up to `max_wait` for the
  // forecast to be issued): also the forecaster's answer on its ClockService.AgentSession.
  // Unavailable while the models load; the book's errors otherwise. Thread-safe.
  absl::StatusOr<v1::GetNetLoadChangeResponse> NetLoadChange(absl::Time issue_time,
                                                             absl::Duration max_wait) const;

  grpc::Status GetNetLoadChange(grpc::ServerContext* context,
                                const v1::GetNetLoadChangeRequest* request,
                                v1::GetNetLoadChangeResponse* response) override;
  grpc::Status GetAccuracy(grpc::ServerContext* context, const v1::GetAccuracyRequest* request,
                           v1::GetAccuracyResponse* response) override;
  grpc::Status Explain(grpc::ServerContext* context, const v1::ExplainRequest* request,
                       v1::ExplainResponse* response) override;
  grpc::Status ReloadModel(grpc::ServerContext* context, const v1::ReloadModelRequest* request,
                           v1::ReloadModelResponse* response) override;
  grpc::Status GetPriceForecast(grpc::ServerContext* context,
                                const v1::GetPriceForecastRequest* request,
                                v1::GetPriceForecastResponse* response) override;
  grpc::Status GetDayAheadDemand(grpc::ServerContext* context,
                                 const v1::GetDayAheadDemandRequest* request,
                                 v1::GetDayAheadDemandResponse* response) override;
  grpc::Status GetModels(grpc::ServerContext* context, const v1::GetModelsRequest* request,
                         v1::GetModelsResponse* response) override;

 private:
  absl::Duration interval_ = absl::Minutes(30);
  std::atomic<ForecastBook*> book_{nullptr};
  std::atomic<AnomalyBook*> anomalies_{nullptr};
  std::atomic<PriceBook*> prices_{nullptr};
  std::atomic<DayAheadBook*> day_ahead_{nullptr};
  std::string ModelName() const;
  // ReloadModel's work, without its audit.
  grpc::Status Reload(v1::ReloadModelResponse* response);
  AuditReporter* audit_ = nullptr;
  ModelHistory* models_ = nullptr;
  forecast::RetrainSchedule schedule_;

  mutable absl::Mutex mu_;
  std::string model_name_ ABSL_GUARDED_BY(mu_);
  std::string registry_dir_ ABSL_GUARDED_BY(mu_);
  std::string serving_set_path_ ABSL_GUARDED_BY(mu_);
  std::string day_ahead_unavailable_ ABSL_GUARDED_BY(mu_) = "the day-ahead model is loading";
  absl::Mutex reload_mu_;  // one reload at a time
};

}  // namespace gridpilot

#endif  // GRIDPILOT_SERVICES_FORECAST_FORECAST_SERVICE_H_
