// The RPC-counting interceptor: a real gRPC server (StartGrpcServer on a free port) with
// the interceptor counts each health check it serves under its method and status code,
// failed ones (NOT_FOUND for an unknown service) included.
#include "services/common/rpc_metrics_interceptor.h"

#include <grpcpp/generic/generic_stub.h>

#include <future>
#include <map>
#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "services/common/server_runner.h"

namespace gridpilot {
namespace {

constexpr char kCheck[] = "/grpc.health.v1.Health/Check";

// grpc.health.v1.Health/Check with HealthCheckRequest{service} (field 1, a string),
// encoded by hand so the test needs no generated health stubs. Returns the status.
grpc::Status Check(grpc::GenericStub* stub, const std::string& service) {
  std::string wire;
  if (!service.empty()) wire = std::string("\x0a", 1) + static_cast<char>(service.size()) + service;
  grpc::Slice slice(wire);
  grpc::ByteBuffer request(&slice, 1);
  grpc::ByteBuffer response;
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  std::promise<grpc::Status> done;
  stub->UnaryCall(&context, kCheck, grpc::StubOptions(), &request, &response,
                  [&done](grpc::Status s) { done.set_value(std::move(s)); });
  return done.get_future().get();
}

double Handled(const prometheus::Registry& registry, const std::string& method,
               const std::string& code) {
  for (const prometheus::MetricFamily& family : registry.Collect()) {
    if (family.name != "gridpilot_grpc_server_handled_total") continue;
    for (const prometheus::ClientMetric& metric : family.metric) {
      std::map<std::string, std::string> labels;
      for (const auto& label : metric.label) labels[label.name] = label.value;
      if (labels["method"] == method && labels["code"] == code) return metric.counter.value;
    }
  }
  return 0.0;
}

TEST(RpcMetricsInterceptorTest, CountsServedRpcsByMethodAndCode) {
  prometheus::Registry registry;
  absl::StatusOr<RunningServer> server =
      StartGrpcServer("127.0.0.1", 0, {}, "", RpcMetricsInterceptors(&registry));
  ASSERT_TRUE(server.ok()) << server.status();
  grpc::GenericStub stub(MakeChannel(absl::StrCat("127.0.0.1:", server->port)));

  EXPECT_TRUE(Check(&stub, "").ok());
  EXPECT_TRUE(Check(&stub, "").ok());
  EXPECT_EQ(Check(&stub, "no.such.Service").error_code(), grpc::StatusCode::NOT_FOUND);

  EXPECT_EQ(Handled(registry, kCheck, "OK"), 2);
  EXPECT_EQ(Handled(registry, kCheck, "NOT_FOUND"), 1);
  ShutdownServer(server->server.get());
}

}  // namespace
}  // namespace gridpilot
