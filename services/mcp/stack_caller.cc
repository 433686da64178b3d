#include "services/mcp/stack_caller.h"

#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/impl/codegen/proto_utils.h>

#include <future>

#include "services/common/grpc_status.h"
#include "services/common/server_runner.h"

namespace gridpilot::mcp {

GrpcStackCaller::GrpcStackCaller(const StackAddresses& addresses)
    : gateway_(MakeChannel(addresses.gateway)),
      forecast_(MakeChannel(addresses.forecast)),
      response_(MakeChannel(addresses.response)),
      trader_(MakeChannel(addresses.trader)) {}

absl::Status GrpcStackCaller::Call(StackProcess process, const std::string& method,
                                   const google::protobuf::Message& request,
                                   google::protobuf::Message* response,
                                   const std::string& bearer_token, absl::Duration timeout) {
  std::shared_ptr<grpc::Channel> channel;
  switch (process) {
    case StackProcess::kGateway: channel = gateway_; break;
    case StackProcess::kForecast: channel = forecast_; break;
    case StackProcess::kResponse: channel = response_; break;
    case StackProcess::kTrader: channel = trader_; break;
  }
  grpc::TemplatedGenericStub<google::protobuf::Message, google::protobuf::Message> stub(channel);
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  if (!bearer_token.empty()) context.AddMetadata("authorization", "Bearer " + bearer_token);
  std::promise<grpc::Status> done;
  std::future<grpc::Status> finished = done.get_future();
  stub.UnaryCall(&context, method, grpc::StubOptions(), &request, response,
                 [&done](grpc::Status status) { done.set_value(std::move(status)); });
  return FromGrpcStatus(finished.get());
}

}  // namespace gridpilot::mcp
