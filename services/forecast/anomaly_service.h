// AnomalyService over an AnomalyBook: a thin gRPC edge.
#ifndef GRIDPILOT_SERVICES_FORECAST_ANOMALY_SERVICE_H_
#define GRIDPILOT_SERVICES_FORECAST_ANOMALY_SERVICE_H_

#include <atomic>

#include "gridpilot/v1/anomaly.grpc.pb.h"
#include "services/forecast/anomaly_book.h"

namespace gridpilot {

// The wire form of a verdict (interval_start, suspect, flagged, and the anomaly if flagged).
v1::Verdict ToProtoVerdict(const IntervalVerdict& verdict);

class AnomalyServiceImpl final : public v1::AnomalyService::Service {
 public:
  // `book` is set once the detectors are fitted; until then calls get UNAVAILABLE.
  void SetBook(AnomalyBook* book) { book_.store(book); }
  // Ends open streams (call before shutting the server down).
  void Stop() { stopping_ = true; }

  grpc::Status ListAnomalies(grpc::ServerContext* context, const v1::ListAnomaliesRequest* request,
                             v1::ListAnomaliesResponse* response) override;
  grpc::Status StreamAnomalies(grpc::ServerContext* context,
                               const v1::StreamAnomaliesRequest* request,
                               grpc::ServerWriter<v1::StreamAnomaliesResponse>* writer) override;
  grpc::Status GetVerdict(grpc::ServerContext* context, const v1::GetVerdictRequest* request,
                          v1::GetVerdictResponse* response) override;
  // Needs no book: scores the caller's series against itself
  // (core/anomaly/self_fitted_scoring.h). At most kMaxConcurrentScorings at once.
  grpc::Status ScoreReadings(grpc::ServerContext* context, const v1::ScoreReadingsRequest* request,
                             v1::ScoreReadingsResponse* response) override;

  static constexpr int kMaxConcurrentScorings = 2;

 private:
  std::atomic<AnomalyBook*> book_{nullptr};
  std::atomic<bool> stopping_{false};
  std::atomic<int> scorings_{0};
};

}  // namespace gridpilot

#endif  // GRIDPILOT_SERVICES_FORECAST_ANOMALY_SERVICE_H_
