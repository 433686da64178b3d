#include "services/cli/advice_command.h"

#include <google/protobuf/util/json_util.h>
#include <grpcpp/grpcpp.h>

#include <cstdio>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gridpilot/v1/advice.grpc.pb.h"
#include "services/common/grpc_status.h"
#include "services/common/proto_time.h"
#include "services/common/server_runner.h"
#include "services/console/stack_addresses.h"

namespace gridpilot {
namespace {

int Fail(int code, const std::string& message) {
  std::fprintf(stderr, "gridpilot advice: %s\n", message.c_str());
  return code;
}

// The forecast process's address: --forecast, else its port file in --run_dir.
absl::StatusOr<std::string> ForecastAddress(const std::map<std::string, std::string>& o) {
  if (o.contains("forecast")) return o.at("forecast");
  if (!o.contains("run_dir")) {
    return absl::InvalidArgumentError(
        "needs --run_dir (of a running `gridpilot up`) or --forecast");
  }
  absl::StatusOr<StackAddresses> found = ReadStackAddresses(o.at("run_dir"));
  if (!found.ok()) return found.status();
  return found->forecast;
}

absl::Status ReadNumber(const std::map<std::string, std::string>& o, const std::string& key,
                        double min, double max, double* out) {
  if (!o.contains(key)) return absl::OkStatus();
  if (!absl::SimpleAtod(o.at(key), out) || !(*out >= min && *out <= max)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", key, " \"", o.at(key), "\" is not a number in [", min, ", ", max, "]"));
  }
  return absl::OkStatus();
}

std::string Windows(const google::protobuf::RepeatedPtrField<v1::AdviceWindow>& windows) {
  std::string out;
  for (const v1::AdviceWindow& w : windows)
    absl::StrAppend(&out, out.empty() ? "" : ", ", w.text());
  return out.empty() ? "never" : out;
}

}  // namespace

int RunAdviceCommand(const std::map<std::string, std::string>& o) {
  v1::AdviseRequest request;
  double share = 0.05;
  double percentile = 90;
  double capacity = 0;
  double power = 0;
  double limit = -1;
  for (const absl::Status& s : {ReadNumber(o, "flexible_share", 0, 1, &share),
                                ReadNumber(o, "peak_percentile", 0, 100, &percentile),
                                ReadNumber(o, "battery_capacity_mwh", 0, 1e6, &capacity),
                                ReadNumber(o, "battery_power_mw", 0, 1e6, &power),
                                ReadNumber(o, "peak_limit_mw", 0, 1e6, &limit)}) {
    if (!s.ok()) return Fail(2, std::string(s.message()));
  }
  request.set_flexible_share(share);
  request.set_peak_percentile(percentile);
  request.set_battery_capacity_mwh(capacity);
  request.set_battery_power_mw(power);
  if (o.contains("peak_limit_mw")) request.set_peak_limit_mw(limit);
  if (o.contains("date")) {
    absl::Time day;
    std::string error;
    if (!absl::ParseTime("%Y-%m-%d", o.at("date"), absl::UTCTimeZone(), &day, &error)) {
      return Fail(2, "--date \"" + o.at("date") + "\" is not a day (YYYY-MM-DD)");
    }
    *request.mutable_day() = ToProtoTime(day);
  }
  absl::StatusOr<std::string> address = ForecastAddress(o);
  if (!address.ok()) {
    return Fail(address.status().code() == absl::StatusCode::kInvalidArgument ? 2 : 1,
                std::string(address.status().message()));
  }
  auto stub = v1::AdviceService::NewStub(MakeChannel(*address));
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
  v1::AdviseResponse response;
  const grpc::Status status = stub->Advise(&context, request, &response);
  if (!status.ok()) {
    return Fail(1, absl::StrCat("forecast at ", *address, ": ", FromGrpcStatus(status).ToString()));
  }
  if (o.contains("json")) {
    google::protobuf::util::JsonPrintOptions print;
    print.preserve_proto_field_names = true;
    std::string text;
    if (!google::protobuf::util::MessageToJsonString(response, &text, print).ok()) {
      return Fail(1, "cannot print the response as JSON");
    }
    std::printf("%s\n", text.c_str());
    return 0;
  }
  std::printf(
      "advice for %s (region MW, data until %s; UTC)\n",
      absl::FormatTime("%Y-%m-%d", FromProtoTime(response.day()), absl::UTCTimeZone()).c_str(),
      absl::FormatTime("%Y-%m-%dT%H:%MZ", FromProtoTime(response.data_until()), absl::UTCTimeZone())
          .c_str());
  std::printf("  peak limit %.0f MW; forecast peak %.0f MW, %.0f MW after the move\n",
              response.peak_limit_mw(), response.forecast_peak_mw(),
              response.forecast_peak_after_mw());
  std::printf("  %s\n", response.advice().c_str());
  std::printf("  forecast saving GBP %.2f\n", response.forecast_saved_gbp());
  if (response.has_battery()) {
    std::printf("  battery: buy and store %s, use %s; forecast return GBP %.2f\n",
                Windows(response.battery_charge()).c_str(),
                Windows(response.battery_discharge()).c_str(),
                response.battery_forecast_return_gbp());
  }
  return 0;
}

}  // namespace gridpilot
