// Fuzzes the gateway's request validation through its gRPC service implementations
// (services/gateway/gateway_services.h), called as gRPC calls them once a request has been
// parsed, on a fresh, unstarted lock-step run of the default config per input.
// Input: the first byte chooses the RPC (its value mod 4): 0 SubmitDispatch,
// 1 RegisterAgent, 2 CancelDispatch, 3 ListDecisions; the rest is the serialized request
// message (bytes that do not parse are refused by gRPC before any handler runs).
// Invariants, checked against the bounds documented in services/gateway/input_bounds.h
// rather than by calling them: an accepted Submit had a valid agent, note, answers_tick
// and plan and only proposals within every bound, and got one result per proposal; a
// refused Submit changed nothing the run holds; a refusal is never INTERNAL or UNKNOWN and
// has a message; RegisterAgent accepts only valid names; Cancel on an empty run and a
// negative ListDecisions limit are refused.
#include <google/protobuf/stubs/logging.h>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "core/base/clock.h"
#include "core/data/grid_series.h"
#include "fuzz/invariant.h"
#include "gridpilot/v1/asset.pb.h"
#include "gridpilot/v1/clock.pb.h"
#include "services/common/proto_time.h"
#include "services/gateway/gateway_run.h"
#include "services/gateway/gateway_services.h"
#include "services/gateway/grid_feed.h"
#include "services/gateway/input_bounds.h"

