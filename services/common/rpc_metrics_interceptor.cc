#include "services/common/rpc_metrics_interceptor.h"

#include <string>

#include "absl/status/status.h"
#include "prometheus/counter.h"
#include "prometheus/family.h"

namespace gridpilot {
namespace {

using grpc::experimental::InterceptionHookPoints;

class CountingInterceptor final : public grpc::experimental::Interceptor {
 public:
  CountingInterceptor(prometheus::Family<prometheus::Counter>* handled, std::string method)
      : handled_(handled), method_(std::move(method)) {}

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS)) {
      // gRPC and Abseil status codes are the same numbers; Abseil names them.
      const absl::StatusCode code =
          static_cast<absl::StatusCode>(methods->GetSendStatus().error_code());
      handled_->Add({{"method", method_}, {"code", absl::StatusCodeToString(code)}}).Increment();
    }
    methods->Proceed();
  }

 private:
  prometheus::Family<prometheus::Counter>* const handled_;
  const std::string method_;
};

class CountingInterceptorFactory final
    : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit CountingInterceptorFactory(prometheus::Registry* registry)
      : handled_(&prometheus::BuildCounter()
                      .Name("gridpilot_grpc_server_handled_total")
                      .Help("RPCs this process served, by method (/package.Service/Method) "
                            "and status code (OK, INVALID_ARGUMENT, UNAVAILABLE, ...)")
                      .Register(*registry)) {}

  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override {
    return new CountingInterceptor(handled_, info->method() != nullptr ? info->method() : "");
  }

 private:
  prometheus::Family<prometheus::Counter>* const handled_;
};

}  // namespace

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
MakeRpcMetricsInterceptorFactory(prometheus::Registry* registry) {
  return std::make_unique<CountingInterceptorFactory>(registry);
}

std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>>
RpcMetricsInterceptors(prometheus::Registry* registry) {
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> out;
  out.push_back(MakeRpcMetricsInterceptorFactory(registry));
  return out;
}

}  // namespace gridpilot
