// Test helper: one unary gRPC call, with a deadline, to a process an integration test
// started on loopback. Header-only, shared by the tests under tests/integration.
#ifndef GRIDPILOT_TESTS_INTEGRATION_GRPC_CALL_H_
#define GRIDPILOT_TESTS_INTEGRATION_GRPC_CALL_H_

#include <grpcpp/grpcpp.h>

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace gridpilot::testing {

// "127.0.0.1:<port>", the address of a process listening on loopback.
inline std::string LoopbackAddress(int port) { return absl::StrCat("127.0.0.1:", port); }

// Calls `method` of `stub` (e.g. &v1::ClockService::Stub::GetClockStatus) with `request`, giving
// up `timeout` from now; fills *response and returns the call's status. Blocking.
template <typename Stub, typename Request, typename Response>
grpc::Status UnaryCall(Stub& stub,
                       grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&,
                                                    Response*),
                       const Request& request, Response* response, absl::Duration timeout) {
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  return (stub.*method)(&context, request, response);
}

}  // namespace gridpilot::testing

#endif  // GRIDPILOT_TESTS_INTEGRATION_GRPC_CALL_H_