namespace gridpilot {
namespace {

// The run's clock starts here; seeds put their leases near it.
const absl::Time kSeriesStart = absl::FromUnixSeconds(1685577600);  // 2023-06-01T00:00:00Z
constexpr int kSeriesIntervals = 8;

[[noreturn]] void Fail(const std::string& what) {
  fuzz::FailInvariant("gateway_requests_fuzzer", what);
}

std::unique_ptr<GatewayRun> MakeRun() {
  static base::SystemClock* const wall_clock = new base::SystemClock;
  std::vector<data::GridInterval> intervals;
  for (int i = 0; i < kSeriesIntervals; ++i) {
    data::GridInterval interval;
    interval.start = kSeriesStart + i * absl::Minutes(30);
    interval.net_load_mw = 30000.0 + 100.0 * i;
    interval.embedded_solar_mw = 500.0;
    interval.embedded_wind_mw = 2000.0;
    interval.price_gbp_per_mwh = 80.0 + i;
    intervals.push_back(interval);
  }
  absl::StatusOr<data::GridSeries> series = data::GridSeries::Create(std::move(intervals));
  if (!series.ok()) Fail("the series");
  GatewayConfig config;
  GatewayRunOptions options;
  options.replay_from = kSeriesStart + absl::Minutes(30);
  options.replay_to = kSeriesStart + kSeriesIntervals * absl::Minutes(30);
  options.mode = v1::CLOCK_MODE_LOCK_STEP;
  absl::StatusOr<std::unique_ptr<data::TelemetrySource>> feed =
      MakeGridFeed(config, *series, options);
  if (!feed.ok()) Fail("the feed");
  absl::StatusOr<std::unique_ptr<GatewayRun>> run =
      GatewayRun::Create(std::move(config), *std::move(series), options, *std::move(feed),
                         wall_clock, /*store=*/nullptr);
  if (!run.ok()) Fail("the run");
  return *std::move(run);
}

void CheckRefusal(const grpc::Status& status) {
  if (status.error_code() == grpc::StatusCode::INTERNAL ||
      status.error_code() == grpc::StatusCode::UNKNOWN) {
    Fail("a refusal is INTERNAL or UNKNOWN");
  }
  if (status.error_message().empty()) Fail("a refusal without a message");
}

bool ValidIdentifier(const std::string& value, size_t max_bytes, bool required) {
  if (value.size() > max_bytes || (required && value.empty())) return false;
  for (unsigned char c : value) {
    if (c < 0x20 || c == 0x7f) return false;
  }
  return true;
}

// Within google.protobuf.Timestamp's range: 0001-01-01 to 9999-12-31, nanos in [0, 1e9).
bool ValidTimestamp(const google::protobuf::Timestamp& t) {
  return t.seconds() >= -62135596800 && t.seconds() <= 253402300799 && t.nanos() >= 0 &&
         t.nanos() < 1000000000;
}

bool ValidProposal(const v1::DispatchProposal& p, absl::Time now) {
  if (!ValidIdentifier(p.asset_id(), kMaxAssetIdBytes, true) ||
      !ValidIdentifier(p.idempotency_key(), kMaxIdempotencyKeyBytes, false) ||
      p.reason().size() > kMaxReasonBytes || !std::isfinite(p.power_mw())) {
    return false;
  }
  if (p.priority() != v1::DISPATCH_PRIORITY_TRADING &&
      p.priority() != v1::DISPATCH_PRIORITY_RESILIENCE) {
    return false;
  }
  if (!p.has_start() || !p.has_end() || !ValidTimestamp(p.start()) || !ValidTimestamp(p.end())) {
    return false;
  }
  const absl::Time start = FromProtoTime(p.start());
  const absl::Time end = FromProtoTime(p.end());
  return start < end && start >= now - kDefaultLeaseHorizon && end <= now + kDefaultLeaseHorizon;
}

bool ValidPlan(const v1::AgentPlan& plan) {
  if (plan.power_mw_size() > kMaxPlanIntervals || plan.reason().size() > kMaxReasonBytes ||
      !std::isfinite(plan.expected_value_gbp())) {
    return false;
  }
  if (plan.power_mw_size() > 0 && !plan.has_first_interval_start()) return false;
  if (plan.has_first_interval_start() && !ValidTimestamp(plan.first_interval_start())) {
    return false;
  }
  for (double power_mw : plan.power_mw()) {
    if (!std::isfinite(power_mw)) return false;
  }
  for (double price : plan.price_forecast_gbp_per_mwh()) {
    if (!std::isfinite(price)) return false;
  }
  return true;
}

void FuzzSubmit(GatewayRun* run, const uint8_t* data, size_t size) {
  v1::SubmitDispatchRequest request;
  if (!request.ParseFromArray(data, static_cast<int>(size))) return;
  const GatewayRun::Retained before = run->RetainedCounts();
  const size_t decisions_before = run->RecentDecisions(1000).size();
  const absl::Time now = FromProtoTime(run->Status().now());
  AssetServiceImpl service(run);
  v1::SubmitDispatchResponse response;
  const grpc::Status status = service.SubmitDispatch(nullptr, &request, &response);
  if (!status.ok()) {
    CheckRefusal(status);
    const GatewayRun::Retained after = run->RetainedCounts();
    if (after.proposals != before.proposals || after.idempotency_keys != before.idempotency_keys ||
        after.ticks != before.ticks || run->RecentDecisions(1000).size() != decisions_before) {
      Fail("a refused Submit changed the run");
    }
    return;
  }
  if (!ValidIdentifier(request.agent(), kMaxAgentNameBytes, true)) Fail("accepted the agent");
  if (request.note().size() > kMaxNoteBytes) Fail("accepted the note");
  if (request.has_answers_tick() && !ValidTimestamp(request.answers_tick())) {
    Fail("accepted answers_tick");
  }
  if (request.has_plan() && !ValidPlan(request.plan())) Fail("accepted the plan");
  for (const v1::DispatchProposal& p : request.proposals()) {
    if (!ValidProposal(p, now)) Fail("accepted a proposal outside the bounds");
  }
  if (response.results_size() != request.proposals_size()) Fail("not one result per proposal");
}

void FuzzRegister(GatewayRun* run, const uint8_t* data, size_t size) {
  v1::RegisterAgentRequest request;
  if (!request.ParseFromArray(data, static_cast<int>(size))) return;
  ClockServiceImpl service(run);
  v1::RegisterAgentResponse response;
  const grpc::Status status = service.RegisterAgent(nullptr, &request, &response);
  if (!status.ok()) return CheckRefusal(status);
  if (!ValidIdentifier(request.agent(), kMaxAgentNameBytes, true)) Fail("registered the agent");
  if (response.region().name().empty()) Fail("registered without a region");
}

void FuzzCancel(GatewayRun* run, const uint8_t* data, size_t size) {
  v1::CancelDispatchRequest request;
  if (!request.ParseFromArray(data, static_cast<int>(size))) return;
  AssetServiceImpl service(run);
  v1::CancelDispatchResponse response;
  const grpc::Status status = service.CancelDispatch(nullptr, &request, &response);
  if (status.ok()) Fail("cancelled a proposal of an empty run");
  CheckRefusal(status);
}

void FuzzListDecisions(GatewayRun* run, const uint8_t* data, size_t size) {
  v1::ListDecisionsRequest request;
  if (!request.ParseFromArray(data, static_cast<int>(size))) return;
  AssetServiceImpl service(run);
  v1::ListDecisionsResponse response;
  const grpc::Status status = service.ListDecisions(nullptr, &request, &response);
  if (!status.ok()) {
    CheckRefusal(status);
    if (request.limit() >= 0) Fail("refused a limit >= 0");
    return;
  }
  if (request.limit() < 0) Fail("accepted a negative limit");
  if (response.decisions_size() > (request.limit() == 0 ? 100 : request.limit())) {
    Fail("more decisions than the limit");
  }
}

}  // namespace
}  // namespace gridpilot

// Protobuf logs every string field that is not UTF-8 as it refuses the message; the
// refusal is what matters here, and the log lines would slow every such input.
extern "C" int LLVMFuzzerInitialize(int*, char***) {
  google::protobuf::SetLogHandler(nullptr);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::unique_ptr<gridpilot::GatewayRun> run = gridpilot::MakeRun();
  switch (data[0] % 4) {
    case 0: gridpilot::FuzzSubmit(run.get(), data + 1, size - 1); break;
    case 1: gridpilot::FuzzRegister(run.get(), data + 1, size - 1); break;
    case 2: gridpilot::FuzzCancel(run.get(), data + 1, size - 1); break;
    default: gridpilot::FuzzListDecisions(run.get(), data + 1, size - 1); break;
  }
  return 0;
}
