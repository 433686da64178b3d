// A gRPC server interceptor that counts every RPC a process serves, by method and status
// code, for Prometheus: gridpilot_grpc_server_handled_total{method, code}. Failed RPCs
// (a refused dispatch, a forecast not ready, a bad request) show as codes other than OK,
// whichever service and process they happen in, without any service knowing.
#ifndef GRIDPILOT_SERVICES_COMMON_RPC_METRICS_INTERCEPTOR_H_
#define GRIDPILOT_SERVICES_COMMON_RPC_METRICS_INTERCEPTOR_H_

#include <grpcpp/support/server_interceptor.h>

#include <memory>
#include <vector>

#include "prometheus/registry.h"

namespace gridpilot {

// A factory for StartGrpcServer's `interceptors`. Registers the counter family in
// `registry` (not owned; must outlive the server). RPCs that end without the server
// sending a status (e.g. the client went away first) are not counted.
std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
MakeRpcMetricsInterceptorFactory(prometheus::Registry* registry);

// The same factory as the one-element list StartGrpcServer takes.
std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>>
RpcMetricsInterceptors(prometheus::Registry* registry);

}  // namespace gridpilot

#endif  // GRIDPILOT_SERVICES_COMMON_RPC_METRICS_INTERCEPTOR_H_
