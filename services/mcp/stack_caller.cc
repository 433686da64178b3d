#include "services/mcp/stack_caller.h"

#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/impl/codegen/proto_utils.h>

#include <future>

#include "absl/strings/str_cat.h"

#include "services/common/grpc_status.h"
#include "services/common/server_runner.h"

namespace gridpilot::mcp {
namespace {

std::shared_ptr<grpc::Channel> ChannelOrNull(const std::string& address) {
  return address.empty() ? nullptr : MakeChannel(address);
}

const char* ProcessName(StackProcess process) {
  switch (process) {
    case StackProcess::kGateway: return "gateway";
    case StackProcess::kForecast: return "forecast";
    case StackProcess::kResponse: return "response agent";
    case StackProcess::kTrader: return "trader";
  }
  return "?";
}

}  // namespace

GrpcStackCaller::GrpcStackCaller(const StackAddresses& addresses)
    : gateway_(ChannelOrNull(addresses.gateway)),
      forecast_(ChannelOrNull(addresses.forecast)),
      response_(ChannelOrNull(addresses.response)),
      trader_(ChannelOrNull(addresses.trader)) {}

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
  if (channel == nullptr) {
    return absl::UnavailableError(
        absl::StrCat("the ", ProcessName(process), " is not running in this stack"));
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
