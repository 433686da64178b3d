// StackCaller: the seam between gridpilot-mcp's tools and the running stack. A tool calls
// one unary gRPC method of one process with the MCP caller's bearer token as the call
// credential, so the stack's role checks, arbiter and audit log see the caller, not the
// MCP process. GrpcStackCaller is the real one (channels under the process's mutual-TLS
// identity, the token added per call); tests use a fake.
#ifndef GRIDPILOT_SERVICES_MCP_STACK_CALLER_H_
#define GRIDPILOT_SERVICES_MCP_STACK_CALLER_H_

#include <google/protobuf/message.h>
#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "services/console/stack_addresses.h"  // StackAddresses (a plain struct)

namespace gridpilot::mcp {

enum class StackProcess { kGateway, kForecast, kResponse, kTrader };

class StackCaller {
 public:
  virtual ~StackCaller() = default;
  // Calls the unary `method` (e.g. "/gridpilot.v1.AssetService/ListAssets") of `process`,
  // filling `*response`. `bearer_token` is sent as "authorization: Bearer <token>" (nothing
  // when empty). Returns the call's status as an absl::Status (same code and message);
  // DeadlineExceeded after `timeout`. Thread-safe.
  virtual absl::Status Call(StackProcess process, const std::string& method,
                            const google::protobuf::Message& request,
                            google::protobuf::Message* response, const std::string& bearer_token,
                            absl::Duration timeout) = 0;
};

class GrpcStackCaller : public StackCaller {
 public:
  // An empty address: that process is not in the stack; calls to it are Unavailable.
  explicit GrpcStackCaller(const StackAddresses& addresses);
  absl::Status Call(StackProcess process, const std::string& method,
                    const google::protobuf::Message& request, google::protobuf::Message* response,
                    const std::string& bearer_token, absl::Duration timeout) override;

 private:
  std::shared_ptr<grpc::Channel> gateway_, forecast_, response_, trader_;
};

}  // namespace gridpilot::mcp

#endif  // GRIDPILOT_SERVICES_MCP_STACK_CALLER_H_
