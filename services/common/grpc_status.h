// The one place where absl::Status and grpc::Status convert into each other.
// Codes map one to one (both follow google.rpc.Code); messages pass unchanged.
#ifndef GRIDPILOT_SERVICES_COMMON_GRPC_STATUS_H_
#define GRIDPILOT_SERVICES_COMMON_GRPC_STATUS_H_

#include <grpcpp/support/status.h>

#include "absl/status/status.h"

namespace gridpilot {

grpc::Status ToGrpcStatus(const absl::Status& status);
absl::Status FromGrpcStatus(const grpc::Status& status);

}  // namespace gridpilot

#endif  // GRIDPILOT_SERVICES_COMMON_GRPC_STATUS_H_
