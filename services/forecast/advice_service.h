// AdviceService over an AdviceBook: a thin gRPC edge (proto/gridpilot/v1/advice.proto).
#ifndef GRIDPILOT_SERVICES_FORECAST_ADVICE_SERVICE_H_
#define GRIDPILOT_SERVICES_FORECAST_ADVICE_SERVICE_H_

#include <atomic>

#include "gridpilot/v1/advice.grpc.pb.h"
#include "services/forecast/advice_book.h"

namespace gridpilot {

class AdviceServiceImpl final : public v1::AdviceService::Service {
 public:
  // `book` is set once the process holds its history; until then calls get UNAVAILABLE.
  void SetBook(AdviceBook* book) { book_.store(book); }

  grpc::Status Advise(grpc::ServerContext* context, const v1::AdviseRequest* request,
                      v1::AdviseResponse* response) override;

 private:
  std::atomic<AdviceBook*> book_{nullptr};
};

}  // namespace gridpilot

#endif  // GRIDPILOT_SERVICES_FORECAST_ADVICE_SERVICE_H_
