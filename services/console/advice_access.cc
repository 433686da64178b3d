#include "services/console/advice_access.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "services/common/grpc_status.h"
#include "services/common/proto_time.h"
#include "services/common/server_runner.h"
#include "services/console/person_call.h"

namespace gridpilot {

GrpcAdviceAccess::GrpcAdviceAccess(const std::string& address, absl::Duration deadline)
    : deadline_(deadline), stub_(v1::AdviceService::NewStub(MakeChannel(address))) {}

absl::StatusOr<v1::AdviseResponse> GrpcAdviceAccess::Advise(const std::string& bearer_token,
                                                            const v1::AdviseRequest& request) {
  grpc::ClientContext context;
  PreparePersonCall(context, bearer_token, deadline_);
  v1::AdviseResponse response;
  const grpc::Status status = stub_->Advise(&context, request, &response);
  if (!status.ok()) return FromGrpcStatus(status);
  return response;
}

absl::StatusOr<v1::AdviseRequest> AdviceRequestFromQuery(
    const std::multimap<std::string, std::string>& params) {
  v1::AdviseRequest request;
  for (const auto& [key, value] : params) {
    if (key == "date") {
      absl::Time day;
      std::string error;
      if (!absl::ParseTime("%Y-%m-%d", value, absl::UTCTimeZone(), &day, &error)) {
        return absl::InvalidArgumentError(
            absl::StrCat("date: \"", value, "\" is not a day (YYYY-MM-DD)"));
      }
      *request.mutable_day() = ToProtoTime(day);
      continue;
    }
    const double max = key == "flexible_share" ? 1.0 : 1e6;
    double number = 0.0;
    if (key != "flexible_share" && key != "peak_limit_mw" && key != "battery_capacity_mwh") {
      return absl::InvalidArgumentError(absl::StrCat("unknown parameter ", key));
    }
    if (!absl::SimpleAtod(value, &number) || !(number >= 0 && number <= max)) {
      return absl::InvalidArgumentError(
          absl::StrCat(key, ": \"", value, "\" is not a number in [0, ", max, "]"));
    }
    if (key == "flexible_share") request.set_flexible_share(number);
    if (key == "peak_limit_mw") request.set_peak_limit_mw(number);
    if (key == "battery_capacity_mwh") request.set_battery_capacity_mwh(number);
  }
  return request;
}

}  // namespace gridpilot
