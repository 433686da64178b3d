// Fuzzes the response agent's SetThresholds RPC (agents/response/response_service.h) on a
// fresh, unregistered agent per input. The input is the serialized SetThresholdsRequest
// (bytes that do not parse are refused by gRPC before the handler runs).
// Invariants: a refusal is INVALID_ARGUMENT with a message and leaves the thresholds as
// they were; an accepted request set exactly the thresholds asked for, which are finite,
// with 0 < ramp_limit_mw <= kMaxRampLimitMultiple x the default limit and
// 0 <= margin_mw < ramp_limit_mw.
#include <google/protobuf/stubs/logging.h>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "agents/response/response_agent.h"
#include "agents/response/response_service.h"
#include "core/control/ramp_response_policy.h"
#include "fuzz/invariant.h"
#include "gridpilot/v1/response.pb.h"

namespace {

[[noreturn]] void Fail(const std::string& what) {
  gridpilot::fuzz::FailInvariant("set_thresholds_fuzzer", what);
}

}  // namespace

// Protobuf logs every string field that is not UTF-8 as it refuses the message; the
// refusal is what matters here, and the log lines would slow every such input.
extern "C" int LLVMFuzzerInitialize(int*, char***) {
  google::protobuf::SetLogHandler(nullptr);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  gridpilot::v1::SetThresholdsRequest request;
  if (!request.ParseFromArray(data, static_cast<int>(size))) return 0;
  gridpilot::ResponseAgent agent(/*forecasts=*/nullptr);
  const gridpilot::v1::Thresholds before = agent.Thresholds();
  gridpilot::ResponseServiceImpl service(&agent);
  gridpilot::v1::SetThresholdsResponse response;
  const grpc::Status status = service.SetThresholds(nullptr, &request, &response);
  const gridpilot::v1::Thresholds after = agent.Thresholds();
  if (!status.ok()) {
    if (status.error_code() != grpc::StatusCode::INVALID_ARGUMENT) Fail("error code");
    if (status.error_message().empty()) Fail("a refusal without a message");
    if (after.ramp_limit_mw() != before.ramp_limit_mw() ||
        after.margin_mw() != before.margin_mw()) {
      Fail("a refusal changed the thresholds");
    }
    return 0;
  }
  const double limit_mw = after.ramp_limit_mw();
  const double margin_mw = after.margin_mw();
  if (limit_mw != request.thresholds().ramp_limit_mw() ||
      margin_mw != request.thresholds().margin_mw()) {
    Fail("the thresholds set are not those asked for");
  }
  const double max_limit_mw = gridpilot::ResponseAgent::kMaxRampLimitMultiple *
                              gridpilot::control::ResponsePolicyConfig{}.ramp_limit_mw;
  if (!std::isfinite(limit_mw) || limit_mw <= 0.0 || limit_mw > max_limit_mw) {
    Fail("accepted a ramp limit outside its range");
  }
  if (!std::isfinite(margin_mw) || margin_mw < 0.0 || margin_mw >= limit_mw) {
    Fail("accepted a margin outside its range");
  }
  return 0;
}
