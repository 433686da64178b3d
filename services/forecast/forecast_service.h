// ForecastService over a ForecastBook: a thin gRPC edge.
#ifndef GRIDPILOT_SERVICES_FORECAST_FORECAST_SERVICE_H_
#define GRIDPILOT_SERVICES_FORECAST_FORECAST_SERVICE_H_

#include <string>

#include "gridpilot/v1/forecast.grpc.pb.h"
#include "services/forecast/anomaly_book.h"
#include "services/forecast/forecast_book.h"

namespace gridpilot {

class ForecastServiceImpl final : public v1::ForecastService::Service {
 public:
  // `book` is set once the models are ready; until then calls get UNAVAILABLE.
  void SetBook(ForecastBook* book, std::string model_name);
  // The anomaly verdict on each forecast's base interval comes from here (optional).
  void SetAnomalyBook(AnomalyBook* anomalies) { anomalies_.store(anomalies); }

  grpc::Status GetNetLoadChange(grpc::ServerContext* context,
                                const v1::NetLoadChangeRequest* request,
                                v1::NetLoadChangeResponse* response) override;
  grpc::Status GetAccuracy(grpc::ServerContext* context, const v1::GetAccuracyRequest* request,
                           v1::GetAccuracyResponse* response) override;
  grpc::Status Explain(grpc::ServerContext* context, const v1::ExplainRequest* request,
                       v1::ExplainResponse* response) override;

 private:
  std::atomic<ForecastBook*> book_{nullptr};
  std::atomic<AnomalyBook*> anomalies_{nullptr};
  std::string model_name_;
};

}  // namespace gridpilot

#endif  // GRIDPILOT_SERVICES_FORECAST_FORECAST_SERVICE_H_
